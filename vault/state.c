/* The vault's signed state. Items fall in 1024 buckets by the first 10 bits of their id
 * (4096 by 12 bits in format 1: kura_db_bucket_bits); each bucket's keyed hash (BLAKE2b under
 * a key derived from VK) over its items is a row of table buckets, and the state is a keyed
 * hash over the bucket rows and every record, with a generation number that every write
 * moves on. Each item's AEAD stops forgery and moving ciphertexts between items; the state
 * stops what per-item AEAD cannot: deleting, duplicating or inserting items, replaying an
 * older version of one, or mixing records of different times. The buckets let a point lookup
 * check just what it reads (its bucket and the state: a thousand hashes) in constant time at
 * any vault size; listing checks all. A record of the newest state this device has seen
 * (<state folder>/<vault id>.seen) stops a rollback of the whole file on devices that saw the
 * newer one. In format 3 the states form a chain: each state's tag covers the link of the
 * state before it, link = BLAKE2b("kura/link/1" || previous link || tag), and table chain
 * keeps every state's tag; a device that remembers the link it saw last refuses a file whose
 * chain does not lead back to it (a fork), whatever its generation. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "state.h"

#define STATE_VALUE (8 + KURA_STATE_TAG)                   /* formats 1, 2 */
#define STATE_VALUE3 (8 + KURA_STATE_TAG + KURA_STATE_TAG) /* format 3: the previous link too */

/* Each row as: table, then length-prefixed key and values (for items of format 2: the seals
 * of its parts, and the title index tag), so no two row sets hash alike. A row is gathered
 * into one buffer first: one hash update per row, not seven. */
/* A part's seal: its nonce and its tag, which the AEAD binds to the whole ciphertext. */
static unsigned char *put_seal(unsigned char *p, const unsigned char *part, size_t len)
{
    kura_put64(p, KURA_NONCEBYTES + KURA_MACBYTES);
    memcpy(p + 8, part, KURA_NONCEBYTES);
    memcpy(p + 8 + KURA_NONCEBYTES, part + len - KURA_MACBYTES, KURA_MACBYTES);
    return p + 8 + KURA_NONCEBYTES + KURA_MACBYTES;
}

static int absorb(void *ctx, const kura_row *r)
{
    crypto_generichash_state *st = ctx;
    unsigned char row[1024], *p = row;
    if (r->table == 'p') { /* a past row (format 4): signed by its one seal, as item parts are */
        if (r->keylen > 64 || r->alen < KURA_NONCEBYTES + KURA_MACBYTES) return KURA_ERR_CORRUPT;
        *p++ = 'p';
        kura_put64(p, r->keylen), p += 8;
        memcpy(p, r->key, r->keylen), p += r->keylen;
        p = put_seal(p, r->a, r->alen);
        crypto_generichash_update(st, row, (size_t)(p - row));
        return KURA_OK;
    }
    if (r->table == 'i' && r->name) {
        /* An item of format 2 is signed by the seals of its parts (each names one sealing
         * of one plaintext: the nonce is random, the tag binds the ciphertext under the item
         * key, and the AD its vault, item and part), not by their whole ciphertexts: a check
         * of every bucket hashes 100 bytes an item, not 500. A part whose bytes changed under
         * the same seal fails its AEAD when it is read. */
        if (r->keylen > 64 || r->alen < KURA_NONCEBYTES + KURA_MACBYTES ||
            r->blen < KURA_NONCEBYTES + KURA_MACBYTES)
            return KURA_ERR_CORRUPT;
        *p++ = (unsigned char)r->table;
        kura_put64(p, r->keylen), p += 8;
        memcpy(p, r->key, r->keylen), p += r->keylen;
        p = put_seal(p, r->a, r->alen);
        p = put_seal(p, r->b, r->blen);
        kura_put64(p, KURA_NAME_BYTES), p += 8;
        memcpy(p, r->name, KURA_NAME_BYTES), p += KURA_NAME_BYTES;
        crypto_generichash_update(st, row, (size_t)(p - row));
        return KURA_OK;
    }
    size_t namelen = r->name ? KURA_NAME_BYTES : 0;
    if (r->keylen + r->alen + r->blen > sizeof row - 33 - namelen) { /* large: piece by piece */
        unsigned char head[9];
        head[0] = (unsigned char)r->table;
        kura_put64(head + 1, r->keylen);
        crypto_generichash_update(st, head, sizeof head);
        crypto_generichash_update(st, r->key, r->keylen);
        kura_put64(head, r->alen);
        crypto_generichash_update(st, head, 8);
        crypto_generichash_update(st, r->a, r->alen);
        kura_put64(head, r->blen);
        crypto_generichash_update(st, head, 8);
        if (r->blen) crypto_generichash_update(st, r->b, r->blen);
        if (namelen) {
            kura_put64(head, namelen);
            crypto_generichash_update(st, head, 8);
            crypto_generichash_update(st, r->name, namelen);
        }
        return KURA_OK;
    }
    *p++ = (unsigned char)r->table;
    kura_put64(p, r->keylen), p += 8;
    memcpy(p, r->key, r->keylen), p += r->keylen;
    kura_put64(p, r->alen), p += 8;
    memcpy(p, r->a, r->alen), p += r->alen;
    kura_put64(p, r->blen), p += 8;
    if (r->blen) memcpy(p, r->b, r->blen), p += r->blen;
    if (namelen) {
        kura_put64(p, namelen), p += 8;
        memcpy(p, r->name, namelen), p += namelen;
    }
    crypto_generichash_update(st, row, (size_t)(p - row));
    return KURA_OK;
}

