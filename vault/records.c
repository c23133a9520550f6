/* Records sealed under the item key in the vault's meta table (the remotes, what this device
 * knows of the others): what a device keeps about sync is signed with the rest of the file and
 * readable only unlocked. A rotation re-seals them with the items. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "item_int.h"

#define RECORD_PAD 64

/* The sealed records: "remotes", "keys" (keygen.c), "wanted" (sync_files.c), and
 * "peers.<remote>" for each remote;
 * "oldkeys" (below) is re-sealed by kura_old_keys_add. */
static int sealed(const char *name)
{
    return strcmp(name, "remotes") == 0 || strcmp(name, "keys") == 0 ||
           strcmp(name, "wanted") == 0 || strncmp(name, "peers.", 6) == 0;
}

#define REC_OLD_KEYS "oldkeys"

typedef struct names {
    char **p;
    size_t n, cap;
} names;

static int collect_name(void *ctx, const kura_row *r)
{
    names *l = ctx;
    if (r->table != 'm' || r->keylen > 200) return KURA_OK;
    char key[201];
    memcpy(key, r->key, r->keylen);
    key[r->keylen] = '\0';
    if (!sealed(key)) return KURA_OK;
    if (kura_grow(&l->p, &l->cap, l->n, sizeof *l->p) != KURA_OK) return KURA_ERR_NOMEM;
    if (!(l->p[l->n] = strdup(key))) return KURA_ERR_NOMEM;
    l->n++;
    return KURA_OK;
}

static void record_ad(unsigned char ad[KURA_AD_BYTES], const kura_vault *v, const char *name)
{
    unsigned char id[KURA_ITEM_ID_BYTES]; /* the record's name, hashed: a record cannot be
                                           * moved to another name */
    crypto_generichash(id, sizeof id, (const unsigned char *)name, strlen(name), NULL, 0);
    kura_item_ad(ad, v->id, id, 'r');
}

static int seal_record(kura_blob *out, const kura_vault *v, const unsigned char *key,
                       const char *name, const unsigned char *p, size_t n)
{
    unsigned char ad[KURA_AD_BYTES];
    kura_gbuf pt = {0};
    size_t padded;
    kura_gbuf_add(&pt, p, n);
    kura_gbuf_add(&pt, NULL, RECORD_PAD);
    int rc = pt.failed ? KURA_ERR_NOMEM : KURA_OK;
    if (rc == KURA_OK && sodium_pad(&padded, pt.p, n, RECORD_PAD, pt.n) != 0) rc = KURA_ERR_NOMEM;
    out->n = rc == KURA_OK ? padded + KURA_NONCEBYTES + KURA_MACBYTES : 0;
    if (rc == KURA_OK && !(out->p = malloc(out->n))) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        record_ad(ad, v, name);
        kura_seal(out->p, pt.p, padded, ad, sizeof ad, NULL, key);
    }
    kura_gbuf_free(&pt);
    return rc;
}

int kura_record_get(kura_vault *v, const char *name, kura_gbuf *out)
{
    unsigned char ad[KURA_AD_BYTES];
    kura_blob b;
    int rc = kura_meta_find(v, &b, name);
    if (rc != KURA_OK) return rc;
    size_t len = b.n >= KURA_NONCEBYTES + KURA_MACBYTES ? b.n - KURA_NONCEBYTES - KURA_MACBYTES : 0;
    size_t at = out->n;
    rc = len ? kura_gbuf_add(out, NULL, len) : KURA_ERR_CORRUPT;
    if (rc == KURA_OK) {
        record_ad(ad, v, name);
        rc = kura_open(out->p + at, b.p, b.n, ad, sizeof ad, ITEM_KEY(v));
    }
    if (rc == KURA_OK && sodium_unpad(&len, out->p + at, len, RECORD_PAD) != 0)
        rc = KURA_ERR_CORRUPT;
    out->n = rc == KURA_OK ? at + len : at;
    free(b.p);
    return rc;
}

int kura_record_put(kura_vault *v, const char *name, const unsigned char *p, size_t n)
{
    return kura_record_put_under(v, ITEM_KEY(v), name, p, n);
}

int kura_record_put_under(kura_vault *v, const unsigned char *item_key, const char *name,
                          const unsigned char *p, size_t n)
{
    kura_blob b = {0};
    int rc = seal_record(&b, v, item_key, name, p, n);
    if (rc == KURA_OK) rc = kura_meta_put(v, name, b.p, b.n);
    free(b.p);
    return rc;
}

int kura_records_rekey(kura_vault *v, const unsigned char *new_item_key)
{
    names l = {0};
    int rc = kura_db_root_rows(v->db, collect_name, &l);
    for (size_t i = 0; rc == KURA_OK && i < l.n; i++) {
        kura_gbuf pt = {0};
        kura_blob b = {0};
        rc = kura_record_get(v, l.p[i], &pt);
        if (rc == KURA_OK) rc = seal_record(&b, v, new_item_key, l.p[i], pt.p, pt.n);
        if (rc == KURA_OK) rc = kura_meta_put(v, l.p[i], b.p, b.n);
        free(b.p);
        kura_gbuf_free(&pt);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.p[i]);
    free(l.p);
    return rc;
}

int kura_old_keys_add(kura_vault *v, const unsigned char *new_item_key)
{
    kura_gbuf pt = {0};
    kura_blob b = {0};
    unsigned char entry[KURA_KEYBYTES + 8];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int rc = kura_record_get(v, REC_OLD_KEYS, &pt);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    memcpy(entry, VK(v), KURA_KEYBYTES);
    kura_put64(entry + KURA_KEYBYTES,
               (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
    if (rc == KURA_OK) rc = kura_gbuf_add(&pt, entry, sizeof entry);
    /* The other records first (under the new key), then this one. */
    if (rc == KURA_OK) rc = kura_records_rekey(v, new_item_key);
    if (rc == KURA_OK) rc = seal_record(&b, v, new_item_key, REC_OLD_KEYS, pt.p, pt.n);
    if (rc == KURA_OK) rc = kura_meta_put(v, REC_OLD_KEYS, b.p, b.n);
    sodium_memzero(entry, sizeof entry);
    free(b.p);
    kura_gbuf_free(&pt);
    return rc;
}

int kura_old_keys(kura_vault *v, kura_gbuf *out)
{
    int rc = kura_record_get(v, REC_OLD_KEYS, out);
    if (rc == KURA_OK && out->n % (KURA_KEYBYTES + 8)) rc = KURA_ERR_CORRUPT;
    return rc;
}
