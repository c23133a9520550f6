/* Item types (vault/item_type.c, item_codec.c): a card's expiry read in the ways people write
 * it and refused when it is not a month, the Luhn check, an SSH key's fingerprint as
 * ssh-keygen prints it, and an item's type and fields through its two parts: the type and the
 * type's fields that are not secret in the overview, every secret in the details only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "kura/kura.h"
#include "item_int.h"

static void test_expiry(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"09/28", "09/2028"},  {"9/28", "09/2028"},    {"09/2028", "09/2028"},
        {"9/2028", "09/2028"}, {"09-2028", "09/2028"}, {"2028-09", "09/2028"},
        {"0928", "09/2028"},   {"092028", "09/2028"},  {" 12 / 30 ", "12/2030"},
        {"1.2031", "01/2031"}, {"2031/1", "01/2031"},  {"12/1999", "12/1999"},
    };
    static const char *const bad[] = {"13/28",   "00/28", "12/3",   "",      "09/20281",
                                      "sept 28", "9",     "12/28x", "28/09", "12/1949",
                                      "2028-13", "/28",   "09/"};
    char out[8];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(kura_card_expiry(out, good[i][0]), KURA_OK);
        assert_string_equal(out, good[i][1]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(kura_card_expiry(out, bad[i]), KURA_ERR_INVALID);
}

static void test_luhn(void **state)
{
    (void)state;
    assert_true(kura_card_luhn("4111111111111111"));
    assert_true(kura_card_luhn("4111 1111 1111 1111"));
    assert_true(kura_card_luhn("5555-5555-5555-4444"));
    assert_true(kura_card_luhn("378282246310005")); /* 15 digits */
    assert_false(kura_card_luhn("4111111111111112"));
    assert_false(kura_card_luhn("4111x11111111111"));
    assert_false(kura_card_luhn("0000000")); /* too short */
    assert_false(kura_card_luhn(""));
}

static void test_fingerprint(void **state)
{
    (void)state;
    char fp[64];
    /* ssh-keygen -lf says: 256 SHA256:Op/V5SGQDxYv5Q0adVIXs/rYWTKSIrKnM0JzNafUkfg */
    assert_int_equal(kura_ssh_fingerprint(fp, sizeof fp,
                                          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEWfEVjpCWBG5Ldo"
                                          "vSAM74tXflFCGs7+k6HI2TKue8x8 bw@example"),
                     KURA_OK);
    assert_string_equal(fp, "SHA256:Op/V5SGQDxYv5Q0adVIXs/rYWTKSIrKnM0JzNafUkfg");
    /* the type inside the blob must be the one named */
    assert_int_equal(kura_ssh_fingerprint(fp, sizeof fp,
                                          "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIEWfEVjpCWBG5Ldo"
                                          "vSAM74tXflFCGs7+k6HI2TKue8x8"),
                     KURA_ERR_INVALID);
    assert_int_equal(kura_ssh_fingerprint(fp, sizeof fp, "ssh-ed25519 not!base64"),
                     KURA_ERR_INVALID);
    assert_int_equal(kura_ssh_fingerprint(fp, sizeof fp, "AAAAC3NzaC1lZDI1NTE5"), KURA_ERR_INVALID);
    assert_int_equal(kura_ssh_fingerprint(fp, 20,
                                          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEWfEVjpCWBG5Ldo"
                                          "vSAM74tXflFCGs7+k6HI2TKue8x8"),
                     KURA_ERR_INVALID);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(kura_type_by_name("CARD"), KURA_TYPE_CARD);
    assert_int_equal(kura_type_by_name("secure-note"), KURA_TYPE_NOTE);
    assert_int_equal(kura_type_by_name("ssh"), KURA_TYPE_SSH_KEY);
    assert_int_equal(kura_type_by_name("boat"), -1);
    assert_null(kura_type_get(KURA_N_TYPES));
    assert_null(kura_type_get(-1));
    for (int t = 0; t < KURA_N_TYPES; t++)
        assert_int_equal(kura_type_by_name(kura_type_get(t)->name), t);
}

/* 1 if needle is in the n bytes at hay. */
static int holds(const unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0) return 1;
    return 0;
}

