/* Attachments (format 6): a file's content in chunks of 1 MiB, each sealed under a key of the
 * attachment's own with AD = "kura-att1" || vault id || attachment id || chunk number (4, LE)
 * || last (1), the last chunk padded with zeros to a power of two (at least 4 KiB); the key,
 * the size and a hash of the content live only in the item's sealed details. A chunk is read
 * only by get --attachment: listing and searching never touch the blobs table. Content stays
 * while the item or a version in its history names it, and goes (secure_delete zeroes its
 * pages) when the last version naming it leaves the history. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "item_int.h"

#define CHUNK ((size_t)1 << 20)
#define MIN_PAD 4096
#define ATT_AD_BYTES (9 + KURA_VAULT_ID_BYTES + KURA_ATTACHMENT_ID_BYTES + 4 + 1)
#define SEALED(n) ((n) + KURA_NONCEBYTES + KURA_MACBYTES)

static uint32_t n_chunks(uint64_t size)
{
    return size ? (uint32_t)((size + CHUNK - 1) / CHUNK) : 1;
}

/* The bytes of content in chunk i of n, and what it is padded to. */
static size_t chunk_len(uint64_t size, uint32_t i, uint32_t n)
{
    return i + 1 < n ? CHUNK : (size_t)(size - (uint64_t)(n - 1) * CHUNK);
}

static size_t padded_len(size_t len, int last)
{
    if (!last) return CHUNK;
    size_t p = MIN_PAD;
    while (p < len)
        p <<= 1;
    return p;
}

static void att_ad(unsigned char ad[ATT_AD_BYTES], const kura_vault *v, const unsigned char *id,
                   uint32_t i, int last)
{
    memcpy(ad, "kura-att1", 9);
    memcpy(ad + 9, v->id, KURA_VAULT_ID_BYTES);
    memcpy(ad + 9 + KURA_VAULT_ID_BYTES, id, KURA_ATTACHMENT_ID_BYTES);
    kura_put32(ad + 9 + KURA_VAULT_ID_BYTES + KURA_ATTACHMENT_ID_BYTES, i);
    ad[ATT_AD_BYTES - 1] = (unsigned char)(last != 0);
}

/* ---- sealing: a new attachment's chunks, into the blobs table, inside a write ---- */

typedef struct sealer {
    kura_vault *v;
    kura_attachment a;
    crypto_generichash_state h;
    unsigned char *plain;  /* guarded, CHUNK */
    unsigned char *sealed; /* SEALED(CHUNK): ciphertext */
    uint32_t next;
} sealer;

static int sealer_start(sealer *s, kura_vault *v, const char *name)
{
    memset(s, 0, sizeof *s);
    s->v = v;
    int rc = kura_stamp_ready(v); /* this copy's device id, which the attachment names */
    if (rc != KURA_OK) return rc;
    s->plain = sodium_malloc(CHUNK);
    s->sealed = malloc(SEALED(CHUNK));
    if (!s->plain || !s->sealed) return KURA_ERR_NOMEM;
    randombytes_buf(s->a.id, sizeof s->a.id);
    crypto_aead_xchacha20poly1305_ietf_keygen(s->a.key);
    memcpy(s->a.device, v->device, KURA_DEVICE_ID_BYTES);
    s->a.name = name;
    crypto_generichash_init(&s->h, NULL, 0, sizeof s->a.hash);
    return KURA_OK;
}

static void sealer_end(sealer *s)
{
    sodium_free(s->plain);
    free(s->sealed);
    sodium_memzero(&s->h, sizeof s->h);
    sodium_memzero(s->a.key, sizeof s->a.key);
}

/* Seals len bytes at p (or already in s->plain) as the next chunk. */
static int seal_chunk(sealer *s, const unsigned char *p, size_t len, int last)
{
    unsigned char ad[ATT_AD_BYTES];
    size_t padded = padded_len(len, last);
    if (p && p != s->plain) memcpy(s->plain, p, len);
    memset(s->plain + len, 0, padded - len);
    crypto_generichash_update(&s->h, s->plain, len);
    s->a.size += len;
    att_ad(ad, s->v, s->a.id, s->next, last);
    kura_seal(s->sealed, s->plain, padded, ad, sizeof ad, NULL, s->a.key);
    sodium_memzero(s->plain, padded);
    int rc = kura_db_blob_put(s->v->db, s->a.id, s->next, s->sealed, SEALED(padded));
    if (rc != KURA_OK) return kura_fail(rc, "%s", kura_db_error(s->v->db));
    s->next++;
    if (last) crypto_generichash_final(&s->h, s->a.hash, sizeof s->a.hash);
    return KURA_OK;
}

