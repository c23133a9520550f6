/* Getting from a locked vault to an unlocked one: the session, a key file, or the terminal;
 * and turning what a user typed for an item into exactly one item. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define KEY_INPUT_MAX 1024

/* Explains a key that failed to parse, without echoing the key. */
int key_parse_error(int rc, const char *text, size_t bad, const char *source)
{
    switch (rc) {
    case KURA_ERR_KEY_MALFORMED:
        if (bad) {
            unsigned char ch = (unsigned char)text[bad - 1];
            if (ch >= 0x21 && ch < 0x7f)
                return fail(EX_BAD_KEY,
                            "the client key %s is malformed: '%c' at position %zu is "
                            "not a key character; check it against your emergency kit",
                            source, ch, bad);
            return fail(EX_BAD_KEY,
                        "the client key %s is malformed: position %zu is not a key "
                        "character; check it against your emergency kit",
                        source, bad);
        }
        return fail(EX_BAD_KEY,
                    "the client key %s is malformed: it has %zu symbols, a client "
                    "key has %d (six groups of six)",
                    source, kura_key_count_symbols(text, strlen(text)), KURA_KEY_SYMBOLS);
    case KURA_ERR_KEY_TYPO:
        return fail(EX_BAD_KEY,
                    "the client key %s has a typo: its check symbols do not match; "
                    "compare it symbol by symbol with your emergency kit",
                    source);
    case KURA_ERR_KEY_VERSION:
        return fail(EX_BAD_KEY,
                    "the client key %s is of a newer format than this kura knows; "
                    "upgrade kura",
                    source);
    default:
        return fail(EX_FAIL, "cannot read the client key %s", source);
    }
}

/* Unlocks with a parsed key, from the shares of key generation share_gen when not 0;
 * returns an exit code (message printed). */
static int unlock_from(ctx *c, const kura_client_key *key, unsigned share_gen)
{
    int rc = kura_vault_unlock(c->v, key);
    if (rc == KURA_ERR_WRONG_KEY && share_gen)
        return shares_do_not_open(share_gen, kura_vault_id(c->v));
    if (rc == KURA_ERR_WRONG_KEY)
        return fail(EX_WRONG_KEY,
                    "this key does not open vault %s (%s); is it the key of another vault, or "
                    "an old one?",
                    kura_vault_id(c->v), c->vault_path);
    if (rc != KURA_OK) return fail_vault(c, rc, "unlock the vault");
    return EX_OK;
}

static int unlock_parsed(ctx *c, const kura_client_key *key)
{
    return unlock_from(c, key, 0);
}

/* Parses text and unlocks; returns an exit code (message printed). */
static int try_key(ctx *c, const char *text, const char *source)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    size_t bad = 0;
    if (!key) return fail(EX_FAIL, "out of memory");
    int ex;
    if (shares_typed(text)) { /* shares of a split kit, a line each */
        unsigned gen;
        ex = key_from_typed_shares(key, kura_vault_id(c->v), text, source, &gen);
        if (ex == EX_OK) ex = unlock_from(c, key, gen);
    } else {
        int rc = kura_key_parse(key, &bad, text, strlen(text));
        ex = rc == KURA_OK ? unlock_parsed(c, key) : key_parse_error(rc, text, bad, source);
    }
    sodium_free(key);
    return ex;
}

int read_kit(kura_client_key *key, char *vault_id, const char *file)
{
    kura_kit_seen seen;
    int rc = kura_kit_read_seen(vault_id, key, file, &seen, 0);
    return rc == KURA_OK ? EX_OK : kit_unread(rc, errno, &seen, file);
}

int kit_unread(int rc, int e, const kura_kit_seen *seen, const char *file)
{
    switch (rc) {
    case KURA_OK:
        return EX_OK;
    case KURA_ERR_IO:
        if (e == EISDIR)
            return fail(EX_NOT_FOUND,
                        "%s is a directory; give the kit itself: its PNG or PDF, a screenshot, "
                        "or a photo of the printed page",
                        file);
        return fail(e == ENOENT ? EX_NOT_FOUND : EX_FAIL, "cannot read the kit %s: %s", file,
                    strerror(e));
    case KURA_ERR_INVALID:
        return fail(EX_NOT_FOUND,
                    "%s is not an image kura reads (PNG, JPEG, HEIC, WebP, TIFF, GIF or PDF); "
                    "give the kit's PNG or PDF, a screenshot, or a photo of the printed page",
                    file);
    case KURA_ERR_NOT_FOUND:
        if (seen->shares)
            return fail(EX_NOT_FOUND,
                        "%s is one share of a split kit: give the others too, one --kit each "
                        "(any K of them open the vault, as each share says)",
                        file);
        if (seen->others)
            return fail(EX_NOT_FOUND,
                        "found a QR code in %s, but it is not a kura kit's; give the kit's PNG "
                        "or PDF, or a photo of the printed kit",
                        file);
        if (seen->width < 400 || seen->height < 400)
            return fail(EX_NOT_FOUND,
                        "%s is %d x %d px: too small to read; take the photo closer, or give "
                        "the kit's PNG or PDF",
                        file, seen->width, seen->height);
        return fail(EX_NOT_FOUND,
                    "no QR code found in %s: is the whole code in the picture, sharp and well "
                    "lit?",
                    file);
    case KURA_ERR_NOMEM:
        return fail(EX_FAIL, "out of memory reading %s", file);
    case KURA_ERR_NO_MODULE:
        return fail_kit_module();
    default:
        return fail(EX_BAD_KEY, "the QR code in %s holds a damaged client key", file);
    }
}

