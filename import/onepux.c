/* 1Password's .1pux export: a zip (libzip) whose export.data is JSON, accounts holding vaults
 * holding items. Usernames and passwords come from the login fields that 1Password designates
 * as such; every section field becomes a field (concealed ones hidden), a one-time password
 * the otp field. Vault names become tags when there is more than one vault; archived items
 * get the tag "archived"; items in the trash are skipped. Documents and file fields come as
 * attachments, from the zip's files/ folder. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
#include <zip.h>

#include "common.h"
#include "json_words.h"

#define MAX_DATA (1u << 30)

/* 1Password's categories as kura's types; any other (a server, a database, an email account,
 * a wireless router...) is generic. */
static const struct {
    const char *category;
    int type;
} categories[] = {
    {"001", KURA_TYPE_LOGIN},    {"005", KURA_TYPE_LOGIN},    {"002", KURA_TYPE_CARD},
    {"003", KURA_TYPE_NOTE},     {"004", KURA_TYPE_IDENTITY}, {"103", KURA_TYPE_IDENTITY},
    {"106", KURA_TYPE_IDENTITY}, {"108", KURA_TYPE_IDENTITY}, {"114", KURA_TYPE_SSH_KEY},
};

/* Section fields (by category and field id) that are one of kura's type fields. */
static const struct {
    const char *category, *id, *name;
} own_fields[] = {
    {"002", "cardholder", "cardholder"}, {"002", "type", "brand"},
    {"002", "ccnum", "number"},          {"002", "cvv", "code"},
    {"002", "expiry", "expiry"},         {"002", "pin", "pin"},
    {"004", "firstname", "first-name"},  {"004", "initial", "middle-name"},
    {"004", "lastname", "last-name"},    {"004", "birthdate", "birthday"},
    {"004", "company", "company"},       {"004", "email", "email"},
    {"004", "defphone", "phone"},        {"103", "number", "license"},
    {"106", "number", "passport"},       {"108", "number", "national-id"},
};

/* 1 if id is word or ends in "_word" (pop_password). */
static int id_is(const char *id, const char *word)
{
    size_t n = strlen(id), m = strlen(word);
    return (strcasecmp(id, word) == 0 ||
            (n > m && id[n - m - 1] == '_' && strcasecmp(id + n - m, word) == 0));
}

/* An address: a street line and its parts, each a field of an identity's own; one line
 * elsewhere. */
static const char *address_fields(kura_item *it, const char *name, const json_t *v)
{
    static const char *const parts[] = {"street", "city", "state", "zip", "country"};
    if (it->type == KURA_TYPE_IDENTITY) {
        static const char *const names[] = {"address", "city", "region", "postcode", "country"};
        const char *why = NULL;
        for (size_t i = 0; i < 5 && !why; i++)
            why = put_field(it, names[i], jstr(v, parts[i]), 0);
        return why;
    }
    char addr[1024] = "";
    for (size_t i = 0; i < 5; i++) {
        const char *p = jstr(v, parts[i]);
        if (!p || !*p) continue;
        size_t have = strlen(addr);
        snprintf(addr + have, sizeof addr - have, "%s%s", have ? ", " : "", p);
    }
    return put_field(it, name, addr, 0);
}

/* An SSH key: the private key (metadata's, PKCS#8, which 1Password keeps in one form; the other
 * where there is none), and the public key and fingerprint 1Password worked out. */
static const char *ssh_key_fields(kura_item *it, const json_t *v)
{
    const json_t *meta = json_object_get(v, "metadata");
    const char *key = jstr(meta, "privateKey");
    const char *why = put_field(it, "private-key", key ? key : jstr(v, "privateKey"), 1);
    if (!why) why = put_field(it, "public-key", jstr(meta, "publicKey"), 0);
    if (!why) why = put_field(it, "fingerprint", jstr(meta, "fingerprint"), 0);
    return why;
}

/* A section field's value: {"<kind>": value}. Strings are taken as they are; dates, months
 * and addresses are written out; others (files, references) are not kept. A field that is
 * one of kura's type fields takes its name; a server's, database's or email account's
 * username and password become the item's. */
