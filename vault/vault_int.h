/* vault_int.h: private interfaces between the files of libkura. Not installed.
 * storage.c is the only file that talks to SQLite; crypto.c the only one that picks ciphers. */
#ifndef KURA_VAULT_INT_H
#define KURA_VAULT_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "kura/vault.h"
#include "bytes.h"

/* ---- arena.c: guarded (sodium_malloc) memory handed out in pieces, wiped when freed ---- */
typedef struct kura_arena kura_arena;
kura_arena *kura_arena_new(void);
void kura_arena_free(kura_arena *a);
/* Wipes what was handed out and starts again, keeping the newest chunk. */
void kura_arena_reset(kura_arena *a);
void *kura_arena_alloc(kura_arena *a, size_t n);
char *kura_arena_strndup(kura_arena *a, const char *s, size_t n);

/* ---- crypto.c ---- */

#define KURA_KEYBYTES 32
#define KURA_NONCEBYTES 24
#define KURA_MACBYTES 16
#define KURA_COMMITBYTES 32
#define KURA_STATE_TAG 32

/* XChaCha20-Poly1305: out = nonce || ciphertext || tag (outlen = mlen + NONCE + MAC).
 * nonce NULL picks a random one (tests pin it). */
void kura_seal(unsigned char *out, const unsigned char *m, size_t mlen, const unsigned char *ad,
               size_t adlen, const unsigned char *nonce, const unsigned char key[KURA_KEYBYTES]);
/* Opens what kura_seal made; m gets inlen - NONCE - MAC bytes. KURA_ERR_CORRUPT on a bad tag. */
KURA_MUST_CHECK int kura_open(unsigned char *m, const unsigned char *in, size_t inlen,
                              const unsigned char *ad, size_t adlen,
                              const unsigned char key[KURA_KEYBYTES]);

/* Splits input keying material into a wrapping key and a key commitment, bound to a domain
 * label and the vault id (BLAKE2b-512, then a keyed BLAKE2b of the label for the commit). */
void kura_kdf_split(unsigned char wrap[KURA_KEYBYTES], unsigned char commit[KURA_COMMITBYTES],
                    const unsigned char *ikm, size_t ikmlen, const char *label,
                    const unsigned char vault_id[KURA_VAULT_ID_BYTES]);

/* A wrapped vault key ("slot"): kind, KDF parameters, salt, commitment, nonce, ciphertext.
 * The header bytes are the AEAD's associated data, so parameters cannot be changed. */
enum { KURA_SLOT_CLIENT_KEY = 1, KURA_SLOT_PASSPHRASE = 2 };
#define KURA_SLOT_HEADER (1 + 1 + 8 + 8 + 16 + KURA_COMMITBYTES)
#define KURA_SLOT_BYTES (KURA_SLOT_HEADER + KURA_NONCEBYTES + KURA_KEYBYTES + KURA_MACBYTES)
typedef struct kura_slot_params {
    unsigned char kind;
    uint64_t opslimit, memlimit;
    unsigned char salt[16];
} kura_slot_params;

void kura_slot_seal(unsigned char out[KURA_SLOT_BYTES], const kura_slot_params *p,
                    const unsigned char wrap[KURA_KEYBYTES],
                    const unsigned char commit[KURA_COMMITBYTES],
                    const unsigned char vault_id[KURA_VAULT_ID_BYTES],
                    const unsigned char vk[KURA_KEYBYTES], const unsigned char *nonce);
KURA_MUST_CHECK int kura_slot_parse(kura_slot_params *p, const unsigned char *in, size_t inlen);
/* KURA_ERR_WRONG_KEY if the commitment differs (checked first, in constant time) and the
 * ciphertext does not open under this key either; KURA_ERR_CORRUPT if the commitment matches
 * but the ciphertext does not open, or the commitment differs but the ciphertext opens (a
 * damaged commitment: damage, not another key). */
KURA_MUST_CHECK int kura_slot_open(unsigned char vk[KURA_KEYBYTES], const unsigned char *in,
                                   size_t inlen, const unsigned char wrap[KURA_KEYBYTES],
                                   const unsigned char commit[KURA_COMMITBYTES],
                                   const unsigned char vault_id[KURA_VAULT_ID_BYTES]);

