/* Keeper's JSON export (docs.keeper.io, "Import JSON"): records of title, login, password,
 * login_url, notes, folders (a shared folder and a folder below it) and custom_fields, whose
 * keys are "$type:label::n" for Keeper's typed fields ($oneTimeCode, $paymentCard, $name,
 * $address, $phone, $keyPair...) or a label. The record's $type picks kura's type; each typed
 * field goes where kura keeps it, and everything else becomes a field of its label, hidden when
 * Keeper's type is a secret, so nothing is left out. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "common.h"
#include "json_words.h"

static int record_type(const char *t)
{
    static const struct {
        const char *keeper;
        int type;
    } types[] = {
        {"login", KURA_TYPE_LOGIN},
        {"bankCard", KURA_TYPE_CARD},
        {"sshKeys", KURA_TYPE_SSH_KEY},
        {"encryptedNotes", KURA_TYPE_NOTE},
        {"address", KURA_TYPE_IDENTITY},
        {"contact", KURA_TYPE_IDENTITY},
        {"driverLicense", KURA_TYPE_IDENTITY},
        {"passport", KURA_TYPE_IDENTITY},
        {"ssnCard", KURA_TYPE_IDENTITY},
        {"birthCertificate", KURA_TYPE_IDENTITY},
    };
    if (!t) return KURA_TYPE_LOGIN;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].keeper, t) == 0) return types[i].type;
    return KURA_TYPE_GENERIC; /* a server, a database, a bank account, a file... */
}

/* "$type:label::1" into type ("" when none) and label ("" when none). */
static void field_key(const char *key, char type[64], char label[256])
{
    type[0] = label[0] = '\0';
    if (key[0] == '$') {
        size_t n = strcspn(key + 1, ":");
        snprintf(type, 64, "%.*s", (int)n, key + 1);
        key += 1 + n + (key[1 + n] == ':');
    }
    snprintf(label, 256, "%s", key);
    size_t n = strlen(label);
    while (n && label[n - 1] >= '0' && label[n - 1] <= '9')
        n--;
    if (n >= 2 && label[n - 1] == ':' && label[n - 2] == ':')
        label[n - 2] = '\0';
    else if (n >= 1 && n < strlen(label) && label[n - 1] == ':')
        label[n - 1] = '\0';
}

