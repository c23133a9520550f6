/* The I/O fault injector of kura-faulty (tests only): replaces the library's weak
 * kura_io_fault, which the vault's VFS calls before every read, write and sync.
 *   KURA_FAULT="OP N MODE ERR": fail the Nth call of OP (r, w or s), once or (MODE always)
 *     that one and every later one, with ERR: eio (the I/O error a dying disk gives) or
 *     enospc (a full disk: SQLITE_FULL).
 *   KURA_FAULT_COUNT=FILE: at exit, writes "r w s" (the calls made) to FILE, so a test
 *     knows every N an operation has.
 *   KURA_FAKE_FSTYPE=HEX: the vault's filesystem type (statfs f_type) as if it were that
 *     one, e.g. 6969 for NFS: for the network filesystem warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "storage.h"

static long calls[3];
static int ready, always, fail_op = -1, full;
static long fail_n;

static int index_of(char op)
{
    return op == 'r' ? 0 : op == 'w' ? 1 : 2;
}

static void write_counts(void)
{
    const char *path = getenv("KURA_FAULT_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) return;
    fprintf(f, "%ld %ld %ld\n", calls[0], calls[1], calls[2]);
    fclose(f);
}

static void setup(void)
{
    char op = 0, mode[16] = "", err[16] = "";
    const char *spec = getenv("KURA_FAULT");
    ready = 1;
    atexit(write_counts);
    if (!spec || sscanf(spec, "%c %ld %15s %15s", &op, &fail_n, mode, err) != 4) return;
    fail_op = index_of(op);
    always = strcmp(mode, "always") == 0;
    full = strcmp(err, "enospc") == 0;
}

int kura_io_fault(char op)
{
    if (!ready) setup();
    int i = index_of(op);
    long n = ++calls[i];
    if (i != fail_op || n < fail_n || (n > fail_n && !always)) return SQLITE_OK;
    if (full) return SQLITE_FULL;
    return op == 'r' ? SQLITE_IOERR_READ : op == 'w' ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC;
}

unsigned long kura_fs_type(const char *path)
{
    (void)path;
    const char *fake = getenv("KURA_FAKE_FSTYPE");
    return fake ? strtoul(fake, NULL, 16) : 0;
}
