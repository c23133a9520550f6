/* kura import: items from a file into the vault, in one transaction. kura's own JSON (an
 * array of items as `kura get --json --reveal` prints them, or an object whose "items" is such
 * an array) is read here; other managers' exports by kura-import.so (kura/import.h). An item
 * that cannot be taken is skipped with its reason; an item the vault already holds (the same
 * title, username and first URL) is updated, or left alone when nothing changed; anything
 * else that fails leaves the vault as it was. */
#define _GNU_SOURCE /* timegm */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../import/json_words.h"

typedef struct import_args {
    const char *from, *pass_file;
} import_args;

static const opt_row import_rows[] = {
    OPT_STRING("from", import_args, from, "FORMAT",
               "what FILE is; told from the file when absent. FORMAT is one of kura (kura's "
               "JSON: what 'kura export' and 'kura get --json --reveal' print), kura-csv, "
               "bitwarden-json, bitwarden-csv, 1password-1pux, 1password-csv, keepassxc-csv, "
               "keepass-xml, chrome-csv (Chrome and Edge), firefox-csv. FILE - reads stdin. A "
               "file of 'kura export --encrypted' is told apart and opened. An item the vault "
               "holds already (same title, username and first URL) gets what the file adds or "
               "changes; nothing is removed from it"),
    OPT_STRING("export-passphrase-file", import_args, pass_file, "FILE",
               "the passphrase of an encrypted export"),
    OPT_END(),
};
static const char *from, *pass_file;

/* "2026-11-22T02:37:11Z" (as kura prints it) or seconds since the epoch; 0 if neither. */
static int64_t parse_time(const json_t *j)
{
    if (json_is_integer(j)) return (int64_t)json_integer_value(j);
    return kura_time_parse(json_string_value(j), 0);
}

/* An optional string member: NULL if absent; sets *bad if it is there but not a string. */
static const char *text_of(const json_t *o, const char *key, int *bad)
{
    const json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) return NULL;
    if (!json_is_string(j)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(j);
}