static int unlock_with_kit(ctx *c)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    unsigned gen;
    int ex = key_from_kits(c, key, kura_vault_id(c->v), &gen);
    if (ex == EX_OK) ex = unlock_from(c, key, gen);
    sodium_free(key);
    return ex;
}

#define PASS_MAX 4096

static int passphrase_failed(ctx *c, int rc)
{
    const char *detail = kura_error_detail();
    if (rc == KURA_ERR_OLD_KEY)
        return fail(EX_WRONG_KEY,
                    "this device was enrolled before vault %s's key was rotated; unlock with the "
                    "new client key (--key) and enroll again",
                    kura_vault_id(c->v));
    if (rc == KURA_ERR_WRONG_KEY)
        return fail(EX_WRONG_KEY, "%s; or unlock with the client key (--key)", detail);
    if (rc == KURA_ERR_CORRUPT)
        return fail(EX_DAMAGED, "%s; 'kura device forget' and enroll again with the client key",
                    detail);
    return fail_vault(c, rc, "unlock with the passphrase");
}

/* This device's passphrase: from a file, or asked on the terminal (3 tries). */
static int unlock_with_passphrase(ctx *c, const char *why)
{
    const char *file = c->passphrase_file ? c->passphrase_file : getenv("KURA_PASSPHRASE_FILE");
    char *text = NULL;
    int rc;
    if (file && *file) {
        int ex = read_secret_file(&text, file, "passphrase", PASS_MAX);
        if (ex != EX_OK) return ex;
        rc = kura_device_unlock(c->v, c->device_dir, text, strlen(text));
        secret_free(text);
        c->by_passphrase = rc == KURA_OK;
        return rc == KURA_OK ? EX_OK : passphrase_failed(c, rc);
    }
    char prompt[128];
    snprintf(prompt, sizeof prompt,
             "Passphrase for vault %.8s on this device: ", kura_vault_id(c->v));
    for (int attempt = 0; attempt < 3; attempt++) {
        text = tty_secret(prompt);
        if (!text) {
            if (attempt > 0) return EX_CANCELLED;
            return fail(EX_LOCKED,
                        "vault %s is locked%s%s%s and there is no terminal to ask for this "
                        "device's passphrase; pass --passphrase-file, or --key-file for the "
                        "client key",
                        kura_vault_id(c->v), why ? " (" : "", why ? why : "", why ? ")" : "");
        }
        rc = kura_device_unlock(c->v, c->device_dir, text, strlen(text));
        secret_free(text);
        if (rc == KURA_OK) {
            c->by_passphrase = 1;
            return EX_OK;
        }
        int ex = passphrase_failed(c, rc);
        if (rc != KURA_ERR_WRONG_KEY || attempt == 2) return ex;
        note("try again (%d of 3)", attempt + 2);
    }
    return EX_FAIL;
}

/* why: NULL, or what ended the session (said before asking, or in the exit-8 line). */
static int unlock_key_because(ctx *c, const char *why)
{
    const char *file = c->key_file ? c->key_file : getenv("KURA_CLIENT_KEY_FILE");
    char *text = NULL;
    int ex;

    if (c->kit_file) return unlock_with_kit(c);
    if (file && *file) {
        ex = read_secret_file(&text, file, "client key", KEY_INPUT_MAX);
        if (ex != EX_OK) return ex;
        char source[300];
        snprintf(source, sizeof source, "in %s", strcmp(file, "-") ? file : "standard input");
        ex = try_key(c, text, source);
        secret_free(text);
        return ex;
    }
    int fd = tty_open();
    if (fd >= 0) {
        close(fd);
        if (why) note("kura: %s", why);
    }
    if (!c->use_key && kura_device_enrolled(c->v, c->device_dir))
        return unlock_with_passphrase(c, why);
    if (c->passphrase_file)
        return fail(EX_NOT_FOUND,
                    "this device is not enrolled for vault %s, so a passphrase cannot open it; "
                    "pass --key-file, or enroll with 'kura device enroll'",
                    kura_vault_id(c->v));
    char prompt[128];
    snprintf(prompt, sizeof prompt, "Client key for vault %.8s: ", kura_vault_id(c->v));
    for (int attempt = 0; attempt < 3; attempt++) {
        text = tty_secret(prompt);
        if (!text) {
            if (attempt > 0) return EX_CANCELLED;
            return fail(EX_LOCKED,
                        "vault %s is locked%s%s%s and there is no terminal to ask "
                        "for the client key; run 'eval \"$(kura unlock)\"' first or pass "
                        "--key-file",
                        kura_vault_id(c->v), why ? " (" : "", why ? why : "", why ? ")" : "");
        }
        ex = shares_typed(text) ? ask_more_shares(&text, kura_vault_id(c->v)) : EX_OK;
        if (ex == EX_OK) ex = try_key(c, text, "you typed");
        secret_free(text);
        if (ex == EX_OK || (ex != EX_BAD_KEY && ex != EX_WRONG_KEY)) return ex;
        if (attempt < 2)
            note("try again (%d of 3)", attempt + 2);
        else
            return ex;
    }
    return EX_FAIL;
}