static const char *section_field(kura_item *it, const json_t *f, const char *category)
{
    const char *name = jstr(f, "title"), *id = jstr(f, "id");
    if (!name || !*name) name = id;
    int own = 0;
    for (size_t i = 0; id && category && i < sizeof own_fields / sizeof *own_fields; i++)
        if (strcmp(own_fields[i].category, category) == 0 && strcmp(own_fields[i].id, id) == 0)
            name = own_fields[i].name, own = 1;
    const json_t *value = json_object_get(f, "value");
    const char *kind;
    json_t *v;
    json_object_foreach((json_t *)value, kind, v)
    {
        char buf[64];
        const char *s = json_string_value(v);
        if (strcmp(kind, "totp") == 0) return put_otp(it, s);
        if (json_is_object(v) && strcmp(kind, "sshKey") == 0) return ssh_key_fields(it, v);
        if (json_is_integer(v) && strcmp(kind, "date") == 0) {
            time_t t = (time_t)json_integer_value(v);
            struct tm tm;
            if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d", &tm)) s = buf;
        } else if (json_is_integer(v) && strcmp(kind, "monthYear") == 0) {
            json_int_t my = json_integer_value(v);
            if (it->type == KURA_TYPE_CARD && own) /* a card's expiry is MM/YYYY */
                snprintf(buf, sizeof buf, "%02lld/%04lld", (long long)(my % 100),
                         (long long)(my / 100));
            else
                snprintf(buf, sizeof buf, "%04lld-%02lld", (long long)(my / 100),
                         (long long)(my % 100));
            s = buf;
        } else if (json_is_object(v) && strcmp(kind, "email") == 0) {
            s = jstr(v, "email_address");
        } else if (json_is_object(v) && strcmp(kind, "address") == 0) {
            return address_fields(it, name, v);
        }
        if (!s) return NULL;
        int hidden = strcmp(kind, "concealed") == 0 || strcmp(kind, "creditCardNumber") == 0;
        int plain = it->type == KURA_TYPE_LOGIN || it->type == KURA_TYPE_GENERIC;
        if (plain && hidden && !it->password && id &&
            (id_is(id, "password") || id_is(id, "credential")))
            return put_text(it, KURA_PASSWORD, s);
        if (plain && !hidden && !it->username && id && id_is(id, "username"))
            return put_text(it, KURA_USERNAME, s);
        if (plain && !hidden && id && id_is(id, "url") && !it->n_urls) return put_urls(it, s, "\n");
        return put_field(it, name, s, hidden);
    }
    return NULL;
}

static const char *item_of(kura_item *it, const json_t *o, const char *vault_tag)
{
    const char *why = NULL;
    if (json_is_object(json_object_get(o, "item"))) o = json_object_get(o, "item");
    if (!json_is_object(o)) return "not an object";
    const char *state = jstr(o, "state");
    if (json_is_true(json_object_get(o, "trashed")) || (state && strcmp(state, "deleted") == 0))
        return "in 1Password's trash";
    const json_t *ov = json_object_get(o, "overview"), *det = json_object_get(o, "details"), *e, *s,
                 *f;
    size_t i, j, k;
    const char *category = jstr(o, "categoryUuid");
    int type = category ? KURA_TYPE_GENERIC : KURA_TYPE_LOGIN;
    for (i = 0; category && i < sizeof categories / sizeof *categories; i++)
        if (strcmp(categories[i].category, category) == 0) type = categories[i].type;
    if (kura_item_set_type(it, type) != KURA_OK) return "a bad type";
    TRY(put_text(it, KURA_TITLE, jstr(ov, "title")));
    TRY(put_urls(it, jstr(ov, "url"), "\n"));
    json_array_foreach(json_object_get(ov, "urls"), i, e) TRY(put_urls(it, jstr(e, "url"), "\n"));
    json_array_foreach(json_object_get(ov, "tags"), i, e) TRY(put_tag(it, json_string_value(e)));
    TRY(put_tag(it, vault_tag));
    if (state && strcmp(state, "archived") == 0) TRY(put_tag(it, "archived"));
    json_array_foreach(json_object_get(det, "loginFields"), i, f)
    {
        const char *d = jstr(f, "designation"), *value = jstr(f, "value");
        if (d && strcmp(d, "username") == 0)
            TRY(put_text(it, KURA_USERNAME, value));
        else if (d && strcmp(d, "password") == 0)
            TRY(put_text(it, KURA_PASSWORD, value));
        else
            TRY(put_field(it, jstr(f, "name"), value,
                          strcmp(jstr(f, "fieldType") ? jstr(f, "fieldType") : "", "P") == 0));
    }
    if (!it->password) TRY(put_text(it, KURA_PASSWORD, jstr(det, "password")));
    TRY(put_text(it, KURA_NOTES, jstr(det, "notesPlain")));
    json_array_foreach(json_object_get(det, "sections"), j, s)
        json_array_foreach(json_object_get(s, "fields"), k, f) TRY(section_field(it, f, category));
    if (json_is_object(json_object_get(det, "passkey")))
        TRY(put_passkey(it, json_object_get(det, "passkey")));
    it->created = json_integer_value(json_object_get(o, "createdAt"));
    it->updated = json_integer_value(json_object_get(o, "updatedAt"));
    return why;
}

