/* Fuzz target: the kit's QR payload parser. A payload that parses rebuilds to the same text. */
#include "fuzz_common.h"
#include "kura/recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kura_client_key k;
    char id[27], again[KURA_KIT_PAYLOAD_MAX];
    fuzz_setup();
    if (kura_kit_payload_parse(id, &k, (const char *)data, n) != KURA_OK) return 0;
    kura_kit_payload(again, id, &k);
    kura_client_key k2;
    char id2[27];
    if (kura_kit_payload_parse(id2, &k2, again, strlen(again)) != KURA_OK) abort();
    if (strcmp(id, id2) != 0 || sodium_memcmp(k.sym, k2.sym, KURA_KEY_SYMBOLS) != 0) abort();
    return 0;
}
