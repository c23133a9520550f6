/* Reading a damaged file's items around the pages that do not parse (salvage, and a vault
 * read as it is): range reads through the storage's own queries, resumed past a stretch that
 * fails or ends early. Above storage.c, which it only queries. */
#include <string.h>

#include "storage.h"

typedef struct around {
    kura_db *db;
    kura_db_row_fn fn;
    void *ctx;
    unsigned char last[16]; /* the last id handed to fn: ids go up, each handed once */
    int have_last;          /* one was handed in this round */
    int handed;             /* one was handed at all */
    int fn_rc;              /* fn's own failure: stops everything */
} around;

static int around_row(void *ctx, const kura_row *r)
{
    around *a = ctx;
    if (r->keylen == 16) {
        /* A damaged page can hand back rows already read, or below where the read began:
         * skipped, or the rounds below would go round them again. */
        if (a->handed && memcmp(r->key, a->last, 16) <= 0) return KURA_OK;
        memcpy(a->last, r->key, 16);
        a->have_last = a->handed = 1;
    }
    int rc = a->fn(a->ctx, r);
    if (rc != KURA_OK) a->fn_rc = rc;
    return rc;
}

/* x + 1 (0 if x was all ones). */
static int id_next(unsigned char x[16])
{
    for (int i = 15; i >= 0; i--)
        if (++x[i] != 0) return 1;
    return 0;
}

static int first_only(void *ctx, const kura_row *r)
{
    (void)ctx, (void)r;
    return KURA_ERR_EXISTS; /* stop: one row read whole is enough */
}

/* 1 if a row from x on reads, by the very path a range read takes. */
static int row_from(kura_db *db, const unsigned char x[16], const unsigned char hi[16])
{
    return kura_db_range_items(db, x, hi, first_only, NULL) == KURA_ERR_EXISTS;
}

/* x + 2^bit (0 on overflow). */
static int id_add_pow2(unsigned char x[16], unsigned bit)
{
    int i = 15 - (int)(bit / 8);
    unsigned carry = 1u << (bit % 8);
    for (; i >= 0 && carry; i--) {
        unsigned v = x[i] + carry;
        x[i] = (unsigned char)(v & 0xff);
        carry = v >> 8;
    }
    return carry == 0;
}

/* The first of these places at or after from where a row reads: from itself, then ever larger
 * steps from it (from + 2^k), then 64 places spread over the ids after it. A damaged page
 * may fail a read or, worse, end it early without an error (a cell pointer that points
 * wrong): the places beyond find the rows after it either way. Steps start at 2^64: ids are
 * random 128-bit numbers, so two of a vault's items lie that close by chance about once in
 * 10^9 vaults of 100,000 items (a row so close behind a damaged one is then passed over).
 * 0 if none reads. */
static int next_readable(kura_db *db, const unsigned char from[16], unsigned char out[16])
{
    unsigned char hi[16], x[16];
    memset(hi, 0xff, sizeof hi);
    if (row_from(db, from, hi)) return memcpy(out, from, 16), 1;
    for (unsigned k = 64; k < 128; k++) {
        memcpy(x, from, 16);
        if (!id_add_pow2(x, k)) break;
        if (row_from(db, x, hi)) return memcpy(out, x, 16), 1;
    }
    for (unsigned i = 1; i < 64; i++) {
        memset(x, 0, sizeof x);
        x[0] = (unsigned char)(i << 2);
        if (memcmp(x, from, 16) > 0 && row_from(db, x, hi)) return memcpy(out, x, 16), 1;
    }
    return 0;
}

int kura_db_items_around_damage(kura_db *db, kura_db_row_fn fn, void *ctx, size_t *unreadable)
{
    around a = {.db = db, .fn = fn, .ctx = ctx};
    unsigned char pos[16] = {0}, hi[16], after[16], next[16];
    memset(hi, 0xff, sizeof hi);
    *unreadable = 0;
    for (int rounds = 0; rounds < 100000; rounds++) {
        a.have_last = 0;
        int rc = kura_db_range_items(db, pos, hi, around_row, &a);
        if (a.fn_rc != KURA_OK) break;
        /* Read on after the last row (or past pos, if it gave none and failed); never at or
         * before a place read already. */
        memcpy(after, a.have_last ? a.last : pos, 16);
        if (a.handed && memcmp(after, a.last, 16) < 0) memcpy(after, a.last, 16);
        if ((a.have_last || a.handed || rc != KURA_OK) && !id_next(after)) break;
        if (!next_readable(db, after, next)) {
            if (rc != KURA_OK) (*unreadable)++; /* nothing after the damage reads */
            break;
        }
        if (rc != KURA_OK || memcmp(next, after, 16) != 0) (*unreadable)++; /* a stretch lost */
        memcpy(pos, next, 16);
    }
    return a.fn_rc;
}
