/* item_int.h: what the item files share (item.c the model, item_codec.c the parts as bytes,
 * item_store.c one item and batches, item_list.c finding items, item_whole.c the whole vault).
 * Not installed. */
#ifndef KURA_ITEM_INT_H
#define KURA_ITEM_INT_H

#include "state.h"

#define OV_PAD 64
#define DET_PAD 256
#define PART_OVERVIEW 'o'
#define PART_DETAILS 'd'

/* The records of a part's plaintext (FORMAT.md): tag (1) || length (4) || bytes. */
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

/* ---- item_codec.c ---- */
/* A guarded buffer for plaintexts being sealed or opened, wiped after each use. */
typedef struct scratch {
    unsigned char *p;
    size_t cap;
    kura_gbuf *keep; /* if set: each overview's plaintext is added, after its id */
} scratch;
/* Grows *p (sodium_malloc) to at least need bytes (min at first). */
KURA_MUST_CHECK int kura_reserve(unsigned char **p, size_t *cap, size_t need, size_t min);
/* Seals one part of item (PART_OVERVIEW or PART_DETAILS) into out (malloc'd). */
KURA_MUST_CHECK int kura_part_seal(kura_blob *out, kura_vault *v, const kura_item *item,
                                   const unsigned char id[16], char part);
/* Parses one part's plaintext into item (strings from arena). KURA_ERR_CORRUPT if it does not. */
KURA_MUST_CHECK int kura_part_parse(kura_item *item, kura_arena *a, const unsigned char *p,
                                    size_t n, char part);
/* Decrypts one part into item through sc. KURA_ERR_CORRUPT if its AEAD fails. */
KURA_MUST_CHECK int kura_part_open(kura_item *item, kura_arena *a, scratch *sc, const kura_vault *v,
                                   const unsigned char id[16], const unsigned char *blob, size_t n,
                                   char part);

/* ---- item_store.c ---- */
/* KURA_ERR_LOCKED (and the detail) unless v is unlocked. */
KURA_MUST_CHECK int kura_need_unlocked(kura_vault *v);
/* An item's title index tag: KURA_NAME_BYTES of a keyed hash of its title, ASCII lowered. */
void kura_name_tag(unsigned char out[KURA_NAME_BYTES], const unsigned char *key, const char *title);

/* ---- item_list.c ---- */
/* A growing list of item ids. */
typedef struct ids {
    unsigned char *p;
    size_t n, cap;
} ids;
KURA_MUST_CHECK int kura_ids_add(ids *l, const unsigned char *id, size_t idlen);

/* ---- for the layers that reach items ---- */
/* 1 if s[0..n) is UTF-8 without NUL bytes (item.c). */
int kura_utf8_valid(const char *s, size_t n);
/* Re-seals every item's two parts under new_item_key, and re-tags its title under
 * new_name_key, inside the caller's transaction (item_whole.c). *count gets the number of items. */
KURA_MUST_CHECK int kura_items_rekey(kura_vault *v, const unsigned char *new_item_key,
                                     const unsigned char *new_name_key, size_t *count);
/* Format 1 to 2 (item_whole.c), inside the caller's write transaction, every bucket checked first:
 * adds the title index and re-hashes every bucket. */
KURA_MUST_CHECK int kura_items_upgrade(kura_vault *v);

/* Decrypts an item row (id, overview, details) into into: KURA_ERR_CORRUPT if a part does not
 * open (item_store.c). */
KURA_MUST_CHECK int kura_item_from_row(kura_vault *v, kura_item *into, const kura_row *r);
/* Stores item under its own id (item->id) and times, in a batch (item_store.c): salvage. */
KURA_MUST_CHECK int kura_batch_insert(kura_batch *b, kura_item *item);

#endif
