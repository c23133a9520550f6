/* kura import: items from a file into the vault, in one transaction. This first format is
 * kura's own JSON: an array of items as `kura get --json --reveal` prints them (or an object
 * whose "items" is such an array). An item that cannot be taken is skipped with its reason;
 * anything else that fails leaves the vault as it was. */
#define _GNU_SOURCE /* timegm */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "cli.h"

enum { O_FROM = 1, O_EXPORT_PASS };
static const struct option opts[] = {
    {"from", required_argument, NULL, O_FROM},
    {"export-passphrase-file", required_argument, NULL, O_EXPORT_PASS},
    {0},
};
static const char *from, *pass_file;

#define MAX_SKIP_LINES 20

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    if (id == O_FROM) from = arg;
    if (id == O_EXPORT_PASS) pass_file = arg;
    return EX_OK;
}

/* "2026-11-22T02:37:11Z" (as kura prints it) or seconds since the epoch; 0 if neither. */
static int64_t parse_time(const json_t *j)
{
    if (json_is_integer(j)) return (int64_t)json_integer_value(j);
    if (!json_is_string(j)) return 0;
    struct tm tm = {0};
    const char *end = strptime(json_string_value(j), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) return 0;
    time_t t = timegm(&tm);
    return t > 0 ? (int64_t)t : 0;
}

/* An optional string member: NULL if absent; sets *bad if it is there but not a string. */
static const char *text_of(const json_t *o, const char *key, int *bad)
{
    const json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) return NULL;
    if (!json_is_string(j)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(j);
}

/* One JSON object into item; NULL, or why it cannot be taken. */
static const char *to_item(kura_item *it, const json_t *o)
{
    int bad = 0;
    if (!json_is_object(o)) return "not an object";
    const char *title = text_of(o, "title", &bad);
    if (bad || !title || !*title) return "no title";
    struct {
        enum kura_item_text which;
        const char *key;
    } texts[] = {{KURA_TITLE, "title"},
                 {KURA_USERNAME, "username"},
                 {KURA_PASSWORD, "password"},
                 {KURA_NOTES, "notes"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *s = text_of(o, texts[i].key, &bad);
        if (bad) return "a text that is not a string";
        if (s && kura_item_set(it, texts[i].which, s) != KURA_OK)
            return "a text too long, not UTF-8, or with control characters";
    }
    const json_t *url = json_object_get(o, "url"), *list, *v;
    size_t i;
    if (json_is_string(url) && kura_item_add_url(it, json_string_value(url)) != KURA_OK)
        return "a bad URL";
    const char *lists[] = {"urls", "tags"};
    for (size_t k = 0; k < 2; k++) {
        list = json_object_get(o, lists[k]);
        if (list && !json_is_array(list)) return k ? "tags that are not a list" : "urls that are not a list";
        json_array_foreach(list, i, v)
        {
            if (!json_is_string(v)) return k ? "a tag that is not a string" : "a URL that is not a string";
            int rc = k ? kura_item_add_tag(it, json_string_value(v))
                       : kura_item_add_url(it, json_string_value(v));
            if (rc != KURA_OK) return k ? "a bad tag" : "a bad URL";
        }
    }
    list = json_object_get(o, "fields");
    if (list && !json_is_array(list)) return "fields that are not a list";
    json_array_foreach(list, i, v)
    {
        const char *name = text_of(v, "name", &bad), *value = text_of(v, "value", &bad);
        if (bad || !name || !value) return "a field without a name and a value";
        if (kura_item_set_field(it, name, value, json_is_true(json_object_get(v, "hidden"))) !=
            KURA_OK)
            return "a bad field";
    }
    it->created = parse_time(json_object_get(o, "created"));
    it->updated = parse_time(json_object_get(o, "updated"));
    return NULL;
}

/* The whole file in memory, read in large blocks (jansson's own file reader takes a byte at a
 * time); the caller wipes and frees it. NULL with errno set on failure. */
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
    *len = n;
    return p;
}

/* Reading JSON (jansson) is 40 % of an import's work and sealing and storing the rest, so
 * two threads share it: the reader parses items into a ring of slots, the main thread (the
 * only one that touches the vault) seals and stores them in order. */
#define RING 64

typedef struct importer {
    const char *file;
    kura_batch *batch;
    size_t added, skipped;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    kura_item *item[RING];
    const char *why[RING]; /* the reason an element is skipped, or NULL */
    size_t index[RING];
    size_t head, tail; /* taken so far, filled so far: tail - head slots wait */
    int done, stop;    /* the reader finished; the main thread stopped taking */
    int ex;            /* the reader's exit code (a file that is not JSON) */
} importer;

