/* The vault handle: creating a vault file, opening it, unlocking it with the client key.
 * The vault key (VK) is random; the client-key slot wraps it; an "info" ciphertext under VK
 * keeps the vault's name and the client key itself, so any unlocked state can show it again. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "item_int.h"
#include "open.h"

#define META_ID "vault_id"
#define META_SLOT "slot.client"
#define META_INFO "info"
#define META_VK_CHECK "vk_check"
#define INFO_PAD 64
#define NAME_MAX_BYTES 256

/* A meta row that could not be had: damage in the words given, anything else (the disk, memory)
 * in SQLite's. */
static int meta_fail(kura_vault *v, int rc, const char *damaged)
{
    if (rc == KURA_ERR_CORRUPT) return kura_fail(rc, "%s", damaged);
    if (rc == KURA_ERR_NOMEM) return kura_fail(rc, "out of memory");
    return kura_fail(rc, "%s", kura_db_error(v->db));
}

/* 128 bits as 26 Crockford symbols, most significant first. */
void kura_id_text(char *out, const unsigned char id[KURA_VAULT_ID_BYTES])
{
    unsigned acc = 0, bits = 0, o = 0;
    for (size_t i = 0; i < KURA_VAULT_ID_BYTES; i++) {
        acc = (acc << 8) | id[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = kura_b32_symbol((acc >> (bits - 5)) & 31);
            bits -= 5;
        }
    }
    out[o++] = kura_b32_symbol((acc << (5 - bits)) & 31);
    out[o] = '\0';
}

/* What a write records before it commits (kura_vault_write_end): the items this device
 * changed, then the attachment chunks no version names any more. */
static int before_commit(kura_vault *v)
{
    int rc = v->n_dirty ? kura_dirty_flush(v) : KURA_OK;
    if (rc == KURA_OK && v->n_sweep) rc = kura_blobs_sweep(v);
    return rc;
}

static kura_vault *handle_new(const char *path)
{
    kura_vault *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->path = strdup(path);
    if (!v->path) {
        free(v);
        return NULL;
    }
    v->state_dir = kura_default_state_dir(); /* NULL (no HOME): no rollback guard */
    v->before_commit = before_commit;
    v->history_keep = KURA_HISTORY_KEEP;
    v->history_days = KURA_HISTORY_DAYS;
    return v;
}

static void lock(kura_vault *v)
{
    sodium_free(v->keys);
    sodium_free(v->name);
    sodium_free(v->client_key);
    sodium_free(v->scratch);
    sodium_free(v->hash_state);
    v->hash_state = NULL;
    v->n_dirty = 0;
    kura_gbuf_free(&v->touched);
    kura_buf_spares_free(v);
    v->keys = NULL;
    v->name = NULL;
    v->client_key = NULL;
    v->scratch = NULL;
    v->scratch_cap = 0;
    kura_state_forget_checks(v, 1); /* checked under keys that are gone */
}

int kura_vault_format(const kura_vault *v)
{
    return v->db ? kura_db_format(v->db) : 0;
}

void kura_vault_close(kura_vault *v)
{
    if (!v) return;
    lock(v);
    kura_db_close(v->db);
    free(v->path);
    free(v->state_dir);
    free(v->cache_dir);
    for (unsigned i = 0; i < KURA_CHECKED_BUCKETS; i++)
        free(v->checked[i].prints);
    free(v->dirty);
    free(v->sweep);
    free(v);
}

