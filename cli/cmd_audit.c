/* kura audit: a report on the vault's passwords, never a password: weak ones (zxcvbn), ones
 * used by more than one item, ones unchanged for --years, and ones in a Pwned Passwords file
 * (--hibp). A report: exit 0 whatever it finds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

typedef struct audit_args {
    const char *hibp;
    struct years {
        int given, n;
    } years;
} audit_args;

static int set_years(void *field, const opt_row *row, const char *value)
{
    struct years *y = field;
    char *end;
    long n = strtol(value, &end, 10);
    (void)row;
    if (*end || end == value || n < 0 || n > 100)
        return fail(EX_USAGE, "--years takes a number from 0 to 100");
    y->given = 1;
    y->n = (int)n;
    return EX_OK;
}

static const opt_row audit_rows[] = {
    OPT_STRING("hibp", audit_args, hibp, "FILE",
               "also look each password up in this Pwned Passwords file (SHA-1 or NTLM, "
               "ordered by hash, as haveibeenpwned.com gives it), by binary search"),
    OPT_CALL("years", audit_args, years, "N", set_years, 0,
             "a password unchanged for N years is old (default 3; 0: no age check)"),
    OPT_END(),
};

/* What zxcvbn found, in words: "a common word, a year". */
static const char *why_words(char *out, size_t cap, unsigned why)
{
    static const struct {
        unsigned bit;
        const char *words;
    } names[] = {
        {KURA_WHY_OWN, "the item's own name or site"},
        {KURA_WHY_WORD, "a common word or password"},
        {KURA_WHY_LEET, "a word with look-alike letters"},
        {KURA_WHY_KEYBOARD, "a keyboard pattern"},
        {KURA_WHY_SEQUENCE, "a sequence"},
        {KURA_WHY_REPEAT, "a repeat"},
        {KURA_WHY_DATE, "a date or year"},
        {KURA_WHY_SHORT, "short"},
    };
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (why & names[i].bit)
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", *out ? ", " : "",
                     names[i].words);
    return out;
}

static const char *date_of(char out[16], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm)) snprintf(out, 16, "?");
    return out;
}

/* The first entry of e's group, by title: where its ring (group_next) turns back. */
static size_t group_first(const kura_audit *a, const kura_audit_entry *e)
{
    size_t i = (size_t)(e - a->entries);
    while (a->entries[i].group_next > i)
        i = a->entries[i].group_next;
    return a->entries[i].group_next;
}

/* The other items of e's group, by title: "GitHub", "Jira" and 3 more. */
static const char *others(char *out, size_t cap, const kura_audit *a, const kura_audit_entry *e)
{
    size_t named = 0, more = 0, first = group_first(a, e), i = first;
    out[0] = '\0';
    do {
        const kura_audit_entry *o = &a->entries[i];
        i = o->group_next;
        if (o == e) continue;
        if (named == 3) {
            more++;
            continue;
        }
        char title[120];
        escaped(title, sizeof title, o->title, 0);
        snprintf(out + strlen(out), cap - strlen(out), "%s\"%s\"", named ? ", " : "", title);
        named++;
    } while (i != first);
    if (more) snprintf(out + strlen(out), cap - strlen(out), " and %zu more", more);
    return out;
}

static void line(const kura_audit_entry *e, const char *finding)
{
    char title[4 * KURA_MAX_SHORT + 8];
    escaped(title, sizeof title, e->title, 0);
    printf("%.8s  %-32s  %s\n", e->id, title, finding);
}

static void print_table(const kura_audit *a, unsigned years)
{
    char buf[1024], words[256], when[16], names[512];
    for (size_t i = 0; i < a->count; i++) {
        const kura_audit_entry *e = &a->entries[i];
        if (e->problems & KURA_AUDIT_BREACHED) {
            snprintf(buf, sizeof buf, "breached: seen %llu time%s in Pwned Passwords",
                     (unsigned long long)e->seen, e->seen == 1 ? "" : "s");
            line(e, buf);
        }
        if (e->problems & KURA_AUDIT_WEAK) {
            snprintf(buf, sizeof buf, "weak: about 2^%.0f guesses%s%s%s", e->bits,
                     e->why_weak ? " (" : "", why_words(words, sizeof words, e->why_weak),
                     e->why_weak ? ")" : "");
            line(e, buf);
        }
        if (e->problems & KURA_AUDIT_REUSED) {
            snprintf(buf, sizeof buf, "reused: the same password as %s",
                     others(names, sizeof names, a, e));
            line(e, buf);
        }
        if (e->problems & KURA_AUDIT_OLD) {
            snprintf(buf, sizeof buf, "old: unchanged since %s (over %u year%s)",
                     date_of(when, e->since), years, years == 1 ? "" : "s");
            line(e, buf);
        }
    }
    printf("%zu password%s checked", a->checked, a->checked == 1 ? "" : "s");
    if (a->no_password)
        printf(" (%zu item%s without one)", a->no_password, a->no_password == 1 ? "" : "s");
    printf(": %zu weak, %zu reused", a->weak, a->reused);
    if (years) printf(", %zu old", a->old);
    if (a->hibp_hash) printf(", %zu breached (%s file)", a->breached, a->hibp_hash);
    printf("\n");
}

