/* Sessions: the vault key sealed under a random token. The token lives only in the
 * KURA_SESSION environment variable; the sealed blob lives in the private runtime folder
 * and carries the idle clock, so a blob without its token, or past its time, opens nothing. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "handle.h"
#include "open.h"

#define SID_BYTES 16
#define TOKEN_BYTES 32
#define MAGIC "KSES"
#define HEAD_BYTES 5 /* magic + version */
#define PT_BYTES (KURA_VAULT_ID_BYTES + KURA_KEYBYTES + 4 + 8 + 8)
#define BLOB_BYTES (HEAD_BYTES + KURA_NONCEBYTES + PT_BYTES + KURA_MACBYTES)

typedef struct handle {
    unsigned char sid[SID_BYTES];
    unsigned char token[TOKEN_BYTES];
    char path[PATH_MAX];
} handle;

/* Says why dir is not private: someone else's (made before us, in /tmp), or open to others. */
static int not_private(const char *dir)
{
    unsigned long owner = 0;
    if (kura_dir_private(dir, &owner) == KURA_OK) return KURA_OK;
    if (owner != (unsigned long)getuid())
        return kura_fail(KURA_ERR_PERM,
                         "the session folder %s belongs to another user (uid %lu), who may "
                         "have made it first; kura will not use it: remove it, or set "
                         "XDG_RUNTIME_DIR",
                         dir, owner);
    return kura_fail(KURA_ERR_PERM,
                     "the session folder %s is not private to you (it must be mode 0700)", dir);
}

/* Blobs are named <vault id>.<session id>, so a reset can find a vault's sessions without
 * their tokens. vault_id NULL: find the blob by its session id alone (kura lock). */
static int find_blob(handle *h, const char *dir, const char *sid, const char *vault_id)
{
    if (vault_id) {
        int n = snprintf(h->path, sizeof h->path, "%s/%s.%s", dir, vault_id, sid);
        return n < 0 || (size_t)n >= sizeof h->path ? KURA_ERR_INVALID : KURA_OK;
    }
    DIR *d = opendir(dir);
    if (!d) return KURA_ERR_NOT_FOUND;
    int rc = KURA_ERR_NOT_FOUND;
    for (struct dirent *e; rc == KURA_ERR_NOT_FOUND && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n == KURA_VAULT_ID_TEXT + 1 + 2 * SID_BYTES && e->d_name[KURA_VAULT_ID_TEXT] == '.' &&
            strcmp(e->d_name + KURA_VAULT_ID_TEXT + 1, sid) == 0) {
            int w = snprintf(h->path, sizeof h->path, "%s/%s", dir, e->d_name);
            rc = w < 0 || (size_t)w >= sizeof h->path ? KURA_ERR_INVALID : KURA_OK;
        }
    }
    closedir(d);
    return rc;
}

