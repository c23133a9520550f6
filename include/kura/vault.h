/* kura/vault.h: the encrypted vault file, its items, and sessions.
 * Nothing here prints, prompts or exits. Strings are UTF-8 and NUL-terminated. */
#ifndef KURA_VAULT_H
#define KURA_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include "errors.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KURA_FORMAT_VERSION 6
#define KURA_VAULT_ID_BYTES 16
#define KURA_VAULT_ID_TEXT 26 /* Crockford base32 of the 16 id bytes */
#define KURA_SHORT_ID_TEXT 8  /* the first symbols of the id, for humans */
#define KURA_ITEM_ID_BYTES 16
#define KURA_ITEM_ID_TEXT 32    /* lowercase hex */
#define KURA_DEVICE_ID_BYTES 16 /* a copy of the vault: which device wrote a version */

/* Size limits, checked by every setter (KURA_ERR_INVALID past them). Every text must be
 * UTF-8 without NUL; titles, usernames, URLs, tags and field names also without control
 * characters (U+0000-U+001F, U+007F). */
#define KURA_MAX_SHORT 4096 /* title, username, URL, tag, field name, password */
#define KURA_MAX_LONG 65536 /* notes, field value */
#define KURA_MAX_LIST 256   /* URLs, tags or fields per item */

/* A handle may be used by one thread at a time (its SQLite connection is opened without
 * mutexes); separate handles may be used from separate threads. */
typedef struct kura_vault kura_vault;

/* ---- vault files ---- */

/* Creates a new vault at path (the file must not exist; its folder is made 0700 if missing)
 * named name (may be NULL), with a fresh client key written to *key. On success *out is an
 * unlocked handle. On failure *out is NULL and nothing is left at path. */
KURA_MUST_CHECK int kura_vault_create(kura_vault **out, kura_client_key *key, const char *path,
                                      const char *name);

/* Opens an existing vault, locked. Checks the format version (KURA_ERR_TOO_NEW), that it is
 * a kura vault and whole (KURA_ERR_CORRUPT). On failure kura_error_detail() explains, and *out
 * may still hold a handle: always kura_vault_close() it. */
KURA_MUST_CHECK int kura_vault_open(kura_vault **out, const char *path);

/* Closes and frees; wipes keys. NULL is allowed. */
void kura_vault_close(kura_vault *v);

/* The kind of network filesystem the vault file is on ("nfs", "smb", "fuse", ...), or NULL
 * for a local disk (or when it cannot be told). SQLite's file locks are not reliable on
 * network filesystems, so two machines writing at once can corrupt the file: callers warn. */
const char *kura_vault_network_fs(const kura_vault *v);

/* The vault id as text (KURA_VAULT_ID_TEXT symbols). */
const char *kura_vault_id(const kura_vault *v);

/* Unlocks with the client key: KURA_ERR_WRONG_KEY if it is not this vault's; the file is then
 * checked (kura_vault_set_state_dir). */
KURA_MUST_CHECK int kura_vault_unlock(kura_vault *v, const kura_client_key *key);

int kura_vault_is_unlocked(const kura_vault *v);

/* After unlock: the vault's name (owned by v) and its client key (copied to *key). */
const char *kura_vault_name(const kura_vault *v);
KURA_MUST_CHECK int kura_vault_client_key(const kura_vault *v, kura_client_key *key);

/* Which of the vault's client keys a key is: generation 1 for the vault's first, one more
 * with each rotation (one made on another device is learned by sync), made when (seconds
 * since the epoch, 0 if not known here), and whether it is the current key. key NULL: the
 * current one. KURA_ERR_NOT_FOUND for a key this device never had. After unlock. */
typedef struct kura_key_gen {
    unsigned gen;
    int64_t made;
    int current;
} kura_key_gen;
KURA_MUST_CHECK int kura_vault_key_gen(kura_vault *v, const kura_client_key *key,
                                       kura_key_gen *out);

/* Checks everything: the schema, SQLite's integrity_check over the whole file (every page
 * read, so every page checksum; every index against its table), every bucket against the
 * signed state, and both parts of every item decrypted. Opening and reading check only what they
 * touch; this is the whole file. KURA_ERR_CORRUPT if anything fails; *items gets how many items
 * were read. */
KURA_MUST_CHECK int kura_vault_verify(kura_vault *v, size_t *items);

