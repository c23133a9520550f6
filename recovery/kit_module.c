/* The kit functions of kura/recovery.h that need libharu, cairo, poppler, libzbar and
 * libqrencode, reached through the kit module's table (kit_api.h). A program that links the
 * module's sources itself (a test tool, a fuzz target) has the table already; kura loads
 * kura-kit.so on first use (vault/module.c says where it is looked for). */
#include <sodium.h>

#include "kit_api.h"
#include <string.h>

#include "base.h"

/* Defined only when the module's sources are linked in. */
extern const kura_kit_api kura_kit_module_api __attribute__((weak));

static kura_module module = KURA_MODULE("kura-kit.so");

static const kura_kit_api *api(void)
{
    if (&kura_kit_module_api) return &kura_kit_module_api;
    return kura_module_table(&module, KURA_KIT_API_SYMBOL, KURA_KIT_API_VERSION);
}

int kura_kit_write_pdf(const char *path, const kura_kit_spec *spec)
{
    const kura_kit_api *a = api();
    return a ? a->write_pdf(path, -1, spec) : KURA_ERR_NO_MODULE;
}

int kura_kit_print_pdf(int fd, const kura_kit_spec *spec)
{
    const kura_kit_api *a = api();
    return a ? a->write_pdf(NULL, fd, spec) : KURA_ERR_NO_MODULE;
}

int kura_kit_write_png(const char *path, const kura_kit_spec *spec)
{
    const kura_kit_api *a = api();
    return a ? a->write_png(path, spec) : KURA_ERR_NO_MODULE;
}

int kura_kit_read(char *vault_id, kura_client_key *key, const char *path)
{
    return kura_kit_read_seen(vault_id, key, path, NULL, 0);
}

int kura_qr_read_text(char **out, const char *path, const char *prefix, kura_kit_seen *seen)
{
    const kura_kit_api *a = api();
    kura_kit_seen none;
    if (!seen) seen = &none;
    memset(seen, 0, sizeof *seen);
    *out = NULL;
    return a ? a->read_qr(out, path, prefix, seen) : KURA_ERR_NO_MODULE;
}

int kura_kit_read_found(kura_kit_found *found, const char *path, kura_kit_seen *seen,
                        unsigned flags)
{
    const kura_kit_api *a = api();
    kura_kit_seen none;
    if (!seen) seen = &none;
    memset(seen, 0, sizeof *seen);
    return a ? a->read(found, path, seen, flags) : KURA_ERR_NO_MODULE;
}

int kura_kit_read_seen(char *vault_id, kura_client_key *key, const char *path, kura_kit_seen *seen,
                       unsigned flags)
{
    kura_kit_seen none;
    if (!seen) seen = &none;
    kura_kit_found *found = sodium_malloc(sizeof *found);
    if (!found) return KURA_ERR_NOMEM;
    int rc = kura_kit_read_found(found, path, seen, flags);
    if (rc == KURA_OK && found->is_share) { /* a share alone is no key */
        seen->shares++;
        rc = KURA_ERR_NOT_FOUND;
    }
    if (rc == KURA_OK) {
        memcpy(vault_id, found->vault_id, sizeof found->vault_id);
        memcpy(key, &found->key, sizeof *key);
    }
    sodium_free(found);
    return rc;
}

int kura_kit_qr_text(char **out, const char *vault_id, const kura_client_key *key, int ascii)
{
    const kura_kit_api *a = api();
    *out = NULL;
    return a ? a->qr_text(out, vault_id, key, ascii) : KURA_ERR_NO_MODULE;
}