/* One JSON object into item; NULL, or why it cannot be taken. */
static const char *to_item(kura_item *it, const json_t *o)
{
    int bad = 0;
    if (!json_is_object(o)) return "not an object";
    const char *title = text_of(o, "title", &bad);
    if (bad || !title || !*title) return "no title";
    struct {
        enum kura_item_text which;
        const char *key;
    } texts[] = {{KURA_TITLE, "title"},
                 {KURA_USERNAME, "username"},
                 {KURA_PASSWORD, "password"},
                 {KURA_NOTES, "notes"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *s = text_of(o, texts[i].key, &bad);
        if (bad) return "a text that is not a string";
        if (s && kura_item_set(it, texts[i].which, s) != KURA_OK)
            return "a text too long, not UTF-8, or with control characters";
    }
    const json_t *url = json_object_get(o, "url"), *list, *v;
    size_t i;
    if (json_is_string(url) && kura_item_add_url(it, json_string_value(url)) != KURA_OK)
        return "a bad URL";
    const char *lists[] = {"urls", "tags"};
    for (size_t k = 0; k < 2; k++) {
        list = json_object_get(o, lists[k]);
        if (list && !json_is_array(list))
            return k ? "tags that are not a list" : "urls that are not a list";
        json_array_foreach(list, i, v)
        {
            if (!json_is_string(v))
                return k ? "a tag that is not a string" : "a URL that is not a string";
            int rc = k ? kura_item_add_tag(it, json_string_value(v))
                       : kura_item_add_url(it, json_string_value(v));
            if (rc != KURA_OK) return k ? "a bad tag" : "a bad URL";
        }
    }
    list = json_object_get(o, "fields");
    if (list && !json_is_array(list)) return "fields that are not a list";
    json_array_foreach(list, i, v)
    {
        const char *name = text_of(v, "name", &bad), *value = text_of(v, "value", &bad);
        if (bad || !name || !value) return "a field without a name and a value";
        if (kura_item_set_field(it, name, value, json_is_true(json_object_get(v, "hidden"))) !=
            KURA_OK)
            return "a bad field";
    }
    it->created = parse_time(json_object_get(o, "created"));
    it->updated = parse_time(json_object_get(o, "updated"));
    return NULL;
}

/* The whole file in memory, read in large blocks (jansson's own file reader takes a byte at a
 * time), without the UTF-8 byte order mark Windows tools put first: no reader wants it. The
 * caller wipes and frees it. NULL with errno set on failure. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *p = malloc(cap);
    while (p) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap) break;
        char *grown = malloc(cap * 2);
        if (grown) memcpy(grown, p, n);
        sodium_memzero(p, n);
        free(p);
        p = grown;
        cap *= 2;
    }
    if (p && ferror(f)) {
        sodium_memzero(p, n);
        free(p);
        p = NULL;
    }
    if (p && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        memmove(p, p + 3, n - 3);
        sodium_memzero(p + n - 3, 3);
        n -= 3;
    }
    *len = n;
    return p;
}

/* Reading is a large part of an import's work and sealing and storing the rest, so two
 * threads share it: the reader fills items in a ring of slots, the main thread (the only one
 * that touches the vault) seals and stores them in order. */
#define RING 64

typedef struct skipped_item {
    size_t index;
    const char *why;
} skipped_item;

typedef struct importer {
    const char *file;
    const char *format; /* a kura-import.so format, or NULL: kura's JSON */
    const char *text;
    size_t len;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    kura_item *item[RING];
    const char *why[RING]; /* the reason an element is skipped, or NULL */
    size_t index[RING];
    size_t head, tail;  /* taken so far, filled so far: tail - head slots wait */
    size_t given;       /* elements the reader has read (skipped ones too) */
    size_t done;        /* bytes of the file read, as the reader last said */
    int finished, stop; /* the reader finished; the main thread stopped taking */
    int ex;             /* the reader's exit code (kura JSON that is not JSON) */
    int read_rc;        /* kura_import_read's result */
    char err[300];      /* and its reason */
    struct drop {       /* kinds of data dropped, and from how many items */
        char kind[80];
        size_t items;
    } drops[16];
    size_t n_drops, more_drops; /* more_drops: items that lost a kind past the table */
} importer;

/* The reader: the item being filled loses data of this kind. */
static void ring_dropped(void *arg, const char *kind)
{
    importer *im = arg;
    pthread_mutex_lock(&im->mu);
    size_t i = 0;
    while (i < im->n_drops && strcmp(im->drops[i].kind, kind) != 0)
        i++;
    if (i == im->n_drops && i < sizeof im->drops / sizeof im->drops[0])
        snprintf(im->drops[im->n_drops++].kind, sizeof im->drops[0].kind, "%s", kind);
    if (i < im->n_drops)
        im->drops[i].items++;
    else
        im->more_drops++;
    pthread_mutex_unlock(&im->mu);
}

/* The reader: the next free slot's item, emptied; NULL once the main thread stopped. */
static kura_item *ring_next(void *arg)
{
    importer *im = arg;
    pthread_mutex_lock(&im->mu);
    while (im->tail - im->head == RING && !im->stop)
        pthread_cond_wait(&im->can_put, &im->mu);
    int stop = im->stop;
    pthread_mutex_unlock(&im->mu);
    if (stop) return NULL;
    kura_item *it = im->item[im->tail % RING]; /* the main thread leaves it until tail moves */
    kura_item_clear(it);
    return it;
}

/* The reader: that slot filled (or skipped, with why); done bytes of the file read. */
static int ring_put(void *arg, const char *why, size_t done)
{
    importer *im = arg;
    size_t slot = im->tail % RING;
    im->why[slot] = why;
    im->index[slot] = im->given++;
    pthread_mutex_lock(&im->mu);
    im->done = done;
    if (im->tail++ == im->head) pthread_cond_signal(&im->can_take); /* it was empty */
    int stop = im->stop;
    pthread_mutex_unlock(&im->mu);
    return stop;
}

/* One element of kura JSON; pos is where it ends in the file. */
/* 1 if key is not one of kura's JSON and holds something (not null or empty). */
static int foreign_key(const char *key, const json_t *v)
{
    static const char *const known[] = {"title",   "username", "password", "notes",
                                        "url",     "urls",     "tags",     "fields",
                                        "created", "updated",  "id",       "has_password"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i], key) == 0) return 0;
    return !(json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
             (json_is_array(v) && !json_array_size(v)) ||
             (json_is_object(v) && !json_object_size(v)));
}

/* The first foreign key of an item, or NULL. */
static const char *unknown_key(const json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (foreign_key(key, v)) return key;
    }
    return NULL;
}