/* A keyed hash begun with a label, the vault id and a number (the generation, or a bucket's).
 * Its state holds the key, so it lives in the handle's one guarded buffer (sodium_malloc,
 * made once: thousands of buckets would otherwise cost thousands of mappings); only one
 * keyed hash is open at a time. done() wipes it. */
static crypto_generichash_state *keyed(kura_vault *v, const unsigned char *key, const char *label,
                                       uint64_t number)
{
    if (!v->hash_state && !(v->hash_state = sodium_malloc(sizeof *v->hash_state))) return NULL;
    crypto_generichash_state *st = v->hash_state;
    unsigned char n[8];
    crypto_generichash_init(st, key, KURA_KEYBYTES, KURA_STATE_TAG);
    crypto_generichash_update(st, (const unsigned char *)label, strlen(label) + 1);
    crypto_generichash_update(st, v->id, KURA_VAULT_ID_BYTES);
    kura_put64(n, number);
    crypto_generichash_update(st, n, sizeof n);
    return st;
}

static void done(crypto_generichash_state *st)
{
    if (st) sodium_memzero(st, sizeof *st);
}

unsigned kura_bucket_of(const kura_vault *v, const unsigned char *id)
{
    unsigned first = (unsigned)id[0] << 8 | id[1];
    return first >> (16 - kura_db_bucket_bits(v->db));
}

/* The state's tag: format 3 covers the previous link (prev) too. */
static int root_tag(kura_vault *v, unsigned char tag[KURA_STATE_TAG], const unsigned char *key,
                    uint64_t gen, const unsigned char *prev)
{
    crypto_generichash_state *st = keyed(v, key, prev ? "kura/state/3" : "kura/state/2", gen);
    if (!st) return KURA_ERR_NOMEM;
    if (prev) crypto_generichash_update(st, prev, KURA_STATE_TAG);
    int rc = kura_db_root_rows(v->db, absorb, st);
    crypto_generichash_final(st, tag, KURA_STATE_TAG);
    done(st);
    return rc;
}

/* Bucket b's hash over its items as they are now; *count gets how many there are. */
typedef struct counted {
    crypto_generichash_state *st;
    size_t count;
    struct kura_checked *prints; /* not NULL: record each item's fingerprint there */
} counted;

#define PRINT_BYTES (KURA_ITEM_ID_BYTES + 32)