/* The file's format version: 1 (kura 0.1 before the title index) or KURA_FORMAT_VERSION. A
 * format 1 file is read as it is and upgraded by its first write. */
int kura_vault_format(const kura_vault *v);

/* Number of items, locked or not. */
KURA_MUST_CHECK int kura_vault_count(kura_vault *v, size_t *count);

/* Opens a damaged vault as it is, to read what is left (salvage, or --trust-file when the file
 * cannot be re-signed): read-only; page checksums, the schema and the signed state are not
 * checked, every item still by its AEAD and every record by its own sum; what does not read
 * is skipped and counted. Writes are refused. The vault id must still be readable. */
KURA_MUST_CHECK int kura_vault_open_as_is(kura_vault **out, const char *path);
/* 1 if v is read as it is: opened so, or trusted and found too damaged to re-sign. */
int kura_vault_as_is(const kura_vault *v);

/* Salvage: every item of v (opened, usually as it is, and unlocked) whose parts still decrypt
 * goes into a new vault file at to (it must not exist), the same vault: the same id, vault
 * key and client key, so kits, sessions and device slots open it. Its signed state starts
 * above any this device saw, and this device's record moves to it. lost (may be NULL) gets
 * the id of every item that does not decrypt. KURA_ERR_LOCKED if the client key is not known
 * (the vault's own record is damaged and it was unlocked another way). */
typedef struct kura_salvage_report {
    size_t saved;          /* items written to the new vault */
    size_t lost;           /* items read but not decrypted (lost() named each) */
    size_t unreadable;     /* stretches of the file that do not parse: their items are unknown */
    size_t histories;      /* items whose history (past versions, deletions) came along */
    size_t histories_lost; /* histories read but not decrypted, or not readable at all */
    size_t files;          /* attachments (of the items and their histories) whose content came */
    size_t files_lost;     /* attachments whose content did not read whole: named, not there */
} kura_salvage_report;
typedef void (*kura_salvage_lost_fn)(void *ctx, const char *item_id);
KURA_MUST_CHECK int kura_vault_salvage(kura_vault *v, const char *to, kura_salvage_report *r,
                                       kura_salvage_lost_fn lost, void *ctx);

/* Rollback guard. Every unlock checks the file against its signed state (a keyed hash over
 * every item and record, with a generation that each write moves on) and against this
 * device's record of the newest state it has seen, kept in dir (default:
 * kura_default_state_dir()). Rows that do not match the state are KURA_ERR_TAMPERED, a file
 * older than the record KURA_ERR_ROLLED_BACK, one whose chain does not lead back to it
 * KURA_ERR_FORK (reads and writes later check the state too: KURA_ERR_TAMPERED). NULL turns
 * the device record off. */
KURA_MUST_CHECK int kura_vault_set_state_dir(kura_vault *v, const char *dir);
/* The user accepts the file as it is (a backup restored on purpose, a damaged vault to read
 * what is left): the next unlock re-signs it and re-bases this device's record. */
void kura_vault_trust_file(kura_vault *v);

/* The overview cache: with a folder set (the session folder: memory-backed, the user's own),
 * a listing or search of a vault whose signed state has not changed since the last one reads
 * one file there, every overview sealed under a key from VK, instead of the whole vault; any
 * change to the vault makes it stale, and the next listing writes a new one. NULL (the
 * default) turns it off. */
#define KURA_CACHE_SUFFIX ".overviews"
KURA_MUST_CHECK int kura_vault_set_cache_dir(kura_vault *v, const char *dir);

/* Called by kura_vault_rotate with the new client key after every change is written and
 * before it is committed: save it (a kit, the screen). Non-zero aborts the rotation. */
typedef int (*kura_rotate_fn)(void *ctx, const kura_client_key *new_key);

/* Rotates the keys: a new client key (to *new_key) and a new vault key; every item is
 * re-encrypted, and the client-key slot, the vault's record and its key check replaced, in
 * one transaction: a crash leaves either the old key or the new one opening the vault.
 * Sessions and device slots of the old key stop working. *items gets the item count. */
KURA_MUST_CHECK int kura_vault_rotate(kura_vault *v, kura_client_key *new_key, size_t *items,
                                      kura_rotate_fn ready, void *ctx);

