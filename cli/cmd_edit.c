/* kura edit: change an item in place, with the options of kura add, or (no options) in the
 * editor (editor.c). */
#include "cli.h"

typedef struct edit_args {
    item_edits edits;
} edit_args;

static const opt_row edit_rows[] = {
    OPT_CALL("title", edit_args, edits, "TITLE", item_edit_call, E_TITLE, "a new title"),
    OPT_INCLUDE(item_edit_rows, edit_args, edits),
    OPT_END(),
};

static int edit_exec(ctx *c, void *args, int argc, char **argv)
{
    const edit_args *a = args;
    (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    int changed = 1;
    if (a->edits.n == 0 && editor_usable()) /* no options: the item in the editor */
        ex = edit_in_editor(c, item, 0, &changed);
    else
        ex = item_edit_apply(&a->edits, item, 0);
    if (ex == EX_OK && changed) {
        int rc = kura_item_update(c->v, item);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "save the item");
    }
    if (ex == EX_OK && changed) ex = item_edit_after(c, &a->edits, item, "updated");
    kura_item_free(item);
    return ex;
}

const cmd cmd_edit = {
    .name = "edit",
    .summary = "change an item",
    .args = "ITEM",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 1,
    .max_args = 1,
    .rows = edit_rows,
    .args_size = sizeof(edit_args),
    .exec = edit_exec,
};
