/* kura/import.h: kura's and other password managers' exports read into items. kura's own
 * JSON is read by libkura (with jansson); the other readers live in the module kura-import.so
 * (with libcsv, libxml2 and libzip), loaded on first use the way the kit's renderers are. */
#ifndef KURA_IMPORT_H
#define KURA_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a reader puts what it reads, one item at a time. */
typedef struct kura_import_sink {
    void *ctx;
    /* An empty item to fill; NULL stops reading. */
    kura_item *(*next)(void *ctx);
    /* The item from next, filled. why is NULL, or the reason it cannot be taken (a static
     * string); done is how many bytes of the input were read so far. Non-zero stops reading. */
    int (*put)(void *ctx, const char *why, size_t done);
    /* The item being filled loses data of this kind ("password history", "passkeys",
     * "attachments", "column 'extra'"), said once per kind and item, before its put. The
     * text is the reader's: copy it. May be NULL. Called from the reading thread. */
    void (*dropped)(void *ctx, const char *kind);
    /* The user named the format (--from). A file that holds data its format's reader does
     * not read (a CSV column, a JSON key) is refused unless so, when that data is dropped and
     * said instead. */
    int named;
    /* A file the item being filled holds (an attachment: KeePass's binaries, 1Password's
     * documents), its name and content lent for the call, before the item's put. Non-zero
     * stops reading. NULL: attachments are dropped (and said through dropped). */
    int (*attach)(void *ctx, const char *name, const unsigned char *p, size_t n);
    /* An empty item to fill as an older version of the item being filled (its password
     * history, a KeePass entry's History), its updated time when that version was current;
     * before the item's put. NULL: none taken (the history is dropped, and said). */
    kura_item *(*past)(void *ctx);
} kura_import_sink;

/* A time as exports write it: "2024-05-01T10:20:30Z" (a fraction and an offset allowed, "T"
 * or " "), or seconds or, when ms, milliseconds since the epoch. 0 if it is none of those. */
int64_t kura_time_parse(const char *s, int ms);

/* The host of url (liburiparser) into out (cap bytes): 1, or 0 when it has none (or it does
 * not fit). An IPv6 host comes without its brackets; a URL without a scheme is read as if it
 * had one ("example.org/login"). */
int kura_url_host(char *out, size_t cap, const char *url);

/* What reading one file may hold in memory at once (its parsers' memory, a zip's inflated
 * data): 16 times the file, at least 256 MiB. Past it the file is refused, not the machine's
 * memory exhausted (a zip bomb, entities that expand). */
#define KURA_IMPORT_BUDGET(len)                                                                    \
    ((size_t)(len) > ((size_t)16 << 20) ? (size_t)(len)*16 : (size_t)256 << 20)

/* One format kura imports (import/formats.c holds the table). */
typedef struct kura_import_format kura_import_format;

/* The format a name or an alias that --from takes names ("bitwarden", "bitwarden-json"), or
 * NULL. */
const kura_import_format *kura_import_format_named(const char *name);
/* kura's encrypted export (kura export --encrypted), which is told apart, never named: its
 * opened text is kura's JSON. */
const kura_import_format *kura_import_format_sealed(void);
/* Its name ("bitwarden-json") and its label for people ("Bitwarden JSON"). */
const char *kura_import_format_name(const kura_import_format *f);
const char *kura_import_format_label(const kura_import_format *f);
/* The names --from takes, ", " between them, into out (cut to cap bytes). */
void kura_import_format_names(char *out, size_t cap);

/* Both take a file's text without a UTF-8 byte order mark (kura import drops one).
 *
 * What text is: KURA_OK with *out; KURA_ERR_NOT_FOUND when it is no kind kura knows;
 * KURA_ERR_NO_MODULE when telling needs kura-import.so and it does not load. JSON is told
 * without the module. */
KURA_MUST_CHECK int kura_import_detect(const kura_import_format **out, const unsigned char *text,
                                       size_t len);

/* Reads text (a whole file) as format f into sink. KURA_OK; KURA_ERR_INVALID when the text
 * is not that format; KURA_ERR_UNREAD when it holds data the format's reader does not read and
 * the sink did not name the format; KURA_ERR_CORRUPT when kura's JSON is not JSON;
 * KURA_ERR_NOT_FOUND when kura's JSON holds no list of items; KURA_ERR_NOMEM;
 * KURA_ERR_NO_MODULE when kura-import.so does not load; or KURA_ERR_IO when the sink stopped
 * it. kura_error_detail() says why in one line (where a file went wrong and what kind of fault,
 * which data was not read), never quoting the file. */
KURA_MUST_CHECK int kura_import_read(const kura_import_format *f, const unsigned char *text,
                                     size_t len, kura_import_sink *sink);

#ifdef __cplusplus
}
#endif
#endif