static int take(importer *im, const json_t *o, size_t pos)
{
    const char *extra = json_is_object(o) ? unknown_key(o) : NULL;
    if (extra && !from) { /* data kura's JSON does not hold: another manager's JSON? */
        snprintf(
            im->err, sizeof im->err,
            "item %zu has the key '%.40s', which kura's JSON does not have, so the file may be "
            "another manager's export; to import it without such keys, name its format "
            "with --from",
            im->given + 1, extra);
        return KURA_ERR_INVALID;
    }
    kura_item *it = ring_next(im);
    if (!it) return KURA_ERR_IO;
    const char *why = to_item(it, o);
    if (!why && extra) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)o, key, v)
        {
            char kind[80];
            if (!foreign_key(key, v)) continue;
            snprintf(kind, sizeof kind, "the key '%.60s'", key);
            ring_dropped(im, kind);
        }
    }
    return ring_put(im, why, pos) ? KURA_ERR_IO : KURA_OK;
}

static size_t skip_space(const char *t, size_t len, size_t off)
{
    while (off < len && (t[off] == ' ' || t[off] == '\t' || t[off] == '\n' || t[off] == '\r'))
        off++;
    return off;
}

/* Where the JSON went wrong (the element read from off; e NULL: at off itself) and what kind of
 * fault (own, or jansson's code in our words): never what the file holds. */
static int bad_json(const importer *im, const char *text, size_t off, const json_error_t *e,
                    const char *own)
{
    int line = 1, col = 0;
    for (size_t i = 0; i < off; i++)
        text[i] == '\n' ? (line++, col = 0) : col++;
    int eline = e && e->line > 0 ? e->line : 1, ecol = e && e->column > 0 ? e->column : 1;
    if (json_limit_hit() || (e && json_error_code(e) == json_error_out_of_memory))
        return fail(EX_FAIL,
                    "%s needs more memory than kura gives an import (%zu MiB: 16 times "
                    "the file, at least 256 MiB); nothing imported",
                    im->file, KURA_IMPORT_BUDGET(im->len) >> 20);
    return fail(EX_FAIL, "%s is not JSON kura can read (line %d, column %d: %s); nothing imported",
                im->file, line + eline - 1, eline == 1 ? col + ecol : ecol,
                own ? own : json_fault(e));
}

/* A list of items is read one item at a time (memory stays small, however long the list);
 * an object with "items" whole. *rc gets a library failure, the return an exit code. */
static int each_item(importer *im, const char *text, size_t len, int *rc)
{
    json_error_t e = {.line = 0, .text = ""};
    size_t off = skip_space(text, len, 0);
    if (off < len && text[off] == '{') {
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e), *o;
        if (!root) return bad_json(im, text, 0, &e, NULL);
        json_t *items = json_object_get(root, "items");
        size_t i, n = json_array_size(items);
        if (!json_is_array(items)) {
            json_decref(root);
            return fail(EX_FAIL, "%s holds no list of items; nothing imported", im->file);
        }
        json_array_foreach(items, i, o)
        {
            if ((*rc = take(im, o, len / n * (i + 1))) != KURA_OK) break;
        }
        json_decref(root);
        return EX_OK;
    }
    if (off >= len || text[off] != '[')
        return fail(EX_FAIL, "%s holds no list of items; nothing imported", im->file);
    off = skip_space(text, len, off + 1);
    if (off < len && text[off] == ']')
        off = skip_space(text, len, off + 1);
    else
        for (;;) {
            json_t *o =
                json_loadb(text + off, len - off,
                           JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
            if (!o) return bad_json(im, text, off, &e, NULL);
            off += (size_t)e.position;
            *rc = take(im, o, off);
            json_decref(o);
            if (*rc != KURA_OK) return EX_OK;
            off = skip_space(text, len, off);
            if (off < len && text[off] == ',') {
                off = skip_space(text, len, off + 1);
                continue;
            }
            if (off < len && text[off] == ']')
                off = skip_space(text, len, off + 1);
            else
                off = len + 1;
            break;
        }
    if (off != len)
        return bad_json(im, text, off > len ? len : off, NULL,
                        "the list of items does not end where it should");
    return EX_OK;
}

static void *reader(void *arg)
{
    importer *im = arg;
    int rc = KURA_OK, ex = EX_OK;
    if (!im->format) {
        ex = each_item(im, im->text, im->len, &rc);
    } else {
        kura_import_sink sink = {im, ring_next, ring_put, ring_dropped, from != NULL};
        rc = kura_import_read(im->format, (const unsigned char *)im->text, im->len, &sink, im->err,
                              sizeof im->err);
    }
    pthread_mutex_lock(&im->mu);
    im->ex = ex;
    im->read_rc = rc;
    im->finished = 1;
    pthread_cond_signal(&im->can_take);
    pthread_mutex_unlock(&im->mu);
    return NULL;
}

