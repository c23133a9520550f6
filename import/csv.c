/* CSV exports (libcsv): Bitwarden, 1Password, KeePassXC, KeePass, LastPass, Dashlane, NordPass,
 * RoboForm, Keeper, Chrome and Edge, Firefox, and kura's own. Columns are found by their names in
 * the header row, never by position, so a manager that adds or moves a column is still read;
 * Keeper alone writes no header, and its columns are known by place. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <csv.h>
#include <jansson.h>
#include <sodium.h>
#include <zip.h>

#include "common.h"

#define MAX_COLS 64
#define CHUNK 65536
#define N_COLUMNS 28
#define N_IGNORED 8

/* libcsv grows its field buffer with realloc: wiping_realloc and wiping_free (common.c)
 * are given to it, since the fields are passwords. */

/* One row: its cells, NUL-terminated, one after another in a buffer wiped between rows. */
typedef struct row {
    char *buf;
    size_t used, cap;
    size_t off[MAX_COLS];
    size_t n;     /* cells */
    int too_wide; /* more than MAX_COLS cells */
    int nomem;
} row;

static void row_reset(row *w)
{
    if (w->buf) sodium_memzero(w->buf, w->used);
    w->used = w->n = 0;
    w->too_wide = 0;
}

static void row_free(row *w)
{
    row_reset(w);
    free(w->buf);
}

struct csv_format;

typedef struct csv_state {
    reader *r;
    const char *format;
    const struct csv_format *fmt; /* the layout of format that the header fits */
    size_t unread[MAX_COLS];      /* rows with a value in each column the format does not read */
    size_t unread_beyond;         /* rows with a value after the header's last column */
    row cells;
    char *names[MAX_COLS]; /* the header, lower case */
    char *heads[MAX_COLS]; /* and as written */
    size_t n_names;
    int have_header;
    size_t fed; /* bytes given to libcsv so far */
    size_t rows;
    int rc;
    int header_only; /* detection: stop after the header */
} csv_state;

static void on_cell(void *s, size_t len, void *data)
{
    csv_state *st = data;
    row *w = &st->cells;
    if (w->n >= MAX_COLS) {
        w->too_wide = 1;
        return;
    }
    if (w->used + len + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->used + len + 1)
            cap *= 2;
        char *grown = wiping_realloc(w->buf, cap);
        if (!grown) {
            w->nomem = 1;
            return;
        }
        w->buf = grown;
        w->cap = cap;
    }
    w->off[w->n++] = w->used;
    if (len) memcpy(w->buf + w->used, s, len);
    w->buf[w->used + len] = '\0';
    w->used += len + 1;
}

/* The cell under the column named name (lower case), or NULL. */
static const char *cell(const csv_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_names; i++)
        if (strcmp(st->names[i], name) == 0)
            return i < st->cells.n && st->cells.buf[st->cells.off[i]]
                       ? st->cells.buf + st->cells.off[i]
                       : NULL;
    return NULL;
}

static int has(const csv_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_names; i++)
        if (strcmp(st->names[i], name) == 0) return 1;
    return 0;
}

static int truthy(const char *s)
{
    return s && (same_word(s, "true") || same_word(s, "yes") || strcmp(s, "1") == 0);
}

/* Bitwarden's "fields" cell: one "name: value" per line. */
static const char *bitwarden_fields(kura_item *it, const char *s)
{
    if (!s) return NULL;
    char *copy = sodium_malloc(strlen(s) + 1);
    if (!copy) return "out of memory";
    memcpy(copy, s, strlen(s) + 1);
    const char *why = NULL;
    for (char *line = copy, *next; line && !why; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r') line[n - 1] = '\0';
        char *sep = strstr(line, ": ");
        if (!*line) continue;
        if (sep) {
            *sep = '\0';
            why = put_field(it, line, sep + 2, 0);
        } else {
            why = put_field(it, line, "", 0);
        }
    }
    sodium_free(copy);
    return why;
}

/* kura's "fields" cell: the JSON list `kura get --json` prints. */
static const char *kura_fields(kura_item *it, const char *s)
{
    if (!s) return NULL;
    json_t *list = json_loads(s, 0, NULL), *f;
    size_t i;
    const char *why = json_is_array(list) ? NULL : "a fields cell that is not a JSON list";
    json_array_foreach(list, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *value = json_string_value(json_object_get(f, "value"));
        if (!name || !value) {
            why = "a field without a name and a value";
            break;
        }
        if (kura_item_set_field(it, name, value, json_is_true(json_object_get(f, "hidden"))) !=
            KURA_OK) {
            why = "a bad field";
            break;
        }
    }
    json_decref(list); /* jansson's strings: not wiped, as with kura's own JSON import */
    return why;
}

/* What a column becomes. */
enum put {
    TEXT,        /* the item text `which` */
    URLS,        /* URLs, split at any of `seps` */
    TAGS,        /* tags, split at any of `seps` */
    GROUP,       /* a folder path as a tag */
    ROOTED,      /* a group path below its root group as a tag */
    OTP,         /* a TOTP secret */
    FIELD,       /* a visible field named `seps` */
    BW_FIELDS,   /* Bitwarden's "name: value" lines */
    KURA_FIELDS, /* kura's JSON list */
    ARCHIVED,    /* "true": the tag "archived" */
    TYPE,        /* kura's type name */
    CREATED,     /* a time: seconds or ISO 8601 (`which` 1: milliseconds) */
    UPDATED,
    LP_URL,    /* LastPass's url: "http://sn" marks a secure note, not a site */
    LP_GROUP,  /* LastPass's grouping: folders split by '\\' */
    LP_EXTRA,  /* LastPass's extra: the notes, or a typed note's "Key:Value" lines */
    KIND,      /* the manager's item type: `seps` maps its words to kura's ("a=card,b=note") */
    HIDDEN,    /* a hidden field named `seps` */
    EXPIRY,    /* a card's expiry; with `seps`, this is the year and `seps` the month's column */
    FULLNAME,  /* a person's name: first-name, middle-name, last-name */
    LINE,      /* a line of the multi-line field named `seps` (address lines) */
    FALLBACK,  /* the item text `which`, when no column before gave it one */
    JSON_URLS, /* a JSON list of URLs (NordPass's additional_urls) */
    NP_FIELDS, /* NordPass's custom_fields: a JSON list of {label, type, value} */
    RF_FIELDS, /* RoboForm's RfFieldsV2: this cell and every cell after the header's last */
    PAIRS,     /* Keeper: this cell and each after it, name then value */
    DL_ID,     /* Dashlane's ids.csv number: which field its type says */
    WITH,      /* read with another column */
};

