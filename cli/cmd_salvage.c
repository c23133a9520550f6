/* kura salvage: a damaged vault's items that still decrypt, into a new file that is the same
 * vault (its key, kits and this device's slot open it), with a report of what was saved and
 * what was lost, by id. The damaged file is only read. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct salvage_args {
    const char *to;
} salvage_args;

static const opt_row salvage_rows[] = {
    OPT_STRING(
        "to", salvage_args, to, "PATH",
        "the new vault file (default: beside the vault, NAME.salvaged.kura); it must not "
        "exist. It is the same vault: the same client key, kits and device slot open it. "
        "Exit 0 if nothing was lost, 6 if some items or histories were (each item named by id)"),
    OPT_END(),
};

static void on_lost(void *list, const char *id)
{
    json_array_append_new(list, json_string(id));
}

/* <folder>/<name without .kura>.salvaged.kura beside the vault. */
static int default_to(char *out, size_t n, const char *vault)
{
    size_t len = strlen(vault);
    if (len > 5 && strcmp(vault + len - 5, ".kura") == 0) len -= 5;
    int w = snprintf(out, n, "%.*s.salvaged.kura", (int)len, vault);
    return w > 0 && (size_t)w < n ? EX_OK : fail(EX_USAGE, "the vault path is too long");
}

static int salvage_exec(ctx *c, void *args, int argc, char **argv)
{
    const char *to = ((const salvage_args *)args)->to;
    (void)argc, (void)argv;
    char path[PATH_MAX], what[64];
    kura_salvage_report r;
    json_t *lost = NULL;
    int target = kura_reset_target(c->vault_path, what, sizeof what);
    if (target == KURA_TARGET_MISSING)
        return fail(EX_NOT_FOUND, "no vault at %s; name yours with --vault", c->vault_path);
    if (target != KURA_TARGET_VAULT && target != KURA_TARGET_DAMAGED)
        return fail(EX_NOT_FOUND, "%s is %s, not a kura vault: nothing to salvage", c->vault_path,
                    what);
    int ex = to ? (snprintf(path, sizeof path, "%s", to), EX_OK)
                : default_to(path, sizeof path, c->vault_path);
    if (ex != EX_OK) return ex;
    if (access(path, F_OK) == 0)
        return fail(EX_FAIL,
                    "%s already exists; salvage writes a new file: name another with "
                    "--to PATH",
                    path);
    int rc = kura_vault_open_as_is(&c->v, c->vault_path);
    if (rc == KURA_OK) rc = kura_vault_set_state_dir(c->v, c->state_dir);
    if (rc != KURA_OK) {
        if (rc == KURA_ERR_CORRUPT)
            return fail(EX_DAMAGED,
                        "the vault id in %s cannot be read (%s): nothing in it can be "
                        "opened; restore it from a backup or a synced copy",
                        c->vault_path, kura_error_detail());
        return fail_vault(c, rc, "open the vault");
    }
    ex = unlock_vault(c);
    if (ex == EX_OK && !(lost = json_array())) ex = fail(EX_FAIL, "out of memory");
    if (ex == EX_OK) {
        rc = kura_vault_salvage(c->v, path, &r, on_lost, lost);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "salvage");
    }
    if (ex != EX_OK) {
        json_decref(lost);
        return ex;
    }
    const char *id = kura_vault_id(c->v);
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I}", "vault_id",
                             id, "from", c->vault_path, "to", path, "saved", (json_int_t)r.saved,
                             "lost", (json_int_t)r.lost, "lost_ids", lost, "unreadable",
                             (json_int_t)r.unreadable, "histories", (json_int_t)r.histories,
                             "histories_lost", (json_int_t)r.histories_lost, "attachments",
                             (json_int_t)r.files, "attachments_lost", (json_int_t)r.files_lost));
    } else {
        printf("salvaged vault %s into %s: %zu item%s saved, %zu lost\n", id, path, r.saved,
               r.saved == 1 ? "" : "s", r.lost);
        for (size_t i = 0; i < json_array_size(lost); i++)
            printf("  lost: %s (does not decrypt)\n", json_string_value(json_array_get(lost, i)));
        if (r.unreadable)
            printf("  and %zu stretch%s of the file could not be read: the items in %s are lost "
                   "too, their ids unknown\n",
                   r.unreadable, r.unreadable == 1 ? "" : "es", r.unreadable == 1 ? "it" : "them");
        if (r.histories || r.histories_lost)
            printf("  history: %zu item%s' past versions and deletions saved, %zu lost\n",
                   r.histories, r.histories == 1 ? "" : "s", r.histories_lost);
        if (r.files || r.files_lost)
            printf("  attachments: %zu saved, %zu lost (their names stay; 'kura get' says the "
                   "content is not there)\n",
                   r.files, r.files_lost);
        printf("It is the same vault: your client key, your kits and this device open it. "
               "Check it, then put it\nin place of the damaged file (keep that until you have):\n"
               "  kura --vault '%s' ls\n  mv '%s' '%s'\n",
               path, path, c->vault_path);
        json_decref(lost);
    }
    return r.lost || r.unreadable || r.histories_lost || r.files_lost ? EX_DAMAGED : EX_OK;
}

const cmd cmd_salvage = {
    .name = "salvage",
    .summary = "save every item of a damaged vault that still reads into a new vault file",
    .rows = salvage_rows,
    .args_size = sizeof(salvage_args),
    .exec = salvage_exec,
};
