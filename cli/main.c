/* kura's entry point: hardens the process, parses global options, finds the command in the
 * table, and does the shared setup its flags ask for (open the vault, unlock it) once. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cmd *const commands[] = {
    &cmd_init,    &cmd_unlock,  &cmd_lock,   &cmd_add,      &cmd_get,    &cmd_edit,  &cmd_rm,
    &cmd_ls,      &cmd_search,  &cmd_import, &cmd_export,   &cmd_kit,    &cmd_key,   &cmd_device,
    &cmd_recover, &cmd_salvage, &cmd_reset,  &cmd_generate, &cmd_status, &cmd_check, &cmd_otp,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

enum { G_VAULT = 1000, G_KEY_FILE, G_KIT, G_PASSPHRASE_FILE, G_USE_KEY, G_JSON, G_TRUST, G_HELP };

static const struct option global_opts[] = {
    {"vault", required_argument, NULL, G_VAULT},
    {"key-file", required_argument, NULL, G_KEY_FILE},
    {"kit", required_argument, NULL, G_KIT},
    {"passphrase-file", required_argument, NULL, G_PASSPHRASE_FILE},
    {"key", no_argument, NULL, G_USE_KEY},
    {"json", no_argument, NULL, G_JSON},
    {"trust-file", no_argument, NULL, G_TRUST},
    {"help", no_argument, NULL, G_HELP},
};
#define N_GLOBAL (sizeof global_opts / sizeof global_opts[0])

static const char global_help[] =
    "  --vault PATH       the vault file (also KURA_VAULT, or vault in the config file)\n"
    "  --key-file FILE    read the client key from FILE, - for stdin (also KURA_CLIENT_KEY_FILE)\n"
    "  --kit IMAGE        read the client key from a kit image: PNG, JPEG, screenshot, photo\n"
    "  --key              use the client key, not this device's passphrase\n"
    "  --passphrase-file FILE  this device's passphrase from FILE, - for stdin\n"
    "  --json             machine-readable output\n"
    "  --trust-file       accept a vault that is older than this device saw, or fails its\n"
    "                     signed state (a backup restored on purpose, a damaged vault)\n"
    "  --help             this help\n";

static const cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kura [--vault PATH] COMMAND [ARGS]\n\n"
               "kura keeps logins in an encrypted vault, unlocked by your client key.\n\n"
               "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "help on a command: kura help COMMAND");
    fprintf(f,
            "\noptions for every command:\n%s\nexit codes: 0 ok, 1 failure, 2 usage, 3 wrong "
            "key, 4 malformed or mistyped key,\n5 not found, 6 damaged vault, 7 needs a newer "
            "kura, 8 locked without a terminal,\n9 cancelled. See kura(1).\n",
            global_help);
}

static void cmd_usage(FILE *f, const cmd *c)
{
    fprintf(f, "usage: kura %s %s\n\n%s\n", c->name, c->usage, c->summary);
    if (c->help && *c->help) fprintf(f, "\noptions:\n%s", c->help);
    fprintf(f, "%s%s", c->help && *c->help ? "" : "\noptions:\n", global_help);
}

/* ---- shell completion: kura __complete WHAT [COMMAND] (completions/ call it) ---- */

static const struct {
    const char *cmd, *words;
} subcommands[] = {
    {"key", "show rotate"}, {"device", "enroll passphrase forget"}, {"kit", "check"}};

/* The vault when no --vault names one: KURA_VAULT, the config's vault, or the default
 * (malloc'd; NULL if there is none, or out of memory). */
static char *unnamed_vault_path(void)
{
    const char *env = getenv("KURA_VAULT");
    return env && *env    ? strdup(env)
           : config_vault ? strdup(config_vault)
                          : kura_default_vault_path();
}

/* Item titles, only when KURA_SESSION opens the vault: completion never prompts. */
static void complete_titles(const char *vault)
{
    const char *session = getenv("KURA_SESSION");
    char *path = vault ? strdup(vault) : unnamed_vault_path();
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
}

/* kura __complete commands | options [COMMAND] | subcommands COMMAND | titles [--vault P] |
 * items: what a shell offers next. Prints nothing it cannot know; never prompts. */
