/* An item's past (format 4): every write keeps the version it replaces, and every delete the
 * last version and a record of the deletion, in one sealed row per item id (table past), so
 * nothing a user typed is lost to an edit, a delete or (with sync) another device's newer
 * version. Versions are named by a stamp: a hybrid logical clock (milliseconds << 16 | a
 * counter, never going back on this copy of the vault) and the id of the copy that wrote it.
 * History lists them, restore makes an old one the newest. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

#define META_DEVICE "device"
#define META_CLOCK "clock"
#define PAST_PAD 256
#define META_DIRTY "dirty"
#define DIRTY_MAX 4096 /* ids; past that, "every item" */
#define DIRTY_ALL 0xff /* first byte of the record for every item */

/* ---- stamps ---- */

void kura_vault_set_history(kura_vault *v, unsigned keep, unsigned days)
{
    v->history_keep = keep ? keep : 1;
    v->history_days = days;
}

/* This copy's device id, made (inside the caller's write transaction) when make is set. */
static int device_of(kura_vault *v, int make)
{
    if (v->have_device) return KURA_OK;
    kura_blob b;
    int rc = kura_meta_find(v, &b, META_DEVICE);
    if (rc == KURA_OK) {
        if (b.n == KURA_DEVICE_ID_BYTES) {
            memcpy(v->device, b.p, KURA_DEVICE_ID_BYTES);
            v->have_device = 1;
        } else {
            rc = KURA_ERR_CORRUPT;
        }
        free(b.p);
        return rc;
    }
    if (rc != KURA_ERR_NOT_FOUND || !make) return rc;
    randombytes_buf(v->device, KURA_DEVICE_ID_BYTES);
    rc = kura_meta_put(v, META_DEVICE, v->device, KURA_DEVICE_ID_BYTES);
    if (rc == KURA_OK) v->have_device = 1;
    return rc;
}

int kura_stamp_ready(kura_vault *v)
{
    return device_of(v, 1);
}

int kura_vault_device_id(kura_vault *v, unsigned char out[KURA_DEVICE_ID_BYTES])
{
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!v->have_device) {
        rc = kura_vault_read_begin(v, 0);
        if (rc != KURA_OK) return rc;
        rc = device_of(v, 0);
        kura_vault_read_end(v);
        if (rc == KURA_ERR_NOT_FOUND) return kura_fail(rc, "this vault has no device id yet");
        if (rc != KURA_OK) return kura_state_fail(v, rc);
    }
    memcpy(out, v->device, KURA_DEVICE_ID_BYTES);
    return KURA_OK;
}

/* The next stamp of this copy's clock: after every stamp it gave, and not before now. */
static int clock_next(kura_vault *v, uint64_t *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now = ((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u) << 16, last = 0;
    kura_blob b;
    int rc = kura_meta_find(v, &b, META_CLOCK);
    if (rc == KURA_OK) {
        if (b.n == 8)
            last = kura_get64(b.p);
        else
            rc = KURA_ERR_CORRUPT;
        free(b.p);
    }
    if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND) return rc;
    *out = now > last ? now : last + 1;
    unsigned char n[8];
    kura_put64(n, *out);
    return kura_meta_put(v, META_CLOCK, n, sizeof n);
}

int kura_clock_observe(kura_vault *v, uint64_t stamp)
{
    kura_blob b;
    uint64_t last = 0;
    int rc = kura_meta_find(v, &b, META_CLOCK);
    if (rc == KURA_OK) {
        last = b.n == 8 ? kura_get64(b.p) : 0;
        free(b.p);
    }
    if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND) return rc;
    if (stamp <= last) return KURA_OK;
    unsigned char n[8];
    kura_put64(n, stamp);
    return kura_meta_put(v, META_CLOCK, n, sizeof n);
}

