/* The kit functions that need libharu, cairo, poppler, libzbar and libqrencode, reached
 * through kura-kit.so, loaded on first use (vault/module.c says where it is looked for).
 *
 * These definitions are weak: a program that links the kit sources itself (a test tool, a
 * fuzz target) gets those instead. */

#include "kit_int.h"

static kura_module module = KURA_MODULE("kura-kit.so");

static void *entry(const char *symbol)
{
    return kura_module_symbol(&module, symbol);
}

const char *kura_kit_module_error(void)
{
    return kura_module_error(&module);
}

__attribute__((weak)) int kura_kit_write_pdf(const char *path, const kura_kit_spec *spec)
{
    int (*fn)(const char *, const kura_kit_spec *) =
        (int (*)(const char *, const kura_kit_spec *))entry("kura_kit_write_pdf");
    return fn ? fn(path, spec) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_write_png(const char *path, const kura_kit_spec *spec)
{
    int (*fn)(const char *, const kura_kit_spec *) =
        (int (*)(const char *, const kura_kit_spec *))entry("kura_kit_write_png");
    return fn ? fn(path, spec) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_read(char *vault_id, kura_client_key *key, const char *path)
{
    int (*fn)(char *, kura_client_key *, const char *) =
        (int (*)(char *, kura_client_key *, const char *))entry("kura_kit_read");
    return fn ? fn(vault_id, key, path) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_qr_text(char **out, const char *vault_id,
                                           const kura_client_key *key, int ascii)
{
    int (*fn)(char **, const char *, const kura_client_key *, int) =
        (int (*)(char **, const char *, const kura_client_key *, int))entry("kura_kit_qr_text");
    *out = NULL;
    return fn ? fn(out, vault_id, key, ascii) : KURA_ERR_NO_MODULE;
}
