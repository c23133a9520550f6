/* Helpers the import readers share: see common.h. */
#define _GNU_SOURCE /* timegm */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <sodium.h>

#include "common.h"
#include "json_words.h"

struct json_t *rd_json(reader *r, const unsigned char *text, size_t len, int *rc)
{
    json_error_t e;
    json_t *root = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &e);
    char where[160];
    *rc = KURA_OK;
    if (root) return root;
    json_where(where, sizeof where, &e, 0);
    *rc = json_error_code(&e) == json_error_out_of_memory ? rd_too_big(r)
                                                          : rd_fail(r, "not JSON (%s)", where);
    return NULL;
}

int rd_each(reader *r, const json_t *list, rd_fill fill, void *ctx, size_t *done, size_t total)
{
    size_t i;
    json_t *o;
    json_array_foreach((json_t *)list, i, o)
    {
        kura_item *it = rd_next(r);
        ++*done;
        const char *why = it ? fill(r, it, o, ctx) : NULL;
        if (r->fatal) return r->fatal;
        if (!it || rd_put(r, why, total ? r->len / total * *done : r->len)) return KURA_ERR_IO;
    }
    return KURA_OK;
}

kura_item *rd_next(reader *r)
{
    r->item = r->sink->next(r->sink->ctx);
    if (!r->item) r->stopped = 1;
    return r->item;
}

static const char *title_fallback(kura_item *it);

int rd_put(reader *r, const char *why, size_t done)
{
    if (!why) why = title_fallback(r->item);
    if (r->sink->put(r->sink->ctx, why, done) != 0) r->stopped = 1;
    return r->stopped;
}

int rd_attach(reader *r, const char *name, const unsigned char *p, size_t n)
{
    if (!r->sink->attach) {
        rd_dropped(r, "attachments");
        return 0;
    }
    if (r->sink->attach(r->sink->ctx, name, p, n) != 0) r->stopped = 1;
    return r->stopped;
}

kura_item *rd_past(reader *r)
{
    kura_item *old = r->sink->past ? r->sink->past(r->sink->ctx) : NULL;
    if (!old) rd_dropped(r, "password history");
    return old;
}

void rd_old_password(reader *r, const kura_item *it, const char *password, int64_t until)
{
    if (!password || !*password) return;
    kura_item *old = rd_past(r);
    if (!old) return;
    if (copy_item(old, it) || kura_item_set(old, KURA_PASSWORD, password) != KURA_OK)
        kura_item_clear(old); /* untitled: the sink leaves it out */
    else
        old->updated = until;
}

const char *copy_item(kura_item *dst, const kura_item *src)
{
    int rc = kura_item_set_type(dst, src->type);
    static const enum kura_item_text texts[] = {KURA_TITLE, KURA_USERNAME, KURA_PASSWORD,
                                                KURA_NOTES};
    const char *values[] = {src->title, src->username, src->password, src->notes};
    for (size_t i = 0; rc == KURA_OK && i < 4; i++)
        rc = kura_item_set(dst, texts[i], values[i]);
    for (size_t i = 0; rc == KURA_OK && i < src->n_urls; i++)
        rc = kura_item_add_url(dst, src->urls[i]);
    for (size_t i = 0; rc == KURA_OK && i < src->n_tags; i++)
        rc = kura_item_add_tag(dst, src->tags[i]);
    for (size_t i = 0; rc == KURA_OK && i < src->n_fields; i++)
        rc = kura_item_set_field(dst, src->fields[i].name, src->fields[i].value,
                                 src->fields[i].hidden);
    dst->created = src->created;
    dst->updated = src->updated;
    return rc == KURA_OK ? NULL : "out of memory";
}

void rd_dropped(reader *r, const char *kind)
{
    if (r->sink->dropped) r->sink->dropped(r->sink->ctx, kind);
}

int rd_fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return KURA_ERR_INVALID;
}

/* What the readers' libraries (libxml2, libcsv) and the 1PUX data may hold at once: a file
 * that would take more (a zip bomb, entities that expand) is refused, not the machine's
 * memory exhausted. Set per read by kura_import_read. */
