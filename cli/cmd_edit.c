/* kura edit: change an item in place, with the options of kura add. */
#include "cli.h"

static int run(ctx *c, int argc, char **argv)
{
    (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    ex = item_edit_apply(c, item, 0);
    if (ex == EX_OK) {
        int rc = kura_item_update(c->v, item);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "save the item");
    }
    if (ex == EX_OK) report_item(c, "updated", item);
    kura_item_free(item);
    return ex;
}

const cmd cmd_edit = {
    .name = "edit",
    .summary = "change an item",
    .usage = "ITEM [--title TITLE] [options of add]... [--json]",
    .help = "  --title TITLE      a new title\n" ITEM_EDIT_HELP,
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .opts = item_edit_opts,
    .opt = item_edit_opt,
    .run = run,
};
