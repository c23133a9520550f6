/* CSV exports (libcsv): Bitwarden, 1Password, KeePassXC, Chrome and Edge, Firefox, and kura's
 * own. Columns are found by their names in the header row, never by position, so a manager
 * that adds or moves a column is still read. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <jansson.h>
#include <sodium.h>

#include "common.h"

#define MAX_COLS 64
#define CHUNK 65536

/* libcsv grows its field buffer with realloc: these wipe what they let go of, since the
 * fields are passwords. */
static void *wiping_realloc(void *old, size_t size)
{
    void *p = malloc(size);
    if (!p || !old) return p;
    size_t had = malloc_usable_size(old);
    memcpy(p, old, had < size ? had : size);
    sodium_memzero(old, had);
    free(old);
    return p;
}

static void wiping_free(void *p)
{
    if (p) sodium_memzero(p, malloc_usable_size(p));
    free(p);
}

/* One row: its cells, NUL-terminated, one after another in a buffer wiped between rows. */
typedef struct row {
    char *buf;
    size_t used, cap;
    size_t off[MAX_COLS];
    size_t n;       /* cells */
    int too_wide;   /* more than MAX_COLS cells */
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
    row cells;
    char *names[MAX_COLS]; /* the header, lower case */
    size_t n_names;
    int have_header;
    size_t fed;    /* bytes given to libcsv so far */
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
        while (cap < w->used + len + 1) cap *= 2;
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
            return i < st->cells.n && st->cells.buf[st->cells.off[i]] ? st->cells.buf + st->cells.off[i]
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
    strcpy(copy, s);
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

/* The current row as an item of st->format: NULL, or why it is skipped. */
static const char *row_item(csv_state *st, kura_item *it)
{
    const char *f = st->format, *why = NULL;
#define TRY(x)                                                                                    \
    do {                                                                                          \
        if (!why) why = (x);                                                                      \
    } while (0)
    if (strcmp(f, "bitwarden-csv") == 0) {
        const char *type = cell(st, "type");
        if (type && !same_word(type, "login") && !same_word(type, "note"))
            return "a Bitwarden item type kura does not keep (only logins and notes)";
        TRY(put_text(it, KURA_TITLE, cell(st, "name")));
        TRY(put_text(it, KURA_USERNAME, cell(st, "login_username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "login_password")));
        TRY(put_text(it, KURA_NOTES, cell(st, "notes")));
        TRY(put_urls(it, cell(st, "login_uri"), ",\n"));
        TRY(put_group(it, cell(st, "folder"), 0));
        TRY(bitwarden_fields(it, cell(st, "fields")));
        TRY(put_otp(it, cell(st, "login_totp")));
    } else if (strcmp(f, "1password-csv") == 0) {
        TRY(put_text(it, KURA_TITLE, cell(st, "title")));
        TRY(put_text(it, KURA_USERNAME, cell(st, "username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "password")));
        TRY(put_text(it, KURA_NOTES, cell(st, "notes")));
        TRY(put_urls(it, cell(st, "url"), ",\n"));
        TRY(put_urls(it, cell(st, "website"), ",\n"));
        TRY(put_urls(it, cell(st, "urls"), ",\n"));
        TRY(put_otp(it, cell(st, "otpauth")));
        TRY(put_tags(it, cell(st, "tags"), ",;"));
        if (truthy(cell(st, "archived"))) TRY(put_tag(it, "archived"));
    } else if (strcmp(f, "keepassxc-csv") == 0) {
        const char *group = cell(st, "group"), *slash = group ? strchr(group, '/') : NULL;
        if (slash && strcmp(slash + 1, "Recycle Bin") == 0) return "in KeePassXC's recycle bin";
        TRY(put_text(it, KURA_TITLE, cell(st, "title")));
        TRY(put_text(it, KURA_USERNAME, cell(st, "username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "password")));
        TRY(put_text(it, KURA_NOTES, cell(st, "notes")));
        TRY(put_urls(it, cell(st, "url"), "\n"));
        TRY(put_group(it, cell(st, "group"), 1));
        TRY(put_otp(it, cell(st, "totp")));
        it->created = parse_when(cell(st, "created"), 0);
        it->updated = parse_when(cell(st, "last modified"), 0);
    } else if (strcmp(f, "chrome-csv") == 0) {
        TRY(put_text(it, KURA_TITLE, cell(st, "name")));
        TRY(put_text(it, KURA_USERNAME, cell(st, "username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "password")));
        TRY(put_text(it, KURA_NOTES, cell(st, "note")));
        TRY(put_urls(it, cell(st, "url"), "\n"));
    } else if (strcmp(f, "firefox-csv") == 0) {
        TRY(put_urls(it, cell(st, "url"), "\n"));
        TRY(put_text(it, KURA_USERNAME, cell(st, "username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "password")));
        TRY(put_field(it, "HTTP realm", cell(st, "httprealm"), 0));
        it->created = parse_when(cell(st, "timecreated"), 1);
        it->updated = parse_when(cell(st, "timepasswordchanged"), 1);
    } else { /* kura-csv */
        TRY(put_text(it, KURA_TITLE, cell(st, "title")));
        TRY(put_text(it, KURA_USERNAME, cell(st, "username")));
        TRY(put_text(it, KURA_PASSWORD, cell(st, "password")));
        TRY(put_text(it, KURA_NOTES, cell(st, "notes")));
        TRY(put_urls(it, cell(st, "urls"), "\n"));
        TRY(put_tags(it, cell(st, "tags"), "\n"));
        TRY(kura_fields(it, cell(st, "fields")));
        it->created = parse_when(cell(st, "created"), 0);
        it->updated = parse_when(cell(st, "updated"), 0);
    }
#undef TRY
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
            if (i == 0 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
                (unsigned char)p[2] == 0xbf)
                memmove(p, p + 3, strlen(p + 3) + 1); /* a byte-order mark */
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
            const char *why = w->too_wide ? "a row with more cells than kura reads" : row_item(st, it);
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
    if (strcmp(f, "bitwarden-csv") == 0) return has(st, "login_uri") && has(st, "login_password");
    if (strcmp(f, "firefox-csv") == 0)
        return has(st, "url") && has(st, "password") && has(st, "httprealm");
    if (strcmp(f, "keepassxc-csv") == 0)
        return has(st, "group") && has(st, "title") && has(st, "password") && has(st, "url");
    if (strcmp(f, "kura-csv") == 0)
        return has(st, "title") && has(st, "urls") && has(st, "password") && has(st, "fields");
    if (strcmp(f, "1password-csv") == 0)
        return has(st, "title") && has(st, "password") &&
               (has(st, "otpauth") || has(st, "url") || has(st, "website"));
    if (strcmp(f, "chrome-csv") == 0)
        return has(st, "name") && has(st, "url") && has(st, "username") && has(st, "password");
    return 0;
}

/* What a header says the file is: the first format it fits, most particular first. */
static const char *format_of(const csv_state *st)
{
    static const char *const order[] = {"bitwarden-csv", "firefox-csv", "keepassxc-csv",
                                        "kura-csv",      "1password-csv", "chrome-csv"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (fits(st, order[i])) return order[i];
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
    csv_state st = {.r = r, .format = format};
    int rc = parse(&st, r->text, r->len);
    if (rc == KURA_OK && !st.have_header) rc = rd_fail(r, "the file is empty: no header row");
    else if (rc == KURA_ERR_INVALID && !r->err[0])
        rc = rd_fail(r, "a quote left open or misplaced after row %zu", st.rows + 1);
    state_free(&st);
    return rc;
}
