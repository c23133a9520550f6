/* Split kits (recovery/split.c): every K of N shares give the key back, fewer give nothing,
 * and K - 1 shares say nothing about the key: for any key at all there is a K-th share that,
 * with them, gives that key. Typed shares catch typos as keys do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <libgfshare.h>
#include <sodium.h>

#include "kura/recovery.h"

#define AT_DATA 8
#define DATA_SYMBOLS 34
#define SECRET_BYTES 21

/* The packing split.c uses: 5-bit symbols, most significant bit first. */
static void to_bytes(unsigned char *bytes, const unsigned char *sym, size_t nsym)
{
    memset(bytes, 0, SECRET_BYTES);
    size_t bit = 0;
    for (size_t i = 0; i < nsym; i++)
        for (int b = 4; b >= 0; b--, bit++)
            if (bit < SECRET_BYTES * 8 && ((sym[i] >> b) & 1))
                bytes[bit / 8] |= 1u << (7 - bit % 8);
}

static void to_symbols(unsigned char *sym, size_t nsym, const unsigned char *bytes)
{
    size_t bit = 0;
    for (size_t i = 0; i < nsym; i++) {
        unsigned v = 0;
        for (int b = 0; b < 5; b++, bit++)
            v = v << 1 | (bit < SECRET_BYTES * 8 ? (bytes[bit / 8] >> (7 - bit % 8)) & 1 : 0);
        sym[i] = (unsigned char)v;
    }
}

static void fill(unsigned char *buf, unsigned int n)
{
    randombytes_buf(buf, n);
}

static void test_every_subset(void **state)
{
    (void)state;
    kura_client_key key, got;
    kura_share shares[5], pick[5];
    kura_key_generate(&key);
    assert_int_equal(kura_share_split(shares, &key, 1, 5, 3), KURA_OK);
    for (unsigned mask = 1; mask < 32; mask++) {
        size_t n = 0;
        for (int i = 0; i < 5; i++)
            if (mask & (1u << i)) pick[n++] = shares[i];
        int rc = kura_share_combine(&got, pick, n);
        if (n >= 3) {
            assert_int_equal(rc, KURA_OK);
            assert_memory_equal(got.sym, key.sym, KURA_KEY_SYMBOLS);
        } else {
            assert_int_equal(rc, KURA_ERR_NOT_FOUND);
        }
    }
    /* The same share twice counts once. */
    pick[0] = shares[0], pick[1] = shares[0], pick[2] = shares[1];
    assert_int_equal(kura_share_combine(&got, pick, 3), KURA_ERR_NOT_FOUND);
}

/* Two shares of a 3-of-5 split fit every key: for random keys B, the third share that makes
 * them give B is found (the polynomial through them and (0, B), evaluated at 3, through
 * libgfshare with the points moved by 3), and the three combine to B. */
static void test_fewer_say_nothing(void **state)
{
    (void)state;
    kura_client_key a, b, got;
    kura_share shares[5];
    kura_key_generate(&a);
    assert_int_equal(kura_share_split(shares, &a, 1, 5, 3), KURA_OK);
    unsigned char y1[SECRET_BYTES], y2[SECRET_BYTES], sb[SECRET_BYTES], y3[SECRET_BYTES];
    to_bytes(y1, shares[0].sym + AT_DATA, DATA_SYMBOLS);
    to_bytes(y2, shares[1].sym + AT_DATA, DATA_SYMBOLS);
    gfshare_fill_rand = fill;
    for (int round = 0; round < 200; round++) {
        kura_key_generate(&b);
        to_bytes(sb, b.sym + 1, KURA_KEY_RANDOM_SYMBOLS);
        unsigned char xs[3] = {1 ^ 3, 2 ^ 3, 0 ^ 3};
        gfshare_ctx *g = gfshare_ctx_init_dec(xs, 3, SECRET_BYTES);
        assert_non_null(g);
        gfshare_ctx_dec_giveshare(g, 0, y1);
        gfshare_ctx_dec_giveshare(g, 1, y2);
        gfshare_ctx_dec_giveshare(g, 2, sb);
        gfshare_ctx_dec_extract(g, y3);
        gfshare_ctx_free(g);
        kura_share made[3] = {shares[0], shares[1], shares[2]};
        to_symbols(made[2].sym + AT_DATA, DATA_SYMBOLS, y3);
        kura_b32_check_set(made[2].sym, KURA_SHARE_SYMBOLS);
        assert_int_equal(kura_share_combine(&got, made, 3), KURA_OK);
        assert_memory_equal(got.sym, b.sym, KURA_KEY_SYMBOLS);
    }
}

static void test_mixed_splits(void **state)
{
    (void)state;
    kura_client_key key, got;
    kura_share one[3], two[3];
    kura_key_generate(&key);
    assert_int_equal(kura_share_split(one, &key, 2, 3, 2), KURA_OK);
    assert_int_equal(kura_share_split(two, &key, 2, 3, 2), KURA_OK);
    kura_share pick[2] = {one[0], two[1]};
    assert_int_equal(kura_share_combine(&got, pick, 2), KURA_ERR_INVALID);
    kura_share_info info;
    kura_share_info_of(&one[2], &info);
    assert_int_equal(info.threshold, 2);
    assert_int_equal(info.number, 3);
    assert_int_equal(info.gen, 2);
    assert_int_equal(kura_share_split(one, &key, 1, 3, 4), KURA_ERR_INVALID); /* K > N */
    assert_int_equal(kura_share_split(one, &key, 1, 3, 1), KURA_ERR_INVALID); /* K < 2 */
}

static void test_typed(void **state)
{
    (void)state;
    kura_client_key key;
    kura_share shares[2], got;
    char text[KURA_SHARE_TEXT_LEN + 1];
    kura_key_generate(&key);
    assert_int_equal(kura_share_split(shares, &key, 1, 2, 2), KURA_OK);
    kura_share_format(text, &shares[1]);
    assert_int_equal(strlen(text), KURA_SHARE_TEXT_LEN);
    assert_int_equal(kura_share_parse(&got, NULL, text, strlen(text)), KURA_OK);
    assert_memory_equal(got.sym, shares[1].sym, KURA_SHARE_SYMBOLS);
    /* Every single-symbol change is caught by the check symbols. */
    for (size_t i = 0; i < strlen(text); i++) {
        if (text[i] == '-') continue;
        char keep = text[i];
        for (const char *c = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; *c; c++) {
            if (*c == keep) continue;
            text[i] = *c;
            assert_int_not_equal(kura_share_parse(&got, NULL, text, strlen(text)), KURA_OK);
        }
        text[i] = keep;
    }
    /* Lower case, spaces: forgiven, as for a key. */
    for (char *p = text; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    assert_int_equal(kura_share_parse(&got, NULL, text, strlen(text)), KURA_OK);
    assert_int_equal(kura_share_parse(&got, NULL, "1234", 4), KURA_ERR_KEY_MALFORMED);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_subset),
        cmocka_unit_test(test_fewer_say_nothing),
        cmocka_unit_test(test_mixed_splits),
        cmocka_unit_test(test_typed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