/* 1 if an item's section fields hold a value of this kind ("file", "passkey"). */
static int has_kind(const json_t *det, const char *kind)
{
    size_t j, k;
    const json_t *s, *f;
    json_array_foreach(json_object_get(det, "sections"), j, s)
        json_array_foreach(json_object_get(s, "fields"), k,
                           f) if (json_object_get(json_object_get(f, "value"), kind)) return 1;
    return 0;
}

/* One document (a Document item's file, or a file field's) from the zip's files/, named
 * "<documentId>__<fileName>", to the sink: 1 if it said stop. */
static int one_file(reader *r, zip_t *z, const json_t *doc)
{
    const char *id = jstr(doc, "documentId"), *name = jstr(doc, "fileName");
    if (!z) {
        rd_dropped(r, "attachments (they come in the .1pux file, not in export.data alone)");
        return 0;
    }
    char path[600];
    zip_stat_t st;
    zip_file_t *f = NULL;
    unsigned char *data = NULL;
    if (!id || !name || snprintf(path, sizeof path, "files/%s__%s", id, name) >= (int)sizeof path ||
        zip_stat(z, path, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        rd_dropped(r, "attachments (the file names them but does not hold them)");
        return 0;
    }
    if (st.size > KURA_MAX_ATTACHMENT) {
        rd_dropped(r, "attachments (over 100 MiB)");
        return 0;
    }
    if (!import_budget_take(st.size)) {
        rd_dropped(r, "attachments (past the memory an import may take)");
        return 0;
    }
    int stop = 0;
    if (!(data = sodium_malloc(st.size ? st.size : 1)) || !(f = zip_fopen(z, path, 0)) ||
        zip_fread(f, data, st.size) != (zip_int64_t)st.size)
        rd_dropped(r, "attachments (unreadable in the zip)");
    else
        stop = rd_attach(r, name, data, st.size);
    if (f) zip_fclose(f);
    sodium_free(data);
    import_budget_give(st.size);
    return stop;
}

/* What an item holds beyond its fields: its files, to the sink, and what kura does not keep
 * (yet), said, never dropped silently. 1 if the sink said stop. */
static int extras_of(reader *r, zip_t *z, const json_t *o, const kura_item *it)
{
    if (json_is_object(json_object_get(o, "item"))) o = json_object_get(o, "item");
    const json_t *det = json_object_get(o, "details"), *sec, *f, *h;
    size_t j, k;
    json_array_foreach(json_object_get(det, "passwordHistory"), j, h)
        rd_old_password(r, it, jstr(h, "value"), json_integer_value(json_object_get(h, "time")));
    if (has_kind(det, "passkey")) rd_dropped(r, "passkeys (kura cannot use them)");
    const json_t *doc = json_object_get(det, "documentAttributes");
    if (json_is_object(doc) && one_file(r, z, doc)) return 1;
    json_array_foreach(json_object_get(det, "sections"), j, sec)
        json_array_foreach(json_object_get(sec, "fields"), k, f)
    {
        const json_t *file = json_object_get(json_object_get(f, "value"), "file");
        if (json_is_object(file) && one_file(r, z, file)) return 1;
    }
    return 0;
}

int read_1pux_json(reader *r, const unsigned char *text, size_t len, zip_t *z)
{
    json_error_t e;
    json_t *root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &e);
    char where[160];
    json_where(where, sizeof where, &e, 0);
    if (!root && json_error_code(&e) == json_error_out_of_memory) return rd_too_big(r);
    if (!root) return rd_fail(r, "its export.data is not JSON (%s)", where);
    json_t *accounts = json_object_get(root, "accounts"), *a, *vault, *o;
    int rc = json_is_array(accounts) ? KURA_OK : rd_fail(r, "its export.data holds no accounts");
    size_t vaults = 0, items = 0, done = 0, i, j, k;
    json_array_foreach(accounts, i, a) json_array_foreach(json_object_get(a, "vaults"), j, vault)
    {
        vaults++;
        items += json_array_size(json_object_get(vault, "items"));
    }
    json_array_foreach(accounts, i, a)
    {
        json_array_foreach(json_object_get(a, "vaults"), j, vault)
        {
            const char *tag = vaults > 1 ? jstr(json_object_get(vault, "attrs"), "name") : NULL;
            json_array_foreach(json_object_get(vault, "items"), k, o)
            {
                kura_item *it = rc == KURA_OK ? rd_next(r) : NULL;
                done++;
                const char *why = it ? item_of(it, o, tag) : NULL;
                if (it && !why && extras_of(r, z, o, it)) it = NULL;
                if (!it || rd_put(r, why, r->len / items * done)) {
                    if (rc == KURA_OK) rc = KURA_ERR_IO;
                    break;
                }
            }
        }
    }
    json_decref(root);
    return rc;
}

