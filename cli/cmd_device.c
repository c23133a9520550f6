/* kura device enroll | passphrase | forget: this device's own way in. A device slot lives
 * outside the vault file, so losing it loses nothing and syncing the vault never carries it. */
#include <string.h>
#include <sodium.h>

#include "cli.h"

enum { DEVICE_ENROLL = 1, DEVICE_PASSPHRASE, DEVICE_FORGET };
typedef struct device_args {
    int sub;
    const char *new_file;
} device_args;

static const opt_row device_rows[] = {
    OPT_SUBCOMMAND("enroll", device_args, sub, DEVICE_ENROLL, NULL, 0, 0,
                   "let a passphrase of this device's own unlock the vault here (Argon2id, "
                   "libsodium's MODERATE limits); asks for the client key unless a session is "
                   "open; --passphrase-file gives the new passphrase"),
    OPT_SUBCOMMAND("passphrase", device_args, sub, DEVICE_PASSPHRASE, NULL, 0, 0,
                   "change this device's passphrase (--passphrase-file: the old one)"),
    OPT_STRING("new-passphrase-file", device_args, new_file, "FILE",
               "the new passphrase, for scripts"),
    OPT_SUBCOMMAND("forget", device_args, sub, DEVICE_FORGET, NULL, 0, 0,
                   "remove this device's slot (the client key still works)"),
    OPT_END(),
};

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

static int forget(ctx *c)
{
    int rc = kura_device_forget(c->v, c->device_dir);
    if (rc == KURA_ERR_NOT_FOUND)
        return fail(EX_NOT_FOUND, "this device is not enrolled for vault %s", kura_vault_id(c->v));
    if (rc != KURA_OK)
        return fail(EX_FAIL, "cannot remove this device's slot in %s", c->device_dir);
    if (c->json)
        json_print(json_pack("{s:s, s:b}", "vault_id", kura_vault_id(c->v), "enrolled", 0));
    else
        printf("this device is no longer enrolled for vault %s; the client key still opens it\n",
               kura_vault_id(c->v));
    return EX_OK;
}

static int device_exec(ctx *c, void *args, int argc, char **argv)
{
    const device_args *a = args;
    const char *new_file = a->new_file;
    (void)argc, (void)argv;
    int ex;
    if (a->sub == DEVICE_ENROLL) {
        /* --passphrase-file names the new passphrase here: unlock by key or session. */
        if (new_file)
            return fail(EX_USAGE, "enroll takes the new passphrase from --passphrase-file");
        c->use_key = 1;
        const char *pass_file = c->passphrase_file;
        c->passphrase_file = NULL;
        ex = unlock_vault(c);
        return ex == EX_OK ? enroll(c, pass_file, "enrolled") : ex;
    }
    if (a->sub == DEVICE_PASSPHRASE) {
        if (!kura_device_enrolled(c->v, c->device_dir))
            return fail(EX_NOT_FOUND,
                        "this device is not enrolled for vault %s; use 'kura device "
                        "enroll'",
                        kura_vault_id(c->v));
        ex = unlock_vault(c);
        return ex == EX_OK ? enroll(c, new_file, "changed the passphrase of") : ex;
    }
    return forget(c);
}

const cmd cmd_device = {
    .name = "device",
    .summary = "enroll this device with a passphrase, change it, or forget it",
    .flags = CMD_OPEN,
    .rows = device_rows,
    .args_size = sizeof(device_args),
    .exec = device_exec,
};
