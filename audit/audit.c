/* kura audit (kura/audit.h): one pass over every item, whole, that keeps for each password
 * only what the checks need: zxcvbn's estimate, a keyed hash (BLAKE2b under a key made for
 * this run, so equal passwords are found without comparing or keeping them), and the Pwned
 * Passwords file's hash of it; then the reused ones by sorting the keyed hashes, the breached
 * ones by looking the file's hashes up in increasing order, and the old ones from the items'
 * times, and their history where the item changed since the password may have. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit_api.h"
#include "kura/import.h"
#include "base.h"
#include "kura/audit.h"

/* Defined only when the module's sources are linked in (a test program). */
extern const kura_audit_api kura_audit_module_api __attribute__((weak));
static kura_module module = KURA_MODULE("kura-audit.so");

const kura_audit_api *kura_audit_api_get(void)
{
    if (&kura_audit_module_api) return &kura_audit_module_api;
    return kura_module_table(&module, KURA_AUDIT_API_SYMBOL, KURA_AUDIT_API_VERSION);
}

/* What is kept of each password: in guarded memory, wiped when freed. */
typedef struct hashes {
    unsigned char reuse[16];
    unsigned char digest[KURA_HIBP_DIGEST];
    size_t row;
} hashes;

/* What zxcvbn is given for one password: copies in the work arena (guarded, wiped after). */
typedef struct estimate {
    const char *password;
    const char *words[7]; /* the item's title, username and sites; NULL-ended */
} estimate;

typedef struct walk {
    const kura_audit_api *api;
    estimate *todo; /* one per row */
    kura_arena *work;
    size_t next; /* the next estimate a thread takes */
    pthread_mutex_t mu;
    kura_hibp *hibp;
    double weak_bits;
    unsigned char key[crypto_generichash_KEYBYTES];
    kura_audit_entry *rows; /* every item with a password, in the arena */
    int64_t *created, *updated;
    hashes *h; /* sodium_malloc */
    size_t n, cap;
    size_t no_password;
    kura_arena *arena;
} walk;

/* The host of a URL ("https://mail.example.org:8443/x" gives mail.example.org), into out
 * ("" if it has none). */
static const char *host_of(char *out, size_t cap, const char *url)
{
    if (!kura_url_host(out, cap, url)) out[0] = '\0';
    return out;
}

static int one_item(void *ctx, const kura_item *it)
{
    walk *w = ctx;
    if (!it->password || !*it->password) {
        w->no_password++;
        return KURA_OK;
    }
    if (w->n == w->cap) return kura_fail(KURA_ERR_INVALID, "the vault changed during the audit");
    kura_audit_entry *e = &w->rows[w->n];
    hashes *h = &w->h[w->n];
    memcpy(e->id, it->id, sizeof e->id);
    e->title =
        kura_arena_strndup(w->arena, it->title ? it->title : "", it->title ? strlen(it->title) : 0);
    if (!e->title) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    w->created[w->n] = it->created;
    w->updated[w->n] = it->updated;
    /* The item's own words count as known to an attacker: its title, username, sites. The
     * estimates are made after the pass, on every core, from copies in guarded memory. */
    estimate *t = &w->todo[w->n];
    char hosts[4][256];
    const char *words[6] = {it->title, it->username};
    size_t k = 0;
    for (size_t i = 0; i < it->n_urls && i < 4; i++)
        words[2 + i] = host_of(hosts[i], sizeof hosts[i], it->urls[i]);
    t->password = kura_arena_strndup(w->work, it->password, strlen(it->password));
    for (size_t i = 0; i < 6 && t->password; i++)
        if (words[i] && !(t->words[k++] = kura_arena_strndup(w->work, words[i], strlen(words[i]))))
            t->password = NULL;
    t->words[k] = NULL;
    sodium_memzero(hosts, sizeof hosts);
    if (!t->password) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    crypto_generichash(h->reuse, sizeof h->reuse, (const unsigned char *)it->password,
                       strlen(it->password), w->key, sizeof w->key);
    if (w->hibp) w->api->hibp_digest(w->hibp, it->password, h->digest);
    h->row = w->n++;
    return KURA_OK;
}

static void *estimator(void *arg)
{
    walk *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->mu);
        if (i >= w->n) return NULL;
        kura_audit_entry *e = &w->rows[i];
        e->bits = w->api->strength(w->todo[i].password, w->todo[i].words, &e->why_weak);
        if (e->bits < w->weak_bits)
            e->problems |= KURA_AUDIT_WEAK;
        else
            e->why_weak = 0;
    }
}