/* The client-key slot's keys: the 36 symbols through kura_kdf_split. */
void kura_client_key_kek(unsigned char wrap[KURA_KEYBYTES], unsigned char commit[KURA_COMMITBYTES],
                         const kura_client_key *key,
                         const unsigned char vault_id[KURA_VAULT_ID_BYTES]);

/* Associated data for a vault-key ciphertext: "kura1" || vault id || item id || part. */
#define KURA_AD_BYTES (5 + KURA_VAULT_ID_BYTES + KURA_ITEM_ID_BYTES + 1)
void kura_item_ad(unsigned char ad[KURA_AD_BYTES], const unsigned char vault_id[16],
                  const unsigned char item_id[16], char part);

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
/* A read transaction (BEGIN), so several reads see one state; a no-op inside another. */
KURA_MUST_CHECK int kura_db_begin_read(kura_db *db);
KURA_MUST_CHECK int kura_db_commit(kura_db *db);
void kura_db_rollback(kura_db *db);
/* Meta values: the returned blob is malloc'd (caller frees p). */
KURA_MUST_CHECK int kura_db_meta_get(kura_db *db, kura_blob *out, const char *key);
KURA_MUST_CHECK int kura_db_meta_put(kura_db *db, const char *key, const void *p, size_t n);
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
/* The items of bucket b in id order. */
KURA_MUST_CHECK int kura_db_bucket_items(kura_db *db, unsigned b, kura_db_row_fn fn, void *ctx);
/* The items whose ids lie in [lo, hi] (16 bytes each), in id order. */
KURA_MUST_CHECK int kura_db_range_items(kura_db *db, const unsigned char *lo,
                                        const unsigned char *hi, kura_db_row_fn fn, void *ctx);
/* The ids of the items whose title index tag is name (format 2), in id order: fn gets each
 * id as the row's key. */
KURA_MUST_CHECK int kura_db_named(kura_db *db, const unsigned char *name, kura_db_row_fn fn,
                                  void *ctx);
/* The file's format (1 to 3: SQLite's user_version). */
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
/* Bucket b's stored hash: KURA_ERR_NOT_FOUND if it has none (an empty bucket). */
KURA_MUST_CHECK int kura_db_bucket_get(kura_db *db, unsigned b, unsigned char h[32]);
/* Stores bucket b's hash, or with h NULL removes its row. */
KURA_MUST_CHECK int kura_db_bucket_put(kura_db *db, unsigned b, const unsigned char *h);
KURA_MUST_CHECK int kura_db_bucket_count(kura_db *db, size_t *count);
KURA_MUST_CHECK int kura_db_buckets_clear(kura_db *db);
const char *kura_db_error(const kura_db *db);

/* ---- files.c ---- */
/* Makes dir (and its parents) 0700 if missing. */
KURA_MUST_CHECK int kura_mkdir_private(const char *dir);
/* Reads a whole small file (at most max bytes) into sodium_malloc memory. */
KURA_MUST_CHECK int kura_read_small(unsigned char **out, size_t *outlen, const char *path,
                                    size_t max);
/* KURA_OK if dir is a directory (not a link) of this user's with no access for others;
 * KURA_ERR_PERM if not (*owner, if not NULL, gets its owner), KURA_ERR_NOT_FOUND if absent.
 * The session folder may be /tmp/kura-<uid>, which another user can make first. */
KURA_MUST_CHECK int kura_dir_private(const char *dir, unsigned long *owner);
/* Overwrites a file with zeros, syncs and unlinks it. */
int kura_shred(const char *path);
/* Overwrites an open regular file with zeros and syncs it. */
int kura_zero_fd(int fd);
/* statfs's f_type for path (0 if unknown); weak, so a test binary can play other disks. */
unsigned long kura_fs_type(const char *path);
/* "nfs", "smb", ... for a network filesystem's f_type; NULL for any other. */
const char *kura_network_fs_name(unsigned long type);
/* fsyncs the folder that holds path, so a rename in it is durable. */
int kura_sync_parent(const char *path);

