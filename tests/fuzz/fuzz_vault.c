/* Fuzz target: arbitrary bytes opened as a vault, then unlocked with the seed vault's key
 * and listed. Any bytes: a clean error, never a crash. The file is trusted as it is (what
 * --trust-file does), so mutations that fail the signed state still reach the item parser,
 * and the state check, the re-signing and the device record are fuzzed on the way. */
#include "fuzz_common.h"
#include "kura/kura.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kura_vault *v = NULL;
    kura_client_key key;
    /* The key of the corpus's seed vault (scripts/fuzz.sh passes it), so mutated vaults get
     * past the slot into items. */
    const char *seed_key = getenv("KURA_FUZZ_KEY");
    fuzz_setup();
    const char *path = fuzz_file("v.kura", data, n);
    char journal[400];
    snprintf(journal, sizeof journal, "%s-journal", path);
    unlink(journal);
    int opened = kura_vault_open(&v, path) == KURA_OK;
    if (opened) {
        static char state[300];
        snprintf(state, sizeof state, "%s.state", path);
        if (kura_vault_set_state_dir(v, state) != KURA_OK) opened = 0;
        kura_vault_trust_file(v);
    }
    if (opened && seed_key && kura_key_parse(&key, NULL, seed_key, strlen(seed_key)) == KURA_OK &&
        kura_vault_unlock(v, &key) == KURA_OK) {
        kura_items *list = NULL;
        if (kura_item_list(v, &list, NULL) == KURA_OK) {
            for (size_t i = 0; i < list->count; i++) {
                kura_item *it = NULL;
                if (kura_item_get(v, &it, list->items[i].id) == KURA_OK) kura_item_free(it);
            }
            kura_items_free(list);
        }
    }
    kura_vault_close(v);
    return 0;
}
