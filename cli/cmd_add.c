/* kura add, and the item options it shares with kura edit: one list of changes, applied in
 * the order given, to a new item or to one read from the vault. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

enum {
    E_USERNAME = E_TITLE + 1,
    E_URL,
    E_ADD_URL,
    E_RM_URL,
    E_TAG,
    E_ADD_TAG,
    E_RM_TAG,
    E_PASSWORD_FILE,
    E_ASK_PASSWORD,
    E_GENERATE,
    E_CLEAR_PASSWORD,
    E_NOTES_FILE,
    E_CLEAR_NOTES,
    E_FIELD,
    E_HIDDEN_FIELD,
    E_HIDDEN_FIELD_FILE,
    E_RM_FIELD,
    E_OTP_FILE,
    E_TYPE,
};

int item_edit_call(void *field, const opt_row *row, const char *value)
{
    item_edits *e = field;
    int id = row->value;
    if (e->n == MAX_EDITS) return fail(EX_USAGE, "too many options");
    if ((id == E_FIELD || id == E_HIDDEN_FIELD_FILE) && (!strchr(value, '=') || value[0] == '='))
        return fail(EX_USAGE, "--%s takes NAME=%s", row->name, id == E_FIELD ? "VALUE" : "FILE");
    e->list[e->n].id = id;
    e->list[e->n++].arg = value;
    return EX_OK;
}

#define EDIT(name, meta, id, help) OPT_CALL(name, item_edits, list, meta, item_edit_call, id, help)
#define EDITS(name, meta, id, help) OPT_LIST(name, item_edits, list, meta, item_edit_call, id, help)
#define EDIT_FLAG(name, id, help) OPT_CALL(name, item_edits, list, NULL, item_edit_call, id, help)

const opt_row item_edit_rows[] = {
    EDIT("type", "TYPE", E_TYPE,
         "what the item is: login (the default), note, card, identity, ssh-key or generic; "
         "each type has fields of its own (man kura: ITEM TYPES)"),
    EDIT("username", "USER", E_USERNAME, "the login name"),
    EDITS("url", "URL", E_URL, "a URL (repeat for several; on edit, replaces the URLs)"),
    EDITS("add-url", "URL", E_ADD_URL, "add one URL"),
    EDITS("rm-url", "URL", E_RM_URL, "remove one URL"),
    EDITS("tag", "TAG", E_TAG, "a tag (repeat for several; on edit, replaces the tags)"),
    EDITS("add-tag", "TAG", E_ADD_TAG, "add one tag"),
    EDITS("rm-tag", "TAG", E_RM_TAG, "remove one tag"),
    EDIT_FLAG("password", E_ASK_PASSWORD,
              "ask for the password on the terminal (add asks by default)"),
    EDIT("password-file", "FILE", E_PASSWORD_FILE,
         "read the password from FILE, - for stdin (an empty FILE is refused unless "
         "--allow-empty)"),
    OPT_FLAG("allow-empty", item_edits, allow_empty, "let --password-file be empty: no password"),
    EDIT_FLAG("generate", E_GENERATE,
              "generate the password (--length N, or --words N for a "
              "passphrase)"),
    OPT_NUMBER("length", item_edits, length, "N", 4, 4096, NULL,
               "the generated password's length (default 24)"),
    OPT_NUMBER("words", item_edits, words, "N", 3, 64, NULL,
               "generate a passphrase of N words instead"),
    OPT_FLAG("no-symbols", item_edits, no_symbols, "--generate: leave out symbols"),
    OPT_FLAG("no-digits", item_edits, no_digits, "--generate: leave out digits"),
    OPT_FLAG("no-ambiguous", item_edits, no_ambiguous,
             "--generate: leave out look-alike characters (0 O o 1 l I | and quotes)"),
    OPT_FLAG("show", item_edits, show, "--generate: print the password it made"),
    OPT_FLAG("copy", item_edits, copy,
             "--generate: put the password it made on the clipboard (cleared as get --copy)"),
    EDIT_FLAG("clear-password", E_CLEAR_PASSWORD, "remove the password"),
    EDIT("notes-file", "FILE", E_NOTES_FILE, "read the notes from FILE, - for stdin"),
    EDIT_FLAG("clear-notes", E_CLEAR_NOTES, "remove the notes"),
    EDITS("field", "NAME=VALUE", E_FIELD,
          "a visible custom field (not named like a built-in: password, username, url, notes, "
          "tags, otp...)"),
    EDITS("hidden-field", "NAME", E_HIDDEN_FIELD,
          "a hidden field, its value asked on the terminal"),
    EDITS("hidden-field-file", "NAME=FILE", E_HIDDEN_FIELD_FILE,
          "a hidden field, its value read from FILE"),
    EDITS("rm-field", "NAME", E_RM_FIELD, "remove a custom field"),
    EDIT("otp-file", "FILE", E_OTP_FILE,
         "a TOTP secret (otpauth://totp/ URI or base32) from FILE, - for stdin, or from the QR "
         "code in an image of the site's setup page (PNG, JPEG, WebP...): the hidden field "
         "otp, which 'kura otp ITEM' reads"),
    OPT_END(),
};

/* Whether path is an image or a PDF by its first bytes (PNG, JPEG, GIF, WebP, TIFF, HEIC and
 * AVIF, PDF): a screenshot of a site's TOTP setup page, not a secret typed into a file. */