/* ---- the vault handle (vault.c), shared with item.c and session.c ---- */
struct kura_vault {
    kura_db *db;
    char *path;
    unsigned char id[KURA_VAULT_ID_BYTES];
    char id_text[KURA_VAULT_ID_TEXT + 1];
    unsigned char *keys; /* sodium_malloc: vk, item key, state key; NULL while locked */
    char *name;          /* sodium_malloc, after unlock */
    kura_client_key *client_key;
    char *state_dir;    /* where this device's record of the newest state lives; NULL: none */
    int trust_file;     /* accept the file as it is at the next unlock (kura_vault_trust_file) */
    int as_is;          /* a damaged file read as it is: read-only, lenient, unsigned reads */
    size_t unreadable;  /* as_is: stretches of the file the last whole read could not parse */
    int resign;         /* the unlock found a state to re-sign (trust_file) */
    uint64_t state_gen; /* the state checked last */
    unsigned char state_tag[KURA_STATE_TAG];
    unsigned char state_prev[KURA_STATE_TAG]; /* format 3: the link of the state before it */
    unsigned char state_link[KURA_STATE_TAG]; /* the link of the state checked last: its
                                               * place in the chain (state.c) */
    int root_checked;                         /* the state above was checked against the file ... */
    unsigned root_version;                    /* ... at this data version (kura_db_data_version) */
    unsigned bucket_checked; /* 1 + the bucket checked last at that version; 0: none */
    unsigned char *prints;   /* per item of the bucket checked last: id (16) || BLAKE2b-256 of
                              * its overview and details, as the check read them (malloc) */
    size_t n_prints, cap_prints;
    unsigned prints_bucket;               /* 1 + that bucket; 0: none */
    crypto_generichash_state *hash_state; /* sodium_malloc: the keyed hash being computed */
    char *cache_dir;                      /* where the overview cache lives (cache.c); NULL: none */
    /* Format 1 to 2 inside the first write transaction (kura_items_upgrade): set by the layer
     * that opens the vault, so the state below it calls the items above it only this way. */
    int (*upgrade_items)(kura_vault *v);
    unsigned char *scratch; /* sodium_malloc: plaintext being sealed, wiped after each use */
    size_t scratch_cap;
};
#define VAULT_KEYS (4 * KURA_KEYBYTES)
#define VK(v) ((v)->keys)
#define ITEM_KEY(v) ((v)->keys + KURA_KEYBYTES)
#define STATE_KEY(v) ((v)->keys + 2 * KURA_KEYBYTES)
#define NAME_KEY(v) ((v)->keys + 3 * KURA_KEYBYTES)

/* Fills the item key, the state key and the title index key from the vault key (keys:
 * VAULT_KEYS bytes). */
void kura_vault_derive_keys(unsigned char *keys);

/* Meta rows with their unkeyed checksum (handle.c). A missing or damaged row is
 * KURA_ERR_CORRUPT; the blob is malloc'd. */
KURA_MUST_CHECK int kura_meta_get(kura_vault *v, kura_blob *out, const char *key);
KURA_MUST_CHECK int kura_meta_put(kura_vault *v, const char *key, const unsigned char *p, size_t n);

/* ---- state.c: the signed state over the whole file, and the rollback guard ---- */
/* At unlock, inside the caller's read transaction: the stored state against the bucket rows
 * and records (the whole file too when trust_file is set; a failure then sets v->resign),
 * then this device's record of the newest state it saw. Sets v->state_gen. */
KURA_MUST_CHECK int kura_state_check(kura_vault *v);
/* The bucket of item id (its first bits: kura_db_bucket_bits). */
unsigned kura_bucket_of(const kura_vault *v, const unsigned char *id);
/* Bucket b, or item id's, against its items (KURA_ERR_CORRUPT if they differ). */
KURA_MUST_CHECK int kura_state_check_bucket(kura_vault *v, unsigned b);
KURA_MUST_CHECK int kura_state_check_item(kura_vault *v, const unsigned char *id);
/* Reads item id (malloc'd blobs) after checking its bucket, and refuses as tampering bytes
 * other than those the check read (the signed path): a lookup never returns what the state
 * did not cover, whatever the file's b-trees say. KURA_ERR_NOT_FOUND if there is no such
 * item. */
