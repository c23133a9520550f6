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
 * the guarded memory a listing needs small however large the vault.
 *
 * A change does not throw the cache away: each write made with the cache folder set appends
 * what it changed to <vault id>.overviews.delta, so the next listing reads the cache, then the
 * changes, instead of the vault. Delta: "KIDD" | version (1) = 1 | the cache's generation (8)
 * and tag (32) | entries, each: from generation (8) | from tag (32) | to generation (8) | to
 * tag (32) | length (4) | seal under the cache key, AD = "KIDD" || vault id || the cache's
 * generation and tag || entry number (8) || the entry's four fields, of records id (16) |
 * length (4) | overview plaintext, length 0xffffffff (and no bytes) for an item deleted. The
 * entries must lead from the cache's state to the one just checked, each from where the one
 * before went; anything else, and the vault is read (and a new cache written). */
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

static int cache_read(kura_vault *v, int (*fn)(void *ctx, const unsigned char *records, size_t n),
                      void *ctx, const unsigned char *want);

/* ---- the delta: what changed since the cache was written ---- */

#define DMAGIC "KIDD"
#define DHEAD (4 + 1 + 8 + KURA_STATE_TAG)
#define EHEAD (2 * (8 + KURA_STATE_TAG))
#define DAD_BYTES (4 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG + 8 + EHEAD)
#define GONE 0xffffffffu
#define DELTA_MAX (4u << 20) /* past this the next listing reads the vault */

static int delta_path(char *out, size_t n, const kura_vault *v)
{
    int len = snprintf(out, n, "%s/%s" KURA_CACHE_SUFFIX ".delta", v->cache_dir, v->id_text);
    return len > 0 && (size_t)len < n ? KURA_OK : KURA_ERR_INVALID;
}

static void delta_ad(unsigned char ad[DAD_BYTES], const kura_vault *v, const unsigned char *dhead,
                     uint64_t index, const unsigned char *ehead)
{
    memcpy(ad, DMAGIC, 4);
    memcpy(ad + 4, v->id, KURA_VAULT_ID_BYTES);
    memcpy(ad + 4 + KURA_VAULT_ID_BYTES, dhead + 5, 8 + KURA_STATE_TAG);
    kura_put64(ad + 4 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG, index);
    memcpy(ad + 4 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG + 8, ehead, EHEAD);
}

void kura_cache_drop_delta(kura_vault *v)
{
    char path[4096];
    if (v->cache_dir && delta_path(path, sizeof path, v) == KURA_OK) unlink(path);
}

/* The cache file's state (its header), if it has one. */
static int cache_state(const kura_vault *v, unsigned char head[HEAD])
{
    char path[4096];
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return KURA_ERR_NOT_FOUND;
    int rc = read_exact(fd, head, HEAD) == 0 && memcmp(head, MAGIC, 4) == 0 && head[4] == 2
                 ? KURA_OK
                 : KURA_ERR_NOT_FOUND;
    close(fd);
    return rc;
}

