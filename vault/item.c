/* Items: the model, its two encrypted parts, and the operations on them.
 * The overview (title, username, URLs, tags, times) and the details (password, notes,
 * fields) are sealed apart, so listing and searching never decrypt a password. Each part is
 * a small tag-length-value record, padded (sodium_pad), sealed with AD = vault id, item id,
 * part. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vault_int.h"

#define OV_PAD 64
#define DET_PAD 256
#define PART_OVERVIEW 'o'
#define PART_DETAILS 'd'

enum {
    T_TITLE = 1,
    T_USERNAME = 2,
    T_URL = 3,
    T_TAG = 4,
    T_CREATED = 5,
    T_UPDATED = 6,
    T_PASSWORD = 16,
    T_NOTES = 17,
    T_FIELD = 18,
};

/* ---- UTF-8 and limits ---- */

int kura_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p++;
        if (c < 0x80) {
            if (c == 0) return 0;
            continue;
        }
        size_t k;
        unsigned min;
        if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) < k) return 0;
        for (size_t i = 0; i < k; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
        p += k;
    }
    return 1;
}

/* Single-line texts (titles, usernames, URLs, tags, field names) also refuse control
 * characters: one could drive the terminal of whoever lists the vault. */
static int check_text(const char *s, size_t max, int single_line)
{
    if (!s) return KURA_OK;
    size_t n = strnlen(s, max + 1);
    if (n > max || !kura_utf8_valid(s, n)) return KURA_ERR_INVALID;
    if (single_line)
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return KURA_ERR_INVALID;
    return KURA_OK;
}

/* ---- the item model ---- */

kura_item *kura_item_new(void)
{
    kura_item *item = calloc(1, sizeof *item);
    if (!item) return NULL;
    item->arena = kura_arena_new();
    if (!item->arena) {
        free(item);
        return NULL;
    }
    item->has_details = 1;
    return item;
}

void kura_item_clear(kura_item *item)
{
    kura_arena *a = item->arena;
    kura_arena_reset(a);
    memset(item, 0, sizeof *item);
    item->arena = a;
    item->has_details = 1;
}

void kura_item_free(kura_item *item)
{
    if (!item) return;
    kura_arena_free(item->arena);
    free(item);
}

static int dup_into(const char **dst, kura_arena *a, const char *s)
{
    if (!s) {
        *dst = NULL;
        return KURA_OK;
    }
    char *p = kura_arena_strndup(a, s, strlen(s));
    if (!p) return KURA_ERR_NOMEM;
    *dst = p;
    return KURA_OK;
}

int kura_item_set(kura_item *item, enum kura_item_text which, const char *value)
{
    const char **slot;
    size_t max = KURA_MAX_SHORT;
    int single_line = 1;
    switch (which) {
    case KURA_TITLE:
        slot = &item->title;
        break;
    case KURA_USERNAME:
        slot = &item->username;
        break;
    case KURA_PASSWORD:
        slot = &item->password;
        single_line = 0;
        break;
    case KURA_NOTES:
        slot = &item->notes;
        max = KURA_MAX_LONG;
        single_line = 0;
        break;
    default:
        return KURA_ERR_INVALID;
    }
    if (check_text(value, max, single_line) != KURA_OK) return KURA_ERR_INVALID;
    return dup_into(slot, item->arena, value);
}