/* id || BLAKE2b-256(len(overview) || overview || details) into out. */
static void fingerprint(unsigned char out[PRINT_BYTES], const unsigned char *id,
                        const unsigned char *ov, size_t ovlen, const unsigned char *det,
                        size_t detlen)
{
    crypto_generichash_state st;
    unsigned char n[8];
    memcpy(out, id, KURA_ITEM_ID_BYTES);
    kura_put64(n, ovlen);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, n, sizeof n);
    crypto_generichash_update(&st, ov, ovlen);
    crypto_generichash_update(&st, det, detlen);
    crypto_generichash_final(&st, out + KURA_ITEM_ID_BYTES, 32);
}

static int remember(struct kura_checked *c, const kura_row *r)
{
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    if (kura_grow(&c->prints, &c->cap, c->n, PRINT_BYTES) != KURA_OK) return KURA_ERR_NOMEM;
    fingerprint(c->prints + c->n++ * PRINT_BYTES, r->key, r->a, r->alen, r->b, r->blen);
    return KURA_OK;
}

static int absorb_counted(void *ctx, const kura_row *r)
{
    counted *c = ctx;
    c->count++;
    if (c->prints && (r->table == 'i' || r->table == 'p')) {
        int rc = remember(c->prints, r);
        if (rc != KURA_OK) return rc;
    }
    return absorb(c->st, r);
}

static int bucket_hash(kura_vault *v, const unsigned char *key, unsigned b,
                       unsigned char h[KURA_STATE_TAG], size_t *count, struct kura_checked *record)
{
    counted c = {keyed(v, key, "kura/bucket/1", b), 0, record};
    if (record) record->n = 0, record->bucket = 0, record->current = 0;
    if (!c.st) return KURA_ERR_NOMEM;
    int rc = kura_db_bucket_items(v->db, b, absorb_counted, &c);
    crypto_generichash_final(c.st, h, KURA_STATE_TAG);
    done(c.st);
    *count = c.count;
    return rc;
}

static int tampered(kura_vault *v)
{
    return kura_fail(KURA_ERR_TAMPERED,
                     "vault %s was changed without its key: its items or records do not "
                     "match its signed state (an item removed, added, replayed or "
                     "damaged)",
                     v->id_text);
}

int kura_state_fail(kura_vault *v, int rc)
{
    if (rc == KURA_ERR_CORRUPT) return tampered(v);
    if (rc == KURA_ERR_NOMEM) return kura_fail(rc, "out of memory");
    return kura_fail(rc, "%s", kura_db_error(v->db));
}

/* Compares a bucket's hash with its row: no items, no row; else the same hash. */
static int bucket_matches(kura_vault *v, unsigned b, const unsigned char *h, size_t count)
{
    unsigned char stored[KURA_STATE_TAG];
    int rc = kura_db_bucket_get(v->db, b, stored);
    if (rc == KURA_ERR_NOT_FOUND) return count == 0 ? KURA_OK : tampered(v);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    if (count == 0 || sodium_memcmp(stored, h, KURA_STATE_TAG) != 0) return tampered(v);
    return KURA_OK;
}

/* The entry that remembers bucket b, or NULL. */
static struct kura_checked *checked_of(kura_vault *v, unsigned b)
{
    for (unsigned i = 0; i < KURA_CHECKED_BUCKETS; i++)
        if (v->checked[i].bucket == b + 1) return &v->checked[i];
    return NULL;
}

void kura_state_forget_checks(kura_vault *v, int prints_too)
{
    v->root_checked = 0;
    for (unsigned i = 0; i < KURA_CHECKED_BUCKETS; i++) {
        v->checked[i].current = 0;
        if (prints_too) v->checked[i].bucket = 0;
    }
}

