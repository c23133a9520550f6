/* 1Password's .1pux export: a zip (libzip) whose export.data is JSON, accounts holding vaults
 * holding items. Usernames and passwords come from the login fields that 1Password designates
 * as such; every section field becomes a field (concealed ones hidden), a one-time password
 * the otp field. Vault names become tags when there is more than one vault; archived items
 * get the tag "archived"; items in the trash are skipped. Attachments are not carried. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>
#include <zip.h>

#include "common.h"
#include "json_words.h"

#define MAX_DATA (1u << 30)

/* A section field's value: {"<kind>": value}. Strings are taken as they are; dates, months
 * and addresses are written out; others (files, references) are not kept. */
static const char *section_field(kura_item *it, const json_t *f)
{
    const char *name = jstr(f, "title");
    if (!name || !*name) name = jstr(f, "id");
    const json_t *value = json_object_get(f, "value");
    const char *kind;
    json_t *v;
    json_object_foreach((json_t *)value, kind, v)
    {
        char buf[64];
        const char *s = json_string_value(v);
        if (strcmp(kind, "totp") == 0) return put_otp(it, s);
        if (json_is_integer(v) && strcmp(kind, "date") == 0) {
            time_t t = (time_t)json_integer_value(v);
            struct tm tm;
            if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%d", &tm)) s = buf;
        } else if (json_is_integer(v) && strcmp(kind, "monthYear") == 0) {
            json_int_t my = json_integer_value(v);
            snprintf(buf, sizeof buf, "%04lld-%02lld", (long long)(my / 100),
                     (long long)(my % 100));
            s = buf;
        } else if (json_is_object(v) && strcmp(kind, "email") == 0) {
            s = jstr(v, "email_address");
        } else if (json_is_object(v) && strcmp(kind, "address") == 0) {
            char addr[1024] = "";
            const char *parts[] = {"street", "city", "state", "zip", "country"};
            for (size_t i = 0; i < 5; i++) {
                const char *p = jstr(v, parts[i]);
                if (!p || !*p) continue;
                size_t have = strlen(addr);
                snprintf(addr + have, sizeof addr - have, "%s%s", have ? ", " : "", p);
            }
            return put_field(it, name, addr, 0);
        }
        if (!s) return NULL;
        int hidden = strcmp(kind, "concealed") == 0 || strcmp(kind, "creditCardNumber") == 0;
        return put_field(it, name, s, hidden);
    }
    return NULL;
}

static const char *item_of(kura_item *it, const json_t *o, const char *vault_tag)
{
    const char *why = NULL;
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if (!why) why = (x);                                                                       \
    } while (0)
    if (json_is_object(json_object_get(o, "item"))) o = json_object_get(o, "item");
    if (!json_is_object(o)) return "not an object";
    const char *state = jstr(o, "state");
    if (json_is_true(json_object_get(o, "trashed")) || (state && strcmp(state, "deleted") == 0))
        return "in 1Password's trash";
    const json_t *ov = json_object_get(o, "overview"), *det = json_object_get(o, "details"), *e, *s,
                 *f;
    size_t i, j, k;
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
        json_array_foreach(json_object_get(s, "fields"), k, f) TRY(section_field(it, f));
    it->created = json_integer_value(json_object_get(o, "createdAt"));
    it->updated = json_integer_value(json_object_get(o, "updatedAt"));
#undef TRY
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

/* What an item holds that kura does not keep (yet): said, never dropped silently. */
static void dropped_of(reader *r, const json_t *o)
{
    if (json_is_object(json_object_get(o, "item"))) o = json_object_get(o, "item");
    const json_t *det = json_object_get(o, "details");
    if (json_array_size(json_object_get(det, "passwordHistory"))) rd_dropped(r, "password history");
    if (json_object_get(det, "documentAttributes") || has_kind(det, "file"))
        rd_dropped(r, "attachments");
    if (json_object_get(det, "passkey") || has_kind(det, "passkey"))
        rd_dropped(r, "passkeys (kura cannot use them)");
}

int read_1pux_json(reader *r, const unsigned char *text, size_t len)
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
                if (it && !why) dropped_of(r, o);
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

int read_1pux_zip(reader *r)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(r->text, r->len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        int rc = rd_fail(r, "it is not a zip archive kura can read (%s)", zip_error_strerror(&ze));
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    zip_stat_t st;
    int rc = KURA_OK;
    unsigned char *data = NULL;
    zip_file_t *f = NULL;
    if (zip_stat(z, "export.data", 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        rc = rd_fail(r, "it is a zip archive without export.data: not a .1pux file");
    else if (st.size > MAX_DATA || !import_budget_take(st.size))
        rc = rd_too_big(r); /* a zip bomb's export.data is refused before it is inflated */
    else if (!(data = sodium_malloc(st.size ? st.size : 1)))
        rc = KURA_ERR_NOMEM;
    else if (!(f = zip_fopen(z, "export.data", 0)) ||
             zip_fread(f, data, st.size) != (zip_int64_t)st.size)
        rc = rd_fail(r, "its export.data cannot be read (%s)", zip_strerror(z));
    if (f) zip_fclose(f);
    if (rc == KURA_OK) rc = read_1pux_json(r, data, st.size);
    if (data) import_budget_give(st.size);
    sodium_free(data);
    zip_discard(z);
    return rc;
}
