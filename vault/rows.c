/* The vault file's rows through SQLite: records (meta), items, bucket hashes and the chain of
 * states, each read back checked to be what kura writes (blobs of the right sizes). */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "storage_int.h"

static int copy_col(kura_blob *b, sqlite3_stmt *st, int col)
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (sqlite3_column_type(st, col) != SQLITE_BLOB) return KURA_ERR_CORRUPT;
    b->p = malloc(n ? (size_t)n : 1);
    if (!b->p) return KURA_ERR_NOMEM;
    memcpy(b->p, p, (size_t)n);
    b->n = (size_t)n;
    return KURA_OK;
}

int kura_db_meta_get(kura_db *db, kura_blob *out, const char *key)
{
    sqlite3_stmt *st = NULL;
    out->p = NULL;
    out->n = 0;
    int src = sqlite3_prepare_v2(db->h, "SELECT v FROM meta WHERE k = ?1", -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    int rc = src == SQLITE_ROW    ? copy_col(out, st, 0)
             : src == SQLITE_DONE ? KURA_ERR_NOT_FOUND
                                  : kura_db_fail(db, src);
    sqlite3_finalize(st);
    return rc;
}

int kura_db_meta_put(kura_db *db, const char *key, const void *p, size_t n)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)", -1,
                                 &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, p, (int)n, SQLITE_STATIC);
    src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? KURA_OK : kura_db_fail(db, src);
}

int kura_db_meta_delete(kura_db *db, const char *key)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, "DELETE FROM meta WHERE k = ?1", -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    sqlite3_finalize(st);
    return src == SQLITE_DONE ? KURA_OK : kura_db_fail(db, src);
}

/* Steps a bound write st, resets it: KURA_ERR_NOT_FOUND if it changed no row. */
static int kura_db_run(kura_db *db, sqlite3_stmt *st)
{
    int src = sqlite3_step(st);
    int changed = sqlite3_changes(db->h);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (src != SQLITE_DONE) return kura_db_fail(db, src);
    return changed > 0 ? KURA_OK : KURA_ERR_NOT_FOUND;
}

int kura_db_item_put(kura_db *db, const unsigned char id[16], const kura_blob *ov,
                     const kura_blob *det, const unsigned char *name, int insert)
{
    int two = db->format >= 2;
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db,
                           insert ? (two ? ST_ITEM_INSERT2 : ST_ITEM_INSERT)
                                  : (two ? ST_ITEM_UPDATE2 : ST_ITEM_UPDATE),
                           &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, ov->p, (int)ov->n, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, det->p, (int)det->n, SQLITE_STATIC);
    if (two) sqlite3_bind_blob(st, 4, name, KURA_NAME_BYTES, SQLITE_STATIC);
    return kura_db_run(db, st);
}

int kura_db_set_name(kura_db *db, const unsigned char id[16], const unsigned char *name)
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_SET_NAME, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, name, KURA_NAME_BYTES, SQLITE_STATIC);
    return kura_db_run(db, st);
}

/* The one 32-byte blob a bound statement gives (a bucket's hash, a chain row's tag) into out;
 * KURA_ERR_NOT_FOUND if no row, KURA_ERR_CORRUPT if it is not such a blob. Resets st. */
static int one_tag(kura_db *db, sqlite3_stmt *st, unsigned char out[KURA_STATE_TAG])
{
    int src = sqlite3_step(st), rc;
    if (src == SQLITE_ROW) {
        rc = sqlite3_column_type(st, 0) == SQLITE_BLOB &&
                     sqlite3_column_bytes(st, 0) == KURA_STATE_TAG
                 ? KURA_OK
                 : KURA_ERR_CORRUPT;
        if (rc == KURA_OK) memcpy(out, sqlite3_column_blob(st, 0), KURA_STATE_TAG);
    } else {
        rc = src == SQLITE_DONE ? KURA_ERR_NOT_FOUND : kura_db_fail(db, src);
    }
    sqlite3_reset(st);
    return rc;
}

