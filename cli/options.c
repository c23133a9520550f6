/* The row machinery of options.h: opening includes, storing a value where its row says,
 * and the label and wrapping that help and usage share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static size_t flatten_at(const opt_row *rows, size_t base, opt_flat *out, size_t cap, size_t n)
{
    for (const opt_row *r = rows; r && r->kind != ROW_END; r++) {
        if (r->kind == ROW_INCLUDE) {
            n = flatten_at(r->include, base + r->offset, out, cap, n);
            continue;
        }
        if (n < cap) out[n] = (opt_flat){r, base + r->offset};
        n++;
    }
    return n;
}

size_t opt_flatten(const opt_row *rows, opt_flat *out, size_t cap)
{
    size_t n = flatten_at(rows, 0, out, cap, 0);
    return n > cap ? cap : n;
}

static int store_number(int *field, const opt_row *r, const char *value)
{
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno || *end || end == value || n < r->lo || n > r->hi)
        return fail(EX_USAGE, "--%s%s%s%s takes a number from %d to %d", r->name,
                    r->unit ? " (" : "", r->unit ? r->unit : "", r->unit ? ")" : "", r->lo, r->hi);
    *field = (int)n;
    return EX_OK;
}

static int store_choice(int *field, const opt_row *r, const char *value)
{
    size_t n = 0;
    for (; r->words[n]; n++)
        if (strcasecmp(r->words[n], value) == 0) {
            *field = (int)n + 1;
            return EX_OK;
        }
    char words[128] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s",
                 i == 0       ? ""
                 : i + 1 == n ? " or "
                              : ", ",
                 r->words[i]);
    return fail(EX_USAGE, "--%s is %s", r->name, words);
}

int opt_store(void *base, const opt_flat *f, const char *value)
{
    void *field = (char *)base + f->offset;
    const opt_row *r = f->row;
    switch (r->kind) {
    case ROW_FLAG:
    case ROW_SUBCOMMAND:
        *(int *)field = r->value;
        return EX_OK;
    case ROW_STRING:
        *(const char **)field = value;
        return EX_OK;
    case ROW_NUMBER:
        return store_number(field, r, value);
    case ROW_CHOICE:
        return store_choice(field, r, value);
    case ROW_CALL:
        return r->call(field, r, value);
    case ROW_END:
    case ROW_INCLUDE:
        break;
    }
    return fail(EX_USAGE, "unknown option");
}

void opt_label(char *out, size_t cap, const opt_row *r)
{
    if (r->kind == ROW_SUBCOMMAND) {
        snprintf(out, cap, "%s%s%s", r->name, r->metavar ? " " : "", r->metavar ? r->metavar : "");
        return;
    }
    int n = snprintf(out, cap, "--%s", r->name);
    if (r->kind == ROW_CHOICE)
        for (size_t i = 0; r->words[i] && n > 0 && (size_t)n < cap; i++)
            n += snprintf(out + n, cap - (size_t)n, "%c%s", i ? '|' : ' ', r->words[i]);
    else if (r->metavar && r->kind != ROW_FLAG)
        snprintf(out + n, cap - (size_t)n, " %s", r->metavar);
}

void opt_wrap(FILE *f, const char *text, int col, int indent)
{
    enum { WIDTH = 80 };
    int first = 1;
    text += strspn(text, " ");
    while (*text) {
        int word = (int)strcspn(text, " ");
        int gap = first ? 0 : 1;
        if (col > indent && col + gap + word > WIDTH) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
            gap = 0;
        }
        if (gap) fputc(' ', f);
        fwrite(text, 1, (size_t)word, f);
        col += gap + word;
        text += word;
        text += strspn(text, " ");
        first = 0;
    }
    fputc('\n', f);
}