typedef struct column {
    const char *name; /* lower case */
    enum put put;
    int which;
    const char *seps;
} column;

/* A CSV format: the columns that must all be there to tell it (most particular first in
 * formats[]), and what each column it reads becomes. */
typedef struct csv_format {
    const char *name;
    const char *required[5];
    column columns[N_COLUMNS];
    const char *ignored[N_IGNORED]; /* columns kura knowingly leaves out: how the manager shows
                                     * an item, never what it holds */
    int type;                       /* the items' type before a KIND column says */
    const char *not_item[2];        /* {column, value}: such a row is not an item (a folder) */
    int headerless;                 /* no header row: `required` is never looked for, and the
                                     * columns are named by place (`columns` in file order) */
    int rest;                       /* every other column a field of its name (1Password 7) */
} csv_format;

static const csv_format formats[] = {
    {.name = "bitwarden-csv",
     {"login_uri", "login_password"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"login_username", TEXT, KURA_USERNAME, NULL},
      {"login_password", TEXT, KURA_PASSWORD, NULL},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"login_uri", URLS, 0, ",\n"},
      {"folder", GROUP, 0, NULL},
      {"fields", BW_FIELDS, 0, NULL},
      {"login_totp", OTP, 0, NULL},
      {"collections", TAGS, 0, ","}},
     {"type", "favorite", "reprompt"}},
    {.name = "firefox-csv",
     {"url", "password", "httprealm"},
     {{"url", URLS, 0, "\n"},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"httprealm", FIELD, 0, "HTTP realm"},
      {"timecreated", CREATED, 1, NULL},
      {"timepasswordchanged", UPDATED, 1, NULL}},
     {"formactionorigin", "guid", "timelastused"}},
    {.name = "keepassxc-csv",
     {"group", "title", "password", "url"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"url", URLS, 0, "\n"},
      {"group", ROOTED, 0, NULL},
      {"totp", OTP, 0, NULL},
      {"created", CREATED, 0, NULL},
      {"last modified", UPDATED, 0, NULL}},
     {"icon"}},
    {.name = "kura-csv",
     {"title", "urls", "password", "fields"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"urls", URLS, 0, "\n"},
      {"tags", TAGS, 0, "\n"},
      {"type", TYPE, 0, NULL},
      {"fields", KURA_FIELDS, 0, NULL},
      {"created", CREATED, 0, NULL},
      {"updated", UPDATED, 0, NULL}},
     {NULL}},
    /* Dashlane's export: a zip of five CSV files, each read alone. */
    {.name = "dashlane-csv",
     {"title", "note", "username", "password"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"username2", FIELD, 0, "username 2"},
      {"username3", FIELD, 0, "username 3"},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"url", URLS, 0, "\n"},
      {"category", GROUP, 0, NULL},
      {"otpsecret", OTP, 0, NULL},
      {"otpurl", OTP, 0, NULL}},
     {NULL}},
    {.name = "dashlane-csv",
     {"type", "account_name", "cc_number"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"account_name", FALLBACK, KURA_TITLE, NULL},
      {"account_holder", FIELD, 0, "cardholder"},
      {"cc_number", HIDDEN, 0, "number"},
      {"code", HIDDEN, 0, "code"},
      {"expiration_month", WITH, 0, NULL},
      {"expiration_year", EXPIRY, 0, "expiration_month"},
      {"account_number", HIDDEN, 0, "account number"},
      {"routing_number", HIDDEN, 0, "routing number"},
      {"issuing_bank", FIELD, 0, "bank"},
      {"country", FIELD, 0, "country"},
      {"note", TEXT, KURA_NOTES, NULL},
      {"type", KIND, 0, "credit_card=card,bank=generic"}},
     {NULL},
     KURA_TYPE_CARD},
    {.name = "dashlane-csv",
     {"type", "number", "name", "issue_date"},
     {{"name", FULLNAME, 0, NULL},
      {"number", DL_ID, 0, NULL},
      {"issue_date", FIELD, 0, "issued"},
      {"expiration_date", FIELD, 0, "expires"},
      {"place_of_issue", FIELD, 0, "place of issue"},
      {"state", FIELD, 0, "region"},
      {"type", WITH, 0, NULL}},
     {NULL},
     KURA_TYPE_IDENTITY},
    {.name = "dashlane-csv",
     {"type", "title", "first_name", "item_name"},
     {{"item_name", TEXT, KURA_TITLE, NULL},
      {"title", FIELD, 0, "title"},
      {"first_name", FIELD, 0, "first-name"},
      {"middle_name", FIELD, 0, "middle-name"},
      {"last_name", FIELD, 0, "last-name"},
      {"login", TEXT, KURA_USERNAME, NULL},
      {"date_of_birth", FIELD, 0, "birthday"},
      {"place_of_birth", FIELD, 0, "place of birth"},
      {"email", FIELD, 0, "email"},
      {"email_type", FIELD, 0, "email type"},
      {"phone_number", FIELD, 0, "phone"},
      {"address", LINE, 0, "address"},
      {"address_recipient", FIELD, 0, "recipient"},
      {"address_building", FIELD, 0, "building"},
      {"address_apartment", FIELD, 0, "apartment"},
      {"address_floor", FIELD, 0, "floor"},
      {"address_door_code", HIDDEN, 0, "door code"},
      {"city", FIELD, 0, "city"},
      {"state", FIELD, 0, "region"},
      {"zip", FIELD, 0, "postcode"},
      {"country", FIELD, 0, "country"},
      {"job_title", FIELD, 0, "job title"},
      {"url", URLS, 0, "\n"},
      {"type", FIELD, 0, "kind"}},
     {NULL},
     KURA_TYPE_IDENTITY},
    {.name = "dashlane-csv",
     {"title", "note"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"category", GROUP, 0, NULL}},
     {NULL},
     KURA_TYPE_NOTE},
    /* 1Password 7's CSV (Mac and Windows): the columns the user chose, a type's own among
     * them, "section: ..." ones too; what is not listed here becomes a field. */
    {.name = "1password7-csv",
     {"title"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"url", URLS, 0, "\n"},
      {"urls", URLS, 0, "\n"},
      {"website", URLS, 0, "\n"},
      {"notesplain", TEXT, KURA_NOTES, NULL},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"tags", TAGS, 0, ",;"},
      {"cardholder name", FIELD, 0, "cardholder"},
      {"number", HIDDEN, 0, "number"},
      {"ccnum", HIDDEN, 0, "number"},
      {"verification number", HIDDEN, 0, "code"},
      {"cvv", HIDDEN, 0, "code"},
      {"expiry date", EXPIRY, 0, NULL},
      {"expiry", EXPIRY, 0, NULL},
      {"type", KIND, 0,
       "login=login,password=login,credit card=card,identity=identity,secure note=note,"
       "ssh key=ssh-key,1password account=note"},
      {"first name", FIELD, 0, "first-name"},
      {"initial", FIELD, 0, "middle-name"},
      {"last name", FIELD, 0, "last-name"},
      {"default phone", FIELD, 0, "phone"},
      {"company", FIELD, 0, "company"},
      {"email", FIELD, 0, "email"},
      {"created date", CREATED, 0, NULL},
      {"modified date", UPDATED, 0, NULL}},
     {"ainfo", "autosubmit", "ps", "scope", "uuid", "favorite", "archived", "vault"},
     .rest = 1},
    {.name = "1password-csv",
     {"title", "password"},
     {{"title", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"url", URLS, 0, ",\n"},
      {"website", URLS, 0, ",\n"},
      {"urls", URLS, 0, ",\n"},
      {"otpauth", OTP, 0, NULL},
      {"tags", TAGS, 0, ",;"},
      {"archived", ARCHIVED, 0, NULL}},
     {"favorite"}},
    {.name = "lastpass-csv",
     {"grouping", "extra", "fav", "name"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"url", LP_URL, 0, NULL},
      {"totp", OTP, 0, NULL},
      {"grouping", LP_GROUP, 0, NULL},
      {"extra", LP_EXTRA, 0, NULL}},
     {"fav", "last_touch", "last_pwd_change"}},
    /* NordPass: one file of every kind, its folders as rows of their own. */
    {.name = "nordpass-csv",
     {"cardholdername", "cardnumber", "full_name", "folder"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"url", URLS, 0, "\n"},
      {"additional_urls", JSON_URLS, 0, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"totp", OTP, 0, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"cardholdername", FIELD, 0, "cardholder"},
      {"cardnumber", HIDDEN, 0, "number"},
      {"cvc", HIDDEN, 0, "code"},
      {"pin", HIDDEN, 0, "pin"},
      {"expirydate", EXPIRY, 0, NULL},
      {"full_name", FULLNAME, 0, NULL},
      {"email", FIELD, 0, "email"},
      {"phone_number", FIELD, 0, "phone"},
      {"address1", LINE, 0, "address"},
      {"address2", LINE, 0, "address"},
      {"city", FIELD, 0, "city"},
      {"state", FIELD, 0, "region"},
      {"zipcode", FIELD, 0, "postcode"},
      {"country", FIELD, 0, "country"},
      {"folder", GROUP, 0, NULL},
      {"shared_folder", GROUP, 0, NULL},
      {"custom_fields", NP_FIELDS, 0, NULL},
      {"type", KIND, 0, "password=login,credit_card=card,note=note,identity=identity"}},
     {"note_date"},
     KURA_TYPE_LOGIN,
     {"type", "folder"}},
    /* RoboForm: the fields of a login beyond its name and password fill the cells after the
     * header's last. */
    {.name = "roboform-csv",
     {"name", "url", "login", "pwd", "rffieldsv2"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"url", URLS, 0, "\n"},
      {"matchurl", URLS, 0, "\n"},
      {"login", TEXT, KURA_USERNAME, NULL},
      {"pwd", TEXT, KURA_PASSWORD, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"folder", GROUP, 0, NULL},
      {"rffieldsv2", RF_FIELDS, 0, NULL}},
     {NULL}},
    /* KeePass 2's "KeePass CSV (1.x)": every cell quoted, with backslash escapes. */
    {.name = "keepass-csv",
     {"account", "login name", "password", "web site", "comments"},
     {{"account", TEXT, KURA_TITLE, NULL},
      {"login name", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"web site", URLS, 0, "\n"},
      {"comments", TEXT, KURA_NOTES, NULL},
      {"group tree", GROUP, 0, NULL},
      {"group", GROUP, 0, NULL},
      {"creation time", CREATED, 0, NULL},
      {"last modification", UPDATED, 0, NULL},
      {"expires", FIELD, 0, "expires"}},
     {"uuid", "icon", "last access"}},
    {.name = "chrome-csv",
     {"name", "url", "username", "password"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"url", URLS, 0, "\n"}},
     {NULL}},
    /* Keeper's CSV: no header; folder, title, login, password, website, notes, shared
     * folder, then a name and a value for each custom field. */
    {.name = "keeper-csv",
     {NULL},
     {{"folder", GROUP, 0, NULL},
      {"title", TEXT, KURA_TITLE, NULL},
      {"login", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"website address", URLS, 0, "\n"},
      {"notes", TEXT, KURA_NOTES, NULL},
      {"shared folder", GROUP, 0, NULL},
      {"custom fields", PAIRS, 0, NULL}},
     {NULL},
     KURA_TYPE_LOGIN,
     {NULL},
     1},
};