int kura_db_chain_put(kura_db *db, uint64_t gen, const unsigned char tag[KURA_STATE_TAG])
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_CHAIN_PUT, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)gen);
    sqlite3_bind_blob(st, 2, tag, KURA_STATE_TAG, SQLITE_STATIC);
    return kura_db_run(db, st);
}

int kura_db_chain_rows(kura_db *db, uint64_t after, uint64_t before, kura_db_row_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    if (db->format < 3) return KURA_OK;
    int prc = kura_db_stmt(db, ST_CHAIN_RANGE, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)before);
    int src, rc = KURA_OK;
    while (rc == KURA_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) != SQLITE_BLOB ||
            sqlite3_column_bytes(st, 1) != KURA_STATE_TAG) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        sqlite3_int64 g = sqlite3_column_int64(st, 0);
        kura_row row = {.table = 'c',
                        .key = &g,
                        .keylen = sizeof g,
                        .a = sqlite3_column_blob(st, 1),
                        .alen = KURA_STATE_TAG};
        rc = fn(ctx, &row);
    }
    if (rc == KURA_OK && src != SQLITE_DONE) rc = kura_db_fail(db, src);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_chain_get(kura_db *db, uint64_t gen, unsigned char tag[KURA_STATE_TAG])
{
    sqlite3_stmt *st = NULL;
    if (db->format < 3) return KURA_ERR_NOT_FOUND;
    int prc = kura_db_stmt(db, ST_CHAIN_GET, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)gen);
    return one_tag(db, st, tag);
}

int kura_db_item_delete(kura_db *db, const unsigned char id[16])
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_ITEM_DELETE, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    return kura_db_run(db, st);
}

int kura_db_item_get(kura_db *db, kura_blob *ov, kura_blob *det, const unsigned char id[16])
{
    sqlite3_stmt *st = NULL;
    ov->p = det->p = NULL;
    int rc = kura_db_stmt(db, ST_ITEM_GET, &st);
    if (rc != KURA_OK) return rc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rc = copy_col(ov, st, 0);
        if (rc == KURA_OK) rc = copy_col(det, st, 1);
        if (rc != KURA_OK) {
            free(ov->p);
            ov->p = NULL;
        }
    } else {
        rc = src == SQLITE_DONE ? KURA_ERR_NOT_FOUND : kura_db_fail(db, src);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_item_each(kura_db *db, kura_db_item_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, "SELECT id, overview FROM items", -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    int rc = KURA_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) != SQLITE_BLOB) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        rc = fn(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        if (rc != KURA_OK) break;
    }
    if (rc == KURA_OK && src != SQLITE_DONE) rc = kura_db_fail(db, src);
    sqlite3_finalize(st);
    return rc;
}

int kura_db_item_count(kura_db *db, size_t *count)
{
    return kura_db_one_number(db, "SELECT count(*) FROM items", count);
}

/* Rows of one statement in key order, each checked to be what kura writes (a blob, text or
 * integer key, blob values, a name of KURA_NAME_BYTES), so a row an attacker typed
 * differently reads as damage. Columns: key, a, then b and name when there. */
static int rows_of(kura_db *db, sqlite3_stmt *st, char table, int key_type, kura_db_row_fn fn,
                   void *ctx)
{
    int src, rc = KURA_OK, ncol = sqlite3_column_count(st);
    while (rc == KURA_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != key_type ||
            (ncol > 1 && sqlite3_column_type(st, 1) != SQLITE_BLOB) ||
            (ncol > 2 && sqlite3_column_type(st, 2) != SQLITE_BLOB) ||
            (ncol > 3 && (sqlite3_column_type(st, 3) != SQLITE_BLOB ||
                          sqlite3_column_bytes(st, 3) != KURA_NAME_BYTES))) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        unsigned char num[2];
        kura_row row = {.table = table};
        if (key_type == SQLITE_INTEGER) { /* bucket numbers: 2 bytes, little-endian */
            sqlite3_int64 b = sqlite3_column_int64(st, 0);
            if (b < 0 || b >= (sqlite3_int64)kura_db_bucket_rows(db)) {
                rc = KURA_ERR_CORRUPT;
                break;
            }
            num[0] = (unsigned char)(b & 0xff);
            num[1] = (unsigned char)(b >> 8);
            row.key = num;
            row.keylen = 2;
        } else {
            row.key = key_type == SQLITE_BLOB ? sqlite3_column_blob(st, 0)
                                              : (const void *)sqlite3_column_text(st, 0);
            row.keylen = (size_t)sqlite3_column_bytes(st, 0);
        }
        if (ncol > 1) {
            row.a = sqlite3_column_blob(st, 1);
            row.alen = (size_t)sqlite3_column_bytes(st, 1);
        }
        if (ncol > 2) {
            row.b = sqlite3_column_blob(st, 2);
            row.blen = (size_t)sqlite3_column_bytes(st, 2);
        }
        if (ncol > 3) row.name = sqlite3_column_blob(st, 3);
        rc = fn(ctx, &row);
    }
    if (rc == KURA_OK && src != SQLITE_DONE) rc = kura_db_fail(db, src);
    return rc;
}

