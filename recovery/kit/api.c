/* The kit module's table of functions (kit_api.h): what kura-kit.so exports. */
#include "kit_int.h"

const kura_kit_api kura_kit_module_api = {
    .version = KURA_KIT_API_VERSION,
    .write_pdf = kit_write_pdf,
    .write_png = kit_write_png,
    .read = kit_read,
    .qr_text = kit_qr_text,
    .read_qr = kit_read_qr,
};
