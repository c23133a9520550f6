/* kura history and kura restore: an item's older versions (when, where, what changed; never
 * the values unless one is shown), deleted items, and making an old version the newest. */
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "cli.h"

/* ---- naming an item that may be deleted ---- */

static int id_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 6 || n > KURA_ITEM_ID_TEXT) return 0;
    return strspn(s, "0123456789abcdef") == n;
}

/* The id of the item ref names, live or deleted, into id (title into title, if not NULL). */
static int resolve_any(ctx *c, const char *ref, char id[KURA_ITEM_ID_TEXT + 1], int *deleted)
{
    kura_items *found = NULL;
    *deleted = 0;
    int rc = kura_item_resolve(c->v, &found, ref);
    if (rc == KURA_OK && found->count == 1) {
        memcpy(id, found->items[0].id, KURA_ITEM_ID_TEXT + 1);
        kura_items_free(found);
        return EX_OK;
    }
    if (rc == KURA_OK) {
        kura_items_free(found);
        kura_item *it;
        return resolve_item(c, &it, ref); /* lists the matches, exit 2 */
    }
    if (rc != KURA_ERR_NOT_FOUND) return fail_vault(c, rc, "find the item");
    rc = kura_item_list_deleted(c->v, &found);
    if (rc != KURA_OK) return fail_vault(c, rc, "read the deleted items");
    size_t match = 0, n = 0;
    for (size_t i = 0; i < found->count; i++) {
        const kura_item *it = &found->items[i];
        if ((it->title && strcasecmp(it->title, ref) == 0) ||
            (id_prefix(ref) && strncmp(it->id, ref, strlen(ref)) == 0))
            match = i, n++;
    }
    if (n == 1) {
        memcpy(id, found->items[match].id, KURA_ITEM_ID_TEXT + 1);
        *deleted = 1;
    }
    kura_items_free(found);
    if (n == 0)
        return fail(EX_NOT_FOUND, "no item \"%.100s\" in vault %s, nor among its deleted items",
                    ref, kura_vault_id(c->v));
    if (n > 1)
        return fail(EX_USAGE,
                    "\"%s\" matches %zu deleted items; name one by its id ('kura history "
                    "--deleted' lists them)",
                    ref, n);
    return EX_OK;
}

/* ---- what changed between two versions ---- */

static int differ(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static int lists_differ(const char **a, size_t na, const char **b, size_t nb)
{
    if (na != nb) return 1;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0) return 1;
    return 0;
}

static int field_differs(const kura_field *f, const kura_field *g)
{
    return !g || f->hidden != g->hidden || strcmp(f->value, g->value) != 0;
}

/* The names of what changed from a to b, into a JSON array (never a value). */
static json_t *changes(const kura_item *a, const kura_item *b, int after_deletion)
{
    json_t *out = json_array();
    if (after_deletion) json_array_append_new(out, json_string("restored"));
    if (!a) { /* the oldest version kept: its creation, or one after versions let go */
        json_array_append_new(out,
                              json_string(b->created == b->updated ? "created" : "oldest kept"));
        return out;
    }
    if (differ(a->title, b->title)) json_array_append_new(out, json_string("title"));
    if (differ(a->username, b->username)) json_array_append_new(out, json_string("username"));
    if (differ(a->password, b->password)) json_array_append_new(out, json_string("password"));
    if (lists_differ(a->urls, a->n_urls, b->urls, b->n_urls))
        json_array_append_new(out, json_string("urls"));
    if (lists_differ(a->tags, a->n_tags, b->tags, b->n_tags))
        json_array_append_new(out, json_string("tags"));
    if (a->type != b->type) json_array_append_new(out, json_string("type"));
    if (differ(a->notes, b->notes)) json_array_append_new(out, json_string("notes"));
    for (size_t i = 0; i < b->n_fields; i++)
        if (field_differs(&b->fields[i], kura_item_field(a, b->fields[i].name)))
            json_array_append_new(out, json_string(b->fields[i].name));
    for (size_t i = 0; i < a->n_fields; i++)
        if (!kura_item_field(b, a->fields[i].name))
            json_array_append_new(out, json_string(a->fields[i].name));
    for (size_t i = 0; i < b->n_attachments; i++) {
        const kura_attachment *was = kura_item_attachment(a, b->attachments[i].name);
        if (!was || memcmp(was->id, b->attachments[i].id, sizeof was->id) != 0)
            json_array_append_new(out, json_pack("s+", "+", b->attachments[i].name));
    }
    for (size_t i = 0; i < a->n_attachments; i++)
        if (!kura_item_attachment(b, a->attachments[i].name))
            json_array_append_new(out, json_pack("s+", "-", a->attachments[i].name));
    return out;
}

