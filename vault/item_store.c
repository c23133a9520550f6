/* Items in the vault: add, get, update and delete one, and many in one transaction (a batch,
 * for imports and salvage). Each write checks and re-signs the bucket it touches. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

/* ---- operations ---- */

/* The title index tag: 16 bits of a keyed BLAKE2b (the title index key, from VK) of the
 * title with ASCII letters lowered, as lookups by title match. Short on purpose: at 100,000
 * items each tag is shared by one or two items; a lookup decrypts those few overviews. */
void kura_name_tag(unsigned char out[KURA_NAME_BYTES], const unsigned char *key, const char *title)
{
    unsigned char h[16], low[256];
    crypto_generichash_state st;
    size_t n = title ? strlen(title) : 0;
    crypto_generichash_init(&st, key, KURA_KEYBYTES, sizeof h);
    for (size_t off = 0; off < n; off += sizeof low) {
        size_t k = n - off < sizeof low ? n - off : sizeof low;
        for (size_t i = 0; i < k; i++) {
            unsigned char c = (unsigned char)title[off + i];
            low[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
        }
        crypto_generichash_update(&st, low, k);
    }
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(out, h, KURA_NAME_BYTES);
    sodium_memzero(low, sizeof low);
    sodium_memzero(&st, sizeof st);
}

/* A new version of item under id, stamped, both parts sealed and written (inside the caller's
 * write transaction, its buckets checked): a replaced version goes into the item's history. */
static int put_version(kura_vault *v, kura_item *item, const unsigned char *id, int insert,
                       int in_batch)
{
    kura_blob ov = {0}, det = {0};
    int rc = KURA_OK;
    if (!insert) { /* the version it replaces, into its history */
        rc = in_batch ? kura_db_item_get(v->db, &ov, &det, id)
                      : kura_state_item_get(v, id, &ov, &det);
        if (rc == KURA_OK) rc = kura_past_keep(v, id, &ov, &det, 0, in_batch);
        free(ov.p), free(det.p);
        ov.p = det.p = NULL;
    }
    if (rc == KURA_OK) rc = kura_stamp_item(v, item);
    if (rc == KURA_OK) rc = kura_dirty_mark(v, id);
    if (rc == KURA_OK) rc = kura_touched_item(v, id, item);
    if (rc == KURA_OK) rc = kura_part_seal(&ov, v, item, id, PART_OVERVIEW);
    if (rc == KURA_OK) rc = kura_part_seal(&det, v, item, id, PART_DETAILS);
    if (rc == KURA_OK) {
        unsigned char name[KURA_NAME_BYTES];
        kura_name_tag(name, NAME_KEY(v), item->title);
        rc = kura_db_item_put(v->db, id, &ov, &det, name, insert);
        if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND) kura_fail(rc, "%s", kura_db_error(v->db));
    }
    free(ov.p);
    free(det.p);
    return rc;
}

/* One write of item: with copy, a new item whose attachments (another item's) get their own
 * copies of their content first. */
static int store(kura_vault *v, kura_item *item, int insert, int copy)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "not an item id");
    int rc = kura_vault_write_begin(v, id);
    if (rc != KURA_OK) return rc;
    if (copy && item->n_attachments) rc = kura_attachments_copy(v, item);
    if (rc == KURA_OK) rc = put_version(v, item, id, insert, 0);
    return kura_vault_write_end(v, rc, id);
}

int kura_item_store(kura_vault *v, kura_item *item, int insert)
{
    return store(v, item, insert, 0);
}

int kura_item_attach(kura_vault *v, kura_item *item, const char *name, int fd)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!item->has_details || kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "attach to an item read whole (kura_item_get)");
    if (kura_item_attachment(item, name))
        return kura_fail(KURA_ERR_EXISTS, "item \"%s\" already has an attachment called \"%s\"",
                         item->title ? item->title : "", name);
    rc = kura_attach_too_big(fd); /* refused before anything is read */
    if (rc != KURA_OK) return rc;
    rc = kura_vault_write_begin(v, id);
    if (rc != KURA_OK) return rc;
    rc = kura_attach_seal(v, item, name, fd, NULL, 0);
    int added = rc == KURA_OK;
    if (rc == KURA_OK) {
        item->updated = (int64_t)time(NULL);
        rc = put_version(v, item, id, 0, 0);
    }
    rc = kura_vault_write_end(v, rc, id);
    if (rc != KURA_OK && added) { /* the item as it was */
        int undone = kura_item_detach(item, name);
        (void)undone;
    }
    return rc;
}