/* The reader: one element of the list into the next free slot. Non-zero: stop reading. */
static int take(importer *im, const json_t *o, size_t index)
{
    pthread_mutex_lock(&im->mu);
    while (im->tail - im->head == RING && !im->stop)
        pthread_cond_wait(&im->can_put, &im->mu);
    int stop = im->stop;
    pthread_mutex_unlock(&im->mu);
    if (stop) return KURA_ERR_IO;
    size_t slot = im->tail % RING; /* the main thread does not touch it until tail moves */
    kura_item_clear(im->item[slot]);
    im->why[slot] = to_item(im->item[slot], o);
    im->index[slot] = index;
    pthread_mutex_lock(&im->mu);
    im->tail++;
    pthread_cond_signal(&im->can_take);
    pthread_mutex_unlock(&im->mu);
    return KURA_OK;
}

static size_t skip_space(const char *t, size_t len, size_t off)
{
    while (off < len && (t[off] == ' ' || t[off] == '\t' || t[off] == '\n' || t[off] == '\r'))
        off++;
    return off;
}

static int bad_json(const importer *im, const char *text, size_t off, const json_error_t *e)
{
    int line = e->line;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return fail(EX_FAIL, "%s is not JSON kura can read (line %d: %s); nothing imported", im->file,
                line, e->text);
}

/* A list of items is read one item at a time (memory stays small, however long the list);
 * an object with "items" whole. *rc gets a library failure, the return an exit code. */
static int each_item(importer *im, const char *text, size_t len, int *rc)
{
    json_error_t e = {.line = 0, .text = ""};
    size_t off = skip_space(text, len, 0);
    if (off < len && text[off] == '{') {
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e), *o;
        if (!root) return bad_json(im, text, 0, &e);
        json_t *items = json_object_get(root, "items");
        size_t i;
        if (!json_is_array(items)) {
            json_decref(root);
            return fail(EX_FAIL, "%s holds no list of items; nothing imported", im->file);
        }
        json_array_foreach(items, i, o)
        {
            if ((*rc = take(im, o, i)) != KURA_OK) break;
        }
        json_decref(root);
        return EX_OK;
    }
    if (off >= len || text[off] != '[')
        return fail(EX_FAIL, "%s holds no list of items; nothing imported", im->file);
    off = skip_space(text, len, off + 1);
    if (off < len && text[off] == ']') off = skip_space(text, len, off + 1);
    else
        for (size_t i = 0;; i++) {
            json_t *o = json_loadb(text + off, len - off,
                                   JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
                                   &e);
            if (!o) return bad_json(im, text, off, &e);
            off += (size_t)e.position;
            *rc = take(im, o, i);
            json_decref(o);
            if (*rc != KURA_OK) return EX_OK;
            off = skip_space(text, len, off);
            if (off < len && text[off] == ',') {
                off = skip_space(text, len, off + 1);
                continue;
            }
            if (off < len && text[off] == ']') off = skip_space(text, len, off + 1);
            else off = len + 1;
            break;
        }
    if (off != len) {
        e.line = 0;
        snprintf(e.text, sizeof e.text, "the list of items does not end where it should");
        return bad_json(im, text, off > len ? len : off, &e);
    }
    return EX_OK;
}

typedef struct reading {
    importer *im;
    const char *text;
    size_t len;
} reading;

static void *reader(void *arg)
{
    reading *r = arg;
    int rc = KURA_OK;
    int ex = each_item(r->im, r->text, r->len, &rc);
    pthread_mutex_lock(&r->im->mu);
    r->im->ex = ex;
    r->im->done = 1;
    pthread_cond_signal(&r->im->can_take);
    pthread_mutex_unlock(&r->im->mu);
    return NULL;
}

/* The main thread: each slot in order, added or reported as skipped. */
static int store_all(importer *im)
{
    int rc = KURA_OK;
    for (;;) {
        pthread_mutex_lock(&im->mu);
        while (im->head == im->tail && !im->done)
            pthread_cond_wait(&im->can_take, &im->mu);
        int empty = im->head == im->tail;
        pthread_mutex_unlock(&im->mu);
        if (empty) break; /* and done */
        size_t slot = im->head % RING;
        if (!im->why[slot]) {
            rc = kura_batch_add(im->batch, im->item[slot]);
            im->added += rc == KURA_OK;
        } else if (im->skipped++ < MAX_SKIP_LINES) {
            note("skipped item %zu of %s: %s", im->index[slot] + 1, im->file, im->why[slot]);
        }
        pthread_mutex_lock(&im->mu);
        im->head++;
        if (rc != KURA_OK) im->stop = 1;
        pthread_cond_signal(&im->can_put);
        pthread_mutex_unlock(&im->mu);
        if (rc != KURA_OK) break;
    }
    return rc;
}

