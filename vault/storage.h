/* storage.h: the vault file (storage.c, rows.c; SQLite behind storage_int.h) with its page
 * checksums (pagesum.c). Above base.h; knows no vault handle. Not installed. */
#ifndef KURA_VAULT_STORAGE_H
#define KURA_VAULT_STORAGE_H

#include "base.h"

/* ---- pagesum.c: page checksums (an SQLite VFS shim) ---- */
#define KURA_APPLICATION_ID 0x4B555241 /* "KURA", in the SQLite header */
#define KURA_PAGESUM_BYTES 16
#define KURA_PAGE_SIZE 4096
/* 1 if page (KURA_PAGE_SIZE bytes), the page at index (0 = the first) of a file, ends in
 * kura's checksum of it: the file was written by kura. */
int kura_pagesum_valid(const unsigned char *page, uint64_t index);
/* Registers the shim once; returns its VFS name, or NULL if SQLite cannot start. */
const char *kura_pagesum_vfs(void);
/* The same shim that does not check checksums on read: for reading a damaged file as it is
 * (salvage), where every item is still checked by its AEAD and every record by its own sum. */
const char *kura_pagesum_vfs_lenient(void);
/* Called before each read ('r'), write or truncate ('w') and sync ('s') of a vault file or
 * its journal: an SQLite result code to fail that call with. The library's is a weak no-op;
 * the test binary kura-faulty puts a fault injector in its place (tests/tools/faults.c). */
int kura_io_fault(char op);

/* ---- storage.c: the SQLite file ---- */
typedef struct kura_db kura_db;
typedef struct kura_blob {
    unsigned char *p;
    size_t n;
} kura_blob;

/* Creates a new database file (must not exist), 0600, with kura's schema. */
KURA_MUST_CHECK int kura_db_create(kura_db **out, const char *path, char *err, size_t errlen);
/* Opens defensively, checks application id, format version, and quick_check of the meta
 * and buckets tables (constant work; item pages are checksummed as they are read). */
KURA_MUST_CHECK int kura_db_open(kura_db **out, const char *path, char *err, size_t errlen);
/* Inside a transaction: a number that changes whenever the file changes, by any connection
 * (SQLITE_FCNTL_DATA_VERSION). KURA_ERR_NOT_FOUND if SQLite cannot tell. */
KURA_MUST_CHECK int kura_db_data_version(kura_db *db, unsigned *out);
/* quick_check of the whole file: every page read and checksummed. */
KURA_MUST_CHECK int kura_db_check_file(kura_db *db);
void kura_db_close(kura_db *db);
KURA_MUST_CHECK int kura_db_begin(kura_db *db);
/* 1 inside a transaction (a read or a write). */
int kura_db_in_transaction(kura_db *db);
/* A read transaction (BEGIN), so several reads see one state; a no-op inside another. */
KURA_MUST_CHECK int kura_db_begin_read(kura_db *db);
KURA_MUST_CHECK int kura_db_commit(kura_db *db);
void kura_db_rollback(kura_db *db);
/* Meta values: the returned blob is malloc'd (caller frees p). */
KURA_MUST_CHECK int kura_db_meta_get(kura_db *db, kura_blob *out, const char *key);
KURA_MUST_CHECK int kura_db_meta_put(kura_db *db, const char *key, const void *p, size_t n);
/* Removes a meta row (none: nothing to do). */
KURA_MUST_CHECK int kura_db_meta_delete(kura_db *db, const char *key);
/* Inserts or updates an item; name is its title index tag (ignored in format 1). */
KURA_MUST_CHECK int kura_db_item_put(kura_db *db, const unsigned char id[16], const kura_blob *ov,
                                     const kura_blob *det, const unsigned char *name, int insert);
/* Reads one item's blobs (malloc'd). KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_db_item_get(kura_db *db, kura_blob *ov, kura_blob *det,
                                     const unsigned char id[16]);
KURA_MUST_CHECK int kura_db_item_delete(kura_db *db, const unsigned char id[16]);
/* Calls fn for each item's overview, in no particular order; stops on a non-zero return. */
typedef int (*kura_db_item_fn)(void *ctx, const unsigned char *id, size_t idlen,
                               const unsigned char *ov, size_t ovlen);
