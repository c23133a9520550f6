/* The command table and what comes from its rows: the options for every command, parsing a
 * command line, help and usage, and what shell completion asks (kura __complete). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cmd *const commands[] = {
    &cmd_init,    &cmd_unlock, &cmd_lock,     &cmd_add,     &cmd_get,    &cmd_edit,
    &cmd_rm,      &cmd_cp,     &cmd_history,  &cmd_restore, &cmd_ls,     &cmd_search,
    &cmd_import,  &cmd_export, &cmd_kit,      &cmd_key,     &cmd_device, &cmd_recover,
    &cmd_salvage, &cmd_reset,  &cmd_generate, &cmd_attach,  &cmd_detach, &cmd_status,
    &cmd_check,   &cmd_otp,    &cmd_audit,    &cmd_remote,  &cmd_sync,   &cmd_clone,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* --kit FILE, once more for each share of a split kit. */
static int add_kit(void *field, const opt_row *row, const char *value)
{
    kit_list *l = field;
    (void)row;
    if (l->n == KURA_SHARES_MAX)
        return fail(EX_USAGE, "--kit at most %d times (a split kit has at most %d shares)",
                    KURA_SHARES_MAX, KURA_SHARES_MAX);
    l->files[l->n++] = value;
    return EX_OK;
}

/* The options for every command, before the command's name or among its own; into ctx. */
static const opt_row global_rows[] = {
    OPT_STRING("vault", ctx, vault_option, "PATH",
               "the vault file (also KURA_VAULT, or vault in the config file)"),
    OPT_STRING("key-file", ctx, key_file, "FILE",
               "read the client key from FILE, - for stdin (also KURA_CLIENT_KEY_FILE)"),
    OPT_LIST("kit", ctx, kits, "IMAGE", add_kit, 0,
             "read the client key from a kit image: PNG, JPEG, screenshot, photo (again for "
             "each share of a split kit)"),
    OPT_FLAG("key", ctx, use_key, "use the client key, not this device's passphrase"),
    OPT_STRING("passphrase-file", ctx, passphrase_file, "FILE",
               "this device's passphrase from FILE, - for stdin"),
    OPT_FLAG("json", ctx, json, "machine-readable output"),
    OPT_FLAG("trust-file", ctx, trust_file,
             "accept a vault that is older than this device saw, or fails its signed state (a "
             "backup restored on purpose, a damaged vault)"),
    OPT_FLAG("help", ctx, help, "this help"),
    OPT_END(),
};
/* Only before a command's name. */
static const opt_row version_rows[] = {
    OPT_FLAG("version", ctx, version, "kura's version"),
    OPT_END(),
};

enum { MAX_ROWS = 48, HELP_COLUMN = 21 };

const cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

/* ---- parsing ---- */

typedef struct parser {
    opt_flat rows[MAX_ROWS]; /* the command's (or --version), then the global ones */
    void *base[MAX_ROWS];    /* where each row's struct is: the args, or ctx */
    struct option longs[MAX_ROWS + 1];
    size_t n;
    size_t help; /* 1 + the index of --help's row (-h is it too); 0: none */
} parser;

static void add_rows(parser *p, const opt_row *rows, void *base)
{
    opt_flat flat[MAX_ROWS];
    size_t n = opt_flatten(rows, flat, MAX_ROWS);
    for (size_t i = 0; i < n && p->n < MAX_ROWS; i++) {
        if (flat[i].row->kind == ROW_SUBCOMMAND) continue;
        if (strcmp(flat[i].row->name, "help") == 0) p->help = p->n + 1;
        int has_arg = flat[i].row->kind != ROW_FLAG &&
                      !(flat[i].row->kind == ROW_CALL && !flat[i].row->metavar);
        p->rows[p->n] = flat[i];
        p->base[p->n] = base;
        p->longs[p->n] = (struct option){
            flat[i].row->name, has_arg ? required_argument : no_argument, NULL, 1000 + (int)p->n};
        p->n++;
    }
    p->longs[p->n] = (struct option){0};
}

/* getopt_long over argv with p's rows; stops at the first argument when in_order, else permutes
 * the arguments to the end. *next: the first argument. who: the command, or NULL. */
static int run_getopt(parser *p, int argc, char **argv, int in_order, const char *who, int *next)
{
    optind = 0; /* GNU: start again */
    opterr = 0;
    for (;;) {
        int id = getopt_long(argc, argv, in_order ? "+:h" : ":h", p->longs, NULL);
        if (id == -1) break;
        const char *bad = argv[optind - 1];
        if (id == 'h' && !p->help) continue;
        if (id == 'h') id = 1000 + (int)p->help - 1;
        if (id == ':' && who)
            return fail(EX_USAGE, "option '%s' of '%s' needs a value; see 'kura help %s'", bad, who,
                        who);
        if (id == ':') return fail(EX_USAGE, "%s needs a value", bad);
        if (id == '?' && who)
            return fail(EX_USAGE, "unknown option '%s' for '%s'; see 'kura help %s'", bad, who,
                        who);
        if (id == '?') return fail(EX_USAGE, "unknown option '%s'; see 'kura --help'", bad);
        size_t i = (size_t)(id - 1000);
        int ex = opt_store(p->base[i], &p->rows[i], optarg);
        if (ex != EX_OK) return ex;
    }
    *next = optind;
    return EX_OK;
}

