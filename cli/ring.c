/* An import read on one thread and stored on another. Reading is a large part of an import's
 * work and sealing and storing the rest, so the reader fills items in a ring of slots while
 * the main thread (the only one that touches the vault) takes them in order. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

/* The reader: the item being filled loses data of this kind. */
static void ring_dropped(void *arg, const char *kind)
{
    ring *r = arg;
    pthread_mutex_lock(&r->mu);
    size_t i = 0;
    while (i < r->n_drops && strcmp(r->drops[i].kind, kind) != 0)
        i++;
    if (i == r->n_drops && i < sizeof r->drops / sizeof r->drops[0])
        snprintf(r->drops[r->n_drops++].kind, sizeof r->drops[0].kind, "%s", kind);
    if (i < r->n_drops)
        r->drops[i].items++;
    else
        r->more_drops++;
    /* And the item: its place in the file is the next one put. */
    struct item_drop *last = r->n_item_drops ? &r->item_drops[r->n_item_drops - 1] : NULL;
    if (!last || last->index != r->given) {
        if (r->n_item_drops == r->cap_item_drops) {
            size_t cap = r->cap_item_drops ? r->cap_item_drops * 2 : 16;
            struct item_drop *grown = realloc(r->item_drops, cap * sizeof *grown);
            if (grown) r->item_drops = grown, r->cap_item_drops = cap;
        }
        last = r->n_item_drops < r->cap_item_drops ? &r->item_drops[r->n_item_drops++] : NULL;
        if (last) *last = (struct item_drop){r->given, 0, NULL};
    }
    if (last && i < r->n_drops) last->kinds |= 1u << i;
    pthread_mutex_unlock(&r->mu);
}

/* The reader: the next free slot's item, emptied; NULL once the main thread stopped. */
static kura_item *ring_next(void *arg)
{
    ring *r = arg;
    pthread_mutex_lock(&r->mu);
    while (r->tail - r->head == RING_SLOTS && !r->stop)
        pthread_cond_wait(&r->can_put, &r->mu);
    int stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    if (stop) return NULL;
    kura_item *it = r->item[r->tail % RING_SLOTS]; /* the main thread leaves it until tail moves */
    kura_item_clear(it);
    struct files *f = &r->files[r->tail % RING_SLOTS];
    if (f->p) sodium_memzero(f->p, f->n);
    f->n = 0;
    r->n_past[r->tail % RING_SLOTS] = 0;
    return it;
}

/* The reader: an older version of the item being filled, kept with its slot; NULL past
 * RING_PAST of them. */
static kura_item *ring_past(void *arg)
{
    ring *r = arg;
    size_t slot = r->tail % RING_SLOTS, k = r->n_past[slot];
    if (k == RING_PAST) return NULL;
    if (!r->past[slot][k] && !(r->past[slot][k] = kura_item_new())) return NULL;
    kura_item_clear(r->past[slot][k]);
    r->n_past[slot]++;
    return r->past[slot][k];
}

/* The reader: a file of the item being filled, kept with its slot. */
static int ring_attach(void *arg, const char *name, const unsigned char *p, size_t n)
{
    ring *r = arg;
    struct files *f = &r->files[r->tail % RING_SLOTS];
    size_t len = strlen(name), need = f->n + len + 1 + 8 + n;
    if (need > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < need)
            cap *= 2;
        unsigned char *grown = sodium_malloc(cap);
        if (!grown) {
            r->files_failed = 1;
            return 1;
        }
        if (f->n) memcpy(grown, f->p, f->n);
        sodium_free(f->p);
        f->p = grown, f->cap = cap;
    }
    memcpy(f->p + f->n, name, len + 1);
    for (int i = 0; i < 8; i++)
        f->p[f->n + len + 1 + i] = (unsigned char)((uint64_t)n >> (8 * i));
    if (n) memcpy(f->p + f->n + len + 1 + 8, p, n);
    f->n = need;
    return 0;
}

/* The reader: that slot filled (or skipped, with why); done bytes of the file read. */
static int ring_put(void *arg, const char *why, size_t done)
{
    ring *r = arg;
    size_t slot = r->tail % RING_SLOTS;
    r->why[slot] = why;
    pthread_mutex_lock(&r->mu);
    struct item_drop *last = r->n_item_drops ? &r->item_drops[r->n_item_drops - 1] : NULL;
    if (last && last->index == r->given && r->item[slot]->title)
        last->title = strdup(r->item[slot]->title);
    r->index[slot] = r->given++;
    r->done = done;
    if (r->tail++ == r->head) pthread_cond_signal(&r->can_take); /* it was empty */
    int stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

static void *reader(void *arg)
{
    ring *r = arg;
    kura_import_sink sink = {r,        ring_next,   ring_put, ring_dropped,
                             r->named, ring_attach, ring_past};
    int rc = kura_import_read(r->format, (const unsigned char *)r->text, r->len, &sink);
    if (rc != KURA_OK) snprintf(r->err, sizeof r->err, "%s", kura_error_detail()); /* ours */
    pthread_mutex_lock(&r->mu);
    r->read_rc = rc;
    r->finished = 1;
    pthread_cond_signal(&r->can_take);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int ring_start(ring *r)
{
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->can_put, NULL);
    pthread_cond_init(&r->can_take, NULL);
    for (size_t i = 0; i < RING_SLOTS; i++)
        if (!(r->item[i] = kura_item_new())) return KURA_ERR_NOMEM;
    if (pthread_create(&r->thread, NULL, reader, r) != 0) return KURA_ERR_NOMEM;
    r->started = 1;
    return KURA_OK;
}

void ring_free_drops(ring *r)
{
    for (size_t i = 0; i < r->n_item_drops; i++)
        free(r->item_drops[i].title);
    free(r->item_drops);
    r->item_drops = NULL;
    r->n_item_drops = r->cap_item_drops = 0;
}

int ring_take(ring *r, size_t *slot)
{
    pthread_mutex_lock(&r->mu);
    while (r->head == r->tail && !r->finished)
        pthread_cond_wait(&r->can_take, &r->mu);
    int empty = r->head == r->tail;
    pthread_mutex_unlock(&r->mu);
    *slot = r->head % RING_SLOTS;
    return !empty;
}

void ring_release(ring *r, int stop)
{
    pthread_mutex_lock(&r->mu);
    if (r->tail - r->head++ == RING_SLOTS || stop) /* it was full, or we stop */
        pthread_cond_signal(&r->can_put);
    if (stop) r->stop = 1;
    pthread_mutex_unlock(&r->mu);
}

void ring_stop(ring *r)
{
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_signal(&r->can_put);
    pthread_mutex_unlock(&r->mu);
}

size_t ring_done(ring *r)
{
    pthread_mutex_lock(&r->mu);
    size_t done = r->done;
    pthread_mutex_unlock(&r->mu);
    return done;
}

void ring_end(ring *r)
{
    if (r->started) pthread_join(r->thread, NULL);
    for (size_t i = 0; i < RING_SLOTS; i++) {
        kura_item_free(r->item[i]);
        sodium_free(r->files[i].p); /* wipes */
        for (size_t k = 0; k < RING_PAST; k++)
            kura_item_free(r->past[i][k]);
    }
    pthread_cond_destroy(&r->can_put);
    pthread_cond_destroy(&r->can_take);
    pthread_mutex_destroy(&r->mu);
}
