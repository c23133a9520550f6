/* Fuzz target: the import readers: kura's JSON, and kura-import.so's (libcsv, libxml2, libzip,
 * jansson). The
 * first input byte picks the format (or detection); the rest is the file, read into items
 * that are filled and dropped. */
#include "fuzz_common.h"
#include "kura/kura.h"

static const char *const formats[] = {
    "bitwarden-json", "bitwarden-csv", "1password-1pux", "1password-csv",  "keepassxc-csv",
    "keepass-xml",    "chrome-csv",    "firefox-csv",    "kura-csv",       "kura",
    "lastpass-csv",   "keepass-csv",   "dashlane-csv",   "nordpass-csv",   "roboform-csv",
    "keeper-csv",     "enpass-json",   "keepassx-xml",   "1password7-csv", "protonpass",
    "dashlane-json",  "keeper-json"};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static kura_item *item;
static size_t taken;

static kura_item *next(void *ctx)
{
    (void)ctx;
    return item;
}

static int put(void *ctx, const char *why, size_t done)
{
    (void)ctx, (void)why, (void)done;
    taken++;
    kura_item_clear(item);
    return taken > 100000; /* a reader that never ends is a bug too */
}

static kura_item *older;

/* An older version to fill: the one spare item, emptied. */
static kura_item *past(void *ctx)
{
    (void)ctx;
    kura_item_clear(older);
    return older;
}

/* A file handed over: its name is text, its bytes are all readable. */
static int attached(void *ctx, const char *name, const unsigned char *p, size_t n)
{
    (void)ctx;
    volatile unsigned char sum = 0;
    if (!name) abort();
    for (size_t i = 0; i < n; i++)
        sum ^= p[i];
    (void)sum;
    return 0;
}

static void dropped(void *ctx, const char *kind)
{
    (void)ctx;
    if (!kind || !*kind) abort(); /* a reader always says what it dropped */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_setup();
    if (!item && !(item = kura_item_new())) abort();
    if (!older && !(older = kura_item_new())) abort();
    if (n < 1) return 0;
    const kura_import_format *format = NULL;
    if (data[0] < N_FORMATS)
        format = kura_import_format_named(formats[data[0]]);
    else if (kura_import_detect(&format, data + 1, n - 1) != KURA_OK)
        return 0;
    if (!format) abort();
    /* The format named (--from) or not: the strict and the dropping paths both. */
    kura_import_sink sink = {NULL, next, put, dropped, n > 1 && (data[1] & 1), attached, past};
    taken = 0;
    kura_item_clear(item);
    if (kura_import_read(format, data + 1, n - 1, &sink) != KURA_OK) return 0;
    return 0;
}
