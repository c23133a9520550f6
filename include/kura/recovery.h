/* kura/recovery.h: the emergency kit (its payload, file names, drawing and reading), finding
 * kits to recover with, and reset. The client key is in key.h. */
#ifndef KURA_RECOVERY_H
#define KURA_RECOVERY_H

#include <stddef.h>
#include "errors.h"
#include "key.h"
#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the emergency kit ---- */

/* A share of a split client key: 44 symbols, written in 11 groups of 4: version, threshold K,
 * the share's number, the key's generation (mod 32), the split's id (4 symbols, random, the
 * same on every share of one split), 34 symbols of share, two check symbols (as a key's). */
#define KURA_SHARE_SYMBOLS 44
#define KURA_SHARE_TEXT_LEN 54 /* 44 symbols and 10 dashes */
#define KURA_SHARES_MAX 16
typedef struct kura_share {
    unsigned char sym[KURA_SHARE_SYMBOLS]; /* one symbol value (0..31) per byte */
} kura_share;

enum kura_paper { KURA_PAPER_A4 = 0, KURA_PAPER_LETTER = 1 };
enum kura_lang { KURA_LANG_EN = 0, KURA_LANG_JA = 1 };

/* What a kit shows. Strings are UTF-8; vault_name may be "" (not NULL). */
typedef struct kura_kit_spec {
    const char *vault_id; /* 26 symbols */
    const char *vault_name;
    const kura_client_key *key;
    const char *date;        /* "YYYY-MM-DD": printed */
    unsigned key_gen;        /* which of the vault's keys (kura_vault_key_gen); 0: not said */
    const char *key_made;    /* "YYYY-MM-DD" when the key was made, or NULL: not known */
    const char *where;       /* where the vault lives: a remote's URL or the vault file's path */
    int where_remote;        /* where is a remote (kura clone), not a file (kura unlock) */
    const kura_share *share; /* a share kit (key is then NULL): this share, of share_count */
    unsigned share_count;
    int paper; /* enum kura_paper */
    int lang;  /* enum kura_lang */
} kura_kit_spec;

/* The QR payload "KURA1:<vault id>:<grouped key>": plain text, not a URL. */
#define KURA_KIT_PAYLOAD_MAX 80
void kura_kit_payload(char *out, const char *vault_id, const kura_client_key *key);

/* Parses a payload. KURA_ERR_NOT_FOUND if text is not a kura kit payload; otherwise the
 * results of kura_key_parse for its key part. vault_id gets 26 symbols and a NUL. */
KURA_MUST_CHECK int kura_kit_payload_parse(char *vault_id, kura_client_key *key, const char *text,
                                           size_t len);

/* The kit's file names in dir: "Kura client key NNNNN.pdf" and
 * "KURA_CLIENT_KEY_EMERGENCY_KIT<NNNNN>.png", NNNNN from the vault id; for a key after the
 * first (gen, kura_vault_key_gen), "Kura client key NNNNN (key G).pdf" and
 * "KURA_CLIENT_KEY_EMERGENCY_KIT<NNNNN>_KEY<G>.png", so two generations' kits never share a
 * name. Each buffer holds n bytes; KURA_ERR_INVALID if a name does not fit. */
KURA_MUST_CHECK int kura_kit_names(char *pdf, char *png, size_t n, const char *dir,
                                   const char *vault_id, unsigned gen);

/* A share kit's file names: "Kura split kit NNNNN share I of N.pdf" and
 * "KURA_CLIENT_KEY_SHARE_NNNNN_I_OF_N.png", with " (key G)" and "_KEYG" after a rotation. */
KURA_MUST_CHECK int kura_share_names(char *pdf, char *png, size_t n, const char *dir,
                                     const char *vault_id, unsigned gen, unsigned number,
                                     unsigned count);

/* Drawing and reading kits needs libharu, cairo, poppler, libzbar and libqrencode. They live
 * in a module, kura-kit.so, loaded on first use (from the folder of the running program,
 * else the install's lib/kura), so that commands which draw no kit start without them.
 * The four functions below return KURA_ERR_NO_MODULE when it cannot load;
 * kura_error_detail() then says why, in one line. */

/* Write the kit as a PDF (libharu) or a PNG (cairo), mode 0600, replacing path atomically.
 * KURA_ERR_IO if it cannot be written, KURA_ERR_NOT_FOUND if a font it needs is missing. */
