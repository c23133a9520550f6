/* An item's two parts as bytes and back: the overview (title, username, URLs, tags, times)
 * and the details (password, notes, fields), each a small tag-length-value record, padded
 * (sodium_pad) and sealed with AD = vault id, item id, part, so listing and searching never
 * decrypt a password. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

/* ---- serialization: version byte, then records tag(1) length(4, LE) bytes ---- */

typedef struct writer {
    unsigned char *p; /* NULL: only count (or hash) */
    size_t n;
    crypto_generichash_state *hash; /* set: hash the bytes instead (kura_item_digest) */
} writer;

static void put_bytes(writer *w, const void *p, size_t n)
{
    if (w->p && n) memcpy(w->p + w->n, p, n);
    if (w->hash && n) crypto_generichash_update(w->hash, p, n);
    w->n += n;
}

static void put_u32(writer *w, size_t x)
{
    unsigned char b[4];
    kura_put32(b, (uint32_t)x);
    put_bytes(w, b, 4);
}

static void put_head(writer *w, unsigned tag, size_t len)
{
    unsigned char t = (unsigned char)tag;
    put_bytes(w, &t, 1);
    put_u32(w, len);
}

static void put_str(writer *w, unsigned tag, const char *s)
{
    if (!s) return;
    put_head(w, tag, strlen(s));
    put_bytes(w, s, strlen(s));
}

static void put_time(writer *w, unsigned tag, int64_t t)
{
    unsigned char b[8];
    put_head(w, tag, 8);
    kura_put64(b, (uint64_t)t);
    put_bytes(w, b, 8);
}

static void put_field(writer *w, unsigned tag, const kura_field *f)
{
    /* hidden(1) name length(4) name value */
    unsigned char hidden = f->hidden != 0;
    size_t nlen = strlen(f->name), vlen = strlen(f->value);
    put_head(w, tag, 5 + nlen + vlen);
    put_bytes(w, &hidden, 1);
    put_u32(w, nlen);
    put_bytes(w, f->name, nlen);
    put_bytes(w, f->value, vlen);
}

static void write_part(writer *w, const kura_item *item, char part)
{
    unsigned char version = 1;
    w->n = 0;
    put_bytes(w, &version, 1);
    if (part == PART_OVERVIEW) {
        put_str(w, T_TITLE, item->title);
        put_str(w, T_USERNAME, item->username);
        for (size_t i = 0; i < item->n_urls; i++)
            put_str(w, T_URL, item->urls[i]);
        for (size_t i = 0; i < item->n_tags; i++)
            put_str(w, T_TAG, item->tags[i]);
        put_time(w, T_CREATED, item->created);
        put_time(w, T_UPDATED, item->updated);
        if (item->stamp) {
            unsigned char b[8];
            put_head(w, T_STAMP, 8 + KURA_DEVICE_ID_BYTES);
            kura_put64(b, item->stamp);
            put_bytes(w, b, 8);
            put_bytes(w, item->device, KURA_DEVICE_ID_BYTES);
        }
        if (item->type != KURA_TYPE_LOGIN) {
            unsigned char t = (unsigned char)item->type;
            put_head(w, T_TYPE, 1);
            put_bytes(w, &t, 1);
        }
        for (size_t i = 0; i < item->n_fields; i++)
            if (kura_field_in_overview(item->type, &item->fields[i]))
                put_field(w, T_OVFIELD, &item->fields[i]);
        return;
    }
    put_str(w, T_PASSWORD, item->password);
    put_str(w, T_NOTES, item->notes);
    for (size_t i = 0; i < item->n_fields; i++)
        if (!kura_field_in_overview(item->type, &item->fields[i]))
            put_field(w, T_FIELD, &item->fields[i]);
    for (size_t i = 0; i < item->n_attachments; i++) {
        const kura_attachment *a = &item->attachments[i];
        unsigned char size[8];
        kura_put64(size, a->size);
        if (w->hash) { /* a digest: what the file holds, not where its copy lives */
            put_bytes(w, size, 8);
            put_bytes(w, a->hash, sizeof a->hash);
            put_str(w, T_ATTACH, a->name);
            continue;
        }
        put_head(w, T_ATTACH, ATTACH_HEAD + strlen(a->name));
        put_bytes(w, a->id, sizeof a->id);
        put_bytes(w, a->key, sizeof a->key);
        put_bytes(w, size, 8);
        put_bytes(w, a->hash, sizeof a->hash);
        put_bytes(w, a->device, sizeof a->device);
        put_bytes(w, a->name, strlen(a->name));
    }
}

