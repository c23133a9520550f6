/* The ways into a vault that are left on this machine: this shell's session, this device's
 * slot, and kits in the usual places, each checked against the vault. recover walks the user
 * through them; reset names them before it destroys anything. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

const char *const kit_status_words[] = {"opens",      "old",     "other_vault",
                                        "unreadable", "damaged", "unchecked"};

int ways_find_kits(ctx *c, ways *w, int vault_ok)
{
    char cwd[PATH_MAX];
    w->opening = -1;
    if (kura_recover_find_kits(&w->paths, &w->n, getenv("HOME"), getcwd(cwd, sizeof cwd)) !=
        KURA_OK)
        return fail(EX_FAIL, "out of memory");
    w->status = calloc(w->n + 1, sizeof *w->status);
    w->ids = calloc(w->n + 1, sizeof *w->ids);
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!w->status || !w->ids || !key) {
        sodium_free(key);
        return fail(EX_FAIL, "out of memory");
    }
    for (size_t i = 0; i < w->n; i++) {
        int rc = kura_kit_read(w->ids[i], key, w->paths[i]);
        if (rc == KURA_ERR_NO_MODULE && i == 0)
            note("kura: cannot read kits: kura's kit module did not load (%s); reinstall kura",
                 kura_error_detail());
        if (rc != KURA_OK) {
            w->status[i] = KIT_UNREADABLE;
            w->ids[i][0] = '\0';
            continue;
        }
        if (!vault_ok || strcmp(w->ids[i], kura_vault_id(c->v)) != 0) {
            w->status[i] = vault_ok ? KIT_OTHER : KIT_UNCHECKED;
            continue;
        }
        rc = kura_vault_unlock(c->v, key);
        w->status[i] = rc == KURA_OK ? KIT_OPENS : rc == KURA_ERR_WRONG_KEY ? KIT_OLD : KIT_DAMAGED;
        if (rc == KURA_OK && w->opening < 0) w->opening = (int)i;
    }
    sodium_free(key);
    return EX_OK;
}

int ways_find(ctx *c, ways *w)
{
    const char *session = getenv("KURA_SESSION");
    memset(w, 0, sizeof *w);
    w->opening = -1;
    if (!c->v) return EX_OK;
    w->enrolled = kura_device_enrolled(c->v, c->device_dir);
    w->session =
        session && *session && kura_session_resume(c->v, c->runtime_dir, session, NULL) == KURA_OK;
    return ways_find_kits(c, w, 1);
}

json_t *ways_json(const ways *w)
{
    json_t *kits = json_array();
    for (size_t i = 0; kits && i < w->n; i++)
        if (w->status[i] == KIT_OPENS) json_array_append_new(kits, json_string(w->paths[i]));
    return json_pack("{s:b, s:b, s:o}", "session", w->session, "device_enrolled", w->enrolled,
                     "kits", kits);
}

void ways_free(ways *w)
{
    kura_recover_free_kits(w->paths, w->n);
    free(w->status);
    free(w->ids);
    memset(w, 0, sizeof *w);
    w->opening = -1;
}
