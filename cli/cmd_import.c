/* kura import: items from a file into the vault, in one transaction. kura's own JSON (an
 * array of items as `kura get --json --reveal` prints them, or an object whose "items" is such
 * an array) is read here; other managers' exports by kura-import.so (kura/import.h). An item
 * that cannot be taken is skipped with its reason; an item the vault already holds (the same
 * title, username and first URL) is updated, or left alone when nothing changed; anything
 * else that fails leaves the vault as it was. */
#define _GNU_SOURCE /* timegm */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef struct import_args {
    int force;
    const char *from, *pass_file;
    const char *file; /* the argument */
} import_args;

static const opt_row import_rows[] = {
    OPT_STRING("from", import_args, from, "FORMAT",
               "what FILE is; told from the file when absent. FORMAT is one of kura (kura's "
               "JSON: what 'kura export' and 'kura get --json --reveal' print), kura-csv, "
               "bitwarden-json, bitwarden-csv, 1password-1pux, 1password-csv, keepassxc-csv, "
               "keepass-xml, lastpass-csv, chrome-csv (Chrome and Edge), firefox-csv. FILE - reads "
               "stdin. A "
               "file of 'kura export --encrypted' is told apart and opened. An item the vault "
               "holds already (same title, username and first URL) gets what the file adds or "
               "changes; nothing is removed from it"),
    OPT_STRING("export-passphrase-file", import_args, pass_file, "FILE",
               "the passphrase of an encrypted export"),
    OPT_FLAG("force", import_args, force,
             "import even when the file holds passwords or TOTP secrets that the format's reader "
             "leaves out (a column or key it does not read); without it, nothing is imported"),
    OPT_END(),
};
typedef struct skipped_item {
    size_t index;
    const char *why;
} skipped_item;

typedef struct counts {
    size_t added, updated, unchanged, skipped;
    size_t files;     /* attachments taken with their items */
    size_t versions;  /* older versions (password histories) put into the items' histories */
    size_t files_out; /* attachments not taken: over 100 MiB, or past 64 an item */
    size_t kept;      /* values of the file left alone: the vault's were newer (or maybe newer) */
    skipped_item *skips; /* --json: every skipped element, for the report */
    size_t n_skips, cap_skips;
} counts;

/* The whole file in memory, read in large blocks (jansson's own file reader takes a byte at a
 * time), without the UTF-8 byte order mark Windows tools put first: no reader wants it. The
 * caller wipes and frees it. NULL with errno set on failure. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *p = malloc(cap);
    while (p) {
        n += fread(p + n, 1, cap - n, f);
        if (n < cap) break;
        char *grown = malloc(cap * 2);
        if (grown) memcpy(grown, p, n);
        sodium_memzero(p, n);
        free(p);
        p = grown;
        cap *= 2;
    }
    if (p && ferror(f)) {
        sodium_memzero(p, n);
        free(p);
        p = NULL;
    }
    if (p && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
        memmove(p, p + 3, n - 3);
        sodium_memzero(p + n - 3, 3);
        n -= 3;
    }
    *len = n;
    return p;
}

static int skip(counts *n, progress *p, const char *file, size_t index, const char *why, int json)
{
    n->skipped++;
    if (!json) {
        progress_clear(p);
        note("kura: skipped item %zu of %s: %s", index + 1, file, why);
        return KURA_OK;
    }
    if (kura_grow(&n->skips, &n->cap_skips, n->n_skips, sizeof *n->skips) != KURA_OK)
        return KURA_ERR_NOMEM;
    n->skips[n->n_skips++] = (skipped_item){index, why};
    return KURA_OK;
}

/* An attachment's name as kura takes it: '/' and control characters become '_', at most 255
 * bytes (cut where a UTF-8 character starts), a taken one numbered ("scan.jpg (2)"). */
