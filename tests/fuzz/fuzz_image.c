/* Fuzz target: kit images (PNG, JPEG, PDF) through the decoders and the QR reader. */
#include "fuzz_common.h"
#include "kura/recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    kura_client_key key;
    char id[27];
    fuzz_setup();
    if (n > 2000000) return 0;
    (void)kura_kit_read(id, &key, fuzz_file("kit", data, n));
    return 0;
}
