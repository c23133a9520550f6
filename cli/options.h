/* options.h: a command's options as one table of rows, in the way of git's parse-options.h.
 * A row says what an option is called, what kind of value it takes, where that value goes in
 * the command's own args struct, and a line of help. Parsing (getopt_long underneath), the
 * help text, the usage lines, the man-page check and shell completion all read the same rows,
 * so an option is described once.
 *
 * Every value starts as zero (NULL, 0) and means "not given": a command reads its defaults
 * (built in, or from the config file's settings) where it uses the value. */
#ifndef KURA_CLI_OPTIONS_H
#define KURA_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef struct opt_row opt_row;

enum opt_kind {
    ROW_END,        /* the end of a table */
    ROW_FLAG,       /* no value: the int becomes row->value */
    ROW_STRING,     /* const char *: the value as given */
    ROW_NUMBER,     /* int: a whole number from row->lo to row->hi */
    ROW_CHOICE,     /* int: 1 + the index of the value among row->words, in any case */
    ROW_CALL,       /* row->call(field, row, value); value NULL when metavar is */
    ROW_SUBCOMMAND, /* a word before the arguments ("key show"): the int becomes row->value */
    ROW_INCLUDE,    /* the rows of row->include, their fields inside the struct at offset */
};

struct opt_row {
    enum opt_kind kind;
    const char *name;         /* without "--"; a subcommand's word */
    size_t offset;            /* of the field in the args struct */
    const char *metavar;      /* the value's name in help ("FILE"); a subcommand's arguments */
    const char *help;         /* one sentence; help wraps it; NULL: an alias, not shown */
    int value;                /* FLAG, SUBCOMMAND: the value stored */
    int lo, hi;               /* NUMBER: the range; SUBCOMMAND: how many arguments follow */
    const char *unit;         /* NUMBER: named in its error ("minutes"), or NULL */
    const char *const *words; /* CHOICE: NULL-terminated */
    int (*call)(void *field, const opt_row *row, const char *value); /* an exit code */
    const opt_row *include;                                          /* INCLUDE */
    int repeat; /* may be given again, each adding to the last (usage shows "...") */
};

/* The offset of field in T, where field must be of type type: a row's field of the wrong type
 * does not compile. */
#define OPT_FIELD(T, field, type)                                                                  \
    (offsetof(T, field) + 0 * sizeof(_Generic(((T *)0)->field, type : 1)))

#define OPT_FLAG(n, T, f, h)                                                                       \
    {                                                                                              \
        .kind = ROW_FLAG, .name = n, .offset = OPT_FIELD(T, f, int), .help = h, .value = 1         \
    }
#define OPT_STRING(n, T, f, meta, h)                                                               \
    {                                                                                              \
        .kind = ROW_STRING, .name = n, .offset = OPT_FIELD(T, f, const char *), .metavar = meta,   \
        .help = h                                                                                  \
    }
#define OPT_NUMBER(n, T, f, meta, l, u, un, h)                                                     \
    {                                                                                              \
        .kind = ROW_NUMBER, .name = n, .offset = OPT_FIELD(T, f, int), .metavar = meta, .help = h, \
        .lo = l, .hi = u, .unit = un                                                               \
    }
#define OPT_CHOICE(n, T, f, w, h)                                                                  \
    {                                                                                              \
        .kind = ROW_CHOICE, .name = n, .offset = OPT_FIELD(T, f, int), .help = h, .words = w       \
    }
#define OPT_CALL(n, T, f, meta, fn, v, h)                                                          \
    {                                                                                              \
        .kind = ROW_CALL, .name = n, .offset = offsetof(T, f), .metavar = meta, .help = h,         \
        .call = fn, .value = v                                                                     \
    }
#define OPT_LIST(n, T, f, meta, fn, v, h)                                                          \
    {                                                                                              \
        .kind = ROW_CALL, .name = n, .offset = offsetof(T, f), .metavar = meta, .help = h,         \
        .call = fn, .value = v, .repeat = 1                                                        \
    }
#define OPT_SUBCOMMAND(word, T, f, v, args, min, max, h)                                           \
    {                                                                                              \
        .kind = ROW_SUBCOMMAND, .name = word, .offset = OPT_FIELD(T, f, int), .metavar = args,     \
        .help = h, .value = v, .lo = min, .hi = max                                                \
    }
#define OPT_INCLUDE(rows, T, f)                                                                    \
    {                                                                                              \
        .kind = ROW_INCLUDE, .offset = offsetof(T, f), .include = rows                             \
    }
#define OPT_END()                                                                                  \
    {                                                                                              \
        .kind = ROW_END                                                                            \
    }

/* A table's rows with their includes opened: each with the offset of its field from the start
 * of the args struct. */
typedef struct opt_flat {
    const opt_row *row;
    size_t offset;
} opt_flat;
/* Fills out (cap entries) with rows and returns how many; rows past cap are left out (every
 * table is far smaller, and t_docs.sh finds an option missing from help). */
size_t opt_flatten(const opt_row *rows, opt_flat *out, size_t cap);

/* Stores value (NULL for an option without one) by row into the struct at base: an exit code,
 * the message printed (flag: "--name" as the user wrote it, for the message). */
int opt_store(void *base, const opt_flat *f, const char *value);

/* "--name META" or "word ARGS", as help and usage show a row. */
void opt_label(char *out, size_t cap, const opt_row *row);

/* Prints text wrapped to 80 columns from column col (where the cursor is), each further line
 * indented by indent spaces, and a newline. */
void opt_wrap(FILE *f, const char *text, int col, int indent);

#endif