static void file_name(char out[256], const char *name, const kura_item *it)
{
    size_t n = 0;
    for (; name[n] && n < 240; n++)
        out[n] = name[n] == '/' || (unsigned char)name[n] < 0x20 || name[n] == 0x7f ? '_' : name[n];
    while (n && name[n] && ((unsigned char)out[n] & 0xc0) == 0x80) /* not in a character */
        n--;
    out[n] = '\0';
    if (!n || strcmp(out, ".") == 0 || strcmp(out, "..") == 0) snprintf(out, 256, "attachment");
    char base[256];
    snprintf(base, sizeof base, "%s", out);
    for (int k = 2; kura_item_attachment(it, out) && k < 1000; k++)
        snprintf(out, 256, "%.240s (%d)", base, k);
}

/* The attachments the reader kept with slot's item, sealed into the batch and added to it. */
static int attach_all(ring *r, size_t slot, kura_batch *batch, counts *n, progress *p,
                      const char *file)
{
    const struct files *f = &r->files[slot];
    kura_item *it = r->item[slot];
    for (size_t off = 0; off < f->n;) {
        const char *name = (const char *)f->p + off;
        size_t len = strlen(name), size = 0;
        for (int i = 7; i >= 0; i--)
            size = size << 8 | f->p[off + len + 1 + i];
        const unsigned char *data = f->p + off + len + 1 + 8;
        off += len + 1 + 8 + size;
        char taken[256];
        file_name(taken, name, it);
        int rc = kura_batch_attach(batch, it, taken, data, size);
        if (rc == KURA_ERR_TOO_BIG || rc == KURA_ERR_INVALID) {
            n->files_out++;
            progress_clear(p);
            note("kura: warning: attachment \"%s\" of \"%s\" in %s not imported: %s", taken,
                 it->title ? it->title : "", file,
                 rc == KURA_ERR_TOO_BIG ? "it is over 100 MiB" : "the item has 64 already");
            continue;
        }
        if (rc != KURA_OK) return rc;
    }
    return KURA_OK;
}

/* How many of it's attachments the vault took: all for an item added, else those the
 * vault's item (have, as merged) now names. */
static size_t files_taken(const kura_item *it, const kura_item *have, enum kura_merged what)
{
    if (what == KURA_MERGED_ADDED) return it->n_attachments;
    size_t k = 0;
    for (size_t i = 0; what == KURA_MERGED_UPDATED && i < it->n_attachments; i++)
        for (size_t j = 0; j < have->n_attachments; j++)
            k += memcmp(it->attachments[i].id, have->attachments[j].id, KURA_ATTACHMENT_ID_BYTES) ==
                 0;
    return k;
}

/* The main thread: each read item in order, merged into the batch or reported as skipped. */
static int store_all(ring *r, kura_batch *batch, kura_matches *m, counts *n, progress *p,
                     const char *file, int json)
{
    kura_item *have = kura_item_new(); /* the vault's item, read for each match */
    if (!have) {
        ring_stop(r);
        return KURA_ERR_NOMEM;
    }
    int rc = KURA_OK;
    size_t slot;
    while (ring_take(r, &slot)) {
        if (!r->why[slot]) {
            enum kura_merged what = KURA_MERGED_ADDED;
            rc = attach_all(r, slot, batch, n, p, file);
            if (rc == KURA_OK)
                rc = kura_batch_merge(batch, m, r->item[slot], have, &what, &n->kept);
            if (rc == KURA_OK) n->files += files_taken(r->item[slot], have, what);
            /* Its older versions, into the history of the item it became. */
            const kura_item *into = what == KURA_MERGED_ADDED ? r->item[slot] : have;
            for (size_t k = 0; rc == KURA_OK && k < r->n_past[slot]; k++) {
                const kura_item *old = r->past[slot][k];
                if (!old->title || !*old->title) continue;
                int added = 0;
                rc = kura_batch_past(batch, into, old, &added);
                n->versions += (size_t)added;
            }
            if (rc == KURA_OK) {
                n->added += what == KURA_MERGED_ADDED;
                n->updated += what == KURA_MERGED_UPDATED;
                n->unchanged += what == KURA_MERGED_UNCHANGED;
            }
        } else {
            rc = skip(n, p, file, r->index[slot], r->why[slot], json);
        }
        ring_release(r, rc != KURA_OK);
        if (rc != KURA_OK) break;
        if ((r->head & 63) == 0) progress_draw(p, ring_done(r), r->len, r->head);
    }
    progress_clear(p);
    kura_item_free(have);
    return rc;
}

