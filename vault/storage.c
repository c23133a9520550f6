/* The vault's SQLite file: opening it defensively (DESIGN.md, "Hardening we expect"), its
 * header, schema and integrity checks, transactions and format upgrades. With rows.c (its
 * rows) and pagesum.c (the page checksums) the only files that call SQLite. It stores
 * ciphertext blobs and never sees plaintext. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "storage_int.h"

static const char *const sql_text[ST_COUNT] = {
    [ST_ITEM_GET] = "SELECT overview, details FROM items WHERE id = ?1",
    [ST_ITEM_INSERT] = "INSERT INTO items(id, overview, details) VALUES (?1, ?2, ?3)",
    [ST_ITEM_UPDATE] = "UPDATE items SET overview = ?2, details = ?3 WHERE id = ?1",
    [ST_ITEM_DELETE] = "DELETE FROM items WHERE id = ?1",
    [ST_RANGE_ITEMS] = "SELECT id, overview, details FROM items WHERE id >= ?1 AND id <= ?2 "
                       "ORDER BY id",
    [ST_BUCKET_GET] = "SELECT h FROM buckets WHERE b = ?1",
    [ST_BUCKET_PUT] = "INSERT OR REPLACE INTO buckets(b, h) VALUES (?1, ?2)",
    [ST_BUCKET_DELETE] = "DELETE FROM buckets WHERE b = ?1",
    [ST_ITEM_INSERT2] = "INSERT INTO items(id, overview, details, name) VALUES (?1, ?2, ?3, ?4)",
    [ST_ITEM_UPDATE2] = "UPDATE items SET overview = ?2, details = ?3, name = ?4 WHERE id = ?1",
    [ST_RANGE_ITEMS2] = "SELECT id, overview, details, name FROM items WHERE id >= ?1 AND "
                        "id <= ?2 ORDER BY id",
    [ST_NAMED] = "SELECT id FROM items WHERE name = ?1 ORDER BY id",
    [ST_SET_NAME] = "UPDATE items SET name = ?2 WHERE id = ?1",
    [ST_CHAIN_PUT] = "INSERT OR REPLACE INTO chain(g, tag) VALUES (?1, ?2)",
    [ST_CHAIN_GET] = "SELECT tag FROM chain WHERE g = ?1",
    [ST_CHAIN_RANGE] = "SELECT g, tag FROM chain WHERE g > ?1 AND g < ?2 ORDER BY g",
    [ST_PAST_GET] = "SELECT body FROM past WHERE id = ?1",
    [ST_PAST_PUT] = "INSERT OR REPLACE INTO past(id, body) VALUES (?1, ?2)",
    [ST_PAST_DELETE] = "DELETE FROM past WHERE id = ?1",
    [ST_PAST_RANGE] = "SELECT id, body FROM past WHERE id >= ?1 AND id <= ?2 ORDER BY id",
    [ST_BLOB_PUT] = "INSERT OR REPLACE INTO blobs(k, body) VALUES (?1, ?2)",
    [ST_BLOB_GET] = "SELECT body FROM blobs WHERE k = ?1",
    [ST_BLOB_DROP] = "DELETE FROM blobs WHERE k >= ?1 AND k <= ?2",
    [ST_BLOB_HAS] = "SELECT 1 FROM blobs WHERE k = ?1",
    [ST_BLOB_ROWID] = "SELECT rowid, length(body) FROM blobs WHERE k = ?1",
};

static const char schema[] =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE items(id BLOB PRIMARY KEY CHECK(length(id) = 16),"
    " overview BLOB NOT NULL, details BLOB NOT NULL, name BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX items_name ON items(name);"
    "CREATE TABLE buckets(b INTEGER PRIMARY KEY, h BLOB NOT NULL);"
    "CREATE TABLE chain(g INTEGER PRIMARY KEY, tag BLOB NOT NULL);"
    "CREATE TABLE past(id BLOB PRIMARY KEY CHECK(length(id) = 16), body BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE blobs(k BLOB PRIMARY KEY CHECK(length(k) = 20), body BLOB NOT NULL);";
static const char upgrade_sql[] = /* format 1 to 2 */
    "ALTER TABLE items ADD COLUMN name BLOB NOT NULL DEFAULT x'0000';"
    "CREATE INDEX items_name ON items(name);"
    "PRAGMA user_version = 2;";
