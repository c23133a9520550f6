/* The vault through its public API on real files: create, reopen, unlock, items, search,
 * sessions; and the file attacked through SQLite directly (ciphertexts moved between items,
 * parts and vaults) to prove the associated data binds them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "storage.h"
#include "unit_dir.h"

static char path[300], path2[300], rundir[300];

static int setup(void **state)
{
    (void)state;
    if (unit_dir_make() != 0) return -1;
    snprintf(path, sizeof path, "%s/sub/vault.kura", dir);
    snprintf(path2, sizeof path2, "%s/sub/other.kura", dir);
    snprintf(rundir, sizeof rundir, "%s/run", dir);
    return 0;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t n;
    assert_non_null(in);
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

static kura_item *sample(const char *title, const char *user, const char *pw)
{
    kura_item *it = kura_item_new();
    assert_non_null(it);
    assert_int_equal(kura_item_set(it, KURA_TITLE, title), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_USERNAME, user), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_PASSWORD, pw), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_NOTES, "line one\nline two"), KURA_OK);
    assert_int_equal(kura_item_add_url(it, "https://example.com/login"), KURA_OK);
    assert_int_equal(kura_item_add_url(it, "https://m.example.com"), KURA_OK);
    assert_int_equal(kura_item_add_tag(it, "Work"), KURA_OK);
    assert_int_equal(kura_item_set_field(it, "pin", "4321", 1), KURA_OK);
    assert_int_equal(kura_item_set_field(it, "account", "A-77", 0), KURA_OK);
    return it;
}

/* SQL on a file through kura's page-checksum VFS: an attacker who knows the format. */
static void sql(const char *file, const char *stmt)
{
    sqlite3 *db;
    assert_int_equal(
        sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kura_pagesum_vfs()),
        SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, stmt, NULL, NULL, &err);
    if (rc != SQLITE_OK) fprintf(stderr, "sql: %s\n", err);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
}

static kura_client_key key1, key2;
static char id_a[33], id_b[33], id_other[33];

