/* The audit module's parts (audit/): the Pwned Passwords file's binary search finds every hash
 * that is in a file and none that is not, asked in any order, in SHA-1 and NTLM files, with
 * CRLF and LF lines, at the first and last line and past both ends; the two hashes agree with
 * published values; files that are not Pwned Passwords files, or not ordered by hash, are
 * refused; zxcvbn's estimate counts the item's own words as known. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "kura/kura.h"
#include "module.h"
#include "unit_dir.h"

#define N_LINES 20000

static unsigned char (*digests)[KURA_HIBP_DIGEST];

static int by_bytes(const void *a, const void *b)
{
    return memcmp(a, b, KURA_HIBP_DIGEST);
}

/* A file of N_LINES random hashes of len bytes, ordered, the count of line i being i + 1. */
static void write_file(const char *path, size_t len, const char *eol)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < N_LINES; i++) {
        for (size_t k = 0; k < len; k++)
            fprintf(f, "%02X", digests[i][k]);
        fprintf(f, ":%zu%s", i + 1, eol);
    }
    fclose(f);
}

static void make_digests(size_t len)
{
    digests = calloc(N_LINES, sizeof *digests);
    assert_non_null(digests);
    for (size_t i = 0; i < N_LINES; i++)
        randombytes_buf(digests[i], len);
    qsort(digests, N_LINES, sizeof *digests, by_bytes);
}

static void search_all(const char *path, size_t len)
{
    kura_hibp *h;
    char err[300];
    uint64_t count;
    assert_int_equal(kura_hibp_open(&h, path, err, sizeof err), KURA_OK);
    assert_string_equal(kura_hibp_kind(h), len == 20 ? "SHA-1" : "NTLM");
    /* in a random order */
    for (size_t t = 0; t < 3000; t++) {
        size_t i = randombytes_uniform(N_LINES);
        assert_int_equal(kura_hibp_find(h, digests[i], &count), KURA_OK);
        assert_int_equal(count, i + 1);
    }
    /* every one, in order, as the audit asks them */
    for (size_t i = 0; i < N_LINES; i++) {
        assert_int_equal(kura_hibp_find(h, digests[i], &count), KURA_OK);
        assert_int_equal(count, i + 1);
    }
    /* ones that are not there: between two lines, before the first, after the last */
    unsigned char d[KURA_HIBP_DIGEST] = {0}, top[KURA_HIBP_DIGEST];
    memset(top, 0xff, sizeof top);
    for (size_t t = 0; t < 3000; t++) {
        size_t i = randombytes_uniform(N_LINES - 1);
        memcpy(d, digests[i], KURA_HIBP_DIGEST);
        if (d[len - 1] == 0xff || memcmp(digests[i + 1], d, len) == 0) continue;
        d[len - 1]++; /* just above line i */
        if (memcmp(d, digests[i + 1], len) == 0) continue;
        assert_int_equal(kura_hibp_find(h, d, &count), KURA_OK);
        assert_int_equal(count, 0);
    }
    memset(d, 0, sizeof d);
    if (memcmp(digests[0], d, len) != 0) {
        assert_int_equal(kura_hibp_find(h, d, &count), KURA_OK);
        assert_int_equal(count, 0);
    }
    assert_int_equal(kura_hibp_find(h, top, &count), KURA_OK);
    assert_int_equal(count, 0);
    assert_int_equal(kura_hibp_find(h, digests[0], &count), KURA_OK);
    assert_int_equal(count, 1);
    kura_hibp_close(h);
}

static void test_search(void **state)
{
    (void)state;
    char path[300];
    static const struct {
        size_t len;
        const char *eol;
    } kinds[] = {{20, "\r\n"}, {20, "\n"}, {16, "\r\n"}};
    for (size_t k = 0; k < 3; k++) {
        make_digests(kinds[k].len);
        snprintf(path, sizeof path, "%s/pwned-%zu.txt", dir, k);
        write_file(path, kinds[k].len, kinds[k].eol);
        search_all(path, kinds[k].len);
        free(digests);
    }
}

