/* fuzz_synced.h: what the sync fuzz targets share: a vault with history, on a folder remote. */
#ifndef KURA_FUZZ_SYNCED_H
#define KURA_FUZZ_SYNCED_H

#include <unistd.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "kura/kura.h"

/* Makes the vault at path (its key into key, its state records in state_dir, NULL: none) with
 * two items, "Bank" edited once and "Gone" deleted, syncing through the folder remote_dir
 * (made here) as "origin"; the vault is left open in *out. */
static inline void fuzz_synced_vault(kura_vault **out, kura_client_key *key, const char *path,
                                     const char *state_dir, const char *remote_dir)
{
    kura_vault *v = NULL;
    if (kura_vault_create(&v, key, path, "fuzz") != KURA_OK) abort();
    if (kura_vault_set_state_dir(v, state_dir) != KURA_OK) abort();
    kura_item *it = kura_item_new();
    if (kura_item_set(it, KURA_TITLE, "Bank") || kura_item_set(it, KURA_PASSWORD, "one") ||
        kura_item_add(v, it) != KURA_OK || kura_item_set(it, KURA_PASSWORD, "two") ||
        kura_item_update(v, it) != KURA_OK)
        abort();
    /* A file attached, through a pipe: 3000 bytes, three chunks' worth of nothing but one. */
    int fds[2];
    static unsigned char content[3000];
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (unsigned char)(i * 7);
    if (pipe(fds) != 0 || write(fds[1], content, sizeof content) != (ssize_t)sizeof content)
        abort();
    close(fds[1]);
    if (kura_item_attach(v, it, "scan.bin", fds[0]) != KURA_OK) abort();
    close(fds[0]);
    kura_item_free(it);
    it = kura_item_new();
    if (kura_item_set(it, KURA_TITLE, "Gone") || kura_item_add(v, it) != KURA_OK ||
        kura_item_delete(v, it->id) != KURA_OK)
        abort();
    kura_item_free(it);
    if (mkdir(remote_dir, 0700) != 0 || kura_remote_add(v, "origin", remote_dir) != KURA_OK)
        abort();
    *out = v;
}

#endif
