/* Fuzz target: the session blob and device slot parsers. The first input byte picks which;
 * the rest is the file's content, read by kura_session_resume or kura_device_unlock
 * against a real vault made once. */
#include <sys/stat.h>

#include "fuzz_common.h"
#include "kura/kura.h"

static kura_vault *vault;
static char handle[KURA_SESSION_TEXT], blob_name[128], run_dir[300], dev_dir[300];

static void make_vault(void)
{
    kura_client_key key;
    char path[320];
    snprintf(path, sizeof path, "%s/blobs.kura", fuzz_dir);
    snprintf(run_dir, sizeof run_dir, "%s/run", fuzz_dir);
    snprintf(dev_dir, sizeof dev_dir, "%s/dev", fuzz_dir);
    if (kura_vault_create(&vault, &key, path, "fuzz") != KURA_OK) abort();
    if (kura_session_start(handle, vault, run_dir, 600) != KURA_OK) abort();
    if (mkdir(dev_dir, 0700) != 0) abort();
    snprintf(blob_name, sizeof blob_name, "run/%s.%.32s", kura_vault_id(vault), handle);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_setup();
    if (!vault) make_vault();
    if (n < 1) return 0;
    char name[200];
    if (data[0] & 1)
        snprintf(name, sizeof name, "%s", blob_name);
    else
        snprintf(name, sizeof name, "dev/%s.device", kura_vault_id(vault));
    fuzz_file(name, data + 1, n - 1);
    if (data[0] & 1)
        (void)kura_session_resume(vault, run_dir, handle, NULL);
    else
        (void)kura_device_unlock(vault, dev_dir, "fuzz passphrase", 15);
    return 0;
}
