/* The vault's state: a keyed hash (BLAKE2b under a key derived from VK) over every item and
 * record in the file, with a generation number that every write moves on. Each item's AEAD
 * stops forgery and moving ciphertexts between items; the state stops what per-item AEAD
 * cannot: deleting, duplicating or inserting items, replaying an older version of one, or
 * mixing records of different times. A record of the newest state this device has seen
 * (dir/<vault id>.seen) stops a rollback of the whole file on devices that saw the newer one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "vault_int.h"

#define STATE_VALUE (8 + KURA_STATE_TAG)
#define SEEN_MAGIC "KURASEEN"
#define SEEN_SUM 16
#define SEEN_BYTES (8 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG + SEEN_SUM)

static void absorb_len(crypto_generichash_state *st, size_t n)
{
    unsigned char b[8];
    kura_put64(b, n);
    crypto_generichash_update(st, b, sizeof b);
}

/* Each row as: table, then length-prefixed key and values, so no two row sets hash alike. */
static int absorb(void *ctx, char table, const void *key, size_t keylen, const unsigned char *a,
                  size_t alen, const unsigned char *b, size_t blen)
{
    crypto_generichash_state *st = ctx;
    unsigned char t = (unsigned char)table;
    crypto_generichash_update(st, &t, 1);
    absorb_len(st, keylen);
    crypto_generichash_update(st, key, keylen);
    absorb_len(st, alen);
    crypto_generichash_update(st, a, alen);
    absorb_len(st, blen);
    if (blen) crypto_generichash_update(st, b, blen);
    return KURA_OK;
}

static int state_tag(kura_vault *v, unsigned char tag[KURA_STATE_TAG], const unsigned char *key,
                     uint64_t gen)
{
    crypto_generichash_state *st = sodium_malloc(sizeof *st); /* holds the key */
    unsigned char g[8];
    if (!st) return KURA_ERR_NOMEM;
    crypto_generichash_init(st, key, KURA_KEYBYTES, KURA_STATE_TAG);
    crypto_generichash_update(st, (const unsigned char *)"kura/state/1", 13);
    crypto_generichash_update(st, v->id, KURA_VAULT_ID_BYTES);
    kura_put64(g, gen);
    crypto_generichash_update(st, g, sizeof g);
    int rc = kura_db_rows_each(v->db, absorb, st);
    crypto_generichash_final(st, tag, KURA_STATE_TAG);
    sodium_free(st);
    return rc;
}

int kura_state_put(kura_vault *v, const unsigned char *key, uint64_t gen)
{
    unsigned char value[STATE_VALUE];
    kura_put64(value, gen);
    int rc = state_tag(v, value + 8, key, gen);
    if (rc == KURA_OK) rc = kura_meta_put(v, KURA_META_STATE, value, sizeof value);
    if (rc != KURA_OK) return kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    v->state_gen = gen;
    memcpy(v->state_tag, value + 8, KURA_STATE_TAG);
    return KURA_OK;
}

/* ---- this device's record: magic, vault id, generation, tag, checksum ---- */

static int seen_path(char *out, size_t n, const kura_vault *v)
{
    if (!v->device_dir) return KURA_ERR_NOT_FOUND;
    int len = snprintf(out, n, "%s/%s.seen", v->device_dir, v->id_text);
    return len > 0 && (size_t)len < n ? KURA_OK : KURA_ERR_INVALID;
}

static void seen_sum(unsigned char sum[SEEN_SUM], const unsigned char *rec)
{
    crypto_generichash(sum, SEEN_SUM, rec, SEEN_BYTES - SEEN_SUM, NULL, 0);
}

/* KURA_OK with *gen and tag, KURA_ERR_NOT_FOUND (none, or unreadable after a torn write). */
static int seen_parse(const kura_vault *v, const unsigned char *rec, ssize_t n, uint64_t *gen,
                      unsigned char tag[KURA_STATE_TAG])
{
    unsigned char sum[SEEN_SUM];
    if (n != SEEN_BYTES || memcmp(rec, SEEN_MAGIC, 8) != 0) return KURA_ERR_NOT_FOUND;
    seen_sum(sum, rec);
    if (sodium_memcmp(sum, rec + SEEN_BYTES - SEEN_SUM, SEEN_SUM) != 0) return KURA_ERR_NOT_FOUND;
    if (memcmp(rec + 8, v->id, KURA_VAULT_ID_BYTES) != 0) return KURA_ERR_NOT_FOUND;
    *gen = kura_get64(rec + 8 + KURA_VAULT_ID_BYTES);
    memcpy(tag, rec + 16 + KURA_VAULT_ID_BYTES, KURA_STATE_TAG);
    return KURA_OK;
}

