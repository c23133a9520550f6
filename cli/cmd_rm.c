/* kura rm: delete items, after asking (or --yes in scripts). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct rm_args {
    int yes;
} rm_args;

static const opt_row rm_rows[] = {
    OPT_FLAG("yes", rm_args, yes, "do not ask first (for scripts)"),
    OPT_END(),
};

#define RM_MAX 256

/* Every item named, resolved before anything is deleted: one that does not resolve, or is
 * ambiguous, deletes nothing. The same item named twice is deleted once. */
static int rm_exec(ctx *c, void *args, int argc, char **argv)
{
    const rm_args *a = args;
    kura_item *items[RM_MAX] = {0};
    int n = 0, ex = EX_OK;
    if (argc > RM_MAX) return fail(EX_USAGE, "at most %d items at a time", RM_MAX);
    for (int i = 0; i < argc && ex == EX_OK; i++) {
        kura_item *item;
        ex = resolve_item(c, &item, argv[i]);
        if (ex != EX_OK) break;
        int twice = 0;
        for (int j = 0; j < n && !twice; j++)
            twice = strcmp(items[j]->id, item->id) == 0;
        if (twice)
            kura_item_free(item);
        else
            items[n++] = item;
    }
    if (ex == EX_OK && !a->yes) {
        char q[600];
        if (n == 1)
            snprintf(q, sizeof q, "Delete \"%.200s\" (%.8s)? It cannot be undone.", items[0]->title,
                     items[0]->id);
        else
            snprintf(q, sizeof q,
                     "Delete %d items: \"%.60s\", \"%.60s\"%s? They stay in 'kura history "
                     "--deleted'.",
                     n, items[0]->title, items[1]->title, n > 2 ? " and the others" : "");
        int answer = tty_confirm(q);
        if (answer < 0)
            ex = fail(EX_CANCELLED,
                      "not deleted: no terminal to confirm on; pass --yes to delete "
                      "\"%s\"%s from a script",
                      items[0]->title, n > 1 ? " and the others" : "");
        else if (answer == 0)
            ex = fail(EX_CANCELLED, "not deleted");
    }
    json_t *done = c->json && n > 1 ? json_array() : NULL;
    int deleted = 0;
    for (int i = 0; ex == EX_OK && i < n; i++) {
        int rc = kura_item_delete(c->v, items[i]->id);
        if (rc != KURA_OK) {
            ex = fail_vault(c, rc, "delete the item");
            if (deleted)
                note("kura: %d of the %d items were deleted before this one; the others are "
                     "as they were",
                     deleted, n);
            break;
        }
        deleted++;
        if (done)
            json_array_append_new(done, json_pack("{s:s, s:s, s:s}", "id", items[i]->id, "title",
                                                  items[i]->title, "result", "deleted"));
        else
            report_item(c, "deleted", items[i]);
    }
    if (done) json_print(done);
    for (int i = 0; i < n; i++)
        kura_item_free(items[i]);
    return ex;
}

const cmd cmd_rm = {
    .name = "rm",
    .summary = "delete items (each kept in 'kura history --deleted')",
    .args = "ITEM...",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 1,
    .max_args = RM_MAX,
    .rows = rm_rows,
    .args_size = sizeof(rm_args),
    .exec = rm_exec,
};
