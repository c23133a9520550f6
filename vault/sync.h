/* sync.h: devices in sync, the top of libkura: the files a device writes to a remote
 * (sync_log.c), the remotes themselves behind one interface (remote_folder.c, remote_git.c),
 * and a sync or a clone (sync.c). Above item_int.h. Not installed. */
#ifndef KURA_VAULT_SYNC_H
#define KURA_VAULT_SYNC_H

#include "item_int.h"
#include "kura/sync.h"

/* ---- a remote: a folder, or a git repository's tree, as files under paths ---- */
typedef struct remote remote;
typedef struct remote_ops {
    /* Reads what the remote holds now (git: fetches). KURA_ERR_UNREACHABLE if it cannot. */
    int (*begin)(remote *r);
    /* The names in folder dir ("" the top), sorted; *names is malloc'd (free each, then it). */
    int (*list)(remote *r, const char *dir, char ***names, size_t *n);
    /* A file (malloc'd); KURA_ERR_NOT_FOUND if none. */
    int (*read)(remote *r, const char *path, kura_blob *out);
    /* Writes (replaces) or removes a file: folder at once, whole (a new name renamed over);
     * git, with finish. */
    int (*write)(remote *r, const char *path, const void *p, size_t n);
    int (*remove)(remote *r, const char *path);
    /* Makes the writes visible to others (git: a commit pushed). *again set: someone else
     * pushed first; read again (begin) and retry. */
    int (*finish)(remote *r, int *again);
    void (*close)(remote *r);
    /* Destroys folder dir (every file in it) and leaves the file record (name, data): a
     * reset. Git: a new history, no parent, holding the rest of the tree and the record,
     * pushed with force. */
    int (*wipe)(remote *r, const char *dir, const char *record, const void *p, size_t n);
} remote_ops;
struct remote {
    const remote_ops *ops;
    char *url;
};
/* Opens the remote at url: a folder (a path, or file://) or a git repository (anything
 * libgit2 reaches: ssh://, https://, git://, a bare repository's path); cache: where a git
 * remote keeps its local copy. */
KURA_MUST_CHECK int kura_remote_open(remote **out, const char *url, const char *cache);
void kura_remote_close(remote *r);
KURA_MUST_CHECK int kura_remote_folder(remote **out, const char *url);
KURA_MUST_CHECK int kura_remote_git(remote **out, const char *url, const char *cache);
/* KURA_OK if the ssh host key KEY (libgit2's raw type RAW_TYPE, 0: none) of HOST, reached
 * through URL, is in known_hosts; else the one-line reason (KURA_ERR_UNREACHABLE). */
KURA_MUST_CHECK int kura_known_host(const char *url, const char *host, int raw_type,
                                    const char *key, size_t len);
/* 1 if url names a folder (file://, or a path that is not a git repository). */
int kura_remote_is_folder(const char *url);

/* ---- sync_log.c: the files ----
 * <vault dir>/<device>/NNNNNNNNNNNNNNNN.log  (seq, 16 hex digits): what the device wrote
 * <vault dir>/<device>/NNNNNNNNNNNNNNNN.snap: every record the device wrote, up to that seq
 * <vault dir>/<device>/slot: the client-key slot, for a new device */
#define SYNC_MAGIC "KSYN"
#define SYNC_HEAD                                                                                  \
    (4 + 1 + 1 + 16 + 16 + 8 + 32) /* magic, version, kind, vault id, key id,                      \
                                    * seq, prev */
#define SYNC_KEY_ID 16
#define SYNC_PAD 1024

/* A file's header and its opened plaintext. */
typedef struct sync_file {
    char kind; /* 'l' a log, 's' a snapshot */
    unsigned char vault_id[KURA_VAULT_ID_BYTES];
    unsigned char key_id[SYNC_KEY_ID];
    uint64_t seq;
    unsigned char prev[32]; /* log: the hash of the log before; snapshot: of the log at seq */
    unsigned char hash[32]; /* of the whole file */
    uint64_t written_ms;
    char device_name[65], vault_name[257];
    kura_gbuf plain;   /* the records: item id (16) || past record, one after another */
    size_t records_at; /* where they start in plain */
} sync_file;

