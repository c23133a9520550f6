/* Salvage: every item of a damaged vault that still decrypts, into a new file. The new file is
 * the same vault (its id, vault key and client key), so kits, sessions and device slots keep
 * working with it; its chain starts afresh above any generation this device saw. Items are
 * read around the damage (kura_db_items_around_damage) and each is taken only if both its
 * parts open under the vault key: salvage never writes wrong data, only less of it. */
#include <stdlib.h>
#include <string.h>

#include "item_int.h"
#include "open.h"

typedef struct salvage {
    kura_vault *from;
    kura_batch *to;
    kura_item *item;
    kura_salvage_report *r;
    kura_salvage_lost_fn lost;
    void *ctx;
    kura_att_set files; /* the attachments the saved items and histories name */
} salvage;

/* Each attachment's chunks, checked whole under its key, copied into the new file (the same
 * vault: the same AD opens them there); one that does not read whole is counted lost. */
static int take_files(salvage *s)
{
    kura_vault *nv = kura_batch_vault(s->to);
    if (s->files.failed) return KURA_ERR_NOMEM;
    int rc = KURA_OK;
    for (size_t i = 0; rc == KURA_OK && i < s->files.n; i++) {
        const kura_attachment *a = &s->files.e[i].a;
        kura_blob f = {0};
        int got = kura_attachment_pack(s->from, a->id, &f);
        if (got == KURA_OK) got = kura_attachment_unpack(nv, a, f.p, f.n);
        free(f.p);
        if (got == KURA_OK)
            s->r->files++;
        else if (got == KURA_ERR_NOMEM)
            rc = got;
        else if (got == KURA_ERR_TAMPERED || got == KURA_ERR_CORRUPT || got == KURA_ERR_NOT_FOUND)
            s->r->files_lost++;
        else
            rc = got; /* the new file cannot be written */
    }
    return rc;
}

static int take(void *ctx, const kura_row *row)
{
    salvage *s = ctx;
    int rc = kura_item_from_row(s->from, s->item, row);
    if (rc == KURA_ERR_CORRUPT) { /* this item is lost; the rest goes on */
        s->r->lost++;
        if (s->lost) s->lost(s->ctx, s->item->id[0] ? s->item->id : "");
        return KURA_OK;
    }
    if (rc == KURA_OK) rc = kura_batch_insert(s->to, s->item);
    if (rc == KURA_OK) s->r->saved++;
    for (size_t i = 0; rc == KURA_OK && i < s->item->n_attachments; i++)
        rc = kura_att_set_add(&s->files, s->item->id, &s->item->attachments[i]);
    return rc;
}

static int past_id(void *ctx, const kura_row *r)
{
    return r->keylen == KURA_ITEM_ID_BYTES ? kura_ids_add(ctx, r->key, r->keylen) : KURA_OK;
}

/* Each item's history (format 4), its sealed body copied as it is once it opens: the new file
 * is the same vault, so the same key and AD open it there. A history that does not open, or a
 * past table SQLite cannot read, is counted lost; the items are saved all the same. */
static int take_histories(salvage *s)
{
    kura_vault *v = s->from, *nv = kura_batch_vault(s->to);
    if (kura_db_format(v->db) < 4) return KURA_OK;
    ids list = {0};
    if (kura_db_past_ids(v->db, past_id, &list) != KURA_OK) {
        s->r->histories_lost++;
        free(list.p);
        return KURA_OK;
    }
    int rc = KURA_OK;
    for (size_t i = 0; rc == KURA_OK && i < list.n; i++) {
        const unsigned char *id = list.p + i * KURA_ITEM_ID_BYTES;
        kura_blob body = {0};
        int got = kura_db_past_get(v->db, &body, id);
        if (got == KURA_OK) {
            kura_past p;
            got = kura_past_open(&p, v, id, &body);
            kura_hex(s->files.current, id, KURA_ITEM_ID_BYTES);
            if (got == KURA_OK) kura_past_attachments(&p, kura_att_set_add_record, &s->files);
            kura_past_free(&p);
        }
        if (got == KURA_OK) {
            rc = kura_batch_touch(s->to, kura_past_bucket_of(nv, id));
            if (rc == KURA_OK) rc = kura_db_past_put(nv->db, id, &body);
            if (rc == KURA_OK) s->r->histories++;
        } else if (got == KURA_ERR_NOMEM) {
            rc = got;
        } else {
            s->r->histories_lost++;
        }
        free(body.p);
    }
    free(list.p);
    return rc;
}

/* The generation the damaged file's state names, if it can still be read. */
static uint64_t file_gen(kura_vault *v)
{
    kura_blob b;
    uint64_t gen = 0;
    if (kura_meta_get(v, &b, KURA_META_STATE) == KURA_OK && b.n >= 8) gen = kura_get64(b.p);
    free(b.p);
    return gen;
}

int kura_vault_salvage(kura_vault *v, const char *to, kura_salvage_report *r,
                       kura_salvage_lost_fn lost, void *ctx)
{
    kura_vault *nv = NULL;
    memset(r, 0, sizeof *r);
    if (!v->keys) return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
    if (!v->client_key)
        return kura_fail(KURA_ERR_LOCKED,
                         "the vault's own record is damaged, so its client key is not in "
                         "it: unlock with the client key (or a kit) to salvage");
    uint64_t gen = file_gen(v), seen = kura_state_seen_gen(v);
    gen = (gen > seen ? gen : seen) + 1;
    int rc = kura_vault_make(&nv, to, v->id, VK(v), v->client_key, v->name, gen, 1);
    if (rc != KURA_OK) {
        kura_fail_in(rc, "cannot make %s", to);
        kura_vault_close(nv);
        return rc;
    }
    salvage s = {.from = v, .item = kura_item_new(), .r = r, .lost = lost, .ctx = ctx};
    rc = s.item ? kura_batch_begin(nv, &s.to) : KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        rc = kura_db_items_around_damage(v->db, take, &s, &r->unreadable);
        if (rc == KURA_OK) rc = take_histories(&s);
        if (rc == KURA_OK) rc = take_files(&s);
        if (rc == KURA_OK)
            rc = kura_batch_commit(s.to);
        else
            kura_batch_abort(s.to);
    }
    kura_item_free(s.item);
    kura_att_set_free(&s.files);
    if (rc != KURA_OK) {
        kura_fail_in(rc, "cannot write %s", to);
        kura_vault_close(nv);
        (void)kura_shred(to);
        return rc;
    }
    kura_vault_close(nv);
    return KURA_OK;
}