/* ---- items the vault already holds ---- */

/* An item is known by a keyed hash of its title, username and first URL. */
typedef struct known {
    unsigned char key[16];
    char id[KURA_ITEM_ID_TEXT + 1];
    int used; /* an imported item was matched with it */
} known;

typedef struct known_set {
    known *e; /* open addressing on key; cap a power of two, empty slots have id[0] == 0 */
    size_t cap;
    unsigned char hash_key[crypto_generichash_KEYBYTES];
} known_set;

static void match_key(unsigned char out[16], const known_set *s, const kura_item *it)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, s->hash_key, sizeof s->hash_key, 16);
    const char *parts[3] = {it->title, it->username, it->n_urls ? it->urls[0] : NULL};
    for (int i = 0; i < 3; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_generichash_update(&st, (const unsigned char *)p, strlen(p) + 1);
    }
    crypto_generichash_final(&st, out, 16);
}

static size_t slot_of(const known_set *s, const unsigned char key[16])
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)h & (s->cap - 1);
}

/* The vault's items (their overviews: title, username, URLs) as a known_set. */
static int known_load(ctx *c, known_set *s)
{
    kura_items *list = NULL;
    int rc = kura_item_list(c->v, &list, NULL);
    if (rc != KURA_OK || list->count == 0) {
        kura_items_free(list);
        return rc;
    }
    for (s->cap = 16; s->cap < list->count * 2; s->cap *= 2) {
    }
    if (!(s->e = sodium_allocarray(s->cap, sizeof *s->e))) {
        kura_items_free(list);
        return KURA_ERR_NOMEM;
    }
    memset(s->e, 0, s->cap * sizeof *s->e);
    randombytes_buf(s->hash_key, sizeof s->hash_key);
    for (size_t i = 0; i < list->count; i++) {
        known k = {.used = 0};
        match_key(k.key, s, &list->items[i]);
        memcpy(k.id, list->items[i].id, sizeof k.id);
        size_t j = slot_of(s, k.key);
        while (s->e[j].id[0])
            j = (j + 1) & (s->cap - 1);
        s->e[j] = k;
    }
    kura_items_free(list);
    return KURA_OK;
}

/* The vault's item that it matches and no other imported item matched yet, or NULL. */
static known *known_find(known_set *s, const kura_item *it)
{
    if (!s->cap) return NULL;
    unsigned char key[16];
    match_key(key, s, it);
    for (size_t i = slot_of(s, key); s->e[i].id[0]; i = (i + 1) & (s->cap - 1))
        if (!s->e[i].used && sodium_memcmp(s->e[i].key, key, sizeof key) == 0) return &s->e[i];
    return NULL;
}

/* What an imported item holds, merged into the vault's item, never going back in time. When the
 * file's item was changed after the vault's (both times known), its password, notes and field
 * values replace the vault's and its URLs and tags are added. Otherwise (the vault's is newer,
 * or the file has no time) nothing of the vault's is overwritten: what the vault lacks is
 * added (a password or notes where it has none, a field of another name; URLs and tags only
 * when the file has no time, since the vault's newer item may have dropped them), and each
 * value that differs is left alone and counted in *kept. Nothing is ever removed. */
