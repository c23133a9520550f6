/* Guarded memory for plaintext: sodium_malloc chunks (guard pages, mlock, wiped on free)
 * handed out in small pieces, so thousands of decrypted titles cost a few mappings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

struct chunk {
    struct chunk *next;
    unsigned char *mem;
    size_t used, cap;
};

struct kura_arena {
    struct chunk *head;
    size_t next_cap;
};

kura_arena *kura_arena_new(void)
{
    kura_arena *a = calloc(1, sizeof *a);
    if (a) a->next_cap = 16384;
    return a;
}

void kura_arena_free(kura_arena *a)
{
    if (!a) return;
    for (struct chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        sodium_free(c->mem);
        free(c);
    }
    free(a);
}

void kura_arena_reset(kura_arena *a)
{
    struct chunk *keep = a->head;
    if (!keep) return;
    for (struct chunk *c = keep->next, *next; c; c = next) {
        next = c->next;
        sodium_free(c->mem);
        free(c);
    }
    sodium_memzero(keep->mem, keep->used);
    keep->used = 0;
    keep->next = NULL;
}

void *kura_arena_alloc(kura_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = a->next_cap;
        while (cap < n)
            cap *= 2;
        if (a->next_cap < (1u << 20)) a->next_cap *= 2;
        c = calloc(1, sizeof *c);
        if (!c) return NULL;
        c->mem = sodium_malloc(cap);
        if (!c->mem) {
            free(c);
            return NULL;
        }
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *kura_arena_strndup(kura_arena *a, const char *s, size_t n)
{
    char *p = kura_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int kura_gbuf_add(kura_gbuf *b, const void *p, size_t n)
{
    if (b->failed) return KURA_ERR_NOMEM;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *grown = sodium_malloc(cap);
        if (!grown) {
            b->failed = 1;
            return KURA_ERR_NOMEM;
        }
        if (b->n) memcpy(grown, b->p, b->n);
        sodium_free(b->p); /* wipes */
        b->p = grown;
        b->cap = cap;
    }
    if (n && p) memcpy(b->p + b->n, p, n);
    b->n += n;
    return KURA_OK;
}

void kura_gbuf_free(kura_gbuf *b)
{
    sodium_free(b->p);
    *b = (kura_gbuf){0};
}

int kura_grow(void *array, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return KURA_OK;
    size_t grown = *cap ? *cap : 16;
    while (grown <= n)
        grown *= 2;
    if (grown > SIZE_MAX / size) return KURA_ERR_NOMEM;
    void *p = realloc(*(void **)array, grown * size);
    if (!p) return KURA_ERR_NOMEM;
    *(void **)array = p;
    *cap = grown;
    return KURA_OK;
}
