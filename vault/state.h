/* state.h: the signed state over the file (state.c), this device's record and the chain
 * (seen.c), transactions (txn.c) and the overview cache (cache.c). Above handle.h. Not
 * installed. */
#ifndef KURA_VAULT_STATE_H
#define KURA_VAULT_STATE_H

#include "handle.h"

/* ---- state.c: the signed state over the whole file, and the rollback guard ---- */
/* At unlock, inside the caller's read transaction: the stored state against the bucket rows
 * and records (the whole file too when trust_file is set; a failure then sets v->resign),
 * then this device's record of the newest state it saw. Sets v->state_gen. */
KURA_MUST_CHECK int kura_state_check(kura_vault *v);
/* The bucket of item id (its first bits: kura_db_bucket_bits). */
unsigned kura_bucket_of(const kura_vault *v, const unsigned char *id);
/* Bucket b, or item id's, against its items (KURA_ERR_CORRUPT if they differ). */
KURA_MUST_CHECK int kura_state_check_bucket(kura_vault *v, unsigned b);
/* Forgets that the state and which buckets were checked (a write, a new state), and with
 * prints_too what the buckets held (the keys are gone). */
void kura_state_forget_checks(kura_vault *v, int prints_too);
KURA_MUST_CHECK int kura_state_check_item(kura_vault *v, const unsigned char *id);
/* Reads item id (malloc'd blobs) after checking its bucket, and refuses as tampering bytes
 * other than those the check read (the signed path): a lookup never returns what the state
 * did not cover, whatever the file's b-trees say. KURA_ERR_NOT_FOUND if there is no such
 * item. */
KURA_MUST_CHECK int kura_state_item_get(kura_vault *v, const unsigned char *id, kura_blob *ov,
                                        kura_blob *det);
/* Format 4: the bucket number of item id's past row (after the items' buckets), and that row
 * read the signed way, as kura_state_item_get reads items. KURA_ERR_NOT_FOUND if none. */
unsigned kura_past_bucket_of(const kura_vault *v, const unsigned char *id);
KURA_MUST_CHECK int kura_state_past_get(kura_vault *v, const unsigned char *id, kura_blob *body);
/* Every bucket against its items, and no bucket row without items. */
KURA_MUST_CHECK int kura_state_check_all(kura_vault *v);
/* The same, in the same single pass handing each item row to each (a listing reads the file
 * once, not twice). A failure of the check may come after each saw every row. */
KURA_MUST_CHECK int kura_state_check_all_rows(kura_vault *v, kura_db_row_fn each, void *ctx);
/* Re-hashes bucket b, or the buckets of item id (its row's and, in format 4, its past row's),
 * under key (after a write to them). */
KURA_MUST_CHECK int kura_state_put_bucket(kura_vault *v, const unsigned char *key, unsigned b);
KURA_MUST_CHECK int kura_state_put_item(kura_vault *v, const unsigned char *key,
                                        const unsigned char *id);
/* Re-hashes every bucket under key (after a rotation, or to trust a file). */
KURA_MUST_CHECK int kura_state_rebuild(kura_vault *v, const unsigned char *key);
/* Signs the bucket rows and records as they are now, with generation gen, under key. */
KURA_MUST_CHECK int kura_state_put(kura_vault *v, const unsigned char *key, uint64_t gen);
/* Format 3 to 4 inside the caller's write transaction: the (empty) past table. */
KURA_MUST_CHECK int kura_state_upgrade_past(kura_vault *v);
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

/* The generation of this device's record of v, 0 if none (seen.c). */
uint64_t kura_state_seen_gen(const kura_vault *v);

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
/* After a write committed, moving the state on from from_gen and from_tag: v->touched, what
 * it changed, goes into the cache's delta, so the next listing needs not read the vault
 * (best effort; a delta that cannot continue is dropped). */
void kura_cache_note(kura_vault *v, uint64_t from_gen, const unsigned char *from_tag);
/* Removes the delta (a new cache holds its changes). */
void kura_cache_drop_delta(kura_vault *v);

#endif