static void test_create_and_reopen(void **state)
{
    (void)state;
    kura_vault *v, *w;
    struct stat sb;
    assert_int_equal(kura_vault_create(&v, &key1, path, "Personal"), KURA_OK);
    assert_true(kura_key_check(&key1));
    assert_int_equal(strlen(kura_vault_id(v)), KURA_VAULT_ID_TEXT);
    assert_string_equal(kura_vault_name(v), "Personal");
    kura_item *a = sample("GitHub", "alice", "pw-a"), *b = sample("github", "bob", "pw-b");
    assert_int_equal(kura_item_add(v, a), KURA_OK);
    assert_int_equal(kura_item_add(v, b), KURA_OK);
    memcpy(id_a, a->id, 33);
    memcpy(id_b, b->id, 33);
    kura_item_free(a);
    kura_item_free(b);
    kura_vault_close(v);

    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(path2, sizeof path2, "%s/sub", dir);
    assert_int_equal(stat(path2, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(path2, sizeof path2, "%s/sub/other.kura", dir);
    char journal[320];
    snprintf(journal, sizeof journal, "%s-journal", path);
    assert_int_equal(access(journal, F_OK), -1); /* one file at rest */

    /* A second create on the same path refuses and leaves the vault alone. */
    assert_int_equal(kura_vault_create(&w, &key2, path, NULL), KURA_ERR_EXISTS);
    kura_vault_close(w);

    /* Another vault, for the cross-vault tests. */
    assert_int_equal(kura_vault_create(&w, &key2, path2, NULL), KURA_OK);
    kura_item *o = sample("Other", "carol", "pw-o");
    assert_int_equal(kura_item_add(w, o), KURA_OK);
    memcpy(id_other, o->id, 33);
    kura_item_free(o);
    kura_vault_close(w);
}

static void test_unlock_and_read(void **state)
{
    (void)state;
    kura_vault *v;
    kura_item *it;
    kura_items *list;
    assert_int_equal(kura_vault_open(&v, path), KURA_OK);
    assert_false(kura_vault_is_unlocked(v));
    assert_int_equal(kura_item_list(v, &list, NULL), KURA_ERR_LOCKED);
    assert_int_equal(kura_vault_unlock(v, &key2), KURA_ERR_WRONG_KEY);
    assert_non_null(strstr(kura_error_detail(), "does not open vault"));
    assert_int_equal(kura_vault_unlock(v, &key1), KURA_OK);
    assert_string_equal(kura_vault_name(v), "Personal");
    kura_client_key shown;
    assert_int_equal(kura_vault_client_key(v, &shown), KURA_OK);
    assert_memory_equal(shown.sym, key1.sym, KURA_KEY_SYMBOLS);

    assert_int_equal(kura_item_get(v, &it, id_a), KURA_OK);
    assert_string_equal(it->title, "GitHub");
    assert_string_equal(it->username, "alice");
    assert_string_equal(it->password, "pw-a");
    assert_string_equal(it->notes, "line one\nline two");
    assert_int_equal(it->n_urls, 2);
    assert_string_equal(it->urls[1], "https://m.example.com");
    assert_int_equal(it->n_tags, 1);
    assert_int_equal(it->n_fields, 2);
    assert_string_equal(it->fields[0].name, "pin");
    assert_int_equal(it->fields[0].hidden, 1);
    assert_int_equal(it->fields[1].hidden, 0);
    assert_true(it->created > 1700000000 && it->updated == it->created);

    /* Update: changes land, the id stays. */
    assert_int_equal(kura_item_set(it, KURA_PASSWORD, "new-pw"), KURA_OK);
    assert_int_equal(kura_item_set_field(it, "pin", NULL, 0), KURA_OK);
    assert_int_equal(kura_item_set_field(it, "nope", NULL, 0), KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_item_update(v, it), KURA_OK);
    kura_item_free(it);
    assert_int_equal(kura_item_get(v, &it, id_a), KURA_OK);
    assert_string_equal(it->password, "new-pw");
    assert_int_equal(it->n_fields, 1);
    kura_item_free(it);

    /* Listing holds no details. Search: title, username, URL, tag; any case; not notes. */
    assert_int_equal(kura_item_list(v, &list, NULL), KURA_OK);
    assert_int_equal(list->count, 2);
    assert_int_equal(list->items[0].has_details, 0);
    assert_null(list->items[0].password);
    kura_items_free(list);
    const char *hits[] = {"GITHUB", "BoB", "M.EXAMPLE", "work"};
    const size_t want[] = {2, 1, 2, 2};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(kura_item_list(v, &list, hits[i]), KURA_OK);
        assert_int_equal(list->count, want[i]);
        kura_items_free(list);
    }
    assert_int_equal(kura_item_list(v, &list, "line one"), KURA_OK);
    assert_int_equal(list->count, 0);
    kura_items_free(list);

    /* Resolve: a shared title is ambiguous; an id prefix is not; nothing is NOT_FOUND. */
    assert_int_equal(kura_item_resolve(v, &list, "github"), KURA_OK);
    assert_int_equal(list->count, 2);
    kura_items_free(list);
    char prefix[9];
    memcpy(prefix, id_b, 8);
    prefix[8] = '\0';
    assert_int_equal(kura_item_resolve(v, &list, prefix), KURA_OK);
    assert_int_equal(list->count, 1);
    assert_string_equal(list->items[0].id, id_b);
    kura_items_free(list);
    assert_int_equal(kura_item_resolve(v, &list, "absent"), KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_item_get(v, &it, "00000000000000000000000000000000"), KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_item_delete(v, "zz"), KURA_ERR_NOT_FOUND);
    kura_vault_close(v);
}

static void test_setters_refuse_bad_text(void **state)
{
    (void)state;
    kura_item *it = kura_item_new();
    char *big = malloc(KURA_MAX_LONG + 2);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "bad \xff utf8"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "overlong \xc0\xaf"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "surrogate \xed\xa0\x80"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "snowman \xe2\x98\x83 ok"), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "esc \x1b[2J"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set(it, KURA_USERNAME, "two\nlines"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_add_tag(it, "del\x7f"), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set_field(it, "na\tme", "v", 0), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set(it, KURA_NOTES, "two\nlines\tand \x1b[1m"), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_PASSWORD, "tab\tin password"), KURA_OK);
    assert_string_equal(it->title, "snowman \xe2\x98\x83 ok"); /* refusals changed nothing */
    memset(big, 'x', KURA_MAX_SHORT + 1);
    big[KURA_MAX_SHORT + 1] = '\0';
    assert_int_equal(kura_item_set(it, KURA_USERNAME, big), KURA_ERR_INVALID);
    big[KURA_MAX_SHORT] = '\0';
    assert_int_equal(kura_item_set(it, KURA_USERNAME, big), KURA_OK);
    memset(big, 'y', KURA_MAX_LONG + 1);
    big[KURA_MAX_LONG + 1] = '\0';
    assert_int_equal(kura_item_set(it, KURA_NOTES, big), KURA_ERR_INVALID);
    assert_int_equal(kura_item_add_url(it, ""), KURA_ERR_INVALID);
    assert_int_equal(kura_item_set_field(it, "", "v", 0), KURA_ERR_INVALID);
    free(big);
    kura_item_free(it);
}

