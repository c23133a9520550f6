/* Dashlane's JSON export: an object of sections (AUTHENTIFIANT for logins, SECURENOTE,
 * PAYMENTMEANS_CREDITCARD, BANKSTATEMENT, IDENTITY, EMAIL, PHONE, ADDRESS, COMPANY,
 * PERSONALWEBSITE, IDCARD, PASSPORT, DRIVERLICENCE, SOCIALSECURITYSTATEMENT, FISCALSTATEMENT,
 * PAYMENTMEAN_PAYPAL), each a list of objects. One table says, for each section, kura's type, the
 * member that names the item and where each member goes; every other member with a value is a
 * field of its name, so nothing is left out, and a section kura has never seen is read as
 * generic items the same way. */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "common.h"
#include "json_words.h"

/* Where a member goes: an item text, a field (hidden or not), a URL, a tag, or nowhere
 * (Dashlane's own bookkeeping). */
enum to { T_TEXT, T_FIELD, T_HIDDEN, T_URL, T_TAG, T_SKIP, T_NAME, T_EXP_MONTH, T_EXP_YEAR };

typedef struct member {
    const char *key;
    enum to to;
    const char *name; /* the field's name; T_TEXT: unused (which says the text) */
    int which;
} member;

typedef struct section {
    const char *name;
    int type;
    const char *title; /* the member that names the item */
    const char *label; /* else the item is named this (and a document: its holder and this) */
    member members[16];
    int document;
} section;

#define TEXT(k, w)                                                                                 \
    {                                                                                              \
        k, T_TEXT, NULL, w                                                                         \
    }
#define FIELD(k, n)                                                                                \
    {                                                                                              \
        k, T_FIELD, n, 0                                                                           \
    }
#define HIDDEN(k, n)                                                                               \
    {                                                                                              \
        k, T_HIDDEN, n, 0                                                                          \
    }