/* Opens (creating) and locks the record: concurrent kura processes move it forward only. */
static int seen_open(const kura_vault *v)
{
    char path[4096];
    if (seen_path(path, sizeof path, v) != KURA_OK) return -1;
    if (kura_mkdir_private(v->device_dir) != KURA_OK) return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void kura_state_seen(kura_vault *v, int force)
{
    unsigned char rec[SEEN_BYTES], tag[KURA_STATE_TAG];
    uint64_t gen;
    int fd = seen_open(v);
    if (fd < 0) return; /* the guard is best effort: the vault write itself succeeded */
    ssize_t n = pread(fd, rec, sizeof rec, 0);
    if (!force && seen_parse(v, rec, n, &gen, tag) == KURA_OK && gen >= v->state_gen) {
        close(fd);
        return;
    }
    memcpy(rec, SEEN_MAGIC, 8);
    memcpy(rec + 8, v->id, KURA_VAULT_ID_BYTES);
    kura_put64(rec + 8 + KURA_VAULT_ID_BYTES, v->state_gen);
    memcpy(rec + 16 + KURA_VAULT_ID_BYTES, v->state_tag, KURA_STATE_TAG);
    seen_sum(rec + SEEN_BYTES - SEEN_SUM, rec);
    if (pwrite(fd, rec, sizeof rec, 0) == (ssize_t)sizeof rec && ftruncate(fd, SEEN_BYTES) == 0)
        (void)fsync(fd);
    close(fd);
}

/* Compares the file's (checked) state with the record: older or forked is refused. */
static int seen_check(kura_vault *v)
{
    char path[4096];
    unsigned char rec[SEEN_BYTES], tag[KURA_STATE_TAG];
    uint64_t gen;
    if (seen_path(path, sizeof path, v) != KURA_OK) return KURA_OK;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, rec, sizeof rec);
    if (fd >= 0) close(fd);
    if (seen_parse(v, rec, n, &gen, tag) != KURA_OK || gen < v->state_gen) {
        if (!v->resign) kura_state_seen(v, 0);
        return KURA_OK;
    }
    if (gen == v->state_gen && sodium_memcmp(tag, v->state_tag, KURA_STATE_TAG) == 0)
        return KURA_OK;
    if (v->trust_file) {
        v->state_gen = gen > v->state_gen ? gen : v->state_gen;
        v->resign = 1;
        return KURA_OK;
    }
    if (gen > v->state_gen)
        return kura_vault_fail(v, KURA_ERR_CORRUPT,
                               "vault %s is older than this device last saw it (change %" PRIu64
                               ", the file has change %" PRIu64
                               "): it was rolled back or restored from a backup; if you did that "
                               "on purpose, run again with --trust-file",
                               v->id_text, gen, v->state_gen);
    return kura_vault_fail(v, KURA_ERR_CORRUPT,
                           "vault %s has a different change %" PRIu64
                           " than this device saw: changes were lost (a sync conflict, or an "
                           "older copy written over it); to accept it, run again with "
                           "--trust-file",
                           v->id_text, gen);
}

int kura_state_check(kura_vault *v)
{
    kura_blob b;
    unsigned char tag[KURA_STATE_TAG];
    int rc = kura_meta_get(v, &b, KURA_META_STATE);
    if (rc == KURA_OK && b.n != STATE_VALUE) rc = KURA_ERR_CORRUPT;
    uint64_t gen = rc == KURA_OK ? kura_get64(b.p) : 0;
    if (rc == KURA_OK) rc = state_tag(v, tag, STATE_KEY(v), gen);
    if (rc == KURA_OK && sodium_memcmp(tag, b.p + 8, KURA_STATE_TAG) != 0) rc = KURA_ERR_CORRUPT;
    free(b.p);
    v->state_gen = gen;
    memcpy(v->state_tag, tag, KURA_STATE_TAG);
    if (rc == KURA_ERR_CORRUPT && v->trust_file) {
        v->resign = 1;
    } else if (rc == KURA_ERR_CORRUPT) {
        return kura_vault_fail(v, rc,
                               "vault %s was changed without its key: its items or records do "
                               "not match its signed state (an item removed, added, replayed or "
                               "damaged); to read what is left, run again with --trust-file",
                               v->id_text);
    } else if (rc != KURA_OK) {
        return kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    }
    return seen_check(v);
}

int kura_vault_write_begin(kura_vault *v)
{
    if (!v->keys) return kura_vault_fail(v, KURA_ERR_LOCKED, "the vault is locked");
    int rc = kura_db_begin(v->db);
    if (rc != KURA_OK) return kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    v->err[0] = '\0';
    int trusted = v->trust_file;
    v->trust_file = 0; /* trust covers the unlock; the state is re-signed by now */
    rc = kura_state_check(v);
    v->trust_file = trusted;
    if (rc != KURA_OK) kura_db_rollback(v->db);
    return rc;
}

int kura_vault_write_end(kura_vault *v, int rc)
{
    uint64_t gen = v->state_gen;
    if (rc == KURA_OK) rc = kura_state_put(v, STATE_KEY(v), gen + 1);
    if (rc == KURA_OK) {
        rc = kura_db_commit(v->db);
        if (rc != KURA_OK) kura_vault_fail(v, rc, "%s", kura_db_error(v->db));
    }
    if (rc != KURA_OK) {
        kura_db_rollback(v->db);
        v->state_gen = gen;
        return rc;
    }
    kura_state_seen(v, 0);
    return KURA_OK;
}
