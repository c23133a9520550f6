/* kura kit: save the emergency kit (PDF and PNG), or check that a kit file opens this
 * vault. The kit-writing part is shared with kura init. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cli.h"

kit_opts kit_options = {.dir = ".", .paper = KURA_PAPER_A4, .lang = KURA_LANG_EN};

int kit_opt(int id, const char *arg)
{
    switch (id) {
    case K_DIR:
        kit_options.dir = arg;
        return EX_OK;
    case K_PDF:
        kit_options.pdf = arg;
        return EX_OK;
    case K_PNG:
        kit_options.png = arg;
        return EX_OK;
    case K_PAPER:
        if (strcmp(arg, "a4") == 0)
            kit_options.paper = KURA_PAPER_A4;
        else if (strcmp(arg, "letter") == 0)
            kit_options.paper = KURA_PAPER_LETTER;
        else
            return fail(EX_USAGE, "--paper is a4 or letter");
        return EX_OK;
    case K_LANG:
        if (strcmp(arg, "en") == 0)
            kit_options.lang = KURA_LANG_EN;
        else if (strcmp(arg, "ja") == 0)
            kit_options.lang = KURA_LANG_JA;
        else
            return fail(EX_USAGE, "--lang is en or ja");
        return EX_OK;
    case K_NO_KIT:
        kit_options.none = 1;
        return EX_OK;
    }
    return EX_USAGE;
}

static int kit_failed(int rc, const char *path)
{
    if (rc == KURA_ERR_NO_MODULE) return fail_kit_module();
    if (rc == KURA_ERR_NOT_FOUND)
        return fail(EX_FAIL,
                    "cannot write %s: a font it needs is missing; install "
                    "fonts-dejavu-core and fonts-ipafont-gothic",
                    path);
    return fail(EX_FAIL,
                "cannot write the kit to %s: %s; check the folder exists and is "
                "writable",
                path, rc == KURA_ERR_IO ? strerror(errno) : kura_strerror(rc));
}

int save_kit(ctx *c, const kura_client_key *key, char paths[2][4096])
{
    char date[16], pdf[PATH_MAX], png[PATH_MAX], dir[PATH_MAX];
    time_t now = time(NULL);
    struct tm tm;
    int ex = EX_OK;

    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (!realpath(kit_options.dir, dir)) {
        return fail(EX_NOT_FOUND,
                    "no folder %s for the kit; make it or name another with "
                    "--dir",
                    kit_options.dir);
    }
    if (kura_kit_names(pdf, png, sizeof pdf, dir, kura_vault_id(c->v)) != KURA_OK)
        return fail(EX_USAGE, "the kit folder's path is too long");
    snprintf(paths[0], PATH_MAX, "%s", kit_options.pdf ? kit_options.pdf : pdf);
    snprintf(paths[1], PATH_MAX, "%s", kit_options.png ? kit_options.png : png);
    kura_kit_spec spec = {
        .vault_id = kura_vault_id(c->v),
        .vault_name = kura_vault_name(c->v),
        .key = key,
        .date = date,
        .paper = kit_options.paper,
        .lang = kit_options.lang,
    };
    int rc = kura_kit_write_pdf(paths[0], &spec);
    if (rc != KURA_OK) ex = kit_failed(rc, paths[0]);
    if (ex == EX_OK && (rc = kura_kit_write_png(paths[1], &spec)) != KURA_OK)
        ex = kit_failed(rc, paths[1]);
    return ex;
}

json_t *kit_json(int saved, char paths[2][4096])
{
    return saved ? json_pack("[s,s]", paths[0], paths[1]) : json_array();
}

/* kura kit check FILE: does this kit open this vault? */
static int check(ctx *c, const char *file)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    char id[KURA_VAULT_ID_TEXT + 1];
    if (!key) return fail(EX_FAIL, "out of memory");
    int ex = read_kit(key, id, file);
    if (ex == EX_OK && strcmp(id, kura_vault_id(c->v)) != 0)
        ex = fail(
            EX_WRONG_KEY,
            "%s is the kit of vault %s, not of this vault: this key does not open vault %s (%s)",
            file, id, kura_vault_id(c->v), c->vault_path);
    if (ex == EX_OK) {
        int rc = kura_vault_unlock(c->v, key);
        if (rc == KURA_ERR_WRONG_KEY)
            ex = fail(EX_WRONG_KEY,
                      "%s is an old kit of vault %s: its key no longer opens it; "
                      "save a new one with 'kura kit'",
                      file, id);
        else if (rc != KURA_OK)
            ex = fail_vault(c, rc, "check the kit");
    }
    sodium_free(key);
    if (ex != EX_OK) return ex;
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:b}", "kit", file, "vault_id", id, "opens", 1));
    else
        printf("%s opens vault %s: keep it somewhere safe\n", file, id);
    return EX_OK;
}

enum { O_DIR = K_DIR, O_PDF = K_PDF, O_PNG = K_PNG, O_PAPER = K_PAPER, O_LANG = K_LANG };
static const struct option opts[] = {
    {"dir", required_argument, NULL, O_DIR},   {"pdf", required_argument, NULL, O_PDF},
    {"png", required_argument, NULL, O_PNG},   {"paper", required_argument, NULL, O_PAPER},
    {"lang", required_argument, NULL, O_LANG}, {0},
};

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    return kit_opt(id, arg);
}

static int run(ctx *c, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "check") == 0) {
        if (argc != 2) return fail(EX_USAGE, "usage: kura kit check FILE");
        return check(c, argv[1]);
    }
    if (argc > 0) return fail(EX_USAGE, "unknown kit command '%s'; see 'kura help kit'", argv[0]);
    int ex = unlock_vault(c);
    if (ex != EX_OK) return ex;
    char paths[2][4096];
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    ex = kura_vault_client_key(c->v, key) == KURA_OK ? save_kit(c, key, paths)
                                                     : fail(EX_LOCKED, "the vault is locked");
    sodium_free(key);
    if (ex != EX_OK) return ex;
    if (c->json) {
        json_print(json_pack("{s:s, s:[s,s]}", "vault_id", kura_vault_id(c->v), "kit", paths[0],
                             paths[1]));
        return EX_OK;
    }
    printf("Saved the emergency kit of vault %s:\n  %s\n  %s\n"
           "Print the PDF and keep it somewhere safe; check a copy any time with "
           "'kura kit check FILE'.\n",
           kura_vault_id(c->v), paths[0], paths[1]);
    return EX_OK;
}

const cmd cmd_kit = {
    .name = "kit",
    .summary = "save the emergency kit (PDF and PNG), or check one: kura kit check FILE",
    .usage = "[--dir DIR] [--pdf FILE] [--png FILE] [--paper a4|letter] [--lang en|ja] | "
             "check FILE",
    .help = "  --dir DIR          the folder for both files (default: the current folder)\n"
            "  --pdf FILE, --png FILE   name either file yourself\n"
            "  --paper a4|letter  paper size (default a4)\n"
            "  --lang en|ja       the kit's language (default en)\n"
            "  check FILE         say whether a kit image (PNG, JPEG) opens this vault\n",
    .flags = CMD_OPEN,
    .max_args = 2,
    .opts = opts,
    .opt = opt,
    .run = run,
};