static int is_image(const char *path)
{
    unsigned char h[12] = {0};
    if (strcmp(path, "-") == 0) return 0;
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f) fclose(f);
    return (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) ||
           (n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0) || (n >= 4 && memcmp(h, "GIF8", 4) == 0) ||
           (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0) ||
           (n >= 4 && (memcmp(h, "II*\0", 4) == 0 || memcmp(h, "MM\0*", 4) == 0)) ||
           (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0) || (n >= 5 && memcmp(h, "%PDF-", 5) == 0);
}

/* The otpauth:// URI of the QR code in an image (the kit module's reader): EX_OK or why not. */
static int otp_from_image(char **secret, const char *path)
{
    kura_kit_seen seen;
    int rc = kura_qr_read_text(secret, path, "otpauth://", &seen);
    switch (rc) {
    case KURA_OK:
        return EX_OK;
    case KURA_ERR_NOT_FOUND:
        return fail(EX_USAGE,
                    "%s holds no QR code of an otpauth:// URI%s; save the site's TOTP "
                    "setup page with its QR code whole, or give the secret in a text file",
                    path, seen.others ? " (only other QR codes)" : "");
    case KURA_ERR_NO_MODULE:
        return fail(EX_FAIL, "the kit module (kura-kit.so), which reads QR codes, did not load: %s",
                    kura_error_detail());
    case KURA_ERR_INVALID:
        return fail(EX_USAGE, "%s looks like an image but kura cannot decode it", path);
    default:
        return fail(EX_FAIL, "cannot read %s: %s", path, kura_strerror(rc));
    }
}

static int has_edit(const item_edits *e, int id)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->list[i].id == id) return 1;
    return 0;
}

/* Keeps the entries of list other than drop. */
static int remove_from(kura_item *item, int urls, const char *drop)
{
    const char **list = urls ? item->urls : item->tags;
    size_t n = urls ? item->n_urls : item->n_tags, kept = 0;
    const char *keep[KURA_MAX_LIST];
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], drop) == 0)
            found = 1;
        else
            keep[kept++] = list[i];
    }
    if (!found)
        return fail(EX_NOT_FOUND, "item \"%s\" has no %s \"%s\"", item->title, urls ? "URL" : "tag",
                    drop);
    if (urls)
        kura_item_clear_urls(item);
    else
        kura_item_clear_tags(item);
    for (size_t i = 0; i < kept; i++) {
        int rc = urls ? kura_item_add_url(item, keep[i]) : kura_item_add_tag(item, keep[i]);
        if (rc != KURA_OK) return fail(EX_FAIL, "out of memory");
    }
    return EX_OK;
}

