/* Sessions: the vault key sealed under a random token. The token lives only in the
 * KURA_SESSION environment variable; the sealed blob lives in the private runtime folder
 * and carries the idle clock, so a blob without its token, or past its time, opens nothing.
 * Where the kernel keyring is there (libkeyutils), the blob is sealed under the token and a
 * second key kept in the user's keyring with the session's idle timeout: when the timeout
 * passes the kernel drops that key, so even a copy of the blob and the token, with the clock
 * turned back, opens nothing. Each use restarts both clocks. Elsewhere (a container without
 * keyctl, KURA_NO_KEYRING set) the blob's own clock is all there is. KURA_SESSION holds one
 * handle per vault, ':' between them, so one shell keeps sessions of several vaults. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>

#include "handle.h"
#include "open.h"

#define SID_BYTES 16
#define TOKEN_BYTES 32
#define MAGIC "KSES"
#define HEAD_V1 5 /* magic + version 1: sealed under the token */
/* Version 2: magic, 2, how (1: the file's clock only, 2: and the kernel keyring), the idle
 * timeout (4) and the last use (8, seconds), in the clear (no secret; read by kura status),
 * bound to the ciphertext as its associated data. */
#define HEAD_V2 (4 + 1 + 1 + 4 + 8)
#define PT_BYTES (KURA_VAULT_ID_BYTES + KURA_KEYBYTES + 4 + 8 + 8)
#define BLOB_V1 (HEAD_V1 + KURA_NONCEBYTES + PT_BYTES + KURA_MACBYTES)
#define BLOB_V2 (HEAD_V2 + KURA_NONCEBYTES + PT_BYTES + KURA_MACBYTES)
#define HOW_FILE 1
#define HOW_KERNEL 2

typedef struct handle {
    unsigned char sid[SID_BYTES];
    unsigned char token[TOKEN_BYTES];
    unsigned char seal[KURA_KEYBYTES]; /* the blob's key: the token, or with the keyring's */
    char path[PATH_MAX];
    char vault_id[KURA_VAULT_ID_TEXT + 1];
    int how;             /* HOW_FILE, HOW_KERNEL; 0: a version 1 blob */
    key_serial_t kernel; /* the keyring's key, when HOW_KERNEL */
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

static int parse_handle(handle *h, const char *dir, const char *text, size_t len,
                        const char *vault_id)
{
    char sid[2 * SID_BYTES + 1], token[2 * TOKEN_BYTES + 1];
    if (!text || len != 2 * SID_BYTES + 1 + 2 * TOKEN_BYTES || text[2 * SID_BYTES] != '.')
        return KURA_ERR_NOT_FOUND;
    memcpy(sid, text, 2 * SID_BYTES);
    sid[2 * SID_BYTES] = '\0';
    memcpy(token, text + 2 * SID_BYTES + 1, 2 * TOKEN_BYTES);
    token[2 * TOKEN_BYTES] = '\0';
    int rc = kura_unhex(h->sid, SID_BYTES, sid) == KURA_OK &&
                     kura_unhex(h->token, TOKEN_BYTES, token) == KURA_OK
                 ? find_blob(h, dir, sid, vault_id)
                 : KURA_ERR_NOT_FOUND;
    sodium_memzero(token, sizeof token);
    if (rc != KURA_OK) return rc;
    /* The vault id is the blob's name up to its dot. */
    const char *base = strrchr(h->path, '/');
    base = base ? base + 1 : h->path;
    snprintf(h->vault_id, sizeof h->vault_id, "%.*s", KURA_VAULT_ID_TEXT, base);
    return KURA_OK;
}

/* The handle in list (handles joined by ':') whose session is vault_id's: its blob, or the
 * note it left when it timed out, is there. */
static int pick(handle *h, const char *dir, const char *list, const char *vault_id)
{
    char ended[PATH_MAX + 8];
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ":");
        if (parse_handle(h, dir, p, len, vault_id) == KURA_OK &&
            (access(h->path, F_OK) == 0 ||
             (snprintf(ended, sizeof ended, "%s.ended", h->path) < (int)sizeof ended &&
              access(ended, F_OK) == 0)))
            return KURA_OK;
        p += len + (p[len] == ':');
    }
    return KURA_ERR_NOT_FOUND;
}

