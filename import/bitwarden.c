/* Bitwarden's JSON export (unencrypted): folders and collections become tags; logins keep
 * every URI, their TOTP and custom fields; secure notes, cards, identities and SSH keys become
 * kura's types of the same name, their members its fields (what kura's types do not name
 * kept as fields of their own name). Items in Bitwarden's trash are skipped. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "common.h"
#include "json_words.h"

/* The name of the element of list whose "id" is id. */
static const char *name_by_id(const json_t *list, const char *id)
{
    size_t i;
    json_t *e;
    if (!id) return NULL;
    json_array_foreach(list, i, e)
    {
        const char *eid = jstr(e, "id");
        if (eid && strcmp(eid, id) == 0) return jstr(e, "name");
    }
    return NULL;
}

/* Every string member of an object (a card, an identity) as a field; names from the table
 * where it has them, hidden where it says. */
typedef struct named {
    const char *key, *name;
    int hidden;
} named;

static const char *object_fields(kura_item *it, const json_t *o, const named *names, size_t n)
{
    const char *key, *why = NULL;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (!json_is_string(v) || why) continue;
        const char *name = key;
        int hidden = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i].key, key) == 0) {
                name = names[i].name;
                hidden = names[i].hidden;
            }
        if (name) why = put_field(it, name, json_string_value(v), hidden);
    }
    return why;
}

/* Bitwarden's expMonth and expYear as one expiry, MM/YYYY; kept as given when kura cannot
 * read them as a month. */
static const char *card_expiry(kura_item *it, const json_t *card)
{
    return put_expiry(it, jstr(card, "expMonth"), jstr(card, "expYear"));
}

/* address1, address2 and address3, one line each. */
static const char *identity_address(kura_item *it, const json_t *id)
{
    char lines[3 * KURA_MAX_SHORT + 4] = "";
    static const char *const keys[] = {"address1", "address2", "address3"};
    for (size_t k = 0; k < 3; k++) {
        const char *line = jstr(id, keys[k]);
        if (line && *line)
            snprintf(lines + strlen(lines), sizeof lines - strlen(lines), "%s%.*s",
                     *lines ? "\n" : "", KURA_MAX_SHORT, line);
    }
    return put_field(it, "address", lines, 0);
}