#define N_FORMATS (sizeof formats / sizeof formats[0])
#define EACH_COLUMN(c, fmt)                                                                        \
    for (const column *c = (fmt)->columns; c < (fmt)->columns + N_COLUMNS && c->name; c++)

/* The first layout of the format name (a format may have several: Dashlane's files). */
static const csv_format *format_named(const char *name)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

/* 1 if format reads the column name, or knowingly leaves it out. */
static int reads(const csv_format *fmt, const char *name)
{
    if (fmt->rest) return 1;
    EACH_COLUMN(c, fmt)
    if (strcmp(c->name, name) == 0) return 1;
    for (size_t i = 0; i < N_IGNORED && fmt->ignored[i]; i++)
        if (strcmp(fmt->ignored[i], name) == 0) return 1;
    return 0;
}

/* Whether the format reads the cells after the header's last (RoboForm's, Keeper's). */
static int reads_beyond(const csv_format *fmt)
{
    EACH_COLUMN(c, fmt)
    if (c->put == RF_FIELDS || c->put == PAIRS) return 1;
    return 0;
}

/* Each column of the row with a value that the format does not read: counted, and with a
 * format the user named, said as dropped from this item. */
static void unread_cells(csv_state *st)
{
    const csv_format *fmt = st->fmt;
    for (size_t i = 0; fmt && i < st->cells.n; i++) {
        if (!st->cells.buf[st->cells.off[i]]) continue;
        if (i < st->n_names ? reads(fmt, st->names[i]) : reads_beyond(fmt)) continue;
        if (i < st->n_names)
            st->unread[i]++;
        else
            st->unread_beyond++;
        if (st->r->sink->named) {
            char kind[80];
            if (i < st->n_names)
                snprintf(kind, sizeof kind, "column '%.60s'", st->names[i]);
            else
                snprintf(kind, sizeof kind, "cells after the header's last column");
            rd_dropped(st->r, kind);
        }
        if (i >= st->n_names) break;
    }
}