static json_t *entry_json(const kura_audit *a, const kura_audit_entry *e)
{
    static const struct {
        unsigned bit;
        const char *name;
    } kinds[] = {{KURA_AUDIT_WEAK, "weak"},
                 {KURA_AUDIT_REUSED, "reused"},
                 {KURA_AUDIT_OLD, "old"},
                 {KURA_AUDIT_BREACHED, "breached"}};
    static const struct {
        unsigned bit;
        const char *name;
    } whys[] = {{KURA_WHY_OWN, "own"},           {KURA_WHY_WORD, "word"},
                {KURA_WHY_LEET, "leet"},         {KURA_WHY_KEYBOARD, "keyboard"},
                {KURA_WHY_SEQUENCE, "sequence"}, {KURA_WHY_REPEAT, "repeat"},
                {KURA_WHY_DATE, "date"},         {KURA_WHY_SHORT, "short"}};
    json_t *problems = json_array(), *why = json_array();
    for (size_t k = 0; k < 4; k++)
        if (e->problems & kinds[k].bit) json_array_append_new(problems, json_string(kinds[k].name));
    for (size_t k = 0; k < 8; k++)
        if (e->why_weak & whys[k].bit) json_array_append_new(why, json_string(whys[k].name));
    json_t *o = json_pack("{s:s, s:s, s:o, s:f}", "id", e->id, "title", e->title, "problems",
                          problems, "strength_bits", e->bits);
    if (!o) return NULL;
    if (e->problems & KURA_AUDIT_WEAK)
        json_object_set_new(o, "weak_because", why);
    else
        json_decref(why);
    if (e->problems & KURA_AUDIT_REUSED) {
        json_t *with = json_array();
        size_t first = group_first(a, e), i = first;
        do {
            const kura_audit_entry *m = &a->entries[i];
            i = m->group_next;
            if (m != e)
                json_array_append_new(with,
                                      json_pack("{s:s, s:s}", "id", m->id, "title", m->title));
        } while (i != first);
        json_object_set_new(o, "reused_with", with);
    }
    if (e->problems & KURA_AUDIT_OLD) {
        char when[32];
        format_time(when, e->since);
        json_object_set_new(o, "unchanged_since", json_string(when));
    }
    if (e->problems & KURA_AUDIT_BREACHED)
        json_object_set_new(o, "breach_count", json_integer((json_int_t)e->seen));
    return o;
}

static int audit_exec(ctx *c, void *args, int argc, char **argv)
{
    const audit_args *a = args;
    (void)argc, (void)argv;
    unsigned years = a->years.given ? (unsigned)a->years.n : 3u;
    kura_audit_opts o = {.hibp_path = a->hibp, .old_years = years};
    kura_audit *r = NULL;
    int rc = kura_audit_run(c->v, &o, &r);
    if (rc == KURA_ERR_NO_MODULE)
        return fail(EX_FAIL, "the audit module (kura-audit.so) did not load: %s",
                    kura_error_detail());
    if (rc == KURA_ERR_NOT_FOUND || rc == KURA_ERR_INVALID || rc == KURA_ERR_IO)
        return fail(rc == KURA_ERR_NOT_FOUND ? EX_NOT_FOUND
                    : rc == KURA_ERR_IO      ? EX_FAIL
                                             : EX_USAGE,
                    "%s", kura_error_detail());
    if (rc != KURA_OK) return fail_vault(c, rc, "audit the vault");
    if (c->json) {
        json_t *items = json_array();
        for (size_t i = 0; i < r->count; i++)
            json_array_append_new(items, entry_json(r, &r->entries[i]));
        json_t *j = json_pack(
            "{s:i, s:i, s:i, s:i, s:i, s:s?, s:i, s:o}", "checked", (json_int_t)r->checked,
            "without_password", (json_int_t)r->no_password, "weak", (json_int_t)r->weak, "reused",
            (json_int_t)r->reused, "breached", (json_int_t)r->breached, "hibp_hash", r->hibp_hash,
            "years", (json_int_t)years, "items", items);
        if (j && years) json_object_set_new(j, "old", json_integer((json_int_t)r->old));
        json_print(j);
    } else {
        print_table(r, years);
    }
    kura_audit_free(r);
    return EX_OK;
}

const cmd cmd_audit = {
    .name = "audit",
    .summary = "report weak, reused, old and breached passwords (never printing one)",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .rows = audit_rows,
    .args_size = sizeof(audit_args),
    .exec = audit_exec,
};
