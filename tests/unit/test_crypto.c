/* Known answers for the crypto wrappers, with pinned keys and nonces: the published
 * XChaCha20-Poly1305 vector (draft-irtf-cfrg-xchacha, A.3.1) and kura's own derivations and
 * slot layout, whose committed outputs pin the file format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base.h"

static void unhex(unsigned char *out, const char *hex, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    assert_int_equal(kura_unhex(out, n, hex), KURA_OK);
}

static void pinned(unsigned char *key, unsigned char *nonce, unsigned char *vid)
{
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)(0x80 + i);
    for (int i = 0; i < 24; i++)
        nonce[i] = (unsigned char)(0x40 + i);
    for (int i = 0; i < 16; i++)
        vid[i] = (unsigned char)(0xa0 + i);
}

static void test_xchacha_draft_vector(void **state)
{
    (void)state;
    static const char msg[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                              "only one tip for the future, sunscreen would be it.";
    static const char want_hex[] =
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa644"
        "0bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e"
        "3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52ec0875924c1c7"
        "987947deafd8780acf49";
    unsigned char key[32], nonce[24], vid[16], want[130], out[24 + 130], back[114];
    const unsigned char ad[] = {0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1,
                                0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
    pinned(key, nonce, vid);
    unhex(want, want_hex, sizeof want);
    kura_seal(out, (const unsigned char *)msg, 114, ad, sizeof ad, nonce, key);
    assert_memory_equal(out, nonce, 24);
    assert_memory_equal(out + 24, want, sizeof want);
    assert_int_equal(kura_open(back, out, sizeof out, ad, sizeof ad, key), KURA_OK);
    assert_memory_equal(back, msg, 114);
    /* Failure twins: a flipped byte, other associated data, a truncated ciphertext. */
    out[40] ^= 1;
    assert_int_equal(kura_open(back, out, sizeof out, ad, sizeof ad, key), KURA_ERR_CORRUPT);
    out[40] ^= 1;
    assert_int_equal(kura_open(back, out, sizeof out, ad, sizeof ad - 1, key), KURA_ERR_CORRUPT);
    assert_int_equal(kura_open(back, out, 39, ad, sizeof ad, key), KURA_ERR_CORRUPT);
}

static void test_kdf_split(void **state)
{
    (void)state;
    unsigned char ikm[32], vid[16], key[32], nonce[24], w[32], c[32], want[32];
    pinned(key, nonce, vid);
    for (int i = 0; i < 32; i++)
        ikm[i] = (unsigned char)i;
    kura_kdf_split(w, c, ikm, 32, "client-key", vid);
    unhex(want, "6ceae6a8847da0bec6669b8bd5b0be8bb319074801f8242b8595b683fe5d840a", 32);
    assert_memory_equal(w, want, 32);
    unhex(want, "076e2f3285e3e4b5b0e1179e7b713431db47a6ac722e1756716b383ae56244cb", 32);
    assert_memory_equal(c, want, 32);
    /* Bound to the label and to the vault id. */
    unsigned char w2[32], c2[32];
    kura_kdf_split(w2, c2, ikm, 32, "passphrase", vid);
    assert_memory_not_equal(w, w2, 32);
    vid[0] ^= 1;
    kura_kdf_split(w2, c2, ikm, 32, "client-key", vid);
    assert_memory_not_equal(w, w2, 32);
    assert_memory_not_equal(c, c2, 32);
}

static void test_client_key_kek(void **state)
{
    (void)state;
    unsigned char key[32], nonce[24], vid[16], w[32], c[32], want[32];
    kura_client_key ck;
    pinned(key, nonce, vid);
    for (int i = 0; i < 36; i++)
        ck.sym[i] = (unsigned char)((i * 7) & 31);
    kura_client_key_kek(w, c, &ck, vid);
    unhex(want, "48912c915df551a90c4f69e62869481ff81d284001699942b158c0354fb342e2", 32);
    assert_memory_equal(w, want, 32);
    unhex(want, "1dc85c96cb765d6ed136bd9b7acf4c88f8c75505f7b63605c7dfdd8ade31d16d", 32);
    assert_memory_equal(c, want, 32);
}

