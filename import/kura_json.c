/* kura's own JSON (what kura export and kura get --json --reveal print): a list of items,
 * or an object with "items". A list is read one item at a time, so memory stays small however
 * long it is. A key kura's JSON does not have refuses the file (it may be another manager's
 * export) unless the format was named, when it is dropped and said. Errors say where and what
 * kind of fault, never what the file holds. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>

#include "import_api.h"
#include "json_words.h"

typedef struct kjson {
    kura_import_sink *sink;
    char *err;
    size_t errlen;
    size_t given; /* elements handed over so far */
} kjson;

/* "2026-11-22T02:37:11Z" (as kura prints it) or seconds since the epoch; 0 if neither. */
static int64_t parse_time(const json_t *j)
{
    if (json_is_integer(j)) return (int64_t)json_integer_value(j);
    return kura_time_parse(json_string_value(j), 0);
}

/* An optional string member: NULL if absent; sets *bad if it is there but not a string. */
static const char *text_of(const json_t *o, const char *key, int *bad)
{
    const json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) return NULL;
    if (!json_is_string(j)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(j);
}

/* One JSON object into item; NULL, or why it cannot be taken. */
static const char *to_item(kura_item *it, const json_t *o)
{
    int bad = 0;
    if (!json_is_object(o)) return "not an object";
    const char *title = text_of(o, "title", &bad);
    if (bad || !title || !*title) return "no title";
    const char *type = text_of(o, "type", &bad);
    if (bad) return "a type that is not a string";
    if (type && kura_item_set_type(it, kura_type_by_name(type)) != KURA_OK)
        return "a type kura does not have (login, note, card, identity, ssh-key, generic)";
    struct {
        enum kura_item_text which;
        const char *key;
    } texts[] = {{KURA_TITLE, "title"},
                 {KURA_USERNAME, "username"},
                 {KURA_PASSWORD, "password"},
                 {KURA_NOTES, "notes"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *s = text_of(o, texts[i].key, &bad);
        if (bad) return "a text that is not a string";
        if (s && kura_item_set(it, texts[i].which, s) != KURA_OK)
            return "a text too long, not UTF-8, or with control characters";
    }
    const json_t *url = json_object_get(o, "url"), *list, *v;
    size_t i;
    if (json_is_string(url) && kura_item_add_url(it, json_string_value(url)) != KURA_OK)
        return "a bad URL";
    const char *lists[] = {"urls", "tags"};
    for (size_t k = 0; k < 2; k++) {
        list = json_object_get(o, lists[k]);
        if (list && !json_is_array(list))
            return k ? "tags that are not a list" : "urls that are not a list";
        json_array_foreach(list, i, v)
        {
            if (!json_is_string(v))
                return k ? "a tag that is not a string" : "a URL that is not a string";
            int rc = k ? kura_item_add_tag(it, json_string_value(v))
                       : kura_item_add_url(it, json_string_value(v));
            if (rc != KURA_OK) return k ? "a bad tag" : "a bad URL";
        }
    }
    list = json_object_get(o, "fields");
    if (list && !json_is_array(list)) return "fields that are not a list";
    json_array_foreach(list, i, v)
    {
        const char *name = text_of(v, "name", &bad), *value = text_of(v, "value", &bad);
        if (bad || !name || !value) return "a field without a name and a value";
        if (kura_item_set_field(it, name, value, json_is_true(json_object_get(v, "hidden"))) !=
            KURA_OK)
            return "a bad field";
    }
    it->created = parse_time(json_object_get(o, "created"));
    it->updated = parse_time(json_object_get(o, "updated"));
    list = json_object_get(o, "attachments");
    if (list && !json_is_array(list)) return "attachments that are not a list";
    json_array_foreach(list, i, v)
    {
        const char *name = text_of(v, "name", &bad), *data = text_of(v, "data", &bad);
        if (bad || !name) return "an attachment without a name";
        if (data && !json_is_integer(json_object_get(v, "size")))
            return "an attachment without a size";
    }
    return NULL;
}

/* The attachments of item o (checked by to_item) to the sink, their content decoded from
 * base64; those without it (get --json lists names and sizes only) said. */
static int files_of(kjson *k, const json_t *o)
{
    const json_t *v;
    size_t i;
    json_array_foreach(json_object_get(o, "attachments"), i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        const json_t *d = json_object_get(v, "data");
        if (!json_is_string(d)) {
            if (k->sink->dropped)
                k->sink->dropped(k->sink->ctx,
                                 "attachments (the file names them but does not hold them)");
            continue;
        }
        size_t len = json_string_length(d), n = 0, cap = len / 4 * 3 + 3;
        unsigned char *p = sodium_malloc(cap ? cap : 1);
        if (!p) return KURA_ERR_NOMEM;
        int bad = sodium_base642bin(p, cap, json_string_value(d), len, NULL, &n, NULL,
                                    sodium_base64_VARIANT_ORIGINAL) != 0 ||
                  (json_int_t)n != json_integer_value(json_object_get(v, "size"));
        int stop = 0;
        if (bad && k->sink->dropped)
            k->sink->dropped(k->sink->ctx,
                             "attachments (their content is not the base64 of their size)");
        else if (!bad && k->sink->attach)
            stop = k->sink->attach(k->sink->ctx, name, p, n);
        else if (!bad && k->sink->dropped)
            k->sink->dropped(k->sink->ctx, "attachments");
        sodium_free(p);
        if (stop) return KURA_ERR_IO;
    }
    return KURA_OK;
}

/* 1 if key is not one of kura's JSON and holds something (not null or empty). */
static int foreign_key(const char *key, const json_t *v)
{
    static const char *const known[] = {
        "title",  "username", "password", "notes", "url",          "urls", "tags",
        "fields", "created",  "updated",  "id",    "has_password", "type", "attachments"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i], key) == 0) return 0;
    return !(json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
             (json_is_array(v) && !json_array_size(v)) ||
             (json_is_object(v) && !json_object_size(v)));
}

