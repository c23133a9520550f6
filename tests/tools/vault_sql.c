/* vault_sql FILE SQL...: runs SQL on a vault through kura's page-checksum VFS, as an
 * attacker who knows the format would (page checksums are not keyed), and prints result
 * rows tab-separated, blobs in hex. Adds flip(blob, n): the blob with byte n inverted;
 * poke(blob, n, byte): byte n set; resum(name, blob): a meta value with its (unkeyed)
 * checksum recomputed, as vault.c's meta_sum does.
 * A test tool: it lets the tests reach past the page checksums to the AEAD behind them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "storage.h"

/* flip(blob, n) and poke(blob, n, byte): the blob with byte n inverted, or set. */
static void change_byte(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int n = sqlite3_value_bytes(argv[0]);
    int at = sqlite3_value_int(argv[1]);
    unsigned char *b = malloc(n ? (size_t)n : 1);
    if (!b) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    memcpy(b, sqlite3_value_blob(argv[0]), (size_t)n);
    if (at >= 0 && at < n)
        b[at] = argc == 3 ? (unsigned char)sqlite3_value_int(argv[2]) : (unsigned char)~b[at];
    sqlite3_result_blob(ctx, b, n, free);
}

static void resum(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *k = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[1]);
    unsigned char *b = malloc(n ? (size_t)n : 1);
    if (!b || n < 16 || !k) {
        free(b);
        sqlite3_result_error(ctx, "resum: bad value", -1);
        return;
    }
    memcpy(b, sqlite3_value_blob(argv[1]), (size_t)n);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    crypto_generichash_update(&st, (const unsigned char *)k, strlen(k) + 1);
    crypto_generichash_update(&st, b, (size_t)n - 16);
    crypto_generichash_final(&st, b + n - 16, 16);
    sqlite3_result_blob(ctx, b, n, free);
}

static int row(void *ctx, int n, char **vals, char **names)
{
    (void)ctx, (void)names;
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? "\t" : "", vals[i] ? vals[i] : "NULL");
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    char *err = NULL;
    if (argc != 3) {
        fprintf(stderr, "usage: vault_sql FILE SQL\n");
        return 2;
    }
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, kura_pagesum_vfs()) != SQLITE_OK) {
        fprintf(stderr, "vault_sql: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_create_function(db, "flip", 2, SQLITE_UTF8, NULL, change_byte, NULL, NULL);
    sqlite3_create_function(db, "poke", 3, SQLITE_UTF8, NULL, change_byte, NULL, NULL);
    sqlite3_create_function(db, "resum", 2, SQLITE_UTF8, NULL, resum, NULL, NULL);
    if (sqlite3_exec(db, argv[2], row, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "vault_sql: %s\n", err);
        sqlite3_close(db);
        return 1;
    }
    sqlite3_close(db);
    return 0;
}