static const section sections[] = {
    {.name = "AUTHENTIFIANT",
     KURA_TYPE_LOGIN,
     "title",
     NULL,
     {TEXT("login", KURA_USERNAME),
      TEXT("password", KURA_PASSWORD),
      TEXT("note", KURA_NOTES),
      {"domain", T_URL, NULL, 0},
      {"url", T_URL, NULL, 0},
      FIELD("email", "email"),
      FIELD("secondaryLogin", "secondary login"),
      {"otpSecret", T_HIDDEN, KURA_OTP_FIELD, 0},
      {"category", T_TAG, NULL, 0}}},
    {.name = "SECURENOTE", KURA_TYPE_NOTE, "title", NULL, {TEXT("content", KURA_NOTES)}},
    {.name = "PAYMENTMEANS_CREDITCARD",
     KURA_TYPE_CARD,
     "name",
     "credit card",
     {FIELD("owner", "cardholder"),
      HIDDEN("cardNumber", "number"),
      HIDDEN("securityCode", "code"),
      {"expireMonth", T_EXP_MONTH, NULL, 0},
      {"expireYear", T_EXP_YEAR, NULL, 0},
      FIELD("bank", "bank"),
      FIELD("type", "brand"),
      TEXT("cCNote", KURA_NOTES)}},
    {.name = "PAYMENTMEAN_PAYPAL",
     KURA_TYPE_LOGIN,
     "name",
     "PayPal",
     {TEXT("login", KURA_USERNAME), TEXT("password", KURA_PASSWORD)}},
    {.name = "BANKSTATEMENT",
     KURA_TYPE_GENERIC,
     "BankAccountName",
     "bank account",
     {FIELD("BankAccountOwner", "account holder"), HIDDEN("BankAccountIBAN", "IBAN"),
      HIDDEN("BankAccountBIC", "BIC"), FIELD("BankAccountBank", "bank")}},
    {.name = "IDENTITY",
     KURA_TYPE_IDENTITY,
     "fullName",
     "identity",
     {{"fullName", T_NAME, NULL, 0},
      FIELD("firstName", "first-name"),
      FIELD("middleName", "middle-name"),
      FIELD("lastName", "last-name"),
      FIELD("title", "honorific"),
      TEXT("pseudo", KURA_USERNAME),
      FIELD("birthDate", "birthday"),
      FIELD("birthPlace", "place of birth")}},
    {.name = "EMAIL", KURA_TYPE_IDENTITY, "emailName", "email", {FIELD("email", "email")}},
    {.name = "PHONE", KURA_TYPE_IDENTITY, "phoneName", "phone", {FIELD("number", "phone")}},
    {.name = "ADDRESS",
     KURA_TYPE_IDENTITY,
     "addressName",
     "address",
     {FIELD("addressFull", "address"), FIELD("city", "city"), FIELD("state", "region"),
      FIELD("zipcode", "postcode"), FIELD("country", "country"), FIELD("receiver", "recipient")}},
    {.name = "COMPANY", KURA_TYPE_IDENTITY, "name", "company", {FIELD("jobTitle", "job title")}},
    {.name = "PERSONALWEBSITE",
     KURA_TYPE_GENERIC,
     "name",
     "website",
     {{"website", T_URL, NULL, 0}}},
    {.name = "IDCARD",
     KURA_TYPE_IDENTITY,
     "fullname",
     "ID card",
     {{"fullname", T_NAME, NULL, 0}, HIDDEN("number", "national-id")},
     1},
    {.name = "PASSPORT",
     KURA_TYPE_IDENTITY,
     "fullname",
     "passport",
     {{"fullname", T_NAME, NULL, 0}, HIDDEN("number", "passport")},
     1},
    {.name = "DRIVERLICENCE",
     KURA_TYPE_IDENTITY,
     "fullname",
     "driver's license",
     {{"fullname", T_NAME, NULL, 0}, HIDDEN("number", "license")},
     1},
    {.name = "SOCIALSECURITYSTATEMENT",
     KURA_TYPE_IDENTITY,
     "SocialSecurityFullname",
     "social security",
     {{"SocialSecurityFullname", T_NAME, NULL, 0}, HIDDEN("socialSecurityNumber", "national-id")},
     1},
    {.name = "FISCALSTATEMENT",
     KURA_TYPE_GENERIC,
     NULL,
     "tax number",
     {HIDDEN("fiscalNumber", "tax number"), FIELD("teledeclarantNumber", "online filing number")}},
};

/* Dashlane's bookkeeping, in every section: how it shows and syncs an item, never what it
 * holds. */
static const char *const bookkeeping[] = {
    "id",
    "anonId",
    "kwType",
    "localeFormat",
    "spaceId",
    "lastBackupTime",
    "creationDatetime",
    "userModificationDatetime",
    "lastUse",
    "numberUse",
    "strength",
    "autoLogin",
    "autoProtected",
    "subdomainOnly",
    "useFixedUrl",
    "checked",
    "status",
    "attachments",
    "type",
    "color",
    "secured",
    "linkedServices",
};

static int is_bookkeeping(const char *key)
{
    for (size_t i = 0; i < sizeof bookkeeping / sizeof *bookkeeping; i++)
        if (strcmp(bookkeeping[i], key) == 0) return 1;
    return 0;
}