/* info plaintext: name length (2, LE), name, 36 key symbols, padded. */
static int seal_info(kura_blob *out, const kura_vault *v, const unsigned char *item_key,
                     const char *name, const kura_client_key *key)
{
    size_t nlen = name ? strlen(name) : 0;
    size_t cap = 2 + NAME_MAX_BYTES + KURA_KEY_SYMBOLS + INFO_PAD;
    unsigned char *pt = sodium_malloc(cap);
    unsigned char ad[KURA_AD_BYTES];
    static const unsigned char zero_id[KURA_ITEM_ID_BYTES];
    size_t padded;

    if (!pt) return KURA_ERR_NOMEM;
    pt[0] = (unsigned char)(nlen & 0xff);
    pt[1] = (unsigned char)(nlen >> 8);
    if (nlen) memcpy(pt + 2, name, nlen);
    memcpy(pt + 2 + nlen, key->sym, KURA_KEY_SYMBOLS);
    if (sodium_pad(&padded, pt, 2 + nlen + KURA_KEY_SYMBOLS, INFO_PAD, cap) != 0) {
        sodium_free(pt);
        return KURA_ERR_INVALID;
    }
    out->n = padded + KURA_NONCEBYTES + KURA_MACBYTES;
    out->p = malloc(out->n);
    if (!out->p) {
        sodium_free(pt);
        return KURA_ERR_NOMEM;
    }
    kura_item_ad(ad, v->id, zero_id, 'v');
    kura_seal(out->p, pt, padded, ad, sizeof ad, NULL, item_key);
    sodium_free(pt);
    return KURA_OK;
}

static int open_info(kura_vault *v)
{
    kura_blob b;
    unsigned char ad[KURA_AD_BYTES];
    static const unsigned char zero_id[KURA_ITEM_ID_BYTES];
    unsigned char *pt = NULL;
    size_t len;
    int rc = kura_meta_get(v, &b, META_INFO);

    if (rc != KURA_OK) return rc;
    rc = KURA_ERR_CORRUPT;
    if (b.n < KURA_NONCEBYTES + KURA_MACBYTES + INFO_PAD) goto out;
    len = b.n - KURA_NONCEBYTES - KURA_MACBYTES;
    pt = sodium_malloc(len);
    if (!pt) {
        rc = KURA_ERR_NOMEM;
        goto out;
    }
    kura_item_ad(ad, v->id, zero_id, 'v');
    if (kura_open(pt, b.p, b.n, ad, sizeof ad, ITEM_KEY(v)) != KURA_OK) goto out;
    if (sodium_unpad(&len, pt, len, INFO_PAD) != 0 || len < 2 + KURA_KEY_SYMBOLS) goto out;
    size_t nlen = pt[0] | (size_t)pt[1] << 8;
    if (nlen > NAME_MAX_BYTES || 2 + nlen + KURA_KEY_SYMBOLS != len) goto out;
    v->name = sodium_malloc(nlen + 1);
    v->client_key = sodium_malloc(sizeof *v->client_key);
    if (!v->name || !v->client_key) {
        rc = KURA_ERR_NOMEM;
        goto out;
    }
    memcpy(v->name, pt + 2, nlen);
    v->name[nlen] = '\0';
    memcpy(v->client_key->sym, pt + 2 + nlen, KURA_KEY_SYMBOLS);
    rc = kura_key_check(v->client_key) ? KURA_OK : KURA_ERR_CORRUPT;
out:
    sodium_free(pt);
    free(b.p);
    return rc;
}

/* A keyed hash under VK, stored in the vault: tells key material from before a rotation
 * (an old session, an old device slot) from damage. */
static void vk_check(unsigned char out[KURA_COMMITBYTES], const unsigned char *vk)
{
    crypto_generichash(out, KURA_COMMITBYTES, (const unsigned char *)"kura/vk-check/1", 15, vk,
                       KURA_KEYBYTES);
}

/* Fills the item key, the state key and the title index key from the vault key (keys:
 * VAULT_KEYS bytes). */
static void kura_vault_derive_keys(unsigned char *keys)
{
    crypto_kdf_derive_from_key(keys + KURA_KEYBYTES, KURA_KEYBYTES, 1, "kuraitem", keys);
    crypto_kdf_derive_from_key(keys + 2 * KURA_KEYBYTES, KURA_KEYBYTES, 2, "kurastat", keys);
    crypto_kdf_derive_from_key(keys + 3 * KURA_KEYBYTES, KURA_KEYBYTES, 3, "kuraname", keys);
}