/* The sync key and its public id, from v's vault key. */
void kura_sync_keys(const kura_vault *v, unsigned char key[KURA_KEYBYTES],
                    unsigned char id[SYNC_KEY_ID]);
/* The same from a vault key (an old one, kept after a rotation). */
void kura_sync_keys_of(const unsigned char *vk, unsigned char key[KURA_KEYBYTES],
                       unsigned char id[SYNC_KEY_ID]);
/* Seals records (item id || record, one after another) as device's file seq of kind into out
 * (malloc'd), under vault key vk (NULL: v's); *hash gets its hash. */
KURA_MUST_CHECK int kura_sync_seal(kura_blob *out, unsigned char hash[32], const kura_vault *v,
                                   const unsigned char *vk, char kind, uint64_t seq,
                                   const unsigned char prev[32],
                                   const unsigned char device[KURA_DEVICE_ID_BYTES],
                                   const char *device_name, const char *vault_name,
                                   const unsigned char *records, size_t len);
/* Opens a file read from device's folder with vault key vk (NULL: v's): KURA_ERR_ROTATED if
 * it is this vault's under another key, KURA_ERR_TAMPERED if it does not open (changed, cut, moved
 * from another device, seq or vault). */
KURA_MUST_CHECK int kura_sync_open(sync_file *f, const kura_vault *v, const unsigned char *vk,
                                   const unsigned char device[KURA_DEVICE_ID_BYTES],
                                   const unsigned char *file, size_t n);
void kura_sync_file_free(sync_file *f);
/* Reads a file's header only (kind, key id, seq): KURA_ERR_CORRUPT if it is not one. */
KURA_MUST_CHECK int kura_sync_peek(sync_file *f, const unsigned char *file, size_t n);
/* A record read from another device: item id (16) and a past record (tag, length, stamp,
 * device, the rest), slices of a file kept open. */
typedef struct sync_slice {
    const unsigned char *item, *rec;
    size_t len;
} sync_slice;

/* ---- sync_files.c: attachments on a remote ----
 * <vault dir>/<device>/<attachment id, 32 hex>.att: "KATT" || 1 || vault id (16) || attachment
 * id (16) || chunks (4, LE) || each chunk: length (4, LE) || the chunk as sealed in the vault.
 * Any device may send one (it has the content, and no folder on the remote has it yet); the
 * key that opens it is only in the sealed details of the versions that name it. */
typedef struct remote_files {
    struct remote_file {
        unsigned char id[KURA_ATTACHMENT_ID_BYTES];
        char dev[33]; /* the folder it is in */
    } * f;            /* sorted by id */
    size_t n, cap;
} remote_files;
/* The attachment files in every device's folder under vdir. */
KURA_MUST_CHECK int kura_files_list(remote *r, const char *vdir, remote_files *out);
void kura_files_free(remote_files *f);
/* Sends each attachment this copy holds that no folder has, into folder dev; *sent counts
 * them. Outside a transaction. */
KURA_MUST_CHECK int kura_files_push(kura_vault *v, remote *r, const char *vdir, const char *dev,
                                    const remote_files *have, size_t *sent);
/* Inside the sync's write: fetches the content of every attachment the records in[0..n) name,
 * and of those an earlier sync could not find yet, that this copy lacks and a folder has;
 * the rest are remembered for the next sync. KURA_ERR_TAMPERED if a file does not check
 * out. */
KURA_MUST_CHECK int kura_files_pull(kura_vault *v, remote *r, const char *vdir,
                                    const remote_files *have, const sync_slice *in, size_t n,
                                    size_t *got, size_t *waiting);

/* The slot file: "KSLT" || 1 || key id || the client-key slot. */
#define SLOT_FILE_BYTES (4 + 1 + SYNC_KEY_ID + KURA_SLOT_BYTES)

#endif