static int push(const char ***list, size_t *n, kura_arena *a, const char *s)
{
    if (!s || !*s || check_text(s, KURA_MAX_SHORT, 1) != KURA_OK || *n >= KURA_MAX_LIST)
        return KURA_ERR_INVALID;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0) return KURA_OK; /* already there */
    const char **grown = kura_arena_alloc(a, (*n + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    if (*n) memcpy(grown, *list, *n * sizeof *grown);
    int rc = dup_into(&grown[*n], a, s);
    if (rc != KURA_OK) return rc;
    *list = grown;
    (*n)++;
    return KURA_OK;
}

int kura_item_add_url(kura_item *item, const char *url)
{
    return push(&item->urls, &item->n_urls, item->arena, url);
}

int kura_item_add_tag(kura_item *item, const char *tag)
{
    return push(&item->tags, &item->n_tags, item->arena, tag);
}

void kura_item_clear_urls(kura_item *item)
{
    item->n_urls = 0;
}

void kura_item_clear_tags(kura_item *item)
{
    item->n_tags = 0;
}

int kura_item_set_field(kura_item *item, const char *name, const char *value, int hidden)
{
    if (!name || !*name || check_text(name, KURA_MAX_SHORT, 1) != KURA_OK ||
        check_text(value, KURA_MAX_LONG, 0) != KURA_OK)
        return KURA_ERR_INVALID;
    for (size_t i = 0; i < item->n_fields; i++) {
        if (strcmp(item->fields[i].name, name) != 0) continue;
        if (!value) {
            memmove(&item->fields[i], &item->fields[i + 1],
                    (item->n_fields - i - 1) * sizeof item->fields[0]);
            item->n_fields--;
            return KURA_OK;
        }
        item->fields[i].hidden = hidden != 0;
        return dup_into(&item->fields[i].value, item->arena, value);
    }
    if (!value) return KURA_ERR_NOT_FOUND;
    if (item->n_fields >= KURA_MAX_LIST) return KURA_ERR_INVALID;
    kura_field *grown = kura_arena_alloc(item->arena, (item->n_fields + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    if (item->n_fields) memcpy(grown, item->fields, item->n_fields * sizeof *grown);
    kura_field *f = &grown[item->n_fields];
    f->hidden = hidden != 0;
    if (dup_into(&f->name, item->arena, name) != KURA_OK ||
        dup_into(&f->value, item->arena, value) != KURA_OK)
        return KURA_ERR_NOMEM;
    item->fields = grown;
    item->n_fields++;
    return KURA_OK;
}

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
        return;
    }
    put_str(w, T_PASSWORD, item->password);
    put_str(w, T_NOTES, item->notes);
    for (size_t i = 0; i < item->n_fields; i++) {
        /* field record: hidden(1) name length(4) name value */
        const kura_field *f = &item->fields[i];
        unsigned char hidden = f->hidden != 0;
        size_t nlen = strlen(f->name), vlen = strlen(f->value);
        put_head(w, T_FIELD, 5 + nlen + vlen);
        put_bytes(w, &hidden, 1);
        put_u32(w, nlen);
        put_bytes(w, f->name, nlen);
        put_bytes(w, f->value, vlen);
    }
}

/* Guarded scratch memory of at least need bytes (and at least min): grown, never shrunk;
 * the old contents are wiped (sodium_free). */
static int reserve(unsigned char **p, size_t *cap, size_t need, size_t min)
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

static int seal_part(kura_blob *out, kura_vault *v, const kura_item *item,
                     const unsigned char id[16], char part)
{
    writer w = {NULL, 0, NULL};
    size_t block = part == PART_OVERVIEW ? OV_PAD : DET_PAD, padded;
    unsigned char ad[KURA_AD_BYTES];

    write_part(&w, item, part);
    size_t cap = w.n + block;
    /* One guarded buffer per handle, not one per seal. */
    if (reserve(&v->scratch, &v->scratch_cap, cap, 16384) != KURA_OK) return KURA_ERR_NOMEM;
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
    kura_item bare = *item; /* what the item says, not when */
    bare.created = bare.updated = 0;
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
static int parse_part(kura_item *item, kura_arena *a, const unsigned char *p, size_t n, char part)
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
        case T_PASSWORD | 0x100:
            rc = take_str(&item->password, a, d, len);
            break;
        case T_NOTES | 0x100:
            rc = take_str(&item->notes, a, d, len);
            break;
        case T_FIELD | 0x100: {
            const char *name, *value;
            size_t nlen = len >= 5 ? kura_get32(d + 1) : 0;
            if (len < 5 || nlen > len - 5) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            rc = take_str(&name, a, d + 5, nlen);
            if (rc == KURA_OK) rc = take_str(&value, a, d + 5 + nlen, len - 5 - nlen);
            if (rc == KURA_OK) rc = kura_item_set_field(item, name, value, d[0]);
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

typedef struct scratch {
    unsigned char *p;
    size_t cap;
    kura_gbuf *keep; /* if set: each overview's plaintext is added, after its id */
} scratch;

/* Decrypts one part into item, through a guarded scratch buffer that is wiped after. */
static int open_part(kura_item *item, kura_arena *a, scratch *sc, const kura_vault *v,
                     const unsigned char id[16], const unsigned char *blob, size_t n, char part)
{
    unsigned char ad[KURA_AD_BYTES];
    size_t len, block = part == PART_OVERVIEW ? OV_PAD : DET_PAD;

    if (n < KURA_NONCEBYTES + KURA_MACBYTES + block) return KURA_ERR_CORRUPT;
    len = n - KURA_NONCEBYTES - KURA_MACBYTES;
    if (reserve(&sc->p, &sc->cap, len, 4096) != KURA_OK) return KURA_ERR_NOMEM;
    kura_item_ad(ad, v->id, id, part);
    int rc = kura_open(sc->p, blob, n, ad, sizeof ad, ITEM_KEY(v));
    if (rc == KURA_OK && sodium_unpad(&len, sc->p, len, block) != 0) rc = KURA_ERR_CORRUPT;
    if (rc == KURA_OK) rc = parse_part(item, a, sc->p, len, part);
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

/* ---- operations ---- */

static int need_unlocked(kura_vault *v)
{
    if (v->keys) return KURA_OK;
    return kura_vault_fail(v, KURA_ERR_LOCKED, "the vault is locked");
}

/* The title index tag: 16 bits of a keyed BLAKE2b (the title index key, from VK) of the
 * title with ASCII letters lowered, as lookups by title match. Short on purpose: at 100,000
 * items each tag is shared by one or two items; a lookup decrypts those few overviews. */
static void name_tag(unsigned char out[KURA_NAME_BYTES], const unsigned char *key,
                     const char *title)
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

/* Seals both parts and writes them in a transaction that checks and moves on the state. */
static int store(kura_vault *v, kura_item *item, const unsigned char id[16], int insert)
{
    kura_blob ov = {0}, det = {0};
    unsigned char name[KURA_NAME_BYTES];
    int rc = seal_part(&ov, v, item, id, PART_OVERVIEW);
    if (rc == KURA_OK) rc = seal_part(&det, v, item, id, PART_DETAILS);
    name_tag(name, NAME_KEY(v), item->title);
    if (rc == KURA_OK && (rc = kura_vault_write_begin(v, id)) == KURA_OK) {
        rc = kura_db_item_put(v->db, id, &ov, &det, name, insert);
        if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND)
            kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
        rc = kura_vault_write_end(v, rc, id);
    }
    free(ov.p);
    free(det.p);
    return rc;
}

int kura_item_add(kura_vault *v, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!item->title || !*item->title)
        return kura_vault_fail(v, KURA_ERR_INVALID, "an item needs a title");
    randombytes_buf(id, sizeof id);
    kura_hex(item->id, id, sizeof id);
    item->created = item->updated = (int64_t)time(NULL);
    return store(v, item, id, 1);
}

int kura_item_update(kura_vault *v, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!item->has_details)
        return kura_vault_fail(v, KURA_ERR_INVALID, "a listed item has no details to write");
    if (!item->title || !*item->title)
        return kura_vault_fail(v, KURA_ERR_INVALID, "an item needs a title");
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_vault_fail(v, KURA_ERR_INVALID, "not an item id");
    item->updated = (int64_t)time(NULL);
    rc = store(v, item, id, 0);
    if (rc == KURA_ERR_NOT_FOUND) kura_vault_fail(v, rc, "no item with id %s", item->id);
    return rc;
}

/* Both sealed parts of item id into item (emptied first), or why not. */
static int fill_item(kura_vault *v, kura_item *item, scratch *sc, const char *idtext,
                     const unsigned char *id, const kura_blob *ov, const kura_blob *det)
{
    kura_item_clear(item);
    memcpy(item->id, idtext, KURA_ITEM_ID_TEXT + 1);
    int rc = open_part(item, item->arena, sc, v, id, ov->p, ov->n, PART_OVERVIEW);
    if (rc == KURA_OK) rc = open_part(item, item->arena, sc, v, id, det->p, det->n, PART_DETAILS);
    if (rc == KURA_ERR_CORRUPT) kura_vault_fail(v, rc, "item %s does not decrypt", idtext);
    return rc;
}

int kura_item_from_row(kura_vault *v, kura_item *into, const kura_row *r)
{
    char idtext[KURA_ITEM_ID_TEXT + 1];
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
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_vault_fail(v, KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    /* Just this item's bucket and the state: constant time at any vault size. */
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    rc = kura_state_item_get(v, id, &ov, &det);
    kura_vault_read_end(v);
    if (rc == KURA_ERR_NOT_FOUND) return kura_vault_fail(v, rc, "no item with id %s", idtext);
    if (rc != KURA_OK) return v->err[0] ? rc : kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    rc = open_item(v, out, idtext, id, &ov, &det);
    free(ov.p);
    free(det.p);
    return rc;
}

int kura_item_delete(kura_vault *v, const char *idtext)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (kura_unhex(id, sizeof id, idtext) != KURA_OK)
        return kura_vault_fail(v, KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    rc = kura_vault_write_begin(v, id);
    if (rc != KURA_OK) return rc;
    rc = kura_db_item_delete(v->db, id);
    if (rc == KURA_ERR_NOT_FOUND)
        kura_vault_fail(v, rc, "no item with id %s", idtext);
    else if (rc != KURA_OK)
        kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
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
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    kura_batch *b = calloc(1, sizeof *b);
    if (!b) return kura_vault_fail(v, KURA_ERR_NOMEM, "out of memory");
    rc = kura_vault_write_begin(v, NULL);
    if (rc != KURA_OK) {
        free(b);
        return rc;
    }
    b->v = v;
    *out = b;
    return KURA_OK;
}

/* One item into the batch under id: insert (a new id) or replace (an item already stored). */
static int batch_put(kura_batch *b, kura_item *item, const unsigned char id[KURA_ITEM_ID_BYTES],
                     int insert)
{
    kura_vault *v = b->v;
    kura_blob ov = {0}, det = {0};

    if (!item->title || !*item->title)
        return kura_vault_fail(v, KURA_ERR_INVALID, "an item needs a title");
    /* A bucket is checked before the batch first writes to it, so the new hash signs only
     * what was already signed plus this batch. */
    unsigned bucket = kura_bucket_of(v, id);
    int rc = KURA_OK;
    if (!(b->touched[bucket / 8] & (1u << (bucket % 8)))) {
        rc = kura_state_check_bucket(v, bucket);
        if (rc == KURA_OK) b->touched[bucket / 8] |= (unsigned char)(1u << (bucket % 8));
    }
    if (rc == KURA_OK) rc = seal_part(&ov, v, item, id, PART_OVERVIEW);
    if (rc == KURA_OK) rc = seal_part(&det, v, item, id, PART_DETAILS);
    if (rc == KURA_OK) {
        unsigned char name[KURA_NAME_BYTES];
        name_tag(name, NAME_KEY(v), item->title);
        rc = kura_db_item_put(v->db, id, &ov, &det, name, insert);
        if (rc == KURA_ERR_NOT_FOUND)
            kura_vault_fail(v, rc, "no item with id %s", item->id);
        else if (rc != KURA_OK)
            kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    }
    free(ov.p);
    free(det.p);
    if (rc == KURA_OK) b->added++;
    return rc;
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
        return kura_vault_fail(b->v, KURA_ERR_INVALID, "not an item id");
    return batch_put(b, item, id, 1);
}

int kura_batch_replace(kura_batch *b, kura_item *item)
{
    unsigned char id[KURA_ITEM_ID_BYTES];
    if (kura_unhex(id, sizeof id, item->id) != KURA_OK)
        return kura_vault_fail(b->v, KURA_ERR_INVALID, "not an item id");
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
        return kura_vault_fail(v, KURA_ERR_NOT_FOUND, "no item with id %s", idtext);
    /* A bucket this batch wrote to was checked before its first write; the state signs it
     * again at commit, so it is not checked against the state meanwhile. */
    unsigned bucket = kura_bucket_of(v, id);
    int rc = KURA_OK;
    if (!(b->touched[bucket / 8] & (1u << (bucket % 8)))) {
        rc = kura_state_check_bucket(v, bucket);
        if (rc == KURA_OK) b->touched[bucket / 8] |= (unsigned char)(1u << (bucket % 8));
    }
    if (rc == KURA_OK) rc = kura_db_item_get(v->db, &ov, &det, id);
    if (rc == KURA_ERR_NOT_FOUND) return kura_vault_fail(v, rc, "no item with id %s", idtext);
    if (rc != KURA_OK) return v->err[0] ? rc : kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    rc = fill_item(v, into, &b->sc, idtext, id, &ov, &det);
    free(ov.p);
    free(det.p);
    return rc;
}

int kura_batch_commit(kura_batch *b)
{
    kura_vault *v = b->v;
    int rc = KURA_OK;
    unsigned buckets = 1u << kura_db_bucket_bits(v->db);
    for (unsigned i = 0; rc == KURA_OK && i < buckets; i++)
        if (b->touched[i / 8] & (1u << (i % 8))) rc = kura_state_put_bucket(v, STATE_KEY(v), i);
    sodium_free(b->sc.p);
    free(b);
    return kura_vault_write_end(v, rc, NULL);
}

void kura_batch_abort(kura_batch *b)
{
    if (!b) return;
    kura_db_rollback(b->v->db);
    sodium_free(b->sc.p);
    free(b);
}

/* ---- listing, searching, resolving ---- */

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ASCII case-insensitive substring: the first byte is matched before the rest is compared. */
static int ci_contains(const char *hay, const char *needle)
{
    if (!hay) return 0;
    size_t n = strlen(needle);
    if (n == 0) return 1;
    unsigned char first = lower((unsigned char)needle[0]);
    for (; *hay; hay++) {
        if (lower((unsigned char)*hay) != first) continue;
        size_t i = 1;
        while (i < n && hay[i] && lower((unsigned char)hay[i]) == lower((unsigned char)needle[i]))
            i++;
        if (i == n) return 1;
    }
    return 0;
}

static int matches(const kura_item *it, const char *q)
{
    if (!q || !*q) return 1;
    if (ci_contains(it->title, q) || ci_contains(it->username, q)) return 1;
    for (size_t i = 0; i < it->n_urls; i++)
        if (ci_contains(it->urls[i], q)) return 1;
    for (size_t i = 0; i < it->n_tags; i++)
        if (ci_contains(it->tags[i], q)) return 1;
    return 0;
}

typedef struct ids {
    unsigned char *p;
    size_t n, cap;
} ids;

/* Appends an item id to the list. */
static int ids_add(ids *l, const unsigned char *id, size_t idlen)
{
    if (idlen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        unsigned char *grown = realloc(l->p, cap * KURA_ITEM_ID_BYTES);
        if (!grown) return KURA_ERR_NOMEM;
        l->p = grown;
        l->cap = cap;
    }
    memcpy(l->p + l->n++ * KURA_ITEM_ID_BYTES, id, KURA_ITEM_ID_BYTES);
    return KURA_OK;
}

enum { BY_QUERY, BY_REF };

typedef struct walk {
    kura_vault *v;
    kura_items *list;
    size_t cap;
    scratch sc;
    int mode;
    const char *q;
    size_t prefix;           /* BY_REF: length of q if it can be an id prefix, else 0 */
    size_t titled;           /* BY_REF: how many kept items matched by title */
    const unsigned char *lq; /* from the cache: q, ASCII-lowered (NULL: list all) */
    size_t lqlen;
} walk;

static int title_is(const kura_item *it, const char *q)
{
    return it->title && strcasecmp(it->title, q) == 0;
}

/* The list's next item, empty but for its id and arena (not counted until kept); NULL when
 * out of memory. */
static kura_item *next_slot(walk *w, const unsigned char *id)
{
    kura_items *l = w->list;
    if (l->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        kura_item *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown) return NULL;
        l->items = grown;
        w->cap = cap;
    }
    kura_item *it = &l->items[l->count];
    memset(it, 0, sizeof *it);
    kura_hex(it->id, id, KURA_ITEM_ID_BYTES);
    it->arena = l->arena;
    return it;
}

static int collect(void *ctx, const unsigned char *id, size_t idlen, const unsigned char *ov,
                   size_t ovlen)
{
    walk *w = ctx;
    kura_items *l = w->list;

    if (idlen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    kura_item *it = next_slot(w, id);
    if (!it) return KURA_ERR_NOMEM;
    const char *hex = it->id;
    int rc = open_part(it, l->arena, &w->sc, w->v, id, ov, ovlen, PART_OVERVIEW);
    if (rc == KURA_ERR_CORRUPT) { /* skipped and counted: the rest still lists */
        if (l->damaged++ == 0) kura_vault_fail(w->v, rc, "item %s does not decrypt", hex);
        return KURA_OK;
    }
    if (rc != KURA_OK) return rc;
    int keep;
    if (w->mode == BY_QUERY) {
        keep = matches(it, w->q);
    } else {
        int titled = title_is(it, w->q);
        w->titled += (size_t)titled;
        keep = titled || (w->prefix && strncmp(hex, w->q, w->prefix) == 0);
    }
    if (keep) l->count++;
    return KURA_OK;
}

static int by_title(const void *a, const void *b)
{
    const kura_item *x = a, *y = b;
    int c = strcasecmp(x->title ? x->title : "", y->title ? y->title : "");
    return c ? c : strcmp(x->id, y->id);
}

/* A sort key: the title's first 16 bytes, ASCII lowered, as two big-endian numbers, so most
 * comparisons of 100,000 titles are two integer compares; a tie falls back to by_title. */
typedef struct sort_key {
    uint64_t k[2];
    kura_item *it;
} sort_key;

static int by_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->k[i] != y->k[i]) return x->k[i] < y->k[i] ? -1 : 1;
    return by_title(x->it, y->it);
}