/* LastPass's typed secure notes ("NoteType:Credit Card" then "Key:Value" lines, "Notes:" last
 * with the rest of the text): the note types kura has a type for, and the keys that are that
 * type's fields (or the item's password, username or URL). Other keys become fields, hidden
 * when their name says they hold a secret. */
static const struct {
    const char *note_type;
    int type;
} lp_types[] = {
    {"Credit Card", KURA_TYPE_CARD},         {"Address", KURA_TYPE_IDENTITY},
    {"Passport", KURA_TYPE_IDENTITY},        {"Driver's License", KURA_TYPE_IDENTITY},
    {"Social Security", KURA_TYPE_IDENTITY}, {"SSH Key", KURA_TYPE_SSH_KEY},
};
#define LP_PASSWORD "\x01password"
#define LP_USERNAME "\x01username"
#define LP_URLKEY "\x01url"
static const struct {
    const char *note_type, *key, *name;
} lp_keys[] = {
    {"Credit Card", "Name on Card", "cardholder"},
    {"Credit Card", "Type", "brand"},
    {"Credit Card", "Number", "number"},
    {"Credit Card", "Security Code", "code"},
    {"Credit Card", "Expiration Date", "expiry"},
    {"Address", "First Name", "first-name"},
    {"Address", "Middle Name", "middle-name"},
    {"Address", "Last Name", "last-name"},
    {"Address", "Birthday", "birthday"},
    {"Address", "Company", "company"},
    {"Address", "Address 1", "address"},
    {"Address", "Address 2", "address"},
    {"Address", "Address 3", "address"},
    {"Address", "City / Town", "city"},
    {"Address", "State", "region"},
    {"Address", "Zip / Postal Code", "postcode"},
    {"Address", "Country", "country"},
    {"Address", "Email Address", "email"},
    {"Address", "Phone", "phone"},
    {"Passport", "Number", "passport"},
    {"Passport", "Name", "first-name"},
    {"Passport", "Date of Birth", "birthday"},
    {"Passport", "Country", "country"},
    {"Driver's License", "Number", "license"},
    {"Driver's License", "Name", "first-name"},
    {"Driver's License", "Date of Birth", "birthday"},
    {"Driver's License", "Address", "address"},
    {"Driver's License", "City / Town", "city"},
    {"Driver's License", "State", "region"},
    {"Driver's License", "ZIP / Postal Code", "postcode"},
    {"Driver's License", "Country", "country"},
    {"Social Security", "Name", "first-name"},
    {"Social Security", "Number", "national-id"},
    {"SSH Key", "Passphrase", "passphrase"},
    {"SSH Key", "Private Key", "private-key"},
    {"SSH Key", "Public Key", "public-key"},
    {NULL, "Password", LP_PASSWORD},
    {NULL, "Username", LP_USERNAME},
    {NULL, "User Name", LP_USERNAME},
    {NULL, "URL", LP_URLKEY},
    {NULL, "Website", LP_URLKEY},
};

/* "June,2028" (LastPass's expiration) as "06/2028"; anything else as it is. */
static const char *lp_expiry(char out[16], const char *v)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    const char *comma = strchr(v, ',');
    for (int m = 0; comma && m < 12; m++)
        if ((size_t)(comma - v) == strlen(months[m]) &&
            strncmp(v, months[m], strlen(months[m])) == 0) {
            snprintf(out, 16, "%02d/%.4s", m + 1, comma + 1);
            return out;
        }
    return v;
}

/* A typed note's lines into it; NULL or why not. */
static const char *lp_typed(kura_item *it, const char *extra)
{
    char note_type[64] = "";
    const char *why = NULL, *p = extra + 9; /* after "NoteType:" */
    size_t n = strcspn(p, "\r\n");
    snprintf(note_type, sizeof note_type, "%.*s", (int)(n < 63 ? n : 63), p);
    int type = KURA_TYPE_GENERIC; /* a server, a database, a bank account, a licence... */
    for (size_t i = 0; i < sizeof lp_types / sizeof *lp_types; i++)
        if (strcmp(lp_types[i].note_type, note_type) == 0) type = lp_types[i].type;
    if (kura_item_set_type(it, type) != KURA_OK) return "a bad type";
    p += n;
    char addr[4096] = "";
    while (!why && *p) {
        p += strspn(p, "\r\n");
        const char *colon = strchr(p, ':'), *eol = p + strcspn(p, "\r\n");
        if (!*p) break;
        if (!colon || colon > eol) { /* a line without a key: part of the notes */
            why = put_text(it, KURA_NOTES, p);
            break;
        }
        char key[128], value[4096];
        snprintf(key, sizeof key, "%.*s", (int)(colon - p < 127 ? colon - p : 127), p);
        if (strcmp(key, "Notes") == 0) { /* the rest, every line of it */
            why = colon[1] ? put_text(it, KURA_NOTES, colon + 1) : NULL;
            break;
        }
        size_t vlen = (size_t)(eol - colon - 1);
        snprintf(value, sizeof value, "%.*s", (int)(vlen < 4095 ? vlen : 4095), colon + 1);
        p = eol;
        if (!value[0] || strcmp(key, "Language") == 0 ||
            (strcmp(value, ",") == 0)) /* an empty date: "," */
            continue;
        const char *name = NULL;
        for (size_t i = 0; !name && i < sizeof lp_keys / sizeof *lp_keys; i++)
            if ((!lp_keys[i].note_type || strcmp(lp_keys[i].note_type, note_type) == 0) &&
                strcmp(lp_keys[i].key, key) == 0)
                name = lp_keys[i].name;
        char exp[16];
        if (name && strcmp(name, "expiry") == 0) {
            why = put_field(it, name, lp_expiry(exp, value), 0);
        } else if (name && strcmp(name, "address") == 0) { /* Address 1-3: one field, lines */
            size_t have = strlen(addr), vl = strlen(value);
            if (have + 1 + vl < sizeof addr) {
                if (have) addr[have++] = '\n';
                memcpy(addr + have, value, vl + 1);
            }
        } else if (name && strcmp(name, LP_PASSWORD) == 0) {
            why = put_text(it, KURA_PASSWORD, value);
        } else if (name && strcmp(name, LP_USERNAME) == 0) {
            why = put_text(it, KURA_USERNAME, value);
        } else if (name && strcmp(name, LP_URLKEY) == 0) {
            why = put_urls(it, value, "\n");
        } else if (name) {
            why = put_field(it, name, value, 0); /* a type's secret field is hidden anyway */
        } else {
            why = put_field(it, key, value, label_has(key, secret_words));
        }
        sodium_memzero(value, sizeof value);
    }
    if (!why && addr[0]) why = put_field(it, "address", addr, 0);
    sodium_memzero(addr, sizeof addr);
    return why;
}