static int unlock_vk(kura_vault *v, const unsigned char vk[KURA_KEYBYTES])
{
    unsigned char want[KURA_COMMITBYTES];
    kura_blob stored;
    lock(v);
    int rc = kura_meta_get(v, &stored, META_VK_CHECK);
    if (rc == KURA_OK && stored.n != KURA_COMMITBYTES) rc = KURA_ERR_CORRUPT;
    int same = 1;
    if (rc != KURA_OK && !(v->as_is && rc == KURA_ERR_CORRUPT)) {
        free(stored.p);
        return meta_fail(v, rc, "the vault key check is damaged or missing");
    }
    if (rc == KURA_OK) { /* read as it is, a damaged check is passed over: items still tell */
        vk_check(want, vk);
        same = sodium_memcmp(want, stored.p, KURA_COMMITBYTES) == 0;
    }
    free(stored.p);
    if (!same)
        return kura_fail(KURA_ERR_OLD_KEY, "key material from before vault %s's key was rotated",
                         v->id_text);
    v->keys = sodium_malloc(VAULT_KEYS);
    if (!v->keys) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    memcpy(VK(v), vk, KURA_KEYBYTES);
    kura_vault_derive_keys(v->keys);
    rc = open_info(v);
    if (rc == KURA_ERR_CORRUPT && v->as_is) { /* no name; the key only if the user gave it */
        sodium_free(v->name);
        sodium_free(v->client_key);
        v->client_key = NULL;
        v->name = sodium_malloc(1);
        if (!v->name) return kura_fail(KURA_ERR_NOMEM, "out of memory");
        v->name[0] = '\0';
        rc = KURA_OK;
    }
    if (rc != KURA_OK) {
        lock(v);
        return meta_fail(v, rc, "the vault's own record does not decrypt");
    }
    /* The signed state against the file's buckets and records (the whole file when trusted),
     * and against what this device saw. */
    if (v->as_is) return KURA_OK; /* read as it is: nothing of it is signed any more */
    rc = kura_state_check(v);
    if (rc != KURA_OK) {
        lock(v);
        return rc;
    }
    return KURA_OK;
}

/* A file the user trusts that cannot be re-signed (its pages are damaged) is read as it is
 * instead: the same file, read-only, through the lenient VFS. */
static int reopen_as_is(kura_vault *v)
{
    kura_db *db = NULL;
    char err[200];
    int rc = kura_db_open_as_is(&db, v->path, err, sizeof err);
    if (rc != KURA_OK) return kura_fail(rc, "%s", err);
    kura_db_close(v->db);
    v->db = db;
    v->as_is = 1;
    return KURA_OK;
}

/* One read transaction, so the checks see one version of the file even while other
 * processes write. A file the user trusts (kura_vault_trust_file) and that failed its state
 * check is then re-signed in a write transaction of its own. */
int kura_vault_unlock_vk(kura_vault *v, const unsigned char vk[KURA_KEYBYTES])
{
    int rc = kura_db_begin_read(v->db);
    if (rc != KURA_OK) return kura_fail(rc, "%s", kura_db_error(v->db));
    v->resign = 0;
    rc = unlock_vk(v, vk);
    kura_db_rollback(v->db); /* only read */
    if (rc != KURA_OK || !v->resign) return rc;
    rc = kura_db_begin(v->db);
    if (rc == KURA_OK) rc = kura_state_rebuild(v, STATE_KEY(v));
    if (rc == KURA_OK) rc = kura_state_put(v, STATE_KEY(v), v->state_gen + 1);
    if (rc == KURA_OK) rc = kura_db_commit(v->db);
    if (rc == KURA_ERR_CORRUPT || rc == KURA_ERR_TAMPERED) { /* damaged: read it as it is */
        kura_db_rollback(v->db);
        lock(v);
        v->resign = 0;
        rc = reopen_as_is(v);
        if (rc == KURA_OK) rc = kura_db_begin_read(v->db);
        if (rc == KURA_OK) rc = unlock_vk(v, vk);
        kura_db_rollback(v->db);
        return rc;
    }
    if (rc != KURA_OK) {
        kura_db_rollback(v->db);
        lock(v);
        return kura_fail(rc, "cannot re-sign the vault: %s", kura_db_error(v->db));
    }
    v->resign = 0;
    kura_state_seen(v, 1);
    return KURA_OK;
}

