/* Reset, the last resort: destroys a vault beyond recovery. The file (and any journal) is
 * overwritten with zeros, synced and unlinked, which shreds every wrapped copy of the vault
 * key in it; this device's slot and sessions for the vault go too. Damage never blocks it:
 * whatever cannot be read is simply destroyed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kura/kura.h"
#include "vault_int.h"

void kura_reset_inspect(kura_reset_report *r, const char *path)
{
    kura_vault *v = NULL;
    size_t n = 0;
    memset(r, 0, sizeof *r);
    r->items = -1;
    if (kura_vault_open(&v, path) == KURA_OK) {
        snprintf(r->old_id, sizeof r->old_id, "%s", kura_vault_id(v));
        if (kura_vault_count(v, &n) == KURA_OK) r->items = (long long)n;
    }
    kura_vault_close(v);
}

static int destroy(kura_reset_report *r, const char *path)
{
    int rc = kura_shred(path);
    if (rc == KURA_OK) r->files++;
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

int kura_reset_destroy(kura_reset_report *r, const char *path, const char *device_dir,
                       const char *runtime_dir)
{
    char side[PATH_MAX];
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return KURA_ERR_INVALID;
    int rc = destroy(r, path);
    static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; rc == KURA_OK && i < 3; i++) {
        if (snprintf(side, sizeof side, "%s%s", path, suffixes[i]) >= (int)sizeof side) continue;
        rc = destroy(r, side);
    }
    if (rc != KURA_OK || !r->old_id[0]) return rc;
    if (kura_device_path(side, sizeof side, device_dir, r->old_id) == KURA_OK &&
        kura_shred(side) == KURA_OK)
        r->device_slot = 1;
    /* This device's record of the old vault's newest state (vault/state.c). */
    if (snprintf(side, sizeof side, "%s/%s.seen", device_dir, r->old_id) < (int)sizeof side)
        (void)kura_shred(side);
    return kura_session_end_all(runtime_dir, r->old_id, &r->sessions);
}
