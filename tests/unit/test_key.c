/* The client key codec. The exhaustive part proves DESIGN.md's promise: over many random
 * keys, every single-symbol substitution and every swap of two unequal neighbours fails the
 * check symbols. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "kura/recovery.h"

#define RANDOM_KEYS 2000

static void parse_ok(const char *text, const kura_client_key *want)
{
    kura_client_key got;
    size_t bad = 99;
    assert_int_equal(kura_key_parse(&got, &bad, text, strlen(text)), KURA_OK);
    if (want) assert_memory_equal(got.sym, want->sym, KURA_KEY_SYMBOLS);
}

static void test_generate_format(void **state)
{
    (void)state;
    kura_client_key k;
    char text[KURA_KEY_TEXT_LEN + 1];
    for (int i = 0; i < 200; i++) {
        kura_key_generate(&k);
        assert_true(kura_key_check(&k));
        assert_int_equal(k.sym[0], KURA_KEY_VERSION);
        kura_key_format(text, &k);
        assert_int_equal(strlen(text), KURA_KEY_TEXT_LEN);
        for (int g = 1; g < 6; g++)
            assert_int_equal(text[g * 7 - 1], '-');
        for (const char *p = text; *p; p++)
            assert_true(strchr("ILOU", *p) == NULL);
        parse_ok(text, &k);
    }
}

static void test_random_bits_vary(void **state)
{
    (void)state;
    /* Every random symbol position takes many values over many keys: no stuck symbol. */
    unsigned seen[KURA_KEY_SYMBOLS] = {0};
    kura_client_key k;
    for (int i = 0; i < 2000; i++) {
        kura_key_generate(&k);
        for (int s = 0; s < KURA_KEY_SYMBOLS; s++)
            seen[s] |= 1u << k.sym[s];
    }
    for (int s = 1; s <= KURA_KEY_RANDOM_SYMBOLS; s++)
        assert_int_equal(seen[s], 0xffffffffu);
    assert_int_equal(seen[0], 1u << KURA_KEY_VERSION);
}

static void test_every_substitution_caught(void **state)
{
    (void)state;
    kura_client_key k, t;
    unsigned long tried = 0;
    for (int n = 0; n < RANDOM_KEYS; n++) {
        kura_key_generate(&k);
        for (int pos = 0; pos < KURA_KEY_SYMBOLS; pos++) {
            for (unsigned v = 0; v < 32; v++) {
                if (v == k.sym[pos]) continue;
                t = k;
                t.sym[pos] = (unsigned char)v;
                assert_false(kura_key_check(&t));
                tried++;
            }
        }
    }
    assert_int_equal(tried, (unsigned long)RANDOM_KEYS * KURA_KEY_SYMBOLS * 31);
}

static void test_every_neighbour_swap_caught(void **state)
{
    (void)state;
    kura_client_key k, t;
    for (int n = 0; n < RANDOM_KEYS * 10; n++) {
        kura_key_generate(&k);
        for (int pos = 0; pos + 1 < KURA_KEY_SYMBOLS; pos++) {
            if (k.sym[pos] == k.sym[pos + 1]) continue; /* a swap that changes nothing */
            t = k;
            t.sym[pos] = k.sym[pos + 1];
            t.sym[pos + 1] = k.sym[pos];
            assert_false(kura_key_check(&t));
        }
    }
}

/* The same proof through the text parser: what a user types. */
static void test_typos_through_parser(void **state)
{
    (void)state;
    kura_client_key k, out;
    char text[KURA_KEY_TEXT_LEN + 1];
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (int n = 0; n < 50; n++) {
        kura_key_generate(&k);
        kura_key_format(text, &k);
        for (size_t i = 0; i < KURA_KEY_TEXT_LEN; i++) {
            if (text[i] == '-') continue;
            char saved = text[i];
            for (const char *a = alphabet; *a; a++) {
                if (*a == saved) continue;
                text[i] = *a;
                assert_int_equal(kura_key_parse(&out, NULL, text, strlen(text)), KURA_ERR_KEY_TYPO);
                assert_true(sodium_is_zero(out.sym, sizeof out.sym)); /* wiped */
            }
            text[i] = saved;
        }
    }
}

