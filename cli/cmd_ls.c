/* kura ls and kura search: item overviews in a table or as JSON. Neither ever decrypts a
 * password. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "cli.h"

typedef struct ls_args {
    const char *tag, *type;
    int tree, ascii;
    int type_no; /* the number of --type, or -1 */
} ls_args;

static const opt_row ls_rows[] = {
    OPT_STRING("tag", ls_args, tag, "TAG",
               "only items with this tag, or one inside it (work/dev is inside work)"),
    OPT_STRING("type", ls_args, type, "TYPE",
               "only items of this type: login, note, card, identity, ssh-key or generic"),
    OPT_FLAG("tree", ls_args, tree, "draw the items in the tree of their tags, as pass ls does"),
    OPT_FLAG("ascii", ls_args, ascii, "with --tree: draw it with |-- and `-- (no Unicode)"),
    OPT_END(),
};

/* Tags nest by '/': an item tagged work/dev has the tag work too. Any case. */
static int tag_within(const char *have, const char *want)
{
    size_t n = strlen(want);
    while (n && want[n - 1] == '/')
        n--;
    return strncasecmp(have, want, n) == 0 && (have[n] == '\0' || have[n] == '/');
}

/* Whether the listing shows it: of --type, and with --tag or a tag inside it. */
static int wanted(const kura_item *it, const ls_args *a)
{
    if (a->type_no >= 0 && it->type != a->type_no) return 0;
    if (!a->tag) return 1;
    for (size_t i = 0; i < it->n_tags; i++)
        if (tag_within(it->tags[i], a->tag)) return 1;
    return 0;
}

/* ---- ls --tree: the items under the tree of their tags ---- */

/* One line of the tree: the tag path it sits in (segments joined by '/'; "" at the root), and
 * an item's title, or NULL for the folder line of the path itself. */
typedef struct tree_row {
    char *path;
    const char *title, *id;
} tree_row;

/* Paths compared a segment at a time ('/' before any character), in any case: a folder's
 * rows stay together, work/dev after work and before work-x. */
static int path_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = *a == '/' ? 1 : tolower((unsigned char)*a),
            y = *b == '/' ? 1 : tolower((unsigned char)*b);
        if (x != y || !x) return x - y;
    }
}

static int by_path_title(const void *pa, const void *pb)
{
    const tree_row *a = pa, *b = pb;
    int c = path_cmp(a->path, b->path);
    if (c) return c;
    if (!a->title || !b->title) return a->title ? 1 : b->title ? -1 : 0;
    return strcasecmp(a->title, b->title);
}

/* Adds the rows for path and every folder above it. */
static int add_row(tree_row **rows, size_t *n, size_t *cap, const char *path, const char *title,
                   const char *id)
{
    for (size_t len = 0; path[len]; len++) { /* each folder on the way: once */
        if (path[len + 1] && path[len + 1] != '/') continue;
        int seen = 0;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = !(*rows)[i].title && strlen((*rows)[i].path) == len + 1 &&
                   strncasecmp((*rows)[i].path, path, len + 1) == 0;
        if (seen) continue;
        if (*n == *cap && !(*rows = realloc(*rows, (*cap = *cap ? 2 * *cap : 64) * sizeof **rows)))
            return EX_FAIL;
        (*rows)[*n] = (tree_row){strndup(path, len + 1), NULL, NULL};
        if (!(*rows)[(*n)++].path) return EX_FAIL;
    }
    if (*n == *cap && !(*rows = realloc(*rows, (*cap = *cap ? 2 * *cap : 64) * sizeof **rows)))
        return EX_FAIL;
    (*rows)[*n] = (tree_row){strdup(path), title, id};
    return (*rows)[(*n)++].path ? EX_OK : EX_FAIL;
}

static int depth_of(const char *path)
{
    int d = *path ? 1 : 0;
    for (; *path; path++)
        d += *path == '/';
    return d;
}

/* 1 if a later row at this depth shares the parent of row i: i is not the last child. */
static int more_after(const tree_row *rows, size_t n, size_t i, int depth)
{
    for (size_t j = i + 1; j < n; j++) {
        int dj = depth_of(rows[j].path) + (rows[j].title ? 1 : 0);
        if (dj < depth) return 0;
        if (dj == depth) return 1;
    }
    return 0;
}

