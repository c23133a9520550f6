/* kura key show: the client key again, from any unlocked state, grouped, and with --qr as
 * the kit's QR code drawn in the terminal (Unicode half blocks, or --ascii). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

enum { O_QR = 1, O_ASCII };
static const struct option opts[] = {
    {"qr", no_argument, NULL, O_QR},
    {"ascii", no_argument, NULL, O_ASCII},
    {0},
};
static int qr, ascii;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c, (void)arg;
    if (id == O_QR) qr = 1;
    if (id == O_ASCII) qr = ascii = 1;
    return EX_OK;
}

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

static int run(ctx *c, int argc, char **argv)
{
    if (argc != 1 || strcmp(argv[0], "show") != 0)
        return fail(EX_USAGE, "usage: kura key show [--qr] [--ascii]");
    int ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    kura_client_key *key = sodium_malloc(sizeof *key);
    char *text = sodium_malloc(KURA_KEY_TEXT_LEN + 1), *code = NULL;
    if (!key || !text || kura_vault_client_key(c->v, key) != KURA_OK) {
        ex = fail(EX_FAIL, "out of memory");
        goto out;
    }
    kura_key_format(text, key);
    if (qr && kura_kit_qr_text(&code, kura_vault_id(c->v), key, ascii) != KURA_OK) {
        ex = fail(EX_FAIL, "cannot draw the QR code");
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
    .summary = "show the client key again: kura key show [--qr]",
    .usage = "show [--qr] [--ascii] [--json]",
    .help = "  --qr               also draw the kit's QR code, for a phone to scan\n"
            "  --ascii            draw it with '#' for terminals without Unicode blocks\n",
    .flags = CMD_OPEN,
    .min_args = 1,
    .max_args = 1,
    .opts = opts,
    .opt = opt,
    .run = run,
};
