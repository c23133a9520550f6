/* open.h: what vault.c (open, create, unlock) gives the files above it: session.c, device.c
 * and salvage.c. Not installed. */
#ifndef KURA_VAULT_OPEN_H
#define KURA_VAULT_OPEN_H

#include "handle.h"

/* Makes a vault file at path (it must not exist) holding this id, vault key and client key,
 * its first state at generation gen, named name; *out unlocked (vault.c). adopt: this
 * device's record of the vault moves to the new file (salvage: the same vault made anew).
 * On failure nothing is left at path. */
KURA_MUST_CHECK int kura_vault_make(kura_vault **out, const char *path,
                                    const unsigned char id[KURA_VAULT_ID_BYTES],
                                    const unsigned char vk[KURA_KEYBYTES],
                                    const kura_client_key *key, const char *name, uint64_t gen,
                                    int adopt);
/* Re-keys v to a vault key and client key another device rotated to (kura_vault_rotate's
 * transaction, with these keys). */
KURA_MUST_CHECK int kura_vault_rekey_to(kura_vault *v, const unsigned char vk[KURA_KEYBYTES],
                                        const kura_client_key *key);
/* A vault id as text: KURA_VAULT_ID_TEXT Crockford symbols and a NUL. */
void kura_id_text(char *out, const unsigned char id[KURA_VAULT_ID_BYTES]);
/* Unlocks v with a raw vault key (from a slot or a session). */
KURA_MUST_CHECK int kura_vault_unlock_vk(kura_vault *v, const unsigned char vk[KURA_KEYBYTES]);

#endif
