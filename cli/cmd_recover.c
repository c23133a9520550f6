/* kura recover: what a support page would walk someone through, in order. Is this device
 * enrolled (its passphrase, then the key and a fresh kit)? Is a kit in the usual places
 * (each one checked against the vault)? Can they type the key? Only then: reset. A damaged
 * vault is never sent to reset: backups and salvage. With no terminal, or --json, it reports
 * what it found: exit 0 when a way in exists, 5 when none, 6 when the vault is damaged. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

static void explain_reset(ctx *c, int vault_ok)
{
    char word[16];
    snprintf(word, sizeof word, "%.8s", vault_ok ? kura_vault_id(c->v) : "DELETE");
    printf("\nNo way into %s was found here. Look once more for your kit (a printout, a\n"
           "PNG or PDF named 'Kura client key ...') and for another device where the vault\n"
           "is unlocked: 'kura key show' there shows the key.\n\n"
           "If both are gone, the last resort is a reset, run with support: it destroys\n"
           "everything in the vault (nobody can recover it, not even support) and makes a\n"
           "new empty vault with a new key and kit. Tell support the vault's short id, %s;\n"
           "the reset is 'kura reset', confirmed with that id. A vault that syncs is reset on\n"
           "its remote too ('kura reset --remote URL' does that with only the remote).\n",
           vault_ok ? "this vault" : "this file", word);
}

/* Damage is not a lost key: a reset would destroy what can still be read. */
static void explain_damage(ctx *c, const char *why)
{
    printf("\n%s is damaged (%s).\n"
           "This is not a lost key, and a reset is not the answer: it would destroy what can\n"
           "still be read. Put back a copy from a backup or from another device, or save every\n"
           "item that still reads into a new vault with 'kura salvage' (your key, a kit or this\n"
           "device's passphrase opens it).\n",
           c->vault_path, why);
}

static int show_key_and_kit(ctx *c, const kit_opts *k)
{
    char paths[2][4096], text[KURA_KEY_TEXT_LEN + 1];
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key || kura_vault_client_key(c->v, key) != KURA_OK) {
        sodium_free(key);
        return fail(EX_FAIL, "cannot read the client key");
    }
    kura_key_format(text, key);
    printf("\nYour client key for vault %s:\n\n    %s\n\n", kura_vault_id(c->v), text);
    sodium_memzero(text, sizeof text);
    int ex = save_kit(c, k, key, paths);
    sodium_free(key);
    if (ex == EX_OK)
        printf("Saved a fresh emergency kit:\n  %s\n  %s\nPrint the PDF and keep it somewhere "
               "safe.\n",
               paths[0], paths[1]);
    return ex;
}

/* 1 if a kit of this vault found the vault, not the kit, damaged. */
static int kit_found_damage(const ways *f)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->status[i] == KIT_DAMAGED) return 1;
    return 0;
}

static void report(ctx *c, const char *id, int enrolled, const ways *f, const char *damage)
{
    const char *next = enrolled          ? "passphrase"
                       : f->opening >= 0 ? "kit"
                       : damage          ? "salvage"
                                         : "reset";
    if (c->json) {
        json_t *kits = json_array();
        for (size_t i = 0; kits && i < f->n; i++)
            json_array_append_new(kits, json_pack("{s:s, s:s, s:s?}", "path", f->paths[i], "status",
                                                  kit_status_words[f->status[i]], "vault_id",
                                                  f->ids[i][0] ? f->ids[i] : NULL));
        json_print(json_pack("{s:s, s:s?, s:b, s:o, s:I, s:b, s:b, s:s?, s:s}", "vault",
                             c->vault_path, "vault_id", id, "device_enrolled", enrolled, "kits",
                             kits, "images_looked_at", (json_int_t)f->looked, "can_unlock",
                             enrolled || f->opening >= 0, "damaged", damage != NULL, "damage",
                             damage, "next", next));
        return;
    }
    static const char *const words[] = {"opens this vault",
                                        "an old kit: its key was rotated",
                                        "the kit of another vault",
                                        "no kura QR code in it (or not an image kura reads)",
                                        "this vault's kit, but the vault is damaged",
                                        "a kura kit, not checked: the vault does not open"};
    printf("vault:   %s (%s)\n", c->vault_path, id ? id : "damaged: its id cannot be read");
    printf("device:  %s\n",
           enrolled ? "enrolled: its passphrase unlocks the vault here" : "not enrolled");
    printf("kits:    %zu found in Downloads, Desktop, Documents, Pictures (two folders deep) "
           "and here",
           f->n);
    if (f->looked)
        printf("; %zu other image%s and PDFs hold no kura QR code", f->looked,
               f->looked == 1 ? "" : "s");
    printf("\n");
    for (size_t i = 0; i < f->n; i++)
        printf("  %s: %s\n", f->paths[i], words[f->status[i]]);
    if (enrolled)
        printf("next:    unlock with this device's passphrase: kura unlock\n");
    else if (f->opening >= 0)
        printf("next:    unlock with the kit: eval \"$(kura unlock --kit '%s')\"\n",
               f->paths[f->opening]);
    else if (damage)
        explain_damage(c, damage);
    else
        explain_reset(c, id != NULL);
}

