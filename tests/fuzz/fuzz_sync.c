/* Fuzz target: what another device's file on a remote holds, once it opens. The input is the
 * plaintext of a log (its header: written time, device and vault names; then the records:
 * item id || record), sealed as a real device of the vault would seal it, put on a folder
 * remote, and synced into a fresh copy of a vault that has items and history: the record
 * reader, the merge, the history and the item parser all see it. Any plaintext: a clean
 * error or a merge, never a crash, and the vault still checks out. */
#include "fuzz_synced.h"
#include "sync.h"

static char pristine[320], path[320], remote_dir[320], devdir[400], state[320];
static kura_client_key key;
static const unsigned char other[KURA_DEVICE_ID_BYTES] = {7, 7, 7, 7, 7, 7, 7, 7,
                                                          7, 7, 7, 7, 7, 7, 7, 7};

static void copy(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    if (!a || !b) abort();
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        if (fwrite(buf, 1, n, b) != n) abort();
    fclose(a);
    fclose(b);
}

/* Once: a vault with two items, one edited, one deleted, synced to a folder remote. */
static void setup(void)
{
    fuzz_setup();
    snprintf(pristine, sizeof pristine, "%s/pristine.kura", fuzz_dir);
    snprintf(path, sizeof path, "%s/v.kura", fuzz_dir);
    snprintf(remote_dir, sizeof remote_dir, "%s/remote", fuzz_dir);
    snprintf(state, sizeof state, "%s/state", fuzz_dir);
    kura_vault *v = NULL;
    fuzz_synced_vault(&v, &key, pristine, NULL, remote_dir);
    kura_vault_close(v);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, other, sizeof other);
    char id[KURA_VAULT_ID_TEXT + 1];
    if (kura_vault_open(&v, pristine) != KURA_OK) abort();
    snprintf(id, sizeof id, "%s", kura_vault_id(v));
    kura_vault_close(v);
    snprintf(devdir, sizeof devdir, "%s/kura-%s/%s", remote_dir, id, hex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (!pristine[0]) setup();
    copy(pristine, path);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/kura-* '%s' && mkdir -p '%s'", remote_dir, state,
             devdir);
    if (system(cmd) != 0) abort();
    kura_vault *v = NULL;
    /* A state folder of its own each time: the outbox, and no record of the copy before. */
    if (kura_vault_open(&v, path) != KURA_OK || kura_vault_set_state_dir(v, state) != KURA_OK ||
        kura_vault_unlock(v, &key) != KURA_OK)
        abort();
    /* The input as another device's first log, sealed under this vault's key. */
    kura_blob file = {0};
    unsigned char hash[32], zero[32] = {0};
    if (n > 8 + 1 + 2) { /* the plaintext's own header, then the records as given */
        size_t dn = data[8] % 65, vn = 0;
        char dname[65] = "", vname[257] = "";
        size_t off = 9 + dn <= n ? 9 + dn : n;
        memcpy(dname, data + 9, off - 9);
        if (off + 2 <= n) vn = (data[off] | (size_t)data[off + 1] << 8) % 257;
        off = off + 2 + vn <= n ? off + 2 + vn : n;
        if (kura_sync_seal(&file, hash, v, NULL, 'l', 1, zero, other, dname, vname, data + off,
                           n - off) != KURA_OK)
            abort();
        char f[500];
        snprintf(f, sizeof f, "%s/0000000000000001.log", devdir);
        FILE *out = fopen(f, "wb");
        if (!out || fwrite(file.p, 1, file.n, out) != file.n) abort();
        fclose(out);
        free(file.p);
    }
    kura_sync_report rep;
    kura_sync_opts o = {.cache_dir = fuzz_dir};
    if (kura_sync(v, &o, &rep) == KURA_OK) {
        size_t items;
        if (kura_vault_verify(v, &items) != KURA_OK) abort(); /* a merge leaves a whole vault */
    }
    kura_sync_report_free(&rep);
    kura_vault_close(v);
    return 0;
}