/* Opens, unlocks (trusting the file as it is, if asked) and gets one item. */
static int get_rc_as(const char *file, const kura_client_key *key, const char *id, int trust)
{
    kura_vault *v;
    kura_item *it = NULL;
    int rc = kura_vault_open(&v, file);
    if (rc == KURA_OK && trust) kura_vault_trust_file(v);
    if (rc == KURA_OK) rc = kura_vault_unlock(v, key);
    if (rc == KURA_OK) rc = kura_item_get(v, &it, id);
    kura_item_free(it);
    kura_vault_close(v);
    return rc;
}

static int get_rc(const char *file, const kura_client_key *key, const char *id)
{
    return get_rc_as(file, key, id, 0);
}

/* Every move fails the vault's signed state at unlock; trusting the file, the item's own
 * AEAD still refuses the moved ciphertext while the others read. */
static void forget_seen(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/state/kura/*.seen", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_moved_ciphertexts_refused(void **state)
{
    (void)state;
    char stmt[600], backup[320];
    snprintf(backup, sizeof backup, "%s.bak", path);
    copy_file(path, backup);

    /* b's overview into a's row. */
    snprintf(stmt, sizeof stmt,
             "UPDATE items SET overview = (SELECT overview FROM items WHERE id = x'%s') "
             "WHERE id = x'%s'",
             id_b, id_a);
    sql(path, stmt);
    /* A point lookup checks its own bucket: a's is changed, b's is not. */
    assert_int_equal(get_rc(path, &key1, id_a), KURA_ERR_TAMPERED);
    assert_int_equal(get_rc(path, &key1, id_b), KURA_OK);
    /* Trusted, the file is re-signed; a's own AEAD still refuses the moved overview. */
    assert_int_equal(get_rc_as(path, &key1, id_a, 1), KURA_ERR_CORRUPT);
    assert_int_equal(get_rc(path, &key1, id_b), KURA_OK);

    /* An item's details in its own overview column (on a device that never saw more). */
    copy_file(backup, path);
    forget_seen();
    snprintf(stmt, sizeof stmt, "UPDATE items SET overview = details WHERE id = x'%s'", id_b);
    sql(path, stmt);
    assert_int_equal(get_rc(path, &key1, id_b), KURA_ERR_TAMPERED);
    assert_int_equal(get_rc_as(path, &key1, id_b, 1), KURA_ERR_CORRUPT);

    /* Restore, then graft a row of another vault (same item id kept). */
    copy_file(backup, path);
    forget_seen();
    snprintf(stmt, sizeof stmt,
             "ATTACH '%s' AS o; INSERT INTO items SELECT * FROM o.items WHERE id = x'%s'", path2,
             id_other);
    sql(path, stmt);
    assert_int_equal(get_rc(path, &key1, id_other), KURA_ERR_TAMPERED);
    assert_int_equal(get_rc_as(path, &key1, id_other, 1), KURA_ERR_CORRUPT);
    assert_int_equal(get_rc(path, &key1, id_a), KURA_OK);

    /* The backup is older than what this device has now seen: a rollback, until trusted. */
    copy_file(backup, path);
    assert_int_equal(get_rc(path, &key1, id_a), KURA_ERR_ROLLED_BACK);
    assert_int_equal(get_rc_as(path, &key1, id_a, 1), KURA_OK);
    assert_int_equal(get_rc(path, &key1, id_a), KURA_OK);
}