/* Asks twice on the terminal; *out NULL means "none". */
static int ask_password(char **out, const char *title, int allow_empty)
{
    char prompt[200];
    *out = NULL;
    snprintf(prompt, sizeof prompt, "Password for \"%.100s\"%s: ", title,
             allow_empty ? " (Enter for none)" : "");
    char *a = tty_secret(prompt);
    if (!a)
        return fail(EX_LOCKED, "no terminal to ask for the password; use --password-file or "
                               "--generate");
    if (!*a && allow_empty) {
        secret_free(a);
        return EX_OK;
    }
    for (int attempt = 1;; attempt++) {
        char *b = tty_secret("Again, to be sure: ");
        int same = b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
        secret_free(b);
        if (same) break;
        secret_free(a);
        if (attempt == 3 || !b)
            return fail(EX_CANCELLED, "the passwords did not match; nothing was changed");
        note("kura: the two did not match; type it again (%d of 3)", attempt + 1);
        if (!(a = tty_secret(prompt)))
            return fail(EX_CANCELLED, "the passwords did not match; nothing was changed");
    }
    *out = a;
    return EX_OK;
}

/* 1 if s holds nothing but spaces (ASCII, no-break, ideographic), tabs and line breaks. */
static int blank(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        else if (p[0] == 0xc2 && p[1] == 0xa0)
            p += 2;
        else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
            p += 3;
        else
            return 0;
    }
    return 1;
}

static int set_checked(kura_item *item, enum kura_item_text which, const char *value,
                       const char *what)
{
    int rc = kura_item_set(item, which, value);
    if (rc == KURA_ERR_INVALID)
        return fail(EX_USAGE,
                    "the %s is too long (at most %d bytes), not UTF-8, or has control "
                    "characters",
                    what, which == KURA_NOTES ? KURA_MAX_LONG : KURA_MAX_SHORT);
    return rc == KURA_OK ? EX_OK : fail(EX_FAIL, "out of memory");
}

static int list_checked(int rc, const char *what, const char *value)
{
    if (rc == KURA_ERR_INVALID)
        return fail(EX_USAGE, "bad %s \"%.60s\": empty, too long, not UTF-8, or more than %d", what,
                    value, KURA_MAX_LIST);
    return rc == KURA_OK ? EX_OK : fail(EX_FAIL, "out of memory");
}

/* Names an item has already: a custom field called so would hide behind it ("get --field
 * password" reads the password, never a field of that name). */
static const char *const builtin_names[] = {"title", "username", "password", "url",
                                            "urls",  "notes",    "tags",     "tag",
                                            "id",    "created",  "updated",  KURA_OTP_FIELD};

/* A value of one of the type's own fields, checked and made canonical (a card's expiry as
 * MM/YYYY, an SSH key's fingerprint from its public key). An exit code. */
static int type_value_checked(kura_item *item, const char *name, const char **value, char *buf,
                              size_t cap, const char *where)
{
    const char *v = *value;
    if (item->type == KURA_TYPE_CARD && strcmp(name, "expiry") == 0) {
        if (cap < 8 || kura_card_expiry(buf, v) != KURA_OK)
            return fail(EX_USAGE,
                        "%sthe card's expiry \"%.40s\" is not a month: give it as MM/YYYY "
                        "(09/2028) or MM/YY",
                        where, v);
        *value = buf;
    } else if (item->type == KURA_TYPE_CARD && strcmp(name, "number") == 0) {
        if (!kura_card_luhn(v))
            note("kura: note: that card number does not pass the Luhn check that bank cards "
                 "pass; kept as typed");
    } else if (item->type == KURA_TYPE_SSH_KEY && strcmp(name, "public-key") == 0) {
        char fp[64];
        if (kura_ssh_fingerprint(fp, sizeof fp, v) != KURA_OK)
            return fail(EX_USAGE,
                        "%spublic-key is not an OpenSSH public key (\"ssh-ed25519 AAAA... "
                        "comment\", as in a .pub file)",
                        where);
        if (kura_item_set_field(item, "fingerprint", fp, 0) != KURA_OK)
            return fail(EX_FAIL, "out of memory");
    }
    return EX_OK;
}