/* "this device", another device's name as it gave it (once a sync saw it), or its id (the
 * first 8 hex digits); "-" before format 4. */
static void device_words(char out[40], const unsigned char *dev, const unsigned char *mine,
                         const kura_remotes *known)
{
    static const unsigned char zero[KURA_DEVICE_ID_BYTES];
    for (size_t i = 0; known && i < known->n_peers; i++)
        if (!known->peers[i].this_device && known->peers[i].name[0] &&
            memcmp(known->peers[i].device, dev, KURA_DEVICE_ID_BYTES) == 0) {
            snprintf(out, 40, "%.39s", known->peers[i].name);
            return;
        }
    if (memcmp(dev, zero, sizeof zero) == 0)
        snprintf(out, 40, "-");
    else if (mine && memcmp(dev, mine, KURA_DEVICE_ID_BYTES) == 0)
        snprintf(out, 40, "this device");
    else {
        char hex[2 * KURA_DEVICE_ID_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, dev, KURA_DEVICE_ID_BYTES);
        snprintf(out, 40, "device %.8s", hex);
    }
}

static int64_t stamp_seconds(uint64_t stamp)
{
    return (int64_t)((stamp >> 16) / 1000u);
}

/* ---- kura history ---- */

typedef struct history_args {
    int show;
    const char *field;
    int reveal, deleted;
} history_args;

static const opt_row history_rows[] = {
    OPT_NUMBER("show", history_args, show, "N", 1, 1000000, NULL,
               "print version N (masked as 'kura get' masks; --reveal, --field as there)"),
    OPT_STRING("field", history_args, field, "NAME", "with --show: print only this field"),
    OPT_FLAG("reveal", history_args, reveal, "with --show: the password and hidden fields too"),
    OPT_FLAG("deleted", history_args, deleted, "list the deleted items that can be restored"),
    OPT_END(),
};

static int list_deleted(ctx *c)
{
    kura_items *gone;
    int rc = kura_item_list_deleted(c->v, &gone);
    if (rc != KURA_OK) return fail_vault(c, rc, "read the deleted items");
    json_t *arr = c->json ? json_array() : NULL;
    for (size_t i = 0; i < gone->count; i++) {
        const kura_item *it = &gone->items[i];
        char when[32];
        format_time(when, it->updated);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s}", "id", it->id, "title",
                                                 it->title ? it->title : "", "username",
                                                 it->username, "deleted", when));
        else {
            printf("%.8s  ", it->id);
            print_escaped(it->title ? it->title : "", 0);
            printf("  deleted %s\n", when);
        }
    }
    if (arr)
        json_print(arr);
    else if (gone->count == 0)
        printf("no deleted items in vault %s\n", kura_vault_id(c->v));
    else
        printf("'kura history ITEM' shows an item's versions, 'kura restore ITEM N' brings one "
               "back\n");
    kura_items_free(gone);
    return EX_OK;
}

