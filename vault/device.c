/* Device slots: on an enrolled device, the vault key wrapped under Argon2id(passphrase), in a
 * file of its own outside the vault (never synced). The Argon2id limits travel with the slot
 * and are authenticated; anything below libsodium's MODERATE limits is refused, so a
 * rewritten file cannot make guessing cheaper. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handle.h"
#include "open.h"

#define MAGIC "KDEV"
#define BODY_BYTES (4 + 1 + KURA_VAULT_ID_BYTES + KURA_SLOT_BYTES)
#define SUM_BYTES 16 /* unkeyed: damage reads as damage, not as a wrong passphrase */
#define FILE_BYTES (BODY_BYTES + SUM_BYTES)

int kura_device_path(char *out, size_t n, const char *dir, const char *vault_id)
{
    int w = snprintf(out, n, "%s/%s.device", dir, vault_id);
    return w < 0 || (size_t)w >= n ? KURA_ERR_INVALID : KURA_OK;
}

static int device_path(char *out, size_t n, const char *dir, const kura_vault *v)
{
    return kura_device_path(out, n, dir, v->id_text);
}

char *kura_default_device_dir(void)
{
    char *vault = kura_default_vault_path(); /* .../kura/vault.kura */
    if (!vault) return NULL;
    char *slash = strrchr(vault, '/');
    size_t n = (size_t)(slash - vault);
    char *dir = malloc(n + sizeof "/devices");
    if (dir) {
        memcpy(dir, vault, n);
        memcpy(dir + n, "/devices", sizeof "/devices");
    }
    free(vault);
    return dir;
}