static int merge(kura_item *into, const kura_item *src, size_t *kept)
{
    int newer = src->updated > 0 && into->updated > 0 && src->updated > into->updated;
    int vault_newer = src->updated > 0 && into->updated > 0 && src->updated < into->updated;
    int rc = KURA_OK;
    static const enum kura_item_text texts[] = {KURA_PASSWORD, KURA_NOTES};
    for (size_t t = 0; rc == KURA_OK && t < 2; t++) {
        const char *theirs = t ? src->notes : src->password;
        const char *have = t ? into->notes : into->password;
        if (!theirs || !*theirs || (have && strcmp(have, theirs) == 0)) continue;
        if (newer || !have || !*have)
            rc = kura_item_set(into, texts[t], theirs);
        else
            (*kept)++;
    }
    for (size_t i = 0; rc == KURA_OK && !vault_newer && i < src->n_urls; i++) {
        size_t j = 0;
        while (j < into->n_urls && strcmp(into->urls[j], src->urls[i]) != 0)
            j++;
        if (j == into->n_urls) rc = kura_item_add_url(into, src->urls[i]);
    }
    for (size_t i = 0; rc == KURA_OK && !vault_newer && i < src->n_tags; i++) {
        size_t j = 0;
        while (j < into->n_tags && strcmp(into->tags[j], src->tags[i]) != 0)
            j++;
        if (j == into->n_tags) rc = kura_item_add_tag(into, src->tags[i]);
    }
    for (size_t i = 0; rc == KURA_OK && i < src->n_fields; i++) {
        const kura_field *f = &src->fields[i], *have = NULL;
        for (size_t j = 0; j < into->n_fields && !have; j++)
            if (strcmp(into->fields[j].name, f->name) == 0) have = &into->fields[j];
        if (have && strcmp(have->value, f->value) == 0 && have->hidden == f->hidden) continue;
        if (newer || (!have && !vault_newer))
            rc = kura_item_set_field(into, f->name, f->value, f->hidden);
        else
            (*kept)++;
    }
    return rc;
}

/* ---- the main thread ---- */

typedef struct counts {
    size_t added, updated, unchanged, skipped;
    size_t kept; /* values of the file left alone: the vault's were newer (or maybe newer) */
    skipped_item *skips; /* --json: every skipped element, for the report */
    size_t n_skips, cap_skips;
} counts;

typedef struct bar {
    int on;    /* stderr is a terminal and --json is off */
    int drawn; /* a bar is on the screen */
    double start, last;
} bar;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bar_clear(bar *b)
{
    if (b->drawn) fputs("\r\033[K", stderr);
    b->drawn = 0;
}