void kura_cache_note(kura_vault *v, uint64_t from_gen, const unsigned char *from_tag)
{
    char path[4096];
    unsigned char head[HEAD], dhead[DHEAD], ehead[EHEAD], ad[DAD_BYTES], key[KURA_KEYBYTES];
    const kura_gbuf *t = &v->touched;
    if (!v->cache_dir || v->as_is || !v->keys || t->failed ||
        delta_path(path, sizeof path, v) != KURA_OK ||
        kura_dir_private(v->cache_dir, NULL) != KURA_OK || cache_state(v, head) != KURA_OK)
        goto drop;
    /* The delta continues from where the last entry went, or starts at the cache's state. */
    uint64_t at_gen = kura_get64(head + 5), index = 0;
    unsigned char at_tag[KURA_STATE_TAG];
    memcpy(at_tag, head + 13, KURA_STATE_TAG);
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0) {
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > DELTA_MAX ||
            read_exact(fd, dhead, DHEAD) != 0 || memcmp(dhead, DMAGIC, 4) != 0 ||
            memcmp(dhead + 5, head + 5, 8 + KURA_STATE_TAG) != 0) {
            close(fd);
            goto drop;
        }
        for (size_t off = DHEAD; off < (size_t)sb.st_size; index++) {
            unsigned char l[4];
            if (read_exact(fd, ehead, EHEAD) != 0 || read_exact(fd, l, 4) != 0 ||
                lseek(fd, (off_t)kura_get32(l), SEEK_CUR) < 0) {
                close(fd);
                goto drop;
            }
            off += EHEAD + 4 + kura_get32(l);
            at_gen = kura_get64(ehead + 8 + KURA_STATE_TAG);
            memcpy(at_tag, ehead + 16 + KURA_STATE_TAG, KURA_STATE_TAG);
        }
    } else {
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) goto drop;
        memcpy(dhead, DMAGIC, 4);
        dhead[4] = 1;
        memcpy(dhead + 5, head + 5, 8 + KURA_STATE_TAG);
        if (write(fd, dhead, DHEAD) != DHEAD) {
            close(fd);
            goto drop;
        }
    }
    if (at_gen != from_gen || sodium_memcmp(at_tag, from_tag, KURA_STATE_TAG) != 0) {
        close(fd); /* a change made without the cache folder: the chain is broken */
        goto drop;
    }
    kura_put64(ehead, from_gen);
    memcpy(ehead + 8, from_tag, KURA_STATE_TAG);
    kura_put64(ehead + 8 + KURA_STATE_TAG, v->state_gen);
    memcpy(ehead + 16 + KURA_STATE_TAG, v->state_tag, KURA_STATE_TAG);
    size_t sealed = t->n + KURA_NONCEBYTES + KURA_MACBYTES;
    unsigned char *e = malloc(EHEAD + 4 + sealed);
    int ok = e != NULL;
    if (ok) {
        memcpy(e, ehead, EHEAD);
        kura_put32(e + EHEAD, (uint32_t)sealed);
        cache_key(key, v);
        delta_ad(ad, v, dhead, index, ehead);
        kura_seal(e + EHEAD + 4, t->p ? t->p : (const unsigned char *)"", t->n, ad, sizeof ad, NULL,
                  key); /* no records: a write of records only (a sync's) */
        sodium_memzero(key, sizeof key);
        ok = lseek(fd, 0, SEEK_END) >= 0 &&
             write(fd, e, EHEAD + 4 + sealed) == (ssize_t)(EHEAD + 4 + sealed);
    }
    free(e);
    close(fd);
    if (ok) return;
drop:
    kura_cache_drop_delta(v);
}

/* The changes since the cache, opened: their records (later ones after earlier), if the
 * entries lead from the cache's state (head) to the one just checked. */