/* The place of the column named name in the header, or -1. */
static long col_index(const csv_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_names; i++)
        if (strcmp(st->names[i], name) == 0) return (long)i;
    return -1;
}

/* The cell at place i of the row, or NULL when empty or missing. */
static const char *cell_at(const csv_state *st, size_t i)
{
    return i < st->cells.n && st->cells.buf[st->cells.off[i]] ? st->cells.buf + st->cells.off[i]
                                                              : NULL;
}

/* The manager's type word v through map ("credit_card=card,note=note"); a word the map lacks
 * makes a generic item that keeps the word as the field "kind". */
static const char *put_kind(kura_item *it, const char *map, const char *v)
{
    if (!v || !*v) return NULL;
    size_t n = strlen(v);
    for (const char *p = map; *p;) {
        const char *eq = strchr(p, '='), *end = p + strcspn(p, ",");
        if (eq && eq < end && (size_t)(eq - p) == n && strncasecmp(p, v, n) == 0) {
            char type[24];
            snprintf(type, sizeof type, "%.*s", (int)(end - eq - 1), eq + 1);
            return kura_item_set_type(it, kura_type_by_name(type)) == KURA_OK ? NULL : "a bad type";
        }
        p = *end ? end + 1 : end;
    }
    if (kura_item_set_type(it, KURA_TYPE_GENERIC) != KURA_OK) return "a bad type";
    return put_field(it, "kind", v, 0);
}

/* v as a further line of the field name (an address's lines, one field). */
static const char *put_line(kura_item *it, const char *name, const char *v)
{
    if (!v || !*v) return NULL;
    const kura_field *f = kura_item_field(it, name);
    if (!f) return put_field(it, name, v, 0);
    size_t a = strlen(f->value), b = strlen(v);
    char *joined = sodium_malloc(a + b + 2);
    if (!joined) return "out of memory";
    memcpy(joined, f->value, a);
    joined[a] = '\n';
    memcpy(joined + a + 1, v, b + 1);
    int rc = kura_item_set_field(it, name, joined, f->hidden);
    sodium_free(joined);
    return rc == KURA_OK ? NULL : "a field too long";
}

/* NordPass's additional_urls: a JSON list of strings (one URL alone, read as it is). */
static const char *put_json_urls(kura_item *it, const char *v)
{
    if (!v || !*v) return NULL;
    json_t *list = json_loads(v, JSON_DECODE_ANY, NULL), *u;
    size_t i;
    const char *why = json_is_array(list) ? NULL : put_urls(it, v, "\n");
    json_array_foreach(list, i, u)
    {
        if (why) break;
        why = json_is_string(u) ? put_urls(it, json_string_value(u), "\n")
                                : "an additional URL that is not a string";
    }
    json_decref(list);
    return why;
}

/* NordPass's custom_fields: [{"label", "type", "value"}], hidden when the type is "hidden";
 * anything else is kept whole as the field "custom fields". */
static const char *put_np_fields(kura_item *it, const char *v)
{
    if (!v || !*v) return NULL;
    json_t *list = json_loads(v, 0, NULL), *f;
    size_t i;
    if (!json_is_array(list)) {
        json_decref(list);
        return put_field(it, "custom fields", v, 0);
    }
    const char *why = NULL;
    json_array_foreach(list, i, f)
    {
        const char *label = jstr(f, "label"), *type = jstr(f, "type"), *value = jstr(f, "value");
        if (!why && value && type && strcmp(type, "totp") == 0)
            why = put_otp(it, value);
        else if (!why && value)
            why = put_field(it, label, value, type && strcmp(type, "hidden") == 0);
    }
    json_decref(list); /* jansson's strings: not wiped, as with kura's own JSON import */
    return why;
}

/* RoboForm's fields, from the cell at place `from` to the row's last: each is
 * "name,id,name,type,value" (the value may hold commas). Its "User ID$" and "Password$" repeat
 * the login's Login and Pwd; "TOTP KEY$" is the TOTP secret. */
static const char *put_rf_fields(const csv_state *st, kura_item *it, size_t from)
{
    const char *why = NULL;
    for (size_t i = from; !why && i < st->cells.n; i++) {
        const char *f = cell_at(st, i), *part[5] = {f, NULL, NULL, NULL, NULL};
        if (!f) continue;
        for (int k = 1; k < 5 && part[k - 1]; k++) {
            const char *comma = strchr(part[k - 1], ',');
            part[k] = comma ? comma + 1 : NULL;
        }
        if (!part[4]) { /* not the layout: kept whole */
            why = put_field(it, "RoboForm field", f, 0);
            continue;
        }
        char name[256], type[16];
        snprintf(name, sizeof name, "%.*s", (int)(part[1] - f - 1), f);
        snprintf(type, sizeof type, "%.*s", (int)(part[4] - part[3] - 1), part[3]);
        const char *value = part[4];
        if (strcmp(name, "TOTP KEY$") == 0)
            why = put_otp(it, value);
        else if (strcmp(name, "User ID$") == 0 && (!it->username || !*it->username))
            why = put_text(it, KURA_USERNAME, value);
        else if (strcmp(name, "Password$") == 0 && (!it->password || !*it->password))
            why = put_text(it, KURA_PASSWORD, value);
        else if ((strcmp(name, "User ID$") == 0 && strcmp(value, it->username) == 0) ||
                 (strcmp(name, "Password$") == 0 && strcmp(value, it->password) == 0))
            continue;
        else
            why = put_field(it, strcmp(name, "-no-name-") == 0 ? NULL : name, value,
                            strcmp(type, "pwd") == 0);
    }
    return why;
}

/* Keeper's custom fields, from the cell at place `from`: a name, then its value. Keeper
 * writes the TOTP as the field "TFC:Keeper". */
static const char *put_pairs(const csv_state *st, kura_item *it, size_t from)
{
    const char *why = NULL;
    for (size_t i = from; !why && i < st->cells.n; i += 2) {
        const char *name = cell_at(st, i), *value = cell_at(st, i + 1);
        if (!value) continue;
        if ((name && strcmp(name, "TFC:Keeper") == 0) || strncmp(value, "otpauth://", 10) == 0)
            why = put_otp(it, value);
        else
            why = put_field(it, name, value, 0);
    }
    return why;
}

