/* kura device enroll | passphrase | forget: this device's own way in. A device slot lives
 * outside the vault file, so losing it loses nothing and syncing the vault never carries it. */
#include <string.h>
#include <sodium.h>

#include "cli.h"

enum { O_NEW = 1 };
static const struct option opts[] = {
    {"new-passphrase-file", required_argument, NULL, O_NEW},
    {0},
};
static const char *new_file;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_NEW) new_file = arg;
    return EX_OK;
}

static int enroll(ctx *c, const char *file, const char *verb)
{
    char *pass = NULL;
    int ex = new_passphrase(&pass, file);
    if (ex != EX_OK) return ex;
    int rc = kura_device_enroll(c->v, c->device_dir, pass, strlen(pass),
                                crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE);
    secret_free(pass);
    if (rc != KURA_OK) return fail_vault(c, rc, "enroll this device");
    if (c->json)
        json_print(json_pack("{s:s, s:b}", "vault_id", kura_vault_id(c->v), "enrolled", 1));
    else
        printf("%s this device for vault %s: 'kura unlock' asks for its passphrase now\n", verb,
               kura_vault_id(c->v));
    return EX_OK;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc;
    const char *sub = argv[0];
    int ex;
    if (strcmp(sub, "enroll") == 0) {
        /* --passphrase-file names the new passphrase here: unlock by key or session. */
        if (new_file)
            return fail(EX_USAGE, "enroll takes the new passphrase from --passphrase-file");
        c->use_key = 1;
        const char *pass_file = c->passphrase_file;
        c->passphrase_file = NULL;
        ex = unlock_vault(c);
        return ex == EX_OK ? enroll(c, pass_file, "enrolled") : ex;
    }
    if (strcmp(sub, "passphrase") == 0) {
        if (!kura_device_enrolled(c->v, c->device_dir))
            return fail(EX_NOT_FOUND,
                        "this device is not enrolled for vault %s; use 'kura device "
                        "enroll'",
                        kura_vault_id(c->v));
        ex = unlock_vault(c);
        return ex == EX_OK ? enroll(c, new_file, "changed the passphrase of") : ex;
    }
    if (strcmp(sub, "forget") == 0) {
        int rc = kura_device_forget(c->v, c->device_dir);
        if (rc == KURA_ERR_NOT_FOUND)
            return fail(EX_NOT_FOUND, "this device is not enrolled for vault %s",
                        kura_vault_id(c->v));
        if (rc != KURA_OK)
            return fail(EX_FAIL, "cannot remove this device's slot in %s", c->device_dir);
        if (c->json)
            json_print(json_pack("{s:s, s:b}", "vault_id", kura_vault_id(c->v), "enrolled", 0));
        else
            printf("this device is no longer enrolled for vault %s; the client key still opens "
                   "it\n",
                   kura_vault_id(c->v));
        return EX_OK;
    }
    return fail(EX_USAGE, "unknown device command '%s'; see 'kura help device'", sub);
}

const cmd cmd_device = {
    .name = "device",
    .summary = "enroll this device with a passphrase, change it, or forget it",
    .usage = "enroll [--key-file F | --kit IMAGE] [--passphrase-file NEW] | passphrase "
             "[--passphrase-file OLD] [--new-passphrase-file NEW] | forget",
    .help = "  enroll             let a passphrase of this device's own unlock the vault here\n"
            "                     (Argon2id, libsodium's MODERATE limits); asks for the client\n"
            "                     key unless a session is open\n"
            "  passphrase         change this device's passphrase\n"
            "  --new-passphrase-file FILE   the new passphrase, for scripts\n"
            "  forget             remove this device's slot (the client key still works)\n",
    .flags = CMD_OPEN,
    .min_args = 1,
    .max_args = 1,
    .opts = opts,
    .opt = opt,
    .run = run,
};