int parse_globals(ctx *c, int argc, char **argv, int *next)
{
    parser p = {0};
    add_rows(&p, version_rows, c);
    add_rows(&p, global_rows, c);
    return run_getopt(&p, argc, argv, 1, NULL, next);
}

/* The subcommand row named word, or NULL. */
static const opt_flat *find_sub(const opt_flat *rows, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].row->kind == ROW_SUBCOMMAND && strcmp(rows[i].row->name, word) == 0)
            return &rows[i];
    return NULL;
}

int parse_command(ctx *c, const cmd *cm, void *args, int argc, char **argv, int *first)
{
    parser p = {0};
    add_rows(&p, cm->rows, args);
    add_rows(&p, global_rows, c);
    int pos, ex = run_getopt(&p, argc, argv, 0, cm->name, &pos);
    if (ex != EX_OK || c->help) return ex;

    opt_flat flat[MAX_ROWS];
    size_t n = opt_flatten(cm->rows, flat, MAX_ROWS);
    int min = cm->min_args, max = cm->max_args, subs = 0;
    for (size_t i = 0; i < n; i++)
        subs += flat[i].row->kind == ROW_SUBCOMMAND;
    const opt_flat *sub = subs && pos < argc ? find_sub(flat, n, argv[pos]) : NULL;
    if (sub) {
        opt_store(args, sub, NULL);
        min = sub->row->lo, max = sub->row->hi;
        pos++;
    } else if (subs && (!(cm->flags & CMD_BARE) || (pos < argc && cm->max_args == 0))) {
        if (pos < argc)
            return fail(EX_USAGE, "unknown %s command '%s'; see 'kura help %s'", cm->name,
                        argv[pos], cm->name);
        return fail(EX_USAGE, "missing arguments for '%s'; see 'kura help %s'", cm->name, cm->name);
    }
    int nargs = argc - pos;
    if (nargs < min || (max >= 0 && nargs > max))
        return fail(EX_USAGE, "%s arguments for '%s'; see 'kura help %s'",
                    nargs < min ? "missing" : "too many", cm->name, cm->name);
    *first = pos;
    return EX_OK;
}

/* ---- help and usage ---- */

/* Prints the usage of one form of cm: the command alone (sub -1) or with the subcommand at
 * rows[sub], its arguments, and its options: the rows after its subcommand row up to the next
 * one; the rows before the first subcommand belong to the command alone when it is CMD_BARE,
 * and to every form when it is not. */
static void usage_line(FILE *f, const cmd *cm, const opt_flat *rows, size_t n, long sub, int first)
{
    char label[128];
    int col = fprintf(f, "%s kura %s", first ? "usage:" : "      ", cm->name);
    if (sub >= 0) {
        opt_label(label, sizeof label, rows[sub].row);
        col += fprintf(f, " %s", label);
    } else if (cm->args) {
        col += fprintf(f, " %s", cm->args);
    }
    int indent = col + 1;
    long current = -1;
    for (size_t i = 0; i < n; i++) {
        const opt_row *r = rows[i].row;
        if (r->kind == ROW_SUBCOMMAND) {
            current = (long)i;
            continue;
        }
        if (current != sub && (current != -1 || (cm->flags & CMD_BARE))) continue;
        if (!r->help) continue; /* an old name kept working: not shown */
        opt_label(label, sizeof label, r);
        int many = r->repeat;
        int w = (int)strlen(label) + 2 + (many ? 3 : 0);
        if (col + 1 + w > 80) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        col += fprintf(f, "[%s]%s", label, many ? "..." : "");
    }
    fputc('\n', f);
}

static void print_usage(FILE *f, const cmd *cm, const opt_flat *rows, size_t n)
{
    int first = 1;
    size_t subs = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].row->kind == ROW_SUBCOMMAND) subs++;
    if (!subs || (cm->flags & CMD_BARE)) {
        usage_line(f, cm, rows, n, -1, first);
        first = 0;
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].row->kind == ROW_SUBCOMMAND) {
            usage_line(f, cm, rows, n, (long)i, first);
            first = 0;
        }
}