/* Sorts the list by title (ASCII case-insensitive), then id. */
static void sort_items(kura_items *l)
{
    if (l->count < 2) return;
    sort_key *keys = malloc(l->count * sizeof *keys);
    kura_item *sorted = malloc(l->count * sizeof *sorted);
    if (!keys || !sorted) { /* in place, slower */
        free(keys), free(sorted);
        qsort(l->items, l->count, sizeof *l->items, by_title);
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        const char *t = l->items[i].title ? l->items[i].title : "";
        unsigned char b[16] = {0};
        for (size_t j = 0; j < sizeof b && t[j]; j++)
            b[j] = lower((unsigned char)t[j]);
        keys[i].k[0] = keys[i].k[1] = 0;
        for (int j = 0; j < 16; j++)
            keys[i].k[j / 8] = keys[i].k[j / 8] << 8 | b[j];
        keys[i].it = &l->items[i];
        sodium_memzero(b, sizeof b);
    }
    qsort(keys, l->count, sizeof *keys, by_key);
    for (size_t i = 0; i < l->count; i++)
        sorted[i] = *keys[i].it;
    sodium_memzero(keys, l->count * sizeof *keys);
    free(keys);
    free(l->items);
    l->items = sorted;
}

/* A new, empty list in w (the walk's result). */
static int walk_begin(kura_vault *v, walk *w)
{
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    v->err[0] = '\0';
    w->v = v;
    w->list = calloc(1, sizeof *w->list);
    if (!w->list || !(w->list->arena = kura_arena_new())) {
        free(w->list);
        w->list = NULL;
        return kura_vault_fail(v, KURA_ERR_NOMEM, "out of memory");
    }
    return KURA_OK;
}

