/* The overview cache: every item's decrypted overview, sealed under a key from VK, kept in
 * the session folder ($XDG_RUNTIME_DIR/kura/<vault id>.overviews) for the state it was read
 * at. A listing or search of a vault whose state is still that one (same generation, same
 * tag: the signed state covers every item) reads this one file instead of every page of the
 * vault: 17 MB to decrypt at 100,000 items instead of 70 MB to read, checksum and hash. Any
 * change moves the state on, so the next listing reads the vault and writes a new cache.
 *
 * File: "KIDX" | version (1) = 1 | generation (8) | state tag (32) | seal of the body, with
 * AD = "KIDX" || vault id || generation || tag, under kdf(VK, 4, "kuracach"). Body: count
 * (8), then per item: id (16) | length (4) | the overview plaintext (unpadded). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vault_int.h"

#define MAGIC "KIDX"
#define HEAD (4 + 1 + 8 + KURA_STATE_TAG)
#define AD_BYTES (4 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG)
#define MAX_CACHE ((size_t)1 << 31)

int kura_vault_set_cache_dir(kura_vault *v, const char *dir)
{
    char *copy = NULL;
    if (dir && !(copy = strdup(dir))) return KURA_ERR_NOMEM;
    free(v->cache_dir);
    v->cache_dir = copy;
    return KURA_OK;
}

static int cache_path(char *out, size_t n, const char *dir, const char *vault_id)
{
    int len = snprintf(out, n, "%s/%s" KURA_CACHE_SUFFIX, dir, vault_id);
    return len > 0 && (size_t)len < n ? KURA_OK : KURA_ERR_INVALID;
}

void kura_cache_remove(const char *dir, const char *vault_id)
{
    char path[4096];
    if (dir && cache_path(path, sizeof path, dir, vault_id) == KURA_OK) (void)kura_shred(path);
}

/* The whole file, in plain memory (it is ciphertext): NULL if missing or unreadable. */
static unsigned char *read_file(const char *path, size_t *len)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return NULL;
    unsigned char *buf = NULL;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (size_t)sb.st_size <= MAX_CACHE && (buf = malloc((size_t)sb.st_size))) {
        size_t got = 0;
        while (got < (size_t)sb.st_size) {
            ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        if (got != (size_t)sb.st_size) {
            free(buf);
            buf = NULL;
        }
        *len = got;
    }
    close(fd);
    return buf;
}

static void cache_ad(unsigned char ad[AD_BYTES], const kura_vault *v, const unsigned char *head)
{
    memcpy(ad, MAGIC, 4);
    memcpy(ad + 4, v->id, KURA_VAULT_ID_BYTES);
    memcpy(ad + 4 + KURA_VAULT_ID_BYTES, head + 5, 8 + KURA_STATE_TAG);
}

static void cache_key(unsigned char key[KURA_KEYBYTES], const kura_vault *v)
{
    crypto_kdf_derive_from_key(key, KURA_KEYBYTES, 4, "kuracach", VK(v));
}

int kura_cache_load(kura_vault *v, unsigned char **body, size_t *len)
{
    char path[4096];
    unsigned char *file = NULL, ad[AD_BYTES], *key = NULL;
    size_t n = 0;
    *body = NULL;
    *len = 0;
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    if (!(file = read_file(path, &n))) return KURA_ERR_NOT_FOUND;
    /* Only for the state this file was read at: the one just checked. */
    if (n < HEAD + KURA_NONCEBYTES + KURA_MACBYTES + 8 || memcmp(file, MAGIC, 4) != 0 ||
        file[4] != 1 || kura_get64(file + 5) != v->state_gen ||
        sodium_memcmp(file + 13, v->state_tag, KURA_STATE_TAG) != 0) {
        free(file);
        return KURA_ERR_NOT_FOUND;
    }
    size_t plen = n - HEAD - KURA_NONCEBYTES - KURA_MACBYTES;
    unsigned char *pt = sodium_malloc(plen ? plen : 1);
    key = sodium_malloc(KURA_KEYBYTES);
    int rc = pt && key ? KURA_OK : KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        cache_key(key, v);
        cache_ad(ad, v, file);
        rc = kura_open(pt, file + HEAD, n - HEAD, ad, sizeof ad, key);
    }
    sodium_free(key);
    free(file);
    if (rc != KURA_OK) { /* damaged, or another key's: read the vault instead */
        sodium_free(pt);
        return KURA_ERR_NOT_FOUND;
    }
    *body = pt;
    *len = plen;
    return KURA_OK;
}

void kura_cache_store(kura_vault *v, const unsigned char *body, size_t len)
{
    char path[4096];
    unsigned char ad[AD_BYTES];
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK)
        return;
    size_t n = HEAD + KURA_NONCEBYTES + len + KURA_MACBYTES;
    unsigned char *file = malloc(n), *key = sodium_malloc(KURA_KEYBYTES);
    if (file && key && kura_mkdir_private(v->cache_dir) == KURA_OK) {
        memcpy(file, MAGIC, 4);
        file[4] = 1;
        kura_put64(file + 5, v->state_gen);
        memcpy(file + 13, v->state_tag, KURA_STATE_TAG);
        cache_key(key, v);
        cache_ad(ad, v, file);
        kura_seal(file + HEAD, body, len, ad, sizeof ad, NULL, key);
        if (kura_write_private(path, file, n) != KURA_OK) /* best effort: only a cache */
            unlink(path);
    }
    sodium_free(key);
    free(file);
}
