/* kura init: creates a vault, shows its client key (the one time it is shown unasked) and
 * saves its emergency kit. The key is shown even when the kit cannot be written. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

enum { O_NAME = 1 };
static const struct option opts[] = {
    {"name", required_argument, NULL, O_NAME},   {"kit-dir", required_argument, NULL, K_DIR},
    {"paper", required_argument, NULL, K_PAPER}, {"lang", required_argument, NULL, K_LANG},
    {"no-kit", no_argument, NULL, K_NO_KIT},     {0},
};
static const char *vault_name;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_NAME) {
        vault_name = arg;
        return EX_OK;
    }
    return kit_opt(id, arg);
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    kura_client_key *key = sodium_malloc(sizeof *key);
    char *text = sodium_malloc(KURA_KEY_TEXT_LEN + 1), dir[PATH_MAX], paths[2][4096];
    int ex = EX_OK, kit_ex = EX_OK;

    if (!key || !text) {
        ex = fail(EX_FAIL, "out of memory");
        goto out;
    }
    if (!kit_options.none && !realpath(kit_options.dir, dir)) {
        ex = fail(EX_NOT_FOUND,
                  "no folder %s for the emergency kit; make it, or name another "
                  "with --kit-dir",
                  kit_options.dir);
        goto out;
    }
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
                  kura_vault_error(c->v)[0] ? kura_vault_error(c->v) : kura_strerror(rc));
        goto out;
    }
    warn_network_fs(c);
    kura_key_format(text, key);
    if (!kit_options.none) kit_ex = save_kit(c, key, paths);
    int have_kit = !kit_options.none && kit_ex == EX_OK;
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
        printf("Saved your emergency kit, the key and its QR code:\n  %s\n  %s\n"
               "Print the PDF and keep it somewhere safe.\n\n",
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
    .usage = "[--name NAME] [--kit-dir DIR] [--paper a4|letter] [--lang en|ja] [--no-kit] "
             "[--json]",
    .help = "  --name NAME        a name for the vault, shown on its kit\n"
            "  --kit-dir DIR      where to save the kit (default: the current folder)\n"
            "  --paper a4|letter  the kit's paper size (default a4)\n"
            "  --lang en|ja       the kit's language (default en)\n"
            "  --no-kit           do not save a kit now ('kura kit' saves one later)\n",
    .max_args = 0,
    .opts = opts,
    .opt = opt,
    .run = run,
};
