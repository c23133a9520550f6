/* Reset, the last resort: destroys a vault beyond recovery. The file (and any journal) is
 * overwritten with zeros, synced and unlinked, which shreds every wrapped copy of the vault
 * key in it; this device's slot and sessions for the vault go too. Damage never blocks it:
 * whatever cannot be read is simply destroyed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kura/kura.h"
#include "storage.h"

#define SCAN_PAGES 1024 /* 4 MiB: a kura vault with a damaged header has whole pages early on */

static int say(char *what, size_t n, int target, const char *words)
{
    snprintf(what, n, "%s", words);
    return target;
}

/* 1 if one of the file's first SCAN_PAGES pages ends in kura's checksum of it. */
static int has_kura_pages(int fd)
{
    unsigned char *page = malloc(KURA_PAGE_SIZE);
    int found = 0;
    for (uint64_t i = 0; page && !found && i < SCAN_PAGES; i++) {
        ssize_t got = pread(fd, page, KURA_PAGE_SIZE, (off_t)(i * KURA_PAGE_SIZE));
        if (got != KURA_PAGE_SIZE) break;
        found = kura_pagesum_valid(page, i);
    }
    free(page);
    return found;
}

int kura_reset_target(const char *path, char *what, size_t n)
{
    struct stat sb;
    unsigned char h[100];
    if (lstat(path, &sb) != 0)
        return say(what, n, errno == ENOENT ? KURA_TARGET_MISSING : KURA_TARGET_NOT_FILE,
                   errno == ENOENT ? "nothing" : "a path kura cannot look at");
    if (S_ISDIR(sb.st_mode)) return say(what, n, KURA_TARGET_NOT_FILE, "a directory");
    if (S_ISLNK(sb.st_mode)) return say(what, n, KURA_TARGET_NOT_FILE, "a symbolic link");
    if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
        return say(what, n, KURA_TARGET_NOT_FILE, "a device");
    if (!S_ISREG(sb.st_mode)) return say(what, n, KURA_TARGET_NOT_FILE, "a pipe or a socket");
    if (sb.st_size == 0) return say(what, n, KURA_TARGET_FOREIGN, "an empty file");
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return say(what, n, KURA_TARGET_NOT_FILE, "a file kura cannot read");
    ssize_t got = pread(fd, h, sizeof h, 0);
    int sqlite = got == (ssize_t)sizeof h && memcmp(h, "SQLite format 3", 16) == 0;
    uint32_t app = sqlite ? kura_get32be(h + 68) : 0;
    int target = app == KURA_APPLICATION_ID ? KURA_TARGET_VAULT
                 : has_kura_pages(fd)       ? KURA_TARGET_DAMAGED
                                            : KURA_TARGET_FOREIGN;
    close(fd);
    if (target == KURA_TARGET_VAULT) return say(what, n, target, "a kura vault");
    if (target == KURA_TARGET_DAMAGED)
        return say(what, n, target, "a kura vault whose header is damaged");
    return say(what, n, target,
               !sqlite ? "a file kura did not write"
               : app   ? "another program's SQLite database"
                       : "an SQLite database kura did not write");
}

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

int kura_reset_fresh_path(char *out, size_t n, const char *path)
{
    int len = snprintf(out, n, "%s.reset", path);
    if (len < 0 || (size_t)len >= n) return KURA_ERR_INVALID;
    int rc = kura_shred(out);
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

static int destroy(kura_reset_report *r, const char *path)
{
    int rc = kura_shred(path);
    if (rc == KURA_OK) r->files++;
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

int kura_reset_replace(kura_reset_report *r, const char *fresh, const char *path,
                       const char *device_dir, const char *state_dir, const char *runtime_dir)
{
    char side[PATH_MAX];
    struct stat sb;
    int rc = KURA_OK;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return KURA_ERR_INVALID;
    /* No journal of the old file may meet the new one (inspect has rolled back any hot one). */
    static const char *const suffixes[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; rc == KURA_OK && i < 3; i++) {
        if (snprintf(side, sizeof side, "%s%s", path, suffixes[i]) >= (int)sizeof side) continue;
        rc = destroy(r, side);
    }
    if (rc != KURA_OK) return rc;
    int old = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (rename(fresh, path) != 0) {
        if (old >= 0) close(old);
        return KURA_ERR_IO;
    }
    rc = kura_sync_parent(path);
    if (old >= 0) {
        if (kura_zero_fd(old) == KURA_OK) r->files++;
        close(old);
    }
    if (rc != KURA_OK || !r->old_id[0]) return rc;
    if (kura_device_path(side, sizeof side, device_dir, r->old_id) == KURA_OK &&
        kura_shred(side) == KURA_OK)
        r->device_slot = 1;
    /* This device's record of the old vault's newest state (vault/state.c). */
    if (snprintf(side, sizeof side, "%s/%s.seen", state_dir, r->old_id) < (int)sizeof side)
        (void)kura_shred(side);
    /* Its note of the remotes it synced through (vault/sync.c; the caller read it first). */
    if (snprintf(side, sizeof side, "%s/%s.remotes", state_dir, r->old_id) < (int)sizeof side)
        (void)kura_shred(side);
    return kura_session_end_all(runtime_dir, r->old_id, &r->sessions);
}
