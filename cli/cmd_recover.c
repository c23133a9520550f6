/* kura recover: what a support page would walk someone through, in order. Is this device
 * enrolled (its passphrase, then the key and a fresh kit)? Is a kit in the usual places
 * (each one checked against the vault)? Can they point to a photo of it, or type the key?
 * Only then: reset. A damaged vault is never sent to reset: backups and salvage. With no
 * terminal, or --json, it reports what it found: exit 0 when a way in exists, 5 when none, 6
 * when the vault is damaged. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

static void explain_reset(ctx *c, int vault_ok)
{
    char id[16], *urls = NULL;
    snprintf(id, sizeof id, "%.8s", vault_ok ? kura_vault_id(c->v) : "DELETE");
    printf("\nNo way into %s was found here. Look once more for your kit (a printout, a\n"
           "PNG or PDF named 'Kura client key ...', a photo of it) and for another device\n"
           "where the vault is unlocked: 'kura key show' there shows the key.\n\n"
           "If both are gone, the last resort is a reset: it destroys everything in the vault\n"
           "(nobody can recover it, not even support) and makes a new empty vault with a new\n"
           "key and kit. Run it here with 'kura reset',\nconfirmed with %s %s.\n",
           vault_ok ? "this vault" : "this file", vault_ok ? "the vault's short id," : "the word",
           id);
    if (vault_ok && kura_remotes_noted(&urls, c->state_dir, kura_vault_id(c->v)) == KURA_OK &&
        urls) {
        urls[strcspn(urls, "\n")] = '\0';
        char word[3 * PATH_MAX];
        printf("\nThe vault syncs through %s, and the reset empties it there too.\n"
               "Whoever holds that remote (you, or your team's support) can also reset it\n"
               "there alone, with no key:\n\n    kura reset --remote %s\n",
               urls, shell_word(word, sizeof word, urls));
    }
    free(urls);
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
    int ex = save_kit(c, k, key, NULL, paths, NULL);
    sodium_free(key);
    if (ex == EX_OK)
        printf("Saved a fresh emergency kit:\n  %s\n  %s\n" KIT_DOORMAT, paths[0], paths[1]);
    return ex;
}

/* 1 if a kit of this vault found the vault, not the kit, damaged. */
static int kit_found_damage(const ways *f)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->status[i] == KIT_DAMAGED) return 1;
    return 0;
}

/* Shares of a split kit found, but too few (or of an old key): what is missing. */
static void shares_missing(const ways *f)
{
    unsigned more = f->share_need - f->share_have;
    if (f->share_have >= f->share_need)
        printf("shares:  %u of a split kit of an old key; split the new key with 'kura kit "
               "split'\n",
               f->share_have);
    else
        printf("shares:  %u of %u shares found: %u more %s needed (ask the people who hold the "
               "others)\n",
               f->share_have, f->share_need, more, more == 1 ? "is" : "are");
}

static void report(ctx *c, const char *id, int enrolled, const ways *f, const char *damage)
{
    char line[KURA_SHARES_MAX * PATH_MAX];
    const char *open[KURA_SHARES_MAX];
    size_t n_open = ways_open_paths(f, open);
    const char *next = enrolled          ? "passphrase"
                       : f->opening >= 0 ? "kit"
                       : n_open          ? "shares"
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
                             enrolled || n_open, "damaged", damage != NULL, "damage", damage,
                             "next", next));
        return;
    }
    static const char *const words[] = {"opens this vault",
                                        "an old kit: its key was rotated",
                                        "the kit of another vault",
                                        "no kura QR code in it (or not an image kura reads)",
                                        "this vault's kit, but the vault is damaged",
                                        "a kura kit, not checked: the vault does not open",
                                        "a share of a split kit: with the others below, it opens "
                                        "this vault",
                                        "a share of this vault's split kit",
                                        "a share of a split kit of an old key: its key was "
                                        "rotated"};
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
    if (f->share_need && !f->share_opens) shares_missing(f);
    if (enrolled)
        printf("next:    unlock with this device's passphrase: kura unlock\n");
    else if (n_open)
        printf("next:    unlock with the %s: %s\n", n_open > 1 ? "shares" : "kit",
               kit_unlock_command(line, sizeof line, c, open, n_open));
    else if (damage)
        explain_damage(c, damage);
    else
        explain_reset(c, id != NULL);
}

static void opens(ctx *c, const char *path)
{
    char line[3 * PATH_MAX];
    printf("\n%s opens vault %s.\nKeep it safe. To unlock with it, type:\n\n    %s\n", path,
           kura_vault_id(c->v), kit_unlock_command(line, sizeof line, c, &path, 1));
}