static int complete(int argc, char **argv)
{
    const char *what = argc > 2 ? argv[2] : "", *arg = argc > 3 ? argv[3] : NULL;
    const cmd *c = arg ? find_cmd(arg) : NULL;
    if (strcmp(what, "commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++)
            printf("%s\t%s\n", commands[i]->name, commands[i]->summary);
        printf("help\thelp on a command\n");
    } else if (strcmp(what, "options") == 0) {
        for (const struct option *o = c ? c->opts : NULL; o && o->name; o++)
            printf("--%s\n", o->name);
        for (size_t i = 0; i < N_GLOBAL; i++)
            printf("--%s\n", global_opts[i].name);
    } else if (strcmp(what, "subcommands") == 0) {
        for (size_t i = 0; arg && i < sizeof subcommands / sizeof subcommands[0]; i++)
            if (strcmp(subcommands[i].cmd, arg) == 0) {
                char words[64];
                snprintf(words, sizeof words, "%s", subcommands[i].words);
                for (char *w = strtok(words, " "); w; w = strtok(NULL, " "))
                    printf("%s\n", w);
            }
    } else if (strcmp(what, "item-commands") == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strncmp(commands[i]->usage, "ITEM", 4) == 0) printf("%s\n", commands[i]->name);
    } else if (strcmp(what, "titles") == 0) {
        if (load_config() != EX_OK) return EX_OK;
        complete_titles(arg && strcmp(arg, "--vault") == 0 && argc > 4 ? argv[4] : NULL);
        free(config_vault);
    } else {
        return fail(EX_USAGE, "kura __complete takes commands, options, subcommands, "
                              "item-commands or titles");
    }
    return EX_OK;
}

static int set_vault(ctx *c, const char *path)
{
    free(c->vault_path);
    c->vault_path = strdup(path);
    return c->vault_path ? EX_OK : fail(EX_FAIL, "out of memory");
}

/* Merges the command's options with the global ones and runs getopt_long over them.
 * Leaves the positional arguments at argv[optind...]. */
static int parse_options(ctx *c, const cmd *cm, int argc, char **argv, int *first_arg)
{
    struct option merged[64];
    size_t n = 0;
    for (const struct option *o = cm->opts; o && o->name && n < 40; o++)
        merged[n++] = *o;
    for (size_t i = 0; i < N_GLOBAL; i++)
        merged[n++] = global_opts[i];
    memset(&merged[n], 0, sizeof merged[n]);

    optind = 0; /* GNU: restart, permuting positional arguments to the end */
    opterr = 0;
    for (;;) {
        int id = getopt_long(argc, argv, ":h", merged, NULL);
        if (id == -1) break;
        int ex = EX_OK;
        switch (id) {
        case G_VAULT:
            ex = set_vault(c, optarg);
            break;
        case G_KIT:
            c->kit_file = optarg;
            break;
        case G_PASSPHRASE_FILE:
            c->passphrase_file = optarg;
            break;
        case G_USE_KEY:
            c->use_key = 1;
            break;
        case G_KEY_FILE:
            c->key_file = optarg;
            break;
        case G_JSON:
            c->json = 1;
            break;
        case G_TRUST:
            c->trust_file = 1;
            break;
        case 'h':
        case G_HELP:
            cmd_usage(stdout, cm);
            return -1;
        case ':':
            return fail(EX_USAGE, "option '%s' of '%s' needs a value; see 'kura help %s'",
                        argv[optind - 1], cm->name, cm->name);
        case '?':
            return fail(EX_USAGE, "unknown option '%s' for '%s'; see 'kura help %s'",
                        argv[optind - 1], cm->name, cm->name);
        default:
            ex = cm->opt ? cm->opt(c, id, optarg) : EX_USAGE;
            break;
        }
        if (ex != EX_OK) return ex;
    }
    *first_arg = optind;
    return EX_OK;
}

static int abs_env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] == '/';
}

/* Why a default path is NULL: a folder with no variable to find it by, else memory ran out. */
static const char *no_folder_reason(void)
{
    if (!abs_env("HOME") && !abs_env("XDG_DATA_HOME"))
        return "no data folder: set HOME or XDG_DATA_HOME";
    if (!abs_env("HOME") && !abs_env("XDG_STATE_HOME"))
        return "no state folder: set HOME or XDG_STATE_HOME";
    return "out of memory";
}

