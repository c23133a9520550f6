/* The client key codec: Crockford base32 symbols with two check symbols over GF(32).
 * Checks: sum(a_i) = 0 and sum(w_i * a_i) = 0 with w_i = alpha^(i mod 31). A single
 * substitution changes the first sum; a swap of unequal neighbours keeps the first sum but
 * changes the second by (w_i + w_i+1)(a_i + a_i+1), which is never 0. */
#include <string.h>
#include <sodium.h>

#include "kura/key.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

char kura_b32_symbol(unsigned v)
{
    return alphabet[v & 31];
}

int kura_b32_value(int c)
{
    if (c >= 'a' && c <= 'z') c -= 'a' - 'A';
    switch (c) {
    case 'O':
        return 0;
    case 'I':
    case 'L':
        return 1;
    case 'U':
        return -1;
    default:
        break;
    }
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* GF(2^5) with the primitive polynomial x^5 + x^2 + 1. */
static unsigned gf_mul(unsigned a, unsigned b)
{
    unsigned r = 0;
    for (int i = 0; i < 5; i++) {
        if (b & 1) r ^= a;
        b >>= 1;
        a <<= 1;
        if (a & 32) a ^= 0x25;
    }
    return r;
}

static unsigned gf_inv(unsigned a)
{
    unsigned r = 1; /* a^30 = a^-1, since a^31 = 1 */
    for (int i = 0; i < 30; i++)
        r = gf_mul(r, a);
    return r;
}

static unsigned weight(size_t i)
{
    unsigned w = 1;
    for (size_t k = 0; k < i % 31; k++)
        w = gf_mul(w, 2);
    return w;
}

static void sums(unsigned *s1, unsigned *s2, const unsigned char *sym, size_t n)
{
    unsigned w = 1; /* alpha^(i mod 31) */
    *s1 = *s2 = 0;
    for (size_t i = 0; i < n; i++) {
        *s1 ^= sym[i];
        *s2 ^= gf_mul(w, sym[i]);
        w = (i + 1) % 31 ? gf_mul(w, 2) : 1;
    }
}

int kura_b32_checked(const unsigned char *sym, size_t n)
{
    unsigned s1, s2;
    sums(&s1, &s2, sym, n);
    return s1 == 0 && s2 == 0;
}

void kura_b32_check_set(unsigned char *sym, size_t n)
{
    unsigned p1, p2;
    sums(&p1, &p2, sym, n - 2);
    /* Solve a + b = p1, w1*a + w2*b = p2 for the two check symbols a, b. */
    unsigned w1 = weight(n - 2), w2 = weight(n - 1);
    unsigned a = gf_mul(p2 ^ gf_mul(w2, p1), gf_inv(w1 ^ w2));
    sym[n - 2] = (unsigned char)a;
    sym[n - 1] = (unsigned char)(p1 ^ a);
}

int kura_key_check(const kura_client_key *key)
{
    return kura_b32_checked(key->sym, KURA_KEY_SYMBOLS);
}

void kura_key_generate(kura_client_key *key)
{
    key->sym[0] = KURA_KEY_VERSION;
    randombytes_buf(key->sym + 1, KURA_KEY_RANDOM_SYMBOLS);
    for (size_t i = 1; i <= KURA_KEY_RANDOM_SYMBOLS; i++)
        key->sym[i] &= 31; /* 256 = 8 * 32 */
    kura_b32_check_set(key->sym, KURA_KEY_SYMBOLS);
}

static int ignorable(unsigned char c)
{
    return c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r';
}

size_t kura_key_count_symbols(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!ignorable((unsigned char)text[i])) n++;
    return n;
}

int kura_key_parse(kura_client_key *key, size_t *bad_pos, const char *text, size_t len)
{
    size_t n = 0;
    int rc = KURA_ERR_KEY_MALFORMED;

    if (bad_pos) *bad_pos = 0;
    sodium_memzero(key, sizeof *key);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (ignorable(c)) continue;
        int v = kura_b32_value(c);
        if (v < 0) {
            if (bad_pos) *bad_pos = i + 1;
            goto out;
        }
        if (n == KURA_KEY_SYMBOLS) goto out; /* too long: a length error */
        key->sym[n++] = (unsigned char)v;
    }
    if (n != KURA_KEY_SYMBOLS) goto out;
    if (!kura_key_check(key)) {
        rc = KURA_ERR_KEY_TYPO;
        goto out;
    }
    if (key->sym[0] != KURA_KEY_VERSION) {
        rc = KURA_ERR_KEY_VERSION;
        goto out;
    }
    return KURA_OK;
out:
    sodium_memzero(key, sizeof *key);
    return rc;
}

void kura_key_format(char *out, const kura_client_key *key)
{
    size_t o = 0;
    for (size_t i = 0; i < KURA_KEY_SYMBOLS; i++) {
        if (i && i % 6 == 0) out[o++] = '-';
        out[o++] = alphabet[key->sym[i] & 31];
    }
    out[o] = '\0';
}