static int delta_load(kura_vault *v, const unsigned char *head, kura_gbuf *out, int *have)
{
    char path[4096];
    unsigned char dhead[DHEAD], ehead[EHEAD], ad[DAD_BYTES], key[KURA_KEYBYTES];
    struct stat sb;
    *have = 0;
    if (delta_path(path, sizeof path, v) != KURA_OK) return KURA_ERR_NOT_FOUND;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return KURA_ERR_NOT_FOUND;
    int rc = KURA_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > DELTA_MAX ||
        read_exact(fd, dhead, DHEAD) != 0 || memcmp(dhead, DMAGIC, 4) != 0 || dhead[4] != 1 ||
        memcmp(dhead + 5, head + 5, 8 + KURA_STATE_TAG) != 0)
        rc = KURA_ERR_CORRUPT;
    uint64_t at_gen = kura_get64(head + 5);
    unsigned char at_tag[KURA_STATE_TAG];
    memcpy(at_tag, head + 13, KURA_STATE_TAG);
    cache_key(key, v);
    unsigned char *ct = NULL;
    for (size_t off = DHEAD, index = 0; rc == KURA_OK && off < (size_t)sb.st_size; index++) {
        unsigned char l[4];
        if (read_exact(fd, ehead, EHEAD) != 0 || read_exact(fd, l, 4) != 0) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        size_t len = kura_get32(l);
        off += EHEAD + 4 + len;
        if (len < KURA_NONCEBYTES + KURA_MACBYTES || off > (size_t)sb.st_size ||
            kura_get64(ehead) != at_gen || sodium_memcmp(ehead + 8, at_tag, KURA_STATE_TAG) != 0) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        free(ct);
        size_t at = out->n, plen = len - KURA_NONCEBYTES - KURA_MACBYTES;
        if (!(ct = malloc(len)) || kura_gbuf_add(out, NULL, plen) != KURA_OK) {
            rc = KURA_ERR_NOMEM;
            break;
        }
        delta_ad(ad, v, dhead, index, ehead);
        if (read_exact(fd, ct, len) != 0 ||
            kura_open(out->p + at, ct, len, ad, sizeof ad, key) != KURA_OK) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        at_gen = kura_get64(ehead + 8 + KURA_STATE_TAG);
        memcpy(at_tag, ehead + 16 + KURA_STATE_TAG, KURA_STATE_TAG);
    }
    free(ct);
    close(fd);
    sodium_memzero(key, sizeof key);
    /* It must end at the state just checked. */
    if (rc == KURA_OK &&
        (at_gen != v->state_gen || sodium_memcmp(at_tag, v->state_tag, KURA_STATE_TAG) != 0))
        rc = KURA_ERR_CORRUPT;
    if (rc == KURA_OK) *have = 1;
    return rc;
}

/* The newest record of each item in the delta: an index into its records, by id. */
typedef struct newest {
    const unsigned char **rec; /* each item's newest record, sorted by id */
    size_t n;
} newest;

static int by_rec_id(const void *a, const void *b)
{
    return memcmp(*(const unsigned char *const *)a, *(const unsigned char *const *)b,
                  KURA_ITEM_ID_BYTES);
}

static int by_rec_then_place(const void *a, const void *b)
{
    int c = by_rec_id(a, b);
    const unsigned char *x = *(const unsigned char *const *)a,
                        *y = *(const unsigned char *const *)b;
    return c ? c : (x > y) - (x < y);
}

static int newest_of(newest *nw, const kura_gbuf *d)
{
    size_t cap = 0;
    nw->rec = NULL;
    nw->n = 0;
    for (size_t off = 0; off < d->n;) {
        if (d->n - off < KURA_ITEM_ID_BYTES + 4) return KURA_ERR_CORRUPT;
        uint32_t len = kura_get32(d->p + off + KURA_ITEM_ID_BYTES);
        size_t body = len == GONE ? 0 : len;
        if (body > d->n - off - KURA_ITEM_ID_BYTES - 4) return KURA_ERR_CORRUPT;
        if (kura_grow(&nw->rec, &cap, nw->n, sizeof *nw->rec) != KURA_OK) return KURA_ERR_NOMEM;
        nw->rec[nw->n++] = d->p + off;
        off += KURA_ITEM_ID_BYTES + 4 + body;
    }
    /* By id, and for one id in the order written (records lie in the delta in that order, so
     * their addresses are it): the later record of an id last; keep that one. */
    if (nw->n) qsort(nw->rec, nw->n, sizeof *nw->rec, by_rec_then_place);
    size_t k = 0;
    for (size_t i = 0; i < nw->n; i++) {
        if (k && memcmp(nw->rec[k - 1], nw->rec[i], KURA_ITEM_ID_BYTES) == 0)
            nw->rec[k - 1] = nw->rec[i];
        else
            nw->rec[k++] = nw->rec[i];
    }
    nw->n = k;
    return KURA_OK;
}