static const char *item_of(kura_item *it, const json_t *o, const json_t *root)
{
    const char *why = NULL;
    if (!json_is_object(o)) return "not an object";
    if (json_is_string(json_object_get(o, "deletedDate"))) return "in Bitwarden's trash";
    static const int types[] = {[1] = KURA_TYPE_LOGIN,
                                [2] = KURA_TYPE_NOTE,
                                [3] = KURA_TYPE_CARD,
                                [4] = KURA_TYPE_IDENTITY,
                                [5] = KURA_TYPE_SSH_KEY};
    json_int_t type = json_integer_value(json_object_get(o, "type"));
    if (type >= 1 && type <= 5 && kura_item_set_type(it, types[type]) != KURA_OK)
        return "a bad type";
    TRY(put_text(it, KURA_TITLE, jstr(o, "name")));
    TRY(put_text(it, KURA_NOTES, jstr(o, "notes")));
    TRY(put_group(it, name_by_id(json_object_get(root, "folders"), jstr(o, "folderId")), 0));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(o, "collectionIds"), i, e) TRY(
        put_group(it, name_by_id(json_object_get(root, "collections"), json_string_value(e)), 0));
    const json_t *login = json_object_get(o, "login");
    if (json_is_object(login)) {
        TRY(put_text(it, KURA_USERNAME, jstr(login, "username")));
        TRY(put_text(it, KURA_PASSWORD, jstr(login, "password")));
        json_array_foreach(json_object_get(login, "uris"), i, e)
            TRY(put_urls(it, jstr(e, "uri"), "\n"));
        TRY(put_otp(it, jstr(login, "totp")));
    }
    /* NULL: taken apart (below), or the item's username */
    static const named card[] = {{"cardholderName", "cardholder", 0},
                                 {"brand", "brand", 0},
                                 {"number", "number", 1},
                                 {"expMonth", NULL, 0},
                                 {"expYear", NULL, 0},
                                 {"code", "code", 1}};
    static const named ssh[] = {{"privateKey", "private-key", 1},
                                {"publicKey", "public-key", 0},
                                {"keyFingerprint", "fingerprint", 0}};
    static const named identity[] = {{"title", "honorific", 0},
                                     {"firstName", "first-name", 0},
                                     {"middleName", "middle-name", 0},
                                     {"lastName", "last-name", 0},
                                     {"address1", NULL, 0},
                                     {"address2", NULL, 0},
                                     {"address3", NULL, 0},
                                     {"city", "city", 0},
                                     {"state", "region", 0},
                                     {"postalCode", "postcode", 0},
                                     {"country", "country", 0},
                                     {"company", "company", 0},
                                     {"email", "email", 0},
                                     {"phone", "phone", 0},
                                     {"ssn", "national-id", 1},
                                     {"username", NULL, 0},
                                     {"passportNumber", "passport", 1},
                                     {"licenseNumber", "license", 1}};
    const json_t *part;
    if (json_is_object(part = json_object_get(o, "card"))) {
        TRY(object_fields(it, part, card, sizeof card / sizeof card[0]));
        TRY(card_expiry(it, part));
    }
    if (json_is_object(part = json_object_get(o, "identity"))) {
        TRY(object_fields(it, part, identity, sizeof identity / sizeof identity[0]));
        TRY(identity_address(it, part));
        if (!it->username) TRY(put_text(it, KURA_USERNAME, jstr(part, "username")));
    }
    if (json_is_object(part = json_object_get(o, "sshKey")))
        TRY(object_fields(it, part, ssh, sizeof ssh / sizeof ssh[0]));
    json_array_foreach(json_object_get(o, "fields"), i, e)
    {
        json_int_t kind = json_integer_value(json_object_get(e, "type"));
        const char *value = jstr(e, "value");
        if (kind == 3 || !value) continue; /* a linked field holds no value of its own */
        TRY(put_field(it, jstr(e, "name"), value, kind == 1));
    }
    json_array_foreach(json_object_get(json_object_get(o, "login"), "fido2Credentials"), i, e)
        TRY(put_passkey(it, e));
    it->created = kura_time_parse(jstr(o, "creationDate"), 0);
    it->updated = kura_time_parse(jstr(o, "revisionDate"), 0);
    return why;
}

/* What an item holds beyond its fields: its password history, as older versions of it (the
 * item with each old password, current until lastUsedDate), and what kura does not keep,
 * said, never dropped silently. */
static void dropped_of(reader *r, const json_t *o, const kura_item *it)
{
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(o, "passwordHistory"), i, h)
        rd_old_password(r, it, jstr(h, "password"), kura_time_parse(jstr(h, "lastUsedDate"), 0));
    if (json_array_size(json_object_get(o, "attachments")))
        rd_dropped(r, "attachments (a Bitwarden JSON export holds only their names)");
}

static const char *fill(reader *r, kura_item *it, const json_t *o, void *root)
{
    const char *why = item_of(it, o, root);
    if (!why) dropped_of(r, o, it);
    return why;
}

int read_bitwarden(reader *r)
{
    int rc;
    json_t *root = rd_json(r, r->text, r->len, &rc), *items = json_object_get(root, "items");
    if (!root) return rc;
    if (json_is_true(json_object_get(root, "encrypted")) ||
        json_is_true(json_object_get(root, "passwordProtected")))
        rc = rd_fail(r, "it is an encrypted Bitwarden export; export the vault from Bitwarden "
                        "again as .json, not .json (Encrypted)");
    else if (!json_is_array(items))
        rc = rd_fail(r, "it holds no list of items");
    size_t done = 0;
    if (rc == KURA_OK) rc = rd_each(r, items, fill, root, &done, json_array_size(items));
    json_decref(root);
    return rc;
}
