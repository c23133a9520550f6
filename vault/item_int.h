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
#define PART_PAST 'h' /* an item's past row: its older versions and its deletion */

/* The records of a part's plaintext (FORMAT.md): tag (1) || length (4) || bytes. */
enum {
    T_TITLE = 1,
    T_USERNAME = 2,
    T_URL = 3,
    T_TAG = 4,
    T_CREATED = 5,
    T_UPDATED = 6,
    T_STAMP = 7,   /* format 4: the version's clock (8) || the device that wrote it (16) */
    T_TYPE = 8,    /* format 5: the item's type (1), when not a login */
    T_OVFIELD = 9, /* format 5: a field of the type's own that is not secret, as T_FIELD */
    T_PASSWORD = 16,
    T_NOTES = 17,
    T_FIELD = 18,
    T_ATTACH = 19, /* format 6: an attachment, id (16) || key (32) || size (8) || hash (32) ||
                    * device (16) || name */
};
#define ATTACH_HEAD (16 + 32 + 8 + 32 + KURA_DEVICE_ID_BYTES)

/* ---- item.c: attachments in the model ---- */
/* 1 if name can name an attachment: one line, no '/', not "." or "..", at most 255 bytes. */
int kura_attachment_name_ok(const char *name);
/* Adds a copy of a (its name into the item's memory): KURA_ERR_EXISTS if the item has one of
 * that name, KURA_ERR_INVALID for a bad name, too many, or too large. */
KURA_MUST_CHECK int kura_item_put_attachment(kura_item *item, const kura_attachment *a);

/* ---- item_codec.c: attachments in a details plaintext ---- */
/* Calls fn with each attachment record (its bytes after tag and length: the id first) named in
 * a details plaintext (unpadded). */
void kura_plain_attachments(const unsigned char *det, size_t n,
                            void (*fn)(void *ctx, const unsigned char *att_id), void *ctx);
/* The same for a past record (tag, length, stamp, device, then a version's parts): a version's
 * attachments; nothing for another kind of record. */
void kura_record_attachments(const unsigned char *rec, size_t len,
                             void (*fn)(void *ctx, const unsigned char *att_id), void *ctx);
/* v->sweep: an item id and an attachment id a version pruned from the item's history named
 * (item_past.c), looked at before the write commits (kura_blobs_sweep). */
#define SWEEP_PAIR (KURA_ITEM_ID_BYTES + KURA_ATTACHMENT_ID_BYTES)

/* ---- attach.c ---- */
/* Seals the content of fd (>= 0) or of p[0..n) as a new attachment called name, inside the
 * caller's write, and adds it to item. KURA_ERR_TOO_BIG past KURA_MAX_ATTACHMENT,
 * KURA_ERR_EXISTS for a name item has, KURA_ERR_INVALID for a bad name or too many. */
KURA_MUST_CHECK int kura_attach_seal(kura_vault *v, kura_item *item, const char *name, int fd,
                                     const unsigned char *p, size_t n);
/* Attachments gathered from items and histories, each once (by id), with the item that names
 * it (for a failure's detail); guarded memory, since it holds their keys. */
typedef struct kura_att_entry {
    kura_attachment a; /* a.name points at name */
    char name[256];
    char item[KURA_ITEM_ID_TEXT + 1];
} kura_att_entry;
typedef struct kura_att_set {
    kura_att_entry *e;
    size_t n, cap;
    int failed;                          /* an add ran out of memory */
    char current[KURA_ITEM_ID_TEXT + 1]; /* the item whose history kura_att_set_add_record reads */
} kura_att_set;
KURA_MUST_CHECK int kura_att_set_add(kura_att_set *s, const char *item, const kura_attachment *a);
/* kura_record_attachments' fn, ctx a kura_att_set: each attachment a version names. */
void kura_att_set_add_record(void *ctx, const unsigned char *rec);
void kura_att_set_free(kura_att_set *s);
/* KURA_ERR_TOO_BIG if fd is a regular file larger than KURA_MAX_ATTACHMENT. */
KURA_MUST_CHECK int kura_attach_too_big(int fd);
/* Before a write commits: the noted attachments nothing names any more lose their chunks. */
KURA_MUST_CHECK int kura_blobs_sweep(kura_vault *v);
/* Inside a write: each of item's attachments gets a copy of its content under a new id and
 * key (an item copied from another). */
KURA_MUST_CHECK int kura_attachments_copy(kura_vault *v, kura_item *item);
/* Whether item id, or a version in its history, names attachment att (in doubt: 1). */
int kura_attachment_named(kura_vault *v, const unsigned char *id, const unsigned char *att);
/* An attachment record of a details plaintext (the bytes after its tag and length; at least
 * ATTACH_HEAD) as a (nameless) attachment. */
void kura_attachment_parse(kura_attachment *a, const unsigned char *rec);
/* Whether this copy holds attachment id's content (its first chunk). */
int kura_attachment_here(kura_vault *v, const unsigned char *id);
/* The remote file of attachment id (sync.h) from its chunks here, into out (malloc'd);
 * inside a read. KURA_ERR_NOT_FOUND if this copy has none. */