/* An encrypted export in *text (malloc'd, freed here) replaced by its JSON in guarded memory
 * (sodium_free it). Asks for its passphrase, or reads --export-passphrase-file. */
static int open_sealed(char **text, size_t *len, const char *file, const char *pass_file)
{
    char *pass = NULL;
    unsigned char *json = NULL;
    size_t n = 0;
    int ex = pass_file ? read_secret_file(&pass, pass_file, "export passphrase", 1024) : EX_OK;
    if (ex == EX_OK && !pass && !(pass = tty_secret("Passphrase of the export: ")))
        ex = fail(EX_LOCKED,
                  "%s is an encrypted export and there is no terminal to ask for its "
                  "passphrase; pass --export-passphrase-file FILE",
                  file);
    int rc = ex == EX_OK ? kura_export_open(&json, &n, (const unsigned char *)*text, *len, pass,
                                            strlen(pass))
                         : KURA_OK;
    secret_free(pass);
    free(*text); /* ciphertext */
    *text = NULL;
    if (ex != EX_OK) return ex;
    if (rc == KURA_ERR_WRONG_KEY)
        return fail(EX_WRONG_KEY,
                    "the passphrase does not open the export %s (or its start is "
                    "damaged); nothing imported",
                    file);
    if (rc == KURA_ERR_NOMEM) return fail(EX_FAIL, "out of memory opening %s", file);
    if (rc != KURA_OK)
        return fail(EX_DAMAGED, "the export %s is damaged or cut short; nothing imported", file);
    *text = (char *)json;
    *len = n;
    return EX_OK;
}

/* What the text is: the format --from names, or the one told from the text (*detected). */
static int format_of(const kura_import_format **out, int *detected, const import_args *a,
                     const char *text, size_t len, int sealed)
{
    *detected = !a->from;
    if (sealed) {
        *out = kura_import_format_sealed();
        return EX_OK;
    }
    if (a->from) {
        *out = kura_import_format_named(a->from); /* import_exec refused an unknown one */
        return EX_OK;
    }
    int rc = kura_import_detect(out, (const unsigned char *)text, len);
    if (rc == KURA_ERR_NO_MODULE) return fail_import_module(kura_error_detail());
    if (rc != KURA_OK) {
        char names[400];
        kura_import_format_names(names, sizeof names);
        return fail(EX_FAIL,
                    "cannot tell what kind of export %s is; name it with --from FORMAT (%s); "
                    "nothing imported",
                    a->file, names);
    }
    return EX_OK;
}

/* The reader's failure (r->read_rc, not KURA_OK) as words and an exit code. */
static int read_failed(const ring *r, const char *file, int too_big)
{
    const char *label = kura_import_format_label(r->format);
    switch (too_big ? KURA_ERR_NOMEM : r->read_rc) {
    case KURA_ERR_NO_MODULE:
        return fail_import_module(r->err);
    case KURA_ERR_NOMEM:
        if (too_big)
            return fail(EX_FAIL,
                        "%s needs more memory than kura gives an import (%zu MiB: 16 times "
                        "the file, at least 256 MiB); nothing imported",
                        file, KURA_IMPORT_BUDGET(r->len) >> 20);
        return fail(EX_FAIL, "out of memory reading %s; nothing imported", file);
    case KURA_ERR_CORRUPT:
        return fail(EX_FAIL, "%s is not JSON kura can read (%s); nothing imported", file, r->err);
    case KURA_ERR_NOT_FOUND:
        return fail(EX_FAIL, "%s holds no list of items; nothing imported", file);
    case KURA_ERR_UNREAD:
        return fail(EX_FAIL,
                    "%s is not a %s file kura can read: %s, so the file may be another "
                    "manager's export; to import it without that, name its format with "
                    "--from; nothing imported",
                    file, label, r->err);
    default:
        return fail(EX_FAIL, "%s is not a %s file kura can read: %s; nothing imported", file, label,
                    r->err[0] ? r->err : "it stopped half-way");
    }
}