int kura_vault_unlock(kura_vault *v, const kura_client_key *key)
{
    unsigned char *k = sodium_malloc(3 * KURA_KEYBYTES);
    kura_blob slot;
    int rc;

    if (!k) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    rc = kura_meta_get(v, &slot, META_SLOT);
    if (rc != KURA_OK) {
        sodium_free(k);
        return meta_fail(v, rc, "the client-key slot is damaged or missing");
    }
    kura_client_key_kek(k, k + KURA_KEYBYTES, key, v->id);
    rc = kura_slot_open(k + 2 * KURA_KEYBYTES, slot.p, slot.n, k, k + KURA_KEYBYTES, v->id);
    free(slot.p);
    if (rc == KURA_OK) {
        rc = kura_vault_unlock_vk(v, k + 2 * KURA_KEYBYTES);
        if (rc == KURA_OK && !v->client_key) { /* read as it is, its own record damaged */
            v->client_key = sodium_malloc(sizeof *v->client_key);
            if (v->client_key)
                memcpy(v->client_key, key, sizeof *key);
            else
                rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
        }
    } else if (rc == KURA_ERR_WRONG_KEY) {
        kura_fail(rc, "this key does not open vault %s", v->id_text);
    } else {
        kura_fail(rc, "the client-key slot is damaged");
    }
    sodium_free(k);
    return rc;
}

static int make_parent(const char *path)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof buf) return KURA_ERR_INVALID;
    memcpy(buf, path, n + 1);
    return kura_mkdir_private(dirname(buf));
}

