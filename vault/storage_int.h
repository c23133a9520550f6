/* storage_int.h: what storage.c and rows.c share, the SQLite side of the vault file: the
 * connection and its prepared statements. Only those two files include it (and sqlite3.h). */
#ifndef KURA_STORAGE_INT_H
#define KURA_STORAGE_INT_H

#include <sqlite3.h>

#include "storage.h"

/* Statements, prepared on first use: those of items differ by format (2 adds the title
 * index column, name). */
enum {
    ST_ITEM_GET,
    ST_ITEM_INSERT,
    ST_ITEM_UPDATE,
    ST_ITEM_DELETE,
    ST_RANGE_ITEMS,
    ST_BUCKET_GET,
    ST_BUCKET_PUT,
    ST_BUCKET_DELETE,
    ST_ITEM_INSERT2,
    ST_ITEM_UPDATE2,
    ST_RANGE_ITEMS2,
    ST_NAMED,
    ST_SET_NAME,
    ST_CHAIN_PUT,
    ST_CHAIN_GET,
    ST_CHAIN_RANGE,
    ST_PAST_GET,
    ST_PAST_PUT,
    ST_PAST_DELETE,
    ST_PAST_RANGE,
    ST_BLOB_PUT,
    ST_BLOB_GET,
    ST_BLOB_DROP,
    ST_BLOB_HAS,
    ST_BLOB_ROWID,
    ST_COUNT
};

struct kura_db {
    sqlite3 *h;
    sqlite3_stmt *st[ST_COUNT];
    int format;
    int upgrading;     /* kura_db_upgrade ran in the open transaction ... */
    int format_before; /* ... on a file of this format */
    char err[200];
};

/* The statement i, prepared the first time it is needed (storage.c). */
int kura_db_stmt(kura_db *db, int i, sqlite3_stmt **out);
/* Records SQLite's result src in db->err (one line) and returns it as a KURA_ code. */
int kura_db_fail(kura_db *db, int src);
/* Runs SQL without results. */
int kura_db_exec(kura_db *db, const char *sql);
/* The one number a query gives (a count). */
int kura_db_one_number(kura_db *db, const char *sql, size_t *out);

#endif
