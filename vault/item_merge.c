/* Items of a file imported again, matched with the vault's items and merged into them
 * without going back in time and without removing anything: the rule a re-import follows
 * (and a merge between devices will). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "item_int.h"

/* An item is known by a keyed hash of its title, username and first URL. */
typedef struct known {
    unsigned char key[16];
    char id[KURA_ITEM_ID_TEXT + 1];
    int used; /* an imported item was matched with it */
} known;

struct kura_matches {
    known *e; /* open addressing on key; cap a power of two, empty slots have id[0] == 0 */
    size_t cap;
    unsigned char hash_key[crypto_generichash_KEYBYTES];
};

static void match_key(unsigned char out[16], const kura_matches *s, const kura_item *it)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, s->hash_key, sizeof s->hash_key, 16);
    const char *parts[3] = {it->title, it->username, it->n_urls ? it->urls[0] : NULL};
    for (int i = 0; i < 3; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_generichash_update(&st, (const unsigned char *)p, strlen(p) + 1);
    }
    crypto_generichash_final(&st, out, 16);
}

static size_t slot_of(const kura_matches *s, const unsigned char key[16])
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)h & (s->cap - 1);
}

/* The vault's items (their overviews: title, username, URLs) as matches. */
static int known_load(kura_vault *v, kura_matches *s)
{
    kura_items *list = NULL;
    int rc = kura_item_list(v, &list, NULL);
    if (rc != KURA_OK || list->count == 0) {
        kura_items_free(list);
        return rc;
    }
    for (s->cap = 16; s->cap < list->count * 2; s->cap *= 2) {
    }
    if (!(s->e = sodium_allocarray(s->cap, sizeof *s->e))) {
        kura_items_free(list);
        return KURA_ERR_NOMEM;
    }
    memset(s->e, 0, s->cap * sizeof *s->e);
    randombytes_buf(s->hash_key, sizeof s->hash_key);
    for (size_t i = 0; i < list->count; i++) {
        known k = {.used = 0};
        match_key(k.key, s, &list->items[i]);
        memcpy(k.id, list->items[i].id, sizeof k.id);
        size_t j = slot_of(s, k.key);
        while (s->e[j].id[0])
            j = (j + 1) & (s->cap - 1);
        s->e[j] = k;
    }
    kura_items_free(list);
    return KURA_OK;
}

/* The vault's item that it matches and no other imported item matched yet, or NULL. */
static known *known_find(kura_matches *s, const kura_item *it)
{
    if (!s->cap) return NULL;
    unsigned char key[16];
    match_key(key, s, it);
    for (size_t i = slot_of(s, key); s->e[i].id[0]; i = (i + 1) & (s->cap - 1))
        if (!s->e[i].used && sodium_memcmp(s->e[i].key, key, sizeof key) == 0) return &s->e[i];
    return NULL;
}

