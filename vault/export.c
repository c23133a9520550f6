/* kura's encrypted export: any bytes (kura JSON) sealed under a passphrase, for moving items
 * to another vault without a plaintext file on the way. Argon2id (at least libsodium's
 * MODERATE limits, stored in the file and authenticated) gives the key; libsodium's
 * secretstream (XChaCha20-Poly1305) seals the data in 64 KiB chunks, the last one marked
 * final, so a truncated or reordered file does not open.
 *
 *   "KURAEXP1" | opslimit (8) | memlimit (8) | salt (16) | secretstream header (24)
 *   | chunks: length (4, LE) | ciphertext; the first chunk's AD is the 64 bytes before it */
#include <stdlib.h>
#include <string.h>

#include "base.h"

#define MAGIC "KURAEXP1"
#define HEAD (8 + 8 + 8 + 16 + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define CHUNK 65536
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define MAX_OPS 64ULL
#define MAX_MEM (8ULL << 30)

int kura_export_is(const unsigned char *file, size_t n)
{
    return n >= 8 && memcmp(file, MAGIC, 8) == 0;
}

static int derive(unsigned char key[KURA_KEYBYTES], const char *pass, size_t passlen,
                  const unsigned char *salt, uint64_t ops, uint64_t mem)
{
    return crypto_pwhash(key, KURA_KEYBYTES, pass, passlen, salt, ops, (size_t)mem,
                         crypto_pwhash_ALG_ARGON2ID13) == 0
               ? KURA_OK
               : KURA_ERR_NOMEM;
}

int kura_export_seal(const char *path, const unsigned char *data, size_t len, const char *pass,
                     size_t passlen)
{
    uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE, mem = crypto_pwhash_MEMLIMIT_MODERATE;
    size_t chunks = len / CHUNK + 1;
    size_t n = HEAD + len + chunks * (4 + ABYTES);
    unsigned char *file = malloc(n), *key = sodium_malloc(KURA_KEYBYTES);
    crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
    int rc = file && key && st ? KURA_OK : KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        memcpy(file, MAGIC, 8);
        kura_put64(file + 8, ops);
        kura_put64(file + 16, mem);
        randombytes_buf(file + 24, 16);
        rc = derive(key, pass, passlen, file + 24, ops, mem);
    }
    size_t out = HEAD, off = 0;
    if (rc == KURA_OK) {
        crypto_secretstream_xchacha20poly1305_init_push(st, file + 40, key);
        do {
            size_t take = len - off < CHUNK ? len - off : CHUNK;
            int last = off + take == len;
            unsigned long long clen;
            crypto_secretstream_xchacha20poly1305_push(
                st, file + out + 4, &clen, data + off, take, out == HEAD ? file : NULL,
                out == HEAD ? HEAD : 0, last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
            kura_put32(file + out, (uint32_t)clen);
            out += 4 + (size_t)clen;
            off += take;
        } while (off < len);
        rc = kura_write_private_file(path, file, out);
    }
    sodium_free(st);
    sodium_free(key);
    free(file);
    return rc;
}

int kura_export_open(unsigned char **out, size_t *outlen, const unsigned char *file, size_t n,
                     const char *pass, size_t passlen)
{
    *out = NULL;
    *outlen = 0;
    if (!kura_export_is(file, n) || n < HEAD) return KURA_ERR_CORRUPT;
    uint64_t ops = kura_get64(file + 8), mem = kura_get64(file + 16);
    /* Parameters from the file are authenticated by the first chunk, but only after the
     * key is derived: refuse weak ones, and ones that would exhaust the machine, first. */
    if (ops < crypto_pwhash_OPSLIMIT_MODERATE || mem < crypto_pwhash_MEMLIMIT_MODERATE ||
        ops > MAX_OPS || mem > MAX_MEM)
        return KURA_ERR_CORRUPT;
    unsigned char *key = sodium_malloc(KURA_KEYBYTES), *pt = sodium_malloc(n ? n : 1);
    crypto_secretstream_xchacha20poly1305_state *st = sodium_malloc(sizeof *st);
    int rc = key && pt && st ? KURA_OK : KURA_ERR_NOMEM;
    if (rc == KURA_OK) rc = derive(key, pass, passlen, file + 24, ops, mem);
    if (rc == KURA_OK && crypto_secretstream_xchacha20poly1305_init_pull(st, file + 40, key) != 0)
        rc = KURA_ERR_CORRUPT;
    size_t off = HEAD, len = 0;
    unsigned char tag = 0;
    while (rc == KURA_OK && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        if (n - off < 4) {
            rc = KURA_ERR_CORRUPT; /* cut short: no final chunk */
            break;
        }
        size_t clen = kura_get32(file + off);
        off += 4;
        if (clen < ABYTES || clen > n - off || clen > CHUNK + ABYTES) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        unsigned long long plen;
        if (crypto_secretstream_xchacha20poly1305_pull(st, pt + len, &plen, &tag, file + off, clen,
                                                       off == HEAD + 4 ? file : NULL,
                                                       off == HEAD + 4 ? HEAD : 0) != 0)
            rc = off == HEAD + 4 ? KURA_ERR_WRONG_KEY : KURA_ERR_CORRUPT;
        off += clen;
        len += (size_t)plen;
    }
    if (rc == KURA_OK && off != n) rc = KURA_ERR_CORRUPT; /* something after the final chunk */
    sodium_free(st);
    sodium_free(key);
    if (rc != KURA_OK) {
        sodium_free(pt);
        return rc;
    }
    *out = pt;
    *outlen = len;
    return KURA_OK;
}