/* ---- items ---- */

typedef struct kura_field {
    const char *name;
    const char *value;
    int hidden; /* 1: a secret value, shown only when asked */
} kura_field;

/* What an item is: its type decides which fields it has of its own, in which order they are
 * shown, and which of them are secret. Stored in the overview (format 5), so listings can
 * filter by it without decrypting details. */
enum kura_item_type {
    KURA_TYPE_LOGIN,    /* username, password, URLs, TOTP: every item before format 5 */
    KURA_TYPE_NOTE,     /* a secure note: the notes are the item */
    KURA_TYPE_CARD,     /* a payment card */
    KURA_TYPE_IDENTITY, /* names, address, documents */
    KURA_TYPE_SSH_KEY,  /* an SSH key pair */
    KURA_TYPE_GENERIC,  /* anything else: custom fields only */
};
#define KURA_N_TYPES 6

#define KURA_TF_SECRET 1 /* always hidden (a card's number, a private key) */
#define KURA_TF_LINES 2  /* may hold several lines (an address, a key) */
#define KURA_TF_FILE 4   /* usually read from a file (a private key) */

/* One of a type's own fields: its name (as --field, get --field and JSON name it), a label for
 * people, and KURA_TF_ flags. A type's fields that are not secret are kept in the overview:
 * search finds them, and ls can show them. */
typedef struct kura_type_field {
    const char *name, *label;
    unsigned flags;
} kura_type_field;

typedef struct kura_type {
    const char *name, *label; /* "card", "payment card" */
    const kura_type_field *fields;
    size_t n_fields;
} kura_type;

/* The type with this number, or NULL. */
const kura_type *kura_type_get(int type);
/* The type named name, in any case, or one of its other names ("secure-note", "ssh",
 * "credit-card"...); -1 if none. */
int kura_type_by_name(const char *name);
/* Type type's own field called name (exact), or NULL. */
const kura_type_field *kura_type_field_get(int type, const char *name);

/* A card's expiry as kura keeps it, "MM/YYYY", from MM/YY, MM/YYYY, M/YYYY, MM-YYYY, YYYY-MM
 * or MMYY (spaces around the parts allowed). KURA_ERR_INVALID if it is not a month. */
KURA_MUST_CHECK int kura_card_expiry(char out[8], const char *in);
/* 1 if a card number's digits (spaces and dashes ignored) pass the Luhn check. */
int kura_card_luhn(const char *number);
/* An OpenSSH public key's fingerprint as ssh-keygen -l prints it ("SHA256:" and unpadded
 * base64 of the key blob's SHA-256). KURA_ERR_INVALID if public_key is not "TYPE BASE64 ...". */
KURA_MUST_CHECK int kura_ssh_fingerprint(char *out, size_t cap, const char *public_key);

/* A file attached to an item (format 6): its content lives apart from the item, in chunks
 * sealed under a key of its own (key), which only the item's sealed details hold; listing and
 * searching never read it. */
#define KURA_MAX_ATTACHMENT ((uint64_t)100 << 20) /* bytes, each attachment */
#define KURA_MAX_ATTACHMENTS 64                   /* per item */
#define KURA_ATTACHMENT_ID_BYTES 16
typedef struct kura_attachment {
    const char *name; /* as get --attachment names it: one line, no '/' */
    uint64_t size;    /* bytes */
    unsigned char id[KURA_ATTACHMENT_ID_BYTES];
    unsigned char key[32];  /* the chunks' key: secret (guarded memory, like the item) */
    unsigned char hash[32]; /* BLAKE2b-256 of the content */
    unsigned char device[KURA_DEVICE_ID_BYTES]; /* the copy that sealed the chunks */
} kura_attachment;

/* An item. Strings point into memory the item owns (guarded, wiped on free); change them only
 * through the setters. Listed items carry only the overview part (has_details == 0). */
