/* kura-import.so's two entry points (kura/import.h): tell a file's format, and read it. */
#include <string.h>

#include "common.h"

static size_t skip_space(const unsigned char *t, size_t len, size_t off)
{
    while (off < len && (t[off] == ' ' || t[off] == '\t' || t[off] == '\n' || t[off] == '\r'))
        off++;
    return off;
}

const char *kura_import_detect(const unsigned char *text, size_t len, int *no_module)
{
    *no_module = 0;
    if (len >= 4 && memcmp(text, "PK\3\4", 4) == 0) return "1password-1pux";
    size_t off = skip_space(text, len, 0);
    if (off < len && text[off] == '<') return "keepass-xml";
    return detect_csv(text, len);
}

static int read_as(reader *r, const char *format, const unsigned char *text, size_t len);

int kura_import_read(const char *format, const unsigned char *text, size_t len,
                     kura_import_sink *sink, char *err, size_t errlen)
{
    reader r = {.sink = sink, .text = text, .len = len, .err = err, .errlen = errlen};
    err[0] = '\0';
    import_budget(len);
    int rc = read_as(&r, format, text, len);
    if (rc == KURA_ERR_NOMEM && import_over_budget()) rc = rd_too_big(&r);
    return rc;
}

static int read_as(reader *r, const char *format, const unsigned char *text, size_t len)
{
    if (strcmp(format, "bitwarden-json") == 0) return read_bitwarden(r);
    if (strcmp(format, "1password-1pux") == 0) {
        size_t off = skip_space(text, len, 0);
        return off < len && text[off] == '{' ? read_1pux_json(r, text + off, len - off)
                                             : read_1pux_zip(r);
    }
    if (strcmp(format, "keepass-xml") == 0) return read_keepass_xml(r);
    return read_csv(r, format); /* the CSV formats, or "kura does not know the format" */
}
