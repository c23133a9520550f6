/* kura/key.h: the client key: generating, parsing, formatting. The vault's own concept (it
 * opens the vault), so the vault and recovery both use it from here.
 * A key is 36 Crockford base32 symbols: a version symbol, 33 random symbols (165 bits),
 * and two check symbols that catch every single-symbol typo and every swap of neighbours. */
#ifndef KURA_KEY_H
#define KURA_KEY_H

#include <stddef.h>
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KURA_KEY_SYMBOLS 36
#define KURA_KEY_RANDOM_SYMBOLS 33
#define KURA_KEY_VERSION 1
/* Length of the grouped text form "XXXXXX-XXXXXX-...": 36 symbols and 5 dashes. */
#define KURA_KEY_TEXT_LEN 41

/* A client key: one symbol value (0..31) per byte. Keep it in sodium_malloc memory. */
typedef struct kura_client_key {
    unsigned char sym[KURA_KEY_SYMBOLS];
} kura_client_key;

/* Fills *key with a fresh key from the CSPRNG. Requires sodium_init(). */
void kura_key_generate(kura_client_key *key);

/* Parses text (len bytes, need not be NUL-terminated) into *key, forgiving case, spaces,
 * dashes, O for 0 and I/L for 1. Returns KURA_OK, or:
 *   KURA_ERR_KEY_MALFORMED: wrong length or a bad character; *bad_pos (if not NULL) is the
 *       1-based position of the bad character in text, or 0 for a length error;
 *   KURA_ERR_KEY_TYPO: every character is valid but the check symbols fail;
 *   KURA_ERR_KEY_VERSION: a consistent key of an unknown format version.
 * *key is wiped on failure. */
KURA_MUST_CHECK int kura_key_parse(kura_client_key *key, size_t *bad_pos, const char *text,
                                   size_t len);

/* Number of symbols kura_key_parse counted in text (after dropping spaces and dashes):
 * lets a caller say "35 symbols, a client key has 36". */
size_t kura_key_count_symbols(const char *text, size_t len);

/* Writes the grouped form and a NUL into out (KURA_KEY_TEXT_LEN + 1 bytes). */
void kura_key_format(char *out, const kura_client_key *key);

/* Returns 1 if the check symbols of key hold, else 0. */
int kura_key_check(const kura_client_key *key);

/* The two check symbols over n symbol values (the last two of them), as a key's: set them,
 * or 1 if they hold. Split-kit shares (kura/recovery.h) use the same. */
void kura_b32_check_set(unsigned char *sym, size_t n);
int kura_b32_checked(const unsigned char *sym, size_t n);

/* Crockford base32: the symbol for a value 0..31, and the value for a character, -1 if none
 * (with the forgiving mapping of kura_key_parse). */
char kura_b32_symbol(unsigned v);
int kura_b32_value(int c);

#ifdef __cplusplus
}
#endif
#endif