static int parse_handle(handle *h, const char *dir, const char *text, const char *vault_id)
{
    char sid[2 * SID_BYTES + 1];
    if (!text || strlen(text) != 2 * SID_BYTES + 1 + 2 * TOKEN_BYTES || text[2 * SID_BYTES] != '.')
        return KURA_ERR_NOT_FOUND;
    memcpy(sid, text, 2 * SID_BYTES);
    sid[2 * SID_BYTES] = '\0';
    if (kura_unhex(h->sid, SID_BYTES, sid) != KURA_OK ||
        kura_unhex(h->token, TOKEN_BYTES, text + 2 * SID_BYTES + 1) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    return find_blob(h, dir, sid, vault_id);
}

static void session_ad(unsigned char ad[HEAD_BYTES + SID_BYTES], const handle *h)
{
    memcpy(ad, MAGIC, 4);
    ad[4] = 1;
    memcpy(ad + HEAD_BYTES, h->sid, SID_BYTES);
}

/* Seals pt (PT_BYTES) under the token and writes the blob. */
/* Seals pt into the session's file. The idle clock's restart on each use (durable 0) needs
 * no fsync: lost in a crash, the session ends sooner or does not open, and a read stays a read. */
static int write_blob(const handle *h, const unsigned char *pt, int durable)
{
    unsigned char blob[BLOB_BYTES];
    unsigned char ad[HEAD_BYTES + SID_BYTES];

    session_ad(ad, h);
    memcpy(blob, ad, HEAD_BYTES);
    kura_seal(blob + HEAD_BYTES, pt, PT_BYTES, ad, sizeof ad, NULL, h->token);
    return durable ? kura_write_private_file(h->path, blob, sizeof blob)
                   : kura_write_private_quick(h->path, blob, sizeof blob);
}

int kura_session_start(char out[KURA_SESSION_TEXT], kura_vault *v, const char *dir,
                       unsigned timeout)
{
    handle *h = sodium_malloc(sizeof *h);
    unsigned char *pt = sodium_malloc(PT_BYTES);
    char sid[2 * SID_BYTES + 1];
    int rc;

    if (!h || !pt) {
        rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!v->keys) {
        rc = kura_fail(KURA_ERR_LOCKED, "the vault is locked");
        goto out;
    }
    rc = kura_mkdir_private(dir);
    if (rc == KURA_OK || rc == KURA_ERR_PERM) rc = not_private(dir);
    if (rc != KURA_OK) {
        if (rc != KURA_ERR_PERM) kura_fail(rc, "cannot make the session folder %s", dir);
        goto out;
    }
    randombytes_buf(h->sid, SID_BYTES);
    randombytes_buf(h->token, TOKEN_BYTES);
    kura_hex(sid, h->sid, SID_BYTES);
    rc = find_blob(h, dir, sid, v->id_text);
    if (rc != KURA_OK) {
        kura_fail(rc, "the session folder path is too long");
        goto out;
    }
    uint64_t now = (uint64_t)time(NULL);
    memcpy(pt, v->id, KURA_VAULT_ID_BYTES);
    memcpy(pt + KURA_VAULT_ID_BYTES, VK(v), KURA_KEYBYTES);
    kura_put32(pt + 48, (uint32_t)timeout);
    kura_put64(pt + 52, now);
    kura_put64(pt + 60, now);
    rc = write_blob(h, pt, 1);
    if (rc != KURA_OK) {
        kura_fail(rc, "cannot write the session file in %s: %s", dir, strerror(errno));
        goto out;
    }
    memcpy(out, sid, 2 * SID_BYTES);
    out[2 * SID_BYTES] = '.';
    kura_hex(out + 2 * SID_BYTES + 1, h->token, TOKEN_BYTES);
out:
    sodium_free(h);
    sodium_free(pt);
    return rc;
}

int kura_session_resume(kura_vault *v, const char *dir, const char *text, unsigned *remaining)
{
    handle *h = sodium_malloc(sizeof *h);
    unsigned char *pt = sodium_malloc(PT_BYTES);
    unsigned char *blob = NULL;
    unsigned char ad[HEAD_BYTES + SID_BYTES];
    size_t n = 0;
    int rc;

    if (!h || !pt) {
        rc = KURA_ERR_NOMEM;
        goto out;
    }
    rc = parse_handle(h, dir, text, v->id_text);
    if (rc != KURA_OK) goto out;
    rc = kura_dir_private(dir, NULL);
    if (rc == KURA_ERR_PERM) {
        rc = not_private(dir);
        goto out;
    }
    if (rc != KURA_OK) {
        rc = KURA_ERR_NOT_FOUND;
        goto out;
    }
    rc = kura_read_small(&blob, &n, h->path, 4096);
    if (rc != KURA_OK) {
        rc = KURA_ERR_NOT_FOUND;
        goto out;
    }
    session_ad(ad, h);
    rc = KURA_ERR_NOT_FOUND;
    if (n != BLOB_BYTES || memcmp(blob, ad, HEAD_BYTES) != 0) goto out;
    if (kura_open(pt, blob + HEAD_BYTES, n - HEAD_BYTES, ad, sizeof ad, h->token) != KURA_OK)
        goto out;
    if (sodium_memcmp(pt, v->id, KURA_VAULT_ID_BYTES) != 0) goto out;
    uint64_t timeout = kura_get32(pt + 48), last = kura_get64(pt + 60);
    uint64_t now = (uint64_t)time(NULL);
    if (now > last && now - last > timeout) {
        (void)kura_shred(h->path);
        rc = KURA_ERR_EXPIRED;
        goto out;
    }
    rc = kura_vault_unlock_vk(v, pt + KURA_VAULT_ID_BYTES);
    if (rc == KURA_ERR_OLD_KEY) { /* a session from before a key rotation: gone for good */
        (void)kura_shred(h->path);
        rc = KURA_ERR_NOT_FOUND;
    }
    if (rc != KURA_OK) goto out;
    kura_put64(pt + 60, now);
    (void)write_blob(h, pt, 0); /* a read-only runtime folder only stops the clock's restart */
    if (remaining) *remaining = (unsigned)timeout;
out:
    sodium_free(blob);
    sodium_free(h);
    sodium_free(pt);
    if (rc == KURA_ERR_NOT_FOUND)
        kura_fail(rc, "no session for vault %s (it was locked, or is another's)", v->id_text);
    else if (rc == KURA_ERR_EXPIRED)
        kura_fail(rc, "the session timed out");
    return rc;
}

int kura_session_end(const char *dir, const char *text)
{
    int rc = kura_dir_private(dir, NULL); /* nothing of ours is in another's folder */
    if (rc != KURA_OK) return rc == KURA_ERR_PERM ? rc : KURA_ERR_NOT_FOUND;
    handle *h = sodium_malloc(sizeof *h);
    if (!h) return KURA_ERR_NOMEM;
    rc = parse_handle(h, dir, text, NULL);
    if (rc == KURA_OK) rc = kura_shred(h->path);
    /* The vault's overview cache goes too (it is rebuilt by the next listing). */
    char *dot = rc == KURA_OK ? strrchr(h->path, '.') : NULL;
    if (dot && (size_t)(dot - h->path) + sizeof KURA_CACHE_SUFFIX <= sizeof h->path) {
        memcpy(dot, KURA_CACHE_SUFFIX, sizeof KURA_CACHE_SUFFIX);
        (void)kura_shred(h->path);
        size_t end = strlen(h->path); /* and what changed since it was written */
        if (end + sizeof ".delta" <= sizeof h->path) {
            memcpy(h->path + end, ".delta", sizeof ".delta");
            (void)kura_shred(h->path);
        }
    }
    sodium_free(h);
    return rc;
}

int kura_session_end_all(const char *dir, const char *vault_id, size_t *count)
{
    char path[PATH_MAX];
    size_t n = strlen(vault_id);
    *count = 0;
    if (kura_dir_private(dir, NULL) != KURA_OK) return KURA_OK; /* none of ours can be there */
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? KURA_OK : KURA_ERR_IO;
    int rc = KURA_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, vault_id, n) != 0 || e->d_name[n] != '.') continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
        int cache = strncmp(e->d_name + n, KURA_CACHE_SUFFIX, sizeof KURA_CACHE_SUFFIX - 1) ==
                    0; /* the cache and its delta: shredded, not counted */
        if (kura_shred(path) == KURA_OK)
            *count += !cache;
        else
            rc = KURA_ERR_IO;
    }
    closedir(d);
    return rc;
}