int unlock_with_key(ctx *c)
{
    return unlock_key_because(c, NULL);
}

int unlock_vault(ctx *c)
{
    const char *session = getenv("KURA_SESSION");
    const char *why = NULL;
    if (session && *session) {
        int rc = kura_session_resume(c->v, c->runtime_dir, session, NULL);
        /* With a session, listings keep an overview cache beside it (kura.1, FILES). */
        if (rc == KURA_OK) rc = kura_vault_set_cache_dir(c->v, c->runtime_dir);
        if (rc == KURA_OK) return EX_OK;
        static char said[256];
        if (rc == KURA_ERR_EXPIRED) /* "the session timed out after 15 idle minutes at ..." */
            why = strncpy(said, kura_error_detail(), sizeof said - 1);
        else if (rc != KURA_ERR_NOT_FOUND)
            return fail_vault(c, rc, "use the session");
    }
    return unlock_key_because(c, why);
}

int resolve_item(ctx *c, kura_item **out, const char *ref)
{
    kura_items *found;
    *out = NULL;
    int rc = kura_item_resolve(c->v, &found, ref);
    if (rc != KURA_OK) return fail_vault(c, rc, "find the item");
    if (found->count > 1) {
        fail(EX_USAGE, "\"%s\" matches %zu items; name one by its id:", ref, found->count);
        for (size_t i = 0; i < found->count; i++) {
            const kura_item *it = &found->items[i];
            fprintf(stderr, "  %s  %s%s%s\n", it->id, it->title, it->username ? "  " : "",
                    it->username ? it->username : "");
        }
        kura_items_free(found);
        return EX_USAGE;
    }
    char id[KURA_ITEM_ID_TEXT + 1];
    memcpy(id, found->items[0].id, sizeof id);
    kura_items_free(found);
    rc = kura_item_get(c->v, out, id);
    return rc == KURA_OK ? EX_OK : fail_vault(c, rc, "read the item");
}

int new_passphrase(char **out, const char *file)
{
    char *a = NULL;
    *out = NULL;
    if (file) {
        int ex = read_secret_file(&a, file, "new passphrase", PASS_MAX);
        if (ex != EX_OK) return ex;
    } else {
        a = tty_secret("New passphrase for this device: ");
        if (!a)
            return fail(EX_LOCKED, "no terminal to ask for the new passphrase; pass "
                                   "--passphrase-file (enroll) or --new-passphrase-file");
        char *b = tty_secret("Again, to be sure: ");
        int same = b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
        secret_free(b);
        if (!same) {
            secret_free(a);
            return fail(EX_CANCELLED, "the passphrases did not match; nothing was changed");
        }
    }
    if (strlen(a) < 8) {
        secret_free(a);
        return fail(EX_USAGE, "a device passphrase needs at least 8 characters");
    }
    *out = a;
    return EX_OK;
}

void offer_enroll(ctx *c)
{
    if (c->by_passphrase || kura_device_enrolled(c->v, c->device_dir) ||
        kura_device_never(c->v, c->device_dir))
        return;
    char *answer = tty_ask("Enroll this device, so a passphrase of yours unlocks this vault "
                           "here from now on? [y/N, or 'never' on this device] ");
    int yes = answer && (strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0);
    int never = answer && strcasecmp(answer, "never") == 0;
    secret_free(answer);
    if (never) {
        if (kura_device_never_set(c->v, c->device_dir) == KURA_OK)
            note("kura: not asked again on this device ('kura device enroll' enrolls it any "
                 "time)");
        return;
    }
    if (!yes) return;
    char *pass = NULL;
    if (new_passphrase(&pass, NULL) != EX_OK) return;
    int rc = kura_device_enroll(c->v, c->device_dir, pass, strlen(pass),
                                crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE);
    secret_free(pass);
    if (rc == KURA_OK)
        note("kura: this device is enrolled: 'kura unlock' asks for the passphrase from now on");
    else
        fail(EX_FAIL, "could not enroll this device: %s", kura_error_detail());
}
