/* Enpass's JSON export: an item's fields by their type (username, password, URL, TOTP, a
 * card's parts) into kura's, the rest as fields of their label (hidden when Enpass says
 * sensitive); folders (nested by parent_uuid) as tags; attachments, inline in base64, as
 * attachments. Items in Enpass's trash are skipped. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>

#include "common.h"
#include "json_words.h"

/* The folder uuid's path ("Work/Mail"), its parents first, into out. */
static void folder_path(char *out, size_t cap, const json_t *folders, const char *uuid, int depth)
{
    size_t i;
    json_t *f;
    out[0] = '\0';
    if (!uuid || depth > 32) return; /* a loop of parents ends somewhere */
    json_array_foreach(folders, i, f)
    {
        const char *id = jstr(f, "uuid"), *title = jstr(f, "title"),
                   *parent = jstr(f, "parent_uuid");
        if (!id || strcmp(id, uuid) != 0 || !title) continue;
        char above[1024] = "";
        if (parent && *parent) folder_path(above, sizeof above, folders, parent, depth + 1);
        snprintf(out, cap, "%s%s%s", above, above[0] ? "/" : "", title);
        return;
    }
}

/* A card's field types and an identity's labels, and kura's names for them. */
static const struct {
    const char *type, *name;
} card_types[] = {
    {"ccName", "cardholder"}, {"ccNumber", "number"}, {"ccCvc", "code"},
    {"ccPin", "pin"},         {"ccType", "brand"},    {"ccBankname", "bank"},
};
static const struct {
    const char *label, *name;
} identity_labels[] = {
    {"first name", "first-name"},
    {"middle name", "middle-name"},
    {"last name", "last-name"},
    {"birthday", "birthday"},
    {"date of birth", "birthday"},
    {"company", "company"},
    {"email", "email"},
    {"phone", "phone"},
    {"address", "address"},
    {"city", "city"},
    {"state", "region"},
    {"zip", "postcode"},
    {"country", "country"},
};

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One field of an item into it. */
static const char *put_enpass_field(kura_item *it, const json_t *f)
{
    const char *type = jstr(f, "type"), *label = jstr(f, "label"), *value = jstr(f, "value");
    int hidden = json_integer_value(json_object_get(f, "sensitive")) != 0;
    if (!type) type = "text";
    if (!value || !*value || strcmp(type, "section") == 0 ||
        json_integer_value(json_object_get(f, "deleted")) != 0)
        return NULL;
    if ((strcmp(type, "username") == 0 || strcmp(type, "email") == 0) &&
        it->type == KURA_TYPE_LOGIN && (!it->username || !*it->username))
        return put_text(it, KURA_USERNAME, value);
    if (strcmp(type, "password") == 0 && it->type != KURA_TYPE_CARD &&
        (!it->password || !*it->password))
        return put_text(it, KURA_PASSWORD, value);
    if (strcmp(type, "totp") == 0) return put_otp(it, value);
    if (strcmp(type, "url") == 0) return put_urls(it, value, "\n");
    if (strcmp(type, ".Android#") == 0) return put_urls(it, value, "\n");
    if (strcmp(type, "ccExpiry") == 0) return put_expiry(it, NULL, value);
    const char *name = label;
    for (size_t i = 0; i < sizeof card_types / sizeof *card_types; i++)
        if (strcmp(card_types[i].type, type) == 0) name = card_types[i].name;
    if (it->type == KURA_TYPE_IDENTITY && label)
        for (size_t i = 0; i < sizeof identity_labels / sizeof *identity_labels; i++)
            if (same_word(identity_labels[i].label, label)) name = identity_labels[i].name;
    return put_field(it, name, value,
                     hidden || strcmp(type, "password") == 0 || strcmp(type, "pin") == 0);
}

/* Enpass's template ("login.default", "creditcard.default", "identity.default", "note.default",
 * "finance.bankaccount"...) as kura's type; one kura has no type for is a login when it holds
 * a password, else generic. */
static int type_of(const json_t *o)
{
    const char *t = jstr(o, "template_type"), *c = jstr(o, "category");
    if (starts(t, "login.") || starts(t, "password.") || (c && strcmp(c, "login") == 0))
        return KURA_TYPE_LOGIN;
    if (starts(t, "creditcard.") || (c && strcmp(c, "creditcard") == 0)) return KURA_TYPE_CARD;
    if (starts(t, "identity.") || (c && strcmp(c, "identity") == 0)) return KURA_TYPE_IDENTITY;
    if (starts(t, "note.") || (c && strcmp(c, "note") == 0)) return KURA_TYPE_NOTE;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(o, "fields"), i, f)
    {
        const char *type = jstr(f, "type"), *value = jstr(f, "value");
        if (type && strcmp(type, "password") == 0 && value && *value) return KURA_TYPE_LOGIN;
    }
    return KURA_TYPE_GENERIC;
}