static int too_big(void)
{
    return kura_fail(KURA_ERR_TOO_BIG, "an attachment may hold at most %llu MiB",
                     (unsigned long long)(KURA_MAX_ATTACHMENT >> 20));
}

/* The chunks of fd's content, read to its end. */
static int seal_fd(sealer *s, int fd)
{
    unsigned char *buf = sodium_malloc(CHUNK + 1);
    size_t have = 0;
    uint64_t total = 0;
    int rc = buf ? KURA_OK : KURA_ERR_NOMEM;
    while (rc == KURA_OK) {
        int eof = 0;
        while (have < CHUNK + 1) {
            ssize_t got = read(fd, buf + have, CHUNK + 1 - have);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) {
                rc = kura_fail(KURA_ERR_IO, "cannot read the file: %s", strerror(errno));
                break;
            }
            if (got == 0) {
                eof = 1;
                break;
            }
            have += (size_t)got;
            total += (uint64_t)got;
            if (total > KURA_MAX_ATTACHMENT + 1) break;
        }
        if (rc != KURA_OK) break;
        if (total > KURA_MAX_ATTACHMENT) {
            rc = too_big();
            break;
        }
        if (eof) {
            rc = seal_chunk(s, buf, have, 1);
            break;
        }
        rc = seal_chunk(s, buf, CHUNK, 0);
        buf[0] = buf[CHUNK];
        have = 1;
    }
    sodium_free(buf);
    return rc;
}

static int seal_memory(sealer *s, const unsigned char *p, size_t n)
{
    if ((uint64_t)n > KURA_MAX_ATTACHMENT) return too_big();
    uint32_t count = n_chunks(n);
    int rc = KURA_OK;
    for (uint32_t i = 0; rc == KURA_OK && i < count; i++)
        rc = seal_chunk(s, p + (size_t)i * CHUNK, chunk_len(n, i, count), i + 1 == count);
    return rc;
}

/* Whether name can be a new attachment of item. */
static int can_attach(const kura_item *item, const char *name)
{
    if (!kura_attachment_name_ok(name))
        return kura_fail(KURA_ERR_INVALID,
                         "an attachment's name is one line of at most 255 bytes, without '/'");
    if (kura_item_attachment(item, name))
        return kura_fail(KURA_ERR_EXISTS, "item \"%s\" already has an attachment called \"%s\"",
                         item->title ? item->title : "", name);
    if (item->n_attachments >= KURA_MAX_ATTACHMENTS)
        return kura_fail(KURA_ERR_INVALID, "an item holds at most %d attachments",
                         KURA_MAX_ATTACHMENTS);
    return KURA_OK;
}

int kura_attach_seal(kura_vault *v, kura_item *item, const char *name, int fd,
                     const unsigned char *p, size_t n)
{
    int rc = can_attach(item, name);
    if (rc != KURA_OK) return rc;
    sealer s;
    rc = sealer_start(&s, v, name);
    if (rc == KURA_OK) rc = fd >= 0 ? seal_fd(&s, fd) : seal_memory(&s, p, n);
    if (rc == KURA_OK) rc = kura_item_put_attachment(item, &s.a);
    sealer_end(&s);
    return rc;
}

int kura_attach_too_big(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > KURA_MAX_ATTACHMENT)
        return too_big();
    return KURA_OK;
}

void kura_attachment_parse(kura_attachment *a, const unsigned char *rec)
{
    memset(a, 0, sizeof *a);
    memcpy(a->id, rec, 16);
    memcpy(a->key, rec + 16, 32);
    a->size = kura_get64(rec + 48);
    memcpy(a->hash, rec + 56, 32);
    memcpy(a->device, rec + 88, KURA_DEVICE_ID_BYTES);
}

int kura_attachment_here(kura_vault *v, const unsigned char *id)
{
    return kura_db_blob_has(v->db, id) == KURA_OK;
}

/* ---- opening: every chunk checked before a byte is written ---- */

