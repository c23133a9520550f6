/* kura-audit.so's table (audit_api.h). */
#include "module.h"

const kura_audit_api kura_audit_module_api = {
    .version = KURA_AUDIT_API_VERSION,
    .strength = kura_audit_strength,
    .hibp_open = kura_hibp_open,
    .hibp_kind = kura_hibp_kind,
    .hibp_digest = kura_hibp_digest,
    .hibp_find = kura_hibp_find,
    .hibp_close = kura_hibp_close,
};
