/* This device's record of the newest state of each vault it saw (<state folder>/<vault id>.seen),
 * moved only forward, and the chain of states: a link per state, and the check that a file
 * continues what this device saw (not older: a rollback; not another branch: a fork). Below the
 * signed state, which calls it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "state.h"

#define SEEN_MAGIC "KURASEEN"  /* generation and tag */
#define SEEN_MAGIC2 "KURASEE2" /* and the link */
#define SEEN_SUM 16
#define SEEN_BYTES (8 + KURA_VAULT_ID_BYTES + 8 + KURA_STATE_TAG + SEEN_SUM)
#define SEEN_BYTES2 (SEEN_BYTES + KURA_STATE_TAG)

int kura_state_chained(const kura_vault *v)
{
    return kura_db_format(v->db) >= 3;
}

/* The link of a state in the chain: unkeyed, since the tag it covers is keyed (a rotation
 * changes the key, not the chain). */
void kura_state_link(unsigned char out[KURA_STATE_TAG], const unsigned char prev[KURA_STATE_TAG],
                     const unsigned char tag[KURA_STATE_TAG])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, KURA_STATE_TAG);
    crypto_generichash_update(&st, (const unsigned char *)"kura/link/1", 12);
    crypto_generichash_update(&st, prev, KURA_STATE_TAG);
    crypto_generichash_update(&st, tag, KURA_STATE_TAG);
    crypto_generichash_final(&st, out, KURA_STATE_TAG);
}

/* ---- this device's record: magic, vault id, generation, tag, [link,] checksum ---- */

typedef struct seen {
    uint64_t gen;
    unsigned char tag[KURA_STATE_TAG];
    unsigned char link[KURA_STATE_TAG]; /* all zero: not known (a record of format 1 or 2) */
} seen;

static int seen_path(char *out, size_t n, const kura_vault *v)
{
    if (!v->state_dir) return KURA_ERR_NOT_FOUND;
    int len = snprintf(out, n, "%s/%s.seen", v->state_dir, v->id_text);
    return len > 0 && (size_t)len < n ? KURA_OK : KURA_ERR_INVALID;
}

/* KURA_OK with *r, KURA_ERR_NOT_FOUND (none, or unreadable after a torn write). Reads the
 * record of kura before the chain (no link) too. */
static int seen_parse(const kura_vault *v, const unsigned char *rec, ssize_t n, seen *r)
{
    unsigned char sum[SEEN_SUM];
    int two = n == SEEN_BYTES2 && memcmp(rec, SEEN_MAGIC2, 8) == 0;
    if (!two && (n != SEEN_BYTES || memcmp(rec, SEEN_MAGIC, 8) != 0)) return KURA_ERR_NOT_FOUND;
    crypto_generichash(sum, SEEN_SUM, rec, (size_t)n - SEEN_SUM, NULL, 0);
    if (sodium_memcmp(sum, rec + n - SEEN_SUM, SEEN_SUM) != 0) return KURA_ERR_NOT_FOUND;
    if (memcmp(rec + 8, v->id, KURA_VAULT_ID_BYTES) != 0) return KURA_ERR_NOT_FOUND;
    r->gen = kura_get64(rec + 8 + KURA_VAULT_ID_BYTES);
    memcpy(r->tag, rec + 16 + KURA_VAULT_ID_BYTES, KURA_STATE_TAG);
    memset(r->link, 0, KURA_STATE_TAG);
    if (two) memcpy(r->link, rec + 16 + KURA_VAULT_ID_BYTES + KURA_STATE_TAG, KURA_STATE_TAG);
    return KURA_OK;
}

static int zero(const unsigned char *p)
{
    return sodium_is_zero(p, KURA_STATE_TAG);
}

/* Opens (creating) and locks the record: concurrent kura processes move it forward only. */
static int seen_open(const kura_vault *v)
{
    char path[4096];
    if (seen_path(path, sizeof path, v) != KURA_OK) return -1;
    if (kura_mkdir_private(v->state_dir) != KURA_OK) return -1;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

uint64_t kura_state_seen_gen(const kura_vault *v)
{
    char path[4096];
    unsigned char rec[SEEN_BYTES2];
    seen r;
    if (seen_path(path, sizeof path, v) != KURA_OK) return 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, rec, sizeof rec);
    if (fd >= 0) close(fd);
    return seen_parse(v, rec, n, &r) == KURA_OK ? r.gen : 0;
}

