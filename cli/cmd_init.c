/* kura init: creates a vault and shows its client key, the one time it is shown unasked. */
#include <string.h>
#include <sodium.h>

#include "cli.h"

enum { O_NAME = 1 };
static const struct option opts[] = {{"name", required_argument, NULL, O_NAME}, {0}};
static const char *vault_name;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_NAME) vault_name = arg;
    return EX_OK;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    kura_client_key *key = sodium_malloc(sizeof *key);
    char *text = sodium_malloc(KURA_KEY_TEXT_LEN + 1);
    int ex = EX_OK;

    if (!key || !text) {
        ex = fail(EX_FAIL, "out of memory");
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
    kura_key_format(text, key);
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:s, s:[]}", "vault_id", kura_vault_id(c->v), "client_key",
                             text, "path", c->vault_path, "kit"));
        goto out;
    }
    printf("Created vault%s%s%s at %s\n"
           "Vault id: %s\n\n"
           "Your client key (shown only now: write it down, keep it somewhere safe):\n\n"
           "    %s\n\n"
           "It opens this vault on any device. Nobody can recover it for you: without it\n"
           "or an unlocked device, the only way back is a reset that deletes everything.\n\n"
           "Next: eval \"$(kura unlock)\"\n",
           vault_name ? " \"" : "", vault_name ? vault_name : "", vault_name ? "\"" : "",
           c->vault_path, kura_vault_id(c->v), text);
out:
    sodium_free(key);
    sodium_free(text);
    return ex;
}

const cmd cmd_init = {
    .name = "init",
    .summary = "create a new vault and show its client key",
    .usage = "[--name NAME] [--json]",
    .help = "  --name NAME        a name for the vault, shown on its kit\n",
    .max_args = 0,
    .opts = opts,
    .opt = opt,
    .run = run,
};
