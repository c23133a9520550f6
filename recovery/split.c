/* Split kits: the client key cut into N shares, any K of which give it back and fewer of
 * which say nothing about it (Shamir's secret sharing over GF(256), through libgfshare).
 * What is shared is the key's 33 random symbols (165 bits) packed into 21 bytes; each share
 * is 21 bytes of the polynomial's value at the share's number. A share is written like a key:
 * Crockford base32 symbols in groups, with the key's two check symbols, so a typo is caught
 * before anything is combined (FORMAT.md, "Split kits"). */
#include <string.h>
#include <libgfshare.h>
#include <sodium.h>

#include "kura/recovery.h"

#define SECRET_BYTES 21 /* 33 symbols x 5 bits = 165 bits */
#define AT_VERSION 0
#define AT_THRESHOLD 1
#define AT_NUMBER 2
#define AT_GEN 3
#define AT_SPLIT 4 /* 4 symbols: 20 random bits, the same on every share of one split */
#define AT_DATA 8  /* 34 symbols: 21 bytes and 2 zero bits */
#define DATA_SYMBOLS 34
#define SHARE_VERSION 1

static void gfshare_random(unsigned char *buf, unsigned int n)
{
    randombytes_buf(buf, n);
}

/* n symbol values (5 bits each, most significant first) from bytes, and back. */
static void bits_to_symbols(unsigned char *sym, size_t nsym, const unsigned char *bytes,
                            size_t nbytes)
{
    size_t bit = 0;
    for (size_t i = 0; i < nsym; i++) {
        unsigned v = 0;
        for (int b = 0; b < 5; b++, bit++) {
            unsigned one = bit < nbytes * 8 ? (bytes[bit / 8] >> (7 - bit % 8)) & 1 : 0;
            v = (v << 1) | one;
        }
        sym[i] = (unsigned char)v;
    }
}

static void symbols_to_bits(unsigned char *bytes, size_t nbytes, const unsigned char *sym,
                            size_t nsym)
{
    memset(bytes, 0, nbytes);
    size_t bit = 0;
    for (size_t i = 0; i < nsym; i++)
        for (int b = 4; b >= 0; b--, bit++)
            if (bit < nbytes * 8 && ((sym[i] >> b) & 1)) bytes[bit / 8] |= 1u << (7 - bit % 8);
}

void kura_share_info_of(const kura_share *s, kura_share_info *out)
{
    out->threshold = s->sym[AT_THRESHOLD];
    out->number = s->sym[AT_NUMBER];
    out->gen = s->sym[AT_GEN];
    out->split = 0;
    for (int i = 0; i < 4; i++)
        out->split = out->split << 5 | s->sym[AT_SPLIT + i];
}

int kura_share_split(kura_share *out, const kura_client_key *key, unsigned gen, unsigned n,
                     unsigned k)
{
    if (k < 2 || k > n || n > KURA_SHARES_MAX || !kura_key_check(key)) return KURA_ERR_INVALID;
    unsigned char *secret = sodium_malloc(SECRET_BYTES + SECRET_BYTES);
    unsigned char numbers[KURA_SHARES_MAX], split[4];
    if (!secret) return KURA_ERR_NOMEM;
    unsigned char *share = secret + SECRET_BYTES;
    symbols_to_bits(secret, SECRET_BYTES, key->sym + 1, KURA_KEY_RANDOM_SYMBOLS);
    for (unsigned i = 0; i < n; i++)
        numbers[i] = (unsigned char)(i + 1);
    gfshare_fill_rand = gfshare_random; /* the polynomials, and wiping: libsodium's generator */
    gfshare_ctx *g = gfshare_ctx_init_enc(numbers, n, (unsigned char)k, SECRET_BYTES);
    if (!g) {
        sodium_free(secret);
        return KURA_ERR_NOMEM;
    }
    gfshare_ctx_enc_setsecret(g, secret);
    randombytes_buf(split, sizeof split);
    for (unsigned i = 0; i < n; i++) {
        kura_share *s = &out[i];
        gfshare_ctx_enc_getshare(g, (unsigned char)i, share);
        s->sym[AT_VERSION] = SHARE_VERSION;
        s->sym[AT_THRESHOLD] = (unsigned char)k;
        s->sym[AT_NUMBER] = numbers[i];
        s->sym[AT_GEN] = (unsigned char)(gen < 32 ? gen : 0);
        for (int b = 0; b < 4; b++)
            s->sym[AT_SPLIT + b] = split[b] & 31;
        bits_to_symbols(s->sym + AT_DATA, DATA_SYMBOLS, share, SECRET_BYTES);
        kura_b32_check_set(s->sym, KURA_SHARE_SYMBOLS);
    }
    gfshare_ctx_free(g); /* it wipes its buffers with random bytes before it frees them */
    sodium_free(secret);
    return KURA_OK;
}