KURA_MUST_CHECK int kura_attachment_pack(kura_vault *v, const unsigned char *id, kura_blob *out);
/* Checks a remote file of a against a (every chunk opens under its key, in its place, and
 * the content has its hash), then stores its chunks; inside a write. KURA_ERR_TAMPERED if it
 * does not check out (nothing stored). */
KURA_MUST_CHECK int kura_attachment_unpack(kura_vault *v, const kura_attachment *a,
                                           const unsigned char *file, size_t n);

/* ---- item_type.c ---- */
/* 1 if f is kept in the overview: one of the type's own fields, not secret, not hidden. */
int kura_field_in_overview(int type, const kura_field *f);

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

/* A part's plaintext, decrypted and unpadded, appended to out (guarded memory).
 * KURA_ERR_CORRUPT if its AEAD fails. */
KURA_MUST_CHECK int kura_part_plain(kura_gbuf *out, const kura_vault *v, const unsigned char id[16],
                                    const unsigned char *blob, size_t n, char part);
/* A part's plaintext (unpadded) as kura_part_seal writes it, appended to out. */
KURA_MUST_CHECK int kura_part_bytes(kura_gbuf *out, const kura_item *item, char part);
/* An overview plaintext's version stamp (0 and a zero device if it has none: an item from
 * before format 4, whose stamp is then its updated time) without parsing the rest. */
void kura_plain_stamp(const unsigned char *ov, size_t n, uint64_t *stamp,
                      unsigned char device[KURA_DEVICE_ID_BYTES]);
/* A stamp for a time in seconds, for an item that has none. */
#define KURA_STAMP_OF_SECONDS(t) ((uint64_t)(t)*1000u << 16)

/* ---- item_past.c: versions, history, restore ---- */
/* An item's past row, open: its plaintext (the version byte, then records tag (1) || length
 * (4) || payload, FORMAT.md) and where each record is. */
enum { REC_VERSION = 1, REC_DELETION = 2 };
#define STAMP_BYTES (8 + KURA_DEVICE_ID_BYTES)
typedef struct kura_past_entry {
    int kind; /* REC_* */
    uint64_t stamp;
    size_t at, len; /* the whole record in the plaintext */
} kura_past_entry;
typedef struct kura_past {
    kura_vault *v; /* whose buffer plain is (lent) */
    kura_gbuf plain;
    kura_past_entry *e;
    size_t n, cap;
} kura_past;
/* Opens item id's sealed past row (body NULL: an empty past). */
KURA_MUST_CHECK int kura_past_open(kura_past *p, const kura_vault *v, const unsigned char *id,
                                   const kura_blob *body);
/* Appends a record: head, stamp and device, then a and b. */
KURA_MUST_CHECK int kura_past_add(kura_past *p, int kind, uint64_t stamp,
                                  const unsigned char device[KURA_DEVICE_ID_BYTES], const void *a,
                                  size_t alen, const void *b, size_t blen);
/* Seals the records (oldest first, each version once, pruned to what v keeps) as id's row. */
KURA_MUST_CHECK int kura_past_store(kura_vault *v, kura_past *p, const unsigned char *id);
void kura_past_free(kura_past *p);
/* Calls fn with each attachment record that a version in p names (kura_plain_attachments). */
void kura_past_attachments(const kura_past *p, void (*fn)(void *ctx, const unsigned char *att_id),
                           void *ctx);
/* The device of a record. */
const unsigned char *kura_past_device(const kura_past *p, const kura_past_entry *e);
/* Marks item id changed by this device in the write under way (item_sync.c), and records the
 * marks before the write commits (v->before_commit). */
KURA_MUST_CHECK int kura_dirty_mark(kura_vault *v, const unsigned char *id);
KURA_MUST_CHECK int kura_dirty_flush(kura_vault *v);
/* The items marked after since: ids (malloc'd), or *all: every item (too many to list). */
KURA_MUST_CHECK int kura_dirty_get(kura_vault *v, uint64_t since, kura_blob *marked, int *all);
/* Drops the marks every remote has had: those up to had. */
KURA_MUST_CHECK int kura_dirty_prune(kura_vault *v, uint64_t had);
/* Inside a write transaction: this copy's device id known (made if it has none). */
KURA_MUST_CHECK int kura_stamp_ready(kura_vault *v);
/* The newest stamp this copy's clock gave or saw (0: none). */
uint64_t kura_clock_last(kura_vault *v);
/* Moves this copy's clock past stamp (a version another device wrote). */
KURA_MUST_CHECK int kura_clock_observe(kura_vault *v, uint64_t stamp);
/* Seals a part's plaintext (unpadded) as kura_part_seal seals an item's. */
KURA_MUST_CHECK int kura_plain_seal(kura_blob *out, kura_vault *v, const unsigned char id[16],
                                    char part, const unsigned char *plain, size_t n);
/* Gives item a new version stamp (this device, the clock moved on), inside a write
 * transaction. */
