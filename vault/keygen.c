/* Which client key of the vault's life is the current one: its generation (1 for the first,
 * one more with each rotation) and when it was made, so a kit can say "key 3 of this vault"
 * and an old printout is never taken for the current one. Kept in record "keys", sealed under
 * the item key (records.c): one entry per key this device knew, each with the key's
 * commitment, so a kit found later is told by its key. A rotation another device made
 * reaches this one by sync, whose files carry their key's generation (sync.c). */
#include <string.h>
#include <time.h>

#include "item_int.h"

#define REC_KEYS "keys"
#define ENTRY (4 + 8 + KURA_COMMITBYTES) /* generation, made (ms), commitment */
#define OLD_ENTRY (KURA_KEYBYTES + 8)    /* record "oldkeys": a vault key, replaced when */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void commit_of(unsigned char out[KURA_COMMITBYTES], const kura_vault *v,
                      const kura_client_key *key)
{
    unsigned char wrap[KURA_KEYBYTES];
    kura_client_key_kek(wrap, out, key, v->id);
    sodium_memzero(wrap, sizeof wrap);
}

static int put_entry(kura_gbuf *h, uint32_t gen, uint64_t made_ms,
                     const unsigned char commit[KURA_COMMITBYTES])
{
    unsigned char e[ENTRY];
    kura_put32(e, gen);
    kura_put64(e + 4, made_ms);
    if (commit)
        memcpy(e + 12, commit, KURA_COMMITBYTES);
    else
        memset(e + 12, 0, KURA_COMMITBYTES);
    return kura_gbuf_add(h, e, sizeof e);
}

/* The history into h (empty on entry), under the current keys. A vault from before the
 * record: its rotations counted from record "oldkeys" (each replaced vault key and when). */
static int history(kura_vault *v, kura_gbuf *h)
{
    int rc = kura_record_get(v, REC_KEYS, h);
    if (rc == KURA_OK) return h->n && h->n % ENTRY == 0 ? KURA_OK : KURA_ERR_CORRUPT;
    if (rc != KURA_ERR_NOT_FOUND) return rc;
    kura_gbuf old = {0};
    rc = kura_old_keys(v, &old);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    size_t rotations = old.n / OLD_ENTRY;
    if (rc == KURA_OK) rc = put_entry(h, 1, 0, NULL);
    for (size_t i = 0; rc == KURA_OK && i < rotations; i++)
        rc = put_entry(h, (uint32_t)(i + 2), kura_get64(old.p + i * OLD_ENTRY + KURA_KEYBYTES),
                       NULL);
    if (rc == KURA_OK && v->client_key) commit_of(h->p + h->n - KURA_COMMITBYTES, v, v->client_key);
    kura_gbuf_free(&old);
    return rc;
}

int kura_keygen_start(kura_vault *v, const kura_client_key *key, int known_now)
{
    kura_gbuf h = {0};
    unsigned char commit[KURA_COMMITBYTES];
    commit_of(commit, v, key);
    int rc = put_entry(&h, 1, known_now ? now_ms() : 0, commit);
    if (rc == KURA_OK) rc = kura_record_put(v, REC_KEYS, h.p, h.n);
    kura_gbuf_free(&h);
    return rc;
}

int kura_keygen_read(kura_vault *v, kura_gbuf *h)
{
    return history(v, h);
}

int kura_keygen_next(kura_vault *v, kura_gbuf *h, const unsigned char *new_item_key,
                     const kura_client_key *new_key, int known_now)
{
    unsigned char commit[KURA_COMMITBYTES];
    commit_of(commit, v, new_key);
    uint32_t last = kura_get32(h->p + h->n - ENTRY);
    int rc = put_entry(h, last + 1, known_now ? now_ms() : 0, commit);
    if (rc == KURA_OK) rc = kura_record_put_under(v, new_item_key, REC_KEYS, h->p, h->n);
    return rc;
}

int kura_keygen_current(kura_vault *v, uint32_t *gen, uint64_t *made_ms)
{
    kura_gbuf h = {0};
    int rc = history(v, &h);
    if (rc == KURA_OK) {
        *gen = kura_get32(h.p + h.n - ENTRY);
        *made_ms = kura_get64(h.p + h.n - ENTRY + 4);
    }
    kura_gbuf_free(&h);
    return rc;
}

int kura_keygen_learn(kura_vault *v, uint32_t gen, uint64_t made_ms)
{
    kura_gbuf h = {0};
    int rc = history(v, &h);
    if (rc == KURA_OK && gen > kura_get32(h.p + h.n - ENTRY)) {
        /* The current key is newer than this device counted (rotations it skipped over):
         * its entry takes the count and the time its maker gave. */
        kura_put32(h.p + h.n - ENTRY, gen);
        kura_put64(h.p + h.n - ENTRY + 4, made_ms);
        rc = kura_record_put(v, REC_KEYS, h.p, h.n);
    }
    kura_gbuf_free(&h);
    return rc;
}

int kura_vault_key_gen(kura_vault *v, const kura_client_key *key, kura_key_gen *out)
{
    memset(out, 0, sizeof *out);
    int rc = kura_need_unlocked(v);
    if (rc == KURA_OK) rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    kura_gbuf h = {0};
    rc = history(v, &h);
    kura_vault_read_end(v);
    if (rc != KURA_OK) {
        kura_gbuf_free(&h);
        return kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
    }
    size_t at = h.n - ENTRY;
    if (key) {
        unsigned char commit[KURA_COMMITBYTES];
        commit_of(commit, v, key);
        rc = KURA_ERR_NOT_FOUND;
        for (size_t i = 0; i < h.n; i += ENTRY)
            if (sodium_memcmp(h.p + i + 12, commit, KURA_COMMITBYTES) == 0) at = i, rc = KURA_OK;
    }
    if (rc == KURA_OK) {
        out->gen = kura_get32(h.p + at);
        out->made = (int64_t)(kura_get64(h.p + at + 4) / 1000u);
        out->current = at == h.n - ENTRY;
    }
    kura_gbuf_free(&h);
    return rc;
}