/* The rule is kura/vault.h's, at kura_item_merge. */
int kura_item_merge(kura_item *into, const kura_item *src, size_t *kept)
{
    int newer = src->updated > 0 && into->updated > 0 && src->updated > into->updated;
    int vault_newer = src->updated > 0 && into->updated > 0 && src->updated < into->updated;
    int rc = KURA_OK;
    if (src->type != into->type && (newer || into->type == KURA_TYPE_LOGIN))
        rc = kura_item_set_type(into, src->type);
    static const enum kura_item_text texts[] = {KURA_PASSWORD, KURA_NOTES};
    for (size_t t = 0; rc == KURA_OK && t < 2; t++) {
        const char *theirs = t ? src->notes : src->password;
        const char *have = t ? into->notes : into->password;
        if (!theirs || !*theirs || (have && strcmp(have, theirs) == 0)) continue;
        if (newer || !have || !*have)
            rc = kura_item_set(into, texts[t], theirs);
        else
            (*kept)++;
    }
    for (size_t i = 0; rc == KURA_OK && !vault_newer && i < src->n_urls; i++) {
        size_t j = 0;
        while (j < into->n_urls && strcmp(into->urls[j], src->urls[i]) != 0)
            j++;
        if (j == into->n_urls) rc = kura_item_add_url(into, src->urls[i]);
    }
    for (size_t i = 0; rc == KURA_OK && !vault_newer && i < src->n_tags; i++) {
        size_t j = 0;
        while (j < into->n_tags && strcmp(into->tags[j], src->tags[i]) != 0)
            j++;
        if (j == into->n_tags) rc = kura_item_add_tag(into, src->tags[i]);
    }
    for (size_t i = 0; rc == KURA_OK && i < src->n_fields; i++) {
        const kura_field *f = &src->fields[i], *have = NULL;
        for (size_t j = 0; j < into->n_fields && !have; j++)
            if (strcmp(into->fields[j].name, f->name) == 0) have = &into->fields[j];
        if (have && strcmp(have->value, f->value) == 0 && have->hidden == f->hidden) continue;
        if (newer || (!have && !vault_newer))
            rc = kura_item_set_field(into, f->name, f->value, f->hidden);
        else
            (*kept)++;
    }
    /* Attachments by name: one into lacks is added; one that differs replaces into's only
     * when src is newer (into's stays in the history). */
    for (size_t i = 0; rc == KURA_OK && i < src->n_attachments; i++) {
        const kura_attachment *a = &src->attachments[i],
                              *have = kura_item_attachment(into, a->name);
        if (have && have->size == a->size && sodium_memcmp(have->hash, a->hash, 32) == 0) continue;
        if (have && !newer) {
            (*kept)++;
            continue;
        }
        if (have) rc = kura_item_detach(into, a->name);
        if (rc == KURA_OK) rc = kura_item_put_attachment(into, a);
    }
    return rc;
}

int kura_matches_load(kura_vault *v, kura_matches **out)
{
    kura_matches *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return KURA_ERR_NOMEM;
    int rc = known_load(v, s);
    if (rc != KURA_OK) {
        kura_matches_free(s);
        return rc;
    }
    *out = s;
    return KURA_OK;
}

void kura_matches_free(kura_matches *m)
{
    if (!m) return;
    sodium_free(m->e);
    sodium_memzero(m, sizeof *m);
    free(m);
}

int kura_batch_merge(kura_batch *b, kura_matches *m, kura_item *it, kura_item *have,
                     enum kura_merged *what, size_t *kept)
{
    known *k = known_find(m, it);
    if (!k) {
        *what = KURA_MERGED_ADDED;
        return kura_batch_add(b, it);
    }
    k->used = 1;
    unsigned char before[KURA_ITEM_DIGEST_BYTES], after[KURA_ITEM_DIGEST_BYTES];
    int rc = kura_batch_get(b, have, k->id);
    if (rc == KURA_OK) rc = kura_item_digest(before, have);
    if (rc == KURA_OK) rc = kura_item_merge(have, it, kept) == KURA_OK ? KURA_OK : KURA_ERR_INVALID;
    if (rc == KURA_OK) rc = kura_item_digest(after, have);
    if (rc == KURA_OK && sodium_memcmp(before, after, sizeof before) == 0) {
        *what = KURA_MERGED_UNCHANGED;
    } else if (rc == KURA_OK) {
        *what = KURA_MERGED_UPDATED;
        rc = kura_batch_replace(b, have);
    }
    /* The content sealed for it's attachments that the vault's item did not take. */
    for (size_t i = 0; rc == KURA_OK && i < it->n_attachments; i++) {
        int taken = 0;
        for (size_t j = 0; j < have->n_attachments && !taken; j++)
            taken = memcmp(have->attachments[j].id, it->attachments[i].id,
                           KURA_ATTACHMENT_ID_BYTES) == 0;
        if (!taken) rc = kura_db_blob_drop(kura_batch_vault(b)->db, it->attachments[i].id);
    }
    return rc;
}
