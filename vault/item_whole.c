/* The whole vault at once: a check of every part of every item, every item for an export,
 * re-sealing every part under a new key (rotation), and the format 1 upgrade. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

/* ---- a whole check: the file, the state, every part of every item ---- */

typedef struct verifier {
    kura_vault *v;
    kura_item *item;
    scratch sc;
    size_t count, damaged;
    char first[KURA_ITEM_ID_TEXT + 1]; /* the first item that does not decrypt */
} verifier;

static int verify_row(void *ctx, const kura_row *r)
{
    verifier *w = ctx;
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    kura_item_clear(w->item);
    w->count++;
    int rc =
        kura_part_open(w->item, w->item->arena, &w->sc, w->v, r->key, r->a, r->alen, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc = kura_part_open(w->item, w->item->arena, &w->sc, w->v, r->key, r->b, r->blen,
                            PART_DETAILS);
    if (rc == KURA_OK && r->name) { /* the title index tag matches the title */
        unsigned char name[KURA_NAME_BYTES];
        kura_name_tag(name, NAME_KEY(w->v), w->item->title);
        if (sodium_memcmp(name, r->name, KURA_NAME_BYTES) != 0) rc = KURA_ERR_CORRUPT;
    }
    if (rc == KURA_ERR_CORRUPT) {
        if (w->damaged++ == 0) kura_hex(w->first, r->key, KURA_ITEM_ID_BYTES);
        return KURA_OK;
    }
    return rc;
}

int kura_vault_verify(kura_vault *v, size_t *items)
{
    verifier w = {.v = v};
    *items = 0;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    rc = kura_db_check_file(v->db);
    if (rc != KURA_OK) return kura_fail(rc, "%s", kura_db_error(v->db));
    if (!(w.item = kura_item_new())) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    rc = kura_vault_read_begin(v, 1);
    if (rc == KURA_OK) {
        rc = kura_db_all_items(v->db, verify_row, &w);
        kura_vault_read_end(v);
        if (rc != KURA_OK && !kura_error_detail()[0]) kura_fail(rc, "%s", kura_db_error(v->db));
    }
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    *items = w.count;
    if (rc == KURA_OK && w.damaged)
        return kura_fail(KURA_ERR_CORRUPT, "%zu of %zu items do not decrypt (the first: %s)",
                         w.damaged, w.count, w.first);
    return rc;
}

/* ---- every item, whole (an export) ---- */

typedef struct whole {
    kura_vault *v;
    kura_item *item;
    scratch sc;
    kura_item_fn fn;
    void *ctx;
    size_t skipped; /* read as it is: items that do not decrypt */
} whole;

static int whole_row(void *ctx, const kura_row *r)
{
    whole *w = ctx;
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    kura_item_clear(w->item);
    kura_hex(w->item->id, r->key, KURA_ITEM_ID_BYTES);
    int rc =
        kura_part_open(w->item, w->item->arena, &w->sc, w->v, r->key, r->a, r->alen, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc = kura_part_open(w->item, w->item->arena, &w->sc, w->v, r->key, r->b, r->blen,
                            PART_DETAILS);
    if (rc == KURA_ERR_CORRUPT && w->v->as_is) { /* read as it is: skipped and counted */
        w->skipped++;
        return KURA_OK;
    }
    if (rc == KURA_ERR_CORRUPT) return kura_fail(rc, "item %s does not decrypt", w->item->id);
    return rc == KURA_OK ? w->fn(w->ctx, w->item) : rc;
}

int kura_item_each_whole(kura_vault *v, kura_item_fn fn, void *ctx)
{
    whole w = {.v = v, .fn = fn, .ctx = ctx};
    v->unreadable = 0;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!(w.item = kura_item_new())) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    kura_detail_clear();
    rc = kura_vault_read_begin(v, 0);
    if (rc == KURA_OK) {
        rc = kura_state_check_all_rows(v, whole_row, &w);
        kura_vault_read_end(v);
        if (rc != KURA_OK && !kura_error_detail()[0]) kura_fail(rc, "%s", kura_db_error(v->db));
    }
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    if (rc == KURA_OK && (w.skipped || v->unreadable))
        return kura_fail(KURA_ERR_CORRUPT,
                         "%zu item%s of vault %s %s not decrypt and %zu stretch%s of the "
                         "file cannot be read",
                         w.skipped, w.skipped == 1 ? "" : "s", v->id_text,
                         w.skipped == 1 ? "does" : "do", v->unreadable,
                         v->unreadable == 1 ? "" : "es");
    return rc;
}

/* ---- rotation: every part re-sealed under a new key, plaintexts never parsed ---- */

static int collect_id(void *ctx, const unsigned char *id, size_t idlen, const unsigned char *ov,
                      size_t ovlen)
{
    (void)ov, (void)ovlen;
    return kura_ids_add(ctx, id, idlen);
}

static int collect_past_id(void *ctx, const kura_row *r)
{
    return kura_ids_add(ctx, r->key, r->keylen);
}

static int reseal(kura_blob *out, const kura_blob *in, scratch *sc, const kura_vault *v,
                  const unsigned char *id, char part, const unsigned char *new_key)
{
    unsigned char ad[KURA_AD_BYTES];
    if (in->n < KURA_NONCEBYTES + KURA_MACBYTES) return KURA_ERR_CORRUPT;
    size_t len = in->n - KURA_NONCEBYTES - KURA_MACBYTES;
    if (kura_reserve(&sc->p, &sc->cap, len, 4096) != KURA_OK) return KURA_ERR_NOMEM;
    kura_item_ad(ad, v->id, id, part);
    int rc = kura_open(sc->p, in->p, in->n, ad, sizeof ad, ITEM_KEY(v));
    if (rc == KURA_OK) {
        out->n = in->n;
        out->p = malloc(out->n);
        if (!out->p)
            rc = KURA_ERR_NOMEM;
        else
            kura_seal(out->p, sc->p, len, ad, sizeof ad, NULL, new_key);
    }
    sodium_memzero(sc->p, len);
    return rc;
}

int kura_items_rekey(kura_vault *v, const unsigned char *new_item_key,
                     const unsigned char *new_name_key, size_t *count)
{
    ids list = {0};
    scratch sc = {0};
    kura_item *title = kura_item_new(); /* each overview's title, for its new index tag */
    int rc = title ? kura_db_item_each(v->db, collect_id, &list) : KURA_ERR_NOMEM;
    for (size_t i = 0; rc == KURA_OK && i < list.n; i++) {
        const unsigned char *id = list.p + i * KURA_ITEM_ID_BYTES;
        kura_blob ov, det, ov2 = {0}, det2 = {0};
        unsigned char name[KURA_NAME_BYTES];
        rc = kura_db_item_get(v->db, &ov, &det, id);
        if (rc != KURA_OK) break;
        rc = reseal(&ov2, &ov, &sc, v, id, PART_OVERVIEW, new_item_key);
        if (rc == KURA_OK) rc = reseal(&det2, &det, &sc, v, id, PART_DETAILS, new_item_key);
        if (rc == KURA_OK) {
            kura_item_clear(title);
            rc = kura_part_open(title, title->arena, &sc, v, id, ov.p, ov.n, PART_OVERVIEW);
        }
        if (rc == KURA_OK) kura_name_tag(name, new_name_key, title->title);
        if (rc == KURA_OK) rc = kura_db_item_put(v->db, id, &ov2, &det2, name, 0);
        if (rc == KURA_ERR_CORRUPT) {
            char hex[KURA_ITEM_ID_TEXT + 1];
            kura_hex(hex, id, KURA_ITEM_ID_BYTES);
            kura_fail(rc, "item %s does not decrypt", hex);
        }
        free(ov.p), free(det.p), free(ov2.p), free(det2.p);
    }
    *count = list.n;
    /* Past rows (format 4): their one part re-sealed, never parsed. */
    list.n = 0;
    if (rc == KURA_OK) rc = kura_db_past_ids(v->db, collect_past_id, &list);
    for (size_t i = 0; rc == KURA_OK && i < list.n; i++) {
        const unsigned char *id = list.p + i * KURA_ITEM_ID_BYTES;
        kura_blob body, body2 = {0};
        rc = kura_db_past_get(v->db, &body, id);
        if (rc != KURA_OK) break;
        rc = reseal(&body2, &body, &sc, v, id, PART_PAST, new_item_key);
        if (rc == KURA_OK) rc = kura_db_past_put(v->db, id, &body2);
        if (rc == KURA_ERR_CORRUPT) {
            char hex[KURA_ITEM_ID_TEXT + 1];
            kura_hex(hex, id, KURA_ITEM_ID_BYTES);
            kura_fail(rc, "the history of item %s does not decrypt", hex);
        }
        free(body.p), free(body2.p);
    }
    free(list.p);
    sodium_free(sc.p);
    kura_item_free(title);
    return rc;
}

/* ---- format 1 to 2: the title index ---- */

typedef struct namer {
    kura_vault *v;
    kura_item *item;
    scratch sc;
    ids list;
} namer;

int kura_items_upgrade(kura_vault *v)
{
    namer w = {.v = v};
    /* Every bucket is checked under format 1 before anything is re-hashed under format 2,
     * so the upgrade signs only what was signed. */
    int rc = kura_state_check_all(v);
    if (rc == KURA_OK && !(w.item = kura_item_new())) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) rc = kura_db_item_each(v->db, collect_id, &w.list);
    if (rc == KURA_OK) rc = kura_db_upgrade(v->db);
    for (size_t i = 0; rc == KURA_OK && i < w.list.n; i++) {
        const unsigned char *id = w.list.p + i * KURA_ITEM_ID_BYTES;
        kura_blob ov, det;
        unsigned char name[KURA_NAME_BYTES];
        rc = kura_db_item_get(v->db, &ov, &det, id);
        if (rc != KURA_OK) break;
        kura_item_clear(w.item);
        rc = kura_part_open(w.item, w.item->arena, &w.sc, v, id, ov.p, ov.n, PART_OVERVIEW);
        free(ov.p), free(det.p);
        if (rc == KURA_OK) {
            kura_name_tag(name, NAME_KEY(v), w.item->title);
            rc = kura_db_set_name(v->db, id, name);
        }
    }
    if (rc == KURA_OK) rc = kura_state_rebuild(v, STATE_KEY(v));
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    free(w.list.p);
    if (rc != KURA_OK && !kura_error_detail()[0])
        kura_fail(rc, "cannot upgrade vault %s to format 2: %s", v->id_text,
                  rc == KURA_ERR_CORRUPT ? "an item does not decrypt" : kura_db_error(v->db));
    return rc;
}