KURA_MUST_CHECK int kura_kit_write_pdf(const char *path, const kura_kit_spec *spec);
KURA_MUST_CHECK int kura_kit_write_png(const char *path, const kura_kit_spec *spec);
/* The kit's PDF written to fd (a pipe to a printer: never a file on disk). KURA_ERR_IO if
 * the reader went away (errno says why). */
KURA_MUST_CHECK int kura_kit_print_pdf(int fd, const kura_kit_spec *spec);

/* Reads a kit image (the kit's PNG or PDF, a screenshot, a photo of the printed page: PNG,
 * JPEG, HEIC, AVIF, WebP, TIFF, GIF or PDF) and finds its kura QR code. KURA_ERR_NOT_FOUND:
 * no kura QR code in the image; KURA_ERR_INVALID: not an image this reader can decode;
 * KURA_ERR_IO: unreadable (errno says why: EISDIR for a folder); key errors as
 * kura_key_parse. */
KURA_MUST_CHECK int kura_kit_read(char *vault_id, kura_client_key *key, const char *path);
/* What a read saw, to say why it found no kit. */
typedef struct kura_kit_seen {
    int width, height; /* the image as decoded (0: none) */
    unsigned others;   /* QR codes found that are not a kura kit's */
    unsigned shares;   /* shares of a split kit found where a key was wanted */
} kura_kit_seen;
/* kura_kit_read, saying what it saw in *seen. With KURA_KIT_QUICK, a glance fit for any
 * photo on the disk: the image shrunk as it loads to 1,000 px on its longer side, read once. */
#define KURA_KIT_QUICK 1u
KURA_MUST_CHECK int kura_kit_read_seen(char *vault_id, kura_client_key *key, const char *path,
                                       kura_kit_seen *seen, unsigned flags);

/* Reads an image as kura_kit_read does and finds a QR code whose text starts with prefix (any
 * case; "otpauth://" for a site's TOTP setup): KURA_OK with *out its text (sodium_malloc,
 * free with sodium_free); KURA_ERR_NOT_FOUND if none does (seen->others counts the codes
 * that did not); other errors as kura_kit_read. */
KURA_MUST_CHECK int kura_qr_read_text(char **out, const char *path, const char *prefix,
                                      kura_kit_seen *seen);

/* The kit's QR code as terminal text: Unicode half blocks, or ASCII ("##") when ascii is
 * set; dark modules drawn light-on-dark friendly with a quiet zone. *out is sodium_malloc
 * memory (free with sodium_free). */
KURA_MUST_CHECK int kura_kit_qr_text(char **out, const char *vault_id, const kura_client_key *key,
                                     int ascii);

/* ---- split kits ---- */

typedef struct kura_share_info {
    unsigned threshold, number, gen; /* any `threshold` shares open; this is share `number` */
    unsigned long split;             /* the split it belongs to */
} kura_share_info;
void kura_share_info_of(const kura_share *s, kura_share_info *out);

/* Splits key (of generation gen) into n shares (out[0..n-1], numbered 1..n), any k of which
 * give it back and any k - 1 of which say nothing about it (2 <= k <= n <= KURA_SHARES_MAX).
 * Keep shares in sodium_malloc memory. */
KURA_MUST_CHECK int kura_share_split(kura_share *out, const kura_client_key *key, unsigned gen,
                                     unsigned n, unsigned k);
/* The key from count shares: KURA_ERR_NOT_FOUND if fewer than their threshold are distinct,
 * KURA_ERR_INVALID if they are of different splits or do not combine. */
KURA_MUST_CHECK int kura_share_combine(kura_client_key *key, const kura_share *shares,
                                       size_t count);
/* Parses a typed share as kura_key_parse parses a key (same errors, same forgiveness). */
KURA_MUST_CHECK int kura_share_parse(kura_share *s, size_t *bad_pos, const char *text, size_t len);
/* The grouped form and a NUL into out (KURA_SHARE_TEXT_LEN + 1 bytes). */
void kura_share_format(char *out, const kura_share *s);

/* A share kit's QR payload: "KURA1S:<vault id>:<grouped share>". */
#define KURA_SHARE_PAYLOAD_MAX 96
void kura_share_payload(char *out, const char *vault_id, const kura_share *s);