KURA_MUST_CHECK int kura_state_item_get(kura_vault *v, const unsigned char *id, kura_blob *ov,
                                        kura_blob *det);
/* Every bucket against its items, and no bucket row without items. */
KURA_MUST_CHECK int kura_state_check_all(kura_vault *v);
/* The same, in the same single pass handing each item row to each (a listing reads the file
 * once, not twice). A failure of the check may come after each saw every row. */
KURA_MUST_CHECK int kura_state_check_all_rows(kura_vault *v, kura_db_row_fn each, void *ctx);
/* Re-hashes bucket b, or the bucket of item id, under key (after a write to it). */
KURA_MUST_CHECK int kura_state_put_bucket(kura_vault *v, const unsigned char *key, unsigned b);
KURA_MUST_CHECK int kura_state_put_item(kura_vault *v, const unsigned char *key,
                                        const unsigned char *id);
/* Re-hashes every bucket under key (after a rotation, or to trust a file). */
KURA_MUST_CHECK int kura_state_rebuild(kura_vault *v, const unsigned char *key);
/* Signs the bucket rows and records as they are now, with generation gen, under key. */
KURA_MUST_CHECK int kura_state_put(kura_vault *v, const unsigned char *key, uint64_t gen);
/* Format 2 to 3 inside the caller's write transaction: the chain table, its first row the
 * state just checked. */
KURA_MUST_CHECK int kura_state_upgrade_chain(kura_vault *v);
/* The stored state against the bucket rows and records, inside the caller's transaction; sets
 * v->state_gen, tag and link. A state checked before, on an unchanged file, is not hashed
 * again. */
KURA_MUST_CHECK int kura_state_check_root(kura_vault *v);
/* A storage failure on v in words: the file's own damage as tampering (KURA_ERR_TAMPERED),
 * memory, else SQLite's message. Returns the code. */
int kura_state_fail(kura_vault *v, int rc);

/* ---- seen.c: this device's record, and the chain of states (below state.c) ---- */
/* 1 if the file's states form a chain (format 3). */
int kura_state_chained(const kura_vault *v);
/* A state's link: BLAKE2b-256("kura/link/1" || prev || tag); out may be prev. */
void kura_state_link(unsigned char out[KURA_STATE_TAG], const unsigned char prev[KURA_STATE_TAG],
                     const unsigned char tag[KURA_STATE_TAG]);
/* After a commit: records v's state as the newest this device has seen. */
void kura_state_seen(kura_vault *v, int force);
/* v's checked state against this device's record: KURA_ERR_ROLLED_BACK, KURA_ERR_FORK, or
 * KURA_OK (the record moved forward; with trust_file, v->resign set instead of failing). */
KURA_MUST_CHECK int kura_seen_check(kura_vault *v);

/* ---- txn.c: reads and writes as transactions (above state.c) ---- */
/* A read: a read transaction, the state checked (whole: every bucket too, for reads of every
 * item); end it with kura_vault_read_end. */
KURA_MUST_CHECK int kura_vault_read_begin(kura_vault *v, int whole);
void kura_vault_read_end(kura_vault *v);
/* A write: BEGIN IMMEDIATE, the state checked, and the bucket of item id (NULL: none); then
 * end it: if rc is KURA_OK the bucket is re-hashed, the state moves on and the transaction
 * commits, else everything rolls back. Returns the result. */
KURA_MUST_CHECK int kura_vault_write_begin(kura_vault *v, const unsigned char *id);
KURA_MUST_CHECK int kura_vault_write_end(kura_vault *v, int rc, const unsigned char *id);

/* ---- cache.c: the overview cache ---- */
/* If v's cache is of the state v checked last (v->state_gen, tag), hands fn its records a
 * chunk at a time (guarded memory, wiped after). KURA_ERR_NOT_FOUND if there is none or it is
 * stale; KURA_ERR_CORRUPT if a chunk does not open or fn refused one (then fn may have seen
 * some chunks); else fn's first failure. */