int item_field_set(kura_item *item, const char *name, const char *value, int hidden,
                   const char *where)
{
    char canon[16];
    if (value && kura_type_field_get(item->type, name)) {
        int ex = type_value_checked(item, name, &value, canon, sizeof canon, where);
        if (ex != EX_OK) return ex;
    }
    int rc = kura_item_set_field(item, name, value, hidden);
    if (rc == KURA_ERR_NOT_FOUND)
        return fail(EX_NOT_FOUND, "item \"%s\" has no field \"%s\"", item->title, name);
    if (rc == KURA_ERR_INVALID)
        return fail(EX_USAGE, "%sfield \"%.60s\": too long, not UTF-8, or too many fields", where,
                    name);
    return rc == KURA_OK ? EX_OK : fail(EX_FAIL, "out of memory");
}

static int field_checked(kura_item *item, const char *name, size_t nlen, const char *value,
                         int hidden)
{
    char nm[KURA_MAX_SHORT + 1];
    if (nlen == 0 || nlen > KURA_MAX_SHORT) return fail(EX_USAGE, "bad field name");
    memcpy(nm, name, nlen);
    nm[nlen] = '\0';
    const kura_type_field *tf = kura_type_field_get(item->type, nm);
    if (tf && value && (tf->flags & KURA_TF_SECRET) && !hidden)
        return fail(EX_USAGE,
                    "the %s's %s is secret, so it is never given on the command line: use "
                    "--hidden-field %s (asked on the terminal) or --hidden-field-file %s=FILE",
                    kura_type_get(item->type)->label, tf->label, nm, nm);
    for (size_t i = 0; value && i < sizeof builtin_names / sizeof *builtin_names; i++)
        if (strcasecmp(nm, builtin_names[i]) == 0)
            return fail(EX_USAGE,
                        "a custom field cannot be called \"%s\": every item has one; use %s", nm,
                        strcasecmp(nm, KURA_OTP_FIELD) == 0 ? "--otp-file for a TOTP secret"
                        : strcasecmp(nm, "password") == 0
                            ? "--password-file or --generate for the password"
                            : "the option of that name, or another field name");
    return item_field_set(item, nm, value, hidden, "");
}

