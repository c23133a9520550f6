/* kura kit: save the emergency kit (PDF and PNG), or check that a kit file opens this
 * vault. The kit-writing part is shared with kura init. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

const char *const paper_words[] = {"a4", "letter", NULL}, *const lang_words[] = {"en", "ja", NULL};

/* The user's download folder, as xdg-user-dirs keeps it: XDG_DOWNLOAD_DIR="$HOME/..." or
 * "/..." in $XDG_CONFIG_HOME/user-dirs.dirs, else ~/Downloads. NULL without HOME. */
static char *download_dir(void)
{
    const char *home = getenv("HOME"), *config = getenv("XDG_CONFIG_HOME");
    if (!home || home[0] != '/') return NULL;
    char file[PATH_MAX], line[PATH_MAX + 64], *found = NULL;
    if (config && config[0] == '/')
        snprintf(file, sizeof file, "%s/user-dirs.dirs", config);
    else
        snprintf(file, sizeof file, "%s/.config/user-dirs.dirs", home);
    FILE *f = fopen(file, "re");
    while (f && !found && fgets(line, sizeof line, f)) {
        char *p = line + strspn(line, " \t"), *end;
        if (strncmp(p, "XDG_DOWNLOAD_DIR=\"", 18) != 0 || !(end = strrchr(p + 18, '"'))) continue;
        *end = '\0';
        p += 18;
        if (strncmp(p, "$HOME", 5) == 0 && (p[5] == '/' || !p[5])) {
            if (asprintf(&found, "%s%s", home, p + 5) < 0) found = NULL;
        } else if (p[0] == '/') {
            found = strdup(p);
        }
    }
    if (f) fclose(f);
    if (!found && asprintf(&found, "%s/Downloads", home) < 0) found = NULL;
    return found;
}

/* mkdir, 0700; with parents, the folders above it too (the default folder, in a home that
 * has none yet). 0, or -1 and errno. */
static int make_folder(const char *path, int parents)
{
    if (mkdir(path, 0700) == 0) return 0;
    if (errno != ENOENT || !parents) return -1;
    char up[PATH_MAX];
    snprintf(up, sizeof up, "%s", path);
    char *slash = strrchr(up, '/');
    if (!slash || slash == up) return -1;
    *slash = '\0';
    if (make_folder(up, 1) != 0) return -1;
    return mkdir(path, 0700);
}