static const char *item_of(kura_item *it, const json_t *o, const json_t *root)
{
    const char *why = NULL;
    size_t i;
    json_t *e;
    if (json_integer_value(json_object_get(o, "trashed")) != 0) return "in Enpass's trash";
    if (kura_item_set_type(it, type_of(o)) != KURA_OK) return "a bad type";
    TRY(put_text(it, KURA_TITLE, jstr(o, "title")));
    json_array_foreach(json_object_get(o, "fields"), i, e) TRY(put_enpass_field(it, e));
    TRY(put_text(it, KURA_NOTES, jstr(o, "note")));
    json_array_foreach(json_object_get(o, "folders"), i, e)
    {
        char path[2048];
        folder_path(path, sizeof path, json_object_get(root, "folders"), json_string_value(e), 0);
        TRY(put_group(it, path, 0));
    }
    if (json_integer_value(json_object_get(o, "archived")) != 0) TRY(put_tag(it, "archived"));
    it->created = json_integer_value(json_object_get(o, "createdAt"));
    it->updated = json_integer_value(json_object_get(o, "updated_at"));
    return why;
}

/* What an item holds under a key this reader does not know: said, never dropped silently. */
static void unknown_keys(reader *r, const json_t *o)
{
    static const char *const known[] = {
        "archived",      "attachments", "auto_submit", "category",   "category_name", "createdAt",
        "favorite",      "fields",      "folders",     "icon",       "note",          "subtitle",
        "template_type", "title",       "trashed",     "updated_at", "uuid",          "last_used",
    };
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof *known && strcmp(known[i], key) != 0)
            i++;
        if (i < sizeof known / sizeof *known || json_is_null(v) ||
            (json_is_string(v) && !*json_string_value(v)) ||
            ((json_is_array(v) || json_is_object(v)) &&
             json_array_size(v) + json_object_size(v) == 0))
            continue;
        char kind[96];
        snprintf(kind, sizeof kind, "key '%.60s'", key);
        rd_dropped(r, kind);
    }
}

/* The old values of the item's password field (the first with one), as older versions. */
static void history_of(reader *r, const json_t *o, const kura_item *it)
{
    size_t i, k;
    const json_t *f, *h;
    json_array_foreach(json_object_get(o, "fields"), i, f)
    {
        const char *type = jstr(f, "type"), *value = jstr(f, "value");
        if (!type || strcmp(type, "password") != 0 || !value || !it->password ||
            strcmp(value, it->password) != 0)
            continue;
        json_array_foreach(json_object_get(f, "history"), k, h) rd_old_password(
            r, it, jstr(h, "value"), json_integer_value(json_object_get(h, "updated_at")));
        return;
    }
}

/* The item's attachments, their content inline in base64: KURA_OK, or why it stops. */
static int attachments_of(reader *r, const json_t *o)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(o, "attachments"), i, a)
    {
        const char *name = jstr(a, "name"), *data = jstr(a, "data");
        if (!name || !data) {
            rd_dropped(r, "attachments (an Enpass attachment without its name or content)");
            continue;
        }
        size_t len = strlen(data), n = 0;
        unsigned char *bin = budget_malloc(len / 4 * 3 + 4);
        if (!bin) return rd_too_big(r);
        if (sodium_base642bin(bin, len / 4 * 3 + 4, data, len, " \r\n", &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            rd_dropped(r, "attachments (content that is not base64)");
            wiping_free(bin);
            continue;
        }
        int stop = rd_attach(r, name, bin, n);
        wiping_free(bin);
        if (stop) return KURA_ERR_IO;
    }
    return KURA_OK;
}

static const char *fill(reader *r, kura_item *it, const json_t *o, void *root)
{
    const char *why = item_of(it, o, root);
    if (why) return why;
    history_of(r, o, it);
    unknown_keys(r, o);
    int rc = attachments_of(r, o);
    if (rc != KURA_OK) r->fatal = rc;
    return NULL;
}

int read_enpass(reader *r)
{
    int rc;
    json_t *root = rd_json(r, r->text, r->len, &rc), *items = json_object_get(root, "items");
    if (!root) return rc;
    if (!json_is_array(items)) rc = rd_fail(r, "it holds no list of items");
    size_t done = 0;
    if (rc == KURA_OK) rc = rd_each(r, items, fill, root, &done, json_array_size(items));
    json_decref(root);
    return rc;
}