static const char upgrade3_sql[] = /* format 2 to 3 */
    "CREATE TABLE chain(g INTEGER PRIMARY KEY, tag BLOB NOT NULL);"
    "PRAGMA user_version = 3;";
static const char upgrade4_sql[] = /* format 3 to 4 */
    "CREATE TABLE past(id BLOB PRIMARY KEY CHECK(length(id) = 16), body BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "PRAGMA user_version = 4;";
static const char upgrade5_sql[] = /* format 4 to 5: items may have a type (no schema change) */
    "PRAGMA user_version = 5;";
static const char upgrade6_sql[] = /* format 5 to 6: attachments */
    "CREATE TABLE blobs(k BLOB PRIMARY KEY CHECK(length(k) = 20), body BLOB NOT NULL);"
    "PRAGMA user_version = 6;";

const char *kura_db_error(const kura_db *db)
{
    return db ? db->err : "";
}

static int map_rc(int src)
{
    switch (src & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return KURA_OK;
    case SQLITE_IOERR:
        return src == SQLITE_IOERR_DATA ? KURA_ERR_CORRUPT : KURA_ERR_DISK;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
    case SQLITE_ERROR:
        return KURA_ERR_CORRUPT; /* our SQL is fixed: an error means a bad file */
    case SQLITE_NOMEM:
        return KURA_ERR_NOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return KURA_ERR_BUSY;
    case SQLITE_CONSTRAINT:
        return KURA_ERR_EXISTS;
    case SQLITE_FULL:
        return KURA_ERR_DISK_FULL;
    case SQLITE_READONLY:
        return KURA_ERR_READ_ONLY;
    default:
        return KURA_ERR_IO;
    }
}

static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20) *s = ' ';
}

int kura_db_fail(kura_db *db, int src)
{
    if (src == SQLITE_IOERR_DATA)
        snprintf(db->err, sizeof db->err, "a page of the file fails its checksum");
    else if (db->h)
        snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->h));
    else
        snprintf(db->err, sizeof db->err, "%s", sqlite3_errstr(src));
    one_line(db->err);
    return map_rc(src);
}

int kura_db_exec(kura_db *db, const char *sql)
{
    int src = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? KURA_OK : kura_db_fail(db, src);
}

/* Reads the 100-byte SQLite header ourselves: tells "not a vault" from "damaged" from
 * "newer format" before SQLite parses anything. */
static int check_header(const char *path, int allow_empty, char *err, size_t errlen)
{
    unsigned char h[100];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    }
    struct stat sb;
    ssize_t n = -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) n = read(fd, h, sizeof h);
    close(fd);
    if (n == 0 && allow_empty) return KURA_OK;
    if (n != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
        snprintf(err, errlen, "not a kura vault (no database header)");
        return KURA_ERR_CORRUPT;
    }
    uint32_t app = kura_get32be(h + 68), ver = kura_get32be(h + 60);
    if (app != KURA_APPLICATION_ID) {
        snprintf(err, errlen, "not a kura vault (a database of another program)");
        return KURA_ERR_CORRUPT;
    }
    if (ver > KURA_FORMAT_VERSION) {
        snprintf(err, errlen, "format version %u; this kura reads up to %d", ver,
                 KURA_FORMAT_VERSION);
        return KURA_ERR_TOO_NEW;
    }
    unsigned pagesize = kura_get16be(h + 16);
    if (pagesize != KURA_PAGE_SIZE || h[20] != KURA_PAGESUM_BYTES) {
        snprintf(err, errlen, "the database header is damaged (page layout)");
        return KURA_ERR_CORRUPT;
    }
    if (ver == 0) {
        snprintf(err, errlen, "no format version in the file");
        return KURA_ERR_CORRUPT;
    }
    return KURA_OK;
}

