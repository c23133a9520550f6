/* Page checksums for the vault file: an SQLite VFS shim. Every page of the main database
 * ends in 16 reserved bytes holding BLAKE2b-128(page number || rest of the page), written
 * on xWrite and checked on xRead, so a damaged byte anywhere in the file, even in unused
 * space, reads as damage (SQLITE_IOERR_DATA), never as data. Journals pass through.
 * This file and storage.c are the only ones that call SQLite. */
#include <string.h>
#include <sqlite3.h>

#include "storage.h"

#define VFS_NAME "kura-pagesum"
#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

typedef struct psfile {
    sqlite3_file base;
    sqlite3_file *real; /* the wrapped file, stored right after this struct */
    int main_db;
    int verify;        /* the header says the pages carry our checksums */
    int lenient;       /* opened through the lenient VFS: checksums are not checked */
    unsigned pagesize; /* from the header */
} psfile;

static sqlite3_vfs *orig;
static sqlite3_vfs ps_vfs, ps_lenient;

static void page_sum(unsigned char out[KURA_PAGESUM_BYTES], const unsigned char *page,
                     unsigned size, sqlite3_int64 offset)
{
    crypto_generichash_state st;
    unsigned char no[8];
    uint64_t n = (uint64_t)offset / size + 1;
    kura_put64(no, n);
    crypto_generichash_init(&st, NULL, 0, KURA_PAGESUM_BYTES);
    crypto_generichash_update(&st, no, sizeof no);
    crypto_generichash_update(&st, page, size - KURA_PAGESUM_BYTES);
    crypto_generichash_final(&st, out, KURA_PAGESUM_BYTES);
}

int kura_pagesum_valid(const unsigned char *page, uint64_t index)
{
    unsigned char sum[KURA_PAGESUM_BYTES];
    page_sum(sum, page, KURA_PAGE_SIZE, (sqlite3_int64)(index * KURA_PAGE_SIZE));
    return sodium_memcmp(sum, page + KURA_PAGE_SIZE - KURA_PAGESUM_BYTES, sizeof sum) == 0;
}

/* Whenever the database header passes by, learn the page size and whether pages carry
 * checksums (reserved bytes per page, header byte 20). */
static void learn(psfile *f, const unsigned char *hdr, int amt, sqlite3_int64 off)
{
    if (off != 0 || amt < 100) return;
    unsigned ps = kura_get16be(hdr + 16);
    f->pagesize = ps == 1 ? 65536 : ps;
    f->verify = hdr[20] == KURA_PAGESUM_BYTES;
}

static int whole_page(const psfile *f, int amt, sqlite3_int64 off)
{
    return f->main_db && f->verify && f->pagesize >= 512 && (unsigned)amt == f->pagesize &&
           off % amt == 0;
}

__attribute__((weak)) int kura_io_fault(char op)
{
    (void)op;
    return SQLITE_OK;
}

static int ps_close(sqlite3_file *file)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xClose(f->real);
}

static int ps_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    psfile *f = (psfile *)file;
    unsigned char sum[KURA_PAGESUM_BYTES];
    int rc = kura_io_fault('r');
    if (rc != SQLITE_OK) return rc;
    rc = f->real->pMethods->xRead(f->real, buf, amt, off);
    if (rc != SQLITE_OK || !f->main_db) return rc;
    learn(f, buf, amt, off);
    if (!whole_page(f, amt, off) || f->lenient) return SQLITE_OK;
    page_sum(sum, buf, (unsigned)amt, off);
    if (sodium_memcmp(sum, (unsigned char *)buf + amt - KURA_PAGESUM_BYTES, sizeof sum) != 0)
        return SQLITE_IOERR_DATA;
    return SQLITE_OK;
}