/* Guarded scratch memory of at least need bytes (and at least min): grown, never shrunk;
 * the old contents are wiped (sodium_free). */
int kura_reserve(unsigned char **p, size_t *cap, size_t need, size_t min)
{
    if (need <= *cap) return KURA_OK;
    sodium_free(*p);
    *cap = need < min ? min : need;
    if (!(*p = sodium_malloc(*cap))) {
        *cap = 0;
        return KURA_ERR_NOMEM;
    }
    return KURA_OK;
}

int kura_plain_seal(kura_blob *out, kura_vault *v, const unsigned char id[16], char part,
                    const unsigned char *plain, size_t n)
{
    size_t block = part == PART_OVERVIEW ? OV_PAD : DET_PAD, padded, cap = n + block;
    unsigned char ad[KURA_AD_BYTES];
    if (kura_reserve(&v->scratch, &v->scratch_cap, cap, 16384) != KURA_OK) return KURA_ERR_NOMEM;
    memcpy(v->scratch, plain, n);
    int rc = KURA_OK;
    if (sodium_pad(&padded, v->scratch, n, block, cap) != 0) rc = KURA_ERR_INVALID;
    out->n = padded + KURA_NONCEBYTES + KURA_MACBYTES;
    if (rc == KURA_OK && !(out->p = malloc(out->n))) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        kura_item_ad(ad, v->id, id, part);
        kura_seal(out->p, v->scratch, padded, ad, sizeof ad, NULL, ITEM_KEY(v));
    }
    sodium_memzero(v->scratch, cap);
    return rc;
}

int kura_part_seal(kura_blob *out, kura_vault *v, const kura_item *item, const unsigned char id[16],
                   char part)
{
    writer w = {NULL, 0, NULL};
    size_t block = part == PART_OVERVIEW ? OV_PAD : DET_PAD, padded;
    unsigned char ad[KURA_AD_BYTES];

    write_part(&w, item, part);
    size_t cap = w.n + block;
    /* One guarded buffer per handle, not one per seal. */
    if (kura_reserve(&v->scratch, &v->scratch_cap, cap, 16384) != KURA_OK) return KURA_ERR_NOMEM;
    w.p = v->scratch;
    write_part(&w, item, part);
    int rc = KURA_OK;
    if (sodium_pad(&padded, w.p, w.n, block, cap) != 0) rc = KURA_ERR_INVALID;
    out->n = padded + KURA_NONCEBYTES + KURA_MACBYTES;
    if (rc == KURA_OK && !(out->p = malloc(out->n))) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        kura_item_ad(ad, v->id, id, part);
        kura_seal(out->p, w.p, padded, ad, sizeof ad, NULL, ITEM_KEY(v));
    }
    sodium_memzero(v->scratch, cap);
    return rc;
}

int kura_item_digest(unsigned char out[KURA_ITEM_DIGEST_BYTES], const kura_item *item)
{
    kura_item bare = *item; /* what the item says, not when or where */
    bare.created = bare.updated = 0;
    bare.stamp = 0;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, KURA_ITEM_DIGEST_BYTES);
    writer w = {NULL, 0, &st};
    write_part(&w, &bare, PART_OVERVIEW);
    write_part(&w, &bare, PART_DETAILS);
    crypto_generichash_final(&st, out, KURA_ITEM_DIGEST_BYTES);
    sodium_memzero(&st, sizeof st);
    return KURA_OK;
}

static int take_str(const char **dst, kura_arena *a, const unsigned char *p, size_t n)
{
    if (memchr(p, 0, n)) return KURA_ERR_CORRUPT;
    char *s = kura_arena_strndup(a, (const char *)p, n);
    if (!s) return KURA_ERR_NOMEM;
    *dst = s;
    return KURA_OK;
}