/* zxcvbn on every password, on every core (at most 8 threads). */
static void estimate_all(walk *w)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores, started = 0;
    pthread_t th[8];
    for (size_t i = 1; i < n && w->n > 64; i++)
        if (pthread_create(&th[started], NULL, estimator, w) == 0) started++;
    estimator(w);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

static int by_reuse(const void *a, const void *b)
{
    return memcmp(((const hashes *)a)->reuse, ((const hashes *)b)->reuse, 16);
}

static int by_digest(const void *a, const void *b)
{
    return memcmp(((const hashes *)a)->digest, ((const hashes *)b)->digest, KURA_HIBP_DIGEST);
}

static void find_reused(walk *w)
{
    qsort(w->h, w->n, sizeof *w->h, by_reuse);
    size_t group = 0;
    for (size_t i = 0; i < w->n;) {
        size_t j = i + 1;
        while (j < w->n && sodium_memcmp(w->h[j].reuse, w->h[i].reuse, 16) == 0)
            j++;
        if (j - i > 1) {
            group++;
            for (size_t k = i; k < j; k++) {
                kura_audit_entry *e = &w->rows[w->h[k].row];
                e->problems |= KURA_AUDIT_REUSED;
                e->group = group;
                e->group_size = j - i;
            }
        }
        i = j;
    }
}

static int find_breached(walk *w)
{
    qsort(w->h, w->n, sizeof *w->h, by_digest);
    uint64_t seen = 0;
    for (size_t i = 0; i < w->n; i++) {
        int same = i && sodium_memcmp(w->h[i].digest, w->h[i - 1].digest, KURA_HIBP_DIGEST) == 0;
        if (!same) {
            int rc = w->api->hibp_find(w->hibp, w->h[i].digest, &seen);
            if (rc == KURA_ERR_INVALID)
                return kura_fail(rc, "the Pwned Passwords file has a line that is not "
                                     "HASH:COUNT where the search read it");
            if (rc != KURA_OK) return kura_fail(rc, "cannot read the Pwned Passwords file");
        }
        if (seen) {
            kura_audit_entry *e = &w->rows[w->h[i].row];
            e->problems |= KURA_AUDIT_BREACHED;
            e->seen = seen;
        }
    }
    return KURA_OK;
}

static int same_password(const kura_item *a, const kura_item *b)
{
    const char *x = a->password ? a->password : "", *y = b->password ? b->password : "";
    return strlen(x) == strlen(y) && sodium_memcmp(x, y, strlen(x)) == 0;
}

/* When the item's password took its present value: the time of the oldest version in the run
 * of versions with that password that ends with the item as it is; its creation when every
 * version kept has it. */
static int password_since(kura_vault *v, const char *id, int64_t created, int64_t *since)
{
    kura_history *h = NULL;
    int rc = kura_item_history(v, &h, id);
    *since = created;
    if (rc == KURA_ERR_NOT_FOUND) return KURA_OK;
    if (rc != KURA_OK) return rc;
    size_t j = h->count;
    while (j > 0 && (h->versions[j - 1].deleted || !h->versions[j - 1].item)) /* the live one */
        j--;
    size_t cur = j ? j - 1 : 0;
    while (j > 1 && !h->versions[j - 2].deleted && h->versions[j - 2].item &&
           same_password(h->versions[j - 2].item, h->versions[cur].item))
        j--;
    if (j > 1) {
        const kura_version *ver = &h->versions[j - 1];
        *since = ver->stamp ? (int64_t)((ver->stamp >> 16) / 1000) : ver->item->updated;
    }
    kura_history_free(h);
    return KURA_OK;
}

static int find_old(walk *w, kura_vault *v, int64_t cutoff)
{
    for (size_t i = 0; i < w->n; i++) {
        kura_audit_entry *e = &w->rows[i];
        int64_t since = w->updated[i];
        if (w->created[i] >= cutoff) continue; /* made since: not old */
        if (w->updated[i] >= cutoff) {         /* changed since: was the password? */
            int rc = password_since(v, e->id, w->created[i], &since);
            if (rc != KURA_OK) return rc;
        }
        if (since < cutoff) {
            e->problems |= KURA_AUDIT_OLD;
            e->since = since;
        }
    }
    return KURA_OK;
}

/* Each reused entry's group_next: the next entry of its group in title order, the last one
 * leading back to the first, so a reader walks a group without searching every entry. */