int kura_vault_make(kura_vault **out, const char *path, const unsigned char id[KURA_VAULT_ID_BYTES],
                    const unsigned char vk[KURA_KEYBYTES], const kura_client_key *key,
                    const char *name, uint64_t gen, int adopt)
{
    kura_vault *v;
    unsigned char *k = NULL;
    unsigned char slot[KURA_SLOT_BYTES];
    kura_slot_params params = {.kind = KURA_SLOT_CLIENT_KEY};
    kura_blob info = {0};
    int rc, created = 0;

    *out = NULL;
    if (name && (strlen(name) > NAME_MAX_BYTES || !kura_utf8_valid(name, strlen(name))))
        return KURA_ERR_INVALID;
    v = handle_new(path);
    if (!v) return KURA_ERR_NOMEM;
    *out = v;
    rc = make_parent(path);
    if (rc != KURA_OK) {
        rc = kura_fail(rc, "cannot make the folder for %s: %s", path, strerror(errno));
        goto out;
    }
    char err[256] = "";
    rc = kura_db_create(&v->db, path, err, sizeof err);
    if (rc != KURA_OK) {
        kura_fail(rc, "%s", err);
        goto out;
    }
    created = 1;
    k = sodium_malloc(2 * KURA_KEYBYTES);
    if (!k) {
        rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(v->id, id, sizeof v->id);
    kura_id_text(v->id_text, v->id);
    kura_client_key_kek(k, k + KURA_KEYBYTES, key, v->id);
    kura_slot_seal(slot, &params, k, k + KURA_KEYBYTES, v->id, vk, NULL);
    v->keys = sodium_malloc(VAULT_KEYS);
    if (!v->keys) {
        rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(VK(v), vk, KURA_KEYBYTES);
    kura_vault_derive_keys(v->keys);
    rc = seal_info(&info, v, ITEM_KEY(v), name, key);
    if (rc != KURA_OK) goto out;
    rc = kura_db_begin(v->db);
    if (rc == KURA_OK) rc = kura_meta_put(v, META_ID, v->id, sizeof v->id);
    if (rc == KURA_OK) rc = kura_meta_put(v, META_SLOT, slot, sizeof slot);
    if (rc == KURA_OK) rc = kura_meta_put(v, META_INFO, info.p, info.n);
    unsigned char check[KURA_COMMITBYTES];
    vk_check(check, vk);
    if (rc == KURA_OK) rc = kura_meta_put(v, META_VK_CHECK, check, sizeof check);
    if (rc == KURA_OK) rc = kura_keygen_start(v, key, !adopt);
    if (rc == KURA_OK) rc = kura_state_put(v, STATE_KEY(v), gen);
    if (rc == KURA_OK) rc = kura_db_commit(v->db);
    if (rc != KURA_OK) {
        kura_db_rollback(v->db);
        kura_fail(rc, "%s", kura_db_error(v->db));
        goto out;
    }
    if (adopt) kura_state_seen(v, 1); /* the same vault, made anew: this device takes it */
    rc = kura_vault_unlock_vk(v, vk);
out:
    free(info.p);
    sodium_free(k);
    sodium_memzero(slot, sizeof slot);
    if (rc != KURA_OK && created) unlink(path);
    return rc;
}

int kura_vault_create(kura_vault **out, kura_client_key *key, const char *path, const char *name)
{
    unsigned char id[KURA_VAULT_ID_BYTES], *vk = sodium_malloc(KURA_KEYBYTES);
    *out = NULL;
    if (!vk) return KURA_ERR_NOMEM;
    randombytes_buf(id, sizeof id);
    randombytes_buf(vk, KURA_KEYBYTES);
    kura_key_generate(key);
    int rc = kura_vault_make(out, path, id, vk, key, name, 1, 0);
    sodium_free(vk);
    if (rc != KURA_OK) sodium_memzero(key, sizeof *key);
    return rc;
}

/* Opens path through the strict or the lenient (as it is) storage, and reads the vault id. */
static int open_with(kura_vault **out, const char *path, int as_is)
{
    kura_blob id;
    kura_vault *v = handle_new(path);

    *out = v;
    if (!v) return KURA_ERR_NOMEM;
    /* A vault reached through a symlink (a synced folder) is fine: resolve it once, then
     * open the real file without following links. */
    char *real = realpath(path, NULL);
    char err[256] = "";
    int rc = as_is ? kura_db_open_as_is(&v->db, real ? real : path, err, sizeof err)
                   : kura_db_open(&v->db, real ? real : path, err, sizeof err);
    free(real);
    if (rc != KURA_OK) return kura_fail(rc, "%s", err);
    v->as_is = as_is;
    v->upgrade_items = kura_items_upgrade;
    rc = kura_meta_get(v, &id, META_ID);
    if (rc == KURA_OK && id.n != KURA_VAULT_ID_BYTES) rc = KURA_ERR_CORRUPT;
    if (rc != KURA_OK) {
        free(id.p);
        return meta_fail(v, rc, "the vault id is damaged or missing");
    }
    memcpy(v->id, id.p, KURA_VAULT_ID_BYTES);
    free(id.p);
    kura_id_text(v->id_text, v->id);
    return KURA_OK;
}

int kura_vault_open(kura_vault **out, const char *path)
{
    return open_with(out, path, 0);
}

int kura_vault_open_as_is(kura_vault **out, const char *path)
{
    return open_with(out, path, 1);
}

int kura_vault_as_is(const kura_vault *v)
{
    return v && v->as_is;
}

const char *kura_vault_network_fs(const kura_vault *v)
{
    return kura_network_fs_name(kura_fs_type(v->path));
}

int kura_vault_set_state_dir(kura_vault *v, const char *dir)
{
    char *copy = dir ? strdup(dir) : NULL;
    if (dir && !copy) return KURA_ERR_NOMEM;
    free(v->state_dir);
    v->state_dir = copy;
    return KURA_OK;
}

void kura_vault_trust_file(kura_vault *v)
{
    v->trust_file = 1;
}

/* Re-keys v to vk and key (given, or made when vk is NULL: a rotation). */
static int rekey_to(kura_vault *v, const unsigned char *given_vk, kura_client_key *new_key,
                    size_t *items, kura_rotate_fn ready, void *ctx)
{
    /* vk', item key', state key', wrap, commit */
    unsigned char *next = sodium_malloc(VAULT_KEYS + 2 * KURA_KEYBYTES);
    unsigned char slot[KURA_SLOT_BYTES], check[KURA_COMMITBYTES];
    kura_slot_params params = {.kind = KURA_SLOT_CLIENT_KEY};
    kura_blob info = {0};
    kura_gbuf gens = {0};
    int rc;

    *items = 0;
    if (!next) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    if (!v->keys) {
        sodium_free(next);
        return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
    }
    unsigned char *vk = next, *item_key = next + KURA_KEYBYTES,
                  *state_key = next + 2 * KURA_KEYBYTES, *name_key = next + 3 * KURA_KEYBYTES,
                  *wrap = next + VAULT_KEYS, *commit = next + VAULT_KEYS + KURA_KEYBYTES;
    if (given_vk)
        memcpy(vk, given_vk, KURA_KEYBYTES);
    else
        randombytes_buf(vk, KURA_KEYBYTES);
    kura_vault_derive_keys(next);
    if (!given_vk) kura_key_generate(new_key);
    kura_client_key_kek(wrap, commit, new_key, v->id);
    kura_slot_seal(slot, &params, wrap, commit, v->id, vk, NULL);
    vk_check(check, vk);
    rc = seal_info(&info, v, item_key, v->name, new_key);

    /* One transaction: every item, the slot, the info record, the key check and the state
     * (signed with the new key), or none. A file that fails its old state is not rotated. */
    kura_detail_clear();
    if (rc == KURA_OK) rc = kura_vault_write_begin(v, NULL);
    if (rc == KURA_OK) {
        rc = kura_state_check_all(v);
        if (rc == KURA_OK) rc = kura_keygen_read(v, &gens);
        if (rc == KURA_OK) rc = kura_items_rekey(v, item_key, name_key, items);
        /* The old vault key, kept under the new one: files other devices wrote before they
         * learn of the rotation still open here. */
        if (rc == KURA_OK) rc = kura_old_keys_add(v, item_key);
        /* The new key's generation: one more (another device's rotation: what its files say,
         * at the next sync). */
        if (rc == KURA_OK) rc = kura_keygen_next(v, &gens, item_key, new_key, !given_vk);
        if (rc == KURA_OK) rc = kura_meta_put(v, META_SLOT, slot, sizeof slot);
        if (rc == KURA_OK) rc = kura_meta_put(v, META_INFO, info.p, info.n);
        if (rc == KURA_OK) rc = kura_meta_put(v, META_VK_CHECK, check, sizeof check);
        if (rc == KURA_OK) rc = kura_state_rebuild(v, state_key);
        if (rc == KURA_OK) rc = kura_state_put(v, state_key, v->state_gen + 1);
        if (rc == KURA_OK && ready && ready(ctx, new_key) != 0)
            rc = kura_fail(KURA_ERR_IO, "the new key could not be saved");
        if (rc == KURA_OK) rc = kura_db_commit(v->db);
        if (rc != KURA_OK) {
            kura_db_rollback(v->db);
            if (!kura_error_detail()[0]) kura_fail(rc, "%s", kura_db_error(v->db));
        } else {
            memcpy(v->keys, next, VAULT_KEYS);
            memcpy(v->client_key, new_key, sizeof *new_key);
            kura_state_seen(v, 0);
        }
    }
    free(info.p);
    kura_gbuf_free(&gens);
    sodium_free(next);
    sodium_memzero(slot, sizeof slot);
    return rc;
}

int kura_vault_rotate(kura_vault *v, kura_client_key *new_key, size_t *items, kura_rotate_fn ready,
                      void *ctx)
{
    return rekey_to(v, NULL, new_key, items, ready, ctx);
}

int kura_vault_rekey_to(kura_vault *v, const unsigned char vk[KURA_KEYBYTES],
                        const kura_client_key *key)
{
    kura_client_key *k = sodium_malloc(sizeof *k);
    size_t items;
    if (!k) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    memcpy(k, key, sizeof *k);
    int rc = rekey_to(v, vk, k, &items, NULL, NULL);
    sodium_free(k);
    return rc;
}
