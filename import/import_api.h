/* import_api.h: what the import module (kura-import.so: libcsv, libxml2, libzip) gives
 * libkura: one table of typed function pointers, looked up by one name (in the spirit of
 * sqlite3_api_routines). import/formats.c says which reader reads which format. */
#ifndef KURA_IMPORT_API_H
#define KURA_IMPORT_API_H

#include "kura/import.h"

#define KURA_IMPORT_API_VERSION 2

/* A reader: text as format into sink, returning what kura_import_read says, with its reason
 * in err (the module's copy of libkura has a detail of its own, so the text crosses here). */
typedef int (*kura_import_reader)(const char *format, const unsigned char *text, size_t len,
                                  kura_import_sink *sink, char *err, size_t errlen);

typedef struct kura_import_api {
    unsigned version; /* KURA_IMPORT_API_VERSION: a module of another version is not used */
    /* The format of a file that is not JSON (a zip, XML, a CSV's header): a name in
     * formats.c's table, or NULL. */
    const char *(*detect)(const unsigned char *text, size_t len);
    /* The readers (kura_import_read says what they return). */
    kura_import_reader read_csv, read_bitwarden, read_1pux, read_keepass_xml;
    /* The other managers' JSON exports, by the format's name (Enpass). */
    kura_import_reader read_json;
} kura_import_api;

/* The module's table (import/module.c); its only exported symbol. */
extern const kura_import_api kura_import_module_api;
#define KURA_IMPORT_API_SYMBOL "kura_import_module_api"

/* The table, from the program itself or from kura-import.so; NULL when it does not load
 * (import/load.c; kura_error_detail says why). */
const kura_import_api *kura_import_api_get(void);

/* The offset of the first byte of text at or after off that is not JSON's white space. */
static inline size_t kura_import_skip_space(const unsigned char *t, size_t len, size_t off)
{
    while (off < len && (t[off] == ' ' || t[off] == '\t' || t[off] == '\n' || t[off] == '\r'))
        off++;
    return off;
}

/* kura's own JSON (import/kura_json.c), read without the module. */
int kura_json_read(const char *format, const unsigned char *text, size_t len,
                   kura_import_sink *sink, char *err, size_t errlen);

#endif
