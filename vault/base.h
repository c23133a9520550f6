/* base.h: the bottom of libkura, what every layer above may use and which knows no vault
 * handle: failure details, memory, files, the primitives (crypto.c is the only file that picks
 * ciphers), hex, and loading modules. Not installed. The headers above it, each
 * including the one below: storage.h (the file), handle.h (the handle and its records),
 * state.h (the signed state, transactions, the cache), item_int.h (items); open.h is vault.c's
 * own (make a vault, unlock with a raw key) for the files above it. */
#ifndef KURA_VAULT_BASE_H
#define KURA_VAULT_BASE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "bytes.h"
#include "kura/vault.h"

/* ---- errors.c ---- */
/* Sets this thread's failure detail (kura_error_detail; printf-style) and returns rc
 * (errors.c); kura_detail_clear empties it, so a call can tell whether a deeper one set it. */
int kura_fail(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kura_detail_clear(void);
/* The same, before the detail a deeper call set: "cannot write X: <deeper detail>". */
int kura_fail_in(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- arena.c: guarded (sodium_malloc) memory handed out in pieces, wiped when freed ---- */
typedef struct kura_arena kura_arena;
kura_arena *kura_arena_new(void);
void kura_arena_free(kura_arena *a);
/* Wipes what was handed out and starts again, keeping the newest chunk. */
void kura_arena_reset(kura_arena *a);
void *kura_arena_alloc(kura_arena *a, size_t n);
char *kura_arena_strndup(kura_arena *a, const char *s, size_t n);

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
/* kura_write_private_file without its two fsyncs: for a file whose loss in a crash is
 * harmless (a session's idle clock: the session then ends sooner, or does not open). */
KURA_MUST_CHECK int kura_write_private_quick(const char *path, const void *p, size_t n);
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

/* dir/<vault id>.device (device.c): where a device slot lives. */
int kura_device_path(char *out, size_t n, const char *dir, const char *vault_id);

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

/* ---- files.c: hex ---- */
/* Hex helpers. */
void kura_hex(char *out, const unsigned char *in, size_t n);
KURA_MUST_CHECK int kura_unhex(unsigned char *out, size_t n, const char *hex);

/* ---- module.c: modules loaded on first use ---- */
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
/* A module's table of functions (a struct whose first member is its unsigned version) by its
 * symbol: NULL, with the detail set, if m does not load or its table is of another version. */
const void *kura_module_table(kura_module *m, const char *symbol, unsigned version);

#endif
