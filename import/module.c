/* kura-import.so's table (import_api.h): tell a file's format, and the readers. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include <zip.h>

#include "common.h"
#include "import_api.h"

/* A zip: Proton Pass's, Dashlane's CSV files, else a .1pux (whose reader says if not). */
static const char *zip_kind(const unsigned char *text, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(text, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z && src) zip_source_free(src);
    zip_error_fini(&ze);
    const char *kind = z && protonpass_zip(z) ? "protonpass"
                       : z && dashlane_zip(z) ? "dashlane-csv"
                                              : "1password-1pux";
    if (z) zip_discard(z);
    return kind;
}

static const char *detect(const unsigned char *text, size_t len)
{
    if (len >= 4 && memcmp(text, "PK\3\4", 4) == 0) return zip_kind(text, len);
    if (len >= 27 && memcmp(text, "-----BEGIN PGP MESSAGE-----", 27) == 0) return "protonpass";
    size_t off = kura_import_skip_space(text, len, 0);
    if (off < len && text[off] == '<') { /* KeePassX 0.4 starts with its DOCTYPE or <database> */
        size_t n = len - off < 512 ? len - off : 512;
        return memmem(text + off, n, "KEEPASSX_DATABASE", 17) ||
                       memmem(text + off, n, "<database>", 10)
                   ? "keepassx-xml"
                   : "keepass-xml";
    }
    return detect_csv(text, len);
}

/* Runs one reader over text with the import's memory budget. */
static int run(int (*fn)(reader *r, const char *format), const char *format,
               const unsigned char *text, size_t len, kura_import_sink *sink, char *err,
               size_t errlen)
{
    reader r = {.sink = sink, .text = text, .len = len, .err = err, .errlen = errlen};
    err[0] = '\0';
    import_budget(len);
    int rc = fn(&r, format);
    if (rc == KURA_ERR_NOMEM && import_over_budget()) rc = rd_too_big(&r);
    return rc;
}

static int bitwarden(reader *r, const char *format)
{
    (void)format;
    return read_bitwarden(r);
}

static int onepux(reader *r, const char *format)
{
    (void)format;
    size_t off = kura_import_skip_space(r->text, r->len, 0);
    return off < r->len && r->text[off] == '{'
               ? read_1pux_json(r, r->text + off, r->len - off, NULL)
               : read_1pux_zip(r);
}

static int keepass_xml(reader *r, const char *format)
{
    return read_keepass_xml(r, strcmp(format, "keepassx-xml") == 0);
}

/* Another manager's JSON, by the format's name. */
static int json_export(reader *r, const char *format)
{
    if (strcmp(format, "enpass-json") == 0) return read_enpass(r);
    if (strcmp(format, "protonpass") == 0) return read_protonpass(r);
    if (strcmp(format, "dashlane-json") == 0) return read_dashlane_json(r);
    if (strcmp(format, "keeper-json") == 0) return read_keeper_json(r);
    return rd_fail(r, "kura does not know the format %s", format);
}

#define READER(name, fn)                                                                           \
    static int name(const char *format, const unsigned char *text, size_t len,                     \
                    kura_import_sink *sink, char *err, size_t errlen)                              \
    {                                                                                              \
        return run(fn, format, text, len, sink, err, errlen);                                      \
    }
READER(csv_reader, read_csv)
READER(bitwarden_reader, bitwarden)
READER(onepux_reader, onepux)
READER(keepass_reader, keepass_xml)
READER(json_reader, json_export)

const kura_import_api kura_import_module_api = {
    .version = KURA_IMPORT_API_VERSION,
    .detect = detect,
    .read_csv = csv_reader,
    .read_bitwarden = bitwarden_reader,
    .read_1pux = onepux_reader,
    .read_keepass_xml = keepass_reader,
    .read_json = json_reader,
};