/* s read as a shell reads one word: 'quoted', "quoted" (\\ \" \$ \` escaped), \x. */
static void shell_unquote(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    char quote = 0;
    for (; *s && n + 1 < cap; s++) {
        if (quote == '\'' ? *s == '\'' : quote == '"' ? *s == '"' : *s == '\'' || *s == '"') {
            quote = quote ? 0 : *s;
        } else if (*s == '\\' && quote != '\'' && s[1] && (!quote || strchr("\\\"$`", s[1]))) {
            out[n++] = *++s;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

/* A path as a person gives it: typed as it is, or pasted as a file manager or a shell quotes
 * it ('it'\''s.jpg', a\ b.jpg), with spaces around it and ~ for home. The first reading that
 * names a file, else the text as typed. */
static void typed_path(char *out, size_t cap, const char *given)
{
    char text[PATH_MAX], unquoted[PATH_MAX];
    const char *home = getenv("HOME");
    const char *p = given + strspn(given, " \t");
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    snprintf(text, sizeof text, "%.*s", (int)len, p);
    shell_unquote(unquoted, sizeof unquoted, text);
    const char *const readings[] = {text, unquoted};
    for (int i = 1; i >= 0; i--) {
        const char *r = readings[i];
        if (r[0] == '~' && r[1] == '/' && home)
            snprintf(out, cap, "%s%s", home, r + 1);
        else
            snprintf(out, cap, "%s", r);
        if (access(out, F_OK) == 0) return;
    }
}

/* Asks for the path of a kit the search did not find (on a phone, a USB stick, a folder of its
 * own) until one opens the vault or the user presses Enter. 1 if one opened. */
static int kit_given(ctx *c)
{
    for (int tries = 0; tries < 10; tries++) {
        char *given = tty_ask("\nIf you have a photo, screenshot or PDF of your kit somewhere "
                              "else, give its path\n(or press Enter to go on): ");
        if (!given || !given[strspn(given, " \t")]) {
            secret_free(given);
            return 0;
        }
        char path[PATH_MAX];
        typed_path(path, sizeof path, given);
        secret_free(given);
        char *full = realpath(path, NULL);
        kura_client_key *key = sodium_malloc(sizeof *key);
        char id[KURA_VAULT_ID_TEXT + 1];
        int ex = key ? read_kit(key, id, full ? full : path) : fail(EX_FAIL, "out of memory");
        if (ex == EX_OK && strcmp(id, kura_vault_id(c->v)) != 0)
            ex = fail(EX_WRONG_KEY, "%s is the kit of another vault, %s, not of %s", path, id,
                      kura_vault_id(c->v));
        if (ex == EX_OK) {
            int rc = kura_vault_unlock(c->v, key);
            if (rc == KURA_ERR_WRONG_KEY)
                ex = fail(EX_WRONG_KEY,
                          "%s is an old kit of this vault: its key was rotated since, and it no "
                          "longer opens it",
                          path);
            else if (rc != KURA_OK)
                ex = fail_vault(c, rc, "unlock with the kit");
        }
        sodium_free(key);
        if (ex == EX_OK) opens(c, full ? full : path);
        free(full);
        if (ex == EX_OK) return 1;
    }
    return 0;
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
        ex = enrolled || f.opening >= 0 || f.share_opens ? EX_OK
             : damage                                    ? EX_DAMAGED
                                                         : EX_NOT_FOUND;
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
        opens(c, f.paths[f.opening]);
        ex = EX_OK;
        goto out;
    }
    if (f.share_opens) {
        char line[KURA_SHARES_MAX * PATH_MAX];
        const char *open[KURA_SHARES_MAX];
        size_t n = ways_open_paths(&f, open);
        printf("\nThese %zu shares of a split kit open vault %s together. To unlock with them, "
               "type:\n\n    %s\n",
               n, id, kit_unlock_command(line, sizeof line, c, open, n));
        ex = EX_OK;
        goto out;
    }
    if (f.share_need) shares_missing(&f);
    if (kit_found_damage(&f)) {
        explain_damage(c, "its client-key slot does not open");
        ex = EX_DAMAGED;
        goto out;
    }
    /* 3. A photo, screenshot or PDF of the kit somewhere else. */
    if (vault_ok && kit_given(c)) {
        ex = EX_OK;
        goto out;
    }
    /* 4. The key, typed. */
    if (vault_ok &&
        tty_confirm("\nDo you have your client key written down, to type it now?") == 1) {
        c->use_key = 1;
        if (unlock_with_key(c) == EX_OK) {
            ex = show_key_and_kit(c, &a->kit);
            goto out;
        }
    }
    /* 5. Only then: reset. */
    explain_reset(c, vault_ok);
    ex = EX_NOT_FOUND;
out:
    ways_free(&f);
    return ex;
}

static const opt_row recover_rows[] = {
    KIT_ROWS_DIR(recover_args, kit,
                 "where to save a fresh kit once unlocked (default: your "
                 "download folder)"),
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
