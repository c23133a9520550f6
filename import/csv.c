/* CSV exports (libcsv): Bitwarden, 1Password, KeePassXC, LastPass, Chrome and Edge, Firefox,
 * and kura's own. Columns are found by their names in the header row, never by position, so a
 * manager that adds or moves a column is still read. */
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <jansson.h>
#include <sodium.h>

#include "common.h"

#define MAX_COLS 64
#define CHUNK 65536

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

typedef struct csv_state {
    reader *r;
    const char *format;
    size_t unread[MAX_COLS]; /* rows with a value in each column the format does not read */
    row cells;
    char *names[MAX_COLS]; /* the header, lower case */
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
    LP_URL,   /* LastPass's url: "http://sn" marks a secure note, not a site */
    LP_GROUP, /* LastPass's grouping: folders split by '\\' */
    LP_EXTRA, /* LastPass's extra: the notes, or a typed note's "Key:Value" lines */
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
    column columns[12];
    const char *ignored[6]; /* columns kura knowingly leaves out: how the manager shows an item,
                             * never what it holds */
} csv_format;

static const csv_format formats[] = {
    {"bitwarden-csv",
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
    {"firefox-csv",
     {"url", "password", "httprealm"},
     {{"url", URLS, 0, "\n"},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"httprealm", FIELD, 0, "HTTP realm"},
      {"timecreated", CREATED, 1, NULL},
      {"timepasswordchanged", UPDATED, 1, NULL}},
     {"formactionorigin", "guid", "timelastused"}},
    {"keepassxc-csv",
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
    {"kura-csv",
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
    {"1password-csv",
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
    {"lastpass-csv",
     {"grouping", "extra", "fav", "name"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"url", LP_URL, 0, NULL},
      {"totp", OTP, 0, NULL},
      {"grouping", LP_GROUP, 0, NULL},
      {"extra", LP_EXTRA, 0, NULL}},
     {"fav", "last_touch", "last_pwd_change"}},
    {"chrome-csv",
     {"name", "url", "username", "password"},
     {{"name", TEXT, KURA_TITLE, NULL},
      {"username", TEXT, KURA_USERNAME, NULL},
      {"password", TEXT, KURA_PASSWORD, NULL},
      {"note", TEXT, KURA_NOTES, NULL},
      {"url", URLS, 0, "\n"}},
     {NULL}},
};

static const csv_format *format_named(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

/* 1 if format reads the column name, or knowingly leaves it out. */
static int reads(const csv_format *fmt, const char *name)
{
    for (const column *c = fmt->columns; c < fmt->columns + 12 && c->name; c++)
        if (strcmp(c->name, name) == 0) return 1;
    for (size_t i = 0; i < 6 && fmt->ignored[i]; i++)
        if (strcmp(fmt->ignored[i], name) == 0) return 1;
    return 0;
}

/* Each column of the row with a value that the format does not read: counted, and with a
 * format the user named, said as dropped from this item. */
static void unread_cells(csv_state *st)
{
    const csv_format *fmt = format_named(st->format);
    for (size_t i = 0; fmt && i < st->n_names && i < st->cells.n; i++) {
        if (!st->cells.buf[st->cells.off[i]] || reads(fmt, st->names[i])) continue;
        st->unread[i]++;
        if (st->r->sink->named) {
            char kind[80];
            snprintf(kind, sizeof kind, "column '%.60s'", st->names[i]);
            rd_dropped(st->r, kind);
        }
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
            char low[128];
            size_t k = 0;
            for (; key[k] && k < sizeof low - 1; k++)
                low[k] = (char)((key[k] >= 'A' && key[k] <= 'Z') ? key[k] + 32 : key[k]);
            low[k] = '\0';
            int secret = strstr(low, "password") || strstr(low, "pin") || strstr(low, "number") ||
                         strstr(low, "code") || strstr(low, "key") || strstr(low, "secret");
            why = put_field(it, key, value, secret);
        }
        sodium_memzero(value, sizeof value);
    }
    if (!why && addr[0]) why = put_field(it, "address", addr, 0);
    sodium_memzero(addr, sizeof addr);
    return why;
}

/* One cell into the item as its column says. */
static const char *put_cell(kura_item *it, const column *c, const char *v)
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
    const char *why = NULL;
    const csv_format *fmt = format_named(f);
    for (const column *c = fmt->columns; !why && c < fmt->columns + 12 && c->name; c++)
        why = put_cell(it, c, cell(st, c->name));
    return why;
}

static int fits(const csv_state *st, const char *f);
static const char *format_of(const csv_state *st);

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
    if (!st->have_header) {
        for (size_t i = 0; i < w->n; i++) {
            char *name = strdup(w->buf + w->off[i]), *p = name;
            if (!name) {
                st->rc = KURA_ERR_NOMEM;
                return;
            }
            for (; *p; p++)
                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
            st->names[st->n_names++] = name;
        }
        st->have_header = 1;
        row_reset(w);
        if (st->r && !fits(st, st->format)) {
            const char *is = format_of(st);
            st->rc = is ? rd_fail(st->r, "its first row is that of a %s file", is)
                        : rd_fail(st->r, "its first row does not name the columns of one");
        }
        return;
    }
    int empty = 1;
    for (size_t i = 0; i < w->n && empty; i++)
        empty = w->buf[w->off[i]] == '\0';
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
    for (size_t i = 0; i < st->n_names; i++)
        free(st->names[i]);
}

/* Whether the header has the columns that make a file of format. */
static int fits(const csv_state *st, const char *f)
{
    const csv_format *fmt = format_named(f);
    for (size_t i = 0; fmt && i < 5 && fmt->required[i]; i++)
        if (!has(st, fmt->required[i])) return 0;
    if (fmt && strcmp(f, "1password-csv") == 0) /* and some column for the site */
        return has(st, "otpauth") || has(st, "url") || has(st, "website");
    return fmt != NULL;
}

/* What a header says the file is: the first format it fits, most particular first. */
static const char *format_of(const csv_state *st)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (fits(st, formats[i].name)) return formats[i].name;
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
    const char *f = st.have_header && st.rc == KURA_OK ? format_of(&st) : NULL;
    state_free(&st);
    return f;
}

int read_csv(reader *r, const char *format)
{
    if (!format_named(format)) return rd_fail(r, "kura does not know the format %s", format);
    csv_state st = {.r = r, .format = format};
    int rc = parse(&st, r->text, r->len);
    if (rc == KURA_OK && !st.have_header) rc = rd_fail(r, "the file is empty: no header row");
    if (rc == KURA_OK && !r->sink->named) { /* data this format does not read: not this format? */
        char names[400] = "";
        size_t n = 0;
        for (size_t i = 0; i < st.n_names; i++) {
            if (!st.unread[i]) continue;
            size_t have = strlen(names);
            snprintf(names + have, sizeof names - have, "%s'%s'", n++ ? ", " : "", st.names[i]);
        }
        if (n) {
            rd_fail(r, "the column%s %s hold%s data that this format's reader does not read",
                    n == 1 ? "" : "s", names, n == 1 ? "s" : "");
            rc = KURA_ERR_UNREAD;
        }
    } else if (rc == KURA_ERR_INVALID && !r->err[0])
        rc = rd_fail(r, "a quote left open or misplaced after row %zu", st.rows + 1);
    state_free(&st);
    return rc;
}