int kura_state_check_bucket(kura_vault *v, unsigned b)
{
    if (v->as_is) return KURA_OK;
    unsigned char h[KURA_STATE_TAG];
    size_t count;
    unsigned version;
    struct kura_checked *c = checked_of(v, b);
    if (c && c->current && v->root_checked && kura_db_data_version(v->db, &version) == KURA_OK &&
        version == v->root_version)
        return KURA_OK;
    if (!c) {
        c = &v->checked[v->checked_next];
        v->checked_next = (v->checked_next + 1) % KURA_CHECKED_BUCKETS;
    }
    int rc = bucket_hash(v, STATE_KEY(v), b, h, &count, c);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    rc = bucket_matches(v, b, h, count);
    if (rc == KURA_OK) c->bucket = b + 1, c->current = v->root_checked;
    return rc;
}

/* The fingerprint the check of id's bucket b recorded for it; NULL: the bucket had no such
 * item. Called right after kura_state_check_bucket(v, b) succeeded. */
static const unsigned char *print_of(kura_vault *v, unsigned b, const unsigned char *id)
{
    struct kura_checked *c = checked_of(v, b);
    for (size_t i = 0; c && i < c->n; i++)
        if (memcmp(c->prints + i * PRINT_BYTES, id, KURA_ITEM_ID_BYTES) == 0)
            return c->prints + i * PRINT_BYTES;
    return NULL;
}

int kura_state_check_item(kura_vault *v, const unsigned char *id)
{
    return kura_state_check_bucket(v, kura_bucket_of(v, id));
}

int kura_state_item_get(kura_vault *v, const unsigned char *id, kura_blob *ov, kura_blob *det)
{
    if (v->as_is) return kura_db_item_get(v->db, ov, det, id);
    unsigned b = kura_bucket_of(v, id);
    int rc = kura_state_check_bucket(v, b);
    if (rc != KURA_OK) return rc;
    if (!checked_of(v, b)) return KURA_ERR_CORRUPT; /* cannot happen: just checked */
    const unsigned char *want = print_of(v, b, id);
    rc = kura_db_item_get(v->db, ov, det, id);
    if (rc == KURA_ERR_NOT_FOUND) return want ? tampered(v) : rc;
    if (rc != KURA_OK) return rc;
    unsigned char got[PRINT_BYTES];
    fingerprint(got, id, ov->p, ov->n, det->p, det->n);
    if (want && sodium_memcmp(got, want, PRINT_BYTES) == 0) return KURA_OK;
    free(ov->p), free(det->p);
    ov->p = det->p = NULL;
    return tampered(v); /* bytes the check did not read: another b-tree answered */
}

unsigned kura_past_bucket_of(const kura_vault *v, const unsigned char *id)
{
    return (1u << kura_db_bucket_bits(v->db)) + kura_bucket_of(v, id);
}

int kura_state_past_get(kura_vault *v, const unsigned char *id, kura_blob *body)
{
    if (v->as_is) return kura_db_past_get(v->db, body, id);
    if (kura_db_format(v->db) < 4) return KURA_ERR_NOT_FOUND;
    unsigned b = kura_past_bucket_of(v, id);
    int rc = kura_state_check_bucket(v, b);
    if (rc != KURA_OK) return rc;
    if (!checked_of(v, b)) return KURA_ERR_CORRUPT;
    const unsigned char *want = print_of(v, b, id);
    rc = kura_db_past_get(v->db, body, id);
    if (rc == KURA_ERR_NOT_FOUND) return want ? tampered(v) : rc;
    if (rc != KURA_OK) return rc;
    unsigned char got[PRINT_BYTES];
    fingerprint(got, id, body->p, body->n, NULL, 0);
    if (want && sodium_memcmp(got, want, PRINT_BYTES) == 0) return KURA_OK;
    free(body->p);
    body->p = NULL;
    return tampered(v);
}

