/* kura check: reads and checks the whole vault: every page of the file, the signed state,
 * and both parts of every item. Everyday commands check only what they read. */
#include <stdio.h>

#include "cli.h"

static int check_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc, (void)argv;
    size_t items = 0;
    int rc = kura_vault_verify(c->v, &items);
    if (rc != KURA_OK) return fail_vault(c, rc, "check the vault");
    size_t files = 0;
    uint64_t bytes = 0;
    rc = kura_vault_verify_files(c->v, &files, &bytes);
    if (rc == KURA_ERR_CORRUPT || rc == KURA_ERR_NOT_FOUND)
        return fail(rc == KURA_ERR_CORRUPT ? EX_DAMAGED : EX_NOT_FOUND,
                    "vault %s: every item checks out, but an attachment does not: %s; 'kura "
                    "detach' it, or restore the vault from a backup or a synced copy",
                    c->vault_path, kura_error_detail());
    if (rc != KURA_OK) return fail_vault(c, rc, "check the attachments");
    char size[32];
    format_size(size, sizeof size, bytes);
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:I, s:I, s:I, s:b}", "vault", c->vault_path, "vault_id",
                             kura_vault_id(c->v), "items", (json_int_t)items, "attachments",
                             (json_int_t)files, "attachment_bytes", (json_int_t)bytes, "ok", 1));
    else if (files)
        printf("vault %s is whole: every page of %s, the signed state, all %zu item%s and "
               "%zu attachment%s (%s) check out\n",
               kura_vault_id(c->v), c->vault_path, items, items == 1 ? "" : "s", files,
               files == 1 ? "" : "s", size);
    else
        printf("vault %s is whole: every page of %s, the signed state, and all %zu item%s "
               "check out\n",
               kura_vault_id(c->v), c->vault_path, items, items == 1 ? "" : "s");
    return EX_OK;
}

const cmd cmd_check = {
    .name = "check",
    .summary = "read and check the whole vault file, every item",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .exec = check_exec,
};