/* The keyring key's description: one per session. */
static void kernel_name(char out[96], const handle *h)
{
    char sid[2 * SID_BYTES + 1];
    kura_hex(sid, h->sid, SID_BYTES);
    snprintf(out, 96, "kura:%s.%s", h->vault_id, sid);
}

/* The blob's key: the token alone, or (HOW_KERNEL) keyed by the keyring's key too. */
static void seal_key(handle *h, const unsigned char *kernel_key)
{
    if (h->how != HOW_KERNEL) {
        memcpy(h->seal, h->token, KURA_KEYBYTES);
        return;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, h->token, TOKEN_BYTES, KURA_KEYBYTES);
    crypto_generichash_update(&st, (const unsigned char *)"kura/session/2", 14);
    crypto_generichash_update(&st, kernel_key, KURA_KEYBYTES);
    crypto_generichash_final(&st, h->seal, KURA_KEYBYTES);
    sodium_memzero(&st, sizeof st);
}

/* A new key in the user's keyring that the kernel drops after timeout seconds unused:
 * HOW_KERNEL, or HOW_FILE where there is no keyring to use. */
static void kernel_start(handle *h, unsigned timeout)
{
    unsigned char *k = sodium_malloc(KURA_KEYBYTES);
    char name[96];
    const char *off = getenv("KURA_NO_KEYRING");
    h->how = HOW_FILE;
    if (!k || (off && *off)) {
        sodium_free(k);
        seal_key(h, NULL);
        return;
    }
    randombytes_buf(k, KURA_KEYBYTES);
    kernel_name(name, h);
    key_serial_t id = add_key("user", name, k, KURA_KEYBYTES, KEY_SPEC_USER_KEYRING);
    if (id >= 0 &&
        keyctl_setperm(id, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH |
                               KEY_USR_WRITE | KEY_USR_SETATTR) == 0 &&
        keyctl_set_timeout(id, timeout) == 0) {
        h->how = HOW_KERNEL;
        h->kernel = id;
    } else if (id >= 0) {
        keyctl_invalidate(id);
    }
    seal_key(h, k);
    sodium_free(k);
}

/* The keyring's key of a HOW_KERNEL session into h->seal: KURA_OK, KURA_ERR_EXPIRED when the
 * kernel dropped it for its timeout, KURA_ERR_NOT_FOUND when it is gone (a restart). */
static int kernel_find(handle *h)
{
    char name[96];
    kernel_name(name, h);
    long id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", name, 0);
    if (id < 0) return errno == EKEYEXPIRED ? KURA_ERR_EXPIRED : KURA_ERR_NOT_FOUND;
    unsigned char *k = sodium_malloc(KURA_KEYBYTES + 1);
    long n = k ? keyctl_read((key_serial_t)id, (char *)k, KURA_KEYBYTES + 1) : -1;
    int rc = KURA_ERR_NOT_FOUND;
    if (n == KURA_KEYBYTES) {
        h->kernel = (key_serial_t)id;
        seal_key(h, k);
        rc = KURA_OK;
    } else if (n < 0 && errno == EKEYEXPIRED) {
        rc = KURA_ERR_EXPIRED;
    }
    sodium_free(k);
    return rc;
}

static void kernel_end(const handle *h)
{
    char name[96];
    kernel_name(name, h);
    long id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", name, 0);
    if (id >= 0) keyctl_invalidate((key_serial_t)id);
}

/* The blob's head (v2) with its clock, and the associated data: head || sid. */
static size_t session_ad(unsigned char *ad, const handle *h, unsigned timeout, uint64_t last)
{
    memcpy(ad, MAGIC, 4);
    if (!h->how) { /* version 1 */
        ad[4] = 1;
        memcpy(ad + HEAD_V1, h->sid, SID_BYTES);
        return HEAD_V1 + SID_BYTES;
    }
    ad[4] = 2;
    ad[5] = (unsigned char)h->how;
    kura_put32(ad + 6, timeout);
    kura_put64(ad + 10, last);
    memcpy(ad + HEAD_V2, h->sid, SID_BYTES);
    return HEAD_V2 + SID_BYTES;
}

