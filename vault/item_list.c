/* Finding items: listing and searching (every overview, every bucket checked, or the session's
 * overview cache of the same signed state), and resolving what a user means by a title or an
 * id prefix through the title index. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

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
    for (size_t i = 0; i < it->n_fields; i++) /* a listing has only the overview's, none secret */
        if (!it->fields[i].hidden && ci_contains(it->fields[i].value, q)) return 1;
    return 0;
}

/* Appends an item id to the list. */
int kura_ids_add(ids *l, const unsigned char *id, size_t idlen)
{
    if (idlen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    if (kura_grow(&l->p, &l->cap, l->n, KURA_ITEM_ID_BYTES) != KURA_OK) return KURA_ERR_NOMEM;
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
    if (kura_grow(&l->items, &w->cap, l->count, sizeof *l->items) != KURA_OK) return NULL;
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
    int rc = kura_part_open(it, l->arena, &w->sc, w->v, id, ov, ovlen, PART_OVERVIEW);
    if (rc == KURA_ERR_CORRUPT) { /* skipped and counted: the rest still lists */
        if (l->damaged++ == 0) kura_fail(rc, "item %s does not decrypt", hex);
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
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    kura_detail_clear();
    w->v = v;
    w->list = calloc(1, sizeof *w->list);
    if (!w->list || !(w->list->arena = kura_arena_new())) {
        free(w->list);
        w->list = NULL;
        return kura_fail(KURA_ERR_NOMEM, "out of memory");
    }
    return KURA_OK;
}

/* Hands the list over (a title match wins over an id prefix; sorted), or frees it on rc. */
static int walk_end(kura_vault *v, kura_items **out, walk *w, int rc)
{
    sodium_free(w->sc.p);
    w->sc.p = NULL;
    if (rc != KURA_OK) {
        if (!kura_error_detail()[0]) kura_fail(rc, "%s", kura_db_error(v->db));
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
    return kura_ids_add(ctx, r->key, r->keylen);
}

static int prefixed(void *ctx, const kura_row *r)
{
    return collect(ctx, r->key, r->keylen, r->a, r->alen);
}

/* One item the title index names: its overview read and tested first, and its bucket checked
 * only if it is kept (or does not decrypt), with the bytes tested being the bytes checked. An
 * item the index names but that is not kept changes nothing, whatever its bytes: an item
 * rolled back to a title that no longer matches leaves no match, and a miss is never taken
 * from the index (kura_item_resolve reads everything then). Most titles share their 2-byte
 * tag with an item or two, so this saves a bucket check each. */
static int walk_candidate(walk *w, const unsigned char *id)
{
    kura_blob ov, det;
    int rc = kura_db_item_get(w->v->db, &ov, &det, id);
    if (rc == KURA_ERR_NOT_FOUND) return KURA_OK;
    if (rc != KURA_OK) return kura_state_fail(w->v, rc);
    free(det.p);
    size_t count = w->list->count, damaged = w->list->damaged;
    rc = collect(w, id, KURA_ITEM_ID_BYTES, ov.p, ov.n);
    if (rc == KURA_OK && (w->list->count != count || w->list->damaged != damaged)) {
        kura_blob ov2, det2;
        rc = kura_state_item_get(w->v, id, &ov2, &det2);
        if (rc == KURA_OK) {
            if (ov2.n != ov.n || memcmp(ov2.p, ov.p, ov.n) != 0)
                rc = kura_fail(KURA_ERR_TAMPERED, "vault %s was changed while it was read",
                               w->v->id_text);
            free(ov2.p), free(det2.p);
        }
    }
    free(ov.p);
    return rc;
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
    kura_name_tag(name, NAME_KEY(v), w->q);
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return walk_end(v, out, w, rc);
    rc = kura_db_named(v->db, name, named_id, &found);
    for (size_t i = 0; rc == KURA_OK && i < found.n; i++)
        rc = walk_candidate(w, found.p + i * KURA_ITEM_ID_BYTES);
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

/* Whether an overview plaintext's title, username, URLs, tags or type fields hold q (lowered, m
 * bytes): so a search parses only the items it keeps. Records as parse_part reads them; a short one
 * is left to it. */
static int raw_matches(const unsigned char *p, size_t n, const unsigned char *q, size_t m)
{
    size_t off = 1;
    while (off + 5 <= n) {
        unsigned tag = p[off];
        size_t len = kura_get32(p + off + 1);
        off += 5;
        if (len > n - off) return 1;
        if (((tag >= T_TITLE && tag <= T_TAG) || tag == T_OVFIELD) &&
            ci_contains_n(p + off, len, q, m))
            return 1;
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
        int rc = kura_part_parse(it, l->arena, pt, len, PART_OVERVIEW);
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
        return kura_fail(KURA_ERR_CORRUPT,
                         "no readable item \"%.100s\" in vault %s, and %zu item%s do not "
                         "decrypt: it may be among them",
                         ref, v->id_text, damaged, damaged == 1 ? "" : "s");
    return kura_fail(KURA_ERR_NOT_FOUND, "no item \"%.100s\" in vault %s", ref, v->id_text);
}

/* ---- deleted items ---- */

typedef struct gone {
    kura_vault *v;
    kura_items *list;
    size_t cap;
    int rc;
} gone;

static int deleted_row(void *ctx, const kura_row *r)
{
    gone *g = ctx;
    kura_vault *v = g->v;
    kura_blob ov = {0}, det = {0}, body = {(unsigned char *)r->a, r->alen};
    if (r->keylen != KURA_ITEM_ID_BYTES) return KURA_ERR_CORRUPT;
    int rc = kura_db_item_get(v->db, &ov, &det, r->key);
    free(ov.p), free(det.p);
    if (rc == KURA_OK) return KURA_OK; /* alive */
    if (rc != KURA_ERR_NOT_FOUND) return rc;
    kura_past p;
    rc = kura_past_open(&p, v, r->key, &body);
    const kura_past_entry *last = NULL, *del = NULL;
    for (size_t i = 0; rc == KURA_OK && i < p.n; i++) {
        if (p.e[i].kind == REC_VERSION && (!last || p.e[i].stamp > last->stamp)) last = &p.e[i];
        if (p.e[i].kind == REC_DELETION && (!del || p.e[i].stamp > del->stamp)) del = &p.e[i];
    }
    if (rc == KURA_OK && last) {
        kura_items *l = g->list;
        if (kura_grow(&l->items, &g->cap, l->count, sizeof *l->items) != KURA_OK) {
            kura_past_free(&p);
            return KURA_ERR_NOMEM;
        }
        kura_item *it = &l->items[l->count];
        memset(it, 0, sizeof *it);
        kura_hex(it->id, r->key, KURA_ITEM_ID_BYTES);
        const unsigned char *d = p.plain.p + last->at + 5;
        rc = kura_part_parse(it, l->arena, d + STAMP_BYTES + 4, kura_get32(d + STAMP_BYTES),
                             PART_OVERVIEW);
        if (rc == KURA_OK) {
            const kura_past_entry *when = del && del->stamp > last->stamp ? del : last;
            it->updated = (int64_t)((when->stamp >> 16) / 1000u);
            it->stamp = when->stamp;
            memcpy(it->device, kura_past_device(&p, when), KURA_DEVICE_ID_BYTES);
            it->has_details = 0;
            it->arena = l->arena;
            l->count++;
        }
    }
    kura_past_free(&p);
    if (rc == KURA_ERR_CORRUPT) { /* counted, the rest still listed */
        g->list->damaged++;
        return KURA_OK;
    }
    return rc;
}

int kura_item_list_deleted(kura_vault *v, kura_items **out)
{
    *out = NULL;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    gone g = {.v = v};
    if (!(g.list = calloc(1, sizeof *g.list)) || !(g.list->arena = kura_arena_new())) {
        free(g.list);
        return kura_fail(KURA_ERR_NOMEM, "out of memory");
    }
    kura_detail_clear();
    rc = kura_vault_read_begin(v, 1); /* every bucket: past rows and items */
    if (rc == KURA_OK) {
        rc = kura_db_all_past(v->db, deleted_row, &g);
        kura_vault_read_end(v);
    }
    if (rc != KURA_OK) {
        kura_items_free(g.list);
        return kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
    }
    if (g.list->count) qsort(g.list->items, g.list->count, sizeof *g.list->items, by_title);
    *out = g.list;
    return KURA_OK;
}
