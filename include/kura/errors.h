/* kura/errors.h: the result codes every library function returns, and the one place a
 * failure's detail is read. A code never carries a secret, and neither does a detail. */
#ifndef KURA_ERRORS_H
#define KURA_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KURA_MUST_CHECK __attribute__((warn_unused_result))
#else
#define KURA_MUST_CHECK
#endif

enum {
    KURA_OK = 0,
    KURA_ERR_IO = 1,            /* reading or writing a file failed (see errno / detail) */
    KURA_ERR_NOMEM = 2,         /* an allocation failed */
    KURA_ERR_INVALID = 3,       /* an argument is out of range, too long, or not UTF-8 */
    KURA_ERR_EXISTS = 4,        /* the file to create is already there */
    KURA_ERR_NOT_FOUND = 5,     /* no such vault file, item or session */
    KURA_ERR_WRONG_KEY = 6,     /* a well-formed key that does not open this vault */
    KURA_ERR_KEY_MALFORMED = 7, /* a client key of the wrong length or with a bad character */
    KURA_ERR_KEY_TYPO = 8,      /* a client key whose check symbols fail: a typo */
    KURA_ERR_KEY_VERSION = 9,   /* a client key of a format version this kura does not know */
    KURA_ERR_CORRUPT = 10,      /* the vault file is damaged, tampered with, or not a vault */
    KURA_ERR_TOO_NEW = 11,      /* the vault file needs a newer kura */
    KURA_ERR_LOCKED = 12,       /* the operation needs an unlocked vault */
    KURA_ERR_EXPIRED = 13,      /* the session timed out */
    KURA_ERR_BUSY = 14,         /* another process holds the vault for too long */
    KURA_ERR_PERM = 15,         /* a file or folder has unsafe permissions or owner */
    KURA_ERR_DISK_FULL = 16,    /* the disk is full: nothing was written */
    KURA_ERR_READ_ONLY = 17,    /* the vault file or its folder cannot be written */
    KURA_ERR_NO_MODULE = 18,    /* the kit module (kura-kit.so) is missing or does not load */
    KURA_ERR_TAMPERED = 19,     /* the file does not match its signed state: items or records
                                 * changed, added or removed without the key (or damaged) */
    KURA_ERR_ROLLED_BACK = 20,  /* the file is older than this device last saw it */
    KURA_ERR_FORK = 21,         /* the file does not continue what this device last saw */
    KURA_ERR_OLD_KEY = 22,      /* key material (a session, a device slot) from before a key
                                 * rotation */
    KURA_ERR_DISK = 23,         /* the disk reported an input/output error */
    KURA_ERR_UNREAD = 24,       /* an import file holds data its format's reader does not read */
    KURA_ERR_UNREACHABLE = 25,  /* a remote cannot be reached: nothing changed */
    KURA_ERR_ROTATED = 26,      /* another device rotated the vault's key: unlock with the new
                                 * key (or kit) */
    KURA_ERR_RESET = 27,        /* the remote holds a reset record: the vault was reset */
    KURA_ERR_TOO_BIG = 28,      /* a file is over the size kura takes (an attachment) */
};

/* Returns a static, secret-free text for a result code. Never NULL. */
const char *kura_strerror(int rc);

/* The detail of the last failure on this thread, in one secret-free line ("" if none yet):
 * what its code alone does not say (the SQLite message, where a file is damaged, why a
 * module did not load, where an import file went wrong). Each failure that has one replaces
 * it; read it right after the failing call. Never NULL. */
const char *kura_error_detail(void);

#ifdef __cplusplus
}
#endif
#endif
