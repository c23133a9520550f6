/* Attachments on a remote: each in a file of its own beside the logs of the device that sent
 * it, written once, never changed (sync.h). A log names an attachment with its key; the file
 * holds its chunks exactly as sealed in the vault, so sending one decrypts nothing and a reader
 * checks every chunk under the key before it keeps any. A file that has not arrived yet (a
 * folder engine brings files in any order) is remembered in the sealed record "wanted" and
 * fetched by a later sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

#define WANTED "wanted"
#define ENTRY (KURA_ITEM_ID_BYTES + ATTACH_HEAD) /* item id || the attachment record's head */

void kura_files_free(remote_files *f)
{
    free(f->f);
    memset(f, 0, sizeof *f);
}

static int att_name(const char *name, unsigned char id[KURA_ATTACHMENT_ID_BYTES])
{
    return strlen(name) == 2 * KURA_ATTACHMENT_ID_BYTES + 4 &&
           strcmp(name + 2 * KURA_ATTACHMENT_ID_BYTES, ".att") == 0 &&
           strspn(name, "0123456789abcdef") == 2 * KURA_ATTACHMENT_ID_BYTES &&
           sodium_hex2bin(id, KURA_ATTACHMENT_ID_BYTES, name, 2 * KURA_ATTACHMENT_ID_BYTES, NULL,
                          NULL, NULL) == 0;
}

