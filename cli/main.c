/* kura's entry point: hardens the process, parses the global options, finds the command in
 * the table (commands.c), and does the shared setup its flags ask for (open the vault, unlock
 * it) once. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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

static void ctx_free(ctx *c)
{
    kura_vault_close(c->v);
    settings_free(&c->settings);
    free(c->vault_path);
    free(c->runtime_dir);
    free(c->device_dir);
    free(c->state_dir);
}

/* The folders and the vault path: exit code, message printed. */
static int find_paths(ctx *c)
{
    c->vault_path = c->vault_option ? strdup(c->vault_option) : unnamed_vault_path(&c->settings);
    if (!c->vault_path && (c->vault_option || abs_env("HOME") || abs_env("XDG_DATA_HOME")))
        return fail(EX_FAIL, "out of memory");
    if (!c->vault_path) return fail(EX_FAIL, "no vault path: set HOME, KURA_VAULT or --vault");
    c->runtime_dir = kura_default_runtime_dir();
    c->device_dir = kura_default_device_dir();
    c->state_dir = kura_default_state_dir();
    if (!c->runtime_dir || !c->device_dir || !c->state_dir)
        return fail(EX_FAIL, "%s", no_folder_reason());
    return EX_OK;
}

/* Opens the vault (and unlocks it) for the commands that ask. */
static int open_vault(ctx *c, const cmd *cm)
{
    int rc = kura_vault_open(&c->v, c->vault_path);
    if (rc == KURA_ERR_CORRUPT && c->trust_file) { /* damaged: read what is left, as it is */
        kura_vault_close(c->v);
        rc = kura_vault_open_as_is(&c->v, c->vault_path);
    }
    if (rc == KURA_OK) rc = kura_vault_set_state_dir(c->v, c->state_dir);
    if (rc == KURA_OK && c->trust_file) kura_vault_trust_file(c->v);
    if (rc != KURA_OK) return fail_vault(c, rc, "open the vault");
    kura_vault_set_history(c->v, (unsigned)c->settings.history_keep,
                           (unsigned)c->settings.history_days);
    warn_network_fs(c);
    int ex = cm->flags & CMD_UNLOCK ? unlock_vault(c) : EX_OK;
    if (ex == EX_OK && kura_vault_as_is(c->v))
        note("kura: warning: vault %s is damaged and read as it is: what reads is shown, "
             "nothing is written to it; 'kura salvage' saves what reads into a new vault",
             kura_vault_id(c->v));
    return ex;
}

/* Runs the command at argv[0] with c's global options set. */
static int run_command(ctx *c, int argc, char **argv)
{
    if (strcmp(argv[0], "help") == 0) {
        const cmd *h = argc > 1 ? find_cmd(argv[1]) : NULL;
        if (argc > 1 && !h) return fail(EX_USAGE, "no command '%s'; see 'kura help'", argv[1]);
        h ? print_cmd_help(stdout, h) : print_help(stdout);
        return EX_OK;
    }
    const cmd *cm = find_cmd(argv[0]);
    if (!cm) return fail(EX_USAGE, "unknown command '%s'; see 'kura help'", argv[0]);
    void *args = calloc(1, cm->args_size ? cm->args_size : 1);
    if (!args) return fail(EX_FAIL, "out of memory");
    int pos, ex = load_config(&c->settings);
    if (ex == EX_OK) ex = parse_command(c, cm, args, argc, argv, &pos);
    if (ex == EX_OK && c->help) {
        print_cmd_help(stdout, cm);
    } else if (ex == EX_OK) {
        c->kit_file = c->kits.n ? c->kits.files[0] : NULL;
        ex = find_paths(c);
        if (ex == EX_OK && (cm->flags & (CMD_OPEN | CMD_UNLOCK))) ex = open_vault(c, cm);
        if (ex == EX_OK) ex = cm->exec(c, args, argc - pos, argv + pos);
        if (ex == EX_OK && (cm->flags & CMD_WRITES)) auto_sync(c, 0); /* sync = auto: push */
    }
    free(args);
    return ex;
}

int main(int argc, char **argv)
{
    ctx c = {0};
    int first;

    if (kura_process_harden() != KURA_OK) return fail(EX_FAIL, "cannot start libsodium");
    json_init();
    if (argc >= 2 && strcmp(argv[1], "__clipboard-clear") == 0) /* started by get --copy */
        return clipboard_clear_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "__complete") == 0) { /* completions/ */
        int r = complete(argc, argv);
        return fflush(stdout) == 0 ? r : EX_FAIL;
    }

    int ex = parse_globals(&c, argc, argv, &first); /* global options may stand first too */
    if (ex == EX_OK && (c.help || c.version)) {
        c.help ? print_help(stdout) : (void)printf("kura %s\n", KURA_VERSION_STRING);
        return EX_OK;
    }
    if (ex == EX_OK && first >= argc) ex = fail(EX_USAGE, "no command given; see 'kura help'");
    if (ex == EX_OK) ex = run_command(&c, argc - first, argv + first);
    if (fflush(stdout) != 0 && ex == EX_OK) ex = fail(EX_FAIL, "cannot write the output");
    ctx_free(&c);
    return ex;
}