/* Parses a decrypted, unpadded part into item (strings into a). */
int kura_part_parse(kura_item *item, kura_arena *a, const unsigned char *p, size_t n, char part)
{
    if (n < 1 || p[0] != 1) return KURA_ERR_CORRUPT;
    size_t off = 1;
    kura_arena *saved = item->arena;
    int rc = KURA_OK;

    item->arena = a;
    while (rc == KURA_OK && off < n) {
        if (n - off < 5) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        unsigned tag = p[off];
        size_t len = kura_get32(p + off + 1);
        off += 5;
        if (len > n - off) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        const unsigned char *d = p + off;
        const char *s = NULL;
        off += len;
        int ov = part == PART_OVERVIEW;
        switch (ov ? tag : tag | 0x100) {
        case T_TITLE:
            rc = take_str(&item->title, a, d, len);
            break;
        case T_USERNAME:
            rc = take_str(&item->username, a, d, len);
            break;
        case T_URL:
        case T_TAG:
            rc = take_str(&s, a, d, len);
            if (rc == KURA_OK)
                rc = tag == T_URL ? kura_item_add_url(item, s) : kura_item_add_tag(item, s);
            break;
        case T_CREATED:
        case T_UPDATED: {
            if (len != 8) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            uint64_t t = kura_get64(d);
            *(tag == T_CREATED ? &item->created : &item->updated) = (int64_t)t;
            break;
        }
        case T_STAMP:
            if (len != 8 + KURA_DEVICE_ID_BYTES) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            item->stamp = kura_get64(d);
            memcpy(item->device, d + 8, KURA_DEVICE_ID_BYTES);
            break;
        case T_PASSWORD | 0x100:
            rc = take_str(&item->password, a, d, len);
            break;
        case T_NOTES | 0x100:
            rc = take_str(&item->notes, a, d, len);
            break;
        case T_TYPE:
            if (len != 1 || d[0] == KURA_TYPE_LOGIN || d[0] >= KURA_N_TYPES)
                rc = KURA_ERR_CORRUPT;
            else
                rc = kura_item_set_type(item, d[0]);
            break;
        case T_OVFIELD:
        case T_FIELD | 0x100: {
            const char *name, *value;
            size_t nlen = len >= 5 ? kura_get32(d + 1) : 0;
            if (len < 5 || nlen > len - 5 || d[0] > 1 || (tag == T_OVFIELD && d[0])) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            rc = take_str(&name, a, d + 5, nlen);
            if (rc == KURA_OK) rc = take_str(&value, a, d + 5 + nlen, len - 5 - nlen);
            if (rc == KURA_OK) rc = kura_item_set_field(item, name, value, d[0]);
            break;
        }
        case T_ATTACH | 0x100: {
            kura_attachment at;
            if (len <= ATTACH_HEAD) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            memcpy(at.id, d, 16);
            memcpy(at.key, d + 16, 32);
            at.size = kura_get64(d + 48);
            memcpy(at.hash, d + 56, 32);
            memcpy(at.device, d + 88, KURA_DEVICE_ID_BYTES);
            rc = take_str(&at.name, a, d + ATTACH_HEAD, len - ATTACH_HEAD);
            if (rc == KURA_OK) rc = kura_item_put_attachment(item, &at);
            if (rc == KURA_ERR_EXISTS) rc = KURA_ERR_CORRUPT;
            sodium_memzero(&at, sizeof at);
            break;
        }
        default:
            rc = KURA_ERR_CORRUPT;
        }
        if (rc == KURA_ERR_INVALID) rc = KURA_ERR_CORRUPT;
    }
    item->arena = saved;
    return rc;
}

/* Decrypts one part into item, through a guarded scratch buffer that is wiped after. */
int kura_part_open(kura_item *item, kura_arena *a, scratch *sc, const kura_vault *v,
                   const unsigned char id[16], const unsigned char *blob, size_t n, char part)
{
    unsigned char ad[KURA_AD_BYTES];
    size_t len, block = part == PART_OVERVIEW ? OV_PAD : DET_PAD;

    if (n < KURA_NONCEBYTES + KURA_MACBYTES + block) return KURA_ERR_CORRUPT;
    len = n - KURA_NONCEBYTES - KURA_MACBYTES;
    if (kura_reserve(&sc->p, &sc->cap, len, 4096) != KURA_OK) return KURA_ERR_NOMEM;
    kura_item_ad(ad, v->id, id, part);
    int rc = kura_open(sc->p, blob, n, ad, sizeof ad, ITEM_KEY(v));
    if (rc == KURA_OK && sodium_unpad(&len, sc->p, len, block) != 0) rc = KURA_ERR_CORRUPT;
    if (rc == KURA_OK) rc = kura_part_parse(item, a, sc->p, len, part);
    if (rc == KURA_OK && sc->keep && part == PART_OVERVIEW) {
        unsigned char n32[4];
        kura_put32(n32, (uint32_t)len);
        (void)kura_gbuf_add(sc->keep, id, KURA_ITEM_ID_BYTES); /* a failure: keep.failed */
        (void)kura_gbuf_add(sc->keep, n32, 4);
        (void)kura_gbuf_add(sc->keep, sc->p, len);
    }
    sodium_memzero(sc->p, n - KURA_NONCEBYTES - KURA_MACBYTES);
    return rc;
}

