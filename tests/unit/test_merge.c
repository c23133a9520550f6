/* Re-imports (vault/item_merge.c): the merge rule on items (newer wins, nothing goes back in
 * time, nothing is removed, what is left alone is counted), and kura_batch_merge on a real
 * vault (added, updated, unchanged; each vault item matched once). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "kura/kura.h"
#include "unit_dir.h"

static char path[300];

static int setup(void **state)
{
    (void)state;
    if (unit_dir_make() != 0) return -1;
    snprintf(path, sizeof path, "%s/vault.kura", dir);
    return 0;
}

static kura_item *login(const char *title, const char *pw, const char *url, int64_t updated)
{
    kura_item *it = kura_item_new();
    assert_non_null(it);
    assert_int_equal(kura_item_set(it, KURA_TITLE, title), KURA_OK);
    assert_int_equal(kura_item_set(it, KURA_USERNAME, "alice"), KURA_OK);
    if (pw) assert_int_equal(kura_item_set(it, KURA_PASSWORD, pw), KURA_OK);
    if (url) assert_int_equal(kura_item_add_url(it, url), KURA_OK);
    it->updated = updated;
    return it;
}

static int has_url(const kura_item *it, const char *url)
{
    for (size_t i = 0; i < it->n_urls; i++)
        if (strcmp(it->urls[i], url) == 0) return 1;
    return 0;
}

static void test_newer_file_wins(void **state)
{
    (void)state;
    kura_item *have = login("Mail", "old-pw", "https://a.example", 100);
    kura_item *file = login("Mail", "new-pw", "https://b.example", 200);
    assert_int_equal(kura_item_set(file, KURA_NOTES, "from the file"), KURA_OK);
    size_t kept = 0;
    assert_int_equal(kura_item_merge(have, file, &kept), KURA_OK);
    assert_string_equal(have->password, "new-pw");
    assert_string_equal(have->notes, "from the file");
    assert_true(has_url(have, "https://a.example")); /* nothing is removed */
    assert_true(has_url(have, "https://b.example"));
    assert_int_equal(kept, 0);
    kura_item_free(have);
    kura_item_free(file);
}

static void test_older_file_never_goes_back(void **state)
{
    (void)state;
    kura_item *have = login("Mail", "newest-pw", "https://a.example", 300);
    kura_item *file = login("Mail", "older-pw", "https://b.example", 200);
    assert_int_equal(kura_item_set(file, KURA_NOTES, "the vault had none"), KURA_OK);
    assert_int_equal(kura_item_set_field(file, "pin", "1234", 1), KURA_OK);
    size_t kept = 0;
    assert_int_equal(kura_item_merge(have, file, &kept), KURA_OK);
    assert_string_equal(have->password, "newest-pw");       /* left alone ... */
    assert_string_equal(have->notes, "the vault had none"); /* what it lacked is added */
    assert_false(has_url(have, "https://b.example"));       /* the newer item may have dropped it */
    assert_int_equal(have->n_fields, 0);                    /* a field of an older item: counted */
    assert_int_equal(kept, 2);                              /* ... and counted */
    kura_item_free(have);
    kura_item_free(file);
}

static void test_file_without_time(void **state)
{
    (void)state;
    kura_item *have = login("Mail", "vault-pw", NULL, 300);
    kura_item *file = login("Mail", "file-pw", "https://b.example", 0);
    size_t kept = 0;
    assert_int_equal(kura_item_merge(have, file, &kept), KURA_OK);
    assert_string_equal(have->password, "vault-pw");
    assert_true(has_url(have, "https://b.example"));
    assert_int_equal(kept, 1);
    kura_item_free(have);
    kura_item_free(file);
}

static void test_batch_merge(void **state)
{
    (void)state;
    kura_client_key key;
    kura_vault *v = NULL;
    kura_key_generate(&key);
    assert_int_equal(kura_vault_create(&v, &key, path, NULL), KURA_OK);
    kura_item *a = login("Mail", "pw-1", "https://mail.example", 0);
    assert_int_equal(kura_item_add(v, a), KURA_OK);

    kura_matches *m = NULL;
    kura_batch *b = NULL;
    kura_item *scratch = kura_item_new();
    enum kura_merged what;
    size_t kept = 0;
    assert_int_equal(kura_matches_load(v, &m), KURA_OK);
    assert_int_equal(kura_batch_begin(v, &b), KURA_OK);
    kura_item *same = login("Mail", "pw-1", "https://mail.example", 0);
    assert_int_equal(kura_batch_merge(b, m, same, scratch, &what, &kept), KURA_OK);
    assert_int_equal(what, KURA_MERGED_UNCHANGED);
    kura_item *again = login("Mail", "pw-1", "https://mail.example", 0); /* matched already */
    assert_int_equal(kura_batch_merge(b, m, again, scratch, &what, &kept), KURA_OK);
    assert_int_equal(what, KURA_MERGED_ADDED);
    kura_item *other = login("Bank", "pw-2", NULL, 0);
    assert_int_equal(kura_batch_merge(b, m, other, scratch, &what, &kept), KURA_OK);
    assert_int_equal(what, KURA_MERGED_ADDED);
    assert_int_equal(kura_batch_commit(b), KURA_OK);
    kura_matches_free(m);

    /* A second import of a changed item (the same title, username and first URL) updates it
     * in place. */
    assert_int_equal(kura_matches_load(v, &m), KURA_OK);
    assert_int_equal(kura_batch_begin(v, &b), KURA_OK);
    kura_item *changed = login("Bank", "pw-2", NULL, 0);
    assert_int_equal(kura_item_set(changed, KURA_NOTES, "branch 12"), KURA_OK);
    assert_int_equal(kura_item_add_tag(changed, "money"), KURA_OK);
    assert_int_equal(kura_batch_merge(b, m, changed, scratch, &what, &kept), KURA_OK);
    assert_int_equal(what, KURA_MERGED_UPDATED);
    assert_int_equal(kura_batch_commit(b), KURA_OK);
    kura_matches_free(m);

    kura_items *list = NULL;
    assert_int_equal(kura_item_list(v, &list, NULL), KURA_OK);
    assert_int_equal(list->count, 3);
    kura_items_free(list);
    kura_item *fetched = NULL;
    assert_int_equal(kura_item_list(v, &list, "bank"), KURA_OK);
    assert_int_equal(list->count, 1);
    assert_int_equal(kura_item_get(v, &fetched, list->items[0].id), KURA_OK);
    assert_string_equal(fetched->notes, "branch 12");
    assert_int_equal(fetched->n_tags, 1);
    assert_string_equal(fetched->tags[0], "money");
    kura_items_free(list);
    kura_item_free(fetched);
    kura_item_free(scratch);
    kura_item_free(a);
    kura_item_free(same);
    kura_item_free(again);
    kura_item_free(other);
    kura_item_free(changed);
    kura_vault_close(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newer_file_wins),
        cmocka_unit_test(test_older_file_never_goes_back),
        cmocka_unit_test(test_file_without_time),
        cmocka_unit_test(test_batch_merge),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
