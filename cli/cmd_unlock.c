/* kura unlock / kura lock: start a session (a shell line for eval) and end it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_TIMEOUT_MIN 15

enum { O_TIMEOUT = 1 };
static const struct option unlock_opts[] = {{"timeout", required_argument, NULL, O_TIMEOUT}, {0}};
static int timeout_min = DEFAULT_TIMEOUT_MIN;

void unlock_default_timeout(int minutes)
{
    timeout_min = minutes;
}

static int unlock_opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_TIMEOUT) return parse_number(arg, "--timeout (minutes)", 1, 24 * 60, &timeout_min);
    return EX_OK;
}

static int unlock_run(ctx *c, int argc, char **argv)
{
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
    return EX_OK;
}

const cmd cmd_unlock = {
    .name = "unlock",
    .summary = "unlock the vault for this shell: eval \"$(kura unlock)\"",
    .usage = "[--timeout MINUTES] [--key-file FILE] [--json]",
    .help = "  --timeout MINUTES  lock after this many idle minutes (default 15, or\n"
            "                     session_timeout in the config file)\n",
    .flags = CMD_OPEN,
    .max_args = 0,
    .opts = unlock_opts,
    .opt = unlock_opt,
    .run = unlock_run,
};

static int lock_run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
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
    .usage = "[--json]",
    .max_args = 0,
    .run = lock_run,
};