/* Seals pt into the session's file. The idle clock's restart on each use (durable 0) needs
 * no fsync: lost in a crash, the session ends sooner or does not open, and a read stays a read. */
static int write_blob(const handle *h, const unsigned char *pt, int durable)
{
    unsigned char blob[BLOB_V2];
    unsigned char ad[HEAD_V2 + SID_BYTES];
    size_t adn = session_ad(ad, h, kura_get32(pt + 48), kura_get64(pt + 60));
    size_t head = adn - SID_BYTES, n = head + KURA_NONCEBYTES + PT_BYTES + KURA_MACBYTES;

    memcpy(blob, ad, head);
    kura_seal(blob + head, pt, PT_BYTES, ad, adn, NULL, h->seal);
    return durable ? kura_write_private_file(h->path, blob, n)
                   : kura_write_private_quick(h->path, blob, n);
}

/* A session that timed out leaves a note (no secret in it: its timeout and when), so the next
 * command and kura status can say what happened: "<vault id>.<session id>.ended". */
static void note_ended(const handle *h, unsigned timeout, uint64_t at)
{
    char path[PATH_MAX + 8], text[64];
    if (snprintf(path, sizeof path, "%s.ended", h->path) >= (int)sizeof path) return;
    int n = snprintf(text, sizeof text, "timeout %u at %llu\n", timeout, (unsigned long long)at);
    if (kura_write_private_quick(path, text, (size_t)n) != KURA_OK)
        return; /* a read-only folder: the next command says only "locked" */
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
    memset(h, 0, sizeof *h);
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
    snprintf(h->vault_id, sizeof h->vault_id, "%s", v->id_text);
    rc = find_blob(h, dir, sid, v->id_text);
    if (rc != KURA_OK) {
        kura_fail(rc, "the session folder path is too long");
        goto out;
    }
    kernel_start(h, timeout);
    /* The notes of this vault's sessions that timed out: said, and done with. */
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        char path[PATH_MAX];
        if (strncmp(e->d_name, v->id_text, KURA_VAULT_ID_TEXT) == 0 && len > 6 &&
            strcmp(e->d_name + len - 6, ".ended") == 0 &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            (void)unlink(path);
    }
    if (d) closedir(d);
    uint64_t now = (uint64_t)time(NULL);
    memcpy(pt, v->id, KURA_VAULT_ID_BYTES);
    memcpy(pt + KURA_VAULT_ID_BYTES, VK(v), KURA_KEYBYTES);
    kura_put32(pt + 48, (uint32_t)timeout);
    kura_put64(pt + 52, now);
    kura_put64(pt + 60, now);
    rc = write_blob(h, pt, 1);
    if (rc != KURA_OK) {
        if (h->how == HOW_KERNEL) keyctl_invalidate(h->kernel);
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

/* What the note of a session that timed out says: its timeout and when. 1 if there is one. */
static int read_ended(const handle *h, unsigned *timeout, uint64_t *at)
{
    char path[PATH_MAX + 8];
    unsigned char *text = NULL;
    size_t n = 0;
    unsigned long long when = 0;
    if (snprintf(path, sizeof path, "%s.ended", h->path) >= (int)sizeof path) return 0;
    if (kura_read_small(&text, &n, path, 64) != KURA_OK) return 0;
    char buf[65];
    snprintf(buf, sizeof buf, "%.*s", (int)n, (const char *)text);
    sodium_free(text);
    if (sscanf(buf, "timeout %u at %llu", timeout, &when) != 2) return 0;
    *at = when;
    return 1;
}

/* The session timed out at `at`: its blob and keyring key go, its note stays. */
static int timed_out(const handle *h, unsigned timeout, uint64_t at)
{
    (void)kura_shred(h->path);
    if (h->how == HOW_KERNEL) kernel_end(h);
    note_ended(h, timeout, at);
    return KURA_ERR_EXPIRED;
}

static int say_expired(unsigned timeout, uint64_t at)
{
    char when[32] = "";
    time_t t = (time_t)at;
    struct tm tm;
    if (at && gmtime_r(&t, &tm)) strftime(when, sizeof when, " at %H:%M UTC", &tm);
    unsigned minutes = (timeout + 59) / 60;
    return kura_fail(KURA_ERR_EXPIRED, "the session timed out after %u idle minute%s%s", minutes,
                     minutes == 1 ? "" : "s", when);
}

int kura_session_resume(kura_vault *v, const char *dir, const char *text, unsigned *remaining)
{
    handle *h = sodium_malloc(sizeof *h);
    unsigned char *pt = sodium_malloc(PT_BYTES);
    unsigned char *blob = NULL;
    unsigned char ad[HEAD_V2 + SID_BYTES];
    size_t n = 0;
    unsigned hdr_timeout = 0;
    uint64_t hdr_last = 0, now = (uint64_t)time(NULL);
    int rc;

    if (!h || !pt) {
        rc = KURA_ERR_NOMEM;
        goto out;
    }
    memset(h, 0, sizeof *h);
    rc = kura_dir_private(dir, NULL);
    if (rc == KURA_ERR_PERM) {
        rc = not_private(dir);
        goto out;
    }
    if (rc == KURA_OK) rc = pick(h, dir, text, v->id_text);
    if (rc != KURA_OK) {
        rc = KURA_ERR_NOT_FOUND;
        goto out;
    }
    if (kura_read_small(&blob, &n, h->path, 4096) != KURA_OK) {
        uint64_t at;
        rc = read_ended(h, &hdr_timeout, &at) ? KURA_ERR_EXPIRED : KURA_ERR_NOT_FOUND;
        if (rc == KURA_ERR_EXPIRED) hdr_last = at;
        goto out;
    }
    rc = KURA_ERR_NOT_FOUND;
    if (n == BLOB_V1 && memcmp(blob, MAGIC, 4) == 0 && blob[4] == 1) {
        h->how = 0;
        seal_key(h, NULL);
    } else if (n == BLOB_V2 && memcmp(blob, MAGIC, 4) == 0 && blob[4] == 2 &&
               (blob[5] == HOW_FILE || blob[5] == HOW_KERNEL)) {
        h->how = blob[5];
        hdr_timeout = kura_get32(blob + 6);
        hdr_last = kura_get64(blob + 10);
        if (h->how == HOW_KERNEL) {
            rc = kernel_find(h);
            /* Gone from the keyring: dropped for its timeout (the kernel's word, or the
             * blob's clock past it), or lost with a restart. */
            if (rc == KURA_ERR_EXPIRED || (rc != KURA_OK && now > hdr_last + hdr_timeout)) {
                rc = timed_out(h, hdr_timeout, hdr_last + hdr_timeout);
                hdr_last += hdr_timeout;
                goto out;
            }
            if (rc != KURA_OK) {
                (void)kura_shred(h->path);
                rc = kura_fail(KURA_ERR_NOT_FOUND,
                               "the session of vault %s ended: its key left the kernel keyring "
                               "(a restart or a logout)",
                               v->id_text);
                goto out;
            }
        } else {
            seal_key(h, NULL);
        }
        rc = KURA_ERR_NOT_FOUND;
    } else {
        goto out;
    }
    size_t adn = session_ad(ad, h, hdr_timeout, hdr_last), head = adn - SID_BYTES;
    if (memcmp(blob, ad, head) != 0) goto out;
    if (kura_open(pt, blob + head, n - head, ad, adn, h->seal) != KURA_OK) goto out;
    if (sodium_memcmp(pt, v->id, KURA_VAULT_ID_BYTES) != 0) goto out;
    uint64_t timeout = kura_get32(pt + 48), last = kura_get64(pt + 60);
    if (now > last && now - last > timeout) {
        rc = timed_out(h, (unsigned)timeout, last + timeout);
        hdr_timeout = (unsigned)timeout, hdr_last = last + timeout;
        goto out;
    }
    rc = kura_vault_unlock_vk(v, pt + KURA_VAULT_ID_BYTES);
    if (rc == KURA_ERR_OLD_KEY) { /* a session from before a key rotation: gone for good */
        (void)kura_shred(h->path);
        if (h->how == HOW_KERNEL) kernel_end(h);
        rc = KURA_ERR_NOT_FOUND;
    }
    if (rc != KURA_OK) goto out;
    kura_put64(pt + 60, now);
    (void)write_blob(h, pt, 0); /* a read-only runtime folder only stops the clock's restart */
    if (h->how == HOW_KERNEL) (void)keyctl_set_timeout(h->kernel, (unsigned)timeout);
    if (remaining) *remaining = (unsigned)timeout;
out:
    sodium_free(blob);
    sodium_free(h);
    sodium_free(pt);
    if (rc == KURA_ERR_NOT_FOUND && !kura_error_detail()[0])
        kura_fail(rc, "no session for vault %s (it was locked, or is another's)", v->id_text);
    else if (rc == KURA_ERR_EXPIRED)
        say_expired(hdr_timeout, hdr_last);
    return rc;
}

int kura_session_state_of(kura_session_state *out, const char *dir, const char *list,
                          const char *vault_id)
{
    memset(out, 0, sizeof *out);
    if (kura_dir_private(dir, NULL) != KURA_OK) return KURA_OK;
    handle *h = sodium_malloc(sizeof *h);
    if (!h) return KURA_ERR_NOMEM;
    memset(h, 0, sizeof *h);
    unsigned char *blob = NULL;
    size_t n = 0;
    if (pick(h, dir, list, vault_id) == KURA_OK) {
        out->found = 1;
        uint64_t at;
        if (kura_read_small(&blob, &n, h->path, 4096) == KURA_OK) {
            out->open = 1;
            if (n == BLOB_V2 && blob[4] == 2) {
                out->kernel = blob[5] == HOW_KERNEL;
                out->timeout = kura_get32(blob + 6);
                out->last = (int64_t)kura_get64(blob + 10);
            }
        } else if (read_ended(h, &out->timeout, &at)) {
            out->ended = (int64_t)at;
        }
    }
    sodium_free(blob);
    sodium_free(h);
    return KURA_OK;
}

int kura_session_list_without(char *out, size_t cap, const char *dir, const char *list,
                              const char *vault_id)
{
    handle *h = sodium_malloc(sizeof *h);
    size_t o = 0;
    if (!h) return KURA_ERR_NOMEM;
    if (cap) out[0] = '\0';
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ":");
        memset(h, 0, sizeof *h);
        /* Kept: handles of other vaults' sessions still there. */
        int other =
            parse_handle(h, dir, p, len, NULL) == KURA_OK && strcmp(h->vault_id, vault_id) != 0;
        if (other && o + len + 2 <= cap) {
            if (o) out[o++] = ':';
            memcpy(out + o, p, len);
            o += len;
            out[o] = '\0';
        }
        p += len + (p[len] == ':');
    }
    sodium_free(h);
    return KURA_OK;
}

