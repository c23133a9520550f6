/* Proton Pass's export: a zip holding "Proton Pass/data.json" (or that JSON alone). Each
 * vault's items: logins (username or email, password, URLs, TOTP, passkeys kept hidden),
 * aliases (their address the username), notes, credit cards and identities as kura's types,
 * every extra field a field (hidden ones hidden); vault names become tags when there are
 * several. The PGP-encrypted export is refused with what to do instead; the trash is skipped. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <zip.h>

#include "common.h"
#include "json_words.h"

#define DATA_JSON "Proton Pass/data.json"
#define DATA_PGP "Proton Pass/data.pgp"

int protonpass_zip(struct zip *z)
{
    return zip_name_locate(z, DATA_JSON, 0) >= 0 || zip_name_locate(z, DATA_PGP, 0) >= 0;
}

/* Proton Pass's extra fields ({fieldName, type: text|hidden|totp, data: {content|totpUri}}). */
static const char *extra_fields(kura_item *it, const json_t *list)
{
    size_t i;
    json_t *f;
    const char *why = NULL;
    json_array_foreach(list, i, f)
    {
        const char *name = jstr(f, "fieldName"), *type = jstr(f, "type");
        const json_t *data = json_object_get(f, "data");
        const char *value = jstr(data, "content");
        if (type && strcmp(type, "totp") == 0) {
            const char *uri = jstr(data, "totpUri");
            if (!uri) uri = value;
            why = kura_item_field(it, KURA_OTP_FIELD) ? put_field(it, name, uri, 1)
                                                      : put_otp(it, uri);
        } else {
            why = put_field(it, name, value, type && strcmp(type, "hidden") == 0);
        }
        if (why) break;
    }
    return why;
}

/* A card's and an identity's members and kura's names for them (NULL: read by the caller). */
static const struct {
    const char *key, *name;
    int hidden;
} members[] = {
    {"cardholderName", "cardholder", 0},
    {"number", "number", 1},
    {"verificationNumber", "code", 1},
    {"pin", "pin", 1},
    {"expirationDate", NULL, 0},
    {"cardType", NULL, 0},
    {"fullName", NULL, 0},
    {"firstName", "first-name", 0},
    {"middleName", "middle-name", 0},
    {"lastName", "last-name", 0},
    {"birthdate", "birthday", 0},
    {"email", "email", 0},
    {"phoneNumber", "phone", 0},
    {"organization", "company", 0},
    {"company", "company", 0},
    {"streetAddress", "address", 0},
    {"zipOrPostalCode", "postcode", 0},
    {"city", "city", 0},
    {"stateOrProvince", "region", 0},
    {"countryOrRegion", "country", 0},
    {"socialSecurityNumber", "national-id", 1},
    {"passportNumber", "passport", 1},
    {"licenseNumber", "license", 1},
    {"website", NULL, 0},
    {"itemEmail", NULL, 0},
    {"itemUsername", NULL, 0},
    {"password", NULL, 0},
    {"urls", NULL, 0},
    {"totpUri", NULL, 0},
    {"passkeys", NULL, 0},
};

/* Every member of a card's or an identity's content: kura's field where it has one, a field of
 * the member's name otherwise; lists of extra fields and sections as fields. */
static const char *content_fields(kura_item *it, const json_t *content)
{
    const char *key, *why = NULL;
    json_t *v;
    json_object_foreach((json_t *)content, key, v)
    {
        if (why) break;
        size_t i = 0;
        while (i < sizeof members / sizeof *members && strcmp(members[i].key, key) != 0)
            i++;
        int known = i < sizeof members / sizeof *members;
        if (json_is_array(v) && strcmp(key, "extraSections") == 0) {
            size_t k;
            json_t *sec;
            json_array_foreach(v, k, sec)
            {
                if (!why) why = extra_fields(it, json_object_get(sec, "sectionFields"));
            }
        } else if (json_is_array(v) && !known) {
            why = extra_fields(it, v);
        } else if (json_is_string(v) && (!known || members[i].name)) {
            const char *name = known ? members[i].name : key;
            why = put_field(it, name, json_string_value(v), known && members[i].hidden);
        }
    }
    return why;
}

