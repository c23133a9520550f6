/* The ways into a vault that are left on this machine: this shell's session, this device's
 * slot, and kits in the usual places, each checked against the vault. recover walks the user
 * through them; reset names them before it destroys anything. */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

const char *const kit_status_words[] = {"opens",       "old",     "other_vault",
                                        "unreadable",  "damaged", "unchecked",
                                        "share_opens", "share",   "share_old"};

/* Reading the candidates, on every core: named kits read whole, other images at a glance
 * (kura_kit_read_seen's KURA_KIT_QUICK). Only the reading is shared out; checking a key
 * against the vault is done after, on this thread. */
typedef struct reading {
    ways *w;
    int *rc;
    kura_kit_found **found; /* sodium_malloc'd, for the files that held a kura QR code */
    size_t next, done;      /* atomics */
} reading;

static void *read_some(void *arg)
{
    reading *r = arg;
    kura_kit_found *found = sodium_malloc(sizeof *found);
    for (size_t i; found && (i = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED)) < r->w->n;) {
        const char *path = r->w->paths[i];
        unsigned flags = kura_recover_named_kit(path) ? 0 : KURA_KIT_QUICK;
        r->rc[i] = kura_kit_read_found(found, path, NULL, flags);
        if (r->rc[i] == KURA_OK) {
            memcpy(r->w->ids[i], found->vault_id, sizeof r->w->ids[i]);
            if ((r->found[i] = sodium_malloc(sizeof *found)))
                memcpy(r->found[i], found, sizeof *found);
            else
                r->rc[i] = KURA_ERR_NOMEM;
        }
        __atomic_fetch_add(&r->done, 1, __ATOMIC_RELAXED);
    }
    sodium_free(found);
    return NULL;
}

/* The shares of this vault found (status KIT_SHARE so far): the split with the most of them;
 * with enough, combined and tried; their statuses and w->shares said. */
static void check_shares(ctx *c, ways *w, kura_kit_found **found)
{
    kura_share_info a, b;
    size_t best = SIZE_MAX, best_n = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->status[i] != KIT_SHARE) continue;
        kura_share_info_of(&found[i]->share, &a);
        size_t n = 0;
        unsigned seen = 0; /* the share numbers of this split, as bits */
        for (size_t j = 0; j < w->n; j++) {
            if (w->status[j] != KIT_SHARE) continue;
            kura_share_info_of(&found[j]->share, &b);
            if (b.split == a.split && !(seen & (1u << b.number))) seen |= 1u << b.number, n++;
        }
        if (n > best_n) best = i, best_n = n;
    }
    if (best == SIZE_MAX) return;
    kura_share_info_of(&found[best]->share, &a);
    w->share_have = (unsigned)best_n, w->share_need = a.threshold;
    if (best_n < a.threshold) return;
    kura_share *set = sodium_malloc(KURA_SHARES_MAX * sizeof *set);
    kura_client_key *key = sodium_malloc(sizeof *key);
    size_t n = 0;
    unsigned seen = 0;
    for (size_t j = 0; set && key && j < w->n && n < a.threshold; j++) {
        if (w->status[j] != KIT_SHARE) continue;
        kura_share_info_of(&found[j]->share, &b);
        if (b.split != a.split || (seen & (1u << b.number))) continue;
        seen |= 1u << b.number;
        set[n] = found[j]->share;
        w->share_files[n++] = j;
    }
    int rc = set && key ? kura_share_combine(key, set, n) : KURA_ERR_NOMEM;
    if (rc == KURA_OK) rc = kura_vault_unlock(c->v, key);
    for (size_t k = 0; k < n; k++)
        w->status[w->share_files[k]] = rc == KURA_OK ? KIT_SHARE_OPENS : KIT_SHARE_OLD;
    w->share_opens = rc == KURA_OK;
    w->share_count = n;
    sodium_free(set);
    sodium_free(key);
}

static void read_all(reading *r)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores;
    if (n > r->w->n) n = r->w->n;
    pthread_t t[8];
    size_t started = 0;
    for (size_t i = 0; i < n; i++)
        if (pthread_create(&t[started], NULL, read_some, r) == 0) started++;
    if (!started) read_some(r); /* no thread: read here */
    /* On a terminal, a line that says how far it is. */
    int shown = started && isatty(STDERR_FILENO) && r->w->n >= 20;
    size_t done;
    while (shown && (done = __atomic_load_n(&r->done, __ATOMIC_RELAXED)) < r->w->n) {
        fprintf(stderr, "\rkura: looking for your kit in %zu images and PDFs: %zu read", r->w->n,
                done);
        fflush(stderr);
        usleep(100 * 1000);
    }
    if (shown) fprintf(stderr, "\r\033[K");
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
}