/* Argon2id(passphrase, salt) split into a wrapping key and a commitment. */
static int derive(unsigned char *wrap, unsigned char *commit, const char *pass, size_t passlen,
                  const kura_slot_params *p, const unsigned char *vault_id)
{
    unsigned char *ikm = sodium_malloc(KURA_KEYBYTES);
    if (!ikm) return KURA_ERR_NOMEM;
    if (crypto_pwhash(ikm, KURA_KEYBYTES, pass, passlen, p->salt, p->opslimit, (size_t)p->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_free(ikm);
        return KURA_ERR_NOMEM; /* Argon2id could not get its memory */
    }
    kura_kdf_split(wrap, commit, ikm, KURA_KEYBYTES, "passphrase", vault_id);
    sodium_free(ikm);
    return KURA_OK;
}

int kura_device_enroll(kura_vault *v, const char *dir, const char *pass, size_t passlen,
                       unsigned long long opslimit, size_t memlimit)
{
    char path[PATH_MAX];
    unsigned char file[FILE_BYTES];
    unsigned char *k = NULL;
    kura_slot_params p = {.kind = KURA_SLOT_PASSPHRASE, .opslimit = opslimit, .memlimit = memlimit};
    int rc;

    if (!v->keys) return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
    if (opslimit < crypto_pwhash_OPSLIMIT_MODERATE || memlimit < crypto_pwhash_MEMLIMIT_MODERATE)
        return kura_fail(KURA_ERR_INVALID, "Argon2id limits below the floor");
    if ((rc = device_path(path, sizeof path, dir, v)) != KURA_OK ||
        (rc = kura_mkdir_private(dir)) != KURA_OK)
        return kura_fail(rc, "cannot make the device folder %s", dir);
    k = sodium_malloc(2 * KURA_KEYBYTES);
    if (!k) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    randombytes_buf(p.salt, sizeof p.salt);
    rc = derive(k, k + KURA_KEYBYTES, pass, passlen, &p, v->id);
    if (rc == KURA_OK) {
        memcpy(file, MAGIC, 4);
        file[4] = 1;
        memcpy(file + 5, v->id, KURA_VAULT_ID_BYTES);
        kura_slot_seal(file + 5 + KURA_VAULT_ID_BYTES, &p, k, k + KURA_KEYBYTES, v->id, VK(v),
                       NULL);
        crypto_generichash(file + BODY_BYTES, SUM_BYTES, file, BODY_BYTES, NULL, 0);
        rc = kura_write_private_file(path, file, sizeof file);
        if (rc != KURA_OK) kura_fail(rc, "cannot write %s: %s", path, strerror(errno));
    } else {
        kura_fail(rc, "Argon2id could not get %zu MiB of memory", memlimit >> 20);
    }
    sodium_free(k);
    sodium_memzero(file, sizeof file);
    return rc;
}

int kura_device_enrolled(const kura_vault *v, const char *dir)
{
    char path[PATH_MAX];
    return device_path(path, sizeof path, dir, v) == KURA_OK && access(path, F_OK) == 0;
}

/* dir/<vault id>.never: the user answered "never" to enrolling this device. */
static int never_path(char *out, size_t n, const char *dir, const kura_vault *v)
{
    int w = snprintf(out, n, "%s/%s.never", dir, v->id_text);
    return w < 0 || (size_t)w >= n ? KURA_ERR_INVALID : KURA_OK;
}

int kura_device_never(const kura_vault *v, const char *dir)
{
    char path[PATH_MAX];
    return never_path(path, sizeof path, dir, v) == KURA_OK && access(path, F_OK) == 0;
}

int kura_device_never_set(const kura_vault *v, const char *dir)
{
    char path[PATH_MAX];
    int rc = kura_mkdir_private(dir);
    if (rc == KURA_OK) rc = never_path(path, sizeof path, dir, v);
    static const char text[] = "not enrolled on purpose: kura unlock does not offer it here\n";
    if (rc == KURA_OK) rc = kura_write_private_file(path, text, sizeof text - 1);
    return rc;
}

int kura_device_unlock(kura_vault *v, const char *dir, const char *pass, size_t passlen)
{
    char path[PATH_MAX];
    unsigned char *file = NULL, *k = NULL;
    size_t n;
    kura_slot_params p;
    int rc = device_path(path, sizeof path, dir, v);

    if (rc == KURA_OK) rc = kura_read_small(&file, &n, path, 4096);
    if (rc == KURA_ERR_NOT_FOUND)
        return kura_fail(rc, "this device is not enrolled for vault %s", v->id_text);
    if (rc != KURA_OK) return kura_fail(rc, "cannot read %s", path);
    const unsigned char *slot = file + 5 + KURA_VAULT_ID_BYTES;
    unsigned char sum[SUM_BYTES];
    if (n == FILE_BYTES) crypto_generichash(sum, SUM_BYTES, file, BODY_BYTES, NULL, 0);
    if (n != FILE_BYTES || sodium_memcmp(sum, file + BODY_BYTES, SUM_BYTES) != 0 ||
        memcmp(file, MAGIC, 4) != 0 || file[4] != 1 ||
        sodium_memcmp(file + 5, v->id, KURA_VAULT_ID_BYTES) != 0 ||
        kura_slot_parse(&p, slot, KURA_SLOT_BYTES) != KURA_OK || p.kind != KURA_SLOT_PASSPHRASE) {
        rc = kura_fail(KURA_ERR_CORRUPT, "the device file %s is damaged", path);
        goto out;
    }
    /* kura writes MODERATE; a slot asking for less is a downgrade, one asking for much more
     * (say 64 passes over 8 GiB) would make every unlock crawl and then read as a wrong
     * passphrase. Both are refused before any work: SENSITIVE is the ceiling. */
    if (p.opslimit < crypto_pwhash_OPSLIMIT_MODERATE ||
        p.memlimit < crypto_pwhash_MEMLIMIT_MODERATE ||
        p.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        p.memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
        rc = kura_fail(KURA_ERR_CORRUPT,
                       "this device's slot was changed: %s asks for Argon2id limits outside "
                       "what kura writes; enroll this device again with 'kura device enroll'",
                       path);
        goto out;
    }
    k = sodium_malloc(3 * KURA_KEYBYTES);
    if (!k) {
        rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = derive(k, k + KURA_KEYBYTES, pass, passlen, &p, v->id);
    if (rc != KURA_OK) {
        kura_fail(rc, "Argon2id could not get its memory");
        goto out;
    }
    rc = kura_slot_open(k + 2 * KURA_KEYBYTES, slot, KURA_SLOT_BYTES, k, k + KURA_KEYBYTES, v->id);
    if (rc == KURA_ERR_WRONG_KEY)
        kura_fail(rc, "the passphrase does not open vault %s on this device", v->id_text);
    else if (rc != KURA_OK)
        kura_fail(rc, "the device file %s is damaged", path);
    else
        rc = kura_vault_unlock_vk(v, k + 2 * KURA_KEYBYTES);
out:
    sodium_free(k);
    sodium_free(file);
    return rc;
}

int kura_device_forget(const kura_vault *v, const char *dir)
{
    char path[PATH_MAX];
    int rc = device_path(path, sizeof path, dir, v);
    return rc == KURA_OK ? kura_shred(path) : rc;
}