int kit_folder(const kit_opts *k, char dir[4096])
{
    char *fallback = k->dir ? NULL : download_dir();
    const char *want = k->dir ? k->dir : fallback ? fallback : ".";
    int ex = EX_OK;
    struct stat sb;
    if (!realpath(want, dir)) {
        if (errno != ENOENT || make_folder(want, !k->dir) != 0)
            ex = fail(errno == ENOENT ? EX_NOT_FOUND : EX_FAIL,
                      "cannot make the folder %s for the kit: %s; name another with --kit-dir",
                      want, strerror(errno));
        else if (!realpath(want, dir))
            ex = fail(EX_FAIL, "cannot reach the folder %s: %s", want, strerror(errno));
        else
            note("kura: made the folder %s for the kit (only you can open it)", dir);
    }
    if (ex == EX_OK && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        ex = fail(EX_USAGE, "%s is not a folder; name the kit's folder with --kit-dir", want);
    free(fallback);
    return ex;
}

static int kit_failed(int rc, const char *path)
{
    if (rc == KURA_ERR_NO_MODULE) return fail_kit_module();
    if (rc == KURA_ERR_NOT_FOUND)
        return fail(EX_FAIL,
                    "cannot write %s: a font it needs is missing; install "
                    "fonts-dejavu-core and fonts-ipafont-gothic",
                    path);
    return fail(EX_FAIL,
                "cannot write the kit to %s: %s; check the folder exists and is "
                "writable",
                path, rc == KURA_ERR_IO ? strerror(errno) : kura_strerror(rc));
}

static void day_of(char out[16], int64_t when)
{
    time_t t = (time_t)when;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(out, 16, "%Y-%m-%d", &tm);
    else
        snprintf(out, 16, "?");
}

void kit_about_vault(ctx *c, kit_about *a)
{
    kura_remotes *r = NULL;
    memset(a, 0, sizeof *a);
    if (kura_vault_key_gen(c->v, NULL, &a->gen) != KURA_OK) memset(&a->gen, 0, sizeof a->gen);
    /* Where the vault lives, for the new device: its remote, else its file. */
    if (kura_remote_list(c->v, &r) == KURA_OK && r->count) {
        snprintf(a->where, sizeof a->where, "%s", r->remotes[0].url);
        a->remote = 1;
    } else if (!realpath(c->vault_path, a->where)) {
        snprintf(a->where, sizeof a->where, "%s", c->vault_path);
    }
    kura_remotes_free(r);
}

/* What the kit of c's vault shows: its key, as about says; date and made hold the days. */
static kura_kit_spec spec_of(ctx *c, const kit_opts *k, const kura_client_key *key,
                             const kit_about *about, char date[16], char made[16])
{
    day_of(date, (int64_t)time(NULL));
    if (about->gen.made) day_of(made, about->gen.made);
    return (kura_kit_spec){
        .vault_id = kura_vault_id(c->v),
        .vault_name = kura_vault_name(c->v),
        .key = key,
        .date = date,
        .key_gen = about->gen.gen,
        .key_made = about->gen.made ? made : NULL,
        .where = about->where[0] ? about->where : NULL,
        .where_remote = about->remote,
        .paper = k->paper ? k->paper - 1 : c->settings.kit_paper,
        .lang = k->lang ? k->lang - 1 : c->settings.kit_lang,
    };
}

int save_kit(ctx *c, const kit_opts *k, const kura_client_key *key, const kit_about *about,
             char paths[2][4096], int fresh[2])
{
    int made_now[2];
    char date[16], made[16], pdf[PATH_MAX], png[PATH_MAX], dir[PATH_MAX];
    kit_about now;
    int ex = EX_OK;

    if (!about) kit_about_vault(c, &now), about = &now;
    if ((ex = kit_folder(k, dir)) != EX_OK) return ex;
    if (kura_kit_names(pdf, png, sizeof pdf, dir, kura_vault_id(c->v), about->gen.gen) != KURA_OK)
        return fail(EX_USAGE, "the kit folder's path is too long");
    snprintf(paths[0], PATH_MAX, "%s", k->pdf ? k->pdf : pdf);
    snprintf(paths[1], PATH_MAX, "%s", k->png ? k->png : png);
    kura_kit_spec spec = spec_of(c, k, key, about, date, made);
    if (!fresh) fresh = made_now;
    for (int i = 0; i < 2; i++)
        fresh[i] = access(paths[i], F_OK) != 0;
    int rc = kura_kit_write_pdf(paths[0], &spec);
    if (rc != KURA_OK) ex = kit_failed(rc, paths[0]);
    if (ex == EX_OK && (rc = kura_kit_write_png(paths[1], &spec)) != KURA_OK) {
        ex = kit_failed(rc, paths[1]);
        if (fresh[0]) unlink(paths[0]); /* half a kit, made just now: not left behind */
    }
    return ex;
}

json_t *kit_json(int saved, char paths[2][4096])
{
    return saved ? json_pack("[s,s]", paths[0], paths[1]) : json_array();
}

/* "key 2 (made 2026-11-03)" into out. */
static const char *gen_words(char *out, size_t cap, const kura_key_gen *g)
{
    char made[16];
    if (g->made) day_of(made, g->made);
    snprintf(out, cap, "key %u%s%s%s", g->gen, g->made ? " (made " : "", g->made ? made : "",
             g->made ? ")" : "");
    return out;
}

/* An old kit: which key it holds, when this shell's session can say (the vault's history of
 * keys is sealed in it), and which is current. */
static int old_kit(ctx *c, const char *file, const char *id, const kura_client_key *key)
{
    const char *session = getenv("KURA_SESSION");
    kura_key_gen then, now;
    char a[64], b[64];
    if (session && *session &&
        kura_session_resume(c->v, c->runtime_dir, session, NULL) == KURA_OK &&
        kura_vault_key_gen(c->v, NULL, &now) == KURA_OK) {
        if (kura_vault_key_gen(c->v, key, &then) == KURA_OK)
            return fail(EX_WRONG_KEY,
                        "%s is an old kit of vault %s: it holds %s, and the current key is %s, "
                        "so it no longer opens the vault; save a new kit with 'kura kit'",
                        file, id, gen_words(a, sizeof a, &then), gen_words(b, sizeof b, &now));
        return fail(EX_WRONG_KEY,
                    "%s is an old kit of vault %s: it holds a key from before the current one, "
                    "%s, and no longer opens the vault; save a new kit with 'kura kit'",
                    file, id, gen_words(b, sizeof b, &now));
    }
    return fail(EX_WRONG_KEY,
                "%s is an old kit of vault %s: its key no longer opens it (unlocked, 'kura kit "
                "check' also says which key it holds); save a new one with 'kura kit'",
                file, id);
}

/* kura kit check FILE: does this kit open this vault, and which of its keys does it hold? */
static int check(ctx *c, const char *file)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    char id[KURA_VAULT_ID_TEXT + 1], words[64];
    kura_key_gen g = {0};
    if (!key) return fail(EX_FAIL, "out of memory");
    int ex = read_kit(key, id, file);
    if (ex == EX_OK && strcmp(id, kura_vault_id(c->v)) != 0)
        ex = fail(
            EX_WRONG_KEY,
            "%s is the kit of vault %s, not of this vault: this key does not open vault %s (%s)",
            file, id, kura_vault_id(c->v), c->vault_path);
    if (ex == EX_OK) {
        int rc = kura_vault_unlock(c->v, key);
        if (rc == KURA_ERR_WRONG_KEY)
            ex = old_kit(c, file, id, key);
        else if (rc != KURA_OK)
            ex = fail_vault(c, rc, "check the kit");
        else if (kura_vault_key_gen(c->v, NULL, &g) != KURA_OK)
            ex = fail_vault(c, KURA_ERR_CORRUPT, "read which key the vault has");
    }
    sodium_free(key);
    if (ex != EX_OK) return ex;
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:b, s:i, s:i}", "kit", file, "vault_id", id, "opens", 1,
                             "key", g.gen, "current_key", g.gen));
    else
        printf("%s opens vault %s: it holds %s, the current key. Keep it somewhere safe.\n", file,
               id, gen_words(words, sizeof words, &g));
    return EX_OK;
}