/* Hands the list over (a title match wins over an id prefix; sorted), or frees it on rc. */
static int walk_end(kura_vault *v, kura_items **out, walk *w, int rc)
{
    sodium_free(w->sc.p);
    w->sc.p = NULL;
    if (rc != KURA_OK) {
        if (!v->err[0]) kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
        kura_items_free(w->list);
        return rc;
    }
    kura_items *l = w->list;
    if (w->mode == BY_REF && w->titled > 0) {
        size_t kept = 0;
        for (size_t i = 0; i < l->count; i++)
            if (title_is(&l->items[i], w->q)) l->items[kept++] = l->items[i];
        l->count = kept;
    }
    for (size_t i = 0; i < l->count; i++)
        l->items[i].has_details = 0;
    if (v->as_is) l->unreadable = v->unreadable;
    sort_items(l);
    *out = l;
    return KURA_OK;
}

/* One item (its bucket and the state checked) into the walk. */
static int walk_one(walk *w, const unsigned char *id)
{
    kura_blob ov, det;
    int rc = kura_state_item_get(w->v, id, &ov, &det);
    if (rc == KURA_ERR_NOT_FOUND) return KURA_OK;
    if (rc != KURA_OK) return rc;
    rc = collect(w, id, KURA_ITEM_ID_BYTES, ov.p, ov.n);
    free(ov.p);
    free(det.p);
    return rc;
}

