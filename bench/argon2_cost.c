/* argon2_cost: how long Argon2id alone takes with the limits kura's device slots use
 * (libsodium's MODERATE), so the benchmark can report a passphrase unlock as Argon2id's
 * cost plus kura's own overhead. Prints the median of 5 runs in milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    unsigned char key[32], salt[crypto_pwhash_SALTBYTES] = {0};
    const char pass[] = "a benchmark passphrase";
    double ms[5];
    if (sodium_init() < 0) return 1;
    for (int i = 0; i < 5; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (crypto_pwhash(key, sizeof key, pass, sizeof pass - 1, salt,
                          crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                          crypto_pwhash_ALG_ARGON2ID13) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, 5, sizeof ms[0], by_value);
    printf("%.1f\n", ms[2]);
    return 0;
}