static void test_parts(void **state)
{
    (void)state;
    kura_item *it = kura_item_new(), *back = kura_item_new();
    assert_non_null(it);
    assert_non_null(back);
    assert_int_equal(kura_item_set(it, KURA_TITLE, "Visa"), KURA_OK);
    /* a secret field set before the type becomes hidden with it */
    assert_int_equal(kura_item_set_field(it, "number", "4111111111111111", 0), KURA_OK);
    assert_int_equal(kura_item_set_type(it, KURA_TYPE_CARD), KURA_OK);
    assert_true(it->fields[0].hidden);
    assert_int_equal(kura_item_set_field(it, "cardholder", "Ann Smith", 0), KURA_OK);
    assert_int_equal(kura_item_set_field(it, "code", "123", 0), KURA_OK);
    assert_true(it->fields[2].hidden); /* hidden whatever the caller said */
    assert_int_equal(kura_item_set_field(it, "bank", "First", 0), KURA_OK);
    assert_int_equal(kura_item_set_type(it, KURA_N_TYPES), KURA_ERR_INVALID);

    kura_gbuf ov = {0}, det = {0};
    assert_int_equal(kura_part_bytes(&ov, it, PART_OVERVIEW), KURA_OK);
    assert_int_equal(kura_part_bytes(&det, it, PART_DETAILS), KURA_OK);
    assert_true(holds(ov.p, ov.n, "Ann Smith"));
    assert_false(holds(ov.p, ov.n, "4111111111111111"));
    assert_false(holds(ov.p, ov.n, "123"));
    assert_false(holds(ov.p, ov.n, "First")); /* not one of the type's own */
    assert_true(holds(det.p, det.n, "4111111111111111"));
    assert_false(holds(det.p, det.n, "Ann Smith"));

    assert_int_equal(kura_part_parse(back, back->arena, ov.p, ov.n, PART_OVERVIEW), KURA_OK);
    assert_int_equal(back->type, KURA_TYPE_CARD);
    assert_int_equal(back->n_fields, 1); /* a listing has the holder, and no secret */
    assert_int_equal(kura_part_parse(back, back->arena, det.p, det.n, PART_DETAILS), KURA_OK);
    assert_int_equal(back->n_fields, 4);
    /* the same fields come back, whichever part held them */
    size_t found = 0;
    for (size_t i = 0; i < it->n_fields; i++)
        for (size_t j = 0; j < back->n_fields; j++)
            if (strcmp(it->fields[i].name, back->fields[j].name) == 0 &&
                strcmp(it->fields[i].value, back->fields[j].value) == 0 &&
                it->fields[i].hidden == back->fields[j].hidden)
                found++;
    assert_int_equal(found, 4);

    /* A login writes no type record: what earlier formats wrote. */
    kura_item *login = kura_item_new();
    kura_gbuf lov = {0};
    assert_int_equal(kura_item_set(login, KURA_TITLE, "Site"), KURA_OK);
    assert_int_equal(kura_part_bytes(&lov, login, PART_OVERVIEW), KURA_OK);
    for (size_t off = 1; off + 5 <= lov.n; off += 5 + kura_get32(lov.p + off + 1))
        assert_int_not_equal(lov.p[off], T_TYPE);

    /* A type record for a login, or for no type, is damage; so is a hidden overview field. */
    static const unsigned char bad_type[][7] = {
        {1, T_TYPE, 1, 0, 0, 0, KURA_TYPE_LOGIN},
        {1, T_TYPE, 1, 0, 0, 0, KURA_N_TYPES},
        {1, T_TYPE, 2, 0, 0, 0, KURA_TYPE_CARD},
    };
    for (size_t i = 0; i < 3; i++) {
        kura_item_clear(back);
        assert_int_equal(kura_part_parse(back, back->arena, bad_type[i], 7, PART_OVERVIEW),
                         KURA_ERR_CORRUPT);
    }
    static const unsigned char hidden_ov[] = {1, T_OVFIELD, 7, 0, 0, 0, 1, 1, 0, 0, 0, 'a', 'b'};
    kura_item_clear(back);
    assert_int_equal(kura_part_parse(back, back->arena, hidden_ov, sizeof hidden_ov, PART_OVERVIEW),
                     KURA_ERR_CORRUPT);
    /* and an overview field record in the details */
    static const unsigned char ov_in_det[] = {1, T_OVFIELD, 7, 0, 0, 0, 0, 1, 0, 0, 0, 'a', 'b'};
    kura_item_clear(back);
    assert_int_equal(kura_part_parse(back, back->arena, ov_in_det, sizeof ov_in_det, PART_DETAILS),
                     KURA_ERR_CORRUPT);

    kura_gbuf_free(&ov);
    kura_gbuf_free(&det);
    kura_gbuf_free(&lov);
    kura_item_free(login);
    kura_item_free(it);
    kura_item_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expiry),      cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_fingerprint), cmocka_unit_test(test_names),
        cmocka_unit_test(test_parts),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
