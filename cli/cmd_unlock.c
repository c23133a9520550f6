/* kura unlock / kura lock: start a session (a shell line for eval) and end it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct unlock_args {
    int timeout;
} unlock_args;

static const opt_row unlock_rows[] = {
    OPT_NUMBER("timeout", unlock_args, timeout, "MINUTES", 1, 24 * 60, "minutes",
               "lock after this many idle minutes (default 15, or session_timeout in the config "
               "file)"),
    OPT_END(),
};

static int unlock_exec(ctx *c, void *args, int argc, char **argv)
{
    const unlock_args *a = args;
    int timeout_min = a->timeout ? a->timeout : c->settings.session_timeout;
    (void)argc, (void)argv;
    char handle[KURA_SESSION_TEXT];
    int ex = unlock_with_key(c);
    if (ex != EX_OK) return ex;
    offer_enroll(c); /* on a terminal, after the client key: a passphrase for next time */
    int rc = kura_session_start(handle, c->v, c->runtime_dir, (unsigned)timeout_min * 60);
    if (rc != KURA_OK) return fail_vault(c, rc, "start a session");
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:i}", "session", handle, "vault_id", kura_vault_id(c->v),
                             "timeout_seconds", timeout_min * 60));
    } else {
        printf("export KURA_SESSION='%s'\n", handle);
        if (isatty(STDOUT_FILENO))
            note("# kura: run this as  eval \"$(kura unlock)\"  so your shell keeps the "
                 "session");
        else
            note("kura: vault %s unlocked for %d idle minutes; 'kura lock' ends it",
                 kura_vault_id(c->v), timeout_min);
    }
    auto_sync(c, 1); /* sync = auto: what the other devices wrote comes in now */
    return EX_OK;
}

const cmd cmd_unlock = {
    .name = "unlock",
    .summary = "unlock the vault for this shell: eval \"$(kura unlock)\"",
    .flags = CMD_OPEN,
    .rows = unlock_rows,
    .args_size = sizeof(unlock_args),
    .exec = unlock_exec,
};

static int lock_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc, (void)argv;
    const char *session = getenv("KURA_SESSION");
    int ended = 0;
    if (session && *session) {
        int rc = kura_session_end(c->runtime_dir, session);
        if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND)
            return fail(EX_FAIL, "cannot remove the session in %s: %s", c->runtime_dir,
                        kura_strerror(rc));
        ended = rc == KURA_OK;
    }
    if (c->json) {
        json_print(json_pack("{s:b}", "locked", 1));
        return EX_OK;
    }
    printf("unset KURA_SESSION\n");
    note(ended ? "kura: locked" : "kura: already locked (no session here)");
    return EX_OK;
}

const cmd cmd_lock = {
    .name = "lock",
    .summary = "end this shell's session: eval \"$(kura lock)\"",
    .exec = lock_exec,
};
