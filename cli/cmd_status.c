/* kura status: which vault, is it there, is it whole, is this shell's session open. Never
 * prompts. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int status_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc, (void)argv;
    size_t count = 0;
    unsigned remaining = 0;
    int rc = kura_vault_open(&c->v, c->vault_path);
    if (rc != KURA_OK) {
        if (c->json && rc == KURA_ERR_NOT_FOUND)
            json_print(json_pack("{s:s, s:b}", "vault", c->vault_path, "exists", 0));
        return fail_vault(c, rc, "open the vault");
    }
    rc = kura_vault_count(c->v, &count);
    if (rc != KURA_OK) return fail_vault(c, rc, "count the items");
    const char *session = getenv("KURA_SESSION");
    char ended[256] = "";
    int src = session && *session ? kura_session_resume(c->v, c->runtime_dir, session, &remaining)
                                  : KURA_ERR_NOT_FOUND;
    int unlocked = src == KURA_OK;
    if (src == KURA_ERR_EXPIRED) snprintf(ended, sizeof ended, "%s", kura_error_detail());
    kura_session_state st = {0};
    if (session && *session &&
        kura_session_state_of(&st, c->runtime_dir, session, kura_vault_id(c->v)) != KURA_OK)
        memset(&st, 0, sizeof st);
    if (c->json) {
        json_t *j = json_pack("{s:s, s:b, s:s, s:i, s:I, s:b}", "vault", c->vault_path, "exists", 1,
                              "vault_id", kura_vault_id(c->v), "format", kura_vault_format(c->v),
                              "items", (json_int_t)count, "unlocked", unlocked);
        if (j)
            json_object_set_new(j, "enrolled",
                                json_boolean(kura_device_enrolled(c->v, c->device_dir)));
        kura_key_gen g;
        if (j && unlocked && kura_vault_key_gen(c->v, NULL, &g) == KURA_OK)
            json_object_set_new(j, "key", json_integer(g.gen));
        if (j && unlocked) {
            json_object_set_new(j, "name", json_string(kura_vault_name(c->v)));
            json_object_set_new(j, "session_timeout_seconds", json_integer(remaining));
            json_object_set_new(j, "session_kept_by",
                                json_string(st.kernel ? "kernel keyring" : "file"));
        }
        if (j && st.ended) json_object_set_new(j, "session_timed_out_at", json_integer(st.ended));
        json_print(j);
        return EX_OK;
    }
    printf("vault:   %s\n", c->vault_path);
    printf("id:      %s\n", kura_vault_id(c->v));
    if (unlocked && *kura_vault_name(c->v)) printf("name:    %s\n", kura_vault_name(c->v));
    printf("format:  %d%s\n", kura_vault_format(c->v),
           kura_vault_format(c->v) < KURA_FORMAT_VERSION ? " (upgraded by the next change)" : "");
    printf("items:   %zu\n", count);
    kura_key_gen g;
    if (unlocked && kura_vault_key_gen(c->v, NULL, &g) == KURA_OK)
        printf("key:     %u (older kits no longer open the vault)\n", g.gen);
    printf("device:  %s\n", kura_device_enrolled(c->v, c->device_dir)
                                ? "enrolled (a passphrase unlocks this vault here)"
                                : "not enrolled (the client key unlocks this vault here)");
    if (unlocked)
        printf("state:   unlocked (this shell's session; locks after %u idle minutes)\n"
               "session: %s\n",
               remaining / 60,
               st.kernel ? "held by the kernel keyring: its timeout holds even if kura never "
                           "runs again"
                         : "kept in kura's session file only (no kernel keyring here): a copy "
                           "of it and its token outlive the timeout");
    else if (ended[0] || st.ended)
        printf("state:   locked: %s (eval \"$(kura unlock)\" to open a new session)\n",
               ended[0] ? ended : "the session timed out");
    else
        printf("state:   locked (eval \"$(kura unlock)\" to open a session)\n");
    return EX_OK;
}

const cmd cmd_status = {
    .name = "status",
    .summary = "show the vault, its id and item count, and whether it is unlocked",
    .exec = status_exec,
};