/* Dashlane's ids.csv: the number goes to the field the row's type says, and the item is
 * named by the person and the document. */
static const char *put_dashlane_id(const csv_state *st, kura_item *it, const char *v)
{
    static const struct {
        const char *type, *field, *label;
    } ids[] = {
        {"card", "national-id", "ID card"},
        {"passport", "passport", "passport"},
        {"license", "license", "driver's license"},
        {"social_security", "national-id", "social security"},
        {"tax_number", "tax number", "tax number"},
    };
    const char *type = cell(st, "type"), *name = cell(st, "name"), *field = "number";
    const char *label = type ? type : "ID";
    for (size_t i = 0; type && i < sizeof ids / sizeof *ids; i++)
        if (strcmp(ids[i].type, type) == 0) field = ids[i].field, label = ids[i].label;
    char title[600];
    snprintf(title, sizeof title, "%s%s%s", name ? name : "", name ? " " : "", label);
    const char *why = put_text(it, KURA_TITLE, title);
    return why ? why : put_field(it, field, v, 1);
}

/* 1Password 7's other columns: Windows names a type's fields by their section ("name 1: first
 * name", "section 2: expiry date"), the Mac its own sections ("section: PIN"); the field's name
 * after the colon is read as the Mac's column of that name would be, else it is a field. */
static const char *put_1p7_column(const csv_state *st, kura_item *it, size_t i, const char *v)
{
    static const struct {
        const char *name, *field;
        int hidden;
    } known[] = {
        {"cardholder name", "cardholder", 0},
        {"number", "number", 1},
        {"verification number", "code", 1},
        {"first name", "first-name", 0},
        {"initial", "middle-name", 0},
        {"last name", "last-name", 0},
        {"email", "email", 0},
        {"default phone", "phone", 0},
        {"company", "company", 0},
        {"address", "address", 0},
    };
    const char *head = st->heads[i], *colon = strstr(head, ": ");
    const char *name = colon ? colon + 2 : head;
    if (colon && strcasecmp(name, "expiry date") == 0) { /* Windows: MM/DD/YYYY */
        const char *a = strchr(v, '/'), *b = a ? strchr(a + 1, '/') : NULL;
        char my[32];
        if (b) snprintf(my, sizeof my, "%.*s/%.4s", (int)(a - v), v, b + 1);
        return put_expiry(it, NULL, b ? my : v);
    }
    for (size_t k = 0; colon && k < sizeof known / sizeof *known; k++)
        if (strcasecmp(known[k].name, name) == 0)
            return put_field(it, known[k].field, v, known[k].hidden);
    return put_field(it, name, v, label_has(name, secret_words));
}

/* One cell into the item as its column says. */
static const char *put_cell(const csv_state *st, kura_item *it, const column *c, const char *v)
{
    switch (c->put) {
    case TEXT:
        return put_text(it, (enum kura_item_text)c->which, v);
    case URLS:
        return put_urls(it, v, c->seps);
    case TAGS:
        return put_tags(it, v, c->seps);
    case GROUP:
        return put_group(it, v, 0);
    case ROOTED:
        return put_group(it, v, 1);
    case OTP:
        return put_otp(it, v);
    case FIELD:
        return put_field(it, c->seps, v, 0);
    case BW_FIELDS:
        return bitwarden_fields(it, v);
    case KURA_FIELDS:
        return kura_fields(it, v);
    case ARCHIVED:
        return truthy(v) ? put_tag(it, "archived") : NULL;
    case TYPE:
        if (!v || !*v) return NULL;
        return kura_item_set_type(it, kura_type_by_name(v)) == KURA_OK
                   ? NULL
                   : "a type kura does not have (login, note, card, identity, ssh-key, generic)";
    case CREATED:
        it->created = kura_time_parse(v, c->which);
        return NULL;
    case UPDATED:
        it->updated = kura_time_parse(v, c->which);
        return NULL;
    case LP_URL:
        if (v && strcmp(v, "http://sn") == 0) /* a secure note (typed or not) */
            return it->type == KURA_TYPE_LOGIN
                       ? (kura_item_set_type(it, KURA_TYPE_NOTE) == KURA_OK ? NULL : "a bad type")
                       : NULL;
        return put_urls(it, v, "\n");
    case LP_GROUP: {
        if (!v || !*v) return NULL;
        char path[4096];
        snprintf(path, sizeof path, "%s", v);
        for (char *q = path; *q; q++)
            if (*q == '\\') *q = '/';
        return put_group(it, path, 0);
    }
    case LP_EXTRA:
        if (!v || !*v) return NULL;
        if (strncmp(v, "NoteType:", 9) == 0) return lp_typed(it, v);
        return put_text(it, KURA_NOTES, v);
    case KIND:
        return put_kind(it, c->seps, v);
    case HIDDEN:
        return put_field(it, c->seps, v, 1);
    case EXPIRY:
        return put_expiry(it, c->seps ? cell(st, c->seps) : NULL, v);
    case FULLNAME:
        return put_person(it, v);
    case LINE:
        return put_line(it, c->seps, v);
    case FALLBACK:
        return it->title && *it->title ? NULL : put_text(it, (enum kura_item_text)c->which, v);
    case JSON_URLS:
        return put_json_urls(it, v);
    case NP_FIELDS:
        return put_np_fields(it, v);
    case RF_FIELDS:
        return put_rf_fields(st, it, (size_t)col_index(st, c->name));
    case PAIRS:
        return put_pairs(st, it, (size_t)col_index(st, c->name));
    case DL_ID:
        return v && *v ? put_dashlane_id(st, it, v) : NULL;
    case WITH:
        return NULL;
    }
    return NULL;
}