static int print_tree(ctx *c, kura_items *list, const ls_args *a)
{
    tree_row *rows = NULL;
    size_t n = 0, cap = 0;
    int ex = EX_OK;
    for (size_t i = 0; ex == EX_OK && i < list->count; i++) {
        const kura_item *it = &list->items[i];
        if (!wanted(it, a)) continue;
        int placed = 0;
        for (size_t t = 0; ex == EX_OK && t < it->n_tags; t++)
            if (!a->tag || tag_within(it->tags[t], a->tag))
                ex = add_row(&rows, &n, &cap, it->tags[t], it->title, it->id), placed = 1;
        if (ex == EX_OK && !placed) ex = add_row(&rows, &n, &cap, "", it->title, it->id);
    }
    if (ex != EX_OK) {
        for (size_t i = 0; i < n; i++)
            free(rows[i].path);
        free(rows);
        return fail(EX_FAIL, "out of memory");
    }
    qsort(rows, n, sizeof *rows, by_path_title);
    int utf8 = !a->ascii;
    const char *mid = utf8 ? "\u251c\u2500\u2500 " : "|-- ",
               *end = utf8 ? "\u2514\u2500\u2500 " : "`-- ", *bar = utf8 ? "\u2502   " : "|   ";
    printf("%s (%s)\n", kura_vault_name(c->v)[0] ? kura_vault_name(c->v) : "vault",
           kura_vault_id(c->v));
    char last[32] = {0}; /* at each depth: 1 if the line drawn there was its parent's last */
    for (size_t i = 0; i < n; i++) {
        int depth = depth_of(rows[i].path) + (rows[i].title ? 1 : 0);
        if (depth == 0) continue;
        int is_last = !more_after(rows, n, i, depth);
        if (depth < (int)sizeof last) last[depth] = (char)is_last;
        for (int d = 1; d < depth; d++)
            fputs(d < (int)sizeof last && last[d] ? "    " : bar, stdout);
        fputs(is_last ? end : mid, stdout);
        const char *slash = strrchr(rows[i].path, '/');
        if (rows[i].title) {
            print_escaped(rows[i].title, 0);
            printf("  (%.8s)\n", rows[i].id);
        } else {
            print_escaped(slash ? slash + 1 : rows[i].path, 0);
            printf("/\n");
        }
    }
    for (size_t i = 0; i < n; i++)
        free(rows[i].path);
    free(rows);
    return EX_OK;
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
static void print_json_list(const kura_items *list, const ls_args *a)
{
    static out o;
    size_t shown = 0;
    char created[32], updated[32];
    for (size_t i = 0; i < list->count; i++) {
        const kura_item *it = &list->items[i];
        if (!wanted(it, a)) continue;
        if (shown++)
            PUT(&o, ",\n  {\n");
        else
            PUT(&o, "[\n  {\n");
        const kura_type *type = kura_type_get(it->type);
        json_key_text(&o, "id", it->id, 0);
        json_key_text(&o, "type", type ? type->name : "login", 0);
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

/* ls's third column: the username; for an item of another type, the type and what tells it
 * apart: a card's holder, an identity's name, an SSH key's fingerprint. */
static const char *about(const kura_item *it)
{
    static char line[3 * KURA_MAX_SHORT + 16];
    const kura_type *t = kura_type_get(it->type);
    if (it->type == KURA_TYPE_LOGIN || !t) return it->username ? it->username : "";
    int n = snprintf(line, sizeof line, "(%s)", t->name);
    size_t order[KURA_MAX_LIST], count = item_field_order(it, order);
    for (size_t i = 0; i < count && n < KURA_MAX_SHORT; i++) {
        const kura_field *f = &it->fields[order[i]];
        int shown = it->type == KURA_TYPE_CARD       ? strcmp(f->name, "cardholder") == 0
                    : it->type == KURA_TYPE_SSH_KEY  ? strcmp(f->name, "fingerprint") == 0
                    : it->type == KURA_TYPE_IDENTITY ? strstr(f->name, "-name") != NULL
                                                     : 0;
        if (shown && !f->hidden)
            n += snprintf(line + n, sizeof line - (size_t)n, " %.*s", KURA_MAX_SHORT, f->value);
    }
    if (n == (int)strlen(t->name) + 2 && it->username)
        snprintf(line + n, sizeof line - (size_t)n, " %.*s", KURA_MAX_SHORT, it->username);
    return line;
}

static int show(ctx *c, const char *query, ls_args *a)
{
    a->type_no = a->type ? kura_type_by_name(a->type) : -1;
    if (a->type && a->type_no < 0)
        return fail(EX_USAGE,
                    "--type is login, note, card, identity, ssh-key or generic (not "
                    "\"%.40s\")",
                    a->type);
    kura_items *list;
    int rc = kura_item_list(c->v, &list, query);
    if (rc != KURA_OK) return fail_vault(c, rc, "list the items");
    if (a->tree && !c->json) {
        if (print_tree(c, list, a) != EX_OK) {
            kura_items_free(list);
            return EX_FAIL;
        }
    } else if (c->json) {
        print_json_list(list, a);
    } else {
        size_t shown = 0;
        int c_on = colour(stdout);
        for (size_t i = 0; i < list->count; i++) {
            const kura_item *it = &list->items[i];
            if (!wanted(it, a)) continue;
            char title[4 * KURA_MAX_SHORT + 8], user[4 * KURA_MAX_SHORT + 8];
            escaped(title, sizeof title, it->title, 0);
            escaped(user, sizeof user, about(it), 0);
            if (c_on)
                printf(COLOUR_DIM "%.8s" COLOUR_OFF "  " COLOUR_BOLD "%-32s" COLOUR_OFF "  %s\n",
                       it->id, title, user);
            else
                printf("%.8s  %-32s  %s\n", it->id, title, user);
            shown++;
        }
        if (shown == 0 && query)
            note("kura: nothing matches \"%s\"", query);
        else if (shown == 0 && a->tag && list->count)
            note("kura: no item has the tag \"%s\"%s ('kura ls --json' shows every item's tags)",
                 a->tag, a->type ? " and that type" : "");
        else if (shown == 0 && a->type && list->count)
            note("kura: no item is of type %s", kura_type_get(a->type_no)->name);
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
    return show(c, NULL, args);
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
    return show(c, argv[0], args);
}

const cmd cmd_search = {
    .name = "search",
    .summary = "find items by title, username, URL, tag or a type's fields that are not secret "
               "(any case)",
    .args = "QUERY",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .rows = ls_rows,
    .args_size = sizeof(ls_args),
    .exec = search_exec,
};