KURA_MUST_CHECK int kura_stamp_item(kura_vault *v, kura_item *item);
/* Inside a write transaction that checked item id's buckets: the stored row of id (its sealed
 * parts ov and det), about to be replaced or deleted, goes into its history; with deleting,
 * a record of the deletion too. */
KURA_MUST_CHECK int kura_past_keep(kura_vault *v, const unsigned char id[16], const kura_blob *ov,
                                   const kura_blob *det, int deleting, int in_batch);
/* Stores item (a new version, stamped) under its id: insert, or replace the stored one (kept
 * in its history) (item_store.c). */
KURA_MUST_CHECK int kura_item_store(kura_vault *v, kura_item *item, int insert);

/* ---- item_sync.c: what sync reads and writes ---- */
/* Each record this device wrote with a stamp above since (all: every item's; else the
 * items marked after since), as item id (16) and a past record, to fn; inside the caller's
 * write transaction. */
typedef int (*kura_record_fn)(void *ctx, const unsigned char *item, const unsigned char *rec,
                              size_t len);
KURA_MUST_CHECK int kura_sync_own(kura_vault *v, uint64_t since, int all, kura_record_fn fn,
                                  void *ctx);
/* Merges records another device wrote into item id, inside batch b: each version and
 * deletion is kept, the newest version that no deletion saw is the item (none: deleted).
 * *changed: the item changed; *conflict: it also held an edit of this device's newer than
 * since (not yet pushed), now in its history. spare: an item (kura_item_new) to parse
 * into. The caller moves the clock past the records' stamps (kura_clock_observe). */
KURA_MUST_CHECK int kura_sync_apply(kura_batch *b, const unsigned char *id,
                                    const unsigned char *const *recs, const size_t *lens, size_t n,
                                    uint64_t since, kura_item *spare, int *changed, int *conflict);

/* ---- records.c: records sealed under the item key, in the meta table ---- */
/* Appends record name's plaintext to out: KURA_ERR_NOT_FOUND if there is none. */
KURA_MUST_CHECK int kura_record_get(kura_vault *v, const char *name, kura_gbuf *out);
KURA_MUST_CHECK int kura_record_put(kura_vault *v, const char *name, const unsigned char *p,
                                    size_t n);
/* The same, sealed under item_key (a rotation's new one, before the vault takes it). */
KURA_MUST_CHECK int kura_record_put_under(kura_vault *v, const unsigned char *item_key,
                                          const char *name, const unsigned char *p, size_t n);
/* Re-seals every such record under new_item_key (a rotation, in its transaction). */
KURA_MUST_CHECK int kura_records_rekey(kura_vault *v, const unsigned char *new_item_key);
/* In a rotation: re-seals the records under new_item_key, and keeps the vault key being
 * replaced (with the time) in record "oldkeys", sealed under the new one. */
KURA_MUST_CHECK int kura_old_keys_add(kura_vault *v, const unsigned char *new_item_key);
/* The vault keys this vault had before, each VK (32) || rotated at, ms (8); appended to out
 * (guarded memory). KURA_ERR_NOT_FOUND if it was never rotated. */
KURA_MUST_CHECK int kura_old_keys(kura_vault *v, kura_gbuf *out);

/* What a write changed, for the overview cache (v->touched; only with a cache folder): an
 * item's new overview plaintext (ov NULL: deleted), or the overview of item. */
KURA_MUST_CHECK int kura_touched_plain(kura_vault *v, const unsigned char *id,
                                       const unsigned char *ov, size_t n);
KURA_MUST_CHECK int kura_touched_item(kura_vault *v, const unsigned char *id,
                                      const kura_item *item);

/* ---- item_store.c ---- */
kura_vault *kura_batch_vault(kura_batch *b);
/* Checks bucket before the batch first writes to it or reads it (once a batch). */
KURA_MUST_CHECK int kura_batch_touch(kura_batch *b, unsigned bucket);
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

/* ---- keygen.c: the client key's generation ---- */
/* A new vault's first key (in its write): generation 1, made now (or, known_now 0, at a time
 * not known here: a copy made from a remote, whose files tell it). */
KURA_MUST_CHECK int kura_keygen_start(kura_vault *v, const kura_client_key *key, int known_now);
/* The history into h, under the current keys (read before a rotation re-seals it). */
KURA_MUST_CHECK int kura_keygen_read(kura_vault *v, kura_gbuf *h);
/* A rotation, in its write: new_key as the next generation after h's, sealed under
 * new_item_key; made now, or (known_now 0: another device's rotation) at a time sync tells. */
KURA_MUST_CHECK int kura_keygen_next(kura_vault *v, kura_gbuf *h, const unsigned char *new_item_key,
                                     const kura_client_key *new_key, int known_now);
/* The current key's generation and when it was made (ms; 0: not known here). */
KURA_MUST_CHECK int kura_keygen_current(kura_vault *v, uint32_t *gen, uint64_t *made_ms);
/* Another device's file says the current key is generation gen, made at made_ms: taken when
 * higher than this device counted (in a write). */
KURA_MUST_CHECK int kura_keygen_learn(kura_vault *v, uint32_t gen, uint64_t made_ms);

#endif