KURA_MUST_CHECK int kura_db_item_each(kura_db *db, kura_db_item_fn fn, void *ctx);
KURA_MUST_CHECK int kura_db_item_count(kura_db *db, size_t *count);
/* The rows of the vault's signed state (state.c). Items fall in buckets by the first 10 (12)
 * bits of their id; each bucket's keyed hash is a row of table buckets; the state signs the
 * bucket rows and the meta rows. A row: table ('i' item: id, overview, details; 'b' bucket:
 * number as 2 bytes LE, hash; 'm' meta: name, value), key, and one or two values. */
#define KURA_META_STATE "state"
#define KURA_NAME_BYTES 2 /* the title index tag: 16 bits of a keyed hash of the title */
#define KURA_BUCKETS 4096 /* at most: format 1 has 4096 (12 bits of the id), format 2 1024 */
typedef struct kura_row {
    char table;
    const void *key;
    size_t keylen;
    const unsigned char *a, *b; /* b: NULL for a row of one value */
    size_t alen, blen;
    const unsigned char *name; /* items, format 2: the title index tag (KURA_NAME_BYTES) */
} kura_row;
typedef int (*kura_db_row_fn)(void *ctx, const kura_row *row);
/* The bucket rows in number order, then the meta rows but the state in name order. */
KURA_MUST_CHECK int kura_db_root_rows(kura_db *db, kura_db_row_fn fn, void *ctx);
/* Opens a damaged file as it is, to read what is left: read-only, through the lenient VFS
 * (no page checksums), no checks of the schema or the tables; the format from the header. */
KURA_MUST_CHECK int kura_db_open_as_is(kura_db **out, const char *path, char *err, size_t errlen);
/* Every item row that can still be read, in id order: a range whose pages do not parse is
 * split, and read on after the last row it gave; *unreadable gets how many stretches were
 * given up on. Returns fn's failure, if any (a row that does not parse is not one). */
KURA_MUST_CHECK int kura_db_items_around_damage(kura_db *db, kura_db_row_fn fn, void *ctx,
                                                size_t *unreadable);
/* Every item in id order. */
KURA_MUST_CHECK int kura_db_all_items(kura_db *db, kura_db_row_fn fn, void *ctx);
/* The items of bucket b in id order; in format 4, b from 1 << bits on: the past rows of
 * bucket b - (1 << bits). */
KURA_MUST_CHECK int kura_db_bucket_items(kura_db *db, unsigned b, kura_db_row_fn fn, void *ctx);
/* The items whose ids lie in [lo, hi] (16 bytes each), in id order. */
KURA_MUST_CHECK int kura_db_range_items(kura_db *db, const unsigned char *lo,
                                        const unsigned char *hi, kura_db_row_fn fn, void *ctx);
/* The ids of the items whose title index tag is name (format 2), in id order: fn gets each
 * id as the row's key. */
KURA_MUST_CHECK int kura_db_named(kura_db *db, const unsigned char *name, kura_db_row_fn fn,
                                  void *ctx);
/* The file's format (1 to 4: SQLite's user_version). */
int kura_db_format(const kura_db *db);
/* How many first bits of an item id pick its bucket: 12 in format 1, 10 in format 2 (so
 * 1 << bits buckets). */
unsigned kura_db_bucket_bits(const kura_db *db);
/* Format 1 to 2, inside the caller's write transaction: adds the title index column and its
 * index (every tag all zero; the caller fills them with kura_db_set_name). */
KURA_MUST_CHECK int kura_db_upgrade(kura_db *db);
KURA_MUST_CHECK int kura_db_set_name(kura_db *db, const unsigned char id[16],
                                     const unsigned char *name);
/* Format 2 to 3, inside the caller's write transaction: adds the chain table (state.c). */
KURA_MUST_CHECK int kura_db_upgrade3(kura_db *db);
/* The chain (format 3): the tag of the state of each generation, written with that state. */
KURA_MUST_CHECK int kura_db_chain_put(kura_db *db, uint64_t gen,
                                      const unsigned char tag[KURA_STATE_TAG]);
/* The chain's rows with after < generation < before, in order: fn gets each tag as the
 * row's a (its key: the generation as an int64). None in format 1 or 2. */