/* Opens chunk i of a into plain (guarded, CHUNK): *len gets its content's length. */
static int open_chunk(kura_vault *v, const kura_attachment *a, uint32_t i, uint32_t count,
                      unsigned char *plain, unsigned char *sealed, size_t *len)
{
    unsigned char ad[ATT_AD_BYTES];
    kura_blob b = {sealed, 0};
    int last = i + 1 == count;
    *len = 0;
    int rc = kura_db_blob_read(v->db, a->id, i, sealed, SEALED(CHUNK), &b.n);
    if (rc == KURA_ERR_NOT_FOUND)
        return i == 0 ? kura_fail(rc,
                                  "this copy of the vault does not have the content of "
                                  "attachment \"%s\" (sync it from the device that added it)",
                                  a->name)
                      : kura_fail(KURA_ERR_CORRUPT, "chunk %u of attachment \"%s\" is missing",
                                  (unsigned)i + 1, a->name);
    if (rc == KURA_ERR_CORRUPT)
        return kura_fail(rc, "chunk %u of attachment \"%s\" is damaged", (unsigned)i + 1, a->name);
    if (rc != KURA_OK) return kura_fail(rc, "%s", kura_db_error(v->db));
    *len = chunk_len(a->size, i, count);
    size_t padded = padded_len(*len, last);
    if (b.n != SEALED(padded)) {
        rc = KURA_ERR_CORRUPT;
    } else {
        att_ad(ad, v, a->id, i, last);
        rc = kura_open(plain, b.p, b.n, ad, sizeof ad, a->key);
        for (size_t k = *len; rc == KURA_OK && k < padded; k++)
            if (plain[k]) rc = KURA_ERR_CORRUPT;
    }
    if (rc == KURA_ERR_CORRUPT)
        return kura_fail(rc, "chunk %u of attachment \"%s\" is damaged", (unsigned)i + 1, a->name);
    return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            return kura_fail(KURA_ERR_IO, "cannot write the attachment: %s", strerror(errno));
        p += w, n -= (size_t)w;
    }
    return KURA_OK;
}

/* Where each_chunk sends the content: a file, or guarded memory. */
typedef struct sink {
    int fd;           /* >= 0: written here */
    unsigned char *p; /* else, when set: appended here (sodium_malloc, a->size bytes) */
    size_t n;
} sink;

/* Every chunk of a in order, checked; with a sink each sent to it. Inside the caller's read
 * (an export reading every item) or in one of its own. */
static int each_chunk(kura_vault *v, const kura_attachment *a, sink *to)
{
    uint32_t count = n_chunks(a->size);
    if (a->size > KURA_MAX_ATTACHMENT) return KURA_ERR_CORRUPT;
    unsigned char *plain = sodium_malloc(CHUNK), hash[32], *sealed = malloc(SEALED(CHUNK));
    if (!plain || !sealed) {
        sodium_free(plain), free(sealed);
        return KURA_ERR_NOMEM;
    }
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof hash);
    int inside = kura_db_in_transaction(v->db);
    int rc = inside ? KURA_OK : kura_vault_read_begin(v, 0), began = !inside && rc == KURA_OK;
    for (uint32_t i = 0; rc == KURA_OK && i < count; i++) {
        size_t len;
        rc = open_chunk(v, a, i, count, plain, sealed, &len);
        if (rc == KURA_OK) crypto_generichash_update(&h, plain, len);
        if (rc == KURA_OK && to && to->fd >= 0) rc = write_all(to->fd, plain, len);
        if (rc == KURA_OK && to && to->fd < 0 && to->p) {
            memcpy(to->p + to->n, plain, len);
            to->n += len;
        }
        sodium_memzero(plain, CHUNK);
    }
    if (began) kura_vault_read_end(v);
    crypto_generichash_final(&h, hash, sizeof hash);
    if (rc == KURA_OK && sodium_memcmp(hash, a->hash, sizeof hash) != 0)
        rc = kura_fail(KURA_ERR_CORRUPT, "attachment \"%s\" does not match its hash", a->name);
    sodium_free(plain);
    free(sealed);
    return rc;
}

int kura_attachment_check(kura_vault *v, const kura_attachment *a)
{
    return each_chunk(v, a, NULL);
}

int kura_attachment_write(kura_vault *v, const kura_attachment *a, int fd)
{
    sink to = {fd, NULL, 0};
    int rc = each_chunk(v, a, NULL);
    return rc == KURA_OK ? each_chunk(v, a, &to) : rc;
}

int kura_attachment_read(kura_vault *v, const kura_attachment *a, unsigned char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (a->size > KURA_MAX_ATTACHMENT) return KURA_ERR_CORRUPT;
    sink to = {-1, sodium_malloc(a->size ? (size_t)a->size : 1), 0};
    if (!to.p) return KURA_ERR_NOMEM;
    int rc = each_chunk(v, a, &to);
    if (rc != KURA_OK) {
        sodium_free(to.p);
        return rc;
    }
    *out = to.p;
    *n = to.n;
    return KURA_OK;
}

/* ---- copies (an item copied), inside a write ---- */