static int apply_one(const item_edits *all, kura_item *item, const struct edit *e,
                     int *urls_replaced, int *tags_replaced)
{
    char *secret = NULL;
    int ex = EX_OK;
    const char *eq;

    switch (e->id) {
    case E_TYPE:
        return EX_OK; /* applied first, by item_edit_apply */
    case E_TITLE:
        if (blank(e->arg)) return fail(EX_USAGE, "the title cannot be empty or only spaces");
        return set_checked(item, KURA_TITLE, e->arg, "title");
    case E_USERNAME:
        return set_checked(item, KURA_USERNAME, *e->arg ? e->arg : NULL, "username");
    case E_URL:
        if (!*urls_replaced) kura_item_clear_urls(item);
        *urls_replaced = 1;
        /* fall through */
    case E_ADD_URL:
        return list_checked(kura_item_add_url(item, e->arg), "URL", e->arg);
    case E_RM_URL:
        return remove_from(item, 1, e->arg);
    case E_TAG:
        if (!*tags_replaced) kura_item_clear_tags(item);
        *tags_replaced = 1;
        /* fall through */
    case E_ADD_TAG:
        return list_checked(kura_item_add_tag(item, e->arg), "tag", e->arg);
    case E_RM_TAG:
        return remove_from(item, 0, e->arg);
    case E_PASSWORD_FILE:
        ex = read_secret_file(&secret, e->arg, "password", KURA_MAX_SHORT);
        if (ex == EX_OK && !*secret && !all->allow_empty)
            ex = fail(EX_USAGE,
                      "%s holds no password (it is empty); nothing was saved. Give a "
                      "file with the password, or --allow-empty if none is meant",
                      strcmp(e->arg, "-") == 0 ? "standard input" : e->arg);
        if (ex == EX_OK) ex = set_checked(item, KURA_PASSWORD, *secret ? secret : NULL, "password");
        break;
    case E_ASK_PASSWORD:
        ex = ask_password(&secret, item->title, 0);
        if (ex == EX_OK) ex = set_checked(item, KURA_PASSWORD, secret, "password");
        break;
    case E_GENERATE: {
        double bits;
        unsigned classes = CL_LOWER | CL_UPPER | (all->no_digits ? 0 : CL_DIGIT) |
                           (all->no_symbols ? 0 : CL_SYMBOL) |
                           (all->no_ambiguous ? CL_NO_AMBIGUOUS : 0);
        if (generate_password(&secret, &bits, all->length ? all->length : 24, all->words, classes,
                              "-") != 0)
            return fail(EX_FAIL, "out of memory");
        ex = set_checked(item, KURA_PASSWORD, secret, "password");
        break;
    }
    case E_CLEAR_PASSWORD:
        return set_checked(item, KURA_PASSWORD, NULL, "password");
    case E_NOTES_FILE:
        ex = read_secret_file(&secret, e->arg, "notes", KURA_MAX_LONG);
        if (ex == EX_OK) ex = set_checked(item, KURA_NOTES, *secret ? secret : NULL, "notes");
        break;
    case E_CLEAR_NOTES:
        return set_checked(item, KURA_NOTES, NULL, "notes");
    case E_FIELD:
        eq = strchr(e->arg, '=');
        return field_checked(item, e->arg, (size_t)(eq - e->arg), eq + 1, 0);
    case E_HIDDEN_FIELD: {
        char prompt[200];
        snprintf(prompt, sizeof prompt, "Value of hidden field \"%.100s\": ", e->arg);
        secret = tty_secret(prompt);
        if (!secret)
            return fail(EX_LOCKED,
                        "no terminal to ask for field \"%s\"; use "
                        "--hidden-field-file NAME=FILE",
                        e->arg);
        ex = field_checked(item, e->arg, strlen(e->arg), secret, 1);
        break;
    }
    case E_HIDDEN_FIELD_FILE:
        eq = strchr(e->arg, '=');
        ex = read_secret_file(&secret, eq + 1, "field value", KURA_MAX_LONG);
        if (ex == EX_OK) ex = field_checked(item, e->arg, (size_t)(eq - e->arg), secret, 1);
        break;
    case E_RM_FIELD:
        return field_checked(item, e->arg, strlen(e->arg), NULL, 0);
    case E_OTP_FILE: {
        kura_totp_code code;
        ex = is_image(e->arg)
                 ? otp_from_image(&secret, e->arg)
                 : read_secret_file(&secret, e->arg, "one-time password secret", KURA_MAX_SHORT);
        if (ex != EX_OK) break;
        int rc = kura_totp(&code, secret, (int64_t)time(NULL));
        sodium_memzero(&code, sizeof code);
        if (rc == KURA_ERR_NOT_FOUND)
            ex = fail(EX_USAGE,
                      "%s holds an otpauth URI that is not TOTP (HOTP counters are not "
                      "kept); give a otpauth://totp/ URI or a base32 secret",
                      e->arg);
        else if (rc != KURA_OK)
            ex = fail(EX_USAGE,
                      "%s holds no TOTP secret kura can use: give an otpauth://totp/ "
                      "URI or a base32 secret",
                      e->arg);
        else
            ex = kura_item_set_field(item, KURA_OTP_FIELD, secret, 1) == KURA_OK
                     ? EX_OK
                     : fail(EX_FAIL, "out of memory");
        break;
    }
    default:
        return fail(EX_USAGE, "unknown option");
    }
    secret_free(secret);
    return ex;
}

