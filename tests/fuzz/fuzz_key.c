/* Fuzz target: client key parsing. Any bytes: no crash; a key that parses formats back to
 * text that parses to the same key. */
#include "fuzz_common.h"
#include "kura/recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kura_client_key k, again;
    char text[KURA_KEY_TEXT_LEN + 1];
    size_t bad;
    fuzz_setup();
    if (kura_key_parse(&k, &bad, (const char *)data, n) != KURA_OK) return 0;
    if (!kura_key_check(&k)) abort();
    kura_key_format(text, &k);
    if (kura_key_parse(&again, NULL, text, strlen(text)) != KURA_OK) abort();
    if (sodium_memcmp(k.sym, again.sym, KURA_KEY_SYMBOLS) != 0) abort();
    return 0;
}
