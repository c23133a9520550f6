/* One-time passwords (TOTP, RFC 6238) through liboath: from an otpauth:// URI or a bare
 * base32 secret, as an item's hidden field "otp" holds it; Steam Guard's codes (the same HMAC,
 * five characters of Steam's alphabet) through nettle's HMAC-SHA1. The decoded secret lives in
 * guarded memory only for the one HMAC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <liboath/oath.h>
#include <nettle/hmac.h>

#include "base.h"

#define MAX_SECRET 1024 /* base32 symbols */

/* The value of query parameter name (case-insensitive) in uri, percent-decoded, into out
 * (size n): 1 if present, 0 if not, -1 if too long or badly encoded. */
static int param(char *out, size_t n, const char *uri, const char *name)
{
    const char *q = strchr(uri, '?');
    size_t len = strlen(name);
    for (const char *p = q; p && *p; p = strchr(p + 1, '&')) {
        const char *k = p + 1;
        if (strncasecmp(k, name, len) != 0 || k[len] != '=') continue;
        const char *v = k + len + 1;
        size_t o = 0;
        for (; *v && *v != '&' && *v != '#'; v++) {
            int c = (unsigned char)*v;
            if (c == '%') {
                unsigned x;
                if (!v[1] || !v[2] || sscanf(v + 1, "%2x", &x) != 1) return -1;
                c = (int)x;
                v += 2;
            } else if (c == '+') {
                c = ' ';
            }
            if (o + 1 >= n) return -1;
            out[o++] = (char)c;
        }
        out[o] = '\0';
        return 1;
    }
    return 0;
}

/* Base32 as people paste it (any case, spaces, with or without '=' padding) into the
 * padded upper-case form liboath decodes. */
static int normalize_base32(char *out, size_t n, const char *in)
{
    size_t o = 0;
    for (; *in; in++) {
        char c = *in;
        if (c == ' ' || c == '-' || c == '=') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return KURA_ERR_INVALID;
        if (o + 1 >= n) return KURA_ERR_INVALID;
        out[o++] = c;
    }
    if (o == 0) return KURA_ERR_INVALID;
    while (o % 8) {
        if (o + 1 >= n) return KURA_ERR_INVALID;
        out[o++] = '=';
    }
    out[o] = '\0';
    return KURA_OK;
}

#define STEAM -1 /* *flags: Steam Guard's encoding */

/* The parameters of spec, and its secret in normalized base32 (b32, MAX_SECRET + 9). */
static int parse_spec(char *b32, unsigned *digits, unsigned *period, int *flags, const char *spec)
{
    char value[MAX_SECRET + 1];
    *digits = 6, *period = 30, *flags = 0;
    if (strncasecmp(spec, "steam://", 8) == 0) { /* KeePassXC's and KeeWeb's form */
        *digits = 5, *flags = STEAM;
        return normalize_base32(b32, MAX_SECRET + 9, spec + 8);
    }
    if (strncasecmp(spec, "otpauth://", 10) != 0)
        return normalize_base32(b32, MAX_SECRET + 9, spec);
    int steam =
        strncasecmp(spec + 10, "steam/", 6) == 0 || strncasecmp(spec + 10, "steam?", 6) == 0;
    if (!steam && strncasecmp(spec + 10, "totp/", 5) != 0 &&
        strncasecmp(spec + 10, "totp?", 5) != 0)
        return KURA_ERR_NOT_FOUND; /* hotp:// and others: counters kura does not keep */
    if (param(value, sizeof value, spec, "secret") != 1) return KURA_ERR_INVALID;
    int rc = normalize_base32(b32, MAX_SECRET + 9, value);
    sodium_memzero(value, sizeof value);
    if (rc != KURA_OK) return rc;
    int got = param(value, sizeof value, spec, "encoder");
    if (got < 0) return KURA_ERR_INVALID;
    if (steam || (got && strcasecmp(value, "steam") == 0)) {
        *digits = 5, *flags = STEAM;
        return KURA_OK; /* Steam's codes: 30 s, HMAC-SHA1, whatever else the URI says */
    }
    got = param(value, sizeof value, spec, "digits");
    if (got < 0) return KURA_ERR_INVALID;
    if (got) {
        if (strlen(value) != 1 || value[0] < '6' || value[0] > '8') return KURA_ERR_INVALID;
        *digits = (unsigned)(value[0] - '0');
    }
    got = param(value, sizeof value, spec, "period");
    if (got < 0) return KURA_ERR_INVALID;
    if (got) {
        char *end;
        long p = strtol(value, &end, 10);
        if (*end || p < 1 || p > 86400) return KURA_ERR_INVALID;
        *period = (unsigned)p;
    }
    got = param(value, sizeof value, spec, "algorithm");
    if (got < 0) return KURA_ERR_INVALID;
    if (got) {
        if (strcasecmp(value, "SHA256") == 0)
            *flags = OATH_TOTP_HMAC_SHA256;
        else if (strcasecmp(value, "SHA512") == 0)
            *flags = OATH_TOTP_HMAC_SHA512;
        else if (strcasecmp(value, "SHA1") != 0)
            return KURA_ERR_INVALID;
    }
    return KURA_OK;
}

/* Steam Guard: RFC 4226's dynamic truncation of HMAC-SHA1(secret, time step), as five
 * characters of Steam's 26-letter alphabet, least significant first. */
static void steam_code(char out[6], const char *secret, size_t len, uint64_t step)
{
    static const char alphabet[] = "23456789BCDFGHJKMNPQRTVWXY";
    struct hmac_sha1_ctx ctx;
    uint8_t msg[8], mac[SHA1_DIGEST_SIZE];
    for (int i = 7; i >= 0; i--, step >>= 8)
        msg[i] = (uint8_t)(step & 0xff);
    hmac_sha1_set_key(&ctx, len, (const uint8_t *)secret);
    hmac_sha1_update(&ctx, sizeof msg, msg);
    hmac_sha1_digest(&ctx, sizeof mac, mac);
    unsigned off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
    uint32_t v = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                 (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    for (int i = 0; i < 5; i++, v /= 26)
        out[i] = alphabet[v % 26];
    out[5] = '\0';
    sodium_memzero(&ctx, sizeof ctx);
    sodium_memzero(mac, sizeof mac);
}

int kura_totp(kura_totp_code *out, const char *spec, int64_t now)
{
    char *b32 = sodium_malloc(MAX_SECRET + 9), *secret = NULL;
    size_t len = 0;
    int flags;
    memset(out, 0, sizeof *out);
    if (!b32) return KURA_ERR_NOMEM;
    int rc = spec ? parse_spec(b32, &out->digits, &out->period, &flags, spec) : KURA_ERR_INVALID;
    if (rc == KURA_OK &&
        (oath_init() != OATH_OK || oath_base32_decode(b32, strlen(b32), &secret, &len) != OATH_OK ||
         len == 0))
        rc = KURA_ERR_INVALID;
    if (rc == KURA_OK && flags == STEAM)
        steam_code(out->code, secret, len, now < 0 ? 0 : (uint64_t)now / out->period);
    else if (rc == KURA_OK && oath_totp_generate2(secret, len, (time_t)now, out->period, 0,
                                                  out->digits, flags, out->code) != OATH_OK)
        rc = KURA_ERR_INVALID;
    if (rc == KURA_OK) out->remaining = out->period - (unsigned)(now % out->period);
    if (secret) { /* liboath's malloc: wiped before it is freed */
        sodium_memzero(secret, len);
        free(secret);
    }
    sodium_free(b32);
    if (rc != KURA_OK) sodium_memzero(out->code, sizeof out->code);
    return rc;
}