static void test_slot(void **state)
{
    (void)state;
    static const char want_hex[] =
        "0101000000000000000000000000000000000000000000000000000000000000000007"
        "6e2f3285e3e4b5b0e1179e7b713431db47a6ac722e1756716b383ae56244cb40414243"
        "4445464748494a4b4c4d4e4f5051525354555657f86a852f2cd6766b791c2712036b9b"
        "91e2b21ed0253ea9cd844b4d4b66b1bf127a413a8c98ed07986b5a88ceff10947c";
    unsigned char key[32], nonce[24], vid[16], ikm[32], w[32], c[32], vk[32], back[32];
    unsigned char slot[KURA_SLOT_BYTES], want[KURA_SLOT_BYTES];
    kura_slot_params p = {.kind = KURA_SLOT_CLIENT_KEY}, q;
    pinned(key, nonce, vid);
    for (int i = 0; i < 32; i++)
        ikm[i] = (unsigned char)i, vk[i] = (unsigned char)(0x60 + i);
    kura_kdf_split(w, c, ikm, 32, "client-key", vid);
    kura_slot_seal(slot, &p, w, c, vid, vk, nonce);
    unhex(want, want_hex, sizeof want);
    assert_memory_equal(slot, want, sizeof want);
    assert_int_equal(kura_slot_parse(&q, slot, sizeof slot), KURA_OK);
    assert_int_equal(q.kind, KURA_SLOT_CLIENT_KEY);
    assert_int_equal(kura_slot_open(back, slot, sizeof slot, w, c, vid), KURA_OK);
    assert_memory_equal(back, vk, 32);

    /* Another key: the commitment says so before any decryption. */
    unsigned char w2[32], c2[32];
    ikm[0] ^= 1;
    kura_kdf_split(w2, c2, ikm, 32, "client-key", vid);
    assert_int_equal(kura_slot_open(back, slot, sizeof slot, w2, c2, vid), KURA_ERR_WRONG_KEY);
    /* Right commitment, wrong wrapping key: damage, not a wrong key. */
    assert_int_equal(kura_slot_open(back, slot, sizeof slot, w2, c, vid), KURA_ERR_CORRUPT);
    /* Parameters are authenticated: raising or lowering opslimit breaks the slot. */
    slot[2] ^= 1;
    assert_int_equal(kura_slot_open(back, slot, sizeof slot, w, c, vid), KURA_ERR_CORRUPT);
    slot[2] ^= 1;
    /* Bound to the vault id. */
    vid[3] ^= 1;
    assert_int_equal(kura_slot_open(back, slot, sizeof slot, w, c, vid), KURA_ERR_CORRUPT);
    vid[3] ^= 1;
    /* Malformed slots. */
    assert_int_equal(kura_slot_open(back, slot, sizeof slot - 1, w, c, vid), KURA_ERR_CORRUPT);
    slot[0] = 2;
    assert_int_equal(kura_slot_parse(&q, slot, sizeof slot), KURA_ERR_CORRUPT);
}

static void test_item_ad(void **state)
{
    (void)state;
    unsigned char key[32], nonce[24], vid[16], iid[16], ad[KURA_AD_BYTES], want[KURA_AD_BYTES];
    pinned(key, nonce, vid);
    for (int i = 0; i < 16; i++)
        iid[i] = (unsigned char)(0xb0 + i);
    kura_item_ad(ad, vid, iid, 'o');
    unhex(want, "6b75726131a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf6f",
          sizeof want);
    assert_memory_equal(ad, want, sizeof want);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xchacha_draft_vector),
        cmocka_unit_test(test_kdf_split),
        cmocka_unit_test(test_client_key_kek),
        cmocka_unit_test(test_slot),
        cmocka_unit_test(test_item_ad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
