/* kura/audit.h: a password audit of an unlocked vault. Weak passwords (zxcvbn's estimate of
 * the guesses needed), passwords used by more than one item (told apart by a keyed hash, so no
 * password is compared or kept in the clear), passwords not changed for years (from the items'
 * history), and passwords in a Pwned Passwords file (SHA-1 or NTLM, ordered by hash) found by
 * binary search, the file never read whole. The strength estimate and the file's hashes live
 * in kura-audit.so (libzxcvbn, nettle), loaded on first use. */
#ifndef KURA_AUDIT_H
#define KURA_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "vault.h"

/* Below this many bits (log2 of the guesses zxcvbn thinks an attacker needs), a password is
 * weak: about 10^15 guesses, hours for one graphics card against a fast unsalted hash. */
#define KURA_AUDIT_WEAK_BITS 50.0

typedef struct kura_audit_opts {
    const char *hibp_path; /* NULL: no breach check */
    unsigned old_years;    /* a password unchanged this long is old; 0: no age check */
    double weak_bits;      /* 0: KURA_AUDIT_WEAK_BITS */
    int64_t now;           /* seconds since the epoch; 0: the clock's */
} kura_audit_opts;

#define KURA_AUDIT_WEAK 1u
#define KURA_AUDIT_REUSED 2u
#define KURA_AUDIT_OLD 4u
#define KURA_AUDIT_BREACHED 8u

/* What zxcvbn found in a weak password (KURA_WHY_*), as a bit each. */
#define KURA_WHY_WORD 1u      /* a common word or name */
#define KURA_WHY_LEET 2u      /* one with look-alike letters (p4ssw0rd) */
#define KURA_WHY_OWN 4u       /* the item's own title, username or site */
#define KURA_WHY_REPEAT 8u    /* a repeat (aaaa, abcabc) */
#define KURA_WHY_SEQUENCE 16u /* a sequence (abcd, 1234) */
#define KURA_WHY_KEYBOARD 32u /* a keyboard pattern (qwerty) */
#define KURA_WHY_DATE 64u     /* a date or a year */
#define KURA_WHY_SHORT 128u   /* fewer than 12 characters */

typedef struct kura_audit_entry {
    char id[KURA_ITEM_ID_TEXT + 1];
    const char *title;
    unsigned problems; /* KURA_AUDIT_* */
    double bits;       /* the strength estimate (every entry) */
    unsigned why_weak; /* KURA_WHY_* */
    size_t group;      /* reused: its group (1, 2...); the items of a group share a password */
    size_t group_size;
    size_t group_next; /* reused: the index of the next entry of its group, by title, round */
    int64_t since;     /* old: the password has been the same since then (seconds) */
    uint64_t seen;     /* breached: how often the file says it was seen */
} kura_audit_entry;

typedef struct kura_audit {
    kura_audit_entry *entries; /* the items with a problem, by title */
    size_t count;
    size_t checked;     /* items with a password */
    size_t no_password; /* items without one */
    size_t weak, reused, old, breached;
    const char *hibp_hash; /* "SHA-1" or "NTLM": what the file holds; NULL without one */
    struct kura_arena *arena;
} kura_audit;

/* Audits every item of the unlocked vault v. KURA_ERR_NO_MODULE when kura-audit.so does not
 * load; KURA_ERR_NOT_FOUND / KURA_ERR_IO / KURA_ERR_INVALID when the Pwned Passwords file is
 * missing, cannot be read, or is not one (the detail says which). Free with kura_audit_free. */
KURA_MUST_CHECK int kura_audit_run(kura_vault *v, const kura_audit_opts *o, kura_audit **out);
void kura_audit_free(kura_audit *a);

#endif