/* ---- kura check: every attachment of every item ---- */

static int list_files(void *ctx, const kura_item *item)
{
    for (size_t i = 0; i < item->n_attachments; i++)
        if (kura_att_set_add(ctx, item->id, &item->attachments[i]) != KURA_OK)
            return KURA_ERR_NOMEM;
    return KURA_OK;
}

/* The attachments the versions in the histories name, after the items' own. */
typedef struct past_files {
    kura_vault *v;
    kura_att_set *set;
} past_files;

static int list_past(void *ctx, const kura_row *r)
{
    past_files *pf = ctx;
    kura_blob body = {(unsigned char *)r->a, r->alen};
    kura_past p;
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    int rc = kura_past_open(&p, pf->v, r->key, &body);
    kura_hex(pf->set->current, r->key, KURA_ITEM_ID_BYTES);
    if (rc == KURA_OK) kura_past_attachments(&p, kura_att_set_add_record, pf->set);
    if (rc == KURA_OK && pf->set->failed) rc = KURA_ERR_NOMEM;
    kura_past_free(&p);
    if (rc == KURA_ERR_CORRUPT)
        return kura_fail(rc, "the history of item %s does not decrypt", pf->set->current);
    return rc;
}

int kura_vault_verify_files(kura_vault *v, size_t *files, uint64_t *bytes)
{
    kura_att_set set = {0};
    *files = 0;
    *bytes = 0;
    int rc = kura_item_each_whole(v, list_files, &set);
    if (rc == KURA_OK) rc = kura_vault_read_begin(v, 0);
    if (rc == KURA_OK) {
        past_files pf = {v, &set};
        rc = kura_db_all_past(v->db, list_past, &pf);
        kura_vault_read_end(v);
    }
    for (size_t i = 0; rc == KURA_OK && i < set.n; i++) {
        rc = kura_attachment_check(v, &set.e[i].a);
        if (rc != KURA_OK)
            kura_fail_in(rc, "item %.8s", set.e[i].item);
        else
            ++*files, *bytes += set.e[i].a.size;
    }
    kura_att_set_free(&set);
    return rc;
}
