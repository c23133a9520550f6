/* The files a device writes to a remote (FORMAT.md, "The remote"): a header in the clear
 * (magic, version, kind, the vault id, the id of the key, the sequence number, the hash of the
 * file before)
 * and a seal under the sync key whose associated data is that header, the vault id and the
 * writing device's id. So a file cannot be moved to another device, another place in the
 * chain or another vault, cut, or changed, without failing to open; a dropped file leaves a
 * gap in the numbers, and a replayed one names the wrong place. */
#include <stdlib.h>
#include <string.h>

#include "sync.h"

#define SYNC_VERSION 1

void kura_sync_keys(const kura_vault *v, unsigned char key[KURA_KEYBYTES],
                    unsigned char id[SYNC_KEY_ID])
{
    kura_sync_keys_of(VK(v), key, id);
}

void kura_sync_keys_of(const unsigned char *vk, unsigned char key[KURA_KEYBYTES],
                       unsigned char id[SYNC_KEY_ID])
{
    crypto_kdf_derive_from_key(key, KURA_KEYBYTES, 5, "kurasync", vk);
    /* The key's public name: a keyed hash of a label, so it says nothing of the key but
     * tells files of one vault key from another's (a rotation). */
    crypto_generichash(id, SYNC_KEY_ID, (const unsigned char *)"kura/sync-key-id/1", 18, key,
                       KURA_KEYBYTES);
}

#define AT_VAULT 6
#define AT_KEY (AT_VAULT + KURA_VAULT_ID_BYTES)
#define AT_SEQ (AT_KEY + SYNC_KEY_ID)
#define AT_PREV (AT_SEQ + 8)

static void header(unsigned char h[SYNC_HEAD], char kind, const unsigned char *vault_id,
                   const unsigned char key_id[SYNC_KEY_ID], uint64_t seq,
                   const unsigned char prev[32])
{
    memcpy(h, SYNC_MAGIC, 4);
    h[4] = SYNC_VERSION;
    h[5] = (unsigned char)kind;
    memcpy(h + AT_VAULT, vault_id, KURA_VAULT_ID_BYTES);
    memcpy(h + AT_KEY, key_id, SYNC_KEY_ID);
    kura_put64(h + AT_SEQ, seq);
    memcpy(h + AT_PREV, prev, 32);
}

static void ad_of(unsigned char *ad, const unsigned char h[SYNC_HEAD], const kura_vault *v,
                  const unsigned char device[KURA_DEVICE_ID_BYTES])
{
    memcpy(ad, h, SYNC_HEAD);
    memcpy(ad + SYNC_HEAD, v->id, KURA_VAULT_ID_BYTES);
    memcpy(ad + SYNC_HEAD + KURA_VAULT_ID_BYTES, device, KURA_DEVICE_ID_BYTES);
}
#define AD_BYTES (SYNC_HEAD + KURA_VAULT_ID_BYTES + KURA_DEVICE_ID_BYTES)

static size_t cut(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n > max ? max : n;
}

int kura_sync_seal(kura_blob *out, unsigned char hash[32], const kura_vault *v,
                   const unsigned char *vk, char kind, uint64_t seq, const unsigned char prev[32],
                   const unsigned char device[KURA_DEVICE_ID_BYTES], const char *device_name,
                   const char *vault_name, const unsigned char *records, size_t len)
{
    unsigned char key[KURA_KEYBYTES], key_id[SYNC_KEY_ID], h[SYNC_HEAD], ad[AD_BYTES];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    size_t dn = cut(device_name, 64), vn = cut(vault_name, 256);
    size_t plain = 8 + 1 + dn + 2 + vn + len, cap = plain + SYNC_PAD, padded;
    kura_gbuf pt = {0};
    unsigned char n8[8], n2[2] = {(unsigned char)(vn & 0xff), (unsigned char)(vn >> 8)},
                         n1 = (unsigned char)dn;
    kura_put64(n8, ms);
    kura_gbuf_add(&pt, n8, 8);
    kura_gbuf_add(&pt, &n1, 1);
    kura_gbuf_add(&pt, device_name, dn);
    kura_gbuf_add(&pt, n2, 2);
    kura_gbuf_add(&pt, vault_name, vn);
    kura_gbuf_add(&pt, records, len);
    kura_gbuf_add(&pt, NULL, SYNC_PAD);
    int rc = pt.failed ? KURA_ERR_NOMEM : KURA_OK;
    if (rc == KURA_OK && sodium_pad(&padded, pt.p, plain, SYNC_PAD, cap) != 0) rc = KURA_ERR_NOMEM;
    out->p = NULL;
    if (rc == KURA_OK) {
        out->n = SYNC_HEAD + KURA_NONCEBYTES + padded + KURA_MACBYTES;
        if (!(out->p = malloc(out->n))) rc = KURA_ERR_NOMEM;
    }
    if (rc == KURA_OK) {
        kura_sync_keys_of(vk ? vk : VK(v), key, key_id);
        header(h, kind, v->id, key_id, seq, prev);
        ad_of(ad, h, v, device);
        memcpy(out->p, h, SYNC_HEAD);
        kura_seal(out->p + SYNC_HEAD, pt.p, padded, ad, sizeof ad, NULL, key);
        crypto_generichash(hash, 32, out->p, out->n, NULL, 0);
    }
    sodium_memzero(key, sizeof key);
    kura_gbuf_free(&pt);
    return rc;
}