static int ps_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    psfile *f = (psfile *)file;
    int rc = kura_io_fault('w');
    if (rc != SQLITE_OK) return rc;
    if (f->main_db) {
        learn(f, buf, amt, off);
        /* The reserved tail of each page belongs to this shim (as in SQLite's cksumvfs). */
        if (whole_page(f, amt, off))
            page_sum((unsigned char *)buf + amt - KURA_PAGESUM_BYTES, buf, (unsigned)amt, off);
    }
    return f->real->pMethods->xWrite(f->real, buf, amt, off);
}

static int ps_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    psfile *f = (psfile *)file;
    int rc = kura_io_fault('w');
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int ps_sync(sqlite3_file *file, int flags)
{
    psfile *f = (psfile *)file;
    int rc = kura_io_fault('s');
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int ps_size(sqlite3_file *file, sqlite3_int64 *size)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int ps_lock(sqlite3_file *file, int level)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int ps_unlock(sqlite3_file *file, int level)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int ps_reserved(sqlite3_file *file, int *out)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int ps_control(sqlite3_file *file, int op, void *arg)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int ps_sector(sqlite3_file *file)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int ps_device(sqlite3_file *file)
{
    psfile *f = (psfile *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: no shared memory (no WAL) and no memory-mapped reads, which would skip xRead. */
static const sqlite3_io_methods ps_io = {
    .iVersion = 1,
    .xClose = ps_close,
    .xRead = ps_read,
    .xWrite = ps_write,
    .xTruncate = ps_truncate,
    .xSync = ps_sync,
    .xFileSize = ps_size,
    .xLock = ps_lock,
    .xUnlock = ps_unlock,
    .xCheckReservedLock = ps_reserved,
    .xFileControl = ps_control,
    .xSectorSize = ps_sector,
    .xDeviceCharacteristics = ps_device,
};

static int ps_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    psfile *f = (psfile *)file;
    memset(f, 0, sizeof *f);
    f->lenient = vfs == &ps_lenient;
    f->real = (sqlite3_file *)((char *)f + ALIGN8(sizeof *f));
    int rc = orig->xOpen(orig, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    f->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    f->base.pMethods = &ps_io;
    return SQLITE_OK;
}

static int ps_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    return orig->xDelete(orig, name, sync);
}

static int ps_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return orig->xAccess(orig, name, flags, out);
}

static int ps_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return orig->xFullPathname(orig, name, n, out);
}

static int ps_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return orig->xRandomness(orig, n, out);
}

static int ps_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return orig->xSleep(orig, us);
}

static int ps_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return orig->xCurrentTime(orig, out);
}

static int ps_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return orig->xGetLastError ? orig->xGetLastError(orig, n, out) : 0;
}

static int ps_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return orig->xCurrentTimeInt64(orig, out);
}

const char *kura_pagesum_vfs(void)
{
    if (orig) return VFS_NAME;
    if (sqlite3_initialize() != SQLITE_OK) return NULL;
    sqlite3_vfs *base = sqlite3_vfs_find(NULL);
    if (!base || base->iVersion < 2) return NULL;
    ps_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(ALIGN8(sizeof(psfile)) + (size_t)base->szOsFile),
        .mxPathname = base->mxPathname,
        .zName = VFS_NAME,
        .xOpen = ps_open,
        .xDelete = ps_delete,
        .xAccess = ps_access,
        .xFullPathname = ps_fullpath,
        .xRandomness = ps_random,
        .xSleep = ps_sleep,
        .xCurrentTime = ps_time,
        .xGetLastError = ps_last_error,
        .xCurrentTimeInt64 = ps_time64,
    };
    ps_lenient = ps_vfs;
    ps_lenient.zName = VFS_NAME "-lenient";
    orig = base;
    if (sqlite3_vfs_register(&ps_vfs, 0) != SQLITE_OK ||
        sqlite3_vfs_register(&ps_lenient, 0) != SQLITE_OK) {
        orig = NULL;
        return NULL;
    }
    return VFS_NAME;
}

const char *kura_pagesum_vfs_lenient(void)
{
    return kura_pagesum_vfs() ? VFS_NAME "-lenient" : NULL;
}