typedef struct kura_item {
    char id[KURA_ITEM_ID_TEXT + 1];
    int type; /* enum kura_item_type; set with kura_item_set_type */
    const char *title;
    const char *username;
    const char **urls;
    size_t n_urls;
    const char **tags;
    size_t n_tags;
    int64_t created; /* seconds since the epoch, UTC */
    int64_t updated;
    int has_details;
    const char *password; /* NULL: none */
    const char *notes;    /* NULL: none */
    kura_field *fields;
    size_t n_fields;
    kura_attachment *attachments; /* details: the files attached (format 6) */
    size_t n_attachments;
    /* Which version this is (format 4): a hybrid logical clock (milliseconds since the epoch
     * << 16 | a counter; 0: an item from before format 4) and the copy of the vault that wrote
     * it (kura_vault_device_id). Set by every write; a caller's values are ignored. */
    uint64_t stamp;
    unsigned char device[KURA_DEVICE_ID_BYTES];
    struct kura_arena *arena;
} kura_item;

/* A new empty item; NULL when out of memory. Free with kura_item_free. */
kura_item *kura_item_new(void);
void kura_item_free(kura_item *item);
/* Empties an item for reuse (its texts wiped), keeping its memory: for many items in a row. */
void kura_item_clear(kura_item *item);

enum kura_item_text { KURA_TITLE, KURA_USERNAME, KURA_PASSWORD, KURA_NOTES };

/* Sets one text (NULL clears it). KURA_ERR_INVALID if too long or not UTF-8. */
KURA_MUST_CHECK int kura_item_set(kura_item *item, enum kura_item_text which, const char *value);
KURA_MUST_CHECK int kura_item_add_url(kura_item *item, const char *url);
KURA_MUST_CHECK int kura_item_add_tag(kura_item *item, const char *tag);
void kura_item_clear_urls(kura_item *item);
void kura_item_clear_tags(kura_item *item);
/* The item's field called name (exact), or NULL. */
const kura_field *kura_item_field(const kura_item *item, const char *name);
/* Sets the item's type (KURA_ERR_INVALID if not one): the type's secret fields it already has
 * become hidden. */
KURA_MUST_CHECK int kura_item_set_type(kura_item *item, int type);
/* Sets field name (replacing one of the same name) or, with value NULL, removes it. A secret
 * field of the item's type is hidden whatever hidden says.
 * Removing a field that does not exist gives KURA_ERR_NOT_FOUND. */
KURA_MUST_CHECK int kura_item_set_field(kura_item *item, const char *name, const char *value,
                                        int hidden);

/* The item's attachment called name (exact), or NULL. */
const kura_attachment *kura_item_attachment(const kura_item *item, const char *name);
/* Removes attachment name from the item (KURA_ERR_NOT_FOUND if none): kura_item_update then
 * writes the version without it; the content stays while the item's history holds a version
 * that has it. */
KURA_MUST_CHECK int kura_item_detach(kura_item *item, const char *name);
/* Reads fd to its end (at most KURA_MAX_ATTACHMENT bytes: KURA_ERR_TOO_BIG beyond, nothing
 * stored) as a new attachment called name of item (one read with kura_item_get), and writes
 * the item back with it, in one transaction. KURA_ERR_EXISTS if the item has an attachment
 * of that name, KURA_ERR_INVALID if name is not one line without '/' (or the item has
 * KURA_MAX_ATTACHMENTS). */
KURA_MUST_CHECK int kura_item_attach(kura_vault *v, kura_item *item, const char *name, int fd);
/* Writes attachment a of an item read from v to fd, once every chunk has been read and
 * checked (its seal, its place, the whole content's hash): KURA_ERR_CORRUPT (nothing written)
 * if one is damaged, KURA_ERR_NOT_FOUND if this copy does not have its content. */
KURA_MUST_CHECK int kura_attachment_write(kura_vault *v, const kura_attachment *a, int fd);
/* The same into *out (guarded memory, a->size bytes: sodium_free it): for an export. May be
 * called while kura_item_each_whole reads. */
KURA_MUST_CHECK int kura_attachment_read(kura_vault *v, const kura_attachment *a,
                                         unsigned char **out, size_t *n);
/* Checks every chunk of a: KURA_OK, KURA_ERR_CORRUPT or KURA_ERR_NOT_FOUND as above. */
KURA_MUST_CHECK int kura_attachment_check(kura_vault *v, const kura_attachment *a);
/* kura_attachment_check for every attachment of every item and of every version in the
 * items' histories (kura check): *files and *bytes count those that check out; the first that
 * does not is the failure (its item in the detail). */
KURA_MUST_CHECK int kura_vault_verify_files(kura_vault *v, size_t *files, uint64_t *bytes);