void kura_state_seen(kura_vault *v, int force)
{
    unsigned char rec[SEEN_BYTES2];
    seen r;
    int fd = seen_open(v);
    if (fd < 0) return; /* the guard is best effort: the vault write itself succeeded */
    ssize_t n = pread(fd, rec, sizeof rec, 0);
    if (!force && seen_parse(v, rec, n, &r) == KURA_OK && r.gen >= v->state_gen) {
        close(fd);
        return;
    }
    unsigned char *p = rec;
    memcpy(p, SEEN_MAGIC2, 8), p += 8;
    memcpy(p, v->id, KURA_VAULT_ID_BYTES), p += KURA_VAULT_ID_BYTES;
    kura_put64(p, v->state_gen), p += 8;
    memcpy(p, v->state_tag, KURA_STATE_TAG), p += KURA_STATE_TAG;
    /* The link only where the file has a chain: a record of a format 2 state says "not known". */
    if (kura_state_chained(v))
        memcpy(p, v->state_link, KURA_STATE_TAG);
    else
        memset(p, 0, KURA_STATE_TAG);
    p += KURA_STATE_TAG;
    crypto_generichash(p, SEEN_SUM, rec, (size_t)(p - rec), NULL, 0);
    if (pwrite(fd, rec, sizeof rec, 0) == (ssize_t)sizeof rec && ftruncate(fd, SEEN_BYTES2) == 0)
        (void)fsync(fd);
    close(fd);
}

static int follow(void *ctx, const kura_row *row)
{
    kura_state_link(ctx, ctx, row->a);
    return KURA_OK;
}

/* 1 if the file's chain leads back to what this device saw (r, older than the file): the
 * chain's tags from r's generation on, linked from r's link, give the link the file's state
 * covers. A record without a link (kura before the chain) can only be compared where the
 * chain holds its generation. */
static int descends(kura_vault *v, const seen *r)
{
    unsigned char link[KURA_STATE_TAG], tag[KURA_STATE_TAG];
    if (!kura_state_chained(v))
        return zero(r->link); /* a chain seen, then a file without: a fork */
    if (zero(r->link)) {
        int rc = kura_db_chain_get(v->db, r->gen, tag);
        return rc == KURA_ERR_NOT_FOUND ||
               (rc == KURA_OK && sodium_memcmp(tag, r->tag, KURA_STATE_TAG) == 0);
    }
    /* The states after r's, in order; a re-signed file (--trust-file) skips generations. */
    memcpy(link, r->link, KURA_STATE_TAG);
    if (kura_db_chain_rows(v->db, r->gen, v->state_gen, follow, link) != KURA_OK) return 0;
    return sodium_memcmp(link, v->state_prev, KURA_STATE_TAG) == 0;
}

/* Compares the file's (checked) state with the record: older or forked is refused. */
int kura_seen_check(kura_vault *v)
{
    char path[4096];
    unsigned char rec[SEEN_BYTES2];
    seen r;
    if (seen_path(path, sizeof path, v) != KURA_OK) return KURA_OK;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, rec, sizeof rec);
    if (fd >= 0) close(fd);
    if (seen_parse(v, rec, n, &r) != KURA_OK) {
        if (!v->resign) kura_state_seen(v, 0);
        return KURA_OK;
    }
    int same = r.gen == v->state_gen && sodium_memcmp(r.tag, v->state_tag, KURA_STATE_TAG) == 0 &&
               (zero(r.link) || sodium_memcmp(r.link, v->state_link, KURA_STATE_TAG) == 0);
    if (same) return KURA_OK;
    if (r.gen < v->state_gen && descends(v, &r)) {
        if (!v->resign) kura_state_seen(v, 0);
        return KURA_OK;
    }
    if (v->trust_file) {
        v->state_gen = r.gen > v->state_gen ? r.gen : v->state_gen;
        v->resign = 1;
        return KURA_OK;
    }
    if (r.gen > v->state_gen)
        return kura_fail(KURA_ERR_ROLLED_BACK,
                         "vault %s is older than this device last saw it (change %" PRIu64
                         ", the file has change %" PRIu64
                         "): it was rolled back or restored from a backup",
                         v->id_text, r.gen, v->state_gen);
    return kura_fail(KURA_ERR_FORK,
                     "vault %s is a fork: its change %" PRIu64
                     " does not follow from change %" PRIu64
                     " that this device saw, so changes made here are not in it (a sync "
                     "conflict, or an older copy written to on another device)",
                     v->id_text, v->state_gen, r.gen);
}
