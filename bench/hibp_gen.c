/* bench/hibp_gen.c: writes a file with the layout of the Pwned Passwords file ordered by hash
 * (upper-case SHA-1 hex, ':', a count, CRLF), of about BYTES bytes: random hashes spread evenly
 * and written in increasing order, with the SHA-1 hashes listed in INCLUDE (one hex hash a line)
 * merged in where they belong, so that a benchmark's passwords are found.
 *
 *   cc -O2 -o hibp_gen bench/hibp_gen.c && ./hibp_gen BYTES INCLUDE OUT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

static uint64_t state = 0x9e3779b97f4a7c15u;
static uint64_t next(void) /* splitmix64: fast, and enough for spreading hashes */
{
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int cmp(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static char *put_line(char *p, const unsigned char h[20], unsigned count)
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 20; i++) {
        *p++ = hex[h[i] >> 4];
        *p++ = hex[h[i] & 15];
    }
    return p + snprintf(p, 16, ":%u\r\n", count); /* a count has at most 10 digits */
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: hibp_gen BYTES INCLUDE OUT\n");
        return 2;
    }
    uint64_t bytes = strtoull(argv[1], NULL, 10), lines = bytes / 46;
    FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "w");
    if (!in || !out || lines == 0) {
        perror("hibp_gen");
        return 1;
    }
    unsigned char(*inc)[20] = NULL;
    size_t n_inc = 0, cap = 0;
    char buf[128];
    while (fgets(buf, sizeof buf, in)) {
        if (strlen(buf) < 40) continue;
        if (n_inc == cap && !(inc = realloc(inc, (cap = cap ? 2 * cap : 1024) * 20))) return 1;
        for (int i = 0; i < 20; i++) {
            unsigned v;
            sscanf(buf + 2 * i, "%2x", &v);
            inc[n_inc][i] = (unsigned char)v;
        }
        n_inc++;
    }
    qsort(inc, n_inc, 20, cmp);
    static char obuf[1 << 20];
    char *p = obuf;
    size_t k = 0;
    u128 step = ((u128)1 << 64) / lines; /* the top 64 bits advance by about this a line */
    for (uint64_t i = 0; i < lines; i++) {
        unsigned char h[20];
        uint64_t top = (uint64_t)(step * i + (u128)(next() % (uint64_t)step));
        for (int b = 0; b < 8; b++)
            h[b] = (unsigned char)(top >> (56 - 8 * b));
        uint64_t r1 = next(), r2 = next();
        memcpy(h + 8, &r1, 8);
        memcpy(h + 16, &r2, 4);
        while (k < n_inc && memcmp(inc[k], h, 20) < 0)
            p = put_line(p, inc[k++], 1000 + (unsigned)(next() % 9000));
        p = put_line(p, h, 1 + (unsigned)(next() % 100));
        if (p - obuf > (1 << 20) - 256) {
            fwrite(obuf, 1, (size_t)(p - obuf), out);
            p = obuf;
        }
    }
    while (k < n_inc)
        p = put_line(p, inc[k++], 1000);
    fwrite(obuf, 1, (size_t)(p - obuf), out);
    return fclose(out) == 0 ? 0 : 1;
}
