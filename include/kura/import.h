/* kura/import.h: other password managers' exports read into items. The readers live in the
 * module kura-import.so (with libcsv, libxml2, libzip and jansson), loaded on first use the way
 * the kit's renderers are. kura's own JSON is read by the command itself. */
#ifndef KURA_IMPORT_H
#define KURA_IMPORT_H

#include <stddef.h>

#include "vault.h"

/* Where a reader puts what it reads, one item at a time. */
typedef struct kura_import_sink {
    void *ctx;
    /* An empty item to fill; NULL stops reading. */
    kura_item *(*next)(void *ctx);
    /* The item from next, filled. why is NULL, or the reason it cannot be taken (a static
     * string); done is how many bytes of the input were read so far. Non-zero stops reading. */
    int (*put)(void *ctx, const char *why, size_t done);
} kura_import_sink;

/* The formats, by the names --from takes. */
#define KURA_IMPORT_FORMATS                                                                  \
    "bitwarden-json, bitwarden-csv, 1password-1pux, 1password-csv, keepassxc-csv, "          \
    "keepass-xml, chrome-csv, firefox-csv, kura-csv"

/* Both take a file's text without a UTF-8 byte order mark (kura import drops one).
 *
 * The format name of a file's text (a CSV's header, a zip, XML), or NULL if it is none that
 * kura knows. JSON is told apart by the caller. KURA_ERR_NO_MODULE-like failure: NULL, with
 * *no_module set. */
const char *kura_import_detect(const unsigned char *text, size_t len, int *no_module);

/* Reads text (a whole file) as format into sink. KURA_OK; KURA_ERR_INVALID with a one-line
 * reason in err when the text is not that format; KURA_ERR_NOMEM; KURA_ERR_NO_MODULE when
 * kura-import.so does not load (kura_import_module_error says why); or KURA_ERR_IO when the
 * sink stopped it. */
int kura_import_read(const char *format, const unsigned char *text, size_t len,
                     kura_import_sink *sink, char *err, size_t errlen);

const char *kura_import_module_error(void);

#endif
