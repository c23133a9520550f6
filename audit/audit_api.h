/* audit_api.h: what the audit module (kura-audit.so: libzxcvbn, nettle) gives libkura: one
 * table of functions looked up by one name, as the import module's. */
#ifndef KURA_AUDIT_API_H
#define KURA_AUDIT_API_H

#include <stddef.h>
#include <stdint.h>

#define KURA_AUDIT_API_VERSION 1

/* An open Pwned Passwords file. */
typedef struct kura_hibp kura_hibp;

#define KURA_HIBP_DIGEST 20 /* room for a SHA-1 (20) or an NTLM hash (16) */

typedef struct kura_audit_api {
    unsigned version; /* KURA_AUDIT_API_VERSION */
    /* log2 of the guesses zxcvbn estimates for password, the words (NULL-ended) of the item
     * itself counting as known; *why gets KURA_WHY_* bits. */
    double (*strength)(const char *password, const char *const *words, unsigned *why);
    /* Opens path and tells SHA-1 from NTLM by its first line (KURA_ERR_INVALID, with err, if
     * it holds neither as HASH:COUNT lines, or is not ordered by hash). */
    int (*hibp_open)(kura_hibp **out, const char *path, char *err, size_t errlen);
    /* "SHA-1" or "NTLM". */
    const char *(*hibp_kind)(const kura_hibp *h);
    /* The file's hash of password (SHA-1 of its bytes, or NTLM: MD4 of its UTF-16LE). */
    void (*hibp_digest)(const kura_hibp *h, const char *password,
                        unsigned char out[KURA_HIBP_DIGEST]);
    /* The count the file gives digest, or 0 when it is not there (binary search on the file;
     * KURA_ERR_IO if a read fails). Digests asked in increasing order cost the least. */
    int (*hibp_find)(kura_hibp *h, const unsigned char digest[KURA_HIBP_DIGEST], uint64_t *count);
    void (*hibp_close)(kura_hibp *h);
} kura_audit_api;

extern const kura_audit_api kura_audit_module_api;
#define KURA_AUDIT_API_SYMBOL "kura_audit_module_api"

/* The table, from the program itself or from kura-audit.so; NULL when it does not load
 * (kura_error_detail says why). */
const kura_audit_api *kura_audit_api_get(void);

#endif