int kura_attachments_copy(kura_vault *v, kura_item *item)
{
    unsigned char *plain = sodium_malloc(CHUNK), *sealed = malloc(SEALED(CHUNK));
    int rc = plain && sealed ? KURA_OK : KURA_ERR_NOMEM;
    for (size_t k = 0; rc == KURA_OK && k < item->n_attachments; k++) {
        kura_attachment *a = &item->attachments[k];
        uint32_t count = n_chunks(a->size);
        sealer s;
        rc = sealer_start(&s, v, a->name);
        for (uint32_t i = 0; rc == KURA_OK && i < count; i++) {
            size_t len;
            rc = open_chunk(v, a, i, count, plain, sealed, &len);
            if (rc == KURA_OK) rc = seal_chunk(&s, plain, len, i + 1 == count);
        }
        if (rc == KURA_OK && sodium_memcmp(s.a.hash, a->hash, sizeof a->hash) != 0)
            rc = kura_fail(KURA_ERR_CORRUPT, "attachment \"%s\" does not match its hash", a->name);
        if (rc == KURA_OK) {
            const char *name = a->name;
            *a = s.a;
            a->name = name;
        }
        sealer_end(&s);
    }
    sodium_free(plain);
    free(sealed);
    return rc;
}

/* ---- what the history still names ---- */

typedef struct named {
    const unsigned char *att;
    int found;
} named;

static void name_seen(void *ctx, const unsigned char *att_id)
{
    named *n = ctx;
    if (memcmp(att_id, n->att, KURA_ATTACHMENT_ID_BYTES) == 0) n->found = 1;
}

int kura_attachment_named(kura_vault *v, const unsigned char *id, const unsigned char *att)
{
    named n = {att, 0};
    kura_blob ov = {0}, det = {0}, body = {0};
    kura_gbuf plain = kura_buf_lend(v);
    int rc = kura_db_item_get(v->db, &ov, &det, id);
    if (rc == KURA_OK) rc = kura_part_plain(&plain, v, id, det.p, det.n, PART_DETAILS);
    if (rc == KURA_OK) kura_plain_attachments(plain.p, plain.n, name_seen, &n);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    free(ov.p), free(det.p);
    kura_buf_return(v, &plain);
    if (rc != KURA_OK || n.found) return 1;
    rc = kura_db_past_get(v->db, &body, id);
    if (rc == KURA_ERR_NOT_FOUND) return 0;
    if (rc != KURA_OK) return 1;
    kura_past p;
    rc = kura_past_open(&p, v, id, &body);
    free(body.p);
    if (rc != KURA_OK) {
        kura_past_free(&p);
        return 1;
    }
    kura_past_attachments(&p, name_seen, &n);
    kura_past_free(&p);
    return n.found;
}

int kura_blobs_sweep(kura_vault *v)
{
    int rc = KURA_OK;
    for (size_t i = 0; rc == KURA_OK && i < v->n_sweep; i++) {
        const unsigned char *pair = v->sweep + i * SWEEP_PAIR;
        if (!kura_attachment_named(v, pair, pair + KURA_ITEM_ID_BYTES))
            rc = kura_db_blob_drop(v->db, pair + KURA_ITEM_ID_BYTES);
    }
    v->n_sweep = 0;
    return rc == KURA_OK ? KURA_OK : kura_fail(rc, "%s", kura_db_error(v->db));
}

/* ---- the remote's file of an attachment (sync.h) ---- */

#define FILE_HEAD (4 + 1 + KURA_VAULT_ID_BYTES + KURA_ATTACHMENT_ID_BYTES + 4)

int kura_attachment_pack(kura_vault *v, const unsigned char *id, kura_blob *out)
{
    /* Ciphertext only: plain memory. */
    size_t cap = FILE_HEAD + SEALED(CHUNK) + 4, n = FILE_HEAD;
    unsigned char *f = malloc(cap);
    if (!f) return KURA_ERR_NOMEM;
    memcpy(f, "KATT", 4);
    f[4] = 1;
    memcpy(f + 5, v->id, KURA_VAULT_ID_BYTES);
    memcpy(f + 5 + KURA_VAULT_ID_BYTES, id, KURA_ATTACHMENT_ID_BYTES);
    uint32_t count = 0;
    int rc = KURA_OK;
    for (;; count++) {
        kura_blob b;
        if (count > KURA_MAX_ATTACHMENT / CHUNK + 1) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        rc = kura_db_blob_get(v->db, id, count, &b);
        if (rc != KURA_OK) break;
        if (n + 4 + b.n > cap) {
            size_t grown_cap = 2 * cap > n + 4 + b.n ? 2 * cap : n + 4 + b.n;
            unsigned char *grown = realloc(f, grown_cap);
            if (!grown) {
                free(b.p);
                rc = KURA_ERR_NOMEM;
                break;
            }
            f = grown, cap = grown_cap;
        }
        kura_put32(f + n, (uint32_t)b.n);
        memcpy(f + n + 4, b.p, b.n);
        n += 4 + b.n;
        free(b.p);
    }
    if (rc == KURA_ERR_NOT_FOUND && count) rc = KURA_OK;
    if (rc != KURA_OK) {
        free(f);
        return rc;
    }
    kura_put32(f + FILE_HEAD - 4, count);
    out->p = f, out->n = n;
    return KURA_OK;
}

