/* The only file that chooses ciphers: XChaCha20-Poly1305 for every ciphertext, BLAKE2b for
 * key derivation and key commitments. Everything else calls these few functions. */
#include <endian.h>
#include <string.h>

#include "base.h"

void kura_seal(unsigned char *out, const unsigned char *m, size_t mlen, const unsigned char *ad,
               size_t adlen, const unsigned char *nonce, const unsigned char key[KURA_KEYBYTES])
{
    if (nonce)
        memcpy(out, nonce, KURA_NONCEBYTES);
    else
        randombytes_buf(out, KURA_NONCEBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + KURA_NONCEBYTES, NULL, m, mlen, ad, adlen,
                                               NULL, out, key);
}

int kura_open(unsigned char *m, const unsigned char *in, size_t inlen, const unsigned char *ad,
              size_t adlen, const unsigned char key[KURA_KEYBYTES])
{
    if (inlen < KURA_NONCEBYTES + KURA_MACBYTES) return KURA_ERR_CORRUPT;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            m, NULL, NULL, in + KURA_NONCEBYTES, inlen - KURA_NONCEBYTES, ad, adlen, in, key) != 0)
        return KURA_ERR_CORRUPT;
    return KURA_OK;
}

void kura_kdf_split(unsigned char wrap[KURA_KEYBYTES], unsigned char commit[KURA_COMMITBYTES],
                    const unsigned char *ikm, size_t ikmlen, const char *label,
                    const unsigned char vault_id[KURA_VAULT_ID_BYTES])
{
    crypto_generichash_state st;
    unsigned char okm[64];

    /* okm = BLAKE2b-512(key = ikm, "kura/kdf/1" || label || 0 || vault id) */
    crypto_generichash_init(&st, ikm, ikmlen, sizeof okm);
    crypto_generichash_update(&st, (const unsigned char *)"kura/kdf/1", 10);
    crypto_generichash_update(&st, (const unsigned char *)label, strlen(label) + 1);
    crypto_generichash_update(&st, vault_id, KURA_VAULT_ID_BYTES);
    crypto_generichash_final(&st, okm, sizeof okm);
    memcpy(wrap, okm, KURA_KEYBYTES);
    /* The commitment is a hash of the second half: it reveals nothing of the wrapping key. */
    crypto_generichash(commit, KURA_COMMITBYTES, (const unsigned char *)"kura/commit/1", 13,
                       okm + 32, 32);
    sodium_memzero(okm, sizeof okm);
    sodium_memzero(&st, sizeof st);
}

void kura_client_key_kek(unsigned char wrap[KURA_KEYBYTES], unsigned char commit[KURA_COMMITBYTES],
                         const kura_client_key *key,
                         const unsigned char vault_id[KURA_VAULT_ID_BYTES])
{
    kura_kdf_split(wrap, commit, key->sym, KURA_KEY_SYMBOLS, "client-key", vault_id);
}

/* Slot layout: version(1) kind(1) opslimit(8) memlimit(8) salt(16) commit(32) | nonce ct tag */
static void slot_ad(unsigned char *ad, const unsigned char *header,
                    const unsigned char vault_id[KURA_VAULT_ID_BYTES])
{
    memcpy(ad, "kura-slot1", 10);
    memcpy(ad + 10, vault_id, KURA_VAULT_ID_BYTES);
    memcpy(ad + 10 + KURA_VAULT_ID_BYTES, header, KURA_SLOT_HEADER);
}
#define SLOT_AD_BYTES (10 + KURA_VAULT_ID_BYTES + KURA_SLOT_HEADER)

void kura_slot_seal(unsigned char out[KURA_SLOT_BYTES], const kura_slot_params *p,
                    const unsigned char wrap[KURA_KEYBYTES],
                    const unsigned char commit[KURA_COMMITBYTES],
                    const unsigned char vault_id[KURA_VAULT_ID_BYTES],
                    const unsigned char vk[KURA_KEYBYTES], const unsigned char *nonce)
{
    unsigned char ad[SLOT_AD_BYTES];

    out[0] = 1;
    out[1] = p->kind;
    kura_put64(out + 2, p->opslimit);
    kura_put64(out + 10, p->memlimit);
    memcpy(out + 18, p->salt, 16);
    memcpy(out + 34, commit, KURA_COMMITBYTES);
    slot_ad(ad, out, vault_id);
    kura_seal(out + KURA_SLOT_HEADER, vk, KURA_KEYBYTES, ad, sizeof ad, nonce, wrap);
}

int kura_slot_parse(kura_slot_params *p, const unsigned char *in, size_t inlen)
{
    if (inlen != KURA_SLOT_BYTES || in[0] != 1) return KURA_ERR_CORRUPT;
    if (in[1] != KURA_SLOT_CLIENT_KEY && in[1] != KURA_SLOT_PASSPHRASE) return KURA_ERR_CORRUPT;
    p->kind = in[1];
    p->opslimit = kura_get64(in + 2);
    p->memlimit = kura_get64(in + 10);
    memcpy(p->salt, in + 18, 16);
    return KURA_OK;
}

int kura_slot_open(unsigned char vk[KURA_KEYBYTES], const unsigned char *in, size_t inlen,
                   const unsigned char wrap[KURA_KEYBYTES],
                   const unsigned char commit[KURA_COMMITBYTES],
                   const unsigned char vault_id[KURA_VAULT_ID_BYTES])
{
    unsigned char ad[SLOT_AD_BYTES];
    kura_slot_params p;

    if (kura_slot_parse(&p, in, inlen) != KURA_OK) return KURA_ERR_CORRUPT;
    slot_ad(ad, in, vault_id);
    if (sodium_memcmp(in + 34, commit, KURA_COMMITBYTES) != 0) {
        /* Another key, or a commitment that was damaged or zeroed: the ciphertext tells. With
         * the commitment this key gives put back into the header (the AD), does it open? Then
         * the key is right and the slot is damaged, never "an old key"; what it yields is
         * wiped unused. */
        memcpy(ad + 10 + KURA_VAULT_ID_BYTES + 34, commit, KURA_COMMITBYTES);
        int opens = kura_open(vk, in + KURA_SLOT_HEADER, inlen - KURA_SLOT_HEADER, ad, sizeof ad,
                              wrap) == KURA_OK;
        sodium_memzero(vk, KURA_KEYBYTES);
        return opens ? KURA_ERR_CORRUPT : KURA_ERR_WRONG_KEY;
    }
    return kura_open(vk, in + KURA_SLOT_HEADER, inlen - KURA_SLOT_HEADER, ad, sizeof ad, wrap);
}

void kura_item_ad(unsigned char ad[KURA_AD_BYTES], const unsigned char vault_id[16],
                  const unsigned char item_id[16], char part)
{
    memcpy(ad, "kura1", 5);
    memcpy(ad + 5, vault_id, KURA_VAULT_ID_BYTES);
    memcpy(ad + 5 + KURA_VAULT_ID_BYTES, item_id, KURA_ITEM_ID_BYTES);
    ad[KURA_AD_BYTES - 1] = (unsigned char)part;
}