/* A member's value as text: a string as it is, a number written out; NULL for others. */
static const char *text_value(const json_t *v, char buf[32])
{
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* The words that make a member Dashlane does not name here hidden. */
static const char *const dashlane_secret[] = {"password", "secret", "number", "code",
                                              "pin",      "iban",   NULL};

static const char *item_of(kura_item *it, const json_t *o, const section *sec, const char *name)
{
    const char *why = NULL, *key;
    json_t *v;
    char buf[32], month[32] = "", year[32] = "";
    if (!json_is_object(o)) return "not an object";
    int type = sec ? sec->type : KURA_TYPE_GENERIC;
    if (kura_item_set_type(it, type) != KURA_OK) return "a bad type";
    const char *title = sec && sec->title ? jstr(o, sec->title) : NULL;
    char named[600];
    if (title && *title && sec->document) {
        snprintf(named, sizeof named, "%s %s", title, sec->label);
        why = put_text(it, KURA_TITLE, named);
    } else if (title && *title)
        why = put_text(it, KURA_TITLE, title);
    else if (!sec || sec->type != KURA_TYPE_LOGIN) /* a login is named by its site */
        why = put_text(it, KURA_TITLE, sec && sec->label ? sec->label : name);
    json_object_foreach((json_t *)o, key, v)
    {
        const char *value = text_value(v, buf);
        if (why) break;
        if (!value || !*value) continue;
        const member *m = NULL;
        for (size_t i = 0; sec && i < 16 && sec->members[i].key; i++)
            if (strcmp(sec->members[i].key, key) == 0) m = &sec->members[i];
        if (!m && is_bookkeeping(key)) continue;
        if (!m && sec && sec->title && strcmp(key, sec->title) == 0) continue; /* the title */
        if (m && m->to == T_FIELD && strcmp(m->name, "brand") == 0 &&
            strncmp(value, "PAYMENT_TYPE_", 13) == 0)
            value += 13; /* PAYMENT_TYPE_VISA */
        if (!m) {
            why = put_field(it, key, value, label_has(key, dashlane_secret));
            continue;
        }
        switch (m->to) {
        case T_TEXT:
            why = put_text(it, (enum kura_item_text)m->which, value);
            break;
        case T_FIELD:
        case T_HIDDEN:
            if (strcmp(m->name, KURA_OTP_FIELD) == 0)
                why = put_otp(it, value);
            else
                why = put_field(it, m->name, value, m->to == T_HIDDEN);
            break;
        case T_URL:
            why = put_urls(it, value, "\n");
            break;
        case T_TAG:
            why = put_tag(it, value);
            break;
        case T_NAME:
            why = put_person(it, value);
            break;
        case T_EXP_MONTH:
            snprintf(month, sizeof month, "%s", value);
            break;
        case T_EXP_YEAR:
            snprintf(year, sizeof year, "%s", value);
            break;
        case T_SKIP:
            break;
        }
    }
    /* A login without its login: the secondary login, else the email, as Dashlane shows it. */
    const char *alt[] = {"secondary login", "email"};
    for (size_t i = 0; !why && type == KURA_TYPE_LOGIN && !it->username && i < 2; i++) {
        const kura_field *f = kura_item_field(it, alt[i]);
        if (!f) continue;
        why = put_text(it, KURA_USERNAME, f->value);
        if (!why && kura_item_set_field(it, alt[i], NULL, 0) != KURA_OK) why = "a bad field";
    }
    if (!why) why = put_expiry(it, month, year);
    return why;
}

typedef struct where {
    const section *sec; /* NULL: a section kura does not know */
    const char *name;
} where;

static const char *fill(reader *r, kura_item *it, const json_t *o, void *ctx)
{
    const where *w = ctx;
    (void)r;
    return item_of(it, o, w->sec, w->name);
}

int read_dashlane_json(reader *r)
{
    int rc;
    json_t *root = rd_json(r, r->text, r->len, &rc), *list;
    if (!root) return rc;
    if (!json_is_object(root)) rc = rd_fail(r, "not an object of Dashlane's sections");
    const char *name;
    size_t items = 0, done = 0;
    json_object_foreach(root, name, list) items += json_array_size(list);
    json_object_foreach(root, name, list)
    {
        if (rc != KURA_OK) break;
        where w = {NULL, name};
        for (size_t k = 0; k < sizeof sections / sizeof *sections; k++)
            if (strcmp(sections[k].name, name) == 0) w.sec = &sections[k];
        rc = rd_each(r, list, fill, &w, &done, items);
    }
    json_decref(root);
    return rc;
}
