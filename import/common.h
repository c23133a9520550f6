/* What the import readers share: the reader state that wraps the caller's sink, and helpers
 * that put a text into an item and say why when it cannot be taken. Every helper takes NULL
 * or "" as "nothing there" and returns NULL, or the reason the item is skipped. */
#ifndef KURA_IMPORT_COMMON_H
#define KURA_IMPORT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "kura/import.h"

typedef struct reader {
    kura_import_sink *sink;
    const unsigned char *text;
    size_t len;
    char *err;
    size_t errlen;
    kura_item *item; /* the one being filled */
    int stopped;     /* the sink said stop */
    int fatal;       /* a reader's error mid-item (rd_each returns it) */
} reader;

/* The next empty item, or NULL when the sink stops the reading (r->stopped is then set). */
kura_item *rd_next(reader *r);
/* Hands over the item from rd_next, filled (an item without a title is named by
 * the host of its first URL, else its username), or with the reason it is skipped. Non-zero: stop.
 */
int rd_put(reader *r, const char *why, size_t done);
/* A file of the item being filled (kura_import_sink.attach; dropped and said without one).
 * Non-zero: stop. */
int rd_attach(reader *r, const char *name, const unsigned char *p, size_t n);
/* An empty item to fill as an older version of the item being filled (kura_import_sink.past),
 * or NULL (the history dropped, and said). */
kura_item *rd_past(reader *r);
/* An old password of the item being filled (it), current until until: an older version of
 * it with that password (rd_past). */
void rd_old_password(reader *r, const kura_item *it, const char *password, int64_t until);
/* dst (empty) made a copy of src's texts, lists, fields, type and times: NULL or why not. */
const char *copy_item(kura_item *dst, const kura_item *src);
/* The item being filled loses data of kind (kura_import_sink.dropped). */
void rd_dropped(reader *r, const char *kind);
/* Sets r->err; returns KURA_ERR_INVALID. */
int rd_fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *put_text(kura_item *it, enum kura_item_text which, const char *s);
/* Each part of s between any of the characters in seps (spaces around trimmed) as a URL. */
const char *put_urls(kura_item *it, const char *s, const char *seps);
const char *put_tag(kura_item *it, const char *tag);
/* Each part of s between any of the characters in seps (leading spaces dropped) as a tag. */
const char *put_tags(kura_item *it, const char *s, const char *seps);
/* A field; a name already used gets " (2)", " (3)"... Empty values are dropped. */
const char *put_field(kura_item *it, const char *name, const char *value, int hidden);
/* A TOTP secret (otpauth URI or base32) as the hidden field "otp"; one kura cannot use is kept
 * as the hidden field "totp (unreadable)", so nothing is lost. */
const char *put_otp(kura_item *it, const char *secret);
/* A passkey (a JSON object: Bitwarden's fido2Credentials entry, 1Password's passkey) kept
 * whole as the hidden field "passkey (kura cannot use it)": nothing is lost, and the name says
 * kura cannot sign in with it. */
struct json_t;
const char *put_passkey(kura_item *it, const struct json_t *cred);
/* A card's expiry: month and rest ("8" and "2027"; or rest alone, "06/28", "2028-06") as
 * MM/YYYY when kura can read it, else as written, in the field "expiry". */
const char *put_expiry(kura_item *it, const char *month, const char *rest);
/* A person's name ("Ann Marie Smith") as first-name, middle-name and last-name, each only
 * where the item has none yet. */
const char *put_person(kura_item *it, const char *full);
/* Whether a field's label holds any of words (any case): {"password", "pin", ..., NULL}. */
int label_has(const char *label, const char *const *words);
/* The words that make a field of another manager's hidden (LastPass's, 1Password 7's). */
extern const char *const secret_words[];
/* A group or folder path as a tag, without its first part when drop_root ("Root/Work/Mail":
 * "Work/Mail"); nothing for the root itself. */
const char *put_group(kura_item *it, const char *path, int drop_root);

/* realloc and free that wipe what they let go of (malloc_usable_size bytes): for the
 * parsers' buffers, which hold passwords as text. They and budget_malloc count against the
 * read's budget, KURA_IMPORT_BUDGET (jansson's memory has the same limit in the command). */
void import_budget(size_t file_len);
int import_over_budget(void);
/* Counts n bytes against the budget: 0 (and nothing counted) if that would exceed it. */
int import_budget_take(size_t n);
void import_budget_give(size_t n);
void *budget_malloc(size_t n);
void *wiping_realloc(void *old, size_t size);
void wiping_free(void *p);
/* The read refused for the budget: its one-line reason. */
int rd_too_big(reader *r);

/* A string member of a JSON object, or NULL (jansson's json_t, declared opaque here). */
struct json_t;
const char *jstr(const struct json_t *o, const char *key);
/* The JSON of text, or NULL with *rc why not (r->err: where and what kind of fault, in
 * kura's words, never the file's text). json_decref it. */
struct json_t *rd_json(reader *r, const unsigned char *text, size_t len, int *rc);
/* Each element of list as the next item: fill() fills it (NULL, or why it is skipped), then it
 * is put; *done counts the elements read, of total in the file, for the progress. Stops when
 * the sink does (KURA_ERR_IO) or fill() sets r->fatal (its code is returned). */
typedef const char *(*rd_fill)(reader *r, kura_item *it, const struct json_t *o, void *ctx);
int rd_each(reader *r, const struct json_t *list, rd_fill fill, void *ctx, size_t *done,
            size_t total);

/* In a reader's item_of: the first reason an item is skipped wins (why is its local). */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if (!why) why = (x);                                                                       \
    } while (0)

/* ASCII case-insensitive equality. */
int same_word(const char *a, const char *b);

/* Readers (csv.c, bitwarden.c, onepux.c, keepass.c). */
int read_csv(reader *r, const char *format);
const char *detect_csv(const unsigned char *text, size_t len);
int read_bitwarden(reader *r);
int read_1pux_zip(reader *r);
/* z: the .1pux zip its documents are in, or NULL (export.data alone). */
struct zip;
int read_1pux_json(reader *r, const unsigned char *text, size_t len, struct zip *z);
/* The zip archive r's text is, or NULL (r->err says why). zip_discard it. */
struct zip *zip_of(reader *r);
/* A member's content into *out (sodium_malloc, counted against the budget): KURA_OK,
 * KURA_ERR_NOT_FOUND when the zip has no such member, or why not (r->err). */
int zip_member(reader *r, struct zip *z, const char *name, unsigned char **out, size_t *n);
void zip_member_free(unsigned char *data, size_t n);
/* Proton Pass's export: its zip, or its data.json alone (protonpass.c). */
int read_protonpass(reader *r);
int protonpass_zip(struct zip *z);
/* Whether a zip holds Dashlane's CSV files (csv.c). */
int dashlane_zip(struct zip *z);
/* keepassx: KeePassX 0.4's <database> layout instead of KeePass 2's. */
int read_keepass_xml(reader *r, int keepassx);
int read_enpass(reader *r);
int read_dashlane_json(reader *r);
int read_keeper_json(reader *r);

#endif