static int configure(kura_db *db)
{
    int on = 1, off = 0;
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 10000);
    if (sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, on, NULL) != SQLITE_OK ||
        sqlite3_db_config(db->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL) != SQLITE_OK ||
        sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, off, NULL) != SQLITE_OK ||
        sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_VIEW, off, NULL) != SQLITE_OK)
        return kura_db_fail(db, SQLITE_ERROR);
    /* journal_mode=DELETE: after every command the vault is one file, safe to copy or sync. */
    return kura_db_exec(db,
                        "PRAGMA cell_size_check=ON; PRAGMA mmap_size=0; PRAGMA secure_delete=ON;"
                        "PRAGMA synchronous=FULL; PRAGMA journal_mode=DELETE;"
                        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;");
}

/* The statement i in *out, prepared the first time it is needed. */
int kura_db_stmt(kura_db *db, int i, sqlite3_stmt **out)
{
    if (!db->st[i]) {
        int src =
            sqlite3_prepare_v3(db->h, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL);
        if (src != SQLITE_OK) {
            sqlite3_finalize(db->st[i]);
            db->st[i] = NULL;
            return kura_db_fail(db, src);
        }
    }
    *out = db->st[i];
    return KURA_OK;
}

/* The one number a query gives (a count). */
int kura_db_one_number(kura_db *db, const char *sql, size_t *out)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) *out = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return src == SQLITE_ROW ? KURA_OK : kura_db_fail(db, src);
}

/* Reads the format (user_version): 1 to 5, else the file is not one kura wrote. */
static int read_format(kura_db *db)
{
    size_t version = 0;
    int rc = kura_db_one_number(db, "PRAGMA user_version", &version);
    if (rc != KURA_OK) return rc;
    if (version < 1 || version > KURA_FORMAT_VERSION) {
        snprintf(db->err, sizeof db->err, "format version %zu is not one kura wrote", version);
        return KURA_ERR_CORRUPT;
    }
    db->format = (int)version;
    return KURA_OK;
}

/* The schema kura writes, row for row (type, name, table, SQL) in name order: a format 1 file,
 * format 2 and 3 files as created or upgraded from format 1 (ALTER TABLE leaves its own text;
 * format 3 adds the chain table, format 4 the past table; format 5 has format 4's; format 6 adds
 * the blobs table, with the index SQLite makes for its primary key). Anything else
 * in sqlite_schema (another table, an index, a trigger, a view, sqlite_stat1) could change what a
 * query reads without changing what the state signs: a covering index holding older copies of the
 * items would answer a lookup with an old password. So the file must hold exactly one of these. */
#define META_SQL "CREATE TABLE meta(k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
#define BUCKETS_SQL "CREATE TABLE buckets(b INTEGER PRIMARY KEY, h BLOB NOT NULL)"
#define ITEMS_HEAD                                                                                 \
    "CREATE TABLE items(id BLOB PRIMARY KEY CHECK(length(id) = 16), overview BLOB NOT NULL, "      \
    "details BLOB NOT NULL"
#define NAME_INDEX_SQL "CREATE INDEX items_name ON items(name)"
#define CHAIN_SQL "table|chain|chain|CREATE TABLE chain(g INTEGER PRIMARY KEY, tag BLOB NOT NULL)"
#define ITEMS2 "table|items|items|" ITEMS_HEAD ", name BLOB NOT NULL) WITHOUT ROWID"
#define ITEMS2_UP                                                                                  \
    "table|items|items|" ITEMS_HEAD ", name BLOB NOT NULL DEFAULT x'0000') WITHOUT ROWID"
