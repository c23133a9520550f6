/* What sync needs from the items: which items this device changed since it last pushed (marks
 * recorded with each write, in the same transaction), the records it wrote, and merging the
 * records another device wrote. A merge keeps every version and every deletion (the losers
 * in the item's history); the item is the newest version that no deletion saw. Stamps come
 * from a hybrid logical clock, so a version made after seeing another has a larger stamp, and
 * an edit made without seeing a deletion outlives it. Every device that holds the same
 * records computes the same items: devices converge whatever the order of their syncs. */
#include <stdlib.h>
#include <string.h>

#include "item_int.h"

/* ---- this device's records ---- */

typedef struct own {
    kura_vault *v;
    uint64_t since;
    kura_record_fn fn;
    void *ctx;
    kura_gbuf rec; /* one version record being built */
} own;

static int mine(const own *o, uint64_t stamp, const unsigned char *device)
{
    return stamp > o->since && memcmp(device, o->v->device, KURA_DEVICE_ID_BYTES) == 0;
}

/* An item row's version as a record, if this device wrote it after since. */
static int own_live(own *o, const unsigned char *id, const kura_blob *ov, const kura_blob *det)
{
    kura_gbuf plain = kura_buf_lend(o->v);
    int rc = kura_part_plain(&plain, o->v, id, ov->p, ov->n, PART_OVERVIEW);
    size_t ovlen = plain.n;
    if (rc == KURA_OK) rc = kura_part_plain(&plain, o->v, id, det->p, det->n, PART_DETAILS);
    uint64_t stamp;
    unsigned char device[KURA_DEVICE_ID_BYTES];
    if (rc == KURA_OK) kura_plain_stamp(plain.p, ovlen, &stamp, device);
    if (rc == KURA_OK && mine(o, stamp, device)) {
        unsigned char head[5 + 8], n4[4];
        o->rec.n = 0;
        head[0] = REC_VERSION;
        kura_put32(head + 1, (uint32_t)(STAMP_BYTES + 4 + plain.n));
        kura_put64(head + 5, stamp);
        kura_put32(n4, (uint32_t)ovlen);
        kura_gbuf_add(&o->rec, head, sizeof head);
        kura_gbuf_add(&o->rec, device, KURA_DEVICE_ID_BYTES);
        kura_gbuf_add(&o->rec, n4, 4);
        kura_gbuf_add(&o->rec, plain.p, plain.n);
        rc = o->rec.failed ? KURA_ERR_NOMEM : o->fn(o->ctx, id, o->rec.p, o->rec.n);
    }
    kura_buf_return(o->v, &plain);
    return rc;
}

static int own_past(own *o, const unsigned char *id, const kura_blob *body)
{
    kura_past p;
    int rc = kura_past_open(&p, o->v, id, body);
    for (size_t i = 0; rc == KURA_OK && i < p.n; i++)
        if (mine(o, p.e[i].stamp, kura_past_device(&p, &p.e[i])))
            rc = o->fn(o->ctx, id, p.plain.p + p.e[i].at, p.e[i].len);
    kura_past_free(&p);
    return rc;
}

static int own_one(own *o, const unsigned char *id)
{
    kura_vault *v = o->v;
    kura_blob ov = {0}, det = {0}, body = {0};
    int rc = kura_state_item_get(v, id, &ov, &det);
    if (rc == KURA_OK) rc = own_live(o, id, &ov, &det);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    if (rc == KURA_OK) rc = kura_state_past_get(v, id, &body);
    if (rc == KURA_OK) rc = own_past(o, id, &body);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    free(ov.p), free(det.p), free(body.p);
    return rc;
}

static int own_item_row(void *ctx, const kura_row *r)
{
    kura_blob ov = {(unsigned char *)r->a, r->alen}, det = {(unsigned char *)r->b, r->blen};
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    return own_live(ctx, r->key, &ov, &det);
}

static int own_past_row(void *ctx, const kura_row *r)
{
    kura_blob body = {(unsigned char *)r->a, r->alen};
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    return own_past(ctx, r->key, &body);
}

