/* kura rm: delete an item, after asking (or --yes in scripts). */
#include <stdio.h>

#include "cli.h"

typedef struct rm_args {
    int yes;
} rm_args;

static const opt_row rm_rows[] = {
    OPT_FLAG("yes", rm_args, yes, "do not ask first (for scripts)"),
    OPT_END(),
};

static int rm_exec(ctx *c, void *args, int argc, char **argv)
{
    const rm_args *a = args;
    (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    if (!a->yes) {
        char q[300];
        snprintf(q, sizeof q, "Delete \"%.200s\" (%.8s)? It cannot be undone.", item->title,
                 item->id);
        int answer = tty_confirm(q);
        if (answer < 0)
            ex = fail(EX_CANCELLED,
                      "not deleted: no terminal to confirm on; pass --yes to delete "
                      "\"%s\" from a script",
                      item->title);
        else if (answer == 0)
            ex = fail(EX_CANCELLED, "not deleted");
    }
    if (ex == EX_OK) {
        int rc = kura_item_delete(c->v, item->id);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "delete the item");
    }
    if (ex == EX_OK) report_item(c, "deleted", item);
    kura_item_free(item);
    return ex;
}

const cmd cmd_rm = {
    .name = "rm",
    .summary = "delete an item",
    .args = "ITEM",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 1,
    .max_args = 1,
    .rows = rm_rows,
    .args_size = sizeof(rm_args),
    .exec = rm_exec,
};
