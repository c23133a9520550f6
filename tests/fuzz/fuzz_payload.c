/* Fuzz target: the QR payload parser of kits and share kits, and typed shares. A payload that
 * parses rebuilds to the same text; shares that parse combine or are refused, never crash. */
#include "fuzz_common.h"
#include "kura/recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kura_client_key k;
    char id[27], again[KURA_SHARE_PAYLOAD_MAX];
    fuzz_setup();
    kura_kit_found f, f2;
    if (kura_kit_found_parse(&f, (const char *)data, n) == KURA_OK) {
        if (f.is_share)
            kura_share_payload(again, f.vault_id, &f.share);
        else
            kura_kit_payload(again, f.vault_id, &f.key);
        if (kura_kit_found_parse(&f2, again, strlen(again)) != KURA_OK) abort();
        if (f2.is_share != f.is_share || strcmp(f.vault_id, f2.vault_id) != 0) abort();
        if (f.is_share && memcmp(f.share.sym, f2.share.sym, KURA_SHARE_SYMBOLS) != 0) abort();
        if (!f.is_share && sodium_memcmp(f.key.sym, f2.key.sym, KURA_KEY_SYMBOLS) != 0) abort();
    }
    if (kura_kit_payload_parse(id, &k, (const char *)data, n) == KURA_OK) {
        kura_kit_payload(again, id, &k);
        kura_client_key k2;
        char id2[27];
        if (kura_kit_payload_parse(id2, &k2, again, strlen(again)) != KURA_OK) abort();
        if (strcmp(id, id2) != 0 || sodium_memcmp(k.sym, k2.sym, KURA_KEY_SYMBOLS) != 0) abort();
    }
    /* Lines of typed shares: parsed, and combined when there are some. */
    kura_share shares[4];
    size_t count = 0;
    for (size_t at = 0; at < n && count < 4;) {
        size_t len = 0;
        while (at + len < n && data[at + len] != '\n')
            len++;
        if (kura_share_parse(&shares[count], NULL, (const char *)data + at, len) == KURA_OK)
            count++;
        at += len + 1;
    }
    if (count) {
        kura_client_key got;
        int rc = kura_share_combine(&got, shares, count);
        if (rc == KURA_OK && !kura_key_check(&got)) abort();
    }
    return 0;
}
