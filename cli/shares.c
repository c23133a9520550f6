/* Split kits on the way in: the client key from several --kit images, or from shares typed
 * (a key file of one share a line, or the terminal), each checked as it comes: of this
 * vault, of one split, enough of them. Saying which share is missing beats saying "no". */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

/* The shares gathered so far, in sodium_malloc memory. */
typedef struct gathered {
    kura_share s[KURA_SHARES_MAX];
    size_t n;
} gathered;

/* Adds s from source (a file name, "line 2 of F") unless it is a share already there; an exit
 * code: a share of another split of this vault's key is refused by name. */
static int gather(gathered *g, const kura_share *s, const char *source)
{
    kura_share_info a, b;
    kura_share_info_of(s, &a);
    for (size_t i = 0; i < g->n; i++) {
        kura_share_info_of(&g->s[i], &b);
        if (b.split != a.split || b.threshold != a.threshold)
            return fail(EX_WRONG_KEY,
                        "%s is share %u of another split of the key (another 'kura kit split'): "
                        "shares combine only with shares of the same split",
                        source, a.number);
        if (b.number == a.number) return EX_OK; /* the same share twice */
    }
    memcpy(&g->s[g->n++], s, sizeof *s);
    return EX_OK;
}

/* The key from enough shares; an exit code. */
static int combine(kura_client_key *key, const gathered *g, const char *vault_id, unsigned *gen)
{
    kura_share_info a;
    kura_share_info_of(&g->s[0], &a);
    *gen = a.gen ? a.gen : 1000; /* 1000: shares of a key past the 31st */
    if ((unsigned)g->n < a.threshold) {
        unsigned more = a.threshold - (unsigned)g->n;
        char count[16];
        snprintf(count, sizeof count, "%u", more);
        return fail(EX_NOT_FOUND,
                    "%u of %u shares found for vault %.8s: %s more %s needed (any of the "
                    "others); give each with its own --kit, or type them",
                    (unsigned)g->n, a.threshold, vault_id, more == 1 ? "one" : count,
                    more == 1 ? "is" : "are");
    }
    int rc = kura_share_combine(key, g->s, g->n);
    if (rc != KURA_OK)
        return fail(EX_BAD_KEY, "these shares do not combine into a key: one of them is damaged");
    return EX_OK;
}

int read_found(kura_kit_found *found, const char *file)
{
    kura_kit_seen seen;
    int rc = kura_kit_read_found(found, file, &seen, 0);
    return rc == KURA_OK ? EX_OK : kit_unread(rc, errno, &seen, file);
}

int shares_do_not_open(unsigned gen, const char *vault_id)
{
    char which[32] = "a key";
    if (gen && gen < 1000) snprintf(which, sizeof which, "key %u", gen);
    return fail(EX_WRONG_KEY,
                "these shares hold %s of vault %s, which no longer opens it: its key was rotated "
                "since; split the new key with 'kura kit split' on a device that is unlocked",
                which, vault_id);
}

int key_from_kits(ctx *c, kura_client_key *key, const char *vault_id, unsigned *share_gen)
{
    kura_kit_found *f = sodium_malloc(sizeof *f);
    gathered *g = sodium_malloc(sizeof *g);
    int ex = f && g ? EX_OK : fail(EX_FAIL, "out of memory");
    if (g) g->n = 0;
    int have_key = 0;
    for (int i = 0; ex == EX_OK && i < c->kits.n && !have_key; i++) {
        const char *file = c->kits.files[i];
        ex = read_found(f, file);
        if (ex != EX_OK) break;
        if (strcmp(f->vault_id, vault_id) != 0) {
            ex = f->is_share ? fail(EX_WRONG_KEY,
                                    "%s is a share of a split kit of vault %s, not of "
                                    "vault %s",
                                    file, f->vault_id, vault_id)
                             : fail(EX_WRONG_KEY,
                                    "%s is the kit of vault %s: this key does not open vault %s",
                                    file, f->vault_id, vault_id);
            break;
        }
        if (!f->is_share) { /* a whole kit: its key */
            memcpy(key, &f->key, sizeof *key);
            have_key = 1;
            break;
        }
        ex = gather(g, &f->share, file);
    }
    *share_gen = 0;
    if (ex == EX_OK && !have_key) ex = combine(key, g, vault_id, share_gen);
    sodium_free(f);
    sodium_free(g);
    return ex;
}

int key_from_typed_shares(kura_client_key *key, const char *vault_id, const char *text,
                          const char *source, unsigned *share_gen)
{
    gathered *g = sodium_malloc(sizeof *g);
    kura_share *s = sodium_malloc(sizeof *s);
    int ex = g && s ? EX_OK : fail(EX_FAIL, "out of memory");
    if (g) g->n = 0;
    int line = 0;
    for (const char *p = text; ex == EX_OK && *p;) {
        size_t len = strcspn(p, "\n");
        line++;
        if (kura_key_count_symbols(p, len) > 0) {
            size_t bad = 0;
            char where[300];
            snprintf(where, sizeof where, "share on line %d %s", line, source);
            int rc = kura_share_parse(s, &bad, p, len);
            if (rc == KURA_ERR_KEY_TYPO)
                ex = fail(EX_BAD_KEY, "the %s has a typo (its check symbols do not match)", where);
            else if (rc != KURA_OK)
                ex = fail(EX_BAD_KEY, "the %s is not a share (%zu symbols; a share has %d)", where,
                          kura_key_count_symbols(p, len), KURA_SHARE_SYMBOLS);
            else
                ex = gather(g, s, where);
        }
        p += len + (p[len] == '\n');
    }
    if (ex == EX_OK && !g->n) ex = fail(EX_BAD_KEY, "no share %s", source);
    if (ex == EX_OK) ex = combine(key, g, vault_id, share_gen);
    sodium_free(s);
    sodium_free(g);
    return ex;
}

/* 1 if text's first line that is not empty is as long as a split kit's share. */
int shares_typed(const char *text)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n"), n = kura_key_count_symbols(p, len);
        if (n) return n == KURA_SHARE_SYMBOLS;
        p += len + (p[len] == '\n');
    }
    return 0;
}

/* At the terminal, a share typed where the key was asked: the others asked for, one at a
 * time, until there are as many as the share says open the vault. *text grows to hold them,
 * a line each. */
int ask_more_shares(char **text, const char *vault_id)
{
    kura_share *s = sodium_malloc(sizeof *s);
    if (!s) return fail(EX_FAIL, "out of memory");
    int rc = kura_share_parse(s, NULL, *text, strlen(*text));
    kura_share_info info;
    kura_share_info_of(s, &info);
    sodium_free(s);
    if (rc != KURA_OK) return EX_OK; /* try_key says what is wrong with it */
    for (unsigned have = 1; have < info.threshold;) {
        char prompt[160];
        snprintf(prompt, sizeof prompt,
                 "Share %u of the %u that open vault %.8s (any other): ", have + 1, info.threshold,
                 vault_id);
        char *next = tty_secret(prompt);
        if (!next || !*next) {
            secret_free(next);
            return EX_OK; /* try_key says how many are missing */
        }
        size_t a = strlen(*text), b = strlen(next);
        char *joined = sodium_malloc(a + 1 + b + 1);
        if (!joined) {
            secret_free(next);
            return fail(EX_FAIL, "out of memory");
        }
        memcpy(joined, *text, a);
        joined[a] = '\n';
        memcpy(joined + a + 1, next, b + 1);
        secret_free(next);
        secret_free(*text);
        *text = joined;
        have++;
    }
    return EX_OK;
}