/* A kind of data the reader left out that holds a secret (a password or TOTP column or key),
 * or NULL: such an import is refused unless --force. */
static const char *secret_dropped(const ring *r)
{
    static const char *const words[] = {"password", "totp", "otp", "2fa", "secret"};
    for (size_t i = 0; i < r->n_drops; i++) {
        char low[80];
        size_t n = 0;
        for (; r->drops[i].kind[n] && n + 1 < sizeof low; n++)
            low[n] = (char)tolower((unsigned char)r->drops[i].kind[n]);
        low[n] = '\0';
        if (strchr(low, '(')) continue; /* said with its reason: attachments, passkeys */
        for (size_t k = 0; k < sizeof words / sizeof *words; k++)
            if (strstr(low, words[k])) return r->drops[i].kind;
    }
    return NULL;
}

static void report(const ring *im, const counts *n, const kura_import_format *f, int detected,
                   const char *file, int json)
{
    const char *format = kura_import_format_name(f);
    size_t imported = n->added + n->updated;
    if (json) {
        json_t *skips = json_array();
        for (size_t i = 0; i < n->n_skips; i++)
            json_array_append_new(skips,
                                  json_pack("{s:I, s:s}", "item", (json_int_t)n->skips[i].index + 1,
                                            "reason", n->skips[i].why));
        json_t *drops = json_array();
        for (size_t i = 0; i < im->n_drops; i++)
            json_array_append_new(drops, json_pack("{s:s, s:I}", "kind", im->drops[i].kind, "items",
                                                   (json_int_t)im->drops[i].items));
        json_t *items = json_array();
        for (size_t i = 0; i < im->n_item_drops; i++) {
            const struct item_drop *d = &im->item_drops[i];
            json_t *kinds = json_array();
            for (size_t k = 0; k < im->n_drops; k++)
                if (d->kinds & (1u << k))
                    json_array_append_new(kinds, json_string(im->drops[k].kind));
            json_array_append_new(items,
                                  json_pack("{s:I, s:s?, s:o}", "item", (json_int_t)d->index + 1,
                                            "title", d->title, "kinds", kinds));
        }
        json_print(json_pack(
            "{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I}", "file",
            file, "format", format, "detected", detected, "imported", (json_int_t)imported, "added",
            (json_int_t)n->added, "updated", (json_int_t)n->updated, "unchanged",
            (json_int_t)n->unchanged, "skipped", (json_int_t)n->skipped, "kept_newer",
            (json_int_t)n->kept, "skipped_items", skips, "dropped", drops, "dropped_items", items,
            "attachments", (json_int_t)n->files, "attachments_not_imported",
            (json_int_t)n->files_out, "older_versions", (json_int_t)n->versions));
        return;
    }
    for (size_t i = 0; i < im->n_drops; i++)
        note("kura: warning: %s of %zu item%s in %s not imported%s", im->drops[i].kind,
             im->drops[i].items, im->drops[i].items == 1 ? "" : "s", file,
             strchr(im->drops[i].kind, '(') ? "" : ": kura does not keep it");
    printf("imported %zu item%s from %s (%s%s): %zu new, %zu updated, %zu unchanged, %zu "
           "skipped",
           imported, imported == 1 ? "" : "s", file, kura_import_format_label(f),
           detected ? ", detected" : "", n->added, n->updated, n->unchanged, n->skipped);
    if (n->files) printf("; %zu attachment%s", n->files, n->files == 1 ? "" : "s");
    if (n->versions)
        printf("; %zu older version%s in the items' histories", n->versions,
               n->versions == 1 ? "" : "s");
    printf("\n");
    if (n->kept)
        note("kura: %zu value%s in %s left alone: the vault's %s newer (or the file does not say "
             "when it changed)",
             n->kept, n->kept == 1 ? "" : "s", file, n->kept == 1 ? "is" : "are");
}