static int by_id(const void *a, const void *b)
{
    return memcmp(a, b, KURA_ATTACHMENT_ID_BYTES);
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int kura_files_list(remote *r, const char *vdir, remote_files *out)
{
    char **devs = NULL;
    size_t n_devs = 0;
    memset(out, 0, sizeof *out);
    int rc = r->ops->list(r, vdir, &devs, &n_devs);
    for (size_t i = 0; rc == KURA_OK && i < n_devs; i++) {
        if (strlen(devs[i]) != 32 || strspn(devs[i], "0123456789abcdef") != 32) continue;
        char dir[128], **names = NULL;
        size_t n = 0;
        snprintf(dir, sizeof dir, "%s/%s", vdir, devs[i]);
        rc = r->ops->list(r, dir, &names, &n);
        for (size_t k = 0; rc == KURA_OK && k < n; k++) {
            unsigned char id[KURA_ATTACHMENT_ID_BYTES];
            if (!att_name(names[k], id)) continue;
            if (kura_grow(&out->f, &out->cap, out->n, sizeof *out->f) != KURA_OK) {
                rc = KURA_ERR_NOMEM;
                break;
            }
            memcpy(out->f[out->n].id, id, sizeof id);
            memcpy(out->f[out->n].dev, devs[i], 33);
            out->n++;
        }
        free_list(names, n);
    }
    free_list(devs, n_devs);
    if (rc == KURA_OK && out->n) qsort(out->f, out->n, sizeof *out->f, by_id); /* id first */
    if (rc != KURA_OK) kura_files_free(out);
    return rc;
}

/* The folder that holds attachment id's file, or NULL. */
static const char *where(const remote_files *f, const unsigned char *id)
{
    const struct remote_file *hit = f->n ? bsearch(id, f->f, f->n, sizeof *f->f, by_id) : NULL;
    return hit ? hit->dev : NULL;
}

/* ---- sending ---- */

typedef struct ids16 {
    unsigned char (*p)[KURA_ATTACHMENT_ID_BYTES];
    size_t n, cap;
} ids16;

static int first_chunks(void *ctx, const kura_row *r)
{
    ids16 *l = ctx;
    static const unsigned char zero[4];
    if (r->keylen != KURA_BLOB_KEY_BYTES || memcmp((const unsigned char *)r->key + 16, zero, 4))
        return KURA_OK;
    if (kura_grow(&l->p, &l->cap, l->n, sizeof *l->p) != KURA_OK) return KURA_ERR_NOMEM;
    memcpy(l->p[l->n++], r->key, KURA_ATTACHMENT_ID_BYTES);
    return KURA_OK;
}

int kura_files_push(kura_vault *v, remote *r, const char *vdir, const char *dev,
                    const remote_files *have, size_t *sent)
{
    ids16 here = {0};
    *sent = 0;
    int rc = kura_db_begin_read(v->db);
    if (rc == KURA_OK) {
        rc = kura_db_blob_keys(v->db, first_chunks, &here);
        kura_db_rollback(v->db);
    }
    for (size_t i = 0; rc == KURA_OK && i < here.n; i++) {
        if (where(have, here.p[i])) continue;
        char path[160], hex[2 * KURA_ATTACHMENT_ID_BYTES + 1];
        kura_blob f = {0};
        kura_hex(hex, here.p[i], KURA_ATTACHMENT_ID_BYTES);
        snprintf(path, sizeof path, "%s/%s/%s.att", vdir, dev, hex);
        rc = kura_db_begin_read(v->db);
        if (rc == KURA_OK) {
            rc = kura_attachment_pack(v, here.p[i], &f);
            kura_db_rollback(v->db);
        }
        if (rc == KURA_ERR_NOT_FOUND) { /* gone since it was listed */
            rc = KURA_OK;
            continue;
        }
        if (rc == KURA_OK) rc = r->ops->write(r, path, f.p, f.n);
        if (rc == KURA_OK) ++*sent;
        free(f.p);
    }
    free(here.p);
    return rc == KURA_OK || kura_error_detail()[0] ? rc : kura_fail(rc, "%s", kura_db_error(v->db));
}

/* ---- fetching ---- */

typedef struct wanted {
    kura_gbuf e; /* entries of ENTRY bytes (keys: guarded) */
    const unsigned char *item;
} wanted;

static void want(void *ctx, const unsigned char *rec)
{
    wanted *w = ctx;
    kura_gbuf_add(&w->e, w->item, KURA_ITEM_ID_BYTES);
    kura_gbuf_add(&w->e, rec, ATTACH_HEAD);
}

static int by_att(const void *a, const void *b)
{
    return memcmp((const unsigned char *)a + KURA_ITEM_ID_BYTES,
                  (const unsigned char *)b + KURA_ITEM_ID_BYTES, KURA_ATTACHMENT_ID_BYTES);
}

int kura_files_pull(kura_vault *v, remote *r, const char *vdir, const remote_files *have,
                    const sync_slice *in, size_t n, size_t *got, size_t *waiting)
{
    wanted w = {kura_buf_lend(v), NULL};
    *got = *waiting = 0;
    int rc = kura_record_get(v, WANTED, &w.e), had = rc == KURA_OK;
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    if (rc == KURA_OK && w.e.n % ENTRY) rc = KURA_ERR_CORRUPT;
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        w.item = in[i].item;
        kura_record_attachments(in[i].rec, in[i].len, want, &w);
    }
    if (rc == KURA_OK && w.e.failed) rc = KURA_ERR_NOMEM;
    size_t count = rc == KURA_OK ? w.e.n / ENTRY : 0, kept = 0;
    if (count) qsort(w.e.p, count, ENTRY, by_att);
    for (size_t i = 0; rc == KURA_OK && i < count; i++) {
        unsigned char *e = w.e.p + i * ENTRY;
        kura_attachment a;
        kura_attachment_parse(&a, e + KURA_ITEM_ID_BYTES);
        a.name = "";
        int twice = kept && by_att(w.e.p + (kept - 1) * ENTRY, e) == 0;
        const char *dev = where(have, a.id);
        if (twice || kura_attachment_here(v, a.id)) {
            /* had already */
        } else if (dev) {
            char path[160], hex[2 * KURA_ATTACHMENT_ID_BYTES + 1];
            kura_blob f = {0};
            kura_hex(hex, a.id, KURA_ATTACHMENT_ID_BYTES);
            snprintf(path, sizeof path, "%s/%s/%s.att", vdir, dev, hex);
            rc = r->ops->read(r, path, &f);
            if (rc == KURA_OK) rc = kura_attachment_unpack(v, &a, f.p, f.n);
            free(f.p);
            if (rc == KURA_ERR_TAMPERED)
                kura_fail(rc,
                          "the attachment file %s/%s.att on the remote does not match what "
                          "the logs say of it (changed, cut or swapped); nothing was changed here",
                          dev, hex);
            if (rc == KURA_ERR_NOT_FOUND) { /* listed, then gone: the next sync */
                rc = KURA_OK;
                memmove(w.e.p + kept++ * ENTRY, e, ENTRY);
                ++*waiting;
            } else if (rc == KURA_OK) {
                ++*got;
            }
        } else if (kura_attachment_named(v, e, a.id)) {
            memmove(w.e.p + kept++ * ENTRY, e, ENTRY);
            ++*waiting;
        }
        sodium_memzero(&a, sizeof a);
    }
    if (rc == KURA_OK && kept)
        rc = kura_record_put(v, WANTED, w.e.p, kept * ENTRY);
    else if (rc == KURA_OK && had)
        rc = kura_db_meta_delete(v->db, WANTED);
    kura_buf_return(v, &w.e);
    return rc;
}