/* Keeper's dates: milliseconds since the epoch, as YYYY-MM-DD. */
static void date_of(char out[32], const json_t *v)
{
    time_t t = (time_t)(json_integer_value(v) / 1000);
    struct tm tm;
    if (json_is_integer(v) && gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%d", &tm);
    else
        snprintf(out, 32, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static int secret_type(const char *type)
{
    static const char *const secret[] = {"secret",           "pinCode",       "password",
                                         "cardSecurityCode", "accountNumber", "licenseNumber",
                                         "oneTimeCode",      "note"};
    for (size_t i = 0; i < sizeof secret / sizeof *secret; i++)
        if (strcmp(secret[i], type) == 0) return 1;
    return 0;
}

/* One value of a typed or labelled custom field into it. */
static const char *one_value(kura_item *it, const char *type, const char *label, const json_t *v)
{
    const char *name = *label ? label : *type ? type : "field", *why = NULL;
    char date[32];
    if (strcmp(type, "appFiller") == 0) return NULL; /* how Keeper fills apps, not data */
    if (strcmp(type, "oneTimeCode") == 0 && json_is_string(v))
        return kura_item_field(it, KURA_OTP_FIELD) ? put_field(it, "TOTP", json_string_value(v), 1)
                                                   : put_otp(it, json_string_value(v));
    if (strcmp(type, "url") == 0 && json_is_string(v))
        return put_urls(it, json_string_value(v), "\n");
    if (strcmp(type, "email") == 0 && json_is_string(v))
        return put_field(it, "email", json_string_value(v), 0);
    if (strcmp(type, "text") == 0 && strcmp(label, "cardholderName") == 0 && json_is_string(v))
        return put_field(it, "cardholder", json_string_value(v), 0);
    if (strcmp(type, "pinCode") == 0 && json_is_string(v))
        return put_field(it, "pin", json_string_value(v), 1);
    if ((strcmp(type, "birthDate") == 0 || strcmp(type, "date") == 0 ||
         strcmp(type, "expirationDate") == 0) &&
        !json_is_object(v)) {
        date_of(date, v);
        return put_field(it, strcmp(type, "birthDate") == 0 ? "birthday" : name, date, 0);
    }
    if (strcmp(type, "paymentCard") == 0 && json_is_object(v)) {
        why = put_field(it, "number", jstr(v, "cardNumber"), 1);
        if (!why) why = put_field(it, "code", jstr(v, "cardSecurityCode"), 1);
        if (!why) why = put_expiry(it, NULL, jstr(v, "cardExpirationDate"));
        return why;
    }
    if (strcmp(type, "name") == 0 && json_is_object(v)) {
        why = put_field(it, "first-name", jstr(v, "first"), 0);
        if (!why) why = put_field(it, "middle-name", jstr(v, "middle"), 0);
        if (!why) why = put_field(it, "last-name", jstr(v, "last"), 0);
        return why;
    }
    if (strcmp(type, "address") == 0 && json_is_object(v)) {
        const char *s1 = jstr(v, "street1"), *s2 = jstr(v, "street2");
        char street[1024];
        snprintf(street, sizeof street, "%s%s%s", s1 ? s1 : "", s1 && *s1 && s2 && *s2 ? "\n" : "",
                 s2 ? s2 : "");
        why = put_field(it, "address", street, 0);
        if (!why) why = put_field(it, "city", jstr(v, "city"), 0);
        if (!why) why = put_field(it, "region", jstr(v, "state"), 0);
        if (!why) why = put_field(it, "postcode", jstr(v, "zip"), 0);
        if (!why) why = put_field(it, "country", jstr(v, "country"), 0);
        return why;
    }
    if (strcmp(type, "phone") == 0 && json_is_object(v)) {
        const char *num = jstr(v, "number"), *ext = jstr(v, "ext"), *region = jstr(v, "region"),
                   *kind = jstr(v, "type");
        int r = region && *region, x = ext && *ext, k = kind && *kind;
        char phone[512]; /* (US) 555-0100 ext. 12 (Mobile) */
        snprintf(phone, sizeof phone, "%s%s%s%s%s%s%s%s%s", r ? "(" : "", r ? region : "",
                 r ? ") " : "", num ? num : "", x ? " ext. " : "", x ? ext : "", k ? " (" : "",
                 k ? kind : "", k ? ")" : "");
        return put_field(it, "phone", phone, 0);
    }
    if (strcmp(type, "keyPair") == 0 && json_is_object(v)) {
        why = put_field(it, "public-key", jstr(v, "publicKey"), 0);
        if (!why) why = put_field(it, "private-key", jstr(v, "privateKey"), 1);
        return why;
    }
    if (strcmp(type, "host") == 0 && json_is_object(v)) {
        why = put_field(it, "host", jstr(v, "hostName"), 0);
        if (!why) why = put_field(it, "port", jstr(v, "port"), 0);
        return why;
    }
    if (strcmp(type, "securityQuestion") == 0 && json_is_object(v)) {
        why = put_field(it, "security question", jstr(v, "question"), 0);
        if (!why) why = put_field(it, "security answer", jstr(v, "answer"), 1);
        return why;
    }
    if (strcmp(type, "bankAccount") == 0 && json_is_object(v)) {
        const char *kind = jstr(v, "otherType");
        why = put_field(it, "account type", kind && *kind ? kind : jstr(v, "accountType"), 0);
        if (!why) why = put_field(it, "account number", jstr(v, "accountNumber"), 1);
        if (!why) why = put_field(it, "routing number", jstr(v, "routingNumber"), 0);
        return why;
    }
    if (json_is_string(v)) return put_field(it, name, json_string_value(v), secret_type(type));
    if (json_is_number(v) || json_is_boolean(v) || json_is_object(v)) { /* kept as written */
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        why = text ? put_field(it, name, text, secret_type(type)) : "out of memory";
        free(text);
        return why;
    }
    return NULL;
}

static const char *item_of(reader *r, kura_item *it, const json_t *o)
{
    const char *why = NULL, *key;
    size_t i;
    json_t *e, *v;
    if (!json_is_object(o)) return "not an object";
    int type = record_type(jstr(o, "$type"));
    if (kura_item_set_type(it, type) != KURA_OK) return "a bad type";
    TRY(put_text(it, KURA_TITLE, jstr(o, "title")));
    TRY(put_text(it, KURA_USERNAME, jstr(o, "login")));
    if (type == KURA_TYPE_SSH_KEY)
        TRY(put_field(it, "passphrase", jstr(o, "password"), 1));
    else
        TRY(put_text(it, KURA_PASSWORD, jstr(o, "password")));
    TRY(put_urls(it, jstr(o, "login_url"), "\n"));
    TRY(put_text(it, KURA_NOTES, jstr(o, "notes")));
    json_array_foreach(json_object_get(o, "folders"), i, e)
    {
        const char *shared = jstr(e, "shared_folder"), *folder = jstr(e, "folder");
        char path[2048];
        snprintf(path, sizeof path, "%s%s%s", shared ? shared : "",
                 shared && *shared && folder && *folder ? "/" : "", folder ? folder : "");
        TRY(put_group(it, path, 0));
    }
    json_object_foreach(json_object_get(o, "custom_fields"), key, v)
    {
        char ftype[64], label[256];
        field_key(key, ftype, label);
        if (json_is_array(v))
            json_array_foreach(v, i, e) TRY(one_value(it, ftype, label, e));
        else
            TRY(one_value(it, ftype, label, v));
    }
    if (json_object_size(json_object_get(o, "references")))
        rd_dropped(r, "references to other records (Keeper's links between records)");
    json_int_t modified = json_integer_value(json_object_get(o, "last_modified"));
    it->updated = modified > 100000000000LL ? modified / 1000 : modified;
    return why;
}

static const char *fill(reader *r, kura_item *it, const json_t *o, void *ctx)
{
    (void)ctx;
    return item_of(r, it, o);
}

int read_keeper_json(reader *r)
{
    int rc;
    json_t *root = rd_json(r, r->text, r->len, &rc), *records = json_object_get(root, "records");
    if (!root) return rc;
    if (!json_is_array(records)) rc = rd_fail(r, "it holds no list of records");
    size_t done = 0;
    if (rc == KURA_OK) rc = rd_each(r, records, fill, NULL, &done, json_array_size(records));
    json_decref(root);
    return rc;
}
