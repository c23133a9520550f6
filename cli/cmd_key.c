/* kura key show: the client key again, from any unlocked state, grouped, and with --qr as
 * the kit's QR code drawn in the terminal (Unicode half blocks, or --ascii).
 * kura key rotate: a new client key and vault key, every item re-encrypted, a new kit. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

enum { KEY_SHOW = 1, KEY_ROTATE };
typedef struct key_args {
    int sub;
    int qr, ascii, yes;
    kit_opts kit;
} key_args;

static const opt_row key_rows[] = {
    OPT_SUBCOMMAND("show", key_args, sub, KEY_SHOW, NULL, 0, 0, "the client key, grouped"),
    OPT_FLAG("qr", key_args, qr, "also draw the kit's QR code, for a phone to scan"),
    OPT_FLAG("ascii", key_args, ascii, "draw it with '#' for terminals without Unicode blocks"),
    OPT_SUBCOMMAND("rotate", key_args, sub, KEY_ROTATE, NULL, 0, 0,
                   "a new client key and vault key, every item re-encrypted in one transaction, "
                   "and a new kit; old keys, kits, sessions and device slots stop working; asks "
                   "first on a terminal"),
    OPT_FLAG("yes", key_args, yes,
             "rotate without asking (scripts; without a terminal and without --yes nothing "
             "changes, exit 9)"),
    KIT_ROWS_DIR(key_args, kit, KIT_DIR_HELP),
    KIT_ROW_PAPER(key_args, kit),
    KIT_ROW_LANG(key_args, kit),
    KIT_ROW_NO_KIT(key_args, kit,
                   "no new kit: on a terminal, type the new key's last group back before the "
                   "rotation commits"),
    OPT_END(),
};

/* Dark modules on a light ground whatever the terminal's colours, when it is a terminal. */
static void print_qr(const char *text)
{
    int colour = isatty(STDOUT_FILENO);
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (colour) fputs("\033[30;107m", stdout);
        fwrite(line, 1, n, stdout);
        if (colour) fputs("\033[0m", stdout);
        fputc('\n', stdout);
        line += n + (end ? 1 : 0);
    }
}

typedef struct rotation {
    ctx *c;
    const kit_opts *opts;
    kit_about about; /* the new key's: one generation on, made now */
    char paths[2][4096];
    int fresh[2]; /* which of the kit's files this rotation made */
    int kit;
    int typed_back; /* --no-kit on a terminal: the user types the key's last group back */
    int cancelled;
} rotation;

/* With no kit, the screen must not be the only copy by accident: the user types the new key's
 * last group back (three tries) before the rotation commits. 1 when they did. */
static int typed_back(const kura_client_key *key)
{
    for (int tries = 0; tries < 3; tries++) {
        char *line = tty_ask("Type the last group of the new key to show you have it written "
                             "down: ");
        if (!line) return 0;
        size_t n = 0, at = KURA_KEY_SYMBOLS - 6;
        int same = 1;
        for (const char *p = line; *p; p++) {
            if (*p == ' ' || *p == '-') continue;
            int v = kura_b32_value((unsigned char)*p);
            if (n >= 6 || v < 0 || (unsigned)v != key->sym[at + n]) same = 0;
            n++;
        }
        secret_free(line);
        if (same && n == 6) return 1;
        note("kura: that is not the last group of the new key; look again (%d of 3)", tries + 1);
    }
    return 0;
}

/* Before the rotation commits: the new kit on disk and the new key on the screen, so
 * whatever happens next the user holds a key that opens the vault. */
static int before_commit(void *p, const kura_client_key *key)
{
    rotation *r = p;
    char text[KURA_KEY_TEXT_LEN + 1];
    if (!r->opts->none) {
        if (save_kit(r->c, r->opts, key, &r->about, r->paths, r->fresh) != EX_OK) return 1;
        r->kit = 1;
    }
    if (r->c->json) return 0;
    kura_key_format(text, key);
    char which[32] = "";
    if (r->about.gen.gen) snprintf(which, sizeof which, ", its key %u", r->about.gen.gen);
    printf("New client key for vault %s%s (the old key and old kits stop opening it):\n\n"
           "    %s\n\n",
           kura_vault_id(r->c->v), which, text);
    sodium_memzero(text, sizeof text);
    if (r->kit)
        printf("Saved the new emergency kit:\n  %s\n  %s\n" KIT_DOORMAT "\n", r->paths[0],
               r->paths[1]);
    if (fflush(stdout) != 0) return 1;
    if (r->typed_back && !typed_back(key)) {
        r->cancelled = 1;
        return 1;
    }
    return 0;
}

