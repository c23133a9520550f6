/* argon2_cost [once]: how long Argon2id alone takes with the limits kura's device slots use
 * (libsodium's MODERATE), so the benchmark can report a passphrase unlock as Argon2id's
 * cost plus kura's own overhead. Prints the median of 11 runs in milliseconds; with "once",
 * runs it once and prints nothing (bench/run.sh times that process as it times kura's). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sodium.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    unsigned char key[32], salt[crypto_pwhash_SALTBYTES] = {0};
    const char pass[] = "a benchmark passphrase";
    double ms[11];
    if (sodium_init() < 0) return 1;
    if (argc > 1 && argv[1][0] == 'o')
        return crypto_pwhash(key, sizeof key, pass, sizeof pass - 1, salt,
                             crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                             crypto_pwhash_ALG_ARGON2ID13) != 0;
    for (int i = 0; i < 11; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (crypto_pwhash(key, sizeof key, pass, sizeof pass - 1, salt,
                          crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                          crypto_pwhash_ALG_ARGON2ID13) != 0)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, 11, sizeof ms[0], by_value);
    printf("%.1f\n", ms[5]);
    return 0;
}