/* An encrypted export in *text (malloc'd, freed here) replaced by its JSON in guarded memory
 * (sodium_free it). Asks for its passphrase, or reads --export-passphrase-file. */
static int open_sealed(char **text, size_t *len, const char *file)
{
    char *pass = NULL;
    unsigned char *json = NULL;
    size_t n = 0;
    int ex = pass_file ? read_secret_file(&pass, pass_file, "export passphrase", 1024) : EX_OK;
    if (ex == EX_OK && !pass && !(pass = tty_secret("Passphrase of the export: ")))
        ex = fail(EX_LOCKED, "%s is an encrypted export and there is no terminal to ask for its "
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
        return fail(EX_WRONG_KEY, "the passphrase does not open the export %s (or its start is "
                                  "damaged); nothing imported",
                    file);
    if (rc == KURA_ERR_NOMEM) return fail(EX_FAIL, "out of memory opening %s", file);
    if (rc != KURA_OK)
        return fail(EX_DAMAGED, "the export %s is damaged or cut short; nothing imported", file);
    *text = (char *)json;
    *len = n;
    return EX_OK;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc;
    const char *file = argv[0];
    if (from && strcmp(from, "kura") != 0)
        return fail(EX_USAGE, "unknown format '%s' for --from; this kura imports: kura (its own "
                              "JSON, as 'kura get --json --reveal' prints items)",
                    from);
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
    int sealed = kura_export_is((const unsigned char *)text, len);
    if (sealed) { /* kura export --encrypted: opened into guarded memory first */
        int ex = open_sealed(&text, &len, file);
        if (ex != EX_OK) return ex;
    }

    static importer im;
    im.file = file;
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.can_put, NULL);
    pthread_cond_init(&im.can_take, NULL);
    int rc = kura_batch_begin(c->v, &im.batch), ex = EX_OK;
    for (size_t i = 0; rc == KURA_OK && i < RING; i++)
        if (!(im.item[i] = kura_item_new())) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        pthread_t t;
        reading r = {&im, text, len};
        if (pthread_create(&t, NULL, reader, &r) != 0) {
            rc = KURA_ERR_NOMEM;
        } else {
            rc = store_all(&im);
            pthread_join(t, NULL);
            ex = im.ex;
        }
    }
    if (sealed) {
        sodium_free(text);
    } else {
        sodium_memzero(text, len);
        free(text);
    }
    for (size_t i = 0; i < RING; i++)
        kura_item_free(im.item[i]);
    pthread_cond_destroy(&im.can_put);
    pthread_cond_destroy(&im.can_take);
    pthread_mutex_destroy(&im.mu);
    if (rc == KURA_OK && ex == EX_OK) {
        rc = kura_batch_commit(im.batch);
    } else {
        kura_batch_abort(im.batch);
        if (ex != EX_OK) return ex;
    }
    if (rc != KURA_OK) return fail_vault(c, rc, "import (nothing was imported)");
    size_t added = im.added, skipped = im.skipped;
    if (skipped > MAX_SKIP_LINES) note("... and %zu more skipped", skipped - MAX_SKIP_LINES);
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:I, s:I}", "file", file, "format",
                             sealed ? "kura-encrypted" : "kura",
                             "imported", (json_int_t)added, "skipped", (json_int_t)skipped));
    else
        printf("imported %zu item%s from %s (%s)%s", added, added == 1 ? "" : "s", file,
               sealed ? "kura encrypted export" : "kura JSON", skipped ? "" : "\n");
    if (skipped && !c->json) printf(", skipped %zu\n", skipped);
    return EX_OK;
}

const cmd cmd_import = {
    .name = "import",
    .summary = "add items from a file (kura JSON), all or none",
    .usage = "FILE [--from kura] [--export-passphrase-file F] [--json]",
    .help = "  --from kura        the file's format: kura's own JSON (what 'kura get --json\n"
            "                     --reveal' prints, as a list); FILE - reads stdin. A file of\n"
            "                     'kura export --encrypted' is told apart and opened\n"
            "  --export-passphrase-file F   the passphrase of an encrypted export\n",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .min_args = 1,
    .max_args = 1,
    .opts = opts,
    .opt = opt,
    .run = run,
};
