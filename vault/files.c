/* Files that may hold secrets (sessions, later device slots), private folders, default
 * paths, and process hardening. Every secret file is written to a temporary name
 * (O_EXCL|O_NOFOLLOW, 0600), synced, then renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base.h"
#include "kura/sync.h"

int kura_mkdir_private(const char *dir)
{
    char buf[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return KURA_ERR_INVALID;
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) return KURA_ERR_IO;
            *p = c;
            if (c == '\0') break;
        }
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) return KURA_ERR_IO;
    if (!S_ISDIR(sb.st_mode)) return KURA_ERR_IO;
    return KURA_OK;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes a new file beside path and renames it over path; durable: synced first, and its
 * folder after. */
static int replace_file(const char *path, const void *p, size_t n, int durable)
{
    char tmp[PATH_MAX];
    unsigned char rnd[8];
    char hex[17];

    randombytes_buf(rnd, sizeof rnd);
    kura_hex(hex, rnd, sizeof rnd);
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, hex) >= (int)sizeof tmp)
        return KURA_ERR_INVALID;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return KURA_ERR_IO;
    int ok = write_all(fd, p, n) == 0 && (!durable || fsync(fd) == 0);
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0) {
        if (durable) (void)kura_sync_parent(path); /* best effort: the file is complete */
        return KURA_OK;
    }
    int saved = errno;
    unlink(tmp);
    errno = saved;
    return KURA_ERR_IO;
}

int kura_write_private_file(const char *path, const void *p, size_t n)
{
    return replace_file(path, p, n, 1);
}

int kura_write_private_quick(const char *path, const void *p, size_t n)
{
    return replace_file(path, p, n, 0);
}

int kura_read_small(unsigned char **out, size_t *outlen, const char *path, size_t max)
{
    *out = NULL;
    *outlen = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
        close(fd);
        return KURA_ERR_CORRUPT;
    }
    unsigned char *buf = sodium_malloc((size_t)sb.st_size + 1);
    if (!buf) {
        close(fd);
        return KURA_ERR_NOMEM;
    }
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != (size_t)sb.st_size) {
        sodium_free(buf);
        return KURA_ERR_IO;
    }
    *out = buf;
    *outlen = got;
    return KURA_OK;
}

/* The filesystem type of path's filesystem (statfs f_type); 0 if it cannot be had. Weak: the
 * test binary kura-faulty replaces it to play a network filesystem. */
__attribute__((weak)) unsigned long kura_fs_type(const char *path)
{
    struct statfs sb;
    return statfs(path, &sb) == 0 ? (unsigned long)sb.f_type : 0;
}

const char *kura_network_fs_name(unsigned long type)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } kinds[] = {
        {0x6969, "nfs"},       {0x517B, "smb"},      {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},
        {0x65735546, "fuse"},  {0x01021997, "9p"},   {0x00C36400, "ceph"}, {0x5346414F, "afs"},
        {0x73757245, "coda"},  {0x01161970, "gfs2"}, {0x47504653, "gpfs"}, {0x0BD00BD0, "lustre"},
        {0x013111A8, "ibrix"}, {0xBEEFDEAD, "9p"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].magic == type) return kinds[i].name;
    return NULL;
}

int kura_zero_fd(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return KURA_ERR_INVALID;
    static const unsigned char zeros[4096];
    off_t left = sb.st_size;
    if (lseek(fd, 0, SEEK_SET) != 0) return KURA_ERR_IO;
    while (left > 0) {
        size_t n = left > (off_t)sizeof zeros ? sizeof zeros : (size_t)left;
        if (write_all(fd, zeros, n) != 0) return KURA_ERR_IO;
        left -= (off_t)n;
    }
    return fsync(fd) == 0 ? KURA_OK : KURA_ERR_IO;
}

int kura_dir_private(const char *dir, unsigned long *owner)
{
    struct stat sb;
    if (owner) *owner = (unsigned long)getuid();
    if (lstat(dir, &sb) != 0) return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    if (owner) *owner = (unsigned long)sb.st_uid;
    if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077)) return KURA_ERR_PERM;
    return KURA_OK;
}

int kura_shred(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    (void)kura_zero_fd(fd);
    close(fd);
    return unlink(path) == 0 ? KURA_OK : KURA_ERR_IO;
}

int kura_sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof dir) return KURA_ERR_INVALID;
    if (slash && n == 0) n = 1; /* "/file" */
    memcpy(dir, slash ? path : ".", slash ? n : 1);
    dir[slash ? n : 1] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return KURA_ERR_IO;
    int rc = fsync(fd) == 0 ? KURA_OK : KURA_ERR_IO;
    close(fd);
    return rc;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s", a, b);
    return p;
}

/* $XDG_<x>_HOME + tail, else $HOME + fallback (XDG's defaults); NULL without either. */
static char *xdg_path(const char *xdg_var, const char *tail, const char *fallback)
{
    const char *xdg = getenv(xdg_var);
    if (xdg && xdg[0] == '/') return join(xdg, tail);
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') return NULL;
    return join(home, fallback);
}

char *kura_default_vault_path(void)
{
    return xdg_path("XDG_DATA_HOME", "/kura/vault.kura", "/.local/share/kura/vault.kura");
}

char *kura_default_state_dir(void)
{
    return xdg_path("XDG_STATE_HOME", "/kura", "/.local/state/kura");
}

char *kura_default_cache_dir(void)
{
    return xdg_path("XDG_CACHE_HOME", "/kura/remotes", "/.cache/kura/remotes");
}

char *kura_default_runtime_dir(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && xdg[0] == '/') return join(xdg, "/kura");
    char buf[64];
    snprintf(buf, sizeof buf, "/tmp/kura-%lu", (unsigned long)getuid());
    return strdup(buf);
}

int kura_process_harden(void)
{
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(077);
    /* libsodium's own CSPRNG (ChaCha20, keyed from getrandom, rekeyed after fork) instead of
     * a getrandom call per nonce: an import of 100,000 items takes 300,000 random values. */
    (void)randombytes_set_implementation(&randombytes_internal_implementation);
    return sodium_init() < 0 ? KURA_ERR_NOMEM : KURA_OK;
}

void kura_hex(char *out, const unsigned char *in, size_t n)
{
    sodium_bin2hex(out, n * 2 + 1, in, n);
}

int kura_unhex(unsigned char *out, size_t n, const char *hex)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != n * 2) return KURA_ERR_INVALID;
    if (sodium_hex2bin(out, n, hex, n * 2, NULL, &got, &end) != 0 || got != n || *end)
        return KURA_ERR_INVALID;
    return KURA_OK;
}