static const char *item_of(kura_item *it, const json_t *o, const char *vault)
{
    const json_t *data = json_object_get(o, "data"), *meta = json_object_get(data, "metadata");
    const json_t *content = json_object_get(data, "content");
    const char *type = jstr(data, "type"), *why = NULL;
    size_t i;
    json_t *e;
    if (json_integer_value(json_object_get(o, "state")) == 2) return "in Proton Pass's trash";
    if (!type) return "an item without a type";
    int kind = strcmp(type, "creditCard") == 0 ? KURA_TYPE_CARD
               : strcmp(type, "identity") == 0 ? KURA_TYPE_IDENTITY
               : strcmp(type, "note") == 0     ? KURA_TYPE_NOTE
                                               : KURA_TYPE_LOGIN; /* login, alias */
    if (kura_item_set_type(it, kind) != KURA_OK) return "a bad type";
    TRY(put_text(it, KURA_TITLE, jstr(meta, "name")));
    TRY(put_text(it, KURA_NOTES, jstr(meta, "note")));
    if (strcmp(type, "login") == 0) {
        const char *user = jstr(content, "itemUsername"), *email = jstr(content, "itemEmail");
        TRY(put_text(it, KURA_USERNAME, user && *user ? user : email));
        if (user && *user) TRY(put_field(it, "email", email, 0));
        TRY(put_text(it, KURA_PASSWORD, jstr(content, "password")));
        json_array_foreach(json_object_get(content, "urls"), i, e)
            TRY(put_urls(it, json_string_value(e), "\n"));
        TRY(put_otp(it, jstr(content, "totpUri")));
        json_array_foreach(json_object_get(content, "passkeys"), i, e) TRY(put_passkey(it, e));
    } else if (strcmp(type, "alias") == 0) {
        TRY(put_text(it, KURA_USERNAME, jstr(o, "aliasEmail")));
        TRY(put_tag(it, "alias"));
    } else if (strcmp(type, "creditCard") == 0) {
        TRY(content_fields(it, content));
        TRY(put_expiry(it, NULL, jstr(content, "expirationDate"))); /* YYYY-MM */
    } else if (strcmp(type, "identity") == 0) {
        const char *full = jstr(content, "fullName"), *first = jstr(content, "firstName"),
                   *last = jstr(content, "lastName");
        TRY(content_fields(it, content));
        if ((!first || !*first) && (!last || !*last)) TRY(put_field(it, "full name", full, 0));
        TRY(put_urls(it, jstr(content, "website"), "\n"));
    }
    TRY(extra_fields(it, json_object_get(data, "extraFields")));
    if (vault) TRY(put_tag(it, vault));
    it->created = json_integer_value(json_object_get(o, "createTime"));
    it->updated = json_integer_value(json_object_get(o, "modifyTime"));
    return why;
}

static const char *fill(reader *r, kura_item *it, const json_t *o, void *vault_name)
{
    (void)r;
    return item_of(it, o, vault_name);
}

static int read_json(reader *r, const unsigned char *text, size_t len)
{
    int rc;
    json_t *root = rd_json(r, text, len, &rc), *vaults = json_object_get(root, "vaults"), *vault;
    if (!root) return rc;
    if (json_is_true(json_object_get(root, "encrypted")))
        rc = rd_fail(r, "it is Proton Pass's encrypted export; export again from Proton Pass "
                        "with encryption off");
    else if (!json_is_object(vaults))
        rc = rd_fail(r, "it holds no vaults: not a Proton Pass export");
    const char *id;
    size_t items = 0, done = 0;
    json_object_foreach(vaults, id, vault) items +=
        json_array_size(json_object_get(vault, "items"));
    int tag = json_object_size(vaults) > 1;
    json_object_foreach(vaults, id, vault)
    {
        if (rc != KURA_OK) break;
        const char *name = tag ? jstr(vault, "name") : NULL;
        rc = rd_each(r, json_object_get(vault, "items"), fill, (void *)name, &done, items);
    }
    json_decref(root);
    return rc;
}

int read_protonpass(reader *r)
{
    size_t off = 0;
    while (off < r->len && (r->text[off] == ' ' || r->text[off] == '\n' || r->text[off] == '\r' ||
                            r->text[off] == '\t'))
        off++;
    if (off < r->len && r->text[off] == '{') return read_json(r, r->text + off, r->len - off);
    if (r->len >= 27 && memcmp(r->text + off, "-----BEGIN PGP MESSAGE-----", 27) == 0)
        return rd_fail(r, "it is PGP-encrypted (as Proton Pass's encrypted export is), which kura "
                          "cannot open; export again from Proton Pass with encryption off");
    struct zip *z = zip_of(r);
    if (!z) return KURA_ERR_INVALID;
    unsigned char *data = NULL;
    size_t n = 0;
    int rc = zip_member(r, z, DATA_JSON, &data, &n);
    if (rc == KURA_ERR_NOT_FOUND)
        rc =
            zip_name_locate(z, DATA_PGP, 0) >= 0
                ? rd_fail(r, "it is Proton Pass's PGP-encrypted export, which kura cannot open; "
                             "export again from Proton Pass with encryption off")
                : rd_fail(r, "it is a zip archive without %s: not a Proton Pass export", DATA_JSON);
    if (rc == KURA_OK) rc = read_json(r, data, n);
    zip_member_free(data, n);
    zip_discard(z);
    return rc;
}