KURA_MUST_CHECK int kura_db_chain_rows(kura_db *db, uint64_t after, uint64_t before,
                                       kura_db_row_fn fn, void *ctx);
/* KURA_ERR_NOT_FOUND if generation gen has no row (or the file is format 1 or 2). */
KURA_MUST_CHECK int kura_db_chain_get(kura_db *db, uint64_t gen, unsigned char tag[KURA_STATE_TAG]);
/* Format 4: the past table, one row per item id (an item's older versions and its deletion,
 * sealed; the item may be gone). Its rows fall in buckets too, numbered after the items'
 * (1 << bits + the bucket of the id), so a bucket row covers either items or past rows. */
/* How many bucket numbers the file has: 1 << bits, twice that in format 4. */
unsigned kura_db_bucket_rows(const kura_db *db);
/* Every past row in id order (table 'p', key = id, a = body); none before format 4. */
KURA_MUST_CHECK int kura_db_all_past(kura_db *db, kura_db_row_fn fn, void *ctx);
/* The ids of every past row (the row's key), in id order. */
KURA_MUST_CHECK int kura_db_past_ids(kura_db *db, kura_db_row_fn fn, void *ctx);
/* One past row's body (malloc'd): KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_db_past_get(kura_db *db, kura_blob *body, const unsigned char id[16]);
/* Stores one past row's body, or with body NULL removes the row. */
KURA_MUST_CHECK int kura_db_past_put(kura_db *db, const unsigned char id[16],
                                     const kura_blob *body);
/* Format 3 to 4, inside the caller's write transaction: adds the past table (empty). */
KURA_MUST_CHECK int kura_db_upgrade4(kura_db *db);
/* Format 4 to 5: the same tables; items may have a type. */
KURA_MUST_CHECK int kura_db_upgrade5(kura_db *db);
/* Format 5 to 6: adds the blobs table (attachment chunks, empty). */
KURA_MUST_CHECK int kura_db_upgrade6(kura_db *db);
/* Format 6: the chunks of attachments, each sealed (attach.c), keyed by the attachment's id
 * (16) and the chunk's number (4, big-endian, so an attachment's chunks are in order). */
#define KURA_BLOB_KEY_BYTES 20
KURA_MUST_CHECK int kura_db_blob_put(kura_db *db, const unsigned char id[16], uint32_t n,
                                     const unsigned char *p, size_t len);
/* One chunk (malloc'd): KURA_ERR_NOT_FOUND if there is none. */
KURA_MUST_CHECK int kura_db_blob_get(kura_db *db, const unsigned char id[16], uint32_t n,
                                     kura_blob *out);
/* The same into buf (cap bytes), without a copy of its own (SQLite's incremental blob reading):
 * *len gets its length; KURA_ERR_CORRUPT if it is longer than cap. */
KURA_MUST_CHECK int kura_db_blob_read(kura_db *db, const unsigned char id[16], uint32_t n,
                                      unsigned char *buf, size_t cap, size_t *len);
/* KURA_OK if attachment id has its first chunk here, else KURA_ERR_NOT_FOUND. */
KURA_MUST_CHECK int kura_db_blob_has(kura_db *db, const unsigned char id[16]);
/* Removes every chunk of attachment id. */
KURA_MUST_CHECK int kura_db_blob_drop(kura_db *db, const unsigned char id[16]);
/* Every chunk's key (the row's key, KURA_BLOB_KEY_BYTES), in order. */
KURA_MUST_CHECK int kura_db_blob_keys(kura_db *db, kura_db_row_fn fn, void *ctx);
/* Bucket b's stored hash: KURA_ERR_NOT_FOUND if it has none (an empty bucket). */
KURA_MUST_CHECK int kura_db_bucket_get(kura_db *db, unsigned b, unsigned char h[32]);
/* Stores bucket b's hash, or with h NULL removes its row. */
KURA_MUST_CHECK int kura_db_bucket_put(kura_db *db, unsigned b, const unsigned char *h);
KURA_MUST_CHECK int kura_db_bucket_count(kura_db *db, size_t *count);
KURA_MUST_CHECK int kura_db_buckets_clear(kura_db *db);
const char *kura_db_error(const kura_db *db);

#endif