static int rotate(ctx *c, const key_args *a)
{
    rotation r = {.c = c, .opts = &a->kit};
    size_t items = 0;
    int fd = tty_open();
    if (fd >= 0) close(fd);
    if (fd < 0 && !a->yes)
        return fail(EX_CANCELLED, "not rotated: no terminal to confirm on, and no --yes; "
                                  "nothing was changed");
    int ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    if (!a->yes) {
        char q[300];
        snprintf(q, sizeof q,
                 "Rotate the key of vault %s? Every session and enrolled device must unlock "
                 "again, and old kits stop opening it.",
                 kura_vault_id(c->v));
        if (tty_confirm(q) != 1) return fail(EX_CANCELLED, "not rotated: nothing was changed");
    }
    r.typed_back = a->kit.none && fd >= 0 && !c->json;
    /* What the new kit will say: one key on, made now. */
    if (!a->kit.none) kit_about_vault(c, &r.about);
    if (a->kit.none && kura_vault_key_gen(c->v, NULL, &r.about.gen) != KURA_OK) r.about.gen.gen = 0;
    r.about.gen.gen = r.about.gen.gen ? r.about.gen.gen + 1 : 0;
    r.about.gen.made = (int64_t)time(NULL);
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    int rc = kura_vault_rotate(c->v, key, &items, before_commit, &r);
    if (rc != KURA_OK) {
        sodium_free(key);
        /* The new kit holds a key that opens nothing: the files this rotation made go. */
        int removed = 0;
        for (int i = 0; i < 2 && r.paths[0][0]; i++)
            if (r.fresh[i] && unlink(r.paths[i]) == 0) removed = 1;
        if (removed) r.kit = 0;
        if (r.cancelled)
            return fail(EX_CANCELLED,
                        "not rotated: the new key above was never used; the OLD "
                        "key still opens vault %s",
                        kura_vault_id(c->v));
        if (r.kit || !c->json)
            return fail(exit_code(rc) == EX_OK ? EX_FAIL : exit_code(rc),
                        "the rotation did not happen (%s); the OLD key still opens vault %s%s",
                        kura_error_detail(), kura_vault_id(c->v),
                        r.kit ? ", and the new kit does not" : "");
        return fail_vault(c, rc, "rotate the key");
    }
    /* This device's slot and this shell's session hold the old vault key: useless now. */
    int forgot = kura_device_forget(c->v, c->device_dir) == KURA_OK;
    char text[KURA_KEY_TEXT_LEN + 1];
    kura_key_format(text, key);
    sodium_free(key);
    if (c->json) {
        json_t *kit = kit_json(r.kit, r.paths);
        json_print(json_pack("{s:s, s:s, s:i, s:o, s:I}", "vault_id", kura_vault_id(c->v),
                             "client_key", text, "key", (int)r.about.gen.gen, "kit", kit, "items",
                             (json_int_t)items));
    } else {
        printf("Rotated vault %s: %zu item%s re-encrypted under a new vault key.\n"
               "Sessions and enrolled devices of the old key no longer open it: unlock again%s.\n",
               kura_vault_id(c->v), items, items == 1 ? "" : "s",
               forgot ? ", and enroll this device again with 'kura device enroll'" : "");
    }
    sodium_memzero(text, sizeof text);
    return EX_OK;
}

static int key_exec(ctx *c, void *args, int argc, char **argv)
{
    const key_args *a = args;
    (void)argc, (void)argv;
    if (a->sub == KEY_ROTATE) return rotate(c, a);
    int ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    kura_client_key *key = sodium_malloc(sizeof *key);
    char *text = sodium_malloc(KURA_KEY_TEXT_LEN + 1), *code = NULL;
    if (!key || !text || kura_vault_client_key(c->v, key) != KURA_OK) {
        ex = fail(EX_FAIL, "out of memory");
        goto out;
    }
    kura_key_format(text, key);
    int qrc =
        a->qr || a->ascii ? kura_kit_qr_text(&code, kura_vault_id(c->v), key, a->ascii) : KURA_OK;
    if (qrc != KURA_OK) {
        ex = qrc == KURA_ERR_NO_MODULE ? fail_kit_module()
                                       : fail(EX_FAIL, "cannot draw the QR code");
        goto out;
    }
    if (c->json) {
        json_print(json_pack("{s:s, s:s}", "vault_id", kura_vault_id(c->v), "client_key", text));
        goto out;
    }
    if (code) print_qr(code);
    printf("%s\n", text);
out:
    sodium_free(key);
    sodium_free(text);
    sodium_free(code);
    return ex;
}

const cmd cmd_key = {
    .name = "key",
    .summary = "show the client key again (key show [--qr]), or rotate it (key rotate)",
    .flags = CMD_OPEN,
    .rows = key_rows,
    .args_size = sizeof(key_args),
    .exec = key_exec,
};