static int link_groups(kura_audit_entry *e, size_t n)
{
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].group > groups) groups = e[i].group;
    size_t *last = calloc(groups + 1, sizeof *last); /* per group: its last entry so far + 1 */
    if (!last) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!e[i].group) continue;
        size_t *l = &last[e[i].group - 1], first = i;
        if (*l) {
            first = e[*l - 1].group_next; /* the ring so far closes on its first */
            e[*l - 1].group_next = i;
        }
        e[i].group_next = first;
        *l = i + 1;
    }
    free(last);
    return KURA_OK;
}

static int by_title(const void *x, const void *y)
{
    const kura_audit_entry *a = x, *b = y;
    int c = strcasecmp(a->title, b->title);
    return c ? c : strcmp(a->id, b->id);
}

int kura_audit_run(kura_vault *v, const kura_audit_opts *o, kura_audit **out)
{
    *out = NULL;
    kura_detail_clear();
    walk w = {.weak_bits = o->weak_bits > 0 ? o->weak_bits : KURA_AUDIT_WEAK_BITS,
              .mu = PTHREAD_MUTEX_INITIALIZER};
    if (!(w.api = kura_audit_api_get())) return KURA_ERR_NO_MODULE;
    size_t count = 0;
    int rc = kura_vault_count(v, &count);
    if (rc != KURA_OK) return rc;
    kura_audit *a = calloc(1, sizeof *a);
    if (!a || !(a->arena = kura_arena_new())) {
        free(a);
        return kura_fail(KURA_ERR_NOMEM, "out of memory");
    }
    w.arena = a->arena;
    w.cap = count + 1;
    w.rows = kura_arena_alloc(a->arena, w.cap * sizeof *w.rows);
    w.created = calloc(w.cap, sizeof *w.created);
    w.updated = calloc(w.cap, sizeof *w.updated);
    w.h = sodium_allocarray(w.cap, sizeof *w.h);
    w.work = kura_arena_new();
    w.todo = w.work ? kura_arena_alloc(w.work, w.cap * sizeof *w.todo) : NULL;
    if (!w.rows || !w.created || !w.updated || !w.h || !w.todo)
        rc = kura_fail(KURA_ERR_NOMEM, "out of memory");
    if (rc == KURA_OK) {
        memset(w.rows, 0, w.cap * sizeof *w.rows);
        randombytes_buf(w.key, sizeof w.key);
    }
    if (rc == KURA_OK && o->hibp_path) {
        char err[512];
        rc = w.api->hibp_open(&w.hibp, o->hibp_path, err, sizeof err);
        if (rc != KURA_OK)
            rc = kura_fail(rc, "%s", err);
        else
            a->hibp_hash = w.api->hibp_kind(w.hibp);
    }
    if (rc == KURA_OK) rc = kura_item_each_whole(v, one_item, &w);
    sodium_memzero(w.key, sizeof w.key);
    if (rc == KURA_OK) estimate_all(&w);
    kura_arena_free(w.work); /* every password's copy wiped */
    if (rc == KURA_OK) find_reused(&w);
    if (rc == KURA_OK && w.hibp) rc = find_breached(&w);
    if (rc == KURA_OK && o->old_years) {
        int64_t now = o->now ? o->now : (int64_t)time(NULL);
        rc = find_old(&w, v, now - (int64_t)o->old_years * 31557600); /* Julian years */
    }
    if (rc == KURA_OK) {
        a->checked = w.n;
        a->no_password = w.no_password;
        size_t kept = 0;
        for (size_t i = 0; i < w.n; i++) {
            unsigned p = w.rows[i].problems;
            a->weak += (p & KURA_AUDIT_WEAK) != 0;
            a->reused += (p & KURA_AUDIT_REUSED) != 0;
            a->old += (p & KURA_AUDIT_OLD) != 0;
            a->breached += (p & KURA_AUDIT_BREACHED) != 0;
            if (p) w.rows[kept++] = w.rows[i];
        }
        qsort(w.rows, kept, sizeof *w.rows, by_title);
        rc = link_groups(w.rows, kept);
        a->entries = w.rows;
        a->count = kept;
    }
    w.api->hibp_close(w.hibp);
    sodium_free(w.h);
    free(w.created);
    free(w.updated);
    if (rc != KURA_OK) {
        kura_audit_free(a);
        return rc;
    }
    *out = a;
    return KURA_OK;
}

void kura_audit_free(kura_audit *a)
{
    if (!a) return;
    kura_arena_free(a->arena);
    free(a);
}