static int collect_row(void *ctx, const kura_row *r)
{
    return collect(ctx, r->key, r->keylen, r->a, r->alen);
}

/* Decrypts overviews into a new list: every item's, or (one_id) a single item's. */
static int walk_items(kura_vault *v, kura_items **out, walk *w, const unsigned char *one_id)
{
    *out = NULL;
    int rc = walk_begin(v, w);
    if (rc != KURA_OK) return rc;
    /* One item: its bucket and the state; every item: every bucket, checked in the same pass
     * that decrypts the overviews. */
    rc = kura_vault_read_begin(v, 0);
    if (rc == KURA_OK) {
        rc = one_id ? walk_one(w, one_id) : kura_state_check_all_rows(v, collect_row, w);
        kura_vault_read_end(v);
    }
    return walk_end(v, out, w, rc);
}

/* ---- lookups through the title index (format 2) ---- */

static int named_id(void *ctx, const kura_row *r)
{
    return ids_add(ctx, r->key, r->keylen);
}

static int prefixed(void *ctx, const kura_row *r)
{
    return collect(ctx, r->key, r->keylen, r->a, r->alen);
}

/* The items a ref means, reading only the few it can be: those whose title index tag is the
 * ref's (then their titles compared), else those whose id starts with the ref (one bucket:
 * an id prefix of 6 or more hex digits has the 10 bits that pick it). Constant work at any
 * vault size when it finds something; the caller reads everything before a miss. */