enum { KIT_CHECK = 1, KIT_SPLIT = 2 };
typedef struct kit_args {
    kit_opts kit;
    int sub;
    int print_only;
    int shares, threshold; /* kit split */
} kit_args;

/* kura kit split: the key in N share kits, any K of which open the vault. */
static int split(ctx *c, const kit_args *a, const kura_client_key *key)
{
    unsigned n = (unsigned)a->shares, k = (unsigned)a->threshold;
    if (!n || !k)
        return fail(EX_USAGE, "how many shares, and how many open the vault? kura kit split "
                              "--shares 5 --threshold 3");
    if (k > n)
        return fail(EX_USAGE, "--threshold %u is more than the %u shares made: it could never open",
                    k, n);
    kit_about about;
    char dir[PATH_MAX], date[16], made[16];
    int ex = kit_folder(&a->kit, dir);
    if (ex != EX_OK) return ex;
    kit_about_vault(c, &about);
    kura_share *shares = sodium_malloc(KURA_SHARES_MAX * sizeof *shares);
    char(*paths)[2][PATH_MAX] = calloc(n, sizeof *paths);
    if (!shares || !paths) ex = fail(EX_FAIL, "out of memory");
    int rc = ex == EX_OK ? kura_share_split(shares, key, about.gen.gen, n, k) : KURA_OK;
    if (rc != KURA_OK) ex = fail(EX_FAIL, "cannot split the key: %s", kura_strerror(rc));
    for (unsigned i = 0; ex == EX_OK && i < n; i++) {
        if (kura_share_names(paths[i][0], paths[i][1], PATH_MAX, dir, kura_vault_id(c->v),
                             about.gen.gen, i + 1, n) != KURA_OK) {
            ex = fail(EX_USAGE, "the kit folder's path is too long");
            break;
        }
        kura_kit_spec spec = spec_of(c, &a->kit, NULL, &about, date, made);
        spec.share = &shares[i];
        spec.share_count = n;
        if ((rc = kura_kit_write_pdf(paths[i][0], &spec)) != KURA_OK)
            ex = kit_failed(rc, paths[i][0]);
        else if ((rc = kura_kit_write_png(paths[i][1], &spec)) != KURA_OK)
            ex = kit_failed(rc, paths[i][1]);
    }
    sodium_free(shares);
    if (ex == EX_OK && c->json) {
        json_t *list = json_array();
        for (unsigned i = 0; list && i < n; i++)
            json_array_append_new(list, json_pack("{s:i, s:s, s:s}", "number", (int)i + 1, "pdf",
                                                  paths[i][0], "png", paths[i][1]));
        json_print(json_pack("{s:s, s:i, s:i, s:i, s:o}", "vault_id", kura_vault_id(c->v), "key",
                             (int)about.gen.gen, "shares", (int)n, "threshold", (int)k, "kits",
                             list));
    } else if (ex == EX_OK) {
        printf("Split the key of vault %s (key %u) into %u share kits; any %u of them open the "
               "vault:\n",
               kura_vault_id(c->v), about.gen.gen, n, k);
        for (unsigned i = 0; i < n; i++)
            printf("  share %u: %s\n           %s\n", i + 1, paths[i][0], paths[i][1]);
        printf("Print each, give each to a different person you trust, then delete the files:\n"
               "a share beside the vault is a key under the doormat. Fewer than %u shares say\n"
               "nothing about the key; 'kura unlock --kit A --kit B ...' opens with %u.\n",
               k, k);
    }
    free(paths);
    return ex;
}