/* Each of the type's own fields the item lacks, asked on the terminal (Enter skips one): a
 * secret one without echo, a private key as the path of its file; a value that does not check
 * is asked again, three times. */
static int ask_type_fields(kura_item *item)
{
    const kura_type *t = kura_type_get(item->type);
    for (size_t i = 0; t && i < t->n_fields; i++) {
        const kura_type_field *tf = &t->fields[i];
        if (kura_item_field(item, tf->name)) continue;
        if (item->type == KURA_TYPE_SSH_KEY && strcmp(tf->name, "fingerprint") == 0) continue;
        char prompt[160];
        snprintf(prompt, sizeof prompt, "%c%s%s (Enter to skip): ", toupper(tf->label[0]),
                 tf->label + 1, tf->flags & KURA_TF_FILE ? ": the path of its file" : "");
        for (int attempt = 1;; attempt++) {
            int secret = (tf->flags & KURA_TF_SECRET) && !(tf->flags & KURA_TF_FILE);
            char *answer = secret ? tty_secret(prompt) : tty_ask(prompt), *value = NULL;
            if (!answer) return fail(EX_CANCELLED, "cancelled; nothing was added");
            int ex = EX_OK;
            if (!*answer) {
                secret_free(answer);
                break;
            }
            if (tf->flags & KURA_TF_FILE) {
                ex = read_secret_file(&value, answer, tf->label, KURA_MAX_LONG);
                secret_free(answer);
            } else {
                value = answer;
            }
            if (ex == EX_OK)
                ex = field_checked(item, tf->name, strlen(tf->name), value,
                                   (tf->flags & KURA_TF_SECRET) != 0);
            secret_free(value);
            if (ex == EX_OK) break;
            if (ex != EX_USAGE || attempt == 3) return ex;
        }
    }
    if (item->type == KURA_TYPE_NOTE && !item->notes)
        note("kura: the note is empty; write it with 'kura edit \"%s\"', or give "
             "--notes-file FILE",
             item->title);
    return EX_OK;
}

int item_edit_apply(const item_edits *e, kura_item *item, int is_new)
{
    if (!is_new && e->n == 0)
        return fail(EX_USAGE, "nothing to change in \"%s\"; see 'kura help edit'", item->title);
    int urls_replaced = is_new, tags_replaced = is_new;
    int sources = has_edit(e, E_PASSWORD_FILE) + has_edit(e, E_ASK_PASSWORD) +
                  has_edit(e, E_GENERATE) + has_edit(e, E_CLEAR_PASSWORD);
    if (sources > 1)
        return fail(EX_USAGE, "give one of --password, --password-file, --generate, "
                              "--clear-password");
    if ((e->words || e->length || e->no_symbols || e->no_digits || e->no_ambiguous || e->show ||
         e->copy) &&
        !has_edit(e, E_GENERATE))
        return fail(EX_USAGE, "--length, --words, --no-symbols, --no-digits, --no-ambiguous, "
                              "--show and --copy go with --generate");
    if (e->show && e->copy) return fail(EX_USAGE, "--show or --copy, not both");
    for (size_t i = 0; i < e->n; i++) /* the type first: it says which fields are secret */
        if (e->list[i].id == E_TYPE) {
            int t = kura_type_by_name(e->list[i].arg);
            if (t < 0)
                return fail(EX_USAGE,
                            "--type is login, note, card, identity, ssh-key or generic "
                            "(not \"%.40s\")",
                            e->list[i].arg);
            if (kura_item_set_type(item, t) != KURA_OK) return fail(EX_FAIL, "bad type");
        }
    for (size_t i = 0; i < e->n; i++) {
        int ex = apply_one(e, item, &e->list[i], &urls_replaced, &tags_replaced);
        if (ex != EX_OK) return ex;
    }
    if (is_new && sources == 0 && item->type != KURA_TYPE_LOGIN) {
        /* On a terminal, add asks for the type's own fields that no option gave. */
        int fd = tty_open();
        if (fd >= 0) close(fd);
        return fd >= 0 ? ask_type_fields(item) : EX_OK;
    }
    if (is_new && sources == 0) {
        /* On a terminal, add asks for the password; a script without one adds none. */
        int fd = tty_open();
        if (fd >= 0) {
            char *secret = NULL;
            close(fd);
            int ex = ask_password(&secret, item->title, 1);
            if (ex == EX_OK && secret) ex = set_checked(item, KURA_PASSWORD, secret, "password");
            secret_free(secret);
            if (ex != EX_OK) return ex;
        }
    }
    return EX_OK;
}

