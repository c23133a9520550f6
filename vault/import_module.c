/* kura/import.h's functions, reached through kura-import.so (loaded on first use, found as
 * vault/module.c says). Weak: a program linking the readers itself gets those instead. */
#include "kura/import.h"
#include "vault_int.h"

static kura_module module = KURA_MODULE("kura-import.so");

static void *entry(const char *symbol)
{
    return kura_module_symbol(&module, symbol);
}

const char *kura_import_module_error(void)
{
    return kura_module_error(&module);
}

__attribute__((weak)) const char *kura_import_detect(const unsigned char *text, size_t len,
                                                     int *no_module)
{
    const char *(*fn)(const unsigned char *, size_t, int *) =
        (const char *(*)(const unsigned char *, size_t, int *))entry("kura_import_detect");
    *no_module = !fn;
    return fn ? fn(text, len, no_module) : NULL;
}

__attribute__((weak)) int kura_import_read(const char *format, const unsigned char *text,
                                           size_t len, kura_import_sink *sink, char *err,
                                           size_t errlen)
{
    int (*fn)(const char *, const unsigned char *, size_t, kura_import_sink *, char *, size_t) =
        (int (*)(const char *, const unsigned char *, size_t, kura_import_sink *, char *,
                 size_t))entry("kura_import_read");
    return fn ? fn(format, text, len, sink, err, errlen) : KURA_ERR_NO_MODULE;
}