/* The first foreign key of an item, or NULL. */
static const char *unknown_key(const json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (foreign_key(key, v)) return key;
    }
    return NULL;
}

/* One element of the list; pos is where it ends in the file. */
static int take(kjson *k, const json_t *o, size_t pos)
{
    const char *extra = json_is_object(o) ? unknown_key(o) : NULL;
    if (extra && !k->sink->named) { /* data kura's JSON does not hold: another manager's JSON? */
        snprintf(k->err, k->errlen, "item %zu has the key '%.40s', which kura's JSON does not have",
                 k->given + 1, extra);
        return KURA_ERR_UNREAD;
    }
    kura_item *it = k->sink->next(k->sink->ctx);
    if (!it) return KURA_ERR_IO;
    const char *why = to_item(it, o);
    if (!why && extra && k->sink->dropped) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)o, key, v)
        {
            char kind[80];
            if (!foreign_key(key, v)) continue;
            snprintf(kind, sizeof kind, "the key '%.60s'", key);
            k->sink->dropped(k->sink->ctx, kind);
        }
    }
    if (!why) {
        int rc = files_of(k, o);
        if (rc != KURA_OK) return rc;
    }
    k->given++;
    return k->sink->put(k->sink->ctx, why, pos) ? KURA_ERR_IO : KURA_OK;
}

/* Where the JSON went wrong (the element read from off; e NULL: at off itself) and what kind of
 * fault (own, or jansson's code in our words): KURA_ERR_CORRUPT, or KURA_ERR_NOMEM. */
static int bad_json(kjson *k, const char *text, size_t off, const json_error_t *e, const char *own)
{
    if (e && json_error_code(e) == json_error_out_of_memory) return KURA_ERR_NOMEM;
    int line = 1, col = 0;
    for (size_t i = 0; i < off; i++)
        text[i] == '\n' ? (line++, col = 0) : col++;
    int eline = e && e->line > 0 ? e->line : 1, ecol = e && e->column > 0 ? e->column : 1;
    snprintf(k->err, k->errlen, "line %d, column %d: %s", line + eline - 1,
             eline == 1 ? col + ecol : ecol, own ? own : json_fault(e));
    return KURA_ERR_CORRUPT;
}

int kura_json_read(const char *format, const unsigned char *bytes, size_t len,
                   kura_import_sink *sink, char *err, size_t errlen)
{
    kjson k = {.sink = sink, .err = err, .errlen = errlen};
    const char *text = (const char *)bytes;
    json_error_t e = {.line = 0, .text = ""};
    size_t off = kura_import_skip_space(bytes, len, 0);
    int rc = KURA_OK;
    (void)format;
    err[0] = '\0';
    if (off < len && text[off] == '{') {
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e), *o;
        if (!root) return bad_json(&k, text, 0, &e, NULL);
        json_t *items = json_object_get(root, "items");
        size_t i, n = json_array_size(items);
        if (!json_is_array(items)) {
            json_decref(root);
            return KURA_ERR_NOT_FOUND;
        }
        json_array_foreach(items, i, o)
        {
            if ((rc = take(&k, o, len / n * (i + 1))) != KURA_OK) break;
        }
        json_decref(root);
        return rc;
    }
    if (off >= len || text[off] != '[') return KURA_ERR_NOT_FOUND;
    off = kura_import_skip_space(bytes, len, off + 1);
    if (off < len && text[off] == ']')
        off = kura_import_skip_space(bytes, len, off + 1);
    else
        for (;;) {
            json_t *o =
                json_loadb(text + off, len - off,
                           JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
            if (!o) return bad_json(&k, text, off, &e, NULL);
            off += (size_t)e.position;
            rc = take(&k, o, off);
            json_decref(o);
            if (rc != KURA_OK) return rc;
            off = kura_import_skip_space(bytes, len, off);
            if (off < len && text[off] == ',') {
                off = kura_import_skip_space(bytes, len, off + 1);
                continue;
            }
            if (off < len && text[off] == ']')
                off = kura_import_skip_space(bytes, len, off + 1);
            else
                off = len + 1;
            break;
        }
    if (off != len)
        return bad_json(&k, text, off > len ? len : off, NULL,
                        "the list of items does not end where it should");
    return KURA_OK;
}