/* What a kit image holds: a kit's key, or a share of a split kit. */
typedef struct kura_kit_found {
    int is_share;
    char vault_id[KURA_VAULT_ID_TEXT + 1];
    kura_client_key key; /* !is_share */
    kura_share share;    /* is_share */
} kura_kit_found;
/* Parses a QR payload of a kit or a share kit: KURA_ERR_NOT_FOUND if it is neither. */
KURA_MUST_CHECK int kura_kit_found_parse(kura_kit_found *found, const char *text, size_t len);
/* kura_kit_read_seen, for a kit or a share kit (keep *found in sodium_malloc memory). */
KURA_MUST_CHECK int kura_kit_read_found(kura_kit_found *found, const char *path,
                                        kura_kit_seen *seen, unsigned flags);

/* ---- recover ---- */

/* Finds the files that may be kits in home's Downloads, Desktop, Documents and Pictures (and
 * two levels of folders below them) and in cwd (either may be NULL): those named like kits
 * (any case) first, then every image and PDF (by name: PNG, JPEG, HEIC, HEIF, AVIF, WebP,
 * TIFF, GIF, PDF) of at most 64 MiB, newest first; at most 5,000. *out is a malloc'd list of
 * paths; free it with kura_recover_free_kits. */
KURA_MUST_CHECK int kura_recover_find_kits(char ***out, size_t *count, const char *home,
                                           const char *cwd);
/* 1 if path's file name is a kit's (as kura names them, any case). */
int kura_recover_named_kit(const char *path);
void kura_recover_free_kits(char **list, size_t count);

/* ---- reset ---- */

/* What a reset destroyed. No secret in it: it is the receipt. */
typedef struct kura_reset_report {
    char old_id[KURA_VAULT_ID_TEXT + 1]; /* the destroyed vault's id, "" if unreadable */
    long long items;                     /* items destroyed, -1 if they could not be counted */
    size_t files;                        /* files overwritten and removed (vault, journals) */
    size_t sessions;                     /* this device's sessions of the vault ended */
    int device_slot;                     /* 1 if this device's slot for the vault was removed */
} kura_reset_report;

/* What lies at the path a reset would destroy. A reset destroys only kura's files. */
enum kura_reset_target {
    KURA_TARGET_VAULT = 0, /* a kura vault: an SQLite header with kura's application id */
    KURA_TARGET_DAMAGED,   /* kura's (its pages carry kura's checksums), header damaged */
    KURA_TARGET_FOREIGN,   /* a regular file that is not kura's: text, another program's
                            * database, an empty file */
    KURA_TARGET_NOT_FILE,  /* a directory, a symbolic link, a device, a pipe or a socket */
    KURA_TARGET_MISSING,   /* nothing there */
};
/* Tells what is at path, reading at most its first 4 MiB, and writes a few words saying what
 * it is into what (n bytes: "a directory", "another program's SQLite database", ...).
 * Returns an enum kura_reset_target. Never changes the file. */
int kura_reset_target(const char *path, char *what, size_t n);

/* Fills r with the id and item count of the vault at path, as far as they can be read;
 * damage, truncation or a file that is no vault at all only leave them unknown. */
void kura_reset_inspect(kura_reset_report *r, const char *path);

/* Where reset makes the new vault before it takes the old one's place: path + ".reset".
 * A leftover of a reset that was killed before the switch is shredded first. */
KURA_MUST_CHECK int kura_reset_fresh_path(char *out, size_t n, const char *path);

/* Puts the new vault (made at fresh, beside path) in the old one's place with one rename,
 * then destroys the old one: its file overwritten with zeros through a descriptor kept across
 * the rename, synced; any -journal, -wal, -shm shredded before; then (when r->old_id is known)
 * this device's slot in device_dir, its state record in state_dir and its sessions in
 * runtime_dir. A crash
 * at any moment leaves path either the whole old vault or the whole new one.
 * KURA_ERR_INVALID if path exists and is not a regular file. */
KURA_MUST_CHECK int kura_reset_replace(kura_reset_report *r, const char *fresh, const char *path,
                                       const char *device_dir, const char *state_dir,
                                       const char *runtime_dir);

#ifdef __cplusplus
}
#endif
#endif
