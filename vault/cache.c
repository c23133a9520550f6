/* The overview cache: every item's decrypted overview, sealed under a key from VK, kept in
 * the session folder ($XDG_RUNTIME_DIR/kura/<vault id>.overviews) for the state it was read
 * at. A listing or search of a vault whose state is still that one (same generation, same
 * tag: the signed state covers every item) reads this one file instead of every page of the
 * vault: 17 MB to decrypt at 100,000 items instead of 70 MB to read, checksum and hash. Any
 * change moves the state on, so the next listing reads the vault and writes a new cache.
 *
 * File: "KIDX" | version (1) = 2 | generation (8) | state tag (32) | chunks, each length (4)
 * and a seal under kdf(VK, 4, "kuracach") with AD = "KIDX" || vault id || generation || tag
 * || chunk number (8) || last (1). The chunks' plaintexts, one after another, are the records:
 * per item id (16) | length (4) | the overview plaintext (unpadded). Chunks of 256 KiB keep
 * the guarded memory a listing needs small however large the vault. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

#define MAGIC "KIDX"
#define HEAD (4 + 1 + 8 + KURA_STATE_TAG)
#define AD_BYTES (4 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG)

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

/* The file, chunk by chunk: after the header, each chunk is length (4, LE) | seal, its AD the
 * file's plus the chunk's number (8) and whether it is the last (1), so chunks cannot be
 * dropped, repeated or reordered. A chunk holds whole records, at most CHUNK bytes unless one
 * record is larger. */
#define CHUNK (256 * 1024)

static void chunk_ad(unsigned char ad[AD_BYTES + 9], const kura_vault *v, const unsigned char *head,
                     uint64_t index, int last)
{
    cache_ad(ad, v, head);
    kura_put64(ad + AD_BYTES, index);
    ad[AD_BYTES + 8] = (unsigned char)(last != 0);
}

/* Reads exactly n bytes at the file's position; 0 on success. */
static int read_exact(int fd, unsigned char *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r, n -= (size_t)r;
    }
    return 0;
}

int kura_cache_each(kura_vault *v, int (*fn)(void *ctx, const unsigned char *records, size_t n),
                    void *ctx)
{
    char path[4096];
    unsigned char head[HEAD], ad[AD_BYTES + 9], *key = NULL, *pt = NULL, *ct = NULL;
    size_t cap = 0;
    struct stat sb;
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK ||
        kura_dir_private(v->cache_dir, NULL) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return KURA_ERR_NOT_FOUND;
    /* Only for the state this file was read at: the one just checked. */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size < HEAD ||
        read_exact(fd, head, HEAD) != 0 || memcmp(head, MAGIC, 4) != 0 || head[4] != 2 ||
        kura_get64(head + 5) != v->state_gen ||
        sodium_memcmp(head + 13, v->state_tag, KURA_STATE_TAG) != 0) {
        close(fd);
        return KURA_ERR_NOT_FOUND;
    }
    size_t left = (size_t)sb.st_size - HEAD;
    int rc = (key = sodium_malloc(KURA_KEYBYTES)) ? KURA_OK : KURA_ERR_NOMEM;
    if (rc == KURA_OK) cache_key(key, v);
    int last = 0;
    /* Chunk by chunk through two buffers that grow to the largest chunk: the ciphertext in
     * plain memory, the overviews in guarded memory. */
    for (uint64_t i = 0; rc == KURA_OK && !last; i++) {
        unsigned char l[4];
        if (left < 4 || read_exact(fd, l, 4) != 0) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        size_t len = kura_get32(l);
        left -= 4;
        if (len < KURA_NONCEBYTES + KURA_MACBYTES || len > left) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        last = len == left;
        size_t plen = len - KURA_NONCEBYTES - KURA_MACBYTES;
        if (len > cap) {
            sodium_free(pt);
            free(ct);
            cap = len < CHUNK + 64 ? CHUNK + 64 : len;
            pt = sodium_malloc(cap);
            ct = malloc(cap);
            if (!pt || !ct) {
                rc = KURA_ERR_NOMEM;
                break;
            }
        }
        if (read_exact(fd, ct, len) != 0) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        left -= len;
        chunk_ad(ad, v, head, i, last);
        rc = kura_open(pt, ct, len, ad, sizeof ad, key);
        if (rc == KURA_OK) rc = fn(ctx, pt, plen);
        sodium_memzero(pt, plen);
    }
    close(fd);
    sodium_free(pt);
    free(ct);
    sodium_free(key);
    return rc == KURA_OK || rc == KURA_ERR_NOMEM ? rc : KURA_ERR_CORRUPT;
}

/* Where the chunk that starts at off ends: whole records of id (16) | length (4) | bytes. */
static size_t chunk_end(const unsigned char *body, size_t len, size_t off)
{
    size_t end = off;
    while (end + KURA_ITEM_ID_BYTES + 4 <= len) {
        const unsigned char *l = body + end + KURA_ITEM_ID_BYTES;
        size_t rec = KURA_ITEM_ID_BYTES + 4 + (size_t)kura_get32(l);
        if (end > off && end + rec - off > CHUNK) break;
        end += rec;
    }
    return end > len ? len : end;
}

void kura_cache_store(kura_vault *v, const unsigned char *body, size_t len)
{
    char path[4096];
    unsigned char ad[AD_BYTES + 9];
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK) return;
    size_t chunks = len / (CHUNK / 2) + 2; /* a generous bound: chunks are at least half full */
    size_t n = HEAD + len + chunks * (4 + KURA_NONCEBYTES + KURA_MACBYTES);
    unsigned char *file = malloc(n), *key = sodium_malloc(KURA_KEYBYTES);
    if (file && key && kura_mkdir_private(v->cache_dir) == KURA_OK &&
        kura_dir_private(v->cache_dir, NULL) == KURA_OK) {
        memcpy(file, MAGIC, 4);
        file[4] = 2;
        kura_put64(file + 5, v->state_gen);
        memcpy(file + 13, v->state_tag, KURA_STATE_TAG);
        cache_key(key, v);
        size_t out = HEAD, off = 0;
        uint64_t i = 0;
        do {
            size_t end = chunk_end(body, len, off), plen = end - off;
            size_t sealed = plen + KURA_NONCEBYTES + KURA_MACBYTES;
            if (out + 4 + sealed > n) { /* cannot happen: chunks are at least half full */
                out = 0;
                break;
            }
            for (int b = 0; b < 4; b++)
                file[out + (size_t)b] = (unsigned char)(sealed >> (8 * b));
            chunk_ad(ad, v, file, i++, end == len);
            kura_seal(file + out + 4, body + off, plen, ad, sizeof ad, NULL, key);
            out += 4 + sealed;
            off = end;
        } while (off < len);
        if (out && kura_write_private_file(path, file, out) != KURA_OK) unlink(path);
    }
    sodium_free(key);
    free(file);
}