static size_t budget, used; /* used: atomic */
static int over;            /* an allocation was refused for the budget */

void import_budget(size_t file_len)
{
    budget = KURA_IMPORT_BUDGET(file_len);
    __atomic_store_n(&used, 0, __ATOMIC_RELAXED);
    over = 0;
}

static size_t import_budget_bytes(void)
{
    return budget;
}

int import_over_budget(void)
{
    return over;
}

int import_budget_take(size_t n)
{
    if (budget && __atomic_add_fetch(&used, n, __ATOMIC_RELAXED) > budget) {
        __atomic_sub_fetch(&used, n, __ATOMIC_RELAXED);
        over = 1;
        return 0;
    }
    return 1;
}

void import_budget_give(size_t n)
{
    size_t now = __atomic_load_n(&used, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&used, n < now ? n : now, __ATOMIC_RELAXED); /* a block from before */
}

void *budget_malloc(size_t n)
{
    if (!import_budget_take(n)) return NULL;
    void *p = malloc(n);
    if (!p)
        import_budget_give(n);
    else if (malloc_usable_size(p) > n) {
        if (!import_budget_take(malloc_usable_size(p) - n)) {
            import_budget_give(n);
            free(p);
            return NULL;
        }
    }
    return p;
}

void *wiping_realloc(void *old, size_t size)
{
    void *p = budget_malloc(size);
    if (!p || !old) return p;
    size_t had = malloc_usable_size(old);
    memcpy(p, old, had < size ? had : size);
    wiping_free(old);
    return p;
}

void wiping_free(void *p)
{
    if (!p) return;
    size_t n = malloc_usable_size(p);
    sodium_memzero(p, n);
    import_budget_give(n);
    free(p);
}

int rd_too_big(reader *r)
{
    return rd_fail(r,
                   "it needs more memory than kura gives an import (%zu MiB: 16 times the "
                   "file, at least 256 MiB); is it an export at all?",
                   import_budget_bytes() >> 20);
}