static int rows_sql(kura_db *db, const char *sql, char table, int key_type, kura_db_row_fn fn,
                    void *ctx)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    int rc = rows_of(db, st, table, key_type, fn, ctx);
    sqlite3_finalize(st);
    return rc;
}

int kura_db_root_rows(kura_db *db, kura_db_row_fn fn, void *ctx)
{
    int rc = rows_sql(db, "SELECT b, h FROM buckets ORDER BY b", 'b', SQLITE_INTEGER, fn, ctx);
    if (rc != KURA_OK) return rc;
    return rows_sql(db, "SELECT k, v FROM meta WHERE k <> '" KURA_META_STATE "' ORDER BY k", 'm',
                    SQLITE_TEXT, fn, ctx);
}

int kura_db_all_items(kura_db *db, kura_db_row_fn fn, void *ctx)
{
    return rows_sql(db,
                    db->format >= 2 ? "SELECT id, overview, details, name FROM items ORDER BY id"
                                    : "SELECT id, overview, details FROM items ORDER BY id",
                    'i', SQLITE_BLOB, fn, ctx);
}

int kura_db_range_items(kura_db *db, const unsigned char *lo, const unsigned char *hi,
                        kura_db_row_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, db->format >= 2 ? ST_RANGE_ITEMS2 : ST_RANGE_ITEMS, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_STATIC);
    int rc = rows_of(db, st, 'i', SQLITE_BLOB, fn, ctx);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

unsigned kura_db_bucket_rows(const kura_db *db)
{
    unsigned n = 1u << kura_db_bucket_bits(db);
    return db->format >= 4 ? 2 * n : n;
}

/* The past rows whose ids lie in [lo, hi], in id order: table 'p', a = the body. */
static int range_past(kura_db *db, const unsigned char *lo, const unsigned char *hi,
                      kura_db_row_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_PAST_RANGE, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_STATIC);
    int rc = rows_of(db, st, 'p', SQLITE_BLOB, fn, ctx);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_bucket_items(kura_db *db, unsigned b, kura_db_row_fn fn, void *ctx)
{
    unsigned char lo[16] = {0}, hi[16];
    unsigned n = 1u << kura_db_bucket_bits(db);
    int past = b >= n;
    if (past) b -= n;
    unsigned rest = 16 - kura_db_bucket_bits(db); /* bits of the first two bytes after b */
    unsigned first = b << rest, last = first | ((1u << rest) - 1);
    memset(hi, 0xff, sizeof hi);
    lo[0] = (unsigned char)(first >> 8), lo[1] = (unsigned char)(first & 0xff);
    hi[0] = (unsigned char)(last >> 8), hi[1] = (unsigned char)(last & 0xff);
    return past ? range_past(db, lo, hi, fn, ctx) : kura_db_range_items(db, lo, hi, fn, ctx);
}

int kura_db_all_past(kura_db *db, kura_db_row_fn fn, void *ctx)
{
    if (db->format < 4) return KURA_OK;
    return rows_sql(db, "SELECT id, body FROM past ORDER BY id", 'p', SQLITE_BLOB, fn, ctx);
}