typedef struct recover_args {
    kit_opts kit;
} recover_args;

static int recover_exec(ctx *c, void *args, int argc, char **argv)
{
    const recover_args *a = args;
    (void)argc, (void)argv;
    struct stat sb;
    ways f = {.opening = -1};
    if (stat(c->vault_path, &sb) != 0)
        return fail(EX_NOT_FOUND,
                    "no vault at %s: nothing to recover here; name yours with --vault, or, on a "
                    "new device whose vault syncs, get it with 'kura clone URL' (its remote)",
                    c->vault_path);
    char what[64], damage_text[300] = "";
    const char *damage = NULL;
    int target = kura_reset_target(c->vault_path, what, sizeof what);
    if (target != KURA_TARGET_VAULT && target != KURA_TARGET_DAMAGED)
        return fail(EX_NOT_FOUND,
                    "%s is %s, not a kura vault: nothing to recover; name yours "
                    "with --vault",
                    c->vault_path, what);
    int orc = kura_vault_open(&c->v, c->vault_path);
    int vault_ok = orc == KURA_OK;
    if (!vault_ok) { /* kura's file, but it does not open: damage, never a lost key */
        snprintf(damage_text, sizeof damage_text, "%s",
                 orc == KURA_ERR_TOO_NEW ? "it needs a newer kura" : kura_error_detail());
        damage = damage_text;
    }
    const char *id = vault_ok ? kura_vault_id(c->v) : NULL;
    int enrolled = vault_ok && kura_device_enrolled(c->v, c->device_dir);
    int fd = tty_open(), ex;
    int interactive = fd >= 0 && !c->json;
    if (fd >= 0) close(fd);

    if (!interactive || damage) {
        ex = ways_find_kits(c, &f, vault_ok);
        if (ex != EX_OK) goto out;
        if (!damage && kit_found_damage(&f)) damage = "its client-key slot does not open";
        report(c, id, enrolled, &f, damage);
        ex = enrolled || f.opening >= 0 ? EX_OK : damage ? EX_DAMAGED : EX_NOT_FOUND;
        goto out;
    }
    /* 1. This device. */
    if (enrolled) {
        printf("This device is enrolled for vault %s: its passphrase shows your key again.\n", id);
        fflush(stdout);
        if (unlock_with_key(c) == EX_OK) {
            ex = show_key_and_kit(c, &a->kit);
            goto out;
        }
        printf("That did not work. Let's look for your kit.\n");
    }
    /* 2. A kit in the usual places. */
    ex = ways_find_kits(c, &f, vault_ok);
    if (ex != EX_OK) goto out;
    printf("Kits in Downloads, Desktop, Documents, Pictures and here: %zu found.\n", f.n);
    for (size_t i = 0; i < f.n; i++)
        printf("  %s: %s\n", f.paths[i], kit_status_words[f.status[i]]);
    if (f.opening >= 0) {
        printf("\n%s opens vault %s. Keep it safe; eval \"$(kura unlock --kit '%s')\" unlocks "
               "with it.\n",
               f.paths[f.opening], id, f.paths[f.opening]);
        ex = EX_OK;
        goto out;
    }
    if (kit_found_damage(&f)) {
        explain_damage(c, "its client-key slot does not open");
        ex = EX_DAMAGED;
        goto out;
    }
    /* 3. The key, typed. */
    if (vault_ok &&
        tty_confirm("\nDo you have your client key written down, to type it now?") == 1) {
        c->use_key = 1;
        if (unlock_with_key(c) == EX_OK) {
            ex = show_key_and_kit(c, &a->kit);
            goto out;
        }
    }
    /* 4. Only then: reset. */
    explain_reset(c, vault_ok);
    ex = EX_NOT_FOUND;
out:
    ways_free(&f);
    return ex;
}

static const opt_row recover_rows[] = {
    KIT_ROW_DIR("kit-dir", recover_args, kit,
                "where to save a fresh kit once unlocked (default: here)"),
    KIT_ROW_PAPER(recover_args, kit),
    KIT_ROW_LANG(recover_args, kit),
    OPT_END(),
};

const cmd cmd_recover = {
    .name = "recover",
    .summary = "lost your key? find a way back in (device, kit, typed key), or learn about reset",
    .more = "With no terminal or with --json it reports what it found: exit 0 when a way in "
            "exists (an enrolled device, a kit that opens the vault), 5 when none does, 6 when "
            "the vault is damaged (then: a backup, or kura salvage; never reset).",
    .rows = recover_rows,
    .args_size = sizeof(recover_args),
    .exec = recover_exec,
};