struct zip *zip_of(reader *r)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(r->text, r->len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        rd_fail(r, "it is not a zip archive kura can read (%s)", zip_error_strerror(&ze));
        if (src) zip_source_free(src);
    }
    zip_error_fini(&ze);
    return z;
}

int zip_member(reader *r, struct zip *z, const char *name, unsigned char **out, size_t *n)
{
    zip_stat_t st;
    int rc = KURA_OK;
    unsigned char *data = NULL;
    zip_file_t *f = NULL;
    *out = NULL;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) return KURA_ERR_NOT_FOUND;
    if (st.size > MAX_DATA || !import_budget_take(st.size))
        return rd_too_big(r); /* a zip bomb's member is refused before it is inflated */
    if (!(data = sodium_malloc(st.size ? st.size : 1)))
        rc = KURA_ERR_NOMEM;
    else if (!(f = zip_fopen(z, name, 0)) || zip_fread(f, data, st.size) != (zip_int64_t)st.size)
        rc = rd_fail(r, "its %s cannot be read (%s)", name, zip_strerror(z));
    if (f) zip_fclose(f);
    if (rc != KURA_OK) {
        import_budget_give(st.size);
        sodium_free(data);
        return rc;
    }
    *out = data;
    *n = st.size;
    return KURA_OK;
}

void zip_member_free(unsigned char *data, size_t n)
{
    if (data) import_budget_give(n);
    sodium_free(data);
}

int read_1pux_zip(reader *r)
{
    zip_t *z = zip_of(r);
    if (!z) return KURA_ERR_INVALID;
    unsigned char *data = NULL;
    size_t n = 0;
    int rc = zip_member(r, z, "export.data", &data, &n);
    if (rc == KURA_ERR_NOT_FOUND)
        rc = rd_fail(r, "it is a zip archive without export.data: not a .1pux file");
    if (rc == KURA_OK) rc = read_1pux_json(r, data, n, z);
    zip_member_free(data, n);
    zip_discard(z);
    return rc;
}
