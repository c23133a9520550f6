/* kura export: every item, whole. In plaintext (kura JSON or CSV, both of which `kura
 * import` reads, or another manager's format: export_to.c) only after a typed confirmation or
 * --yes, with a warning; or --encrypted FILE: the JSON sealed under a passphrase of its own,
 * which `kura import` reads on another vault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "export.h"

typedef struct export_args {
    int format; /* enum export_format */
    const char *output, *encrypted, *pass_file;
    int yes;
} export_args;

static int export_format(void *field, const opt_row *row, const char *value)
{
    (void)row;
    int f = strcmp(value, "json") == 0  ? EXPORT_KURA_JSON
            : strcmp(value, "csv") == 0 ? EXPORT_KURA_CSV
                                        : export_format_named(value);
    if (f < 0)
        return fail(EX_USAGE,
                    "unknown export format '%s'; kura exports json, csv, bitwarden-json, "
                    "keepass-xml, 1password-csv or chrome-csv (and --encrypted FILE)",
                    value);
    *(int *)field = f;
    return EX_OK;
}

static const opt_row export_rows[] = {
    OPT_CALL("format", export_args, format, "FORMAT", export_format, 0,
             "kura's JSON (json, the default) or CSV (csv), or another manager's: "
             "bitwarden-json, keepass-xml, 1password-csv, chrome-csv; every password in "
             "plaintext, after you type EXPORT (or --yes in scripts). kura's CSV columns: "
             "title, username, password, urls and tags (a line each), notes, fields (a JSON "
             "list), created, updated, type"),
    OPT_STRING("output", export_args, output, "FILE",
               "write it to FILE (0600) instead of standard output"),
    OPT_FLAG("yes", export_args, yes, "export in plaintext without asking (scripts)"),
    OPT_STRING("encrypted", export_args, encrypted, "FILE",
               "seal it under a passphrase of its own (Argon2id) into FILE; 'kura import FILE' "
               "reads it on any vault"),
    OPT_STRING("export-passphrase-file", export_args, pass_file, "FILE",
               "that passphrase, for scripts"),
    OPT_END(),
};

typedef export_out text;

void export_add(export_out *t, const void *p, size_t n)
{
    (void)kura_gbuf_add(&t->buf, p, n); /* a failure stays in t->buf.failed */
}

void export_adds(export_out *t, const char *s)
{
    export_add(t, s, strlen(s));
}

void export_lost(export_out *t, const char *kind)
{
    size_t i = 0;
    while (i < EXPORT_LOST_KINDS && t->lost[i] && strcmp(t->lost[i], kind) != 0)
        i++;
    if (i == EXPORT_LOST_KINDS) return;
    t->lost[i] = kind;
    t->lost_items[i]++;
}

#define add export_add

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
    return t->buf.failed ? -1 : 0;
}

void export_cell(export_out *t, const char *s, char sep)
{
    add(t, "\"", 1);
    for (const char *q; s && (q = strchr(s, '"')); s = q + 1) {
        add(t, s, (size_t)(q - s) + 1);
        add(t, "\"", 1);
    }
    if (s) add(t, s, strlen(s));
    add(t, "\"", 1);
    add(t, &sep, 1);
}

/* A list as one cell, an element a line (URLs and tags are single-line texts). */
static void list_cell(text *t, const char *const *list, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(list[i]) + 1;
    char *joined = sodium_malloc(len + 1);
    if (!joined) {
        t->buf.failed = 1;
        return;
    }
    joined[0] = '\0';
    for (size_t i = 0, at = 0; i < n; i++) {
        size_t m = strlen(list[i]);
        memcpy(joined + at, list[i], m);
        at += m;
        joined[at++] = i + 1 < n ? '\n' : '\0';
    }
    if (!n) joined[0] = '\0';
    export_cell(t, joined, ',');
    sodium_free(joined);
}

#define CSV_HEADER "title,username,password,urls,notes,tags,fields,created,updated,type\r\n"

/* kura's CSV: the texts, URLs and tags a line each, fields as the JSON list that get --json
 * prints, times as it prints them. */