/* Half a second into an import, a line that shows how far it is, redrawn ten times a second. */
static void bar_draw(bar *b, importer *im, size_t items)
{
    if (!b->on) return;
    double t = now_s();
    if (t - b->start < 0.5 || t - b->last < 0.1) return;
    b->last = t;
    pthread_mutex_lock(&im->mu);
    size_t done = im->done;
    pthread_mutex_unlock(&im->mu);
    char line[160];
    if (im->len && done) {
        int pct = (int)(done * 100.0 / (double)im->len);
        if (pct > 100) pct = 100;
        char fill[21];
        memset(fill, '#', (size_t)pct / 5);
        memset(fill + pct / 5, '.', 20 - (size_t)pct / 5);
        fill[20] = '\0';
        snprintf(line, sizeof line, "importing [%s] %3d%%  %zu items", fill, pct, items);
    } else {
        snprintf(line, sizeof line, "importing ... %zu items", items);
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    b->drawn = 1;
}

static int skip(counts *n, bar *b, const importer *im, size_t index, const char *why, int json)
{
    n->skipped++;
    if (!json) {
        bar_clear(b);
        note("kura: skipped item %zu of %s: %s", index + 1, im->file, why);
        return KURA_OK;
    }
    if (n->n_skips == n->cap_skips) {
        size_t cap = n->cap_skips ? n->cap_skips * 2 : 16;
        skipped_item *grown = realloc(n->skips, cap * sizeof *grown);
        if (!grown) return KURA_ERR_NOMEM;
        n->skips = grown;
        n->cap_skips = cap;
    }
    n->skips[n->n_skips++] = (skipped_item){index, why};
    return KURA_OK;
}

/* One read item into the batch: new, merged into the vault's item, or nothing at all when
 * the vault's item holds it all already. */
static int store_one(kura_batch *batch, known_set *ks, counts *n, kura_item *it, kura_item *have)
{
    known *k = known_find(ks, it);
    if (!k) {
        int rc = kura_batch_add(batch, it);
        n->added += rc == KURA_OK;
        return rc;
    }
    k->used = 1;
    unsigned char before[KURA_ITEM_DIGEST_BYTES], after[KURA_ITEM_DIGEST_BYTES];
    int rc = kura_batch_get(batch, have, k->id);
    if (rc == KURA_OK) rc = kura_item_digest(before, have);
    if (rc == KURA_OK) rc = merge(have, it, &n->kept) == KURA_OK ? KURA_OK : KURA_ERR_INVALID;
    if (rc == KURA_OK) rc = kura_item_digest(after, have);
    if (rc == KURA_OK && sodium_memcmp(before, after, sizeof before) == 0) {
        n->unchanged++;
    } else if (rc == KURA_OK) {
        rc = kura_batch_replace(batch, have);
        n->updated += rc == KURA_OK;
    }
    return rc;
}

/* The main thread: each slot in order, stored or reported as skipped. */
static int store_all(importer *im, kura_batch *batch, known_set *ks, counts *n, bar *b, int json)
{
    kura_item *have = kura_item_new(); /* the vault's item, read for each match */
    int rc = have ? KURA_OK : KURA_ERR_NOMEM;
    if (rc != KURA_OK) {
        pthread_mutex_lock(&im->mu);
        im->stop = 1;
        pthread_cond_signal(&im->can_put);
        pthread_mutex_unlock(&im->mu);
        return rc;
    }
    for (;;) {
        pthread_mutex_lock(&im->mu);
        while (im->head == im->tail && !im->finished)
            pthread_cond_wait(&im->can_take, &im->mu);
        int empty = im->head == im->tail;
        pthread_mutex_unlock(&im->mu);
        if (empty) break; /* and finished */
        size_t slot = im->head % RING;
        if (!im->why[slot])
            rc = store_one(batch, ks, n, im->item[slot], have);
        else
            rc = skip(n, b, im, im->index[slot], im->why[slot], json);
        pthread_mutex_lock(&im->mu);
        if (im->tail - im->head++ == RING || rc != KURA_OK) /* it was full, or we stop */
            pthread_cond_signal(&im->can_put);
        if (rc != KURA_OK) im->stop = 1;
        pthread_mutex_unlock(&im->mu);
        if (rc != KURA_OK) break;
        if ((im->head & 63) == 0) bar_draw(b, im, im->head);
    }
    bar_clear(b);
    kura_item_free(have);
    return rc;
}

/* An encrypted export in *text (malloc'd, freed here) replaced by its JSON in guarded memory
 * (sodium_free it). Asks for its passphrase, or reads --export-passphrase-file. */
static int open_sealed(char **text, size_t *len, const char *file)
{
    char *pass = NULL;
    unsigned char *json = NULL;
    size_t n = 0;
    int ex = pass_file ? read_secret_file(&pass, pass_file, "export passphrase", 1024) : EX_OK;
    if (ex == EX_OK && !pass && !(pass = tty_secret("Passphrase of the export: ")))
        ex = fail(EX_LOCKED,
                  "%s is an encrypted export and there is no terminal to ask for its "
                  "passphrase; pass --export-passphrase-file FILE",
                  file);
    int rc = ex == EX_OK ? kura_export_open(&json, &n, (const unsigned char *)*text, *len, pass,
                                            strlen(pass))
                         : KURA_OK;
    secret_free(pass);
    free(*text); /* ciphertext */
    *text = NULL;
    if (ex != EX_OK) return ex;
    if (rc == KURA_ERR_WRONG_KEY)
        return fail(EX_WRONG_KEY,
                    "the passphrase does not open the export %s (or its start is "
                    "damaged); nothing imported",
                    file);
    if (rc == KURA_ERR_NOMEM) return fail(EX_FAIL, "out of memory opening %s", file);
    if (rc != KURA_OK)
        return fail(EX_DAMAGED, "the export %s is damaged or cut short; nothing imported", file);
    *text = (char *)json;
    *len = n;
    return EX_OK;
}

/* ---- formats ---- */

static const struct format_name {
    const char *name, *label;
} formats[] = {
    {"kura", "kura JSON"},
    {"kura-encrypted", "kura encrypted export"},
    {"kura-csv", "kura CSV"},
    {"bitwarden-json", "Bitwarden JSON"},
    {"bitwarden-csv", "Bitwarden CSV"},
    {"1password-1pux", "1Password 1PUX"},
    {"1password-csv", "1Password CSV"},
    {"keepassxc-csv", "KeePassXC CSV"},
    {"keepass-xml", "KeePass 2 XML"},
    {"chrome-csv", "Chrome/Edge CSV"},
    {"firefox-csv", "Firefox CSV"},
};

static const struct {
    const char *alias, *name;
} aliases[] = {{"json", "kura"},
               {"kura-json", "kura"},
               {"csv", "kura-csv"},
               {"bitwarden", "bitwarden-json"},
               {"1pux", "1password-1pux"},
               {"keepassxc-xml", "keepass-xml"},
               {"kdbx-xml", "keepass-xml"},
               {"edge-csv", "chrome-csv"}};

static const char *label_of(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, name) == 0) return formats[i].label;
    return name;
}

