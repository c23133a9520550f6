/* kura generate: random passwords (chosen character classes, each present at least once) or
 * passphrases from the bundled EFF word list. Every choice is randombytes_uniform. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char digits[] = "0123456789";
/* No quotes, backslash, backtick or space: safe to paste into a shell or a form. */
static const char symbols[] = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
#define AMBIGUOUS "0Oo1lI|`'\""

int generate_password(char **out, double *bits, int length, int words, unsigned classes,
                      const char *sep)
{
    *out = NULL;
    if (words > 0) {
        const char *pick[64];
        size_t seplen = strlen(sep), len = 0, o = 0;
        if (words > 64) return -1;
        for (int i = 0; i < words; i++) {
            pick[i] = kura_words[randombytes_uniform((uint32_t)kura_words_count)];
            len += strlen(pick[i]) + (i ? seplen : 0);
        }
        char *p = sodium_malloc(len + 1);
        if (!p) return -1;
        for (int i = 0; i < words; i++) {
            if (i) memcpy(p + o, sep, seplen), o += seplen;
            memcpy(p + o, pick[i], strlen(pick[i]));
            o += strlen(pick[i]);
        }
        p[o] = '\0';
        *bits = words * log2((double)kura_words_count);
        *out = p;
        return 0;
    }
    const char *sets[4] = {lower, upper, digits, symbols};
    char alphabet[128] = "";
    size_t an = 0;
    for (int k = 0; k < 4; k++)
        if (classes & (1u << k))
            for (const char *ch = sets[k]; *ch; ch++)
                if (!(classes & CL_NO_AMBIGUOUS) || !strchr(AMBIGUOUS, *ch)) alphabet[an++] = *ch;
    alphabet[an] = '\0';
    size_t n = strlen(alphabet);
    char *p = sodium_malloc((size_t)length + 1);
    if (!p || n == 0) {
        sodium_free(p);
        return -1;
    }
    for (;;) {
        unsigned seen = 0;
        for (int i = 0; i < length; i++) {
            char ch = alphabet[randombytes_uniform((uint32_t)n)];
            p[i] = ch;
            for (int k = 0; k < 4; k++)
                if (strchr(sets[k], ch)) seen |= 1u << k;
        }
        p[length] = '\0';
        /* Redraw until every class asked for is present (short passwords only: rare). */
        unsigned want = classes & 15;
        if ((seen & want) == want || length < __builtin_popcount(want)) break;
    }
    *bits = length * log2((double)n);
    *out = p;
    return 0;
}

typedef struct generate_args {
    int length, words;
    const char *separator;
    int no_upper, no_lower, no_digits, no_symbols, no_ambiguous;
} generate_args;

static const opt_row generate_rows[] = {
    OPT_NUMBER("length", generate_args, length, "N", 4, 4096, NULL, "characters (default 24)"),
    OPT_FLAG("no-upper", generate_args, no_upper, "leave out upper-case letters"),
    OPT_FLAG("no-lower", generate_args, no_lower, "leave out lower-case letters"),
    OPT_FLAG("no-digits", generate_args, no_digits, "leave out digits"),
    OPT_FLAG("no-symbols", generate_args, no_symbols, "leave out symbols"),
    OPT_FLAG("no-ambiguous", generate_args, no_ambiguous,
             "leave out look-alike characters (0 O o 1 l I | and quotes)"),
    OPT_NUMBER("words", generate_args, words, "N", 3, 64, NULL,
               "a passphrase of N words from the EFF list (12.9 bits each)"),
    OPT_STRING("separator", generate_args, separator, "S", "between words (default -)"),
    OPT_END(),
};

static int generate_exec(ctx *c, void *args, int argc, char **argv)
{
    const generate_args *a = args;
    unsigned classes = (a->no_lower ? 0 : CL_LOWER) | (a->no_upper ? 0 : CL_UPPER) |
                       (a->no_digits ? 0 : CL_DIGIT) | (a->no_symbols ? 0 : CL_SYMBOL) |
                       (a->no_ambiguous ? CL_NO_AMBIGUOUS : 0);
    (void)argc, (void)argv;
    char *pw;
    double bits;
    if (a->separator && strlen(a->separator) > 8)
        return fail(EX_USAGE, "--separator takes at most 8 characters");
    if (!a->words && !(classes & 15)) return fail(EX_USAGE, "every character class is turned off");
    if (generate_password(&pw, &bits, a->length ? a->length : 24, a->words, classes,
                          a->separator ? a->separator : "-") != 0)
        return fail(EX_FAIL, "out of memory");
    if (c->json)
        json_print(json_pack("{s:s, s:f}", "password", pw, "entropy_bits", floor(bits * 10) / 10));
    else
        printf("%s\n", pw);
    secret_free(pw);
    return EX_OK;
}

const cmd cmd_generate = {
    .name = "generate",
    .summary = "make a random password or passphrase",
    .rows = generate_rows,
    .args_size = sizeof(generate_args),
    .exec = generate_exec,
};
