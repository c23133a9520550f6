/* kit_api.h: what the kit module (kura-kit.so, recovery/kit/) gives libkura: one table of
 * typed function pointers, looked up by one name, in the spirit of sqlite3_api_routines.
 * recovery/kit_module.c reaches it; kura/recovery.h says what each function does. */
#ifndef KURA_KIT_API_H
#define KURA_KIT_API_H

#include "kura/recovery.h"

#define KURA_KIT_API_VERSION 4

typedef struct kura_kit_api {
    unsigned version; /* KURA_KIT_API_VERSION: a module of another version is not used */
    int (*write_pdf)(const char *path, int fd, const kura_kit_spec *spec); /* path NULL: fd */
    int (*write_png)(const char *path, const kura_kit_spec *spec);
    int (*read)(kura_kit_found *found, const char *path, kura_kit_seen *seen, unsigned flags);
    int (*qr_text)(char **out, const char *vault_id, const kura_client_key *key, int ascii);
    int (*read_qr)(char **out, const char *path, const char *prefix, kura_kit_seen *seen);
} kura_kit_api;

/* The module's table (recovery/kit/api.c); its only exported symbol. */
extern const kura_kit_api kura_kit_module_api;
#define KURA_KIT_API_SYMBOL "kura_kit_module_api"

#endif