int kura_item_add(kura_vault *v, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!item->title || !*item->title) return kura_fail(KURA_ERR_INVALID, "an item needs a title");
    randombytes_buf(id, sizeof id);
    kura_hex(item->id, id, sizeof id);
    item->created = item->updated = (int64_t)time(NULL);
    return store(v, item, 1, 1);
}

int kura_item_update(kura_vault *v, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!item->has_details)
        return kura_fail(KURA_ERR_INVALID, "a listed item has no details to write");
    if (!item->title || !*item->title) return kura_fail(KURA_ERR_INVALID, "an item needs a title");
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "not an item id");
    item->updated = (int64_t)time(NULL);
    rc = kura_item_store(v, item, 0);
    if (rc == KURA_ERR_NOT_FOUND) kura_fail(rc, "no item with id %s", item->id);
    return rc;
}

/* Both sealed parts of item id into item (emptied first), or why not. */
static int fill_item(kura_vault *v, kura_item *item, scratch *sc, const char *idtext,
                     const unsigned char *id, const kura_blob *ov, const kura_blob *det)
{
    kura_item_clear(item);
    memcpy(item->id, idtext, KURA_ITEM_ID_TEXT + 1);
    int rc = kura_part_open(item, item->arena, sc, v, id, ov->p, ov->n, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc = kura_part_open(item, item->arena, sc, v, id, det->p, det->n, PART_DETAILS);
    if (rc == KURA_ERR_CORRUPT) kura_fail(rc, "item %s does not decrypt", idtext);
    return rc;
}

int kura_item_from_row(kura_vault *v, kura_item *into, const kura_row *r)
{
    char idtext[KURA_ITEM_ID_TEXT + 1];
    kura_item_clear(into); /* a row without an id leaves no earlier item's id behind */
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    kura_hex(idtext, r->key, KURA_ITEM_ID_BYTES);
    kura_blob ov = {(unsigned char *)r->a, r->alen}, det = {(unsigned char *)r->b, r->blen};
    scratch sc = {0};
    int rc = fill_item(v, into, &sc, idtext, r->key, &ov, &det);
    sodium_free(sc.p);
    return rc;
}

/* The same into a new item (*out). */
static int open_item(kura_vault *v, kura_item **out, const char *idtext, const unsigned char *id,
                     const kura_blob *ov, const kura_blob *det)
{
    scratch sc = {0};
    kura_item *item = kura_item_new();
    int rc = item ? fill_item(v, item, &sc, idtext, id, ov, det) : KURA_ERR_NOMEM;
    sodium_free(sc.p);
    if (rc != KURA_OK) {
        kura_item_free(item);
        return rc;
    }
    *out = item;
    return KURA_OK;
}

int kura_item_get(kura_vault *v, kura_item **out, const char *idtext)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    kura_blob ov = {0}, det = {0};

    *out = NULL;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_fail(KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    /* Just this item's bucket and the state: constant time at any vault size. */
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    rc = kura_state_item_get(v, id, &ov, &det);
    kura_vault_read_end(v);
    if (rc == KURA_ERR_NOT_FOUND) return kura_fail(rc, "no item with id %s", idtext);
    if (rc != KURA_OK)
        return kura_error_detail()[0] ? rc : kura_fail(rc, "%s", kura_db_error(v->db));
    rc = open_item(v, out, idtext, id, &ov, &det);
    free(ov.p);
    free(det.p);
    return rc;
}

int kura_item_delete(kura_vault *v, const char *idtext)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_fail(KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    rc = kura_vault_write_begin(v, id);
    if (rc != KURA_OK) return rc;
    kura_blob ov = {0}, det = {0}; /* the last version and the deletion, into its history */
    rc = kura_state_item_get(v, id, &ov, &det);
    if (rc == KURA_OK) rc = kura_past_keep(v, id, &ov, &det, 1, 0);
    if (rc == KURA_OK) rc = kura_dirty_mark(v, id);
    if (rc == KURA_OK) rc = kura_touched_plain(v, id, NULL, 0);
    free(ov.p), free(det.p);
    if (rc == KURA_OK) rc = kura_db_item_delete(v->db, id);
    if (rc == KURA_ERR_NOT_FOUND)
        kura_fail(rc, "no item with id %s", idtext);
    else if (rc != KURA_OK)
        kura_fail(rc, "%s", kura_db_error(v->db));
    return kura_vault_write_end(v, rc, id);
}

/* ---- many items in one transaction (imports) ---- */

struct kura_batch {
    kura_vault *v;
    size_t added;
    scratch sc;                              /* kura_batch_get's, kept for the next */
    unsigned char touched[KURA_BUCKETS / 8]; /* buckets checked before their first insert */
};

int kura_batch_begin(kura_vault *v, kura_batch **out)
{
    *out = NULL;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    kura_batch *b = calloc(1, sizeof *b);
    if (!b) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    rc = kura_vault_write_begin(v, NULL);
    if (rc != KURA_OK) {
        free(b);
        return rc;
    }
    b->v = v;
    *out = b;
    return KURA_OK;
}

kura_vault *kura_batch_vault(kura_batch *b)
{
    return b->v;
}

/* Checks bucket before the batch first writes to it or reads it. */
int kura_batch_touch(kura_batch *b, unsigned bucket)
{
    if (b->touched[bucket / 8] & (1u << (bucket % 8))) return KURA_OK;
    int rc = kura_state_check_bucket(b->v, bucket);
    if (rc == KURA_OK) b->touched[bucket / 8] |= (unsigned char)(1u << (bucket % 8));
    return rc;
}

/* One item into the batch under id: insert (a new id) or replace (an item already stored). */
static int batch_put(kura_batch *b, kura_item *item, const unsigned char id[KURA_ITEM_ID_BYTES],
                     int insert)
{
    kura_vault *v = b->v;

    if (!item->title || !*item->title) return kura_fail(KURA_ERR_INVALID, "an item needs a title");
    /* A bucket is checked before the batch first writes to it, so the new hash signs only
     * what was already signed plus this batch. */
    int rc = kura_batch_touch(b, kura_bucket_of(v, id));
    if (rc == KURA_OK && kura_db_format(v->db) >= 4)
        rc = kura_batch_touch(b, kura_past_bucket_of(v, id));
    if (rc == KURA_OK) rc = put_version(v, item, id, insert, 1);
    if (rc == KURA_ERR_NOT_FOUND) kura_fail(rc, "no item with id %s", item->id);
    if (rc == KURA_OK) b->added++;
    return rc;
}

int kura_batch_attach(kura_batch *b, kura_item *item, const char *name, const unsigned char *p,
                      size_t n)
{
    return kura_attach_seal(b->v, item, name, -1, p, n);
}

int kura_batch_past(kura_batch *b, const kura_item *item, const kura_item *old, int *added)
{
    *added = 0;
    kura_vault *v = b->v;
    unsigned char id[KURA_ITEM_ID_BYTES], n4[4];
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "not an item id");
    if (kura_db_format(v->db) < 4) return KURA_OK;
    int rc = kura_batch_touch(b, kura_past_bucket_of(v, id));
    if (rc == KURA_OK) rc = kura_stamp_ready(v);
    if (rc != KURA_OK) return rc;
    kura_item then = *old; /* as it was, stamped when it was current, by this device */
    int64_t t = old->updated > 0 ? old->updated : 0;
    then.stamp = KURA_STAMP_OF_SECONDS(t);
    memcpy(then.device, v->device, KURA_DEVICE_ID_BYTES);
    then.has_details = 1;
    kura_gbuf plain = kura_buf_lend(v);
    kura_blob body = {0};
    kura_past p;
    rc = kura_db_past_get(v->db, &body, id);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    if (rc == KURA_OK)
        rc = kura_past_open(&p, v, id, body.p ? &body : NULL);
    else
        memset(&p, 0, sizeof p);
    for (size_t i = 0; rc == KURA_OK && i < p.n; i++) /* there already: nothing to add */
        if (p.e[i].kind == REC_VERSION && p.e[i].stamp == then.stamp &&
            memcmp(kura_past_device(&p, &p.e[i]), then.device, KURA_DEVICE_ID_BYTES) == 0)
            rc = KURA_ERR_EXISTS;
    if (rc == KURA_OK) rc = kura_part_bytes(&plain, &then, PART_OVERVIEW);
    size_t ovlen = plain.n;
    if (rc == KURA_OK) rc = kura_part_bytes(&plain, &then, PART_DETAILS);
    if (rc == KURA_OK) {
        kura_put32(n4, (uint32_t)ovlen);
        rc = kura_past_add(&p, REC_VERSION, then.stamp, then.device, n4, 4, plain.p, plain.n);
    }
    if (rc == KURA_OK) rc = kura_past_store(v, &p, id);
    if (rc == KURA_OK) rc = kura_dirty_mark(v, id);
    if (rc == KURA_OK) *added = 1;
    kura_past_free(&p);
    kura_buf_return(v, &plain);
    free(body.p);
    return rc == KURA_ERR_EXISTS ? KURA_OK : rc;
}