static int history_exec(ctx *c, void *args, int argc, char **argv)
{
    const history_args *a = args;
    if (a->deleted) {
        if (argc > 0 || a->show) return fail(EX_USAGE, "--deleted takes no item and no --show");
        return list_deleted(c);
    }
    if (argc < 1) return fail(EX_USAGE, "which item? 'kura history ITEM' (or --deleted)");
    if ((a->field || a->reveal) && !a->show)
        return fail(EX_USAGE, "--field and --reveal go with --show N");
    char id[KURA_ITEM_ID_TEXT + 1];
    int deleted;
    int ex = resolve_any(c, argv[0], id, &deleted);
    if (ex != EX_OK) return ex;
    kura_history *h;
    int rc = kura_item_history(c->v, &h, id);
    if (rc != KURA_OK) return fail_vault(c, rc, "read the item's history");
    unsigned char mine[KURA_DEVICE_ID_BYTES];
    int have_mine = kura_vault_device_id(c->v, mine) == KURA_OK;
    kura_remotes *known = NULL;
    if (kura_remote_list(c->v, &known) != KURA_OK) known = NULL;
    const kura_item *newest = NULL; /* the newest version with content, for its title */
    for (size_t i = 0; i < h->count; i++)
        if (h->versions[i].item) newest = h->versions[i].item;
    const char *title = newest && newest->title ? newest->title : "";

    if (a->show) {
        if ((size_t)a->show > h->count)
            ex = fail(EX_NOT_FOUND, "\"%s\" has %zu versions; there is no version %d", title,
                      h->count, a->show);
        else if (!h->versions[a->show - 1].item)
            ex = fail(EX_NOT_FOUND, "version %d of \"%s\" is its deletion: it has no content",
                      a->show, title);
        else if (a->field)
            ex = print_field(c, h->versions[a->show - 1].item, a->field);
        else if (c->json)
            json_print(item_json(h->versions[a->show - 1].item, a->reveal));
        else
            print_item(h->versions[a->show - 1].item, a->reveal);
        kura_history_free(h);
        kura_remotes_free(known);
        return ex;
    }

    json_t *versions = json_array();
    const kura_item *before = NULL;
    for (size_t i = 0; i < h->count; i++) {
        const kura_version *ver = &h->versions[i];
        char when[32], dev[40], hex[2 * KURA_DEVICE_ID_BYTES + 1];
        format_time(when, stamp_seconds(ver->stamp));
        device_words(dev, ver->device, have_mine ? mine : NULL, known);
        sodium_bin2hex(hex, sizeof hex, ver->device, KURA_DEVICE_ID_BYTES);
        int after_deletion = i > 0 && h->versions[i - 1].deleted;
        json_t *changed =
            ver->item ? changes(before, ver->item, after_deletion) : json_pack("[s]", "deleted");
        json_array_append_new(
            versions,
            json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:b, s:o}", "n", (json_int_t)(i + 1), "when",
                      when, "device", hex, "device_name", dev, "this_device",
                      have_mine && memcmp(ver->device, mine, sizeof mine) == 0, "deleted",
                      ver->deleted, "current", ver->current, "changed", changed));
        if (ver->item) before = ver->item;
    }
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:b, s:o}", "id", id, "title", title, "deleted", deleted,
                             "versions", versions));
    } else {
        printf("history of \"");
        print_escaped(title, 0);
        printf("\" (%.8s)%s: %zu version%s, oldest first\n", id, deleted ? ", deleted" : "",
               h->count, h->count == 1 ? "" : "s");
        for (size_t i = 0; i < h->count; i++) {
            json_t *o = json_array_get(versions, i);
            char dev[40];
            device_words(dev, h->versions[i].device, have_mine ? mine : NULL, known);
            printf("%4zu  %s  %-15s  ", i + 1, json_string_value(json_object_get(o, "when")), dev);
            json_t *ch = json_object_get(o, "changed");
            for (size_t k = 0; k < json_array_size(ch); k++) {
                printf("%s", k ? ", " : "");
                print_escaped(json_string_value(json_array_get(ch, k)), 0);
            }
            if (json_array_size(ch) == 0) printf("(no change)");
            printf("%s\n", h->versions[i].current ? "  (current)" : "");
        }
        printf("'kura history %.8s --show N' prints a version, 'kura restore %.8s N' makes it "
               "the newest\n",
               id, id);
        json_decref(versions);
    }
    kura_history_free(h);
    kura_remotes_free(known);
    return EX_OK;
}

const cmd cmd_history = {
    .name = "history",
    .summary = "list an item's versions, or the deleted items",
    .args = "[ITEM]",
    .more = "Each change keeps the version it replaces, and each delete the last version: at "
            "least the last 20 of every item and every version of the last 90 days (config "
            "history_keep, history_days). The list shows when, on which device and which "
            "fields changed, never their values.",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM,
    .min_args = 0,
    .max_args = 1,
    .rows = history_rows,
    .args_size = sizeof(history_args),
    .exec = history_exec,
};

/* ---- kura restore ---- */

static int restore_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc;
    char *end;
    long n = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end || n < 1)
        return fail(EX_USAGE, "'%s' is not a version number ('kura history %s' lists them)",
                    argv[1], argv[0]);
    char id[KURA_ITEM_ID_TEXT + 1];
    int deleted;
    int ex = resolve_any(c, argv[0], id, &deleted);
    if (ex != EX_OK) return ex;
    int rc = kura_item_restore(c->v, id, (size_t)n);
    if (rc == KURA_ERR_INVALID) return fail(EX_USAGE, "%s", kura_error_detail());
    if (rc != KURA_OK) return fail_vault(c, rc, "restore the item");
    kura_item *item;
    rc = kura_item_get(c->v, &item, id);
    if (rc != KURA_OK) return fail_vault(c, rc, "read the restored item");
    char verb[64];
    snprintf(verb, sizeof verb, "%s version %ld of", deleted ? "brought back" : "restored", n);
    report_item(c, c->json ? "restored" : verb, item);
    kura_item_free(item);
    return EX_OK;
}

const cmd cmd_restore = {
    .name = "restore",
    .summary = "make an old version of an item (or a deleted item) the newest",
    .args = "ITEM N",
    .more = "N is a version number from 'kura history ITEM'. The current version is kept in the "
            "history, so a restore can itself be undone.",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 2,
    .max_args = 2,
    .rows = NULL,
    .args_size = 0,
    .exec = restore_exec,
};
