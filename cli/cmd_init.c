/* kura init: creates a vault, shows its client key (the one time it is shown unasked) and
 * saves its emergency kit. The key is shown even when the kit cannot be written. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

typedef struct init_args {
    const char *name;
    kit_opts kit;
} init_args;

static const opt_row init_rows[] = {
    OPT_STRING("name", init_args, name, "NAME", "a name for the vault, shown on its kit"),
    KIT_ROWS_NEW_VAULT(init_args, kit),
    OPT_END(),
};

static int init_exec(ctx *c, void *args, int argc, char **argv)
{
    const init_args *a = args;
    const char *vault_name = a->name;
    (void)argc, (void)argv;
    kura_client_key *key = sodium_malloc(sizeof *key);
    char *text = sodium_malloc(KURA_KEY_TEXT_LEN + 1), dir[PATH_MAX], paths[2][4096];
    int ex = EX_OK, kit_ex = EX_OK;

    if (!key || !text) {
        ex = fail(EX_FAIL, "out of memory");
        goto out;
    }
    if (!a->kit.none && (ex = kit_folder(&a->kit, dir)) != EX_OK) goto out;
    int rc = kura_vault_create(&c->v, key, c->vault_path, vault_name);
    if (rc == KURA_ERR_EXISTS) {
        ex = fail(EX_FAIL,
                  "a vault already exists at %s; use it, or name a new file with "
                  "--vault",
                  c->vault_path);
        goto out;
    }
    if (rc == KURA_ERR_INVALID && !c->v) {
        ex = fail(EX_USAGE, "the vault name must be UTF-8 and at most 256 bytes");
        goto out;
    }
    if (rc != KURA_OK) {
        ex = fail(exit_code(rc), "cannot create a vault at %s: %s", c->vault_path,
                  kura_error_detail()[0] ? kura_error_detail() : kura_strerror(rc));
        goto out;
    }
    warn_network_fs(c);
    kura_key_format(text, key);
    if (!a->kit.none) kit_ex = save_kit(c, &a->kit, key, NULL, paths, NULL);
    int have_kit = !a->kit.none && kit_ex == EX_OK;
    if (c->json) {
        json_t *kit = kit_json(have_kit, paths);
        json_print(json_pack("{s:s, s:s, s:s, s:o}", "vault_id", kura_vault_id(c->v), "client_key",
                             text, "path", c->vault_path, "kit", kit));
        ex = kit_ex;
        goto out;
    }
    printf("Created vault%s%s%s at %s\n"
           "Vault id: %s\n\n"
           "Your client key (shown only now: write it down, keep it somewhere safe):\n\n"
           "    %s\n\n"
           "It opens this vault on any device. Nobody can recover it for you: without it\n"
           "or an unlocked device, the only way back is a reset that deletes everything.\n\n",
           vault_name ? " \"" : "", vault_name ? vault_name : "", vault_name ? "\"" : "",
           c->vault_path, kura_vault_id(c->v), text);
    if (have_kit)
        printf("Saved your emergency kit, the key and its QR code:\n  %s\n  %s\n" KIT_DOORMAT "\n",
               paths[0], paths[1]);
    else if (kit_ex != EX_OK)
        printf("The emergency kit could not be saved (see above): write the key down now,\n"
               "and save the kit later with 'kura kit'.\n\n");
    printf("Next: eval \"$(kura unlock)\"\n");
    ex = kit_ex;
out:
    sodium_free(key);
    sodium_free(text);
    return ex;
}

const cmd cmd_init = {
    .name = "init",
    .summary = "create a new vault, show its client key, save its emergency kit",
    .rows = init_rows,
    .args_size = sizeof(init_args),
    .exec = init_exec,
};