/* kura kit --print-only: the PDF to a pipe (lp, lpr), so the kit is printed and never lies
 * on the disk beside the vault. A terminal or a file is refused. */
static int printer_pipe(const kit_args *a)
{
    struct stat sb;
    if (a->kit.dir || a->kit.pdf || a->kit.png)
        return fail(EX_USAGE,
                    "--print-only writes no files: it takes no --kit-dir, --pdf or --png");
    if (isatty(STDOUT_FILENO) || fstat(STDOUT_FILENO, &sb) != 0 ||
        !(S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode) || S_ISCHR(sb.st_mode)))
        return fail(EX_USAGE, "--print-only writes the kit's PDF to a printer's pipe, never to "
                              "a terminal or a file: kura kit --print-only | lp");
    return EX_OK;
}

static int print_only(ctx *c, const kit_opts *k, const kura_client_key *key)
{
    kit_about about;
    char date[16], made[16];
    kit_about_vault(c, &about);
    kura_kit_spec spec = spec_of(c, k, key, &about, date, made);
    int rc = kura_kit_print_pdf(STDOUT_FILENO, &spec);
    if (rc == KURA_ERR_NO_MODULE) return fail_kit_module();
    if (rc != KURA_OK)
        return fail(EX_FAIL, "cannot send the kit to the printer's pipe: %s",
                    rc == KURA_ERR_IO ? strerror(errno) : kura_strerror(rc));
    note("kura: sent the emergency kit of vault %s (key %u) to the printer; no file was kept",
         kura_vault_id(c->v), about.gen.gen);
    return EX_OK;
}

static const opt_row kit_rows[] = {
    KIT_ROWS_DIR(kit_args, kit, KIT_DIR_HELP),
    OPT_STRING("pdf", kit_args, kit.pdf, "FILE", "name the PDF yourself"),
    OPT_STRING("png", kit_args, kit.png, "FILE", "name the PNG yourself"),
    KIT_ROW_PAPER(kit_args, kit),
    KIT_ROW_LANG(kit_args, kit),
    OPT_FLAG("print-only", kit_args, print_only,
             "write the PDF to a pipe for the printer (kura kit --print-only | lp), no files"),
    OPT_SUBCOMMAND("check", kit_args, sub, KIT_CHECK, "FILE", 1, 1,
                   "say whether a kit image (PNG, JPEG) opens this vault"),
    OPT_SUBCOMMAND("split", kit_args, sub, KIT_SPLIT, NULL, 0, 0,
                   "split the key into share kits for people you trust: any K of N open it"),
    OPT_NUMBER("shares", kit_args, shares, "N", 2, KURA_SHARES_MAX, NULL,
               "how many share kits to make (2 to 16)"),
    OPT_NUMBER("threshold", kit_args, threshold, "K", 2, KURA_SHARES_MAX, NULL,
               "how many shares open the vault together (2 to N)"),
    OPT_END(),
};

static int kit_exec(ctx *c, void *args, int argc, char **argv)
{
    const kit_args *a = args;
    (void)argc;
    if (a->sub == KIT_CHECK) return check(c, argv[0]);
    int ex = a->print_only ? printer_pipe(a) : EX_OK;
    if (ex == EX_OK) ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    char paths[2][4096];
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    if (kura_vault_client_key(c->v, key) != KURA_OK)
        ex = fail(EX_LOCKED, "the vault is locked");
    else if (a->print_only)
        ex = print_only(c, &a->kit, key);
    else if (a->sub == KIT_SPLIT)
        ex = split(c, a, key);
    else
        ex = save_kit(c, &a->kit, key, NULL, paths, NULL);
    sodium_free(key);
    if (ex != EX_OK || a->print_only || a->sub == KIT_SPLIT) return ex;
    if (c->json) {
        kura_key_gen g;
        json_print(json_pack("{s:s, s:[s,s], s:i}", "vault_id", kura_vault_id(c->v), "kit",
                             paths[0], paths[1], "key",
                             kura_vault_key_gen(c->v, NULL, &g) == KURA_OK ? (int)g.gen : 0));
        return EX_OK;
    }
    printf(
        "Saved the emergency kit of vault %s:\n  %s\n  %s\n" KIT_DOORMAT
        "'kura kit check FILE' checks a copy; 'kura kit --print-only | lp' prints with no file.\n",
        kura_vault_id(c->v), paths[0], paths[1]);
    return EX_OK;
}

const cmd cmd_kit = {
    .name = "kit",
    .summary = "save the emergency kit (PDF and PNG), check one (kura kit check FILE), or "
               "split it (kura kit split)",
    .flags = CMD_OPEN | CMD_BARE,
    .max_args = 0,
    .rows = kit_rows,
    .args_size = sizeof(kit_args),
    .exec = kit_exec,
};