static int one_csv(text *t, const kura_item *item)
{
    if (!t->items++) add(t, CSV_HEADER, strlen(CSV_HEADER));
    export_cell(t, item->title, ',');
    export_cell(t, item->username, ',');
    export_cell(t, item->password, ',');
    list_cell(t, item->urls, item->n_urls);
    export_cell(t, item->notes, ',');
    list_cell(t, item->tags, item->n_tags);
    char *fields = NULL;
    if (item->n_fields) {
        json_t *j = item_json(item, 1);
        fields = j ? json_dumps(json_object_get(j, "fields"), JSON_COMPACT) : NULL;
        json_decref(j);
        if (!fields) return KURA_ERR_NOMEM;
    }
    export_cell(t, fields, ',');
    json_malloc_t jmalloc;
    json_free_t jfree;
    json_get_alloc_funcs(&jmalloc, &jfree); /* jansson's allocator, which wipes (json_init) */
    if (fields) jfree(fields);
    char when[32];
    format_time(when, item->created);
    export_cell(t, when, ',');
    format_time(when, item->updated);
    export_cell(t, when, ',');
    const kura_type *type = kura_type_get(item->type);
    add(t, "\"", 1);
    add(t, type->name, strlen(type->name));
    add(t, "\"\r\n", 3);
    return t->buf.failed ? KURA_ERR_NOMEM : KURA_OK;
}

int export_attachment_b64(export_out *t, const kura_attachment *a, char **b64)
{
    unsigned char *p;
    size_t n;
    int rc = kura_attachment_read(t->v, a, &p, &n);
    if (rc != KURA_OK) return rc;
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    if ((*b64 = sodium_malloc(len)))
        sodium_bin2base64(*b64, len, p, n, sodium_base64_VARIANT_ORIGINAL);
    sodium_free(p);
    if (!*b64) return KURA_ERR_NOMEM;
    t->files++;
    return KURA_OK;
}

/* Each attachment's content into the item's JSON, as "data" (base64). */
static int files_json(text *t, const kura_item *item, json_t *j)
{
    json_t *list = json_object_get(j, "attachments");
    for (size_t i = 0; i < item->n_attachments; i++) {
        char *b64;
        int rc = export_attachment_b64(t, &item->attachments[i], &b64);
        if (rc != KURA_OK) return rc;
        json_object_set_new(json_array_get(list, i), "data", json_string(b64));
        sodium_free(b64);
    }
    return KURA_OK;
}

static int one(void *data, const kura_item *item)
{
    text *t = data;
    if (t->format == EXPORT_KURA_CSV) {
        t->files_out += item->n_attachments;
        return one_csv(t, item);
    }
    if (t->format != EXPORT_KURA_JSON) return export_foreign_item(t, item);
    json_t *j = item_json(item, 1);
    if (!j) return KURA_ERR_NOMEM;
    int frc = files_json(t, item, j);
    if (frc != KURA_OK) {
        json_decref(j);
        return frc;
    }
    add(t, t->items++ ? ",\n  " : "[\n  ", 4);
    int r = json_dump_callback(j, dump_chunk, t, JSON_INDENT(2));
    json_decref(j);
    return r == 0 && !t->buf.failed ? KURA_OK : KURA_ERR_NOMEM;
}

/* A plaintext export into a file the shell made ("> all.json") has the shell's umask: say so
 * when others can read it. */
static void warn_open_stdout(void)
{
    struct stat sb;
    if (fstat(STDOUT_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 077)) return;
    note("kura: warning: standard output is a file that others can read (mode %04o); run "
         "'chmod 600' on it, or use --output FILE, which writes 0600",
         (unsigned)(sb.st_mode & 07777));
}

static int write_out(const text *t, const char *output)
{
    if (!output) {
        if (fwrite(t->buf.p, 1, t->buf.n, stdout) != t->buf.n || fflush(stdout) != 0)
            return fail(EX_FAIL, "cannot write the export to standard output");
        return EX_OK;
    }
    if (kura_write_private_file(output, t->buf.p, t->buf.n) != KURA_OK)
        return fail(EX_FAIL, "cannot write %s; check the folder exists and is writable", output);
    return EX_OK;
}

