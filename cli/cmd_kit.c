/* kura kit: save the emergency kit (PDF and PNG), or check that a kit file opens this
 * vault. The kit-writing part is shared with kura init. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cli.h"

const char *const paper_words[] = {"a4", "letter", NULL}, *const lang_words[] = {"en", "ja", NULL};

const char *kit_dir(const kit_opts *k)
{
    return k->dir ? k->dir : ".";
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

int save_kit(ctx *c, const kit_opts *k, const kura_client_key *key, char paths[2][4096])
{
    char date[16], pdf[PATH_MAX], png[PATH_MAX], dir[PATH_MAX];
    time_t now = time(NULL);
    struct tm tm;
    int ex = EX_OK;

    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (!realpath(kit_dir(k), dir))
        return fail(EX_NOT_FOUND, "no folder %s for the kit; make it or name another with --dir",
                    kit_dir(k));
    if (kura_kit_names(pdf, png, sizeof pdf, dir, kura_vault_id(c->v)) != KURA_OK)
        return fail(EX_USAGE, "the kit folder's path is too long");
    snprintf(paths[0], PATH_MAX, "%s", k->pdf ? k->pdf : pdf);
    snprintf(paths[1], PATH_MAX, "%s", k->png ? k->png : png);
    kura_kit_spec spec = {
        .vault_id = kura_vault_id(c->v),
        .vault_name = kura_vault_name(c->v),
        .key = key,
        .date = date,
        .paper = k->paper ? k->paper - 1 : c->settings.kit_paper,
        .lang = k->lang ? k->lang - 1 : c->settings.kit_lang,
    };
    int rc = kura_kit_write_pdf(paths[0], &spec);
    if (rc != KURA_OK) ex = kit_failed(rc, paths[0]);
    if (ex == EX_OK && (rc = kura_kit_write_png(paths[1], &spec)) != KURA_OK)
        ex = kit_failed(rc, paths[1]);
    return ex;
}

json_t *kit_json(int saved, char paths[2][4096])
{
    return saved ? json_pack("[s,s]", paths[0], paths[1]) : json_array();
}

/* kura kit check FILE: does this kit open this vault? */
static int check(ctx *c, const char *file)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    char id[KURA_VAULT_ID_TEXT + 1];
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
            ex = fail(EX_WRONG_KEY,
                      "%s is an old kit of vault %s: its key no longer opens it; "
                      "save a new one with 'kura kit'",
                      file, id);
        else if (rc != KURA_OK)
            ex = fail_vault(c, rc, "check the kit");
    }
    sodium_free(key);
    if (ex != EX_OK) return ex;
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:b}", "kit", file, "vault_id", id, "opens", 1));
    else
        printf("%s opens vault %s: keep it somewhere safe\n", file, id);
    return EX_OK;
}

enum { KIT_CHECK = 1 };
typedef struct kit_args {
    kit_opts kit;
    int sub;
} kit_args;

static const opt_row kit_rows[] = {
    KIT_ROW_DIR("dir", kit_args, kit, "the folder for both files (default: the current folder)"),
    OPT_STRING("pdf", kit_args, kit.pdf, "FILE", "name the PDF yourself"),
    OPT_STRING("png", kit_args, kit.png, "FILE", "name the PNG yourself"),
    KIT_ROW_PAPER(kit_args, kit),
    KIT_ROW_LANG(kit_args, kit),
    OPT_SUBCOMMAND("check", kit_args, sub, KIT_CHECK, "FILE", 1, 1,
                   "say whether a kit image (PNG, JPEG) opens this vault"),
    OPT_END(),
};

static int kit_exec(ctx *c, void *args, int argc, char **argv)
{
    const kit_args *a = args;
    (void)argc;
    if (a->sub == KIT_CHECK) return check(c, argv[0]);
    int ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    char paths[2][4096];
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    ex = kura_vault_client_key(c->v, key) == KURA_OK ? save_kit(c, &a->kit, key, paths)
                                                     : fail(EX_LOCKED, "the vault is locked");
    sodium_free(key);
    if (ex != EX_OK) return ex;
    if (c->json) {
        json_print(json_pack("{s:s, s:[s,s]}", "vault_id", kura_vault_id(c->v), "kit", paths[0],
                             paths[1]));
        return EX_OK;
    }
    printf("Saved the emergency kit of vault %s:\n  %s\n  %s\n"
           "Print the PDF and keep it somewhere safe; check a copy any time with "
           "'kura kit check FILE'.\n",
           kura_vault_id(c->v), paths[0], paths[1]);
    return EX_OK;
}

const cmd cmd_kit = {
    .name = "kit",
    .summary = "save the emergency kit (PDF and PNG), or check one: kura kit check FILE",
    .flags = CMD_OPEN | CMD_BARE,
    .max_args = 0,
    .rows = kit_rows,
    .args_size = sizeof(kit_args),
    .exec = kit_exec,
};