int kura_sync_own(kura_vault *v, uint64_t since, int all, kura_record_fn fn, void *ctx)
{
    own o = {.v = v, .since = since, .fn = fn, .ctx = ctx};
    kura_blob marks = {0};
    int rc = kura_stamp_ready(v);
    if (rc == KURA_OK && !all) rc = kura_dirty_get(v, since, &marks, &all);
    if (rc == KURA_OK && all) {
        /* Every row, every bucket checked in the same pass (kura_state_check_all_rows hands
         * item rows on; the past rows are read after their buckets were checked). */
        rc = kura_state_check_all_rows(v, own_item_row, &o);
        if (rc == KURA_OK) rc = kura_db_all_past(v->db, own_past_row, &o);
    } else {
        for (size_t i = 0; rc == KURA_OK && i < marks.n / KURA_ITEM_ID_BYTES; i++)
            rc = own_one(&o, marks.p + i * KURA_ITEM_ID_BYTES);
    }
    free(marks.p);
    kura_gbuf_free(&o.rec);
    return rc == KURA_OK || kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
}

/* ---- merging another device's records ---- */

typedef struct stamp {
    uint64_t t;
    const unsigned char *dev;
} stamp;

static int stamp_cmp(stamp a, stamp b)
{
    if (a.t != b.t) return a.t < b.t ? -1 : 1;
    return memcmp(a.dev, b.dev, KURA_DEVICE_ID_BYTES);
}

/* The version that is the item: the newest that no deletion saw; -1 for none. Versions are
 * the past's version records and (index live_ix) the item row. */
static long current_of(const kura_past *p)
{
    long best = -1;
    for (size_t i = 0; i < p->n; i++) {
        if (p->e[i].kind != REC_VERSION) continue;
        stamp s = {p->e[i].stamp, kura_past_device(p, &p->e[i])};
        int killed = 0;
        for (size_t j = 0; !killed && j < p->n; j++) {
            if (p->e[j].kind != REC_DELETION) continue;
            const unsigned char *d = p->plain.p + p->e[j].at + 5 + STAMP_BYTES;
            stamp k = {kura_get64(d), d + 8};
            killed = stamp_cmp(s, k) <= 0;
        }
        if (killed) continue;
        if (best < 0 ||
            stamp_cmp(s, (stamp){p->e[best].stamp, kura_past_device(p, &p->e[best])}) > 0)
            best = (long)i;
    }
    return best;
}

static int has_record(const kura_past *p, int kind, uint64_t t, const unsigned char *dev)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].kind == kind && p->e[i].stamp == t &&
            memcmp(kura_past_device(p, &p->e[i]), dev, KURA_DEVICE_ID_BYTES) == 0)
            return 1;
    return 0;
}

/* Writes version record e of p as item id's row. */
static int put_row(kura_vault *v, const unsigned char *id, const kura_past *p,
                   const kura_past_entry *e, int insert, kura_item *spare)
{
    const unsigned char *d = p->plain.p + e->at + 5 + STAMP_BYTES;
    size_t len = e->len - 5 - STAMP_BYTES, ovlen = kura_get32(d);
    if (ovlen > len - 4) return KURA_ERR_CORRUPT;
    const unsigned char *ovp = d + 4, *detp = d + 4 + ovlen;
    size_t detlen = len - 4 - ovlen;
    unsigned char name[KURA_NAME_BYTES];
    /* Both parts must parse: nothing unreadable becomes the item. */
    kura_item_clear(spare);
    int rc = kura_part_parse(spare, spare->arena, ovp, ovlen, PART_OVERVIEW);
    if (rc == KURA_OK) kura_name_tag(name, NAME_KEY(v), spare->title);
    kura_item_clear(spare);
    if (rc == KURA_OK) rc = kura_part_parse(spare, spare->arena, detp, detlen, PART_DETAILS);
    kura_item_clear(spare);
    kura_blob ov = {0}, det = {0};
    if (rc == KURA_OK) rc = kura_plain_seal(&ov, v, id, PART_OVERVIEW, ovp, ovlen);
    if (rc == KURA_OK) rc = kura_plain_seal(&det, v, id, PART_DETAILS, detp, detlen);
    if (rc == KURA_OK) rc = kura_db_item_put(v->db, id, &ov, &det, name, insert);
    if (rc == KURA_OK) rc = kura_touched_plain(v, id, ovp, ovlen);
    free(ov.p), free(det.p);
    return rc;
}