static void test_forgiving_input(void **state)
{
    (void)state;
    kura_client_key k;
    char text[KURA_KEY_TEXT_LEN + 1], messy[200];
    /* Find a key with 0s and 1s so the O/I/L mapping is exercised. */
    do {
        kura_key_generate(&k);
        kura_key_format(text, &k);
    } while (!strchr(text + 1, '0') || !strchr(text + 1, '1'));
    size_t o = 0;
    for (size_t i = 0; text[i]; i++) {
        char c = text[i];
        if (c == '-') {
            messy[o++] = ' ';
            continue;
        }
        if (c == '0')
            c = 'O';
        else if (c == '1')
            c = (i % 2) ? 'l' : 'I';
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        messy[o++] = c;
        if (i % 5 == 0) messy[o++] = '-';
    }
    messy[o++] = '\n';
    messy[o] = '\0';
    parse_ok(messy, &k);
}

static void test_malformed(void **state)
{
    (void)state;
    kura_client_key k, out;
    char text[KURA_KEY_TEXT_LEN + 1];
    size_t bad;
    kura_key_generate(&k);
    kura_key_format(text, &k);

    /* A bad character: its 1-based position in what was typed. */
    char t2[64];
    strcpy(t2, text);
    t2[9] = 'U';
    assert_int_equal(kura_key_parse(&out, &bad, t2, strlen(t2)), KURA_ERR_KEY_MALFORMED);
    assert_int_equal(bad, 10);
    strcpy(t2, text);
    t2[0] = '*';
    assert_int_equal(kura_key_parse(&out, &bad, t2, strlen(t2)), KURA_ERR_KEY_MALFORMED);
    assert_int_equal(bad, 1);
    /* Too short, too long, empty: length errors (position 0). */
    assert_int_equal(kura_key_parse(&out, &bad, text, strlen(text) - 1), KURA_ERR_KEY_MALFORMED);
    assert_int_equal(bad, 0);
    assert_int_equal(kura_key_count_symbols(text, strlen(text) - 1), 35);
    strcpy(t2, text);
    strcat(t2, "7");
    assert_int_equal(kura_key_parse(&out, &bad, t2, strlen(t2)), KURA_ERR_KEY_MALFORMED);
    assert_int_equal(bad, 0);
    assert_int_equal(kura_key_parse(&out, &bad, "", 0), KURA_ERR_KEY_MALFORMED);
    /* A NUL inside the length is a bad character, not an end. */
    memcpy(t2, text, sizeof text);
    t2[3] = '\0';
    assert_int_equal(kura_key_parse(&out, &bad, t2, KURA_KEY_TEXT_LEN), KURA_ERR_KEY_MALFORMED);
    assert_int_equal(bad, 4);
}

static void test_unknown_version(void **state)
{
    (void)state;
    kura_client_key k, t, out;
    char text[KURA_KEY_TEXT_LEN + 1];
    kura_key_generate(&k);
    /* Make a consistent key with version symbol 2 by searching the two check symbols. */
    int found = 0;
    for (unsigned a = 0; a < 32 && !found; a++)
        for (unsigned b = 0; b < 32 && !found; b++) {
            t = k;
            t.sym[0] = 2;
            t.sym[34] = (unsigned char)a;
            t.sym[35] = (unsigned char)b;
            found = kura_key_check(&t);
        }
    assert_true(found);
    kura_key_format(text, &t);
    assert_int_equal(kura_key_parse(&out, NULL, text, strlen(text)), KURA_ERR_KEY_VERSION);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_format),
        cmocka_unit_test(test_random_bits_vary),
        cmocka_unit_test(test_every_substitution_caught),
        cmocka_unit_test(test_every_neighbour_swap_caught),
        cmocka_unit_test(test_typos_through_parser),
        cmocka_unit_test(test_forgiving_input),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unknown_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