int kura_state_put_bucket(kura_vault *v, const unsigned char *key, unsigned b)
{
    unsigned char h[KURA_STATE_TAG];
    size_t count;
    int rc = bucket_hash(v, key, b, h, &count, NULL);
    if (rc == KURA_OK) rc = kura_db_bucket_put(v->db, b, count ? h : NULL);
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

int kura_state_put_item(kura_vault *v, const unsigned char *key, const unsigned char *id)
{
    int rc = kura_state_put_bucket(v, key, kura_bucket_of(v, id));
    if (rc == KURA_OK && kura_db_format(v->db) >= 4)
        rc = kura_state_put_bucket(v, key, kura_past_bucket_of(v, id));
    return rc;
}

/* Every item in id order, a bucket at a time: fn gets each non-empty bucket's hash. */
typedef struct sweep {
    kura_vault *v;
    const unsigned char *key;
    int (*fn)(kura_vault *v, unsigned b, const unsigned char *h);
    kura_db_row_fn each; /* also gets every row (NULL: none) */
    void *each_ctx;
    crypto_generichash_state *st;
    unsigned b;
    unsigned offset; /* added to each row's bucket: 1 << bits for past rows */
    size_t buckets;
} sweep;

static int sweep_close(sweep *w)
{
    unsigned char h[KURA_STATE_TAG];
    if (!w->st) return KURA_OK;
    crypto_generichash_final(w->st, h, KURA_STATE_TAG);
    done(w->st);
    w->st = NULL;
    w->buckets++;
    return w->fn(w->v, w->b, h);
}

static int sweep_row(void *ctx, const kura_row *r)
{
    sweep *w = ctx;
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    unsigned bucket = w->offset + kura_bucket_of(w->v, r->key);
    if (w->st && bucket != w->b) {
        int rc = sweep_close(w);
        if (rc != KURA_OK) return rc;
    }
    if (!w->st) {
        w->b = bucket;
        w->st = keyed(w->v, w->key, "kura/bucket/1", bucket);
        if (!w->st) return KURA_ERR_NOMEM;
    }
    int rc = absorb(w->st, r);
    return rc == KURA_OK && w->each && r->table == 'i' ? w->each(w->each_ctx, r) : rc;
}

/* Every item row, then (format 4) every past row, a bucket at a time. */
static int sweep_all(sweep *w)
{
    int rc = kura_db_all_items(w->v->db, sweep_row, w);
    if (rc == KURA_OK) rc = sweep_close(w);
    if (rc == KURA_OK && kura_db_format(w->v->db) >= 4) {
        w->offset = 1u << kura_db_bucket_bits(w->v->db);
        rc = kura_db_all_past(w->v->db, sweep_row, w);
        if (rc == KURA_OK) rc = sweep_close(w);
    }
    done(w->st);
    w->st = NULL;
    return rc;
}

static int check_one(kura_vault *v, unsigned b, const unsigned char *h)
{
    return bucket_matches(v, b, h, 1); /* a sweep only reports buckets with items */
}

static int put_one(kura_vault *v, unsigned b, const unsigned char *h)
{
    return kura_db_bucket_put(v->db, b, h);
}

int kura_state_check_all(kura_vault *v)
{
    return kura_state_check_all_rows(v, NULL, NULL);
}

int kura_state_check_all_rows(kura_vault *v, kura_db_row_fn each, void *ctx)
{
    if (v->as_is) /* nothing is signed: every row that can still be read */
        return each ? kura_db_items_around_damage(v->db, each, ctx, &v->unreadable) : KURA_OK;
    sweep w = {.v = v, .key = STATE_KEY(v), .fn = check_one, .each = each, .each_ctx = ctx};
    size_t rows = 0;
    kura_detail_clear();
    int rc = sweep_all(&w);
    if (rc == KURA_OK) rc = kura_db_bucket_count(v->db, &rows);
    if (rc == KURA_OK && rows != w.buckets) return tampered(v); /* a row for an empty bucket */
    if (rc != KURA_OK && !kura_error_detail()[0]) return kura_state_fail(v, rc);
    return rc;
}

int kura_state_rebuild(kura_vault *v, const unsigned char *key)
{
    sweep w = {.v = v, .key = key, .fn = put_one};
    int rc = kura_db_buckets_clear(v->db);
    if (rc == KURA_OK) rc = sweep_all(&w);
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

int kura_state_put(kura_vault *v, const unsigned char *key, uint64_t gen)
{
    unsigned char value[STATE_VALUE3];
    int chain = kura_state_chained(v);
    kura_put64(value, gen);
    memcpy(value + 8 + KURA_STATE_TAG, v->state_link, KURA_STATE_TAG); /* format 3: prev */
    int rc = root_tag(v, value + 8, key, gen, chain ? value + 8 + KURA_STATE_TAG : NULL);
    if (rc == KURA_OK)
        rc = kura_meta_put(v, KURA_META_STATE, value, chain ? STATE_VALUE3 : STATE_VALUE);
    if (rc == KURA_OK && chain) rc = kura_db_chain_put(v->db, gen, value + 8);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    v->state_gen = gen;
    memcpy(v->state_tag, value + 8, KURA_STATE_TAG);
    if (chain)
        memcpy(v->state_prev, value + 8 + KURA_STATE_TAG, KURA_STATE_TAG);
    else
        memset(v->state_prev, 0, KURA_STATE_TAG);
    kura_state_link(v->state_link, v->state_prev, v->state_tag);
    return KURA_OK;
}

int kura_state_upgrade_past(kura_vault *v)
{
    int rc = kura_db_upgrade4(v->db); /* an empty table: no bucket changes */
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

int kura_state_upgrade_chain(kura_vault *v)
{
    /* The state just checked starts the chain: its tag is the first row, its link that of a
     * state with no previous one (v->state_link already). */
    int rc = kura_db_upgrade3(v->db);
    if (rc == KURA_OK) rc = kura_db_chain_put(v->db, v->state_gen, v->state_tag);
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

/* The stored state against the bucket rows and records; sets v->state_gen and tag. Inside
 * a transaction. A state checked before in this process, on a file no connection has changed
 * since (the same data version, the same stored state), is not hashed again: a command checks
 * at unlock and again for each read, and each check reads every bucket row. */
int kura_state_check_root(kura_vault *v)
{
    kura_blob b;
    unsigned char tag[KURA_STATE_TAG];
    unsigned version;
    int chain = kura_state_chained(v);
    int rc = kura_meta_get(v, &b, KURA_META_STATE);
    if (rc == KURA_OK && b.n != (chain ? STATE_VALUE3 : STATE_VALUE)) rc = KURA_ERR_CORRUPT;
    uint64_t gen = rc == KURA_OK ? kura_get64(b.p) : 0;
    int known = rc == KURA_OK && v->root_checked &&
                kura_db_data_version(v->db, &version) == KURA_OK && version == v->root_version &&
                gen == v->state_gen && sodium_memcmp(b.p + 8, v->state_tag, KURA_STATE_TAG) == 0;
    if (known) {
        free(b.p);
        return KURA_OK;
    }
    kura_state_forget_checks(v, 0);
    memset(v->state_prev, 0, KURA_STATE_TAG);
    if (rc == KURA_OK && chain) memcpy(v->state_prev, b.p + 8 + KURA_STATE_TAG, KURA_STATE_TAG);
    if (rc == KURA_OK) rc = root_tag(v, tag, STATE_KEY(v), gen, chain ? v->state_prev : NULL);
    if (rc == KURA_OK && sodium_memcmp(tag, b.p + 8, KURA_STATE_TAG) != 0) rc = KURA_ERR_CORRUPT;
    free(b.p);
    v->state_gen = gen;
    memcpy(v->state_tag, tag, KURA_STATE_TAG);
    kura_state_link(v->state_link, v->state_prev, v->state_tag);
    if (rc == KURA_OK && kura_db_data_version(v->db, &version) == KURA_OK) {
        v->root_checked = 1;
        v->root_version = version;
    }
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

int kura_state_check(kura_vault *v)
{
    int rc = kura_state_check_root(v);
    /* A file the user trusts is checked whole, and re-signed if anything fails. */
    if (rc == KURA_OK && v->trust_file) rc = kura_state_check_all(v);
    if ((rc == KURA_ERR_CORRUPT || rc == KURA_ERR_TAMPERED) && v->trust_file)
        v->resign = 1;
    else if (rc != KURA_OK)
        return rc;
    return kura_seen_check(v);
}