int kura_session_end(const char *dir, const char *text)
{
    int rc = kura_dir_private(dir, NULL); /* nothing of ours is in another's folder */
    if (rc != KURA_OK) return rc == KURA_ERR_PERM ? rc : KURA_ERR_NOT_FOUND;
    handle *h = sodium_malloc(sizeof *h);
    if (!h) return KURA_ERR_NOMEM;
    memset(h, 0, sizeof *h);
    rc = parse_handle(h, dir, text, strcspn(text, ":"), NULL);
    if (rc == KURA_OK) {
        kernel_end(h);
        char ended[PATH_MAX + 8];
        if (snprintf(ended, sizeof ended, "%s.ended", h->path) < (int)sizeof ended)
            (void)unlink(ended);
        rc = kura_shred(h->path);
    }
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
        /* A session's blob: its keyring key goes too. The cache, its delta and the notes
         * of sessions that timed out: removed, not counted. */
        int blob = strlen(e->d_name) == n + 1 + 2 * SID_BYTES;
        if (blob) {
            char name[300];
            snprintf(name, sizeof name, "kura:%s", e->d_name);
            long id = keyctl_search(KEY_SPEC_USER_KEYRING, "user", name, 0);
            if (id >= 0) keyctl_invalidate((key_serial_t)id);
        }
        if (kura_shred(path) == KURA_OK)
            *count += blob;
        else
            rc = KURA_ERR_IO;
    }
    closedir(d);
    return rc;
}