/* --from's value as a format name, or NULL. */
static const char *format_named(const char *s)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].alias, s) == 0) return aliases[i].name;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, s) == 0 && i != 1) return formats[i].name;
    return NULL;
}

/* JSON that starts with '{': Bitwarden's export, 1Password's export.data, or kura's. */
static const char *json_flavour(const char *text, size_t len)
{
    json_t *root = json_loadb(text, len, 0, NULL);
    const char *f = "kura";
    if (json_object_get(root, "accounts")) {
        f = "1password-1pux";
    } else {
        /* Bitwarden's items have a numeric type and a name (never a title); its export says
         * whether it is encrypted. Another manager's JSON with folders and items (Enpass) is
         * not Bitwarden's. */
        json_t *first = json_array_get(json_object_get(root, "items"), 0);
        int bw_item = first && !json_object_get(first, "title") &&
                      json_is_integer(json_object_get(first, "type")) &&
                      json_is_string(json_object_get(first, "name"));
        if (json_is_boolean(json_object_get(root, "encrypted")) || bw_item) f = "bitwarden-json";
    }
    json_decref(root);
    return f;
}

/* What the text is: from --from, or told from the text itself (*detected set). */
static int format_of(const char **out, int *detected, const char *file, const char *text,
                     size_t len, int sealed)
{
    *detected = !from;
    if (sealed) {
        *out = "kura-encrypted";
        return EX_OK;
    }
    if (from) {
        *out = format_named(from); /* run() refused an unknown one */
        return EX_OK;
    }
    size_t off = skip_space(text, len, 0);
    if (off < len && text[off] == '[') {
        *out = "kura";
        return EX_OK;
    }
    if (off < len && text[off] == '{') {
        *out = json_flavour(text, len);
        return EX_OK;
    }
    int no_module = 0;
    *out = kura_import_detect((const unsigned char *)text, len, &no_module);
    if (no_module) return fail_import_module();
    if (!*out)
        return fail(EX_FAIL,
                    "cannot tell what kind of export %s is; name it with --from FORMAT "
                    "(kura, " KURA_IMPORT_FORMATS "); nothing imported",
                    file);
    return EX_OK;
}

static void report(const importer *im, const counts *n, const char *format, int detected, int json)
{
    size_t imported = n->added + n->updated;
    if (json) {
        json_t *skips = json_array();
        for (size_t i = 0; i < n->n_skips; i++)
            json_array_append_new(skips,
                                  json_pack("{s:I, s:s}", "item", (json_int_t)n->skips[i].index + 1,
                                            "reason", n->skips[i].why));
        json_t *drops = json_array();
        for (size_t i = 0; i < im->n_drops; i++)
            json_array_append_new(drops, json_pack("{s:s, s:I}", "kind", im->drops[i].kind, "items",
                                                   (json_int_t)im->drops[i].items));
        json_print(json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "file",
                             im->file, "format", format, "detected", detected, "imported",
                             (json_int_t)imported, "added", (json_int_t)n->added, "updated",
                             (json_int_t)n->updated, "unchanged", (json_int_t)n->unchanged,
                             "skipped", (json_int_t)n->skipped, "kept_newer", (json_int_t)n->kept,
                             "skipped_items", skips, "dropped", drops));
        return;
    }
    for (size_t i = 0; i < im->n_drops; i++)
        note("kura: warning: %s of %zu item%s in %s not imported: kura does not keep it",
             im->drops[i].kind, im->drops[i].items, im->drops[i].items == 1 ? "" : "s", im->file);
    printf("imported %zu item%s from %s (%s%s): %zu new, %zu updated, %zu unchanged, %zu "
           "skipped\n",
           imported, imported == 1 ? "" : "s", im->file, label_of(format),
           detected ? ", detected" : "", n->added, n->updated, n->unchanged, n->skipped);
    if (n->kept)
        note("kura: %zu value%s in %s left alone: the vault's %s newer (or the file does not say "
             "when it changed)",
             n->kept, n->kept == 1 ? "" : "s", im->file, n->kept == 1 ? "is" : "are");
}

