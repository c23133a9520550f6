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
    for (int k = 0; k < 4; k++)
        if (classes & (1u << k)) strcat(alphabet, sets[k]);
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
        if ((seen & classes) == classes || length < __builtin_popcount(classes)) break;
    }
    *bits = length * log2((double)n);
    *out = p;
    return 0;
}

enum { O_LENGTH = 1, O_WORDS, O_SEP, O_NO_UPPER, O_NO_LOWER, O_NO_DIGITS, O_NO_SYMBOLS };
static const struct option opts[] = {
    {"length", required_argument, NULL, O_LENGTH},   {"words", required_argument, NULL, O_WORDS},
    {"separator", required_argument, NULL, O_SEP},   {"no-upper", no_argument, NULL, O_NO_UPPER},
    {"no-lower", no_argument, NULL, O_NO_LOWER},     {"no-digits", no_argument, NULL, O_NO_DIGITS},
    {"no-symbols", no_argument, NULL, O_NO_SYMBOLS}, {0},
};
static int length = 24, words = 0;
static unsigned classes = CL_LOWER | CL_UPPER | CL_DIGIT | CL_SYMBOL;
static const char *sep = "-";

static int opt(ctx *c, int id, const char *arg)
{
    (void)c;
    switch (id) {
    case O_LENGTH:
        return parse_number(arg, "--length", 4, 4096, &length);
    case O_WORDS:
        return parse_number(arg, "--words", 3, 64, &words);
    case O_SEP:
        if (strlen(arg) > 8) return fail(EX_USAGE, "--separator takes at most 8 characters");
        sep = arg;
        return EX_OK;
    case O_NO_UPPER:
        classes &= ~(unsigned)CL_UPPER;
        return EX_OK;
    case O_NO_LOWER:
        classes &= ~(unsigned)CL_LOWER;
        return EX_OK;
    case O_NO_DIGITS:
        classes &= ~(unsigned)CL_DIGIT;
        return EX_OK;
    case O_NO_SYMBOLS:
        classes &= ~(unsigned)CL_SYMBOL;
        return EX_OK;
    }
    return EX_USAGE;
}

static int run(ctx *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    char *pw;
    double bits;
    if (!words && !classes) return fail(EX_USAGE, "every character class is turned off");
    if (generate_password(&pw, &bits, length, words, classes, sep) != 0)
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
    .usage = "[--length N] [--no-upper] [--no-lower] [--no-digits] [--no-symbols] | "
             "[--words N [--separator S]] [--json]",
    .help = "  --length N         characters (default 24)\n"
            "  --no-upper, --no-lower, --no-digits, --no-symbols   leave a class out\n"
            "  --words N          a passphrase of N words from the EFF list (12.9 bits each)\n"
            "  --separator S      between words (default -)\n",
    .max_args = 0,
    .opts = opts,
    .opt = opt,
    .run = run,
};
