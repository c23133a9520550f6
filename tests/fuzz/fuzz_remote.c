/* Fuzz target: the files on a remote as they are, before anything opens them. A vault with
 * items and history is synced once to a folder remote; each input then damages one file of
 * it, and a new device clones from the remote and syncs (what `kura clone` does), after
 * `kura reset --remote` would have peeked at it. The input's first byte picks the file (the
 * device's log, its key slot, a reset record, an attachment's file), the second how: replaced by
 * the rest of the input, the rest written over it at an offset (bytes 3-4), or cut at that offset
 * and the rest appended. Any bytes: a clean error or a whole vault, never a crash. */
#include "fuzz_synced.h"

static char pristine[320], remote_dir[320], saved_dir[320], log_path[600], slot_path[600],
    reset_path[400], clone_path[320], state[320], cache[320], att_path[600];
static kura_client_key key;
static unsigned char *log_file, *slot_file, reset_file[256], *att_file;
static size_t log_len, slot_len, reset_len, att_len;

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) abort();
    unsigned char *p = malloc(1 << 20);
    if (!p) abort();
    *n = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

static void run(const char *cmd)
{
    if (system(cmd) != 0) abort();
}

/* Once: a vault with an edited and a deleted item, synced to a folder remote, kept aside. */
static void setup(void)
{
    fuzz_setup();
    /* Every record a device keeps of its vaults and remotes goes in the scratch folder. */
    setenv("HOME", fuzz_dir, 1);
    unsetenv("XDG_STATE_HOME");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_DATA_HOME");
    snprintf(pristine, sizeof pristine, "%s/pristine.kura", fuzz_dir);
    snprintf(remote_dir, sizeof remote_dir, "%s/remote", fuzz_dir);
    snprintf(saved_dir, sizeof saved_dir, "%s/remote.saved", fuzz_dir);
    snprintf(clone_path, sizeof clone_path, "%s/clone.kura", fuzz_dir);
    snprintf(state, sizeof state, "%s/state", fuzz_dir);
    snprintf(cache, sizeof cache, "%s/cache", fuzz_dir);
    kura_vault *v = NULL;
    fuzz_synced_vault(&v, &key, pristine, state, remote_dir);
    kura_sync_report rep;
    kura_sync_opts o = {.cache_dir = cache};
    if (kura_sync(v, &o, &rep) != KURA_OK) abort();
    kura_sync_report_free(&rep);
    /* The device's folder: the one folder under kura-<vault id>. */
    char cmd[1400], dev[400];
    snprintf(cmd, sizeof cmd, "ls -d '%s'/kura-*/* > '%s/dev'", remote_dir, fuzz_dir);
    run(cmd);
    snprintf(cmd, sizeof cmd, "%s/dev", fuzz_dir);
    FILE *f = fopen(cmd, "r");
    if (!f || !fgets(dev, sizeof dev, f)) abort();
    fclose(f);
    dev[strcspn(dev, "\n")] = '\0';
    snprintf(log_path, sizeof log_path, "%s/0000000000000001.log", dev);
    snprintf(slot_path, sizeof slot_path, "%s/slot", dev);
    snprintf(reset_path, sizeof reset_path, "%s/RESET-%s", remote_dir, kura_vault_id(v));
    snprintf(cmd, sizeof cmd, "ls '%s'/*.att > '%s/att'", dev, fuzz_dir);
    run(cmd);
    snprintf(cmd, sizeof cmd, "%s/att", fuzz_dir);
    f = fopen(cmd, "r");
    if (!f || !fgets(att_path, sizeof att_path, f)) abort();
    fclose(f);
    att_path[strcspn(att_path, "\n")] = '\0';
    att_file = slurp(att_path, &att_len);
    log_file = slurp(log_path, &log_len);
    slot_file = slurp(slot_path, &slot_len);
    reset_len = (size_t)snprintf((char *)reset_file, sizeof reset_file,
                                 "kura reset record\nold vault: %s\nnew vault: %s\n"
                                 "when: 2026-12-01T10:00:00Z\n",
                                 kura_vault_id(v), kura_vault_id(v));
    kura_vault_close(v);
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", remote_dir, saved_dir);
    run(cmd);
}

/* The file, damaged as the input says, written where the remote has it. */
static void damage(const char *path, const unsigned char *orig, size_t len, const uint8_t *d,
                   size_t n)
{
    unsigned char *out = malloc(len + n + 1);
    if (!out) abort();
    size_t at = n >= 4 ? (d[2] | (size_t)d[3] << 8) % (len + 1) : 0;
    const uint8_t *rest = n > 4 ? d + 4 : d;
    size_t k = n > 4 ? n - 4 : 0, m;
    switch (n > 1 ? d[1] % 3 : 0) {
    case 0: /* replaced */
        memcpy(out, rest, k);
        m = k;
        break;
    case 1: /* written over */
        memcpy(out, orig, len);
        memcpy(out + at, rest, k < len - at ? k : len - at);
        m = len;
        break;
    default: /* cut, then appended to */
        memcpy(out, orig, at);
        memcpy(out + at, rest, k);
        m = at + k;
        break;
    }
    FILE *f = fopen(path, "wb");
    if (!f || (m && fwrite(out, 1, m, f) != m)) abort();
    fclose(f);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (!pristine[0]) setup();
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s' '%s/.local' && cp -a '%s' '%s'", remote_dir,
             state, clone_path, fuzz_dir, saved_dir, remote_dir);
    run(cmd);
    switch (n ? data[0] % 4 : 0) {
    case 0:
        damage(log_path, log_file, log_len, data, n);
        break;
    case 1:
        damage(slot_path, slot_file, slot_len, data, n);
        break;
    case 3:
        damage(att_path, att_file, att_len, data, n);
        break;
    default:
        damage(reset_path, reset_file, reset_len, data, n);
        break;
    }
    char id[KURA_VAULT_ID_TEXT + 1];
    size_t files = 0;
    (void)kura_remote_peek(remote_dir, cache, id, &files);
    kura_clone *c = NULL;
    if (kura_clone_fetch(&c, remote_dir, cache) == KURA_OK) {
        kura_vault *v = NULL;
        if (kura_clone_make(c, &key, clone_path, &v) == KURA_OK) {
            if (kura_vault_set_state_dir(v, state) != KURA_OK) abort();
            kura_sync_report rep;
            kura_sync_opts o = {.cache_dir = cache};
            if (kura_sync(v, &o, &rep) == KURA_OK) {
                size_t items, nfiles;
                uint64_t bytes;
                if (kura_vault_verify(v, &items) != KURA_OK) abort();
                /* A file that came is whole; one refused or not there yet is not here. */
                int frc = kura_vault_verify_files(v, &nfiles, &bytes);
                if (frc != KURA_OK && frc != KURA_ERR_NOT_FOUND) abort();
            }
            kura_sync_report_free(&rep);
            kura_vault_close(v);
        }
        kura_clone_free(c);
    }
    return 0;
}