#define PAST_SQL                                                                                   \
    "table|past|past|CREATE TABLE past(id BLOB PRIMARY KEY CHECK(length(id) = 16), body BLOB "     \
    "NOT NULL) WITHOUT ROWID"
#define BLOBS_SQL                                                                                  \
    "table|blobs|blobs|CREATE TABLE blobs(k BLOB PRIMARY KEY CHECK(length(k) = 20), body BLOB "    \
    "NOT NULL)"
#define BLOBS_INDEX "index|sqlite_autoindex_blobs_1|blobs|"
#define N_SCHEMAS 9
#define SCHEMA_ROWS 8
static const struct {
    int format;
    const char *rows[SCHEMA_ROWS + 1];
} schemas[N_SCHEMAS] = {
    {1,
     {"table|buckets|buckets|" BUCKETS_SQL, "table|items|items|" ITEMS_HEAD ") WITHOUT ROWID",
      "table|meta|meta|" META_SQL}},
    {2,
     {"table|buckets|buckets|" BUCKETS_SQL, ITEMS2, "index|items_name|items|" NAME_INDEX_SQL,
      "table|meta|meta|" META_SQL}},
    {2,
     {"table|buckets|buckets|" BUCKETS_SQL, ITEMS2_UP, "index|items_name|items|" NAME_INDEX_SQL,
      "table|meta|meta|" META_SQL}},
    {3,
     {"table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL}},
    {3,
     {"table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2_UP,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL}},
    {4,
     {"table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL, PAST_SQL}},
    {4,
     {"table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2_UP,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL, PAST_SQL}},
    {6,
     {BLOBS_SQL, "table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL, PAST_SQL,
      BLOBS_INDEX}},
    {6,
     {BLOBS_SQL, "table|buckets|buckets|" BUCKETS_SQL, CHAIN_SQL, ITEMS2_UP,
      "index|items_name|items|" NAME_INDEX_SQL, "table|meta|meta|" META_SQL, PAST_SQL,
      BLOBS_INDEX}},
};

static int check_schema(kura_db *db)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h,
                                 "SELECT type || '|' || name || '|' || tbl_name || '|' || "
                                 "coalesce(sql, '') FROM sqlite_schema ORDER BY name",
                                 -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    int match[N_SCHEMAS];
    for (int k = 0; k < N_SCHEMAS; k++)
        match[k] = schemas[k].format == (db->format == 5 ? 4 : db->format); /* 5: 4's tables */
    size_t row = 0;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *got = (const char *)sqlite3_column_text(st, 0);
        for (int k = 0; k < N_SCHEMAS; k++)
            if (match[k] && (row >= SCHEMA_ROWS || !schemas[k].rows[row] || !got ||
                             strcmp(got, schemas[k].rows[row]) != 0))
                match[k] = 0;
        row++;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_DONE) return kura_db_fail(db, src);
    for (int k = 0; k < N_SCHEMAS; k++)
        if (match[k] && row <= SCHEMA_ROWS && !schemas[k].rows[row]) return KURA_OK;
    snprintf(db->err, sizeof db->err,
             "its schema is not the one kura writes (a table, index, trigger or view was added "
             "or changed)");
    return KURA_ERR_CORRUPT;
}

int kura_db_format(const kura_db *db)
{
    return db->format;
}

unsigned kura_db_bucket_bits(const kura_db *db)
{
    return db->format >= 2 ? 10 : 12;
}

/* Opens through the page-checksum shim. A new (empty) file first gets its page layout:
 * 4 KiB pages with 16 reserved bytes each for the checksum. */
static int open_handle(kura_db **out, const char *path, int creating, int as_is)
{
    kura_db *db = calloc(1, sizeof *db);
    if (!db) return KURA_ERR_NOMEM;
    *out = db;
    const char *vfs = as_is ? kura_pagesum_vfs_lenient() : kura_pagesum_vfs();
    if (!vfs) return KURA_ERR_NOMEM;
    int src =
        sqlite3_open_v2(path, &db->h,
                        (as_is ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                            SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX,
                        vfs); /* NOMUTEX: a handle is used by one thread at a time */
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    if (creating) {
        int reserve = KURA_PAGESUM_BYTES;
        int rc = kura_db_exec(db, "PRAGMA page_size=4096");
        if (rc != KURA_OK) return rc;
        src = sqlite3_file_control(db->h, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
        if (src != SQLITE_OK) return kura_db_fail(db, src);
    }
    return configure(db);
}

void kura_db_close(kura_db *db)
{
    if (!db) return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(db->st[i]);
    sqlite3_close_v2(db->h);
    free(db);
}

int kura_db_create(kura_db **out, const char *path, char *err, size_t errlen)
{
    kura_db *db = NULL;
    int rc;

    *out = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return errno == EEXIST ? KURA_ERR_EXISTS : KURA_ERR_IO;
    }
    close(fd);
    rc = open_handle(&db, path, 1, 0);
    if (rc == KURA_OK) rc = kura_db_exec(db, "BEGIN IMMEDIATE");
    if (rc == KURA_OK) rc = kura_db_exec(db, schema);
    if (rc == KURA_OK)
        rc = kura_db_exec(db, "PRAGMA application_id=1263882817; PRAGMA user_version=6");
    if (rc == KURA_OK) rc = kura_db_exec(db, "COMMIT");
    if (rc == KURA_OK) db->format = 6;
    if (rc != KURA_OK) {
        snprintf(err, errlen, "%s", db ? db->err : "out of memory");
        kura_db_close(db);
        unlink(path);
        return rc;
    }
    *out = db;
    return KURA_OK;
}

/* SQLite's quick_check, whole file or one table's b-tree. */
static int quick_check(kura_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
    if (src != SQLITE_OK) return kura_db_fail(db, src);
    src = sqlite3_step(st);
    int ok = src == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    int rc = ok ? KURA_OK : KURA_ERR_CORRUPT;
    if (src == SQLITE_ROW && !ok) {
        /* A page SQLite could not get reads "... error code=N": a checksum (damage) or
         * an I/O error (the disk, not the file), told apart by N. */
        const char *why = (const char *)sqlite3_column_text(st, 0);
        const char *code = strstr(why, "error code=");
        int n = code ? atoi(code + 11) : 0;
        if (n == SQLITE_IOERR_DATA) {
            snprintf(db->err, sizeof db->err, "a page of the file fails its checksum");
        } else if (code && (n & 0xff) != SQLITE_CORRUPT) {
            snprintf(db->err, sizeof db->err, "%s", sqlite3_errstr(n));
            rc = map_rc(n);
        } else {
            snprintf(db->err, sizeof db->err, "integrity check failed: %.150s", why);
        }
    }
    one_line(db->err);
    sqlite3_finalize(st);
    if (src != SQLITE_ROW) return kura_db_fail(db, src);
    return rc;
}

int kura_db_open(kura_db **out, const char *path, char *err, size_t errlen)
{
    kura_db *db = NULL;

    *out = NULL;
    int rc = check_header(path, 0, err, errlen);
    if (rc != KURA_OK) return rc;
    rc = open_handle(&db, path, 0, 0);
    /* On open, the small table every command reads first (the bucket rows are read whole by
     * every unlock, each page checksummed): constant work at any size. Pages of items are
     * checksummed as they are read, and kura_db_check_file reads them all. */
    if (rc == KURA_OK) rc = quick_check(db, "PRAGMA quick_check(meta)");
    if (rc == KURA_OK) rc = read_format(db);
    if (rc == KURA_OK) rc = check_schema(db);
    if (rc != KURA_OK) {
        snprintf(err, errlen, "%s", db ? db->err : "out of memory");
        kura_db_close(db);
        return rc == KURA_ERR_EXISTS ? KURA_ERR_CORRUPT : rc;
    }
    *out = db;
    return KURA_OK;
}

int kura_db_open_as_is(kura_db **out, const char *path, char *err, size_t errlen)
{
    kura_db *db = NULL;
    unsigned char h[100];
    *out = NULL;
    /* The format from the header as it is (SQLite's own reading of it may fail). */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    }
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    int rc = open_handle(&db, path, 0, 1);
    if (rc == KURA_OK) {
        unsigned ver = n == (ssize_t)sizeof h ? kura_get32be(h + 60) : 0;
        db->format = ver >= 1 && ver <= KURA_FORMAT_VERSION ? (int)ver : KURA_FORMAT_VERSION;
    }
    if (rc != KURA_OK) {
        snprintf(err, errlen, "%s", db ? db->err : "out of memory");
        kura_db_close(db);
        return rc;
    }
    *out = db;
    return KURA_OK;
}

int kura_db_data_version(kura_db *db, unsigned *out)
{
    unsigned version = 0;
    int src = sqlite3_file_control(db->h, "main", SQLITE_FCNTL_DATA_VERSION, &version);
    *out = version;
    return src == SQLITE_OK ? KURA_OK : KURA_ERR_NOT_FOUND;
}

int kura_db_check_file(kura_db *db)
{
    int rc = check_schema(db);
    /* integrity_check, not quick_check: it also proves every index entry matches its row. */
    return rc == KURA_OK ? quick_check(db, "PRAGMA integrity_check(1)") : rc;
}

int kura_db_begin(kura_db *db)
{
    return kura_db_exec(db, "BEGIN IMMEDIATE");
}

int kura_db_in_transaction(kura_db *db)
{
    return !sqlite3_get_autocommit(db->h);
}

int kura_db_begin_read(kura_db *db)
{
    if (!sqlite3_get_autocommit(db->h)) return KURA_OK; /* already inside the caller's */
    return kura_db_exec(db, "BEGIN");
}

int kura_db_commit(kura_db *db)
{
    int rc = kura_db_exec(db, "COMMIT");
    if (rc == KURA_OK) db->upgrading = 0;
    return rc;
}

void kura_db_rollback(kura_db *db)
{
    if (!sqlite3_get_autocommit(db->h)) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    if (db->upgrading) { /* the file is its old format again, and so are the statements */
        for (int i = 0; i < ST_COUNT; i++) {
            sqlite3_finalize(db->st[i]);
            db->st[i] = NULL;
        }
        db->format = db->format_before;
        db->upgrading = 0;
    }
}

int kura_db_upgrade(kura_db *db)
{
    for (int i = 0; i < ST_COUNT; i++) { /* the schema changes under them */
        sqlite3_finalize(db->st[i]);
        db->st[i] = NULL;
    }
    if (!db->upgrading) db->format_before = db->format;
    int rc = kura_db_exec(db, upgrade_sql);
    if (rc == KURA_OK) db->format = 2, db->upgrading = 1;
    return rc;
}

int kura_db_upgrade3(kura_db *db)
{
    if (!db->upgrading) db->format_before = db->format;
    int rc = kura_db_exec(db, upgrade3_sql);
    if (rc == KURA_OK) db->format = 3, db->upgrading = 1;
    return rc;
}

int kura_db_upgrade4(kura_db *db)
{
    if (!db->upgrading) db->format_before = db->format;
    int rc = kura_db_exec(db, upgrade4_sql);
    if (rc == KURA_OK) db->format = 4, db->upgrading = 1;
    return rc;
}

int kura_db_upgrade5(kura_db *db)
{
    if (!db->upgrading) db->format_before = db->format;
    int rc = kura_db_exec(db, upgrade5_sql);
    if (rc == KURA_OK) db->format = 5, db->upgrading = 1;
    return rc;
}

int kura_db_upgrade6(kura_db *db)
{
    if (!db->upgrading) db->format_before = db->format;
    int rc = kura_db_exec(db, upgrade6_sql);
    if (rc == KURA_OK) db->format = 6, db->upgrading = 1;
    return rc;
}