int kura_stamp_item(kura_vault *v, kura_item *item)
{
    int rc = device_of(v, 1);
    if (rc == KURA_OK) rc = clock_next(v, &item->stamp);
    if (rc == KURA_OK) memcpy(item->device, v->device, KURA_DEVICE_ID_BYTES);
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

/* ---- which items this device changed, for the remotes that have not had them ----
 * Record "dirty": marks id (16) || stamp (8), in id order, each id once with the newest stamp
 * of this device's changes to it; or, past DIRTY_MAX marks, DIRTY_ALL || stamp: every item,
 * up to that stamp. A remote whose sync pushed everything up to a stamp ("since") needs the
 * marks above it; marks every remote has had are dropped. */
#define MARK_BYTES (KURA_ITEM_ID_BYTES + 8)

int kura_dirty_mark(kura_vault *v, const unsigned char *id)
{
    if (kura_grow(&v->dirty, &v->cap_dirty, v->n_dirty, KURA_ITEM_ID_BYTES) != KURA_OK)
        return KURA_ERR_NOMEM;
    memcpy(v->dirty + v->n_dirty++ * KURA_ITEM_ID_BYTES, id, KURA_ITEM_ID_BYTES);
    return KURA_OK;
}

static int by_mark(const void *a, const void *b)
{
    int c = memcmp(a, b, KURA_ITEM_ID_BYTES);
    if (c) return c;
    uint64_t x = kura_get64((const unsigned char *)a + 16),
             y = kura_get64((const unsigned char *)b + 16);
    return (x < y) - (x > y); /* the newest first */
}

/* Sorted by id, each id once with its newest stamp. */
static size_t unique_marks(unsigned char *list, size_t n)
{
    if (n < 2) return n;
    qsort(list, n, MARK_BYTES, by_mark);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (memcmp(list + i * MARK_BYTES, list + (k - 1) * MARK_BYTES, KURA_ITEM_ID_BYTES) != 0)
            memmove(list + k++ * MARK_BYTES, list + i * MARK_BYTES, MARK_BYTES);
    return k;
}

static int marks_read(kura_vault *v, kura_blob *b, int *all, uint64_t *all_stamp)
{
    *all = 0;
    *all_stamp = 0;
    int rc = kura_meta_find(v, b, META_DIRTY);
    if (rc == KURA_ERR_NOT_FOUND) {
        b->p = NULL, b->n = 0;
        return KURA_OK;
    }
    if (rc != KURA_OK) return rc;
    if (b->n == 9 && b->p[0] == DIRTY_ALL) {
        *all = 1;
        *all_stamp = kura_get64(b->p + 1);
        b->n = 0;
    } else if (b->n % MARK_BYTES) {
        free(b->p);
        b->p = NULL;
        return KURA_ERR_CORRUPT;
    }
    return KURA_OK;
}

static int marks_write(kura_vault *v, const unsigned char *list, size_t n, int all,
                       uint64_t all_stamp)
{
    if (all) {
        unsigned char b[9] = {DIRTY_ALL};
        kura_put64(b + 1, all_stamp);
        return kura_meta_put(v, META_DIRTY, b, sizeof b);
    }
    return kura_meta_put(v, META_DIRTY, n ? list : (const unsigned char *)"", n * MARK_BYTES);
}

/* The newest stamp this copy's clock gave or saw. */
uint64_t kura_clock_last(kura_vault *v)
{
    kura_blob b;
    uint64_t t = 0;
    if (kura_meta_find(v, &b, META_CLOCK) == KURA_OK) {
        if (b.n == 8) t = kura_get64(b.p);
        free(b.p);
    }
    return t;
}

int kura_dirty_flush(kura_vault *v)
{
    kura_blob b;
    int all;
    uint64_t all_stamp, now = kura_clock_last(v); /* at least every stamp this write gave */
    int rc = marks_read(v, &b, &all, &all_stamp);
    if (rc != KURA_OK) return rc;
    if (all) {
        free(b.p);
        return marks_write(v, NULL, 0, 1, now);
    }
    size_t n = b.n / MARK_BYTES + v->n_dirty;
    unsigned char *list = malloc(n * MARK_BYTES + 1);
    if (!list) {
        free(b.p);
        return KURA_ERR_NOMEM;
    }
    if (b.n) memcpy(list, b.p, b.n);
    for (size_t i = 0; i < v->n_dirty; i++) {
        unsigned char *m = list + b.n + i * MARK_BYTES;
        memcpy(m, v->dirty + i * KURA_ITEM_ID_BYTES, KURA_ITEM_ID_BYTES);
        kura_put64(m + KURA_ITEM_ID_BYTES, now);
    }
    free(b.p);
    n = unique_marks(list, n);
    rc = marks_write(v, list, n, n > DIRTY_MAX, now);
    free(list);
    return rc;
}

int kura_dirty_get(kura_vault *v, uint64_t since, kura_blob *marked, int *all)
{
    kura_blob b;
    uint64_t all_stamp;
    marked->p = NULL;
    marked->n = 0;
    int rc = marks_read(v, &b, all, &all_stamp);
    if (rc != KURA_OK) return rc;
    *all = *all && all_stamp > since;
    size_t k = 0;
    for (size_t i = 0; i < b.n / MARK_BYTES; i++)
        if (kura_get64(b.p + i * MARK_BYTES + KURA_ITEM_ID_BYTES) > since)
            memmove(b.p + k++ * KURA_ITEM_ID_BYTES, b.p + i * MARK_BYTES, KURA_ITEM_ID_BYTES);
    marked->p = b.p;
    marked->n = k * KURA_ITEM_ID_BYTES;
    return KURA_OK;
}

int kura_dirty_prune(kura_vault *v, uint64_t had)
{
    kura_blob b;
    int all;
    uint64_t all_stamp;
    int rc = marks_read(v, &b, &all, &all_stamp);
    if (rc != KURA_OK) return rc;
    if (all) {
        free(b.p);
        return all_stamp <= had ? marks_write(v, NULL, 0, 0, 0) : KURA_OK;
    }
    size_t k = 0, n = b.n / MARK_BYTES;
    for (size_t i = 0; i < n; i++)
        if (kura_get64(b.p + i * MARK_BYTES + KURA_ITEM_ID_BYTES) > had)
            memmove(b.p + k++ * MARK_BYTES, b.p + i * MARK_BYTES, MARK_BYTES);
    rc = k == n ? KURA_OK : marks_write(v, b.p, k, 0, 0);
    free(b.p);
    return rc;
}

/* ---- a past row: records tag (1) || length (4) || payload, oldest first ----
 * version:  stamp (8) || device (16) || overview length (4) || overview || details
 * deletion: stamp (8) || device (16) || the deleted version's stamp (8) || its device (16) */

void kura_past_free(kura_past *p)
{
    kura_buf_return(p->v, &p->plain);
    free(p->e);
    memset(p, 0, sizeof *p);
}

const unsigned char *kura_past_device(const kura_past *p, const kura_past_entry *e)
{
    return p->plain.p + e->at + 5 + 8;
}

static int add_entry(kura_past *p, int kind, uint64_t stamp, size_t at, size_t len)
{
    if (kura_grow(&p->e, &p->cap, p->n, sizeof *p->e) != KURA_OK) return KURA_ERR_NOMEM;
    p->e[p->n++] = (kura_past_entry){kind, stamp, at, len};
    return KURA_OK;
}

/* Parses the plaintext into entries. */
static int past_parse(kura_past *p)
{
    const unsigned char *b = p->plain.p;
    size_t n = p->plain.n;
    if (n < 1 || b[0] != 1) return KURA_ERR_CORRUPT;
    for (size_t off = 1; off < n;) {
        if (n - off < 5) return KURA_ERR_CORRUPT;
        unsigned kind = b[off];
        size_t len = kura_get32(b + off + 1);
        if (len > n - off - 5) return KURA_ERR_CORRUPT;
        const unsigned char *d = b + off + 5;
        if (kind == REC_VERSION &&
            (len < STAMP_BYTES + 4 || kura_get32(d + STAMP_BYTES) > len - STAMP_BYTES - 4))
            return KURA_ERR_CORRUPT;
        if (kind == REC_DELETION && len != 2 * STAMP_BYTES) return KURA_ERR_CORRUPT;
        if (kind != REC_VERSION && kind != REC_DELETION) return KURA_ERR_CORRUPT;
        int rc = add_entry(p, (int)kind, kura_get64(d), off, 5 + len);
        if (rc != KURA_OK) return rc;
        off += 5 + len;
    }
    return KURA_OK;
}

/* Item id's past from its sealed body (NULL: none yet). */
int kura_past_open(kura_past *p, const kura_vault *v, const unsigned char *id,
                   const kura_blob *body)
{
    unsigned char ad[KURA_AD_BYTES];
    memset(p, 0, sizeof *p);
    p->v = (kura_vault *)v;
    p->plain = kura_buf_lend(p->v);
    if (!body || !body->p) {
        unsigned char version = 1;
        return kura_gbuf_add(&p->plain, &version, 1);
    }
    if (body->n < KURA_NONCEBYTES + KURA_MACBYTES + PAST_PAD) return KURA_ERR_CORRUPT;
    size_t len = body->n - KURA_NONCEBYTES - KURA_MACBYTES;
    if (kura_gbuf_add(&p->plain, NULL, len) != KURA_OK) return KURA_ERR_NOMEM;
    kura_item_ad(ad, v->id, id, PART_PAST);
    int rc = kura_open(p->plain.p, body->p, body->n, ad, sizeof ad, ITEM_KEY(v));
    if (rc == KURA_OK && sodium_unpad(&len, p->plain.p, len, PAST_PAD) != 0) rc = KURA_ERR_CORRUPT;
    if (rc == KURA_OK) {
        p->plain.n = len;
        rc = past_parse(p);
    }
    return rc;
}

/* Appends a record (head, then up to three pieces). */
int kura_past_add(kura_past *p, int kind, uint64_t stamp, const unsigned char device[16],
                  const void *a, size_t alen, const void *b, size_t blen)
{
    unsigned char head[5 + 8];
    size_t at = p->plain.n, len = STAMP_BYTES + alen + blen;
    head[0] = (unsigned char)kind;
    kura_put32(head + 1, (uint32_t)len);
    kura_put64(head + 5, stamp);
    kura_gbuf_add(&p->plain, head, sizeof head);
    kura_gbuf_add(&p->plain, device, KURA_DEVICE_ID_BYTES);
    kura_gbuf_add(&p->plain, a, alen);
    kura_gbuf_add(&p->plain, b, blen);
    if (p->plain.failed) return KURA_ERR_NOMEM;
    return add_entry(p, kind, stamp, at, 5 + len);
}

static int by_stamp(const void *a, const void *b)
{
    const kura_past_entry *x = a, *y = b;
    return x->stamp != y->stamp ? (x->stamp < y->stamp ? -1 : 1)
                                : (x->at > y->at) - (x->at < y->at);
}

/* Whether entry i of the sorted entries is kept: one of the last keep, or newer than days. */
static int kept(const kura_vault *v, const kura_past *p, size_t i, uint64_t now_ms)
{
    if (p->n - i <= v->history_keep) return 1;
    uint64_t ms = p->e[i].stamp >> 16, horizon = (uint64_t)v->history_days * 86400000u;
    return now_ms < horizon || ms >= now_ms - horizon;
}

static int blobs_note(kura_vault *v, const unsigned char *item_id, const unsigned char *att_id)
{
    for (size_t i = 0; i < v->n_sweep; i++)
        if (memcmp(v->sweep + i * SWEEP_PAIR, item_id, KURA_ITEM_ID_BYTES) == 0 &&
            memcmp(v->sweep + i * SWEEP_PAIR + KURA_ITEM_ID_BYTES, att_id,
                   KURA_ATTACHMENT_ID_BYTES) == 0)
            return KURA_OK;
    if (kura_grow(&v->sweep, &v->cap_sweep, v->n_sweep, SWEEP_PAIR) != KURA_OK)
        return KURA_ERR_NOMEM;
    memcpy(v->sweep + v->n_sweep * SWEEP_PAIR, item_id, KURA_ITEM_ID_BYTES);
    memcpy(v->sweep + v->n_sweep * SWEEP_PAIR + KURA_ITEM_ID_BYTES, att_id,
           KURA_ATTACHMENT_ID_BYTES);
    v->n_sweep++;
    return KURA_OK;
}

typedef struct noting {
    kura_vault *v;
    const unsigned char *id;
} noting;

static void note_one(void *ctx, const unsigned char *att_id)
{
    noting *n = ctx;
    if (blobs_note(n->v, n->id, att_id) != KURA_OK) n->v->sweep_failed = 1;
}

/* A version leaving the history: the attachments it names may go with it (attach.c). */
static void note_attachments(kura_vault *v, const kura_past *p, const kura_past_entry *e,
                             const unsigned char *id)
{
    noting n = {v, id};
    kura_record_attachments(p->plain.p + e->at, e->len, note_one, &n);
}

void kura_past_attachments(const kura_past *p, void (*fn)(void *ctx, const unsigned char *att_id),
                           void *ctx)
{
    for (size_t i = 0; i < p->n; i++)
        kura_record_attachments(p->plain.p + p->e[i].at, p->e[i].len, fn, ctx);
}

/* Seals the past (oldest first, pruned) and stores it under id. */
int kura_past_store(kura_vault *v, kura_past *p, const unsigned char *id)
{
    unsigned char ad[KURA_AD_BYTES], version = 1;
    if (p->n) qsort(p->e, p->n, sizeof *p->e, by_stamp);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    size_t left = 0;
    for (size_t i = 0; i < p->n; i++)
        left += p->e[i].kind != 0;
    if (!left) return kura_db_past_put(v->db, id, NULL); /* no past: no row */
    kura_gbuf out = kura_buf_lend(v);
    kura_gbuf_add(&out, &version, 1);
    for (size_t i = 0; i < p->n; i++) {
        if (!p->e[i].kind) continue; /* dropped (it became the item itself) */
        /* Two records of one version (the same stamp, kind and device) are one. */
        int twice = 0;
        for (size_t j = i; !twice && j-- > 0 && p->e[j].stamp == p->e[i].stamp;)
            twice = p->e[j].kind == p->e[i].kind &&
                    memcmp(kura_past_device(p, &p->e[i]), kura_past_device(p, &p->e[j]),
                           KURA_DEVICE_ID_BYTES) == 0;
        if (!twice && kept(v, p, i, now_ms))
            kura_gbuf_add(&out, p->plain.p + p->e[i].at, p->e[i].len);
        else if (p->e[i].kind == REC_VERSION)
            note_attachments(v, p, &p->e[i], id);
    }
    if (v->sweep_failed) {
        v->sweep_failed = 0;
        kura_buf_return(v, &out);
        return KURA_ERR_NOMEM;
    }
    size_t padded, cap = out.n + PAST_PAD;
    int rc = kura_gbuf_add(&out, NULL, PAST_PAD);
    if (rc == KURA_OK && sodium_pad(&padded, out.p, cap - PAST_PAD, PAST_PAD, cap) != 0)
        rc = KURA_ERR_INVALID;
    kura_blob body = {0};
    if (rc == KURA_OK) {
        body.n = padded + KURA_NONCEBYTES + KURA_MACBYTES;
        if (!(body.p = malloc(body.n))) rc = KURA_ERR_NOMEM;
    }
    if (rc == KURA_OK) {
        kura_item_ad(ad, v->id, id, PART_PAST);
        kura_seal(body.p, out.p, padded, ad, sizeof ad, NULL, ITEM_KEY(v));
        rc = kura_db_past_put(v->db, id, &body);
    }
    free(body.p);
    kura_buf_return(v, &out);
    return rc;
}

int kura_past_keep(kura_vault *v, const unsigned char id[16], const kura_blob *ov,
                   const kura_blob *det, int deleting, int in_batch)
{
    kura_gbuf plain = kura_buf_lend(v);
    kura_blob body = {0};
    kura_past p;
    /* Inside the write transaction: the row as the bucket check just signed it (a batch
     * checked the bucket before its first write to it, and the state does not sign what the
     * batch wrote until it commits). */
    int rc = in_batch ? kura_db_past_get(v->db, &body, id) : kura_state_past_get(v, id, &body);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    if (rc == KURA_OK)
        rc = kura_past_open(&p, v, id, body.p ? &body : NULL);
    else
        memset(&p, 0, sizeof p);
    if (rc == KURA_OK) rc = kura_part_plain(&plain, v, id, ov->p, ov->n, PART_OVERVIEW);
    size_t ovlen = plain.n;
    if (rc == KURA_OK) rc = kura_part_plain(&plain, v, id, det->p, det->n, PART_DETAILS);
    uint64_t stamp = 0;
    unsigned char device[KURA_DEVICE_ID_BYTES], n4[4];
    if (rc == KURA_OK) {
        kura_plain_stamp(plain.p, ovlen, &stamp, device);
        kura_put32(n4, (uint32_t)ovlen);
        /* overview length || overview || details, after the stamp */
        rc = kura_past_add(&p, REC_VERSION, stamp, device, n4, 4, plain.p, plain.n);
    }
    if (rc == KURA_OK && deleting) {
        kura_item gone = {0};
        rc = kura_stamp_item(v, &gone);
        unsigned char killed[STAMP_BYTES];
        kura_put64(killed, stamp);
        memcpy(killed + 8, device, KURA_DEVICE_ID_BYTES);
        if (rc == KURA_OK)
            rc = kura_past_add(&p, REC_DELETION, gone.stamp, gone.device, killed, sizeof killed,
                               NULL, 0);
    }
    if (rc == KURA_OK) rc = kura_past_store(v, &p, id);
    kura_past_free(&p);
    kura_buf_return(v, &plain);
    free(body.p);
    if (rc == KURA_ERR_CORRUPT) {
        char hex[KURA_ITEM_ID_TEXT + 1];
        kura_hex(hex, id, KURA_ITEM_ID_BYTES);
        return kura_fail(rc, "the history of item %s does not decrypt", hex);
    }
    return rc == KURA_OK ? KURA_OK : kura_state_fail(v, rc);
}

/* ---- reading it: history, deleted items ---- */

/* A version's content as a new whole item with the id idtext. */
static int version_item(kura_item **out, const kura_past *p, const kura_past_entry *e,
                        const char *idtext)
{
    const unsigned char *d = p->plain.p + e->at + 5;
    size_t len = e->len - 5, ovlen = kura_get32(d + STAMP_BYTES);
    const unsigned char *ov = d + STAMP_BYTES + 4;
    kura_item *it = kura_item_new();
    if (!it) return KURA_ERR_NOMEM;
    memcpy(it->id, idtext, KURA_ITEM_ID_TEXT + 1);
    int rc = kura_part_parse(it, it->arena, ov, ovlen, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc =
            kura_part_parse(it, it->arena, ov + ovlen, len - STAMP_BYTES - 4 - ovlen, PART_DETAILS);
    if (rc == KURA_OK && !it->stamp) it->stamp = e->stamp;
    if (rc != KURA_OK) {
        kura_item_free(it);
        return rc;
    }
    *out = it;
    return KURA_OK;
}

void kura_history_free(kura_history *h)
{
    if (!h) return;
    for (size_t i = 0; i < h->count; i++)
        kura_item_free(h->versions[i].item);
    free(h->versions);
    free(h);
}

static int history_add(kura_history *h, size_t *cap, kura_version ver)
{
    if (kura_grow(&h->versions, cap, h->count, sizeof *h->versions) != KURA_OK)
        return KURA_ERR_NOMEM;
    h->versions[h->count++] = ver;
    return KURA_OK;
}

static int by_version(const void *a, const void *b)
{
    const kura_version *x = a, *y = b;
    if (x->stamp != y->stamp) return x->stamp < y->stamp ? -1 : 1;
    if (x->current != y->current) return x->current - y->current;
    return x->deleted - y->deleted;
}

/* Reads item id's live row (if any) and past (if any) in one read transaction. */
static int read_both(kura_vault *v, const unsigned char *id, kura_item **live, kura_past *p)
{
    kura_blob ov = {0}, det = {0}, body = {0};
    char idtext[KURA_ITEM_ID_TEXT + 1];
    kura_hex(idtext, id, KURA_ITEM_ID_BYTES);
    *live = NULL;
    memset(p, 0, sizeof *p);
    int rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    int has_live = 0, has_past = 0;
    rc = kura_state_item_get(v, id, &ov, &det);
    if (rc == KURA_OK) has_live = 1;
    if (rc == KURA_OK || rc == KURA_ERR_NOT_FOUND) rc = kura_state_past_get(v, id, &body);
    if (rc == KURA_OK) has_past = 1;
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    kura_vault_read_end(v);
    if (rc == KURA_OK && !has_live && !has_past)
        rc = kura_fail(KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    if (rc == KURA_OK && has_live) {
        kura_item *it = kura_item_new();
        scratch sc = {0};
        rc = it ? kura_part_open(it, it->arena, &sc, v, id, ov.p, ov.n, PART_OVERVIEW)
                : KURA_ERR_NOMEM;
        if (rc == KURA_OK)
            rc = kura_part_open(it, it->arena, &sc, v, id, det.p, det.n, PART_DETAILS);
        sodium_free(sc.p);
        if (it) memcpy(it->id, idtext, sizeof idtext);
        if (rc == KURA_OK && !it->stamp) it->stamp = KURA_STAMP_OF_SECONDS(it->updated);
        if (rc == KURA_OK)
            *live = it;
        else
            kura_item_free(it);
    }
    if (rc == KURA_OK) rc = kura_past_open(p, v, id, has_past ? &body : NULL);
    free(ov.p), free(det.p), free(body.p);
    if (rc == KURA_ERR_CORRUPT && !kura_error_detail()[0])
        kura_fail(rc, "the history of item %s does not decrypt", idtext);
    if (rc != KURA_OK) {
        kura_item_free(*live);
        *live = NULL;
        kura_past_free(p);
        if (!kura_error_detail()[0]) return kura_state_fail(v, rc);
    }
    return rc;
}

int kura_item_history(kura_vault *v, kura_history **out, const char *idtext)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    *out = NULL;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_fail(KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    kura_item *live;
    kura_past p;
    rc = read_both(v, id, &live, &p);
    if (rc != KURA_OK) return rc;
    kura_history *h = calloc(1, sizeof *h);
    size_t cap = 0;
    if (!h) rc = KURA_ERR_NOMEM;
    for (size_t i = 0; rc == KURA_OK && i < p.n; i++) {
        kura_version ver = {.stamp = p.e[i].stamp, .deleted = p.e[i].kind == REC_DELETION};
        memcpy(ver.device, kura_past_device(&p, &p.e[i]), KURA_DEVICE_ID_BYTES);
        if (!ver.deleted) rc = version_item(&ver.item, &p, &p.e[i], idtext);
        if (rc == KURA_OK) rc = history_add(h, &cap, ver);
        if (rc != KURA_OK) kura_item_free(ver.item);
    }
    if (rc == KURA_OK && live) {
        kura_version ver = {.stamp = live->stamp, .current = 1, .item = live};
        memcpy(ver.device, live->device, KURA_DEVICE_ID_BYTES);
        rc = history_add(h, &cap, ver);
        if (rc == KURA_OK) live = NULL;
    }
    kura_item_free(live);
    kura_past_free(&p);
    if (rc != KURA_OK) {
        kura_history_free(h);
        if (rc == KURA_ERR_CORRUPT)
            return kura_fail(rc, "the history of item %s does not decrypt", idtext);
        return kura_fail(rc, "out of memory");
    }
    if (h->count) qsort(h->versions, h->count, sizeof *h->versions, by_version);
    *out = h;
    return KURA_OK;
}

/* ---- what a write changed, for the overview cache ---- */

#define TOUCHED_MAX (1u << 20) /* past this the cache is read afresh */

int kura_touched_plain(kura_vault *v, const unsigned char *id, const unsigned char *ov, size_t n)
{
    if (!v->cache_dir || v->touched.failed) return KURA_OK;
    if (v->touched.n + n > TOUCHED_MAX) {
        v->touched.failed = 1; /* too much: the delta is dropped */
        return KURA_OK;
    }
    unsigned char l[4];
    kura_put32(l, ov ? (uint32_t)n : 0xffffffffu);
    if (!v->touched.p) v->touched = kura_buf_lend(v);
    kura_gbuf_add(&v->touched, id, KURA_ITEM_ID_BYTES);
    kura_gbuf_add(&v->touched, l, 4);
    if (ov) kura_gbuf_add(&v->touched, ov, n);
    return KURA_OK; /* a failure is touched.failed: the delta is dropped */
}

int kura_touched_item(kura_vault *v, const unsigned char *id, const kura_item *item)
{
    if (!v->cache_dir || v->touched.failed) return KURA_OK;
    kura_gbuf ov = kura_buf_lend(v);
    int rc = kura_part_bytes(&ov, item, PART_OVERVIEW);
    if (rc == KURA_OK) rc = kura_touched_plain(v, id, ov.p, ov.n);
    kura_buf_return(v, &ov);
    if (rc != KURA_OK) v->touched.failed = 1;
    return KURA_OK;
}
