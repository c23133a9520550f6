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

#define SESSIONS_MAX (KURA_SESSION_TEXT * 16)

/* This vault already has a session in this shell: said, and kept as it is. */
static int already(ctx *c, const char *list, unsigned remaining)
{
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:i, s:b}", "session", list, "vault_id",
                             kura_vault_id(c->v), "timeout_seconds", (int)remaining, "already", 1));
        return EX_OK;
    }
    printf("export KURA_SESSION='%s'\n", list);
    note("kura: vault %s is already unlocked in this shell (locks after %u idle minutes); "
         "nothing changed",
         kura_vault_id(c->v), remaining / 60);
    return EX_OK;
}

static int unlock_exec(ctx *c, void *args, int argc, char **argv)
{
    const unlock_args *a = args;
    int timeout_min = a->timeout ? a->timeout : c->settings.session_timeout;
    (void)argc, (void)argv;
    char handle[KURA_SESSION_TEXT], list[SESSIONS_MAX];
    const char *env = getenv("KURA_SESSION");
    unsigned remaining = 0;
    kura_session_state st;
    /* One session per vault in a shell: a vault unlocked here already keeps its session. */
    int resumed = env && *env && strlen(env) < sizeof list &&
                  kura_session_state_of(&st, c->runtime_dir, env, kura_vault_id(c->v)) == KURA_OK &&
                  st.open && kura_session_resume(c->v, c->runtime_dir, env, &remaining) == KURA_OK;
    if (resumed && !a->timeout) return already(c, env, remaining);
    /* With --timeout, the session is made anew with it (the vault is open already). */
    int ex = resumed ? EX_OK : unlock_with_key(c);
    if (ex != EX_OK) return ex;
    if (!resumed) offer_enroll(c); /* on a terminal, after the client key: a passphrase */
    int rc = kura_session_start(handle, c->v, c->runtime_dir, (unsigned)timeout_min * 60);
    if (rc != KURA_OK) return fail_vault(c, rc, "start a session");
    /* The other vaults' sessions in this shell, and this one's. */
    list[0] = '\0';
    if (env && *env && strlen(env) < sizeof list - KURA_SESSION_TEXT &&
        kura_session_list_without(list, sizeof list, c->runtime_dir, env, kura_vault_id(c->v)) !=
            KURA_OK)
        list[0] = '\0';
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ":" : "", handle);
    if (resumed) { /* the session it replaces ends */
        char old[SESSIONS_MAX];
        for (const char *p = env; *p;) {
            size_t len = strcspn(p, ":");
            snprintf(old, sizeof old, "%.*s", (int)len, p);
            int gone = strstr(list, old) ? KURA_OK : kura_session_end(c->runtime_dir, old);
            (void)gone; /* a session already gone is no trouble */
            p += len + (p[len] == ':');
        }
    }
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:s, s:i}", "session", list, "handle", handle, "vault_id",
                             kura_vault_id(c->v), "timeout_seconds", timeout_min * 60));
    } else {
        printf("export KURA_SESSION='%s'\n", list);
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

typedef struct lock_args {
    int all;
} lock_args;

static const opt_row lock_rows[] = {
    OPT_FLAG("all", lock_args, all, "end the sessions of every vault unlocked in this shell"),
    OPT_END(),
};

/* Ends each session named in list (a handle, or several joined by ':'); how many ended. */
static int end_each(ctx *c, const char *list, int *ended)
{
    char one[KURA_SESSION_TEXT];
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        int rc = kura_session_end(c->runtime_dir, one);
        if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND)
            return fail(EX_FAIL, "cannot remove the session in %s: %s", c->runtime_dir,
                        kura_strerror(rc));
        *ended += rc == KURA_OK;
        p += len + (p[len] == ':');
    }
    return EX_OK;
}

static int lock_exec(ctx *c, void *args, int argc, char **argv)
{
    const lock_args *a = args;
    (void)argc, (void)argv;
    const char *env = getenv("KURA_SESSION");
    char rest[SESSIONS_MAX] = "", mine[SESSIONS_MAX] = "";
    int ended = 0, ex = EX_OK;
    kura_vault *v = NULL;
    /* This vault's session; the others in this shell stay (--all: every one). */
    if (env && *env && strlen(env) < sizeof rest) {
        if (!a->all && kura_vault_open(&v, c->vault_path) == KURA_OK) {
            if (kura_session_list_without(rest, sizeof rest, c->runtime_dir, env,
                                          kura_vault_id(v)) != KURA_OK)
                rest[0] = '\0';
            /* what is in env and not in rest: this vault's */
            for (const char *p = env; *p;) {
                size_t len = strcspn(p, ":");
                int kept = 0;
                for (const char *q = rest; *q && !kept;) {
                    size_t l2 = strcspn(q, ":");
                    kept = l2 == len && memcmp(p, q, len) == 0;
                    q += l2 + (q[l2] == ':');
                }
                if (!kept && strlen(mine) + len + 2 < sizeof mine)
                    snprintf(mine + strlen(mine), sizeof mine - strlen(mine), "%s%.*s",
                             mine[0] ? ":" : "", (int)len, p);
                p += len + (p[len] == ':');
            }
        } else {
            snprintf(mine, sizeof mine, "%s", env);
        }
        kura_vault_close(v);
        ex = end_each(c, mine, &ended);
    }
    if (ex != EX_OK) return ex;
    if (c->json) {
        json_print(json_pack("{s:b, s:s}", "locked", 1, "session", rest));
        return EX_OK;
    }
    if (rest[0])
        printf("export KURA_SESSION='%s'\n", rest);
    else
        printf("unset KURA_SESSION\n");
    note(ended ? rest[0] ? "kura: locked; the other vaults unlocked in this shell stay unlocked"
                         : "kura: locked"
               : "kura: already locked (no session here)");
    return EX_OK;
}

const cmd cmd_lock = {
    .name = "lock",
    .summary = "end this vault's session in this shell: eval \"$(kura lock)\"",
    .rows = lock_rows,
    .args_size = sizeof(lock_args),
    .exec = lock_exec,
};