static void test_digests(void **state)
{
    (void)state;
    char path[300], err[300];
    unsigned char d[KURA_HIBP_DIGEST];
    kura_hibp *h;
    static const unsigned char sha1_password[20] = {
        0x5b, 0xaa, 0x61, 0xe4, 0xc9, 0xb9, 0x3f, 0x3f, 0x06, 0x82,
        0x25, 0x0b, 0x6c, 0xf8, 0x33, 0x1b, 0x7e, 0xe6, 0x8f, 0xd8}; /* SHA-1("password") */
    static const unsigned char ntlm_password[16] = {0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
                                                    0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c};
    snprintf(path, sizeof path, "%s/one-sha1.txt", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:9659365\r\n");
    fclose(f);
    assert_int_equal(kura_hibp_open(&h, path, err, sizeof err), KURA_OK);
    kura_hibp_digest(h, "password", d);
    assert_memory_equal(d, sha1_password, 20);
    uint64_t count;
    assert_int_equal(kura_hibp_find(h, d, &count), KURA_OK);
    assert_int_equal(count, 9659365);
    kura_hibp_close(h);
    snprintf(path, sizeof path, "%s/one-ntlm.txt", dir);
    f = fopen(path, "w");
    fprintf(f, "8846F7EAEE8FB117AD06BDD830B7586C:9659365\n");
    fclose(f);
    assert_int_equal(kura_hibp_open(&h, path, err, sizeof err), KURA_OK);
    kura_hibp_digest(h, "password", d);
    assert_memory_equal(d, ntlm_password, 16);
    kura_hibp_close(h);
}

static void refused(const char *name, const char *text, int rc, const char *words)
{
    char path[300], err[300];
    kura_hibp *h = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    assert_int_equal(kura_hibp_open(&h, path, err, sizeof err), rc);
    assert_null(h);
    assert_non_null(strstr(err, words));
}

static void test_refusals(void **state)
{
    (void)state;
    refused("empty.txt", "", KURA_ERR_INVALID, "not a Pwned Passwords file");
    refused("words.txt", "hello world\n", KURA_ERR_INVALID, "not a Pwned Passwords file");
    refused("short.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68F:1\n", KURA_ERR_INVALID,
            "not a Pwned Passwords file");
    refused("by-count.txt",
            "FFAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:99\r\n"
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\n",
            KURA_ERR_INVALID, "not ordered by hash");
    char err[300];
    kura_hibp *h = NULL;
    assert_int_equal(kura_hibp_open(&h, "/nonexistent/pwned.txt", err, sizeof err),
                     KURA_ERR_NOT_FOUND);
    assert_int_equal(kura_hibp_open(&h, dir, err, sizeof err), KURA_ERR_INVALID);
    assert_non_null(strstr(err, "is not a file"));
}

static void test_strength(void **state)
{
    (void)state;
    unsigned why;
    const char *none[] = {NULL}, *own[] = {"octocat", NULL};
    assert_true(kura_audit_strength("password", none, &why) < 10);
    assert_true(why & KURA_WHY_WORD);
    assert_true(why & KURA_WHY_SHORT);
    assert_true(kura_audit_strength("zxcvbnm,./", none, &why) < 20);
    assert_true(why & KURA_WHY_KEYBOARD);
    assert_true(kura_audit_strength("abcdefgh", none, &why) < 10);
    assert_true(why & KURA_WHY_SEQUENCE);
    assert_true(kura_audit_strength("G7h%2kLp!9Zq@3Wx$8Rt", none, &why) > 80);
    double alone = kura_audit_strength("octocat1987", none, &why);
    double known = kura_audit_strength("octocat1987", own, &why);
    assert_true(known < alone);
    assert_true(why & KURA_WHY_OWN);
}

static int setup(void **state)
{
    (void)state;
    return unit_dir_make();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_strength),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