const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int same_word(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

const char *put_text(kura_item *it, enum kura_item_text which, const char *s)
{
    static const char *const why[] = {
        "a title that is too long, not UTF-8, or holds control characters",
        "a username that is too long, not UTF-8, or holds control characters",
        "a password that is too long or not UTF-8",
        "notes that are too long or not UTF-8",
    };
    if (!s || !*s) return NULL;
    return kura_item_set(it, which, s) == KURA_OK ? NULL : why[which];
}

static const char *put_one_url(kura_item *it, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (!n) return NULL;
    if (n > KURA_MAX_SHORT) return "a URL that is too long";
    char u[KURA_MAX_SHORT + 1]; /* a URL is not a secret: no guarded page for it */
    memcpy(u, s, n);
    u[n] = '\0';
    for (size_t i = 0; i < it->n_urls; i++)
        if (strcmp(it->urls[i], u) == 0) return NULL; /* already there */
    return kura_item_add_url(it, u) == KURA_OK
               ? NULL
               : "a URL that is not UTF-8 or holds control characters (or too many URLs)";
}

const char *put_urls(kura_item *it, const char *s, const char *seps)
{
    if (!s) return NULL;
    while (*s) {
        size_t n = strcspn(s, seps);
        const char *why = put_one_url(it, s, n);
        if (why) return why;
        s += n;
        if (*s) s++;
    }
    return NULL;
}

const char *put_tag(kura_item *it, const char *tag)
{
    if (!tag || !*tag) return NULL;
    for (size_t i = 0; i < it->n_tags; i++)
        if (strcmp(it->tags[i], tag) == 0) return NULL;
    return kura_item_add_tag(it, tag) == KURA_OK
               ? NULL
               : "a tag that is too long or holds control characters (or too many tags)";
}

const char *put_tags(kura_item *it, const char *s, const char *seps)
{
    if (!s || !*s) return NULL;
    char *copy = strdup(s), *save = NULL;
    if (!copy) return "out of memory";
    const char *why = NULL;
    for (char *t = strtok_r(copy, seps, &save); t && !why; t = strtok_r(NULL, seps, &save)) {
        while (*t == ' ')
            t++;
        why = put_tag(it, t);
    }
    free(copy);
    return why;
}

const char *put_field(kura_item *it, const char *name, const char *value, int hidden)
{
    if (!value || !*value) return NULL;
    if (!name || !*name) name = "field";
    char *unique = NULL;
    const char *use = name;
    for (unsigned n = 2;; n++) {
        int taken = 0;
        for (size_t i = 0; i < it->n_fields && !taken; i++)
            taken = strcmp(it->fields[i].name, use) == 0;
        if (!taken) break;
        free(unique);
        if (asprintf(&unique, "%s (%u)", name, n) < 0) return "out of memory";
        use = unique;
    }
    int rc = kura_item_set_field(it, use, value, hidden);
    free(unique);
    return rc == KURA_OK ? NULL
                         : "a field whose name or value is too long, not UTF-8, or holds control "
                           "characters (or too many fields)";
}

const char *put_otp(kura_item *it, const char *secret)
{
    if (!secret || !*secret) return NULL;
    kura_totp_code code;
    int usable = kura_totp(&code, secret, 0) == KURA_OK;
    sodium_memzero(&code, sizeof code);
    return put_field(it, usable ? KURA_OTP_FIELD : "totp (unreadable)", secret, 1);
}

const char *put_passkey(kura_item *it, const struct json_t *cred)
{
    char *s = json_dumps(cred, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s) return "out of memory";
    const char *why = put_field(it, "passkey (kura cannot use it)", s, 1);
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    sodium_memzero(s, strlen(s));
    f(s);
    return why;
}

const char *put_group(kura_item *it, const char *path, int drop_root)
{
    if (path) path += strspn(path, "/"); /* RoboForm's "/Work": the same folder as "Work" */
    if (!path || !*path) return NULL;
    if (drop_root) {
        const char *slash = strchr(path, '/');
        if (!slash) return NULL;
        path = slash + 1;
    }
    return put_tag(it, path);
}

const char *put_expiry(kura_item *it, const char *month, const char *rest)
{
    int m = month && *month, r = rest && *rest;
    if (!m && !r) return NULL;
    char date[128], canon[8];
    if (m) snprintf(date, sizeof date, "%s%s%s", month, r ? "/" : "", r ? rest : "");
    const char *text = m ? date : rest;
    const char *why =
        put_field(it, "expiry", kura_card_expiry(canon, text) == KURA_OK ? canon : text, 0);
    sodium_memzero(date, sizeof date);
    return why;
}

const char *put_person(kura_item *it, const char *full)
{
    if (!full || !*full) return NULL;
    char name[1024];
    snprintf(name, sizeof name, "%s", full);
    char *first = name + strspn(name, " "), *end = first + strlen(first);
    while (end > first && end[-1] == ' ')
        *--end = '\0';
    char *last = strrchr(first, ' '), *middle = NULL;
    if (last) {
        *last++ = '\0';
        middle = strchr(first, ' ');
        if (middle) *middle++ = '\0';
    }
    const char *parts[] = {first, middle ? middle + strspn(middle, " ") : NULL, last};
    static const char *const names[] = {"first-name", "middle-name", "last-name"};
    const char *why = NULL;
    for (int i = 0; i < 3 && !why; i++)
        if (parts[i] && *parts[i] && !kura_item_field(it, names[i]))
            why = put_field(it, names[i], parts[i], 0);
    return why;
}

const char *const secret_words[] = {"password", "pin", "number", "code", "key", "secret", NULL};

int label_has(const char *label, const char *const *words)
{
    for (; *words; words++)
        if (strcasestr(label, *words)) return 1;
    return 0;
}

/* With no title: the host of the first URL, else the username. */
static const char *title_fallback(kura_item *it)
{
    if (!it || (it->title && *it->title)) return NULL;
    char host[256];
    if (it->n_urls && kura_url_host(host, sizeof host, it->urls[0]) &&
        put_text(it, KURA_TITLE, host) == NULL && it->title)
        return NULL;
    if (it->username && *it->username && put_text(it, KURA_TITLE, it->username) == NULL)
        return NULL;
    return "no title, URL or username to name it by";
}
