/* kura add, and the item options it shares with kura edit: one list of changes, applied in
 * the order given, to a new item or to one read from the vault. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

enum {
    E_TITLE = 1,
    E_USERNAME,
    E_URL,
    E_ADD_URL,
    E_RM_URL,
    E_TAG,
    E_ADD_TAG,
    E_RM_TAG,
    E_PASSWORD_FILE,
    E_ASK_PASSWORD,
    E_GENERATE,
    E_LENGTH,
    E_WORDS,
    E_CLEAR_PASSWORD,
    E_NOTES_FILE,
    E_CLEAR_NOTES,
    E_FIELD,
    E_HIDDEN_FIELD,
    E_HIDDEN_FIELD_FILE,
    E_RM_FIELD,
    E_OTP_FILE,
    E_ALLOW_EMPTY,
};

const struct option item_edit_opts[] = {
    {"title", required_argument, NULL, E_TITLE},
    {"username", required_argument, NULL, E_USERNAME},
    {"url", required_argument, NULL, E_URL},
    {"add-url", required_argument, NULL, E_ADD_URL},
    {"rm-url", required_argument, NULL, E_RM_URL},
    {"tag", required_argument, NULL, E_TAG},
    {"add-tag", required_argument, NULL, E_ADD_TAG},
    {"rm-tag", required_argument, NULL, E_RM_TAG},
    {"password-file", required_argument, NULL, E_PASSWORD_FILE},
    {"password", no_argument, NULL, E_ASK_PASSWORD},
    {"generate", no_argument, NULL, E_GENERATE},
    {"length", required_argument, NULL, E_LENGTH},
    {"words", required_argument, NULL, E_WORDS},
    {"clear-password", no_argument, NULL, E_CLEAR_PASSWORD},
    {"notes-file", required_argument, NULL, E_NOTES_FILE},
    {"clear-notes", no_argument, NULL, E_CLEAR_NOTES},
    {"field", required_argument, NULL, E_FIELD},
    {"hidden-field", required_argument, NULL, E_HIDDEN_FIELD},
    {"hidden-field-file", required_argument, NULL, E_HIDDEN_FIELD_FILE},
    {"rm-field", required_argument, NULL, E_RM_FIELD},
    {"otp-file", required_argument, NULL, E_OTP_FILE},
    {"allow-empty", no_argument, NULL, E_ALLOW_EMPTY},
    {0},
};

const char item_edit_help[] = ITEM_EDIT_HELP;

#define MAX_EDITS 512
static struct edit {
    int id;
    const char *arg;
} edits[MAX_EDITS];
static size_t n_edits;
static int gen_length = 24, gen_words = 0, empty_ok = 0;

int item_edit_opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == E_LENGTH) return parse_number(arg, "--length", 4, 4096, &gen_length);
    if (id == E_WORDS) return parse_number(arg, "--words", 3, 64, &gen_words);
    if (id == E_ALLOW_EMPTY) {
        empty_ok = 1;
        return EX_OK;
    }
    if (n_edits == MAX_EDITS) return fail(EX_USAGE, "too many options");
    if ((id == E_FIELD || id == E_HIDDEN_FIELD_FILE) && (!strchr(arg, '=') || arg[0] == '='))
        return fail(EX_USAGE, "--%s takes NAME=%s", id == E_FIELD ? "field" : "hidden-field-file",
                    id == E_FIELD ? "VALUE" : "FILE");
    edits[n_edits].id = id;
    edits[n_edits++].arg = arg;
    return EX_OK;
}

static int has_edit(int id)
{
    for (size_t i = 0; i < n_edits; i++)
        if (edits[i].id == id) return 1;
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
    char *b = tty_secret("Again, to be sure: ");
    int same = b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
    secret_free(b);
    if (!same) {
        secret_free(a);
        return fail(EX_CANCELLED, "the passwords did not match; nothing was changed");
    }
    *out = a;
    return EX_OK;
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

static int field_checked(kura_item *item, const char *name, size_t nlen, const char *value,
                         int hidden)
{
    char nm[KURA_MAX_SHORT + 1];
    if (nlen == 0 || nlen > KURA_MAX_SHORT) return fail(EX_USAGE, "bad field name");
    memcpy(nm, name, nlen);
    nm[nlen] = '\0';
    for (size_t i = 0; value && i < sizeof builtin_names / sizeof *builtin_names; i++)
        if (strcasecmp(nm, builtin_names[i]) == 0)
            return fail(EX_USAGE,
                        "a custom field cannot be called \"%s\": every item has one; use %s", nm,
                        strcasecmp(nm, KURA_OTP_FIELD) == 0 ? "--otp-file for a TOTP secret"
                        : strcasecmp(nm, "password") == 0
                            ? "--password-file or --generate for the password"
                            : "the option of that name, or another field name");
    int rc = kura_item_set_field(item, nm, value, hidden);
    if (rc == KURA_ERR_NOT_FOUND)
        return fail(EX_NOT_FOUND, "item \"%s\" has no field \"%s\"", item->title, nm);
    if (rc == KURA_ERR_INVALID)
        return fail(EX_USAGE, "field \"%.60s\": too long, not UTF-8, or too many fields", nm);
    return rc == KURA_OK ? EX_OK : fail(EX_FAIL, "out of memory");
}

static int apply_one(kura_item *item, const struct edit *e, int *urls_replaced, int *tags_replaced)
{
    char *secret = NULL;
    int ex = EX_OK;
    const char *eq;

    switch (e->id) {
    case E_TITLE:
        if (!*e->arg) return fail(EX_USAGE, "the title cannot be empty");
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
        if (ex == EX_OK && !*secret && !empty_ok)
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
        if (generate_password(&secret, &bits, gen_length, gen_words,
                              CL_LOWER | CL_UPPER | CL_DIGIT | CL_SYMBOL, "-") != 0)
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
        ex = read_secret_file(&secret, e->arg, "one-time password secret", KURA_MAX_SHORT);
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

int item_edit_apply(ctx *c, kura_item *item, int is_new)
{
    (void)c;
    if (!is_new && n_edits == 0)
        return fail(EX_USAGE, "nothing to change in \"%s\"; see 'kura help edit'", item->title);
    int urls_replaced = is_new, tags_replaced = is_new;
    int sources = has_edit(E_PASSWORD_FILE) + has_edit(E_ASK_PASSWORD) + has_edit(E_GENERATE) +
                  has_edit(E_CLEAR_PASSWORD);
    if (sources > 1)
        return fail(EX_USAGE, "give one of --password, --password-file, --generate, "
                              "--clear-password");
    if (gen_words && !has_edit(E_GENERATE)) return fail(EX_USAGE, "--words goes with --generate");
    for (size_t i = 0; i < n_edits; i++) {
        int ex = apply_one(item, &edits[i], &urls_replaced, &tags_replaced);
        if (ex != EX_OK) return ex;
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

static int run(ctx *c, int argc, char **argv)
{
    (void)argc;
    kura_item *item = kura_item_new();
    int ex;
    if (!item) return fail(EX_FAIL, "out of memory");
    if (!*argv[0]) {
        kura_item_free(item);
        return fail(EX_USAGE, "the title cannot be empty");
    }
    ex = set_checked(item, KURA_TITLE, argv[0], "title");
    if (ex == EX_OK && has_edit(E_TITLE)) ex = fail(EX_USAGE, "add takes the title as argument");
    if (ex == EX_OK) ex = item_edit_apply(c, item, 1);
    if (ex == EX_OK) {
        int rc = kura_item_add(c->v, item);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "add the item");
    }
    if (ex == EX_OK) report_item(c, "added", item);
    kura_item_free(item);
    return ex;
}

const cmd cmd_add = {
    .name = "add",
    .summary = "add an item",
    .usage = "TITLE [--username USER] [--url URL]... [--tag TAG]... [--password-file FILE | "
             "--generate] [--notes-file FILE] [--field NAME=VALUE]... [--json]",
    .help = item_edit_help,
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .opts = item_edit_opts,
    .opt = item_edit_opt,
    .run = run,
};