static int import_exec(ctx *c, void *args, int argc, char **argv)
{
    import_args *a = args;
    (void)argc;
    const char *file = a->file = argv[0];
    if (a->from && !kura_import_format_named(a->from)) {
        char names[400];
        kura_import_format_names(names, sizeof names);
        return fail(EX_USAGE, "unknown format '%s' for --from; kura imports: %s", a->from, names);
    }
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        if (errno == ENOENT) return fail(EX_NOT_FOUND, "no file %s to import", file);
        return fail(EX_FAIL, "cannot read %s: %s; nothing imported", file, strerror(errno));
    }
    size_t len;
    char *text = read_all(f, &len);
    int err = errno;
    if (f != stdin) fclose(f);
    if (!text) return fail(EX_FAIL, "cannot read %s: %s; nothing imported", file, strerror(err));
    int sealed = kura_export_is((const unsigned char *)text, len), detected = 0;
    const kura_import_format *format = NULL;
    int ex = format_of(&format, &detected, a, text, len, sealed);
    if (ex == EX_OK && sealed) ex = open_sealed(&text, &len, file, a->pass_file);
    if (ex != EX_OK) {
        if (text && !sealed) sodium_memzero(text, len);
        free(sealed ? NULL : text);
        return ex;
    }

    static ring r; /* its slots are large */
    kura_matches *m = NULL;
    counts n = {0};
    progress p;
    progress_start(&p, !c->json && isatty(STDERR_FILENO));
    r = (ring){.format = format, .text = text, .len = len, .named = a->from != NULL};
    kura_batch *batch = NULL;
    int rc = kura_matches_load(c->v, &m);
    if (rc == KURA_OK) rc = kura_batch_begin(c->v, &batch);
    if (rc == KURA_OK) {
        json_limit(KURA_IMPORT_BUDGET(len)); /* what the file's JSON may take to parse */
        rc = ring_start(&r);
        if (rc == KURA_OK) rc = store_all(&r, batch, m, &n, &p, file, c->json);
    }
    ring_end(&r);
    if (sealed) {
        sodium_free(text);
    } else {
        sodium_memzero(text, len);
        free(text);
    }
    kura_matches_free(m);
    int too_big = json_limit_hit(); /* jansson's memory ran past the import's budget */
    json_limit(0);
    const char *secret =
        rc == KURA_OK && r.read_rc == KURA_OK && !a->force ? secret_dropped(&r) : NULL;
    if (secret)
        ex = fail(EX_FAIL,
                  "%s holds %s that the %s reader leaves out, so importing would lose a secret; "
                  "nothing imported (--force imports the rest)",
                  file, secret, kura_import_format_label(format));
    else if (rc == KURA_OK && r.files_failed)
        ex = fail(EX_FAIL, "out of memory holding the attachments of %s; nothing imported", file);
    else if (rc == KURA_OK && r.read_rc != KURA_OK)
        ex = read_failed(&r, file, too_big);
    if (rc == KURA_OK && ex == EX_OK) {
        rc = kura_batch_commit(batch);
    } else {
        kura_batch_abort(batch);
    }
    if (ex == EX_OK && rc != KURA_OK) ex = fail_vault(c, rc, "import (nothing was imported)");
    if (ex == EX_OK) report(&r, &n, format, detected, file, c->json);
    ring_free_drops(&r);
    free(n.skips);
    return ex;
}

const cmd cmd_import = {
    .name = "import",
    .summary = "add items from a file (kura, Bitwarden, 1Password, KeePass, browsers), all or none",
    .args = "FILE",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_WRITES,
    .min_args = 1,
    .max_args = 1,
    .rows = import_rows,
    .args_size = sizeof(import_args),
    .exec = import_exec,
};