int ways_find_kits(ctx *c, ways *w, int vault_ok)
{
    char cwd[PATH_MAX];
    w->opening = -1;
    if (kura_recover_find_kits(&w->paths, &w->n, getenv("HOME"), getcwd(cwd, sizeof cwd)) !=
        KURA_OK)
        return fail(EX_FAIL, "out of memory");
    w->status = calloc(w->n + 1, sizeof *w->status);
    w->ids = calloc(w->n + 1, sizeof *w->ids);
    reading r = {
        .w = w, .rc = calloc(w->n + 1, sizeof *r.rc), .found = calloc(w->n + 1, sizeof *r.found)};
    if (!w->status || !w->ids || !r.rc || !r.found) {
        free(r.rc), free(r.found);
        return fail(EX_FAIL, "out of memory");
    }
    if (w->n) read_all(&r);
    /* Listed: what holds a kura QR code, and files named like kits whatever they hold. */
    size_t kept = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (r.rc[i] != KURA_OK && r.rc[i] != KURA_ERR_NO_MODULE &&
            !kura_recover_named_kit(w->paths[i])) {
            free(w->paths[i]);
            w->looked++;
            continue;
        }
        w->paths[kept] = w->paths[i];
        memcpy(w->ids[kept], w->ids[i], sizeof w->ids[kept]);
        r.rc[kept] = r.rc[i];
        kura_kit_found *k = r.found[i];
        r.found[i] = NULL;
        r.found[kept] = k;
        kept++;
    }
    w->n = kept;
    for (size_t i = 0; i < w->n; i++) {
        int rc = r.rc[i];
        if (rc == KURA_ERR_NO_MODULE && i == 0)
            note("kura: cannot read kits: kura's kit module did not load (%s); reinstall kura",
                 kura_error_detail());
        if (rc != KURA_OK) {
            w->status[i] = KIT_UNREADABLE;
            w->ids[i][0] = '\0';
            continue;
        }
        if (!vault_ok || strcmp(w->ids[i], kura_vault_id(c->v)) != 0) {
            w->status[i] = vault_ok ? KIT_OTHER : KIT_UNCHECKED;
            continue;
        }
        if (r.found[i]->is_share) { /* checked with the others, below */
            w->status[i] = KIT_SHARE;
            continue;
        }
        rc = kura_vault_unlock(c->v, &r.found[i]->key);
        w->status[i] = rc == KURA_OK ? KIT_OPENS : rc == KURA_ERR_WRONG_KEY ? KIT_OLD : KIT_DAMAGED;
        if (rc == KURA_OK && w->opening < 0) w->opening = (int)i;
    }
    if (vault_ok) check_shares(c, w, r.found);
    for (size_t i = 0; i < w->n + w->looked; i++)
        sodium_free(r.found[i]);
    free(r.found);
    free(r.rc);
    return EX_OK;
}

int ways_find(ctx *c, ways *w)
{
    const char *session = getenv("KURA_SESSION");
    memset(w, 0, sizeof *w);
    w->opening = -1;
    if (!c->v) return EX_OK;
    w->enrolled = kura_device_enrolled(c->v, c->device_dir);
    w->session =
        session && *session && kura_session_resume(c->v, c->runtime_dir, session, NULL) == KURA_OK;
    return ways_find_kits(c, w, 1);
}

size_t ways_open_paths(const ways *w, const char **out)
{
    if (w->opening >= 0) {
        out[0] = w->paths[w->opening];
        return 1;
    }
    if (!w->share_opens) return 0;
    for (size_t i = 0; i < w->share_count; i++)
        out[i] = w->paths[w->share_files[i]];
    return w->share_count;
}

json_t *ways_json(const ways *w)
{
    json_t *kits = json_array();
    for (size_t i = 0; kits && i < w->n; i++)
        if (w->status[i] == KIT_OPENS || w->status[i] == KIT_SHARE_OPENS)
            json_array_append_new(kits, json_string(w->paths[i]));
    return json_pack("{s:b, s:b, s:o}", "session", w->session, "device_enrolled", w->enrolled,
                     "kits", kits);
}

void ways_free(ways *w)
{
    kura_recover_free_kits(w->paths, w->n);
    free(w->status);
    free(w->ids);
    memset(w, 0, sizeof *w);
    w->opening = -1;
}