/* A digest of what an item holds (every text, list and field, in order; not its id or
 * times): two items with the same digest say the same thing. Used to tell an unchanged
 * item on re-import. */
#define KURA_ITEM_DIGEST_BYTES 32
KURA_MUST_CHECK int kura_item_digest(unsigned char out[KURA_ITEM_DIGEST_BYTES],
                                     const kura_item *item);

/* Stores a new item: gives it an id and timestamps. The vault must be unlocked. Attachments it
 * has (copied from another item) get copies of their content of their own, in the same
 * transaction. */
KURA_MUST_CHECK int kura_item_add(kura_vault *v, kura_item *item);

/* Reads the whole item with id (full KURA_ITEM_ID_TEXT hex). KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_item_get(kura_vault *v, kura_item **out, const char *id);

/* Writes back an item read with kura_item_get (stamps updated). */
KURA_MUST_CHECK int kura_item_update(kura_vault *v, kura_item *item);

/* Deletes the item with id. KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_item_delete(kura_vault *v, const char *id);

/* Many new items in one transaction (an import): begin, add each, then commit; abort (or a
 * failure, or the process dying) leaves the vault as it was. Each add gives the item an id,
 * and timestamps where it has none, and may be freed after. Other writers wait meanwhile. */
typedef struct kura_batch kura_batch;
KURA_MUST_CHECK int kura_batch_begin(kura_vault *v, kura_batch **out);
KURA_MUST_CHECK int kura_batch_add(kura_batch *b, kura_item *item);
/* Writes item over the stored item with the same id (item->id), keeping item->created
 * (stamped now if unset) and stamping updated. KURA_ERR_NOT_FOUND if there is none. */
KURA_MUST_CHECK int kura_batch_replace(kura_batch *b, kura_item *item);
/* Reads an item inside the batch (what the batch wrote to it included) into into, which is
 * emptied first (kura_item_new's memory reused: many reads in a row cost no allocation). */
KURA_MUST_CHECK int kura_batch_get(kura_batch *b, kura_item *into, const char *id);
/* An older version of item (stored in this batch, or the vault's: item->id) into its history:
 * old as it was when it was current (its updated time), e.g. an imported password history.
 * *added: 0 when a version of that time from this device is there already (not added twice). */
KURA_MUST_CHECK int kura_batch_past(kura_batch *b, const kura_item *item, const kura_item *old,
                                    int *added);
/* kura_item_attach inside a batch (an import), from memory: kura_batch_add then stores the
 * item. */
KURA_MUST_CHECK int kura_batch_attach(kura_batch *b, kura_item *item, const char *name,
                                      const unsigned char *p, size_t n);
/* Signs and commits what was added; frees b whatever the result. */
KURA_MUST_CHECK int kura_batch_commit(kura_batch *b);
/* Rolls back and frees b (NULL is allowed). */
void kura_batch_abort(kura_batch *b);

/* Re-imports (item_merge.c). An imported item that matches one of the vault's (same title,
 * username and first URL) is merged into it rather than added again. */
typedef struct kura_matches kura_matches;
/* The vault's items, each known by a keyed hash of those three (nothing of them kept in the
 * clear). The vault must be unlocked. */
KURA_MUST_CHECK int kura_matches_load(kura_vault *v, kura_matches **out);
void kura_matches_free(kura_matches *m);
/* What an imported item has and the vault's item lacks or holds older, merged into it: never
 * going back in time, never removing. When src was changed after into (both times known), its
 * password, notes and field values replace into's and its URLs and tags are added. Otherwise
 * nothing of into's is overwritten: what it lacks is added (a password or notes where it has
 * none, a field of another name; URLs and tags only when src has no time, since a newer item
 * may have dropped them), and each value that differs is left alone and counted in *kept. */
KURA_MUST_CHECK int kura_item_merge(kura_item *into, const kura_item *src, size_t *kept);
/* What kura_batch_merge did with an item. */
enum kura_merged { KURA_MERGED_ADDED, KURA_MERGED_UPDATED, KURA_MERGED_UNCHANGED };
/* Puts it into b: added when it matches none of m's items (each is matched at most once),
 * else merged into the match (kura_item_merge, through scratch, an item from kura_item_new)
 * and written back, or left as it is when that changes nothing. */