int kura_part_plain(kura_gbuf *out, const kura_vault *v, const unsigned char id[16],
                    const unsigned char *blob, size_t n, char part)
{
    unsigned char ad[KURA_AD_BYTES];
    size_t len, block = part == PART_OVERVIEW ? OV_PAD : DET_PAD;
    if (n < KURA_NONCEBYTES + KURA_MACBYTES + block) return KURA_ERR_CORRUPT;
    len = n - KURA_NONCEBYTES - KURA_MACBYTES;
    size_t at = out->n;
    if (kura_gbuf_add(out, NULL, len) != KURA_OK) return KURA_ERR_NOMEM;
    kura_item_ad(ad, v->id, id, part);
    int rc = kura_open(out->p + at, blob, n, ad, sizeof ad, ITEM_KEY(v));
    if (rc == KURA_OK && sodium_unpad(&len, out->p + at, len, block) != 0) rc = KURA_ERR_CORRUPT;
    if (rc != KURA_OK) len = 0;
    sodium_memzero(out->p + at + len, out->n - at - len);
    out->n = at + len;
    return rc;
}

int kura_part_bytes(kura_gbuf *out, const kura_item *item, char part)
{
    writer w = {NULL, 0, NULL};
    write_part(&w, item, part);
    size_t at = out->n;
    if (kura_gbuf_add(out, NULL, w.n) != KURA_OK) return KURA_ERR_NOMEM;
    w.p = out->p + at;
    write_part(&w, item, part);
    return KURA_OK;
}

void kura_plain_stamp(const unsigned char *ov, size_t n, uint64_t *stamp,
                      unsigned char device[KURA_DEVICE_ID_BYTES])
{
    uint64_t updated = 0;
    *stamp = 0;
    memset(device, 0, KURA_DEVICE_ID_BYTES);
    for (size_t off = 1; off + 5 <= n;) {
        unsigned tag = ov[off];
        size_t len = kura_get32(ov + off + 1);
        off += 5;
        if (len > n - off) break;
        if (tag == T_UPDATED && len == 8) updated = kura_get64(ov + off);
        if (tag == T_STAMP && len == 8 + KURA_DEVICE_ID_BYTES) {
            *stamp = kura_get64(ov + off);
            memcpy(device, ov + off + 8, KURA_DEVICE_ID_BYTES);
            return;
        }
        off += len;
    }
    *stamp = KURA_STAMP_OF_SECONDS(updated);
}

void kura_plain_attachments(const unsigned char *det, size_t n,
                            void (*fn)(void *ctx, const unsigned char *att_id), void *ctx)
{
    for (size_t off = 1; off + 5 <= n;) {
        unsigned tag = det[off];
        size_t len = kura_get32(det + off + 1);
        off += 5;
        if (len > n - off) break;
        if (tag == T_ATTACH && len > ATTACH_HEAD) fn(ctx, det + off);
        off += len;
    }
}

void kura_record_attachments(const unsigned char *rec, size_t len,
                             void (*fn)(void *ctx, const unsigned char *att_id), void *ctx)
{
    /* tag (1) || length (4) || stamp (8) || device (16) || overview length (4) || ... */
    if (len < 5 + STAMP_BYTES + 4 || rec[0] != REC_VERSION) return;
    const unsigned char *d = rec + 5;
    size_t n = len - 5, ovlen = kura_get32(d + STAMP_BYTES);
    if (ovlen > n - STAMP_BYTES - 4) return;
    kura_plain_attachments(d + STAMP_BYTES + 4 + ovlen, n - STAMP_BYTES - 4 - ovlen, fn, ctx);
}