int main(int argc, char **argv)
{
    ctx c = {0};
    int ex, first = 1;

    if (kura_process_harden() != KURA_OK) return fail(EX_FAIL, "cannot start libsodium");
    json_init();
    if (argc >= 2 && strcmp(argv[1], "__clipboard-clear") == 0) /* started by get --copy */
        return clipboard_clear_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "__complete") == 0) { /* completions/ */
        int r = complete(argc, argv);
        return fflush(stdout) == 0 ? r : EX_FAIL;
    }

    /* Global options may stand before the command too. */
    while (first < argc && argv[first][0] == '-' && argv[first][1]) {
        const char *a = argv[first];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EX_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("kura %s\n", KURA_VERSION_STRING);
            return EX_OK;
        }
        if (strcmp(a, "--json") == 0) {
            c.json = 1;
            first++;
            continue;
        }
        /* Options with a value: "--name value" or "--name=value". */
        static const char *const valued[] = {"--vault", "--key-file", "--kit", "--passphrase-file"};
        const char *val = NULL;
        int which = -1, step = 1;
        if (strcmp(a, "--key") == 0) {
            c.use_key = 1;
            first++;
            continue;
        }
        if (strcmp(a, "--trust-file") == 0) {
            c.trust_file = 1;
            first++;
            continue;
        }
        for (int i = 0; i < 4 && which < 0; i++) {
            size_t n = strlen(valued[i]);
            if (strncmp(a, valued[i], n) != 0 || (a[n] != '=' && a[n] != '\0')) continue;
            which = i;
            val = a[n] ? a + n + 1 : first + 1 < argc ? argv[first + 1] : NULL;
            step = a[n] ? 1 : 2;
        }
        if (which < 0) return fail(EX_USAGE, "unknown option '%s'; see 'kura --help'", a);
        if (!val) return fail(EX_USAGE, "%s needs a value", valued[which]);
        if (which == 0 && (ex = set_vault(&c, val)) != EX_OK) return ex;
        if (which == 1) c.key_file = val;
        if (which == 2) c.kit_file = val;
        if (which == 3) c.passphrase_file = val;
        first += step;
    }
    if (first >= argc) return fail(EX_USAGE, "no command given; see 'kura help'");
    const char *name = argv[first];
    if (strcmp(name, "help") == 0) {
        if (first + 1 >= argc) {
            usage(stdout);
            return EX_OK;
        }
        const cmd *h = find_cmd(argv[first + 1]);
        if (!h) return fail(EX_USAGE, "no command '%s'; see 'kura help'", argv[first + 1]);
        cmd_usage(stdout, h);
        return EX_OK;
    }
    const cmd *cm = find_cmd(name);
    if (!cm) return fail(EX_USAGE, "unknown command '%s'; see 'kura help'", name);

    int cargc = argc - first, pos;
    char **cargv = argv + first;
    ex = load_config();
    if (ex != EX_OK) return ex;
    ex = parse_options(&c, cm, cargc, cargv, &pos);
    if (ex != EX_OK) {
        free(c.vault_path);
        return ex < 0 ? EX_OK : ex;
    }
    int nargs = cargc - pos;
    if (nargs < cm->min_args || (cm->max_args >= 0 && nargs > cm->max_args)) {
        fail(EX_USAGE, "%s arguments for '%s'; usage: kura %s %s",
             nargs < cm->min_args ? "missing" : "too many", cm->name, cm->name, cm->usage);
        free(c.vault_path);
        return EX_USAGE;
    }

    if (!c.vault_path) {
        c.vault_path = unnamed_vault_path();
        if (!c.vault_path && (abs_env("HOME") || abs_env("XDG_DATA_HOME")))
            return fail(EX_FAIL, "out of memory");
        if (!c.vault_path) return fail(EX_FAIL, "no vault path: set HOME, KURA_VAULT or --vault");
    }
    c.runtime_dir = kura_default_runtime_dir();
    c.device_dir = kura_default_device_dir();
    c.state_dir = kura_default_state_dir();
    if (!c.runtime_dir || !c.device_dir || !c.state_dir) {
        free(c.vault_path);
        free(c.runtime_dir);
        free(c.device_dir);
        free(c.state_dir);
        return fail(EX_FAIL, "%s", no_folder_reason());
    }

    ex = EX_OK;
    if (cm->flags & (CMD_OPEN | CMD_UNLOCK)) {
        int rc = kura_vault_open(&c.v, c.vault_path);
        if (rc == KURA_ERR_CORRUPT && c.trust_file) { /* damaged: read what is left, as it is */
            kura_vault_close(c.v);
            rc = kura_vault_open_as_is(&c.v, c.vault_path);
        }
        if (rc == KURA_OK) rc = kura_vault_set_state_dir(c.v, c.state_dir);
        if (rc == KURA_OK && c.trust_file) kura_vault_trust_file(c.v);
        if (rc != KURA_OK) ex = fail_vault(&c, rc, "open the vault");
        if (ex == EX_OK) warn_network_fs(&c);
        if (ex == EX_OK && (cm->flags & CMD_UNLOCK)) ex = unlock_vault(&c);
        if (ex == EX_OK && kura_vault_as_is(c.v))
            note("kura: warning: vault %s is damaged and read as it is: what reads is shown, "
                 "nothing is written to it; 'kura salvage' saves what reads into a new vault",
                 kura_vault_id(c.v));
    }
    if (ex == EX_OK) ex = cm->run(&c, nargs, cargv + pos);
    if (fflush(stdout) != 0 && ex == EX_OK) ex = fail(EX_FAIL, "cannot write the output");
    kura_vault_close(c.v);
    free(config_vault);
    free(c.vault_path);
    free(c.runtime_dir);
    free(c.device_dir);
    free(c.state_dir);
    return ex;
}
