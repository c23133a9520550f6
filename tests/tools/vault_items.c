/* vault_items VAULT KEYFILE fill N | dump: a test tool on the library.
 * fill N adds "Item 1".."Item N" (password "pw-I", username "user-I") in one transaction
 * (kura_batch), so a 1,000-item vault takes a moment, not a thousand kura runs. dump prints every
 * item as "title<TAB>password" sorted by title: the whole vault, for tests that compare it with
 * what they expect. Exit codes as kura's library results (0 ok, else the kura_err value). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kura/kura.h"

static int unlock(kura_vault **v, const char *path, const char *keyfile)
{
    char text[256] = {0};
    kura_client_key key;
    size_t bad;
    FILE *f = fopen(keyfile, "r");
    if (!f || !fgets(text, sizeof text, f)) {
        if (f) fclose(f);
        fprintf(stderr, "vault_items: cannot read %s\n", keyfile);
        return KURA_ERR_NOT_FOUND;
    }
    fclose(f);
    int rc = kura_key_parse(&key, &bad, text, strcspn(text, "\n"));
    if (rc == KURA_OK) rc = kura_vault_open(v, path);
    if (rc == KURA_OK) rc = kura_vault_unlock(*v, &key);
    if (rc != KURA_OK) fprintf(stderr, "vault_items: %s\n", *v ? kura_error_detail() : "bad key");
    return rc;
}

static int fill(kura_vault *v, long n)
{
    char title[64], pw[64], user[64];
    kura_batch *b;
    int brc = kura_batch_begin(v, &b);
    if (brc != KURA_OK) return brc;
    for (long i = 1; i <= n; i++) {
        kura_item *it = kura_item_new();
        if (!it) return KURA_ERR_NOMEM;
        snprintf(title, sizeof title, "Item %ld", i);
        snprintf(pw, sizeof pw, "pw-%ld", i);
        snprintf(user, sizeof user, "user-%ld", i);
        int rc = kura_item_set(it, KURA_TITLE, title);
        if (rc == KURA_OK) rc = kura_item_set(it, KURA_USERNAME, user);
        if (rc == KURA_OK) rc = kura_item_set(it, KURA_PASSWORD, pw);
        if (rc == KURA_OK) rc = kura_batch_add(b, it);
        kura_item_free(it);
        if (rc != KURA_OK) {
            fprintf(stderr, "vault_items: %s\n", kura_error_detail());
            kura_batch_abort(b);
            return rc;
        }
    }
    brc = kura_batch_commit(b);
    if (brc != KURA_OK) fprintf(stderr, "vault_items: %s\n", kura_error_detail());
    return brc;
}

static int dump(kura_vault *v)
{
    kura_items *list;
    int rc = kura_item_list(v, &list, NULL);
    for (size_t i = 0; rc == KURA_OK && i < list->count; i++) {
        kura_item *it;
        rc = kura_item_get(v, &it, list->items[i].id);
        if (rc != KURA_OK) break;
        printf("%s\t%s\n", it->title, it->password ? it->password : "");
        kura_item_free(it);
    }
    if (rc == KURA_OK) kura_items_free(list);
    if (rc != KURA_OK) fprintf(stderr, "vault_items: %s\n", kura_error_detail());
    return rc;
}

int main(int argc, char **argv)
{
    kura_vault *v = NULL;
    if (argc < 4 || (strcmp(argv[3], "fill") == 0 && argc != 5)) {
        fprintf(stderr, "usage: vault_items VAULT KEYFILE fill N | dump\n");
        return 2;
    }
    if (kura_process_harden() != KURA_OK) return 1;
    int rc = unlock(&v, argv[1], argv[2]);
    if (rc == KURA_OK)
        rc = strcmp(argv[3], "fill") == 0 ? fill(v, strtol(argv[4], NULL, 10)) : dump(v);
    kura_vault_close(v);
    return rc == KURA_OK ? 0 : rc < 0 ? -rc : rc;
}