KURA_MUST_CHECK int kura_batch_merge(kura_batch *b, kura_matches *m, kura_item *it,
                                     kura_item *scratch, enum kura_merged *what, size_t *kept);

typedef struct kura_items kura_items;

/* ---- item history (format 4) ---- */

/* Each write keeps the version it replaces, and each delete the last version and a record of
 * the deletion, in the item's history: at least the last keep versions and every version of
 * the last days days (kura_vault_set_history; by default 20 and 90). */
#define KURA_HISTORY_KEEP 20
#define KURA_HISTORY_DAYS 90
void kura_vault_set_history(kura_vault *v, unsigned keep, unsigned days);

/* One entry of an item's history: a version (item, whole) or a deletion (item NULL). */
typedef struct kura_version {
    uint64_t stamp; /* when: kura_item's stamp (milliseconds since the epoch << 16 | counter) */
    unsigned char device[KURA_DEVICE_ID_BYTES];
    int deleted;     /* a deletion record */
    int current;     /* the item as it is now */
    kura_item *item; /* NULL for a deletion */
} kura_version;
typedef struct kura_history {
    kura_version *versions; /* oldest first; version N is versions[N - 1] */
    size_t count;
} kura_history;
/* The history of the item with id (live or deleted): KURA_ERR_NOT_FOUND if it has none and
 * does not exist. Free with kura_history_free. */
KURA_MUST_CHECK int kura_item_history(kura_vault *v, kura_history **out, const char *id);
void kura_history_free(kura_history *h);
/* Makes version n (1 = the oldest) of item id its newest: a new version with its content
 * (the deleted item back, for one deleted). KURA_ERR_NOT_FOUND if there is no version n,
 * KURA_ERR_INVALID if it is a deletion. */
KURA_MUST_CHECK int kura_item_restore(kura_vault *v, const char *id, size_t n);
/* The deleted items that still have a history: each as its last version's overview, its
 * updated time the deletion's. Sorted by title. Free with kura_items_free. */
KURA_MUST_CHECK int kura_item_list_deleted(kura_vault *v, kura_items **out);
/* This copy's device id (kura_item's device), made with its first write in format 4;
 * KURA_ERR_NOT_FOUND before that. */
KURA_MUST_CHECK int kura_vault_device_id(kura_vault *v, unsigned char out[KURA_DEVICE_ID_BYTES]);

struct kura_items {
    kura_item *items; /* overview parts only, sorted by title then id */
    size_t count;
    size_t damaged;    /* items skipped because their overview does not decrypt (a file the
                        * user trusted as it is); kura_error_detail() names the first */
    size_t unreadable; /* a vault read as it is: stretches of the file that do not parse
                        * (their items unknown) */
    struct kura_arena *arena;
};

/* Lists items whose title, username, URLs, tags or non-secret type fields (a card's holder, an
 * identity's names, an SSH key's fingerprint) contain query (case-insensitive ASCII folding,
 * UTF-8 compared bytewise otherwise); query NULL or "" lists all. Listed items carry their type
 * and those fields. Never decrypts passwords, notes or other fields. Free with
 * kura_items_free. */
KURA_MUST_CHECK int kura_item_list(kura_vault *v, kura_items **out, const char *query);
void kura_items_free(kura_items *list);

/* Finds the items a user means by ref: an id, a unique id prefix of at least 6 hex digits,
 * or an exact title (ASCII case-insensitive). Result as kura_items (may be several:
 * the caller reports the ambiguity). KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_item_resolve(kura_vault *v, kura_items **out, const char *ref);

/* Calls fn with every item, whole (details too), in id order, in one pass that also checks
 * every bucket; the item is reused after fn returns (copy what you keep). A non-zero return
 * from fn stops and is returned. For exports. A vault read as it is (kura_vault_as_is) gets
 * fn for every item that still reads, then KURA_ERR_CORRUPT if any did not. */
typedef int (*kura_item_fn)(void *ctx, const kura_item *item);
KURA_MUST_CHECK int kura_item_each_whole(kura_vault *v, kura_item_fn fn, void *ctx);

/* ---- encrypted exports ---- */

/* Writes a file that holds secrets: 0600, created new under a temporary name, synced, then
 * renamed over path. KURA_ERR_IO (errno says why) on failure. */
KURA_MUST_CHECK int kura_write_private_file(const char *path, const void *p, size_t n);