static int import_exec(ctx *c, void *args, int argc, char **argv)
{
    const import_args *a = args;
    from = a->from, pass_file = a->pass_file;
    (void)argc;
    const char *file = argv[0];
    if (from && !format_named(from))
        return fail(EX_USAGE,
                    "unknown format '%s' for --from; kura imports: kura (its own "
                    "JSON), " KURA_IMPORT_FORMATS,
                    from);
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        if (errno == ENOENT) return fail(EX_NOT_FOUND, "no file %s to import", file);
        return fail(EX_FAIL, "cannot read %s: %s; nothing imported", file, strerror(errno));
    }
    size_t len;
    char *text = read_all(f, &len);
    int err = errno;
    if (f != stdin) fclose(f);
    if (!text) return fail(EX_FAIL, "cannot read %s: %s; nothing imported", file, strerror(err));
    int sealed = kura_export_is((const unsigned char *)text, len), detected = 0;
    const char *format = NULL;
    int ex = format_of(&format, &detected, file, text, len, sealed);
    if (ex == EX_OK && sealed) ex = open_sealed(&text, &len, file); /* into guarded memory */
    if (ex != EX_OK) {
        if (text && !sealed) sodium_memzero(text, len);
        free(sealed ? NULL : text);
        return ex;
    }

    static importer im;
    known_set ks = {0};
    counts n = {0};
    bar b = {.on = !c->json && isatty(STDERR_FILENO), .start = now_s()};
    im.file = file;
    im.format = strcmp(format, "kura") == 0 || sealed ? NULL : format;
    im.text = text;
    im.len = len;
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.can_put, NULL);
    pthread_cond_init(&im.can_take, NULL);
    kura_batch *batch = NULL;
    int rc = known_load(c, &ks);
    if (rc == KURA_OK) rc = kura_batch_begin(c->v, &batch);
    for (size_t i = 0; rc == KURA_OK && i < RING; i++)
        if (!(im.item[i] = kura_item_new())) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        pthread_t t;
        json_limit(KURA_IMPORT_BUDGET(len)); /* what the file's JSON may take to parse */
        if (pthread_create(&t, NULL, reader, &im) != 0) {
            rc = KURA_ERR_NOMEM;
        } else {
            rc = store_all(&im, batch, &ks, &n, &b, c->json);
            pthread_join(t, NULL);
            ex = im.ex;
        }
    }
    if (sealed) {
        sodium_free(text);
    } else {
        sodium_memzero(text, len);
        free(text);
    }
    for (size_t i = 0; i < RING; i++)
        kura_item_free(im.item[i]);
    sodium_free(ks.e);
    pthread_cond_destroy(&im.can_put);
    pthread_cond_destroy(&im.can_take);
    pthread_mutex_destroy(&im.mu);
    int too_big = json_limit_hit(); /* jansson's memory ran past the import's budget */
    json_limit(0);
    if (ex == EX_OK && rc == KURA_OK && im.read_rc != KURA_OK) {
        if (im.read_rc == KURA_ERR_NO_MODULE)
            ex = fail_import_module();
        else if (too_big)
            ex = fail(EX_FAIL,
                      "%s needs more memory than kura gives an import (%zu MiB: 16 times "
                      "the file, at least 256 MiB); nothing imported",
                      file, KURA_IMPORT_BUDGET(len) >> 20);
        else if (im.read_rc == KURA_ERR_NOMEM)
            ex = fail(EX_FAIL, "out of memory reading %s; nothing imported", file);
        else if (im.read_rc == KURA_ERR_UNREAD)
            ex = fail(EX_FAIL,
                      "%s is not a %s file kura can read: %s, so the file may be another "
                      "manager's export; to import it without that, name its format with "
                      "--from; nothing imported",
                      file, label_of(format), im.err);
        else
            ex = fail(EX_FAIL, "%s is not a %s file kura can read: %s; nothing imported", file,
                      label_of(format), im.err[0] ? im.err : "it stopped half-way");
    }
    if (rc == KURA_OK && ex == EX_OK) {
        rc = kura_batch_commit(batch);
    } else {
        kura_batch_abort(batch);
        if (ex != EX_OK) {
            free(n.skips);
            return ex;
        }
    }
    if (rc != KURA_OK) {
        free(n.skips);
        return fail_vault(c, rc, "import (nothing was imported)");
    }
    report(&im, &n, format, detected, c->json);
    free(n.skips);
    return EX_OK;
}

const cmd cmd_import = {
    .name = "import",
    .summary = "add items from a file (kura, Bitwarden, 1Password, KeePass, browsers), all or none",
    .args = "FILE",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .rows = import_rows,
    .args_size = sizeof(import_args),
    .exec = import_exec,
};
