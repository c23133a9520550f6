/* kura ls and kura search: item overviews in a table or as JSON. Neither ever decrypts a
 * password. */
#include <string.h>
#include <strings.h>

#include "cli.h"

enum { O_TAG = 1 };
static const struct option ls_opts[] = {{"tag", required_argument, NULL, O_TAG}, {0}};
static const char *tag;

static int ls_opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_TAG) tag = arg;
    return EX_OK;
}

static int has_tag(const kura_item *it)
{
    if (!tag) return 1;
    for (size_t i = 0; i < it->n_tags; i++)
        if (strcasecmp(it->tags[i], tag) == 0) return 1;
    return 0;
}

/* Writes a chunk of an item's JSON, each line indented two more (an element of the list). */
static int indented(const char *buffer, size_t size, void *data)
{
    (void)data;
    while (size) {
        const char *nl = memchr(buffer, '\n', size);
        size_t n = nl ? (size_t)(nl - buffer) + 1 : size;
        if (fwrite_unlocked(buffer, 1, n, stdout) != n) return -1;
        if (nl && fwrite_unlocked("  ", 1, 2, stdout) != 2) return -1;
        buffer += n, size -= n;
    }
    return 0;
}

/* The list as a JSON array, printed one item at a time (as json_print would print it whole):
 * a vault of 100,000 items never needs 100,000 JSON objects at once. */
static void print_json_list(const kura_items *list)
{
    size_t shown = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (!has_tag(&list->items[i])) continue;
        json_t *j = item_json(&list->items[i], 0);
        if (!j) {
            fail(EX_FAIL, "out of memory");
            break;
        }
        fputs(shown++ ? ",\n  " : "[\n  ", stdout);
        json_dump_callback(j, indented, NULL, JSON_INDENT(2));
        json_decref(j);
    }
    fputs(shown ? "\n]\n" : "[]\n", stdout);
}

static int show(ctx *c, const char *query)
{
    kura_items *list;
    int rc = kura_item_list(c->v, &list, query);
    if (rc != KURA_OK) return fail_vault(c, rc, "list the items");
    if (c->json) {
        print_json_list(list);
    } else {
        size_t shown = 0;
        for (size_t i = 0; i < list->count; i++) {
            const kura_item *it = &list->items[i];
            if (!has_tag(it)) continue;
            printf("%.8s  %-32s  %s\n", it->id, it->title, it->username ? it->username : "");
            shown++;
        }
        if (shown == 0 && query)
            note("kura: nothing matches \"%s\"", query);
        else if (shown == 0 && !list->damaged)
            note("kura: the vault is empty; add an item with 'kura add TITLE'");
    }
    size_t damaged = list->damaged;
    kura_items_free(list);
    if (damaged)
        return fail(EX_DAMAGED, "%zu item%s of vault %s do%s not decrypt and %s left out (%s)",
                    damaged, damaged == 1 ? "" : "s", kura_vault_id(c->v),
                    damaged == 1 ? "es" : "", damaged == 1 ? "is" : "are",
                    kura_vault_error(c->v));
    return EX_OK;
}

static int ls_run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    return show(c, NULL);
}

const cmd cmd_ls = {
    .name = "ls",
    .summary = "list the items",
    .usage = "[--tag TAG] [--json]",
    .help = "  --tag TAG          only items with this tag\n",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .max_args = 0,
    .opts = ls_opts,
    .opt = ls_opt,
    .run = ls_run,
};

static int search_run(ctx *c, int argc, char **argv)
{
    (void)argc;
    if (!*argv[0]) return fail(EX_USAGE, "search needs a word to look for");
    return show(c, argv[0]);
}

const cmd cmd_search = {
    .name = "search",
    .summary = "find items by title, username, URL or tag (any case)",
    .usage = "QUERY [--tag TAG] [--json]",
    .help = "  --tag TAG          only items with this tag\n",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .opts = ls_opts,
    .opt = ls_opt,
    .run = search_run,
};