/* 1 if file starts as a kura encrypted export. */
int kura_export_is(const unsigned char *file, size_t n);
/* Seals data (kura JSON) under passphrase (Argon2id at libsodium's MODERATE limits, then
 * secretstream in 64 KiB chunks) into a new file at path, 0600, replaced atomically. */
KURA_MUST_CHECK int kura_export_seal(const char *path, const unsigned char *data, size_t len,
                                     const char *pass, size_t passlen);
/* Opens an encrypted export read whole into file: *out (sodium_malloc; sodium_free it) gets
 * the data. KURA_ERR_WRONG_KEY if the passphrase does not open it (or its first chunk is
 * damaged), KURA_ERR_CORRUPT if it is not an export, damaged, cut short or asks for KDF
 * limits under MODERATE or over 64 passes and 8 GiB. */
KURA_MUST_CHECK int kura_export_open(unsigned char **out, size_t *outlen, const unsigned char *file,
                                     size_t n, const char *pass, size_t passlen);

/* ---- guarded output ---- */

/* Memory that grows, kept in guarded pages (sodium_malloc: never swapped, wiped when it moves
 * or is freed): for building output that holds secrets. Start from {0}. */
typedef struct kura_gbuf {
    unsigned char *p;
    size_t n, cap;
    int failed; /* an add ran out of memory: what came after it was dropped */
} kura_gbuf;
/* Appends n bytes. KURA_OK, or KURA_ERR_NOMEM (and failed is set). */
int kura_gbuf_add(kura_gbuf *b, const void *p, size_t n);
/* Wipes and frees the contents; b is empty again. */
void kura_gbuf_free(kura_gbuf *b);

/* The growable array (for lists that hold no secret; kura_gbuf is for bytes that do): makes
 * room in *(T **)array, of *cap elements of size bytes, for element n, doubling from 16.
 * KURA_OK, or KURA_ERR_NOMEM with the array as it was. Start from NULL and 0. */
KURA_MUST_CHECK int kura_grow(void *array, size_t *cap, size_t n, size_t size);

/* ---- one-time passwords ---- */

/* An item's TOTP secret is its hidden field KURA_OTP_FIELD: an otpauth://totp/ URI or a base32
 * secret. */
#define KURA_OTP_FIELD "otp"

typedef struct kura_totp_code {
    char code[11];      /* the digits, NUL-terminated */
    unsigned digits;    /* 6 to 8; 5 for Steam Guard (letters and digits) */
    unsigned period;    /* seconds a code lasts */
    unsigned remaining; /* seconds this one has left */
} kura_totp_code;

/* The TOTP (RFC 6238, through liboath) of spec at time now (seconds since the epoch): spec is
 * an otpauth://totp/ URI (its secret; algorithm SHA1, SHA256 or SHA512; digits 6 to 8;
 * period) or a base32 secret (any case, spaces allowed): SHA1, 6 digits, 30 s. Steam Guard's
 * five-character codes for a URI with encoder=steam, otpauth://steam/, or steam://SECRET.
 * KURA_ERR_INVALID if spec is neither, KURA_ERR_NOT_FOUND for an otpauth URI of another kind
 * (hotp: a counter kura does not keep). */
KURA_MUST_CHECK int kura_totp(kura_totp_code *out, const char *spec, int64_t now);

/* ---- sessions ---- */

#define KURA_SESSION_TEXT 98 /* "<32 hex session id>.<64 hex token>" + NUL */

/* Starts a session for an unlocked vault: writes a blob into dir (made 0700 if missing) and
 * puts the handle text for KURA_SESSION into out. Idle timeout in seconds. */
KURA_MUST_CHECK int kura_session_start(char out[KURA_SESSION_TEXT], kura_vault *v, const char *dir,
                                       unsigned timeout);

/* Unlocks v from its session among the handles in list (KURA_SESSION: one handle per vault,
 * ':' between them). KURA_ERR_NOT_FOUND if there is no such session, it is from before a key
 * rotation (then it is removed), or its key left the kernel keyring; KURA_ERR_EXPIRED if it
 * timed out (then it is removed, and kura_error_detail says after how long and when). A
 * successful resume restarts the idle clocks (the blob's, and the kernel keyring's where the
 * session is held there). *remaining (may be NULL) gets the seconds left. KURA_NO_KEYRING set
 * in the environment keeps new sessions out of the kernel keyring. */
