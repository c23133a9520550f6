/* kura export: every item, whole. In plaintext (kura JSON, what `kura import` reads) only
 * after a typed confirmation or --yes, with a warning; or --encrypted FILE: the same JSON
 * sealed under a passphrase of its own, which `kura import` reads on another vault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

enum { O_FORMAT = 1, O_OUTPUT, O_ENCRYPTED, O_YES, O_EXPORT_PASS };
static const struct option opts[] = {
    {"format", required_argument, NULL, O_FORMAT},
    {"output", required_argument, NULL, O_OUTPUT},
    {"encrypted", required_argument, NULL, O_ENCRYPTED},
    {"yes", no_argument, NULL, O_YES},
    {"export-passphrase-file", required_argument, NULL, O_EXPORT_PASS},
    {0},
};
static const char *output, *encrypted, *pass_file;
static int yes;

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    switch (id) {
    case O_FORMAT:
        if (strcmp(arg, "json") != 0)
            return fail(EX_USAGE, "unknown export format '%s'; this kura exports json (and "
                                  "--encrypted FILE)",
                        arg);
        break;
    case O_OUTPUT:
        output = arg;
        break;
    case O_ENCRYPTED:
        encrypted = arg;
        break;
    case O_YES:
        yes = 1;
        break;
    case O_EXPORT_PASS:
        pass_file = arg;
        break;
    }
    return EX_OK;
}

/* The JSON, built in guarded memory: it holds every password. */
typedef struct text {
    unsigned char *p;
    size_t n, cap;
    size_t items;
    int failed;
} text;

static void add(text *t, const void *p, size_t n)
{
    if (t->failed) return;
    if (t->n + n > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1 << 16;
        while (cap < t->n + n)
            cap *= 2;
        unsigned char *grown = sodium_malloc(cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        if (t->n) memcpy(grown, t->p, t->n);
        sodium_free(t->p);
        t->p = grown;
        t->cap = cap;
    }
    memcpy(t->p + t->n, p, n);
    t->n += n;
}

static int dump_chunk(const char *buffer, size_t size, void *data)
{
    text *t = data;
    for (const char *end = buffer + size; buffer < end;) { /* each line two more in */
        const char *nl = memchr(buffer, '\n', (size_t)(end - buffer));
        size_t n = nl ? (size_t)(nl - buffer) + 1 : (size_t)(end - buffer);
        add(t, buffer, n);
        if (nl) add(t, "  ", 2);
        buffer += n;
    }
    return t->failed ? -1 : 0;
}

static int one(void *data, const kura_item *item)
{
    text *t = data;
    json_t *j = item_json(item, 1);
    if (!j) return KURA_ERR_NOMEM;
    add(t, t->items++ ? ",\n  " : "[\n  ", 4);
    int r = json_dump_callback(j, dump_chunk, t, JSON_INDENT(2));
    json_decref(j);
    return r == 0 && !t->failed ? KURA_OK : KURA_ERR_NOMEM;
}

static int write_out(const text *t)
{
    if (!output) {
        if (fwrite(t->p, 1, t->n, stdout) != t->n || fflush(stdout) != 0)
            return fail(EX_FAIL, "cannot write the export to standard output");
        return EX_OK;
    }
    if (kura_write_private_file(output, t->p, t->n) != KURA_OK)
        return fail(EX_FAIL, "cannot write %s; check the folder exists and is writable", output);
    return EX_OK;
}

static int export_passphrase(char **pass)
{
    if (pass_file) return read_secret_file(pass, pass_file, "export passphrase", 1024);
    char *a = tty_secret("A passphrase for the export (it opens the file on any vault): ");
    if (!a)
        return fail(EX_LOCKED, "no terminal to ask for the export's passphrase; pass "
                               "--export-passphrase-file FILE");
    char *b = tty_secret("Again, to be sure: ");
    int same = b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
    secret_free(b);
    if (!same) {
        secret_free(a);
        return fail(EX_CANCELLED, "the passphrases did not match; nothing was exported");
    }
    *pass = a;
    return EX_OK;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    char *pass = NULL;
    int ex = EX_OK;
    if (encrypted && output)
        return fail(EX_USAGE, "--encrypted names the file itself; leave out --output");
    if (encrypted) {
        ex = export_passphrase(&pass);
        if (ex != EX_OK) return ex;
        if (strlen(pass) < 8) {
            secret_free(pass);
            return fail(EX_USAGE, "an export passphrase needs at least 8 characters");
        }
    } else {
        if (!yes) {
            char *typed = tty_ask("A plaintext export holds every password in the clear. Type "
                                  "EXPORT to write it: ");
            int ok = typed && strcmp(typed, "EXPORT") == 0;
            if (!typed)
                ex = fail(EX_CANCELLED, "not exported: no terminal to confirm on; pass --yes "
                                        "to export from a script");
            else if (!ok)
                ex = fail(EX_CANCELLED, "not exported");
            secret_free(typed);
            if (ex != EX_OK) return ex;
        }
        note("kura: this export holds every password of vault %s in the clear; keep it off "
             "shared disks and delete it when done (--encrypted FILE seals it instead)",
             kura_vault_id(c->v));
    }
    text t = {0};
    int rc = kura_item_each_whole(c->v, one, &t);
    add(&t, t.items ? "\n]\n" : "[]\n", 3);
    if (rc == KURA_OK && t.failed) rc = KURA_ERR_NOMEM;
    if (rc != KURA_OK) {
        ex = fail_vault(c, rc, "export");
    } else if (encrypted) {
        rc = kura_export_seal(encrypted, t.p, t.n, pass, strlen(pass));
        if (rc != KURA_OK)
            ex = fail(EX_FAIL, "cannot write %s: %s", encrypted, kura_strerror(rc));
        else if (c->json)
            json_print(json_pack("{s:s, s:I, s:b}", "file", encrypted, "items",
                                 (json_int_t)t.items, "encrypted", 1));
        else
            printf("exported %zu item%s of vault %s to %s, sealed under its passphrase\n",
                   t.items, t.items == 1 ? "" : "s", kura_vault_id(c->v), encrypted);
    } else {
        ex = write_out(&t);
        if (ex == EX_OK && output)
            note("kura: exported %zu item%s to %s", t.items, t.items == 1 ? "" : "s", output);
    }
    sodium_free(t.p);
    secret_free(pass);
    return ex;
}

const cmd cmd_export = {
    .name = "export",
    .summary = "write every item out: kura JSON, or sealed under a passphrase",
    .usage = "[--format json] [--output FILE] [--yes] | --encrypted FILE "
             "[--export-passphrase-file F] [--json]",
    .help = "  --format json      kura's JSON (what 'kura import' reads): every password in\n"
            "                     plaintext, after you type EXPORT (or --yes in scripts)\n"
            "  --output FILE      write it to FILE (0600) instead of standard output\n"
            "  --encrypted FILE   seal it under a passphrase of its own (Argon2id) into FILE;\n"
            "                     'kura import FILE' reads it on any vault\n"
            "  --export-passphrase-file F   that passphrase, for scripts\n",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .max_args = 0,
    .opts = opts,
    .opt = opt,
    .run = run,
};