int kura_sync_peek(sync_file *f, const unsigned char *file, size_t n)
{
    memset(f, 0, sizeof *f);
    if (n < SYNC_HEAD + KURA_NONCEBYTES + KURA_MACBYTES || memcmp(file, SYNC_MAGIC, 4) != 0 ||
        file[4] != SYNC_VERSION || (file[5] != 'l' && file[5] != 's'))
        return KURA_ERR_CORRUPT;
    f->kind = (char)file[5];
    memcpy(f->vault_id, file + AT_VAULT, KURA_VAULT_ID_BYTES);
    memcpy(f->key_id, file + AT_KEY, SYNC_KEY_ID);
    f->seq = kura_get64(file + AT_SEQ);
    memcpy(f->prev, file + AT_PREV, 32);
    crypto_generichash(f->hash, 32, file, n, NULL, 0);
    return KURA_OK;
}

int kura_sync_open(sync_file *f, const kura_vault *v, const unsigned char *vk,
                   const unsigned char device[KURA_DEVICE_ID_BYTES], const unsigned char *file,
                   size_t n)
{
    unsigned char key[KURA_KEYBYTES], key_id[SYNC_KEY_ID], ad[AD_BYTES];
    if (kura_sync_peek(f, file, n) != KURA_OK) return KURA_ERR_TAMPERED;
    if (memcmp(f->vault_id, v->id, KURA_VAULT_ID_BYTES) != 0) return KURA_ERR_TAMPERED;
    kura_sync_keys_of(vk ? vk : VK(v), key, key_id);
    if (sodium_memcmp(key_id, f->key_id, SYNC_KEY_ID) != 0) {
        sodium_memzero(key, sizeof key);
        return KURA_ERR_ROTATED;
    }
    ad_of(ad, file, v, device);
    size_t len = n - SYNC_HEAD - KURA_NONCEBYTES - KURA_MACBYTES;
    int rc = kura_gbuf_add(&f->plain, NULL, len);
    if (rc == KURA_OK)
        rc = kura_open(f->plain.p, file + SYNC_HEAD, n - SYNC_HEAD, ad, sizeof ad, key) == KURA_OK
                 ? KURA_OK
                 : KURA_ERR_TAMPERED;
    sodium_memzero(key, sizeof key);
    if (rc == KURA_OK && sodium_unpad(&len, f->plain.p, len, SYNC_PAD) != 0) rc = KURA_ERR_TAMPERED;
    const unsigned char *p = f->plain.p;
    if (rc == KURA_OK && len < 8 + 1 + 2) rc = KURA_ERR_TAMPERED;
    size_t off = 8;
    if (rc == KURA_OK) {
        f->written_ms = kura_get64(p);
        size_t dn = p[off++];
        if (dn > len - off - 2) rc = KURA_ERR_TAMPERED;
        if (rc == KURA_OK) {
            memcpy(f->device_name, p + off, dn);
            f->device_name[dn] = '\0';
            off += dn;
            size_t vn = (size_t)p[off] | (size_t)p[off + 1] << 8;
            off += 2;
            if (vn > 256 || vn > len - off) rc = KURA_ERR_TAMPERED;
            if (rc == KURA_OK) {
                memcpy(f->vault_name, p + off, vn);
                f->vault_name[vn] = '\0';
                off += vn;
            }
        }
    }
    f->plain.n = rc == KURA_OK ? len : 0;
    f->records_at = off;
    return rc;
}

void kura_sync_file_free(sync_file *f)
{
    kura_gbuf_free(&f->plain);
}