/* The current row as an item of st->format: NULL, or why it is skipped. */
static const char *row_item(csv_state *st, kura_item *it)
{
    const char *f = st->format;
    if (strcmp(f, "bitwarden-csv") == 0) {
        const char *type = cell(st, "type");
        if (type && !same_word(type, "login") && !same_word(type, "note"))
            return "a Bitwarden item type kura does not keep (only logins and notes)";
        if (type && same_word(type, "note") && kura_item_set_type(it, KURA_TYPE_NOTE) != KURA_OK)
            return "a bad type";
    } else if (strcmp(f, "keepassxc-csv") == 0) {
        const char *group = cell(st, "group"), *slash = group ? strchr(group, '/') : NULL;
        if (slash && strcmp(slash + 1, "Recycle Bin") == 0) return "in KeePassXC's recycle bin";
    }
    const csv_format *fmt = st->fmt;
    const char *why = NULL;
    if (fmt->type != KURA_TYPE_LOGIN && kura_item_set_type(it, fmt->type) != KURA_OK)
        return "a bad type";
    EACH_COLUMN(c, fmt)
    {
        if (why) break;
        why = put_cell(st, it, c, cell(st, c->name));
    }
    for (size_t i = 0; !why && fmt->rest && i < st->n_names; i++) {
        const char *v = cell_at(st, i), *name = st->names[i];
        int listed = 0;
        EACH_COLUMN(c, fmt)
        listed |= strcmp(c->name, name) == 0;
        for (size_t k = 0; k < N_IGNORED && fmt->ignored[k]; k++)
            listed |= strcmp(fmt->ignored[k], name) == 0;
        if (!v || listed) continue;
        why = put_1p7_column(st, it, i, v);
    }
    if (!why && fmt->rest && !cell(st, "type")) { /* 1Password 7 without a type column */
        int card = kura_item_field(it, "cardholder") || kura_item_field(it, "code") ||
                   (kura_item_field(it, "number") && kura_item_field(it, "expiry"));
        int person = kura_item_field(it, "first-name") || kura_item_field(it, "last-name");
        int note = !it->username && !it->password && !it->n_urls && it->notes;
        why = put_kind(it, "card=card,identity=identity,note=note",
                       card     ? "card"
                       : person ? "identity"
                       : note   ? "note"
                                : NULL);
    }
    if (!why && strcmp(f, "nordpass-csv") == 0 && !cell(st, "type")) /* an older export */
        why = put_kind(it, "card=card,identity=identity,note=note",
                       cell(st, "cardnumber")                        ? "card"
                       : cell(st, "full_name")                       ? "identity"
                       : !it->username && !it->password && it->notes ? "note"
                                                                     : NULL);
    if (!why && (!it->title || !*it->title)) { /* a person's item: named by the person */
        const kura_field *first = kura_item_field(it, "first-name"),
                         *last = kura_item_field(it, "last-name");
        char name[600];
        snprintf(name, sizeof name, "%s%s%s", first ? first->value : "", first && last ? " " : "",
                 last ? last->value : "");
        if (name[0]) why = put_text(it, KURA_TITLE, name);
    }
    return why;
}

static const csv_format *layout_of(const csv_state *st, const char *name);
static const csv_format *format_of(const csv_state *st);

static void on_row(int c, void *data)
{
    (void)c;
    csv_state *st = data;
    row *w = &st->cells;
    if (st->rc != KURA_OK || (st->r && st->r->stopped)) {
        row_reset(w);
        return;
    }
    if (w->nomem) {
        st->rc = KURA_ERR_NOMEM;
        return;
    }
    if (!st->have_header && st->r && format_named(st->format)->headerless) {
        /* Keeper: the columns by place; this row is the first item. */
        st->fmt = format_named(st->format);
        EACH_COLUMN(col, st->fmt)
        {
            if (!(st->names[st->n_names] = strdup(col->name))) {
                st->rc = KURA_ERR_NOMEM;
                return;
            }
            st->n_names++;
        }
        st->have_header = 1;
    }
    if (!st->have_header) {
        for (size_t i = 0; i < w->n; i++) {
            char *name = strdup(w->buf + w->off[i]), *p = name;
            if (!name) {
                st->rc = KURA_ERR_NOMEM;
                return;
            }
            st->heads[st->n_names] = strdup(name);
            if (!st->heads[st->n_names]) {
                free(name);
                st->rc = KURA_ERR_NOMEM;
                return;
            }
            for (; *p; p++)
                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
            st->names[st->n_names++] = name;
        }
        st->have_header = 1;
        row_reset(w);
        if (st->r && !(st->fmt = layout_of(st, st->format))) {
            const csv_format *is = format_of(st);
            st->rc = is ? rd_fail(st->r, "its first row is that of a %s file", is->name)
                        : rd_fail(st->r, "its first row does not name the columns of one");
        }
        return;
    }
    int empty = 1;
    for (size_t i = 0; i < w->n && empty; i++)
        empty = w->buf[w->off[i]] == '\0';
    const char *const *not_item = st->fmt->not_item;
    if (!empty && not_item[0] && cell(st, not_item[0]) &&
        strcmp(cell(st, not_item[0]), not_item[1]) == 0)
        empty = 1; /* a folder: its items name it */
    if (!empty) {
        st->rows++;
        kura_item *it = rd_next(st->r);
        if (it) {
            const char *why =
                w->too_wide ? "a row with more cells than kura reads" : row_item(st, it);
            if (!why) unread_cells(st);
            rd_put(st->r, why, st->fed);
        }
    }
    row_reset(w);
}

static int parse(csv_state *st, const unsigned char *text, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0) return KURA_ERR_NOMEM;
    csv_set_realloc_func(&p, wiping_realloc);
    csv_set_free_func(&p, wiping_free);
    int rc = KURA_OK;
    for (size_t off = 0; off < len && rc == KURA_OK; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        st->fed = off + n;
        if (csv_parse(&p, text + off, n, on_cell, on_row, st) != n)
            rc = csv_error(&p) == CSV_ENOMEM ? KURA_ERR_NOMEM : KURA_ERR_INVALID;
        if (st->rc != KURA_OK) rc = st->rc;
        if (st->r && st->r->stopped) rc = KURA_ERR_IO;
        if (st->header_only && st->have_header) break;
    }
    if (rc == KURA_OK && !(st->header_only && st->have_header))
        if (csv_fini(&p, on_cell, on_row, st) != 0) rc = KURA_ERR_INVALID;
    if (rc == KURA_OK && st->rc != KURA_OK) rc = st->rc;
    csv_free(&p);
    return rc;
}

static void state_free(csv_state *st)
{
    row_free(&st->cells);
    for (size_t i = 0; i < st->n_names; i++) {
        free(st->names[i]);
        free(st->heads[i]);
    }
}

