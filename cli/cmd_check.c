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
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:I, s:b}", "vault", c->vault_path, "vault_id",
                             kura_vault_id(c->v), "items", (json_int_t)items, "ok", 1));
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