int kura_share_combine(kura_client_key *key, const kura_share *shares, size_t count)
{
    kura_share_info first, each;
    if (!count) return KURA_ERR_NOT_FOUND;
    kura_share_info_of(&shares[0], &first);
    unsigned char numbers[KURA_SHARES_MAX];
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        kura_share_info_of(&shares[i], &each);
        if (each.split != first.split || each.threshold != first.threshold)
            return KURA_ERR_INVALID; /* shares of two different splits */
        int dup = 0;
        for (size_t j = 0; j < used; j++)
            dup |= numbers[j] == each.number;
        if (!dup && used < first.threshold) numbers[used++] = (unsigned char)each.number;
    }
    if (used < first.threshold) return KURA_ERR_NOT_FOUND; /* too few (distinct) shares */
    unsigned char *buf = sodium_malloc(2 * SECRET_BYTES);
    if (!buf) return KURA_ERR_NOMEM;
    gfshare_fill_rand = gfshare_random; /* gfshare_ctx_free wipes with it */
    gfshare_ctx *g = gfshare_ctx_init_dec(numbers, (unsigned)used, SECRET_BYTES);
    if (!g) {
        sodium_free(buf);
        return KURA_ERR_NOMEM;
    }
    size_t given = 0;
    for (size_t i = 0; i < count && given < used; i++) {
        kura_share_info_of(&shares[i], &each);
        if (each.number != numbers[given]) continue;
        symbols_to_bits(buf + SECRET_BYTES, SECRET_BYTES, shares[i].sym + AT_DATA, DATA_SYMBOLS);
        gfshare_ctx_dec_giveshare(g, (unsigned char)given, buf + SECRET_BYTES);
        given++;
    }
    gfshare_ctx_dec_extract(g, buf);
    gfshare_ctx_free(g);
    key->sym[0] = KURA_KEY_VERSION;
    bits_to_symbols(key->sym + 1, KURA_KEY_RANDOM_SYMBOLS, buf, SECRET_BYTES);
    kura_b32_check_set(key->sym, KURA_KEY_SYMBOLS);
    /* 165 bits of a 168-bit secret: the 3 bits past them are 0 in a right combination. */
    int ok = (buf[SECRET_BYTES - 1] & 7) == 0;
    sodium_free(buf);
    return ok ? KURA_OK : KURA_ERR_INVALID;
}

int kura_share_parse(kura_share *s, size_t *bad_pos, const char *text, size_t len)
{
    size_t n = 0;
    if (bad_pos) *bad_pos = 0;
    sodium_memzero(s, sizeof *s);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r') continue;
        int v = kura_b32_value(c);
        if (v < 0 || n == KURA_SHARE_SYMBOLS) {
            if (bad_pos && v < 0) *bad_pos = i + 1;
            sodium_memzero(s, sizeof *s);
            return KURA_ERR_KEY_MALFORMED;
        }
        s->sym[n++] = (unsigned char)v;
    }
    int rc = n != KURA_SHARE_SYMBOLS                         ? KURA_ERR_KEY_MALFORMED
             : !kura_b32_checked(s->sym, KURA_SHARE_SYMBOLS) ? KURA_ERR_KEY_TYPO
             : s->sym[AT_VERSION] != SHARE_VERSION           ? KURA_ERR_KEY_VERSION
             : s->sym[AT_THRESHOLD] < 2 || s->sym[AT_NUMBER] < 1 ||
                     s->sym[AT_THRESHOLD] > KURA_SHARES_MAX || s->sym[AT_NUMBER] > KURA_SHARES_MAX
                 ? KURA_ERR_KEY_MALFORMED
                 : KURA_OK;
    if (rc != KURA_OK) sodium_memzero(s, sizeof *s);
    return rc;
}

void kura_share_format(char *out, const kura_share *s)
{
    size_t o = 0;
    for (size_t i = 0; i < KURA_SHARE_SYMBOLS; i++) {
        if (i && i % 4 == 0) out[o++] = '-';
        out[o++] = kura_b32_symbol(s->sym[i]);
    }
    out[o] = '\0';
}