static int export_passphrase(char **pass, const char *pass_file)
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

static int export_exec(ctx *c, void *args, int argc, char **argv)
{
    const export_args *a = args;
    const char *output = a->output, *encrypted = a->encrypted;
    int format = a->format;
    (void)argc, (void)argv;
    char *pass = NULL;
    int ex = EX_OK;
    if (encrypted && output)
        return fail(EX_USAGE, "--encrypted names the file itself; leave out --output");
    if (encrypted && format != EXPORT_KURA_JSON)
        return fail(EX_USAGE, "--encrypted seals kura JSON; leave out --format %s",
                    export_format_name(format));
    if (encrypted) {
        ex = export_passphrase(&pass, a->pass_file);
        if (ex != EX_OK) return ex;
        if (strlen(pass) < 8) {
            secret_free(pass);
            return fail(EX_USAGE, "an export passphrase needs at least 8 characters");
        }
    } else {
        if (!a->yes) {
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
        if (!output) warn_open_stdout();
    }
    text t = {.format = format, .v = c->v};
    int rc = kura_item_each_whole(c->v, one, &t);
    if (format == EXPORT_KURA_JSON)
        add(&t, t.items ? "\n]\n" : "[]\n", 3);
    else if (format == EXPORT_KURA_CSV && !t.items)
        add(&t, CSV_HEADER, strlen(CSV_HEADER));
    else if (format != EXPORT_KURA_CSV && (rc == KURA_OK || rc == KURA_ERR_CORRUPT)) {
        int end = export_foreign_end(&t);
        if (rc == KURA_OK) rc = end;
    }
    if (rc == KURA_OK && t.buf.failed) rc = KURA_ERR_NOMEM;
    /* A damaged vault read as it is: what reads is exported, then the exit says what did not. */
    int partial = rc == KURA_ERR_CORRUPT && kura_vault_as_is(c->v) && !t.buf.failed;
    if (partial) rc = KURA_OK;
    if (rc != KURA_OK) {
        ex = fail_vault(c, rc, "export");
    } else if (encrypted) {
        rc = kura_export_seal(encrypted, t.buf.p, t.buf.n, pass, strlen(pass));
        if (rc != KURA_OK)
            ex = fail(EX_FAIL, "cannot write %s: %s", encrypted, kura_strerror(rc));
        else if (c->json)
            json_print(json_pack("{s:s, s:I, s:b}", "file", encrypted, "items", (json_int_t)t.items,
                                 "encrypted", 1));
        else
            printf("exported %zu item%s of vault %s to %s, sealed under its passphrase\n", t.items,
                   t.items == 1 ? "" : "s", kura_vault_id(c->v), encrypted);
    } else {
        ex = write_out(&t, output);
        if (ex == EX_OK && output)
            note("kura: exported %zu item%s to %s", t.items, t.items == 1 ? "" : "s", output);
    }
    if (ex == EX_OK && t.files_out)
        note("kura: warning: the %zu attachment%s of these items %s not in this export; kura's "
             "JSON (the default format, or --encrypted) carries them",
             t.files_out, t.files_out == 1 ? "" : "s", t.files_out == 1 ? "is" : "are");
    for (size_t i = 0; ex == EX_OK && i < EXPORT_LOST_KINDS && t.lost[i]; i++)
        note("kura: warning: not in this export: %s, of %zu item%s; kura's JSON keeps them",
             t.lost[i], t.lost_items[i], t.lost_items[i] == 1 ? "" : "s");
    kura_gbuf_free(&t.buf);
    secret_free(pass);
    if (ex == EX_OK && partial)
        ex = fail(EX_DAMAGED, "exported the %zu item%s that still read; %s", t.items,
                  t.items == 1 ? "" : "s", kura_error_detail());
    return ex;
}

const cmd cmd_export = {
    .name = "export",
    .summary = "write every item out: kura JSON or CSV, another manager's format, or sealed",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .rows = export_rows,
    .args_size = sizeof(export_args),
    .exec = export_exec,
};
