/* The allocation fault injector of kura-failalloc (tests only). Linked with
 * -Wl,--wrap=malloc,... so every allocation kura's own code makes (libkura and the CLI:
 * malloc, calloc, realloc, strdup, strndup, sodium_malloc, sodium_allocarray) and, through
 * SQLITE_CONFIG_MALLOC, every one SQLite makes, passes through one counter.
 *   KURA_ALLOC_FAIL=N: the Nth allocation fails (returns NULL), once.
 *   KURA_ALLOC_COUNT=FILE: at exit, writes the number of allocations made to FILE.
 * Under AddressSanitizer the real allocator is ASan's, so LeakSanitizer sees every leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sqlite3.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_sodium_malloc(size_t n);
void *__real_sodium_allocarray(size_t count, size_t size);

static long count, fail_at = -1;
static int ready;

static void write_count(void)
{
    const char *path = getenv("KURA_ALLOC_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) return;
    fprintf(f, "%ld\n", count);
    fclose(f);
}

static int fail_now(void)
{
    if (!ready) {
        const char *n = getenv("KURA_ALLOC_FAIL");
        ready = 1;
        if (n) fail_at = atol(n);
        atexit(write_count);
    }
    return ++count == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}

void *__wrap_sodium_malloc(size_t n)
{
    return fail_now() ? NULL : __real_sodium_malloc(n);
}

void *__wrap_sodium_allocarray(size_t count_, size_t size)
{
    return fail_now() ? NULL : __real_sodium_allocarray(count_, size);
}

/* SQLite's allocator: the size kept in an 8-byte header, as SQLite's own mem1.c does. */
static void *sq_malloc(int n)
{
    if (fail_now()) return NULL;
    sqlite3_int64 *p = __real_malloc((size_t)n + 8);
    if (!p) return NULL;
    p[0] = n;
    return p + 1;
}

static void sq_free(void *p)
{
    if (p) free((sqlite3_int64 *)p - 1);
}

static int sq_size(void *p)
{
    return p ? (int)((sqlite3_int64 *)p)[-1] : 0;
}

static void *sq_realloc(void *p, int n)
{
    if (fail_now()) return NULL;
    sqlite3_int64 *q = __real_realloc((sqlite3_int64 *)p - 1, (size_t)n + 8);
    if (!q) return NULL;
    q[0] = n;
    return q + 1;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *ctx)
{
    (void)ctx;
    return SQLITE_OK;
}

static void sq_shutdown(void *ctx)
{
    (void)ctx;
}

__attribute__((constructor)) static void install(void)
{
    static const sqlite3_mem_methods methods = {sq_malloc,  sq_free, sq_realloc,  sq_size,
                                                sq_roundup, sq_init, sq_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) abort();
}