int kura_batch_add(kura_batch *b, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    randombytes_buf(id, sizeof id);
    kura_hex(item->id, id, sizeof id);
    int64_t now = (int64_t)time(NULL);
    if (item->created <= 0) item->created = now;
    if (item->updated < item->created) item->updated = item->created;
    return batch_put(b, item, id, 1);
}

int kura_batch_insert(kura_batch *b, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "not an item id");
    return batch_put(b, item, id, 1);
}

int kura_batch_replace(kura_batch *b, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_fail(KURA_ERR_INVALID, "not an item id");
    item->updated = (int64_t)time(NULL);
    if (item->created <= 0 || item->created > item->updated) item->created = item->updated;
    return batch_put(b, item, id, 0);
}

int kura_batch_get(kura_batch *b, kura_item *into, const char *idtext)
{
    kura_vault *v = b->v;
    unsigned char id[KURA_ITEM_ID_BYTES];
    kura_blob ov = {0}, det = {0};
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_fail(KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    /* A bucket this batch wrote to was checked before its first write; the state signs it
     * again at commit, so it is not checked against the state meanwhile. */
    int rc = kura_batch_touch(b, kura_bucket_of(v, id));
    if (rc == KURA_OK) rc = kura_db_item_get(v->db, &ov, &det, id);
    if (rc == KURA_ERR_NOT_FOUND) return kura_fail(rc, "no item with id %s", idtext);
    if (rc != KURA_OK)
        return kura_error_detail()[0] ? rc : kura_fail(rc, "%s", kura_db_error(v->db));
    rc = fill_item(v, into, &b->sc, idtext, id, &ov, &det);
    free(ov.p);
    free(det.p);
    return rc;
}

int kura_batch_commit(kura_batch *b)
{
    kura_vault *v = b->v;
    int rc = KURA_OK;
    unsigned buckets = kura_db_bucket_rows(v->db);
    for (unsigned i = 0; rc == KURA_OK && i < buckets; i++)
        if (b->touched[i / 8] & (1u << (i % 8))) rc = kura_state_put_bucket(v, STATE_KEY(v), i);
    sodium_free(b->sc.p);
    free(b);
    return kura_vault_write_end(v, rc, NULL);
}

void kura_batch_abort(kura_batch *b)
{
    if (!b) return;
    b->v->n_dirty = 0;
    kura_db_rollback(b->v->db);
    sodium_free(b->sc.p);
    free(b);
}

int kura_item_restore(kura_vault *v, const char *idtext, size_t n)
{
    kura_history *h;
    int rc = kura_item_history(v, &h, idtext);
    if (rc != KURA_OK) return rc;
    int live = h->count > 0 && h->versions[h->count - 1].current;
    if (n < 1 || n > h->count)
        rc = kura_fail(KURA_ERR_NOT_FOUND, "item %s has no version %zu (it has %zu)", idtext, n,
                       h->count);
    else if (h->versions[n - 1].deleted)
        rc = kura_fail(KURA_ERR_INVALID, "version %zu of item %s is its deletion, not a version", n,
                       idtext);
    else if (h->versions[n - 1].current)
        rc = kura_fail(KURA_ERR_INVALID, "version %zu of item %s is already the current one", n,
                       idtext);
    if (rc == KURA_OK) {
        kura_item *it = h->versions[n - 1].item;
        it->updated = (int64_t)time(NULL);
        rc = kura_item_store(v, it, live ? 0 : 1);
    }
    kura_history_free(h);
    return rc;
}
