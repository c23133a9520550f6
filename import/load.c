/* The import module's table (import_api.h), from the program itself when it links the
 * module's sources (a fuzz target), else from kura-import.so, loaded on first use (vault/
 * module.c says where it is looked for). */
#include "import_api.h"
#include "base.h"

/* Defined only when the module's sources are linked in. */
extern const kura_import_api kura_import_module_api __attribute__((weak));

static kura_module module = KURA_MODULE("kura-import.so");

const kura_import_api *kura_import_api_get(void)
{
    if (&kura_import_module_api) return &kura_import_module_api;
    return kura_module_table(&module, KURA_IMPORT_API_SYMBOL, KURA_IMPORT_API_VERSION);
}