static void test_padding(void **state)
{
    (void)state;
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT length(overview), length(details) FROM items",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        assert_int_equal((sqlite3_column_int(st, 0) - 40) % 64, 0);
        assert_int_equal((sqlite3_column_int(st, 1) - 40) % 256, 0);
    }
    assert_int_equal(rows, 2);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_sessions(void **state)
{
    (void)state;
    kura_vault *v, *w;
    char handle[KURA_SESSION_TEXT], bad[KURA_SESSION_TEXT];
    unsigned remaining = 0;
    assert_int_equal(kura_vault_open(&v, path), KURA_OK);
    assert_int_equal(kura_session_start(handle, v, rundir, 60), KURA_ERR_LOCKED);
    assert_int_equal(kura_vault_unlock(v, &key1), KURA_OK);
    assert_int_equal(kura_session_start(handle, v, rundir, 60), KURA_OK);
    assert_int_equal(strlen(handle), KURA_SESSION_TEXT - 1);
    kura_vault_close(v);

    assert_int_equal(kura_vault_open(&v, path), KURA_OK);
    assert_int_equal(kura_session_resume(v, rundir, handle, &remaining), KURA_OK);
    assert_true(kura_vault_is_unlocked(v));
    assert_int_equal(remaining, 60);
    kura_vault_close(v);

    /* Another vault's handle, a wrong token, garbage: no session. */
    assert_int_equal(kura_vault_open(&w, path2), KURA_OK);
    assert_int_equal(kura_session_resume(w, rundir, handle, NULL), KURA_ERR_NOT_FOUND);
    kura_vault_close(w);
    assert_int_equal(kura_vault_open(&v, path), KURA_OK);
    memcpy(bad, handle, sizeof bad);
    bad[40] = bad[40] == 'a' ? 'b' : 'a';
    assert_int_equal(kura_session_resume(v, rundir, bad, NULL), KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_session_resume(v, rundir, "nonsense", NULL), KURA_ERR_NOT_FOUND);
    assert_false(kura_vault_is_unlocked(v));

    /* A folder others can read is refused. */
    chmod(rundir, 0755);
    assert_int_equal(kura_session_resume(v, rundir, handle, NULL), KURA_ERR_PERM);
    chmod(rundir, 0700);

    assert_int_equal(kura_session_end(rundir, handle), KURA_OK);
    assert_int_equal(kura_session_resume(v, rundir, handle, NULL), KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_session_end(rundir, handle), KURA_ERR_NOT_FOUND);
    kura_vault_close(v);
}

static void test_open_refusals(void **state)
{
    (void)state;
    kura_vault *v;
    char file[320];
    snprintf(file, sizeof file, "%s/missing.kura", dir);
    assert_int_equal(kura_vault_open(&v, file), KURA_ERR_NOT_FOUND);
    kura_vault_close(v);
    snprintf(file, sizeof file, "%s/text.kura", dir);
    FILE *f = fopen(file, "w");
    fputs("just some text, long enough to be more than a hundred bytes of header, or so we "
          "hope, yes indeed, quite long now\n",
          f);
    fclose(f);
    assert_int_equal(kura_vault_open(&v, file), KURA_ERR_CORRUPT);
    kura_vault_close(v);
    /* An SQLite file of another program. */
    snprintf(file, sizeof file, "%s/plain.db", dir);
    sql(file, "CREATE TABLE t(x)");
    assert_int_equal(kura_vault_open(&v, file), KURA_ERR_CORRUPT);
    assert_non_null(strstr(kura_error_detail(), "another program"));
    kura_vault_close(v);
    /* Page checksums: the layout is in the header, and a byte changed anywhere, even in a
     * page's unused space, is refused. */
    snprintf(file, sizeof file, "%s/flipped.kura", dir);
    copy_file(path, file);
    f = fopen(file, "r+b");
    unsigned char hdr[100];
    assert_int_equal(fread(hdr, 1, 100, f), 100);
    assert_int_equal(hdr[16] << 8 | hdr[17], KURA_PAGE_SIZE);
    assert_int_equal(hdr[20], KURA_PAGESUM_BYTES);
    assert_int_equal(fseek(f, KURA_PAGE_SIZE + 200, SEEK_SET), 0); /* page 2, free space */
    int ch = fgetc(f);
    assert_int_equal(fseek(f, KURA_PAGE_SIZE + 200, SEEK_SET), 0);
    fputc(ch ^ 0x01, f);
    fclose(f);
    assert_int_equal(kura_vault_open(&v, file), KURA_ERR_CORRUPT);
    assert_non_null(strstr(kura_error_detail(), "checksum"));
    kura_vault_close(v);

    /* A newer format version. */
    snprintf(file, sizeof file, "%s/newer.kura", dir);
    copy_file(path, file);
    sql(file, "PRAGMA user_version = 7");
    assert_int_equal(kura_vault_open(&v, file), KURA_ERR_TOO_NEW);
    kura_vault_close(v);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_reopen),
        cmocka_unit_test(test_unlock_and_read),
        cmocka_unit_test(test_setters_refuse_bad_text),
        cmocka_unit_test(test_moved_ciphertexts_refused),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_open_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