/* The cache's records with the delta's items left out (fn gets those after). */
typedef struct merged {
    const newest *nw;
    int (*fn)(void *ctx, const unsigned char *records, size_t n);
    void *ctx;
    kura_gbuf out;
} merged;

static int without_changed(void *ctx, const unsigned char *b, size_t n)
{
    merged *m = ctx;
    size_t start = 0, off = 0;
    m->out.n = 0;
    while (off < n) {
        if (n - off < KURA_ITEM_ID_BYTES + 4) return KURA_ERR_CORRUPT;
        size_t rec = KURA_ITEM_ID_BYTES + 4 + kura_get32(b + off + KURA_ITEM_ID_BYTES);
        if (rec > n - off) return KURA_ERR_CORRUPT;
        const unsigned char *id = b + off;
        if (m->nw->n && bsearch(&id, m->nw->rec, m->nw->n, sizeof *m->nw->rec, by_rec_id)) {
            if (kura_gbuf_add(&m->out, b + start, off - start) != KURA_OK) return KURA_ERR_NOMEM;
            start = off + rec;
        }
        off += rec;
    }
    if (start == 0) return m->fn(m->ctx, b, n); /* nothing changed in this chunk */
    if (kura_gbuf_add(&m->out, b + start, n - start) != KURA_OK) return KURA_ERR_NOMEM;
    return m->fn(m->ctx, m->out.p, m->out.n);
}

int kura_cache_each(kura_vault *v, int (*fn)(void *ctx, const unsigned char *records, size_t n),
                    void *ctx)
{
    unsigned char head[HEAD];
    if (!v->cache_dir || kura_dir_private(v->cache_dir, NULL) != KURA_OK ||
        cache_state(v, head) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    if (kura_get64(head + 5) == v->state_gen &&
        sodium_memcmp(head + 13, v->state_tag, KURA_STATE_TAG) == 0)
        return cache_read(v, fn, ctx, head); /* the cache is of this very state */
    /* Else the cache and the changes since, if they lead here. */
    kura_gbuf d = {0};
    int have;
    int rc = delta_load(v, head, &d, &have);
    newest nw = {0};
    if (rc == KURA_OK) rc = newest_of(&nw, &d);
    merged m = {.nw = &nw, .fn = fn, .ctx = ctx};
    if (rc == KURA_OK) rc = cache_read(v, without_changed, &m, head);
    for (size_t i = 0; rc == KURA_OK && i < nw.n; i++) {
        uint32_t len = kura_get32(nw.rec[i] + KURA_ITEM_ID_BYTES);
        if (len != GONE) rc = fn(ctx, nw.rec[i], KURA_ITEM_ID_BYTES + 4 + len);
    }
    free(nw.rec);
    kura_gbuf_free(&m.out);
    kura_gbuf_free(&d);
    if (rc == KURA_ERR_NOT_FOUND) return rc;
    return rc == KURA_OK || rc == KURA_ERR_NOMEM ? rc : KURA_ERR_CORRUPT;
}

/* The cache file's records, if its state is head's. */
static int cache_read(kura_vault *v, int (*fn)(void *ctx, const unsigned char *records, size_t n),
                      void *ctx, const unsigned char *want)
{
    char path[4096];
    unsigned char head[HEAD], ad[AD_BYTES + 9], *key = NULL, *pt = NULL, *ct = NULL;
    size_t cap = 0;
    struct stat sb;
    if (!v->cache_dir || cache_path(path, sizeof path, v->cache_dir, v->id_text) != KURA_OK)
        return KURA_ERR_NOT_FOUND;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return KURA_ERR_NOT_FOUND;
    /* Only for the state wanted: the one just checked, or the delta's start. */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size < HEAD ||
        read_exact(fd, head, HEAD) != 0 || memcmp(head, want, HEAD) != 0) {
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
        kura_cache_drop_delta(v); /* the changes it had are in the new cache */
    }
    sodium_free(key);
    free(file);
}