int kura_db_past_get(kura_db *db, kura_blob *body, const unsigned char id[16])
{
    sqlite3_stmt *st = NULL;
    body->p = NULL;
    body->n = 0;
    if (db->format < 4) return KURA_ERR_NOT_FOUND;
    int rc = kura_db_stmt(db, ST_PAST_GET, &st);
    if (rc != KURA_OK) return rc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    int src = sqlite3_step(st);
    rc = src == SQLITE_ROW    ? copy_col(body, st, 0)
         : src == SQLITE_DONE ? KURA_ERR_NOT_FOUND
                              : kura_db_fail(db, src);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_past_put(kura_db *db, const unsigned char id[16], const kura_blob *body)
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, body ? ST_PAST_PUT : ST_PAST_DELETE, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
    if (body) sqlite3_bind_blob(st, 2, body->p, (int)body->n, SQLITE_STATIC);
    int rc = kura_db_run(db, st);
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

int kura_db_past_ids(kura_db *db, kura_db_row_fn fn, void *ctx)
{
    if (db->format < 4) return KURA_OK;
    return rows_sql(db, "SELECT id FROM past ORDER BY id", 'p', SQLITE_BLOB, fn, ctx);
}

int kura_db_named(kura_db *db, const unsigned char *name, kura_db_row_fn fn, void *ctx)
{
    if (db->format < 2) return KURA_ERR_NOT_FOUND;
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_NAMED, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_blob(st, 1, name, KURA_NAME_BYTES, SQLITE_STATIC);
    int rc = rows_of(db, st, 'i', SQLITE_BLOB, fn, ctx);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_bucket_get(kura_db *db, unsigned b, unsigned char h[KURA_STATE_TAG])
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, ST_BUCKET_GET, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_int64(st, 1, b);
    return one_tag(db, st, h);
}

int kura_db_bucket_put(kura_db *db, unsigned b, const unsigned char *h)
{
    sqlite3_stmt *st = NULL;
    int prc = kura_db_stmt(db, h ? ST_BUCKET_PUT : ST_BUCKET_DELETE, &st);
    if (prc != KURA_OK) return prc;
    sqlite3_bind_int64(st, 1, b);
    if (h) sqlite3_bind_blob(st, 2, h, KURA_STATE_TAG, SQLITE_STATIC);
    int rc = kura_db_run(db, st);
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

int kura_db_bucket_count(kura_db *db, size_t *count)
{
    return kura_db_one_number(db, "SELECT count(*) FROM buckets", count);
}

int kura_db_buckets_clear(kura_db *db)
{
    return kura_db_exec(db, "DELETE FROM buckets");
}

/* ---- attachment chunks (format 6): key = attachment id (16) || chunk number (4, BE) ---- */

static void blob_key(unsigned char k[KURA_BLOB_KEY_BYTES], const unsigned char id[16], uint32_t n)
{
    memcpy(k, id, 16);
    k[16] = (unsigned char)(n >> 24), k[17] = (unsigned char)(n >> 16);
    k[18] = (unsigned char)(n >> 8), k[19] = (unsigned char)n;
}

int kura_db_blob_put(kura_db *db, const unsigned char id[16], uint32_t n, const unsigned char *p,
                     size_t len)
{
    unsigned char k[KURA_BLOB_KEY_BYTES];
    sqlite3_stmt *st = NULL;
    if (db->format < 6) return KURA_ERR_INVALID;
    int rc = kura_db_stmt(db, ST_BLOB_PUT, &st);
    if (rc != KURA_OK) return rc;
    blob_key(k, id, n);
    sqlite3_bind_blob(st, 1, k, sizeof k, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, p, (int)len, SQLITE_STATIC);
    return kura_db_run(db, st);
}

int kura_db_blob_get(kura_db *db, const unsigned char id[16], uint32_t n, kura_blob *out)
{
    unsigned char k[KURA_BLOB_KEY_BYTES];
    sqlite3_stmt *st = NULL;
    out->p = NULL;
    out->n = 0;
    if (db->format < 6) return KURA_ERR_NOT_FOUND;
    int rc = kura_db_stmt(db, ST_BLOB_GET, &st);
    if (rc != KURA_OK) return rc;
    blob_key(k, id, n);
    sqlite3_bind_blob(st, 1, k, sizeof k, SQLITE_STATIC);
    int src = sqlite3_step(st);
    rc = src == SQLITE_ROW    ? copy_col(out, st, 0)
         : src == SQLITE_DONE ? KURA_ERR_NOT_FOUND
                              : kura_db_fail(db, src);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_blob_drop(kura_db *db, const unsigned char id[16])
{
    unsigned char lo[KURA_BLOB_KEY_BYTES], hi[KURA_BLOB_KEY_BYTES];
    sqlite3_stmt *st = NULL;
    if (db->format < 6) return KURA_OK;
    int rc = kura_db_stmt(db, ST_BLOB_DROP, &st);
    if (rc != KURA_OK) return rc;
    blob_key(lo, id, 0);
    blob_key(hi, id, UINT32_MAX);
    sqlite3_bind_blob(st, 1, lo, sizeof lo, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hi, sizeof hi, SQLITE_STATIC);
    rc = kura_db_run(db, st);
    return rc == KURA_ERR_NOT_FOUND ? KURA_OK : rc;
}

int kura_db_blob_keys(kura_db *db, kura_db_row_fn fn, void *ctx)
{
    if (db->format < 6) return KURA_OK;
    return rows_sql(db, "SELECT k FROM blobs ORDER BY k", 'a', SQLITE_BLOB, fn, ctx);
}

int kura_db_blob_has(kura_db *db, const unsigned char id[16])
{
    unsigned char k[KURA_BLOB_KEY_BYTES];
    sqlite3_stmt *st = NULL;
    if (db->format < 6) return KURA_ERR_NOT_FOUND;
    int rc = kura_db_stmt(db, ST_BLOB_HAS, &st);
    if (rc != KURA_OK) return rc;
    blob_key(k, id, 0);
    sqlite3_bind_blob(st, 1, k, sizeof k, SQLITE_STATIC);
    int src = sqlite3_step(st);
    rc = src == SQLITE_ROW    ? KURA_OK
         : src == SQLITE_DONE ? KURA_ERR_NOT_FOUND
                              : kura_db_fail(db, src);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int kura_db_blob_read(kura_db *db, const unsigned char id[16], uint32_t n, unsigned char *buf,
                      size_t cap, size_t *len)
{
    unsigned char k[KURA_BLOB_KEY_BYTES];
    sqlite3_stmt *st = NULL;
    *len = 0;
    if (db->format < 6) return KURA_ERR_NOT_FOUND;
    int rc = kura_db_stmt(db, ST_BLOB_ROWID, &st);
    if (rc != KURA_OK) return rc;
    blob_key(k, id, n);
    sqlite3_bind_blob(st, 1, k, sizeof k, SQLITE_STATIC);
    int src = sqlite3_step(st);
    sqlite3_int64 rowid = 0, bytes = 0;
    if (src == SQLITE_ROW) {
        rowid = sqlite3_column_int64(st, 0);
        bytes = sqlite3_column_int64(st, 1);
    }
    rc = src == SQLITE_ROW    ? KURA_OK
         : src == SQLITE_DONE ? KURA_ERR_NOT_FOUND
                              : kura_db_fail(db, src);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != KURA_OK) return rc;
    if (bytes < 0 || (size_t)bytes > cap) return KURA_ERR_CORRUPT;
    sqlite3_blob *b = NULL;
    src = sqlite3_blob_open(db->h, "main", "blobs", "body", rowid, 0, &b);
    if (src == SQLITE_OK && sqlite3_blob_bytes(b) != (int)bytes) src = SQLITE_CORRUPT;
    if (src == SQLITE_OK) src = sqlite3_blob_read(b, buf, (int)bytes, 0);
    if (b) sqlite3_blob_close(b);
    if (src != SQLITE_OK) return src == SQLITE_ERROR ? KURA_ERR_CORRUPT : kura_db_fail(db, src);
    *len = (size_t)bytes;
    return KURA_OK;
}