/* Whether the header has the columns that make a file of the layout fmt. */
static int fits(const csv_state *st, const csv_format *fmt)
{
    if (fmt->headerless) return 0;
    for (size_t i = 0; i < 5 && fmt->required[i]; i++)
        if (!has(st, fmt->required[i])) return 0;
    if (strcmp(fmt->name, "1password-csv") == 0) /* and some column for the site */
        return has(st, "otpauth") || has(st, "url") || has(st, "website");
    if (strcmp(fmt->name, "1password7-csv") == 0) { /* and a column only 1Password 7 writes */
        static const char *const marks[] = {"notesplain",          "ainfo",       "cardholder name",
                                            "verification number", "initial",     "default phone",
                                            "expiry date",         "created date"};
        for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
            if (has(st, marks[i])) return 1;
        for (size_t i = 0; i < st->n_names; i++) /* "section: PIN", "name 1: first name" */
            if (strncmp(st->names[i], "section", 7) == 0 || strstr(st->names[i], " 1: ")) return 1;
        return 0;
    }
    return 1;
}

/* The layout of the format name that the header fits, or NULL. */
static const csv_format *layout_of(const csv_state *st, const char *name)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i].name, name) == 0 && fits(st, &formats[i])) return &formats[i];
    return NULL;
}

/* What a header says the file is: the first layout it fits, most particular first. */
static const csv_format *format_of(const csv_state *st)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (fits(st, &formats[i])) return &formats[i];
    return NULL;
}

/* Only the header row is wanted: on_row stops after it (no reader is attached). */
static void header_row(int c, void *data)
{
    csv_state *st = data;
    if (st->have_header) return;
    on_row(c, data);
}

const char *detect_csv(const unsigned char *text, size_t len)
{
    csv_state st = {.header_only = 1};
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) return NULL;
    csv_set_realloc_func(&p, wiping_realloc);
    csv_set_free_func(&p, wiping_free);
    size_t n = len < CHUNK ? len : CHUNK; /* a header is one short line */
    csv_parse(&p, text, n, on_cell, header_row, &st);
    csv_free(&p);
    const csv_format *f = st.have_header && st.rc == KURA_OK ? format_of(&st) : NULL;
    state_free(&st);
    return f ? f->name : NULL;
}

/* KeePass's CSV (1.x) escapes inside its quotes with a backslash (\\ and \"), where CSV
 * doubles the quote: text rewritten as CSV, in *out (wiping_free it). */
static int keepass_unescape(const unsigned char *text, size_t len, unsigned char **out,
                            size_t *out_len)
{
    unsigned char *o = wiping_realloc(NULL, len + len / 2 + 1);
    size_t n = 0;
    int quoted = 0;
    if (!o) return KURA_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"') {
            quoted = !quoted;
        } else if (quoted && text[i] == '\\' && i + 1 < len) {
            if (text[++i] == '"') o[n++] = '"'; /* doubled, below */
        }
        if (n + 2 > len + len / 2 + 1) { /* more quotes escaped than there is room: not KeePass */
            wiping_free(o);
            return KURA_ERR_INVALID;
        }
        o[n++] = text[i];
    }
    *out = o;
    *out_len = n;
    return KURA_OK;
}

/* One CSV text of format (the file, or a member of Dashlane's zip). */
static int read_csv_text(reader *r, const char *format, const unsigned char *in, size_t in_len)
{
    csv_state st = {.r = r, .format = format};
    unsigned char *text = NULL;
    size_t len = 0;
    int rc = KURA_OK;
    if (strcmp(format, "keepass-csv") == 0) {
        rc = keepass_unescape(in, in_len, &text, &len);
        if (rc == KURA_ERR_INVALID) rc = rd_fail(r, "more escaped quotes than KeePass writes");
    }
    if (rc == KURA_OK) rc = parse(&st, text ? text : in, text ? len : in_len);
    if (text) wiping_free(text);
    if (rc == KURA_OK && !st.have_header) rc = rd_fail(r, "the file is empty: no header row");
    if (rc == KURA_OK && !r->sink->named) { /* data this format does not read: not this format? */
        char names[400] = "";
        size_t n = 0;
        for (size_t i = 0; i < st.n_names; i++) {
            if (!st.unread[i]) continue;
            size_t have = strlen(names);
            snprintf(names + have, sizeof names - have, "%s'%s'", n++ ? ", " : "", st.names[i]);
        }
        if (st.unread_beyond) {
            rc = rd_fail(r, "rows have cells after the header's last column, which this "
                            "format's reader does not read");
            rc = KURA_ERR_UNREAD;
        } else if (n) {
            rd_fail(r, "the column%s %s hold%s data that this format's reader does not read",
                    n == 1 ? "" : "s", names, n == 1 ? "s" : "");
            rc = KURA_ERR_UNREAD;
        }
    } else if (rc == KURA_ERR_INVALID && !r->err[0])
        rc = rd_fail(r, "a quote left open or misplaced after row %zu", st.rows + 1);
    state_free(&st);
    return rc;
}

/* Dashlane's export: a zip of its CSV files, each read as a file of its own. */
static const char *const dashlane_files[] = {"credentials.csv", "securenotes.csv", "payments.csv",
                                             "ids.csv", "personalInfo.csv"};

int dashlane_zip(struct zip *z)
{
    for (size_t i = 0; i < sizeof dashlane_files / sizeof *dashlane_files; i++)
        if (zip_name_locate(z, dashlane_files[i], 0) >= 0) return 1;
    return 0;
}

static int read_dashlane_zip(reader *r)
{
    struct zip *z = zip_of(r);
    if (!z) return KURA_ERR_INVALID;
    int rc = KURA_OK, found = 0;
    for (size_t i = 0; rc == KURA_OK && i < sizeof dashlane_files / sizeof *dashlane_files; i++) {
        unsigned char *data = NULL;
        size_t n = 0;
        rc = zip_member(r, z, dashlane_files[i], &data, &n);
        if (rc == KURA_ERR_NOT_FOUND) {
            rc = KURA_OK;
            continue;
        }
        found++;
        if (rc == KURA_OK) rc = read_csv_text(r, "dashlane-csv", data, n);
        zip_member_free(data, n);
        if (rc != KURA_OK && rc != KURA_ERR_IO && r->err[0]) { /* say which file */
            char why[300];
            snprintf(why, sizeof why, "%s", r->err);
            rd_fail(r, "its %s: %s", dashlane_files[i], why);
        }
    }
    if (rc == KURA_OK && !found)
        rc = rd_fail(r, "a zip archive without Dashlane's CSV files (credentials.csv, ...)");
    zip_discard(z);
    return rc;
}

int read_csv(reader *r, const char *format)
{
    if (!format_named(format)) return rd_fail(r, "kura does not know the format %s", format);
    if (strcmp(format, "dashlane-csv") == 0 && r->len >= 4 && memcmp(r->text, "PK\3\4", 4) == 0)
        return read_dashlane_zip(r);
    return read_csv_text(r, format, r->text, r->len);
}