static void print_rows(FILE *f, const opt_row *rows)
{
    opt_flat flat[MAX_ROWS];
    size_t n = opt_flatten(rows, flat, MAX_ROWS);
    char label[128];
    for (size_t i = 0; i < n; i++) {
        if (!flat[i].row->help) continue;
        opt_label(label, sizeof label, flat[i].row);
        int col = fprintf(f, "  %s", label);
        col += fprintf(f, "%*s", col < HELP_COLUMN - 1 ? HELP_COLUMN - col : 2, "");
        opt_wrap(f, flat[i].row->help, col, HELP_COLUMN);
    }
}

void print_help(FILE *f)
{
    fprintf(f, "usage: kura [--vault PATH] COMMAND [ARGS]\n\n"
               "kura keeps logins in an encrypted vault, unlocked by your client key.\n\n"
               "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "help on a command: kura help COMMAND");
    fprintf(f, "\noptions for every command:\n");
    print_rows(f, global_rows);
    print_rows(f, version_rows);
    fprintf(f, "\nexit codes: 0 ok, 1 failure, 2 usage, 3 wrong key, 4 malformed or mistyped "
               "key,\n5 not found, 6 damaged vault, 7 needs a newer kura, 8 locked without a "
               "terminal,\n9 cancelled. See kura(1).\n");
}

void print_cmd_help(FILE *f, const cmd *cm)
{
    opt_flat flat[MAX_ROWS];
    size_t n = opt_flatten(cm->rows, flat, MAX_ROWS);
    print_usage(f, cm, flat, n);
    fprintf(f, "\n%s\n", cm->summary);
    if (n) {
        fprintf(f, "\noptions:\n");
        print_rows(f, cm->rows);
    }
    if (cm->more) {
        fputc('\n', f);
        opt_wrap(f, cm->more, 0, 0);
    }
    fprintf(f, "\noptions for every command:\n");
    print_rows(f, global_rows);
}

/* ---- shell completion: kura __complete WHAT [COMMAND] (completions/ call it) ---- */

/* The vault when no --vault names one: KURA_VAULT, the config's vault, or the default
 * (malloc'd; NULL if there is none, or out of memory). */
char *unnamed_vault_path(const settings *s)
{
    const char *env = getenv("KURA_VAULT");
    return env && *env ? strdup(env) : s->vault ? strdup(s->vault) : kura_default_vault_path();
}

/* Item titles, only when KURA_SESSION opens the vault: completion never prompts. */
static void complete_titles(const char *vault)
{
    settings s;
    if (load_config(&s) != EX_OK) return;
    const char *session = getenv("KURA_SESSION");
    char *path = vault ? strdup(vault) : unnamed_vault_path(&s);
    char *runtime = kura_default_runtime_dir();
    kura_vault *v = NULL;
    kura_items *list = NULL;
    if (session && *session && path && runtime && kura_vault_open(&v, path) == KURA_OK &&
        kura_session_resume(v, runtime, session, NULL) == KURA_OK &&
        kura_vault_set_cache_dir(v, runtime) == KURA_OK &&
        kura_item_list(v, &list, NULL) == KURA_OK)
        for (size_t i = 0; i < list->count; i++)
            printf("%s\n", list->items[i].title);
    kura_items_free(list);
    kura_vault_close(v);
    free(path);
    free(runtime);
    settings_free(&s);
}

static void complete_rows(const opt_row *rows, int subcommands)
{
    opt_flat flat[MAX_ROWS];
    size_t n = opt_flatten(rows, flat, MAX_ROWS);
    for (size_t i = 0; i < n; i++)
        if ((flat[i].row->kind == ROW_SUBCOMMAND) == subcommands && flat[i].row->help)
            printf("%s%s\n", subcommands ? "" : "--", flat[i].row->name);
}

int complete(int argc, char **argv)
{
    const char *what = argc > 2 ? argv[2] : "", *arg = argc > 3 ? argv[3] : NULL;
    const cmd *c = arg ? find_cmd(arg) : NULL;
    if (strcmp(what, "commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++)
            printf("%s\t%s\n", commands[i]->name, commands[i]->summary);
        printf("help\thelp on a command\n");
    } else if (strcmp(what, "options") == 0) {
        if (c) complete_rows(c->rows, 0);
        complete_rows(global_rows, 0);
    } else if (strcmp(what, "subcommands") == 0) {
        if (c) complete_rows(c->rows, 1);
    } else if (strcmp(what, "item-commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (commands[i]->flags & CMD_ITEM) printf("%s\n", commands[i]->name);
    } else if (strcmp(what, "titles") == 0) {
        complete_titles(arg && strcmp(arg, "--vault") == 0 && argc > 4 ? argv[4] : NULL);
    } else {
        return fail(EX_USAGE, "kura __complete takes commands, options, subcommands, "
                              "item-commands or titles");
    }
    return EX_OK;
}