KURA_MUST_CHECK int kura_cache_each(kura_vault *v,
                                    int (*fn)(void *ctx, const unsigned char *records, size_t n),
                                    void *ctx);
/* Writes the records (id (16) | length (4) | overview plaintext, one after another) as v's
 * cache of its current state (best effort). */
void kura_cache_store(kura_vault *v, const unsigned char *body, size_t len);

/* dir/<vault id>.device (device.c). */
int kura_device_path(char *out, size_t n, const char *dir, const char *vault_id);

/* Re-seals every item's two parts under new_item_key, and re-tags its title under
 * new_name_key, inside the caller's transaction (item.c). *count gets the number of items. */
KURA_MUST_CHECK int kura_items_rekey(kura_vault *v, const unsigned char *new_item_key,
                                     const unsigned char *new_name_key, size_t *count);
/* Format 1 to 2 (item.c), inside the caller's write transaction, every bucket checked first:
 * adds the title index and re-hashes every bucket. */
KURA_MUST_CHECK int kura_items_upgrade(kura_vault *v);

/* Decrypts an item row (id, overview, details) into into: KURA_ERR_CORRUPT if a part does not
 * open (item.c). */
KURA_MUST_CHECK int kura_item_from_row(kura_vault *v, kura_item *into, const kura_row *r);
/* Stores item under its own id (item->id) and times, in a batch (item.c): salvage. */
KURA_MUST_CHECK int kura_batch_insert(kura_batch *b, kura_item *item);
/* Makes a vault file at path (it must not exist) holding this id, vault key and client key,
 * its first state at generation gen, named name; *out unlocked (vault.c). adopt: this
 * device's record of the vault moves to the new file (salvage: the same vault made anew).
 * On failure nothing is left at path. */
KURA_MUST_CHECK int kura_vault_make(kura_vault **out, const char *path,
                                    const unsigned char id[KURA_VAULT_ID_BYTES],
                                    const unsigned char vk[KURA_KEYBYTES],
                                    const kura_client_key *key, const char *name, uint64_t gen,
                                    int adopt);
/* The generation of this device's record of v, 0 if none (seen.c). */
uint64_t kura_state_seen_gen(const kura_vault *v);

/* Sets this thread's failure detail (kura_error_detail; printf-style) and returns rc
 * (errors.c); kura_detail_clear empties it, so a call can tell whether a deeper one set it. */
int kura_fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kura_detail_clear(void);
/* The same, before the detail a deeper call set: "cannot write X: <deeper detail>". */
int kura_fail_in(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unlocks v with a raw vault key (from a slot or a session). */
KURA_MUST_CHECK int kura_vault_unlock_vk(kura_vault *v, const unsigned char vk[KURA_KEYBYTES]);

/* 1 if s[0..n) is UTF-8 without NUL bytes (item.c). */
int kura_utf8_valid(const char *s, size_t n);

/* Loads the module file name (vault/module.c): next to the program, then in the install's
 * lib/kura. NULL with err set when it is missing or does not load. */
void *kura_module_load(const char *name, char *err, size_t errlen);
/* A symbol of a loaded module (NULL module: NULL, err already set). */
void *kura_module_entry(void *module, const char *module_name, const char *symbol, char *err,
                        size_t errlen);

/* A module loaded on first use: KURA_MODULE("kura-kit.so"). */
typedef struct kura_module {
    const char *name;
    pthread_mutex_t mu;
    int tried;
    void *handle;
    char err[300];
} kura_module;
#define KURA_MODULE(file)                                                                          \
    {                                                                                              \
        .name = file, .mu = PTHREAD_MUTEX_INITIALIZER                                              \
    }
/* A symbol of m, loading m the first time (thread-safe); NULL with the failure's detail
 * (kura_error_detail) saying why m did not load or lacks it. */
void *kura_module_symbol(kura_module *m, const char *symbol);

/* Hex helpers. */
void kura_hex(char *out, const unsigned char *in, size_t n);
KURA_MUST_CHECK int kura_unhex(unsigned char *out, size_t n, const char *hex);

#endif