static int resolve_indexed(kura_vault *v, kura_items **out, walk *w)
{
    unsigned char name[KURA_NAME_BYTES];
    ids found = {0};
    *out = NULL;
    int rc = walk_begin(v, w);
    if (rc != KURA_OK) return rc;
    name_tag(name, NAME_KEY(v), w->q);
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return walk_end(v, out, w, rc);
    rc = kura_db_named(v->db, name, named_id, &found);
    for (size_t i = 0; rc == KURA_OK && i < found.n; i++)
        rc = walk_one(w, found.p + i * KURA_ITEM_ID_BYTES);
    if (rc == KURA_OK && w->titled == 0 && w->prefix) {
        unsigned char lo[KURA_ITEM_ID_BYTES] = {0}, hi[KURA_ITEM_ID_BYTES];
        memset(hi, 0xff, sizeof hi);
        for (size_t i = 0; i < w->prefix; i++) {
            unsigned d = (unsigned)(w->q[i] <= '9' ? w->q[i] - '0' : w->q[i] - 'a' + 10);
            unsigned shift = i % 2 ? 0 : 4, keep = i % 2 ? 0xf0 : 0x0f;
            lo[i / 2] = (unsigned char)((lo[i / 2] & keep) | d << shift);
            hi[i / 2] = (unsigned char)((hi[i / 2] & keep) | d << shift);
        }
        w->list->count = 0; /* the title candidates did not match: only the prefix now */
        rc = kura_state_check_item(v, lo);
        if (rc == KURA_OK) rc = kura_db_range_items(v->db, lo, hi, prefixed, w);
    }
    kura_vault_read_end(v);
    free(found.p);
    return walk_end(v, out, w, rc);
}

/* ---- listing through the overview cache (cache.c) ---- */

/* hay[0..n) contains needle (m bytes, already ASCII-lowered), ASCII case-insensitively. */
static int ci_contains_n(const unsigned char *hay, size_t n, const unsigned char *needle, size_t m)
{
    if (m == 0) return 1;
    unsigned char first = needle[0], up = first >= 'a' && first <= 'z' ? first - 32 : first;
    for (size_t i = 0; i + m <= n; i++) {
        if (hay[i] != first && hay[i] != up) continue;
        size_t k = 1;
        while (k < m && lower(hay[i + k]) == needle[k])
            k++;
        if (k == m) return 1;
    }
    return 0;
}

/* Whether an overview plaintext's title, username, URLs or tags hold q (lowered, m bytes): so
 * a search parses only the items it keeps. Records as parse_part reads them; a short one is
 * left to it. */
static int raw_matches(const unsigned char *p, size_t n, const unsigned char *q, size_t m)
{
    size_t off = 1;
    while (off + 5 <= n) {
        unsigned tag = p[off];
        size_t len = kura_get32(p + off + 1);
        off += 5;
        if (len > n - off) return 1;
        if (tag >= T_TITLE && tag <= T_TAG && ci_contains_n(p + off, len, q, m)) return 1;
        off += len;
    }
    return off != n;
}

