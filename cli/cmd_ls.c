/* kura ls and kura search: item overviews in a table or as JSON. Neither ever decrypts a
 * password. */
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "cli.h"

typedef struct ls_args {
    const char *tag;
} ls_args;

static const opt_row ls_rows[] = {
    OPT_STRING("tag", ls_args, tag, "TAG", "only items with this tag"),
    OPT_END(),
};

static int has_tag(const kura_item *it, const char *tag)
{
    if (!tag) return 1;
    for (size_t i = 0; i < it->n_tags; i++)
        if (strcasecmp(it->tags[i], tag) == 0) return 1;
    return 0;
}

/* ---- ls --json, written directly ----
 * jansson builds and dumps one object per item at some 40,000 instructions each: 1.5 s of
 * a 100,000-item listing. The listing is the one output that large, so it is written here,
 * in the layout json_print gives (two-space indent, the keys of item_json in its order). The
 * texts are UTF-8 without NUL (the library refuses any other), so escaping '"', '\\' and the
 * control characters is all JSON asks (RFC 8259, section 7). */

/* The output goes through one 64 KiB buffer, written to stdout when full: a listing is tens
 * of megabytes in small pieces. Wiped at the end (it held titles and usernames). */
typedef struct out {
    char buf[65536];
    size_t n;
} out;

static void flush_out(out *o)
{
    if (o->n) fwrite(o->buf, 1, o->n, stdout);
    o->n = 0;
}

static void put(out *o, const char *s, size_t n)
{
    while (n) {
        if (o->n == sizeof o->buf) flush_out(o);
        size_t k = sizeof o->buf - o->n < n ? sizeof o->buf - o->n : n;
        memcpy(o->buf + o->n, s, k);
        o->n += k, s += k, n -= k;
    }
}

#define PUT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void json_text(out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    PUT(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(o, run, (size_t)(s - run));
        run = s + 1;
        if (c == '"') {
            PUT(o, "\\\"");
        } else if (c == '\\') {
            PUT(o, "\\\\");
        } else if (c == '\n') {
            PUT(o, "\\n");
        } else if (c == '\t') {
            PUT(o, "\\t");
        } else {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(o, u, sizeof u);
        }
    }
    put(o, run, (size_t)(s - run));
    PUT(o, "\"");
}

static void json_key_text(out *o, const char *key, const char *value, int last)
{
    PUT(o, "    \"");
    put(o, key, strlen(key));
    PUT(o, "\": ");
    json_text(o, value);
    if (last)
        PUT(o, "\n");
    else
        PUT(o, ",\n");
}

static void json_list(out *o, const char *key, const char **v, size_t n)
{
    PUT(o, "    \"");
    put(o, key, strlen(key));
    PUT(o, "\": [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            PUT(o, ",\n      ");
        else
            PUT(o, "\n      ");
        json_text(o, v[i]);
    }
    if (n)
        PUT(o, "\n    ],\n");
    else
        PUT(o, "],\n");
}

/* The list as a JSON array, an item at a time: what json_print(item_json(...)) gives for
 * each listed item (tests/cli/t_items.sh compares the two). */
static void print_json_list(const kura_items *list, const char *tag)
{
    static out o;
    size_t shown = 0;
    char created[32], updated[32];
    for (size_t i = 0; i < list->count; i++) {
        const kura_item *it = &list->items[i];
        if (!has_tag(it, tag)) continue;
        if (shown++)
            PUT(&o, ",\n  {\n");
        else
            PUT(&o, "[\n  {\n");
        json_key_text(&o, "id", it->id, 0);
        json_key_text(&o, "title", it->title ? it->title : "", 0);
        if (it->username)
            json_key_text(&o, "username", it->username, 0);
        else
            PUT(&o, "    \"username\": null,\n");
        json_list(&o, "urls", it->urls, it->n_urls);
        json_list(&o, "tags", it->tags, it->n_tags);
        format_time(created, it->created);
        format_time(updated, it->updated);
        json_key_text(&o, "created", created, 0);
        json_key_text(&o, "updated", updated, 1);
        PUT(&o, "  }");
    }
    if (shown)
        PUT(&o, "\n]\n");
    else
        PUT(&o, "[]\n");
    flush_out(&o);
    sodium_memzero(&o, sizeof o);
}

static int show(ctx *c, const char *query, const char *tag)
{
    kura_items *list;
    int rc = kura_item_list(c->v, &list, query);
    if (rc != KURA_OK) return fail_vault(c, rc, "list the items");
    if (c->json) {
        print_json_list(list, tag);
    } else {
        size_t shown = 0;
        int c_on = colour(stdout);
        for (size_t i = 0; i < list->count; i++) {
            const kura_item *it = &list->items[i];
            if (!has_tag(it, tag)) continue;
            char title[4 * KURA_MAX_SHORT + 8], user[4 * KURA_MAX_SHORT + 8];
            escaped(title, sizeof title, it->title, 0);
            escaped(user, sizeof user, it->username ? it->username : "", 0);
            if (c_on)
                printf(COLOUR_DIM "%.8s" COLOUR_OFF "  " COLOUR_BOLD "%-32s" COLOUR_OFF "  %s\n",
                       it->id, title, user);
            else
                printf("%.8s  %-32s  %s\n", it->id, title, user);
            shown++;
        }
        if (shown == 0 && query)
            note("kura: nothing matches \"%s\"", query);
        else if (shown == 0 && tag && list->count)
            note("kura: no item has the tag \"%s\" ('kura ls --json' shows every item's tags)",
                 tag);
        else if (shown == 0 && !list->damaged)
            note("kura: the vault is empty; add an item with 'kura add TITLE'");
    }
    size_t damaged = list->damaged, unreadable = list->unreadable;
    kura_items_free(list);
    if (damaged)
        return fail(EX_DAMAGED, "%zu item%s of vault %s do%s not decrypt and %s left out (%s)",
                    damaged, damaged == 1 ? "" : "s", kura_vault_id(c->v), damaged == 1 ? "es" : "",
                    damaged == 1 ? "is" : "are", kura_error_detail());
    if (unreadable)
        return fail(EX_DAMAGED,
                    "%zu stretch%s of vault %s cannot be read: the items in %s are "
                    "left out",
                    unreadable, unreadable == 1 ? "" : "es", kura_vault_id(c->v),
                    unreadable == 1 ? "it" : "them");
    return EX_OK;
}

static int ls_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)argc, (void)argv;
    return show(c, NULL, ((const ls_args *)args)->tag);
}

const cmd cmd_ls = {
    .name = "ls",
    .summary = "list the items",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .rows = ls_rows,
    .args_size = sizeof(ls_args),
    .exec = ls_exec,
};

static int search_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)argc;
    if (!*argv[0]) return fail(EX_USAGE, "search needs a word to look for");
    return show(c, argv[0], ((const ls_args *)args)->tag);
}

const cmd cmd_search = {
    .name = "search",
    .summary = "find items by title, username, URL or tag (any case)",
    .args = "QUERY",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .rows = ls_rows,
    .args_size = sizeof(ls_args),
    .exec = search_exec,
};
