/* kura/sync.h: one vault on many devices. Each device keeps its whole vault; a remote (a git
 * repository, or a folder that Syncthing, Dropbox, a USB stick ... carries) holds what each
 * device wrote, sealed under a key from the vault key, one folder per device. A sync reads
 * the other devices' new files, merges them item by item (nothing lost: the losing version
 * stays in the item's history), and writes this device's own. Nothing here prints. */
#ifndef KURA_SYNC_H
#define KURA_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KURA_REMOTE_NAME_MAX 64
#define KURA_REMOTE_URL_MAX 2048

/* A device as this one last saw it on a remote (at its last sync). */
typedef struct kura_peer {
    unsigned char device[KURA_DEVICE_ID_BYTES];
    char name[65];      /* the name it gave itself (its host name) */
    int64_t last_write; /* seconds since the epoch: when it last wrote to the remote */
    uint64_t seq;       /* how many files it wrote */
    int this_device;
} kura_peer;

typedef struct kura_remotes {
    struct kura_remote_entry {
        char name[KURA_REMOTE_NAME_MAX + 1];
        char url[KURA_REMOTE_URL_MAX + 1];
    } * remotes;
    size_t count;
    kura_peer *peers; /* every device seen, this one first */
    size_t n_peers;
    int64_t last_sync; /* seconds since the epoch; 0: never */
} kura_remotes;

/* The remotes are kept in the vault (sealed, signed), not synced: each device names its own.
 * name: letters, digits, '-', '_' and '.', at most KURA_REMOTE_NAME_MAX. KURA_ERR_EXISTS if
 * the name is taken, KURA_ERR_INVALID for a bad name or a URL with a password in it. */
KURA_MUST_CHECK int kura_remote_add(kura_vault *v, const char *name, const char *url);
KURA_MUST_CHECK int kura_remote_remove(kura_vault *v, const char *name);
KURA_MUST_CHECK int kura_remote_list(kura_vault *v, kura_remotes **out);
void kura_remotes_free(kura_remotes *r);

typedef struct kura_sync_opts {
    const char *remote;      /* a remote's name; NULL: the only one */
    const char *cache_dir;   /* where git remotes keep their local copies */
    const char *device_name; /* how other devices see this one (NULL: the host name) */
} kura_sync_opts;

typedef struct kura_sync_report {
    size_t in;         /* records read from other devices */
    size_t changed;    /* items that changed here */
    size_t in_devices; /* devices that had something new */
    size_t out;        /* records this device wrote */
    size_t conflicts;  /* items changed here and on another device: both kept */
    char (*conflict_ids)[KURA_ITEM_ID_TEXT + 1];
    int compacted;        /* this device's files were gathered into a snapshot */
    size_t behind;        /* devices whose files are all under a key this one does not have (they
                           * have not caught up with a rotation): left for now */
    size_t files_in;      /* attachments whose content came from the remote */
    size_t files_out;     /* attachments this device sent */
    size_t files_waiting; /* attachments named by versions here whose content is not on the
                           * remote yet (its device has not sent it, or it is still on its
                           * way): fetched by a later sync */
} kura_sync_report;

/* Fetches, merges, pushes. KURA_ERR_UNREACHABLE: the remote cannot be reached, and nothing
 * changed here; KURA_ERR_TAMPERED or KURA_ERR_ROLLED_BACK: a device's files on the remote were
 * changed, dropped, reordered, replayed or moved (the detail names the device), and nothing
 * changed here; KURA_ERR_ROTATED: another device rotated the key; KURA_ERR_RESET: the vault
 * was reset on the remote. A sync cut short at any point loses nothing; the next finishes. */
KURA_MUST_CHECK int kura_sync(kura_vault *v, const kura_sync_opts *o, kura_sync_report *r);
void kura_sync_report_free(kura_sync_report *r);
/* After KURA_ERR_ROTATED: re-keys this vault to the key another device rotated to, given its
 * new client key (the new kit's), found through that device's slot on the remote. Changes
 * made here meanwhile are kept and go out with the next sync; the old vault key is kept, so
 * files of devices that have not caught up still open. Old kits, sessions and device
 * enrollments no longer open the vault. KURA_ERR_WRONG_KEY if key opens no newer key. */
KURA_MUST_CHECK int kura_sync_adopt(kura_vault *v, const kura_sync_opts *o,
                                    const kura_client_key *key);

/* A new device: what the remote at url holds, fetched. */
typedef struct kura_clone kura_clone;
KURA_MUST_CHECK int kura_clone_fetch(kura_clone **out, const char *url, const char *cache_dir);
/* The vault id on the remote (text). */
const char *kura_clone_vault_id(const kura_clone *c);
/* Makes the vault at path (it must not exist) with key, if key opens it (KURA_ERR_WRONG_KEY
 * if not; KURA_ERR_OLD_KEY for a key from before a rotation), the remote saved as "origin";
 * *out unlocked. Then kura_sync fills it. */
KURA_MUST_CHECK int kura_clone_make(kura_clone *c, const kura_client_key *key, const char *path,
                                    kura_vault **out);
void kura_clone_free(kura_clone *c);
/* Undoes kura_clone_make when the first sync fails: closes v, removes the file, this device's
 * record of it and its outbox. */
void kura_clone_discard(kura_vault *v);

/* A reset of a remote, for kura reset: with no vault file and no key, only write access to
 * the remote. kura_remote_peek names the vault the remote holds (and counts its files).
 * kura_remote_reset destroys every file of vault old_id there (a folder: removed; git: a new
 * history without them, pushed with force) and leaves a reset record (old and new vault id
 * or none, when), unsigned, that the vault's other devices find at their next sync
 * (KURA_ERR_RESET): they stop syncing it and keep their copies. */
KURA_MUST_CHECK int kura_remote_peek(const char *url, const char *cache_dir,
                                     char id[KURA_VAULT_ID_TEXT + 1], size_t *files);
KURA_MUST_CHECK int kura_remote_reset(const char *url, const char *cache_dir, const char *old_id,
                                      const char *new_id, size_t *files);
/* The remotes this device last knew vault_id (text) by, without its key: each URL, a line,
 * from the state folder (NULL: the default); *out malloc'd, NULL if none. */
KURA_MUST_CHECK int kura_remotes_noted(char **out, const char *state_dir, const char *vault_id);

/* Where git remotes keep their local copies: $XDG_CACHE_HOME/kura/remotes (or ~/.cache/...).
 * Caller frees. */
char *kura_default_cache_dir(void);

#ifdef __cplusplus
}
#endif
#endif