/* The listing from a chunk of cache records: id (16) | length (4) | plaintext. */
static int from_cache(void *ctx, const unsigned char *b, size_t n)
{
    walk *w = ctx;
    size_t off = 0;
    while (off < n) {
        if (n - off < KURA_ITEM_ID_BYTES + 4) return KURA_ERR_CORRUPT;
        const unsigned char *id = b + off;
        size_t len = kura_get32(b + off + KURA_ITEM_ID_BYTES);
        off += KURA_ITEM_ID_BYTES + 4;
        if (len > n - off) return KURA_ERR_CORRUPT;
        const unsigned char *pt = b + off;
        off += len;
        if (w->lq && !raw_matches(pt, len, w->lq, w->lqlen)) continue;
        kura_items *l = w->list;
        kura_item *it = next_slot(w, id);
        if (!it) return KURA_ERR_NOMEM;
        int rc = parse_part(it, l->arena, pt, len, PART_OVERVIEW);
        if (rc != KURA_OK) return rc;
        if (matches(it, w->q)) l->count++;
    }
    return KURA_OK;
}

/* A listing with a cache folder set: the cache if it is of the state just checked, else the
 * vault (every bucket checked as its overviews are decrypted), and then a new cache when
 * every item read. */
static int list_cached(kura_vault *v, kura_items **out, walk *w)
{
    *out = NULL;
    int rc = walk_begin(v, w);
    if (rc != KURA_OK) return rc;
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return walk_end(v, out, w, rc);
    unsigned char *lq = NULL;
    if (w->q && *w->q) {
        size_t n = strlen(w->q);
        if (!(lq = malloc(n))) {
            kura_vault_read_end(v);
            return walk_end(v, out, w, KURA_ERR_NOMEM);
        }
        for (size_t i = 0; i < n; i++)
            lq[i] = lower((unsigned char)w->q[i]);
        w->lq = lq, w->lqlen = n;
    }
    rc = kura_cache_each(v, from_cache, w);
    w->lq = NULL;
    free(lq);
    if (rc == KURA_OK || rc == KURA_ERR_NOMEM) {
        kura_vault_read_end(v);
        return walk_end(v, out, w, rc);
    }
    if (rc != KURA_ERR_NOT_FOUND) {
        /* A cache that does not parse is not trusted: start again from the vault. */
        kura_arena_free(w->list->arena);
        w->list->arena = kura_arena_new();
        w->list->count = 0;
        if (!w->list->arena) {
            kura_vault_read_end(v);
            return walk_end(v, out, w, KURA_ERR_NOMEM);
        }
    }
    kura_gbuf keep = {0};
    w->sc.keep = &keep;
    rc = kura_state_check_all_rows(v, collect_row, w);
    kura_vault_read_end(v);
    w->sc.keep = NULL;
    if (rc == KURA_OK && !keep.failed && w->list->damaged == 0) kura_cache_store(v, keep.p, keep.n);
    kura_gbuf_free(&keep);
    return walk_end(v, out, w, rc);
}

int kura_item_list(kura_vault *v, kura_items **out, const char *query)
{
    walk w = {.mode = BY_QUERY, .q = query};
    if (v->keys && v->cache_dir && !v->as_is) return list_cached(v, out, &w);
    return walk_items(v, out, &w, NULL);
}

void kura_items_free(kura_items *list)
{
    if (!list) return;
    kura_arena_free(list->arena);
    free(list->items);
    free(list);
}

static int is_id_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 6 || n > KURA_ITEM_ID_TEXT) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