KURA_MUST_CHECK int kura_session_resume(kura_vault *v, const char *dir, const char *list,
                                        unsigned *remaining);

/* What is known of vault_id's session in list without its token (for kura status). */
typedef struct kura_session_state {
    int found;        /* list names a session of this vault */
    int open;         /* its blob is there (it may still turn out to have timed out) */
    int kernel;       /* its idle timeout is held by the kernel keyring too */
    unsigned timeout; /* idle timeout, seconds (0: not known) */
    int64_t last;     /* last use (0: not known) */
    int64_t ended;    /* when it timed out (0: it did not, or it is not known) */
} kura_session_state;
KURA_MUST_CHECK int kura_session_state_of(kura_session_state *out, const char *dir,
                                          const char *list, const char *vault_id);
/* list without vault_id's handle, and without handles whose sessions are gone: what
 * KURA_SESSION becomes when this vault's session ends or is replaced. Into out (cap). */
KURA_MUST_CHECK int kura_session_list_without(char *out, size_t cap, const char *dir,
                                              const char *list, const char *vault_id);

/* Ends a session (one handle): its blob is overwritten and removed, its keyring key
 * revoked. KURA_ERR_NOT_FOUND if none. */
KURA_MUST_CHECK int kura_session_end(const char *dir, const char *handle);

/* Ends every session of the vault with this id (text) in dir, without their tokens; *count
 * gets how many. For a reset. */
KURA_MUST_CHECK int kura_session_end_all(const char *dir, const char *vault_id, size_t *count);

/* ---- device slots ---- */

/* Enrolls this device: writes dir/<vault id>.device holding the vault key wrapped under
 * Argon2id(passphrase) with the given limits (at least libsodium's MODERATE, else
 * KURA_ERR_INVALID). The vault must be unlocked. Replaces an earlier enrollment. */
KURA_MUST_CHECK int kura_device_enroll(kura_vault *v, const char *dir, const char *pass,
                                       size_t passlen, unsigned long long opslimit,
                                       size_t memlimit);

/* 1 if dir holds a device slot for this vault. */
int kura_device_enrolled(const kura_vault *v, const char *dir);
/* The answer "never on this device" to the offer to enroll: kept in dir (<vault id>.never,
 * no secret), asked with kura_device_never (1 if given). Enrolling removes nothing of it;
 * kura device enroll still enrolls. */
int kura_device_never(const kura_vault *v, const char *dir);
KURA_MUST_CHECK int kura_device_never_set(const kura_vault *v, const char *dir);

/* Unlocks v with this device's passphrase. KURA_ERR_NOT_FOUND: not enrolled;
 * KURA_ERR_WRONG_KEY: wrong passphrase; KURA_ERR_OLD_KEY: a slot from before a key rotation;
 * KURA_ERR_CORRUPT: a damaged slot, or one whose limits are out of range. */
KURA_MUST_CHECK int kura_device_unlock(kura_vault *v, const char *dir, const char *pass,
                                       size_t passlen);

/* Removes this device's slot (overwritten, then unlinked). KURA_ERR_NOT_FOUND if none. */
int kura_device_forget(const kura_vault *v, const char *dir);

/* Where device slots live: $XDG_DATA_HOME/kura/devices (or ~/.local/share/...). */
char *kura_default_device_dir(void);

/* ---- paths and process ---- */

/* Hardening for a process that holds secrets: no core dumps, not ptrace-able or dumpable,
 * and sodium_init(). Returns KURA_OK or KURA_ERR_NOMEM if libsodium cannot start. */
KURA_MUST_CHECK int kura_process_harden(void);

/* Default vault path: $XDG_DATA_HOME/kura/vault.kura (or ~/.local/share/...). Caller frees. */
char *kura_default_vault_path(void);
/* This device's records of the newest state of each vault it saw: $XDG_STATE_HOME/kura
 * (or ~/.local/state/kura). Caller frees. */
char *kura_default_state_dir(void);
/* Runtime folder for sessions: $XDG_RUNTIME_DIR/kura, else /tmp/kura-<uid>. Caller frees. */
char *kura_default_runtime_dir(void);

#ifdef __cplusplus
}
#endif
#endif