int kura_attachment_unpack(kura_vault *v, const kura_attachment *a, const unsigned char *file,
                           size_t n)
{
    uint32_t count = n_chunks(a->size);
    if (a->size > KURA_MAX_ATTACHMENT || n < FILE_HEAD || memcmp(file, "KATT", 4) != 0 ||
        file[4] != 1 || memcmp(file + 5, v->id, KURA_VAULT_ID_BYTES) != 0 ||
        memcmp(file + 5 + KURA_VAULT_ID_BYTES, a->id, KURA_ATTACHMENT_ID_BYTES) != 0 ||
        kura_get32(file + FILE_HEAD - 4) != count)
        return KURA_ERR_TAMPERED;
    unsigned char *plain = sodium_malloc(CHUNK), hash[32], ad[ATT_AD_BYTES];
    if (!plain) return KURA_ERR_NOMEM;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof hash);
    int rc = KURA_OK;
    size_t off = FILE_HEAD;
    for (uint32_t i = 0; rc == KURA_OK && i < count; i++) { /* every chunk, before any is kept */
        int last = i + 1 == count;
        size_t len = chunk_len(a->size, i, count), padded = padded_len(len, last);
        if (n - off < 4 || kura_get32(file + off) != SEALED(padded) ||
            n - off - 4 < SEALED(padded)) {
            rc = KURA_ERR_TAMPERED;
            break;
        }
        att_ad(ad, v, a->id, i, last);
        if (kura_open(plain, file + off + 4, SEALED(padded), ad, sizeof ad, a->key) != KURA_OK)
            rc = KURA_ERR_TAMPERED;
        for (size_t k = len; rc == KURA_OK && k < padded; k++)
            if (plain[k]) rc = KURA_ERR_TAMPERED;
        if (rc == KURA_OK) crypto_generichash_update(&h, plain, len);
        sodium_memzero(plain, padded);
        off += 4 + SEALED(padded);
    }
    crypto_generichash_final(&h, hash, sizeof hash);
    if (rc == KURA_OK && (off != n || sodium_memcmp(hash, a->hash, sizeof hash) != 0))
        rc = KURA_ERR_TAMPERED;
    off = FILE_HEAD;
    for (uint32_t i = 0; rc == KURA_OK && i < count; i++) {
        size_t len = kura_get32(file + off);
        rc = kura_db_blob_put(v->db, a->id, i, file + off + 4, len);
        if (rc != KURA_OK) rc = kura_fail(rc, "%s", kura_db_error(v->db));
        off += 4 + len;
    }
    sodium_free(plain);
    return rc;
}

/* ---- a set of attachments, each once (kura check, salvage) ---- */

int kura_att_set_add(kura_att_set *s, const char *item, const kura_attachment *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->e[i].a.id, a->id, KURA_ATTACHMENT_ID_BYTES) == 0) return KURA_OK;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        kura_att_entry *grown = sodium_malloc(cap * sizeof *grown); /* the keys */
        if (!grown) return s->failed = 1, KURA_ERR_NOMEM;
        if (s->n) memcpy(grown, s->e, s->n * sizeof *grown);
        sodium_free(s->e);
        s->e = grown, s->cap = cap;
    }
    kura_att_entry *e = &s->e[s->n++];
    e->a = *a;
    snprintf(e->name, sizeof e->name, "%s", a->name ? a->name : "");
    e->a.name = e->name;
    snprintf(e->item, sizeof e->item, "%s", item);
    return KURA_OK;
}

void kura_att_set_add_record(void *ctx, const unsigned char *rec)
{
    kura_att_set *s = ctx;
    kura_attachment a;
    kura_attachment_parse(&a, rec);
    a.name = "(a file of an older version)";
    int rc = kura_att_set_add(s, s->current, &a); /* a failure: s->failed */
    (void)rc;
    sodium_memzero(&a, sizeof a);
}

void kura_att_set_free(kura_att_set *s)
{
    sodium_free(s->e); /* wipes */
    memset(s, 0, sizeof *s);
}