int kura_item_resolve(kura_vault *v, kura_items **out, const char *ref)
{
    size_t prefix = is_id_prefix(ref) ? strlen(ref) : 0;
    unsigned char id[KURA_ITEM_ID_BYTES];
    int rc;

    /* A whole id is one lookup; else the title index (format 2); else, in a format 1 file
     * until its first write adds the index, one pass over the overviews. */
    if (prefix == KURA_ITEM_ID_TEXT && kura_unhex(id, sizeof id, ref) == KURA_OK) {
        walk one = {.mode = BY_REF, .q = ref, .prefix = prefix};
        rc = walk_items(v, out, &one, id);
        if (rc == KURA_OK && (*out)->count > 0) return KURA_OK;
        if (rc != KURA_OK && rc != KURA_ERR_NOT_FOUND) return rc;
        kura_items_free(*out);
    }
    /* A miss is never taken from the index alone: before "not found", every bucket is
     * checked and every title read (so an index entry someone changed cannot hide an item). */
    if (v->db && kura_db_format(v->db) >= 2 && !v->as_is) { /* as it is: read everything */
        walk indexed = {.mode = BY_REF, .q = ref, .prefix = prefix};
        rc = resolve_indexed(v, out, &indexed);
        if (rc != KURA_OK || (*out)->count > 0) return rc;
        kura_items_free(*out);
    }
    walk all = {.mode = BY_REF, .q = ref, .prefix = prefix};
    rc = walk_items(v, out, &all, NULL);
    if (rc != KURA_OK || (*out)->count > 0) return rc;
    size_t damaged = (*out)->damaged;
    kura_items_free(*out);
    *out = NULL;
    if (damaged)
        return kura_vault_fail(v, KURA_ERR_CORRUPT,
                               "no readable item \"%.100s\" in vault %s, and %zu item%s do not "
                               "decrypt: it may be among them",
                               ref, v->id_text, damaged, damaged == 1 ? "" : "s");
    return kura_vault_fail(v, KURA_ERR_NOT_FOUND, "no item \"%.100s\" in vault %s", ref,
                           v->id_text);
}

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
    int rc = open_part(w->item, w->item->arena, &w->sc, w->v, r->key, r->a, r->alen, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc = open_part(w->item, w->item->arena, &w->sc, w->v, r->key, r->b, r->blen, PART_DETAILS);
    if (rc == KURA_OK && r->name) { /* the title index tag matches the title */
        unsigned char name[KURA_NAME_BYTES];
        name_tag(name, NAME_KEY(w->v), w->item->title);
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
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    rc = kura_db_check_file(v->db);
    if (rc != KURA_OK) return kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    if (!(w.item = kura_item_new())) return kura_vault_fail(v, KURA_ERR_NOMEM, "out of memory");
    rc = kura_vault_read_begin(v, 1);
    if (rc == KURA_OK) {
        rc = kura_db_all_items(v->db, verify_row, &w);
        kura_vault_read_end(v);
        if (rc != KURA_OK && !v->err[0]) kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    }
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    *items = w.count;
    if (rc == KURA_OK && w.damaged)
        return kura_vault_fail(v, KURA_ERR_CORRUPT,
                               "%zu of %zu items do not decrypt (the first: %s)", w.damaged,
                               w.count, w.first);
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
    int rc = open_part(w->item, w->item->arena, &w->sc, w->v, r->key, r->a, r->alen, PART_OVERVIEW);
    if (rc == KURA_OK)
        rc = open_part(w->item, w->item->arena, &w->sc, w->v, r->key, r->b, r->blen, PART_DETAILS);
    if (rc == KURA_ERR_CORRUPT && w->v->as_is) { /* read as it is: skipped and counted */
        w->skipped++;
        return KURA_OK;
    }
    if (rc == KURA_ERR_CORRUPT)
        return kura_vault_fail(w->v, rc, "item %s does not decrypt", w->item->id);
    return rc == KURA_OK ? w->fn(w->ctx, w->item) : rc;
}

int kura_item_each_whole(kura_vault *v, kura_item_fn fn, void *ctx)
{
    whole w = {.v = v, .fn = fn, .ctx = ctx};
    v->unreadable = 0;
    int rc = need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!(w.item = kura_item_new())) return kura_vault_fail(v, KURA_ERR_NOMEM, "out of memory");
    v->err[0] = '\0';
    rc = kura_vault_read_begin(v, 0);
    if (rc == KURA_OK) {
        rc = kura_state_check_all_rows(v, whole_row, &w);
        kura_vault_read_end(v);
        if (rc != KURA_OK && !v->err[0]) kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    }
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    if (rc == KURA_OK && (w.skipped || v->unreadable))
        return kura_vault_fail(v, KURA_ERR_CORRUPT,
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
    return ids_add(ctx, id, idlen);
}

static int reseal(kura_blob *out, const kura_blob *in, scratch *sc, const kura_vault *v,
                  const unsigned char *id, char part, const unsigned char *new_key)
{
    unsigned char ad[KURA_AD_BYTES];
    if (in->n < KURA_NONCEBYTES + KURA_MACBYTES) return KURA_ERR_CORRUPT;
    size_t len = in->n - KURA_NONCEBYTES - KURA_MACBYTES;
    if (reserve(&sc->p, &sc->cap, len, 4096) != KURA_OK) return KURA_ERR_NOMEM;
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
            rc = open_part(title, title->arena, &sc, v, id, ov.p, ov.n, PART_OVERVIEW);
        }
        if (rc == KURA_OK) name_tag(name, new_name_key, title->title);
        if (rc == KURA_OK) rc = kura_db_item_put(v->db, id, &ov2, &det2, name, 0);
        if (rc == KURA_ERR_CORRUPT) {
            char hex[KURA_ITEM_ID_TEXT + 1];
            kura_hex(hex, id, KURA_ITEM_ID_BYTES);
            kura_vault_fail(v, rc, "item %s does not decrypt", hex);
        }
        free(ov.p), free(det.p), free(ov2.p), free(det2.p);
    }
    *count = list.n;
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
        rc = open_part(w.item, w.item->arena, &w.sc, v, id, ov.p, ov.n, PART_OVERVIEW);
        free(ov.p), free(det.p);
        if (rc == KURA_OK) {
            name_tag(name, NAME_KEY(v), w.item->title);
            rc = kura_db_set_name(v->db, id, name);
        }
    }
    if (rc == KURA_OK) rc = kura_state_rebuild(v, STATE_KEY(v));
    kura_item_free(w.item);
    sodium_free(w.sc.p);
    free(w.list.p);
    if (rc != KURA_OK && !v->err[0])
        kura_vault_fail(v, rc, "cannot upgrade vault %s to format 2: %s", v->id_text,
                        rc == KURA_ERR_CORRUPT ? "an item does not decrypt" : kura_db_error(v->db));
    return rc;
}