typedef struct add_args {
    item_edits edits;
    int edit;
} add_args;

static const opt_row add_rows[] = {
    OPT_INCLUDE(item_edit_rows, add_args, edits),
    OPT_FLAG(
        "edit", add_args, edit,
        "fill the item in in $VISUAL or $EDITOR, from a form with the title and options given"),
    OPT_END(),
};

static int add_exec(ctx *c, void *args, int argc, char **argv)
{
    const add_args *a = args;
    (void)argc;
    kura_item *item = kura_item_new();
    int ex;
    if (!item) return fail(EX_FAIL, "out of memory");
    if (blank(argv[0])) {
        kura_item_free(item);
        return fail(EX_USAGE, "the title cannot be empty or only spaces");
    }
    ex = set_checked(item, KURA_TITLE, argv[0], "title");
    int changed = 1;
    if (ex == EX_OK && a->edit) {
        /* The options given first (no password asked), then the form. */
        item_edits e = a->edits;
        if (!has_edit(&e, E_PASSWORD_FILE) && !has_edit(&e, E_GENERATE) && e.n < MAX_EDITS)
            e.list[e.n++] = (struct edit){E_CLEAR_PASSWORD, NULL};
        ex = item_edit_apply(&e, item, 1);
        if (ex == EX_OK) ex = edit_in_editor(c, item, 1, &changed);
    } else if (ex == EX_OK) {
        ex = item_edit_apply(&a->edits, item, 1);
    }
    if (ex == EX_OK) {
        int rc = kura_item_add(c->v, item);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "add the item");
    }
    if (ex == EX_OK) ex = item_edit_after(c, &a->edits, item, "added");
    kura_item_free(item);
    return ex;
}

int item_edit_after(ctx *c, const item_edits *e, const kura_item *item, const char *verb)
{
    if (e->show && item->password && c->json) { /* one object: the report and the password */
        json_print(json_pack("{s:s, s:s, s:s, s:s}", "id", item->id, "title", item->title, "result",
                             verb, "password", item->password));
        return EX_OK;
    }
    report_item(c, verb, item);
    if (e->copy && item->password) return clipboard_copy(c, item, "password", item->password);
    if (e->show && item->password) printf("%s\n", item->password);
    return EX_OK;
}

const cmd cmd_add = {
    .name = "add",
    .summary = "add an item",
    .args = "TITLE",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_WRITES,
    .min_args = 1,
    .max_args = 1,
    .rows = add_rows,
    .args_size = sizeof(add_args),
    .exec = add_exec,
};

/* kura cp ITEM NEW-TITLE: a copy of every field, password, note, URL and tag under a new title,
 * a new item of its own (its own id and history). */
static int cp_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc;
    if (blank(argv[1])) return fail(EX_USAGE, "the title cannot be empty or only spaces");
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    ex = set_checked(item, KURA_TITLE, argv[1], "title");
    if (ex == EX_OK) {
        int rc = kura_item_add(c->v, item); /* a new id and times */
        if (rc != KURA_OK) ex = fail_vault(c, rc, "add the copy");
    }
    if (ex == EX_OK) report_item(c, "copied to", item);
    kura_item_free(item);
    return ex;
}

const cmd cmd_cp = {
    .name = "cp",
    .summary = "copy an item, every field with it, under a new title",
    .args = "ITEM NEW-TITLE",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 2,
    .max_args = 2,
    .exec = cp_exec,
};
