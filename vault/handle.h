/* handle.h: the vault handle (its fields, its keys) and its records (meta rows, handle.c).
 * Above storage.h. Not installed. */
#ifndef KURA_VAULT_HANDLE_H
#define KURA_VAULT_HANDLE_H

/* How many buckets a vault handle remembers as checked (state.c). */
#define KURA_CHECKED_BUCKETS 8

#include "storage.h"

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
    /* The buckets checked last (a lookup by title checks each candidate's, and the get that
     * follows one of them again): per bucket, each item's id (16) || BLAKE2b-256 of its
     * overview and details as the check read them, so the item read after is known to be
     * the one hashed; not hashed again while the file and its checked state are the same. */
    struct kura_checked {
        unsigned bucket;       /* 1 + the bucket; 0: none */
        int current;           /* checked under the state above, at root_version */
        unsigned char *prints; /* malloc */
        size_t n, cap;
    } checked[KURA_CHECKED_BUCKETS];
    unsigned checked_next;                /* the entry the next new bucket takes */
    crypto_generichash_state *hash_state; /* sodium_malloc: the keyed hash being computed */
    char *cache_dir;                      /* where the overview cache lives (cache.c); NULL: none */
    /* Format 1 to 2 inside the first write transaction (kura_items_upgrade): set by the layer
     * that opens the vault, so the state below it calls the items above it only this way. */
    int (*upgrade_items)(kura_vault *v);
    unsigned char *scratch; /* sodium_malloc: plaintext being sealed, wiped after each use */
    size_t scratch_cap;
    unsigned char *dirty; /* items this write changed (ids), recorded before it commits ... */
    size_t n_dirty, cap_dirty;
    int (*before_commit)(kura_vault *v); /* ... by this (vault.c: items, then chunks) */
    unsigned char *sweep;      /* attachments a pruned version named: item id || attachment id */
    size_t n_sweep, cap_sweep; /* each, looked at before the write commits (attach.c) */
    int sweep_failed;          /* a note did not fit in memory */
    unsigned char device[KURA_DEVICE_ID_BYTES]; /* this copy's id (item_past.c) ... */
    int have_device;                            /* ... once read or made */
    unsigned history_keep, history_days;        /* what an item's history keeps at least */
    kura_gbuf touched;  /* the write under way: each item it changed, id (16) | length (4) |
                         * overview plaintext (0xffffffff: deleted), for the overview cache */
    kura_gbuf spare[4]; /* guarded buffers lent and given back (kura_buf_lend), kept between */
    size_t n_spare;     /* uses so that many items in a row cost no allocation */
};
#define VAULT_KEYS (4 * KURA_KEYBYTES)
#define VK(v) ((v)->keys)
#define ITEM_KEY(v) ((v)->keys + KURA_KEYBYTES)
#define STATE_KEY(v) ((v)->keys + 2 * KURA_KEYBYTES)
#define NAME_KEY(v) ((v)->keys + 3 * KURA_KEYBYTES)

/* A guarded buffer, empty, lent by the handle (handle.c); kura_buf_return wipes what was used
 * and keeps it for the next (or frees it). */
kura_gbuf kura_buf_lend(kura_vault *v);
void kura_buf_return(kura_vault *v, kura_gbuf *b);
/* Frees the buffers kept (when the keys go). */
void kura_buf_spares_free(kura_vault *v);

/* Meta rows with their unkeyed checksum (handle.c). A missing or damaged row is
 * KURA_ERR_CORRUPT; the blob is malloc'd. */
KURA_MUST_CHECK int kura_meta_get(kura_vault *v, kura_blob *out, const char *key);
/* The same for a record that may be missing: KURA_ERR_NOT_FOUND then. */
KURA_MUST_CHECK int kura_meta_find(kura_vault *v, kura_blob *out, const char *key);
KURA_MUST_CHECK int kura_meta_put(kura_vault *v, const char *key, const unsigned char *p, size_t n);

#endif
