/* kura rm: delete an item, after asking (or --yes in scripts). */
#include <stdio.h>

#include "cli.h"

enum { O_YES = 1 };
static const struct option opts[] = {{"yes", no_argument, NULL, O_YES}, {0}};
static int yes;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c, (void)arg;
    if (id == O_YES) yes = 1;
    return EX_OK;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    if (!yes) {
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
    .usage = "ITEM [--yes] [--json]",
    .help = "  --yes              do not ask first (for scripts)\n",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .opts = opts,
    .opt = opt,
    .run = run,
};
