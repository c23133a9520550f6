/* The vault handle's own small parts, below everything that uses a handle: what it says
 * of itself (id, name, key, lock), and its records (meta rows),
 * each with a checksum of its name and value. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"

const char *kura_vault_id(const kura_vault *v)
{
    return v->id_text;
}

int kura_vault_is_unlocked(const kura_vault *v)
{
    return v->keys != NULL;
}

const char *kura_vault_name(const kura_vault *v)
{
    return v->name ? v->name : "";
}

int kura_vault_client_key(const kura_vault *v, kura_client_key *key)
{
    if (!v->client_key) return KURA_ERR_LOCKED;
    memcpy(key, v->client_key, sizeof *key);
    return KURA_OK;
}

int kura_vault_count(kura_vault *v, size_t *count)
{
    int rc = kura_db_item_count(v->db, count);
    if (rc != KURA_OK) return kura_fail(rc, "%s", kura_db_error(v->db));
    return KURA_OK;
}

/* Meta rows carry a checksum of (row name, value): a damaged vault id or slot then reads as
 * damage (exit 6), not as a wrong key. Unkeyed: it catches accidents; the AEAD and the key
 * commitment catch attackers. */
#define SUM_BYTES 16

static void meta_sum(unsigned char sum[SUM_BYTES], const char *key, const unsigned char *p,
                     size_t n)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, SUM_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)key, strlen(key) + 1);
    crypto_generichash_update(&st, p, n);
    crypto_generichash_final(&st, sum, SUM_BYTES);
}

int kura_meta_put(kura_vault *v, const char *key, const unsigned char *p, size_t n)
{
    unsigned char *buf = malloc(n + SUM_BYTES);
    if (!buf) return KURA_ERR_NOMEM;
    memcpy(buf, p, n);
    meta_sum(buf + n, key, p, n);
    int rc = kura_db_meta_put(v->db, key, buf, n + SUM_BYTES);
    free(buf);
    return rc;
}

int kura_meta_get(kura_vault *v, kura_blob *out, const char *key)
{
    int rc = kura_meta_find(v, out, key);
    return rc == KURA_ERR_NOT_FOUND ? KURA_ERR_CORRUPT : rc;
}

int kura_meta_find(kura_vault *v, kura_blob *out, const char *key)
{
    unsigned char sum[SUM_BYTES];
    int rc = kura_db_meta_get(v->db, out, key);
    if (rc != KURA_OK) return rc;
    if (out->n < SUM_BYTES) goto bad;
    out->n -= SUM_BYTES;
    meta_sum(sum, key, out->p, out->n);
    if (sodium_memcmp(sum, out->p + out->n, SUM_BYTES) != 0) goto bad;
    return KURA_OK;
bad:
    free(out->p);
    out->p = NULL;
    return KURA_ERR_CORRUPT;
}

kura_gbuf kura_buf_lend(kura_vault *v)
{
    kura_gbuf b = {0};
    if (v && v->n_spare) b = v->spare[--v->n_spare];
    return b;
}

void kura_buf_return(kura_vault *v, kura_gbuf *b)
{
    if (b->p) sodium_memzero(b->p, b->n); /* callers that shorten n wipe what they cut */
    b->n = 0;
    b->failed = 0;
    if (v && b->p && v->n_spare < sizeof v->spare / sizeof *v->spare)
        v->spare[v->n_spare++] = *b;
    else
        kura_gbuf_free(b);
    memset(b, 0, sizeof *b);
}

void kura_buf_spares_free(kura_vault *v)
{
    while (v->n_spare)
        kura_gbuf_free(&v->spare[--v->n_spare]);
}