int kura_sync_apply(kura_batch *b, const unsigned char *id, const unsigned char *const *recs,
                    const size_t *lens, size_t n, uint64_t since, kura_item *spare, int *changed,
                    int *conflict)
{
    kura_vault *v = kura_batch_vault(b);
    kura_blob ov = {0}, det = {0}, body = {0};
    kura_gbuf plain = kura_buf_lend(v);
    kura_past p;
    int added = 0, other_version = 0;
    *changed = *conflict = 0;
    memset(&p, 0, sizeof p);

    int rc = kura_stamp_ready(v);
    if (rc == KURA_OK) rc = kura_batch_touch(b, kura_bucket_of(v, id));
    if (rc == KURA_OK) rc = kura_batch_touch(b, kura_past_bucket_of(v, id));
    int live = 0;
    if (rc == KURA_OK) {
        rc = kura_db_item_get(v->db, &ov, &det, id);
        live = rc == KURA_OK;
        if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    }
    if (rc == KURA_OK) {
        rc = kura_db_past_get(v->db, &body, id);
        if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    }
    if (rc == KURA_OK) rc = kura_past_open(&p, v, id, body.p ? &body : NULL);
    /* The item row joins the records as one more version (index live_ix), for the choice. */
    size_t live_ix = 0;
    uint64_t live_stamp = 0;
    unsigned char live_dev[KURA_DEVICE_ID_BYTES] = {0};
    if (rc == KURA_OK && live) {
        rc = kura_part_plain(&plain, v, id, ov.p, ov.n, PART_OVERVIEW);
        size_t ovlen = plain.n;
        if (rc == KURA_OK) rc = kura_part_plain(&plain, v, id, det.p, det.n, PART_DETAILS);
        if (rc == KURA_OK) {
            unsigned char n4[4];
            kura_plain_stamp(plain.p, ovlen, &live_stamp, live_dev);
            kura_put32(n4, (uint32_t)ovlen);
            live_ix = p.n;
            rc = kura_past_add(&p, REC_VERSION, live_stamp, live_dev, n4, 4, plain.p, plain.n);
        }
    }
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        const unsigned char *r = recs[i];
        if (lens[i] < 5 + STAMP_BYTES || kura_get32(r + 1) != lens[i] - 5 ||
            (r[0] != REC_VERSION && r[0] != REC_DELETION)) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        uint64_t t = kura_get64(r + 5);
        const unsigned char *dev = r + 5 + 8;
        if (r[0] == REC_VERSION && lens[i] < 5 + STAMP_BYTES + 4) rc = KURA_ERR_CORRUPT;
        if (r[0] == REC_DELETION && lens[i] != 5 + 2 * STAMP_BYTES) rc = KURA_ERR_CORRUPT;
        if (rc != KURA_OK) break;
        if (has_record(&p, r[0], t, dev)) continue;
        /* Another device's edit since this device last pushed: with an edit of this
         * device's not pushed yet, both changed the item apart. */
        if (r[0] == REC_VERSION && t > since && memcmp(dev, v->device, KURA_DEVICE_ID_BYTES) != 0)
            other_version = 1;
        rc = kura_past_add(&p, r[0], t, dev, r + 5 + STAMP_BYTES, lens[i] - 5 - STAMP_BYTES, NULL,
                           0);
        added = 1;
    }
    if (rc == KURA_OK && added) {
        long cur = current_of(&p);
        int same = live && cur == (long)live_ix;
        if (!same) {
            if (cur >= 0) {
                rc = put_row(v, id, &p, &p.e[cur], !live, spare);
                p.e[cur].kind = 0; /* it is the item now, not its past */
            } else if (live) {
                rc = kura_db_item_delete(v->db, id);
                if (rc == KURA_OK) rc = kura_touched_plain(v, id, NULL, 0);
            }
            *changed = 1;
        }
        *conflict = live && other_version && live_stamp > since &&
                    memcmp(live_dev, v->device, KURA_DEVICE_ID_BYTES) == 0;
        if (same) p.e[live_ix].kind = 0; /* still the item */
        if (rc == KURA_OK) rc = kura_past_store(v, &p, id);
    }
    kura_past_free(&p);
    kura_buf_return(v, &plain);
    free(ov.p), free(det.p), free(body.p);
    if (rc == KURA_ERR_CORRUPT) {
        char hex[KURA_ITEM_ID_TEXT + 1];
        kura_hex(hex, id, KURA_ITEM_ID_BYTES);
        return kura_fail(rc, "the versions of item %s do not read", hex);
    }
    return rc == KURA_OK || kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
}
