/* What kura export's writers share: the output being built, in memory that holds secrets,
 * and what each format cannot carry, counted by kind so the command says it once. */
#ifndef KURA_CLI_EXPORT_H
#define KURA_CLI_EXPORT_H

#include <stddef.h>

#include "cli.h"

enum export_format {
    EXPORT_KURA_JSON,
    EXPORT_KURA_CSV,
    EXPORT_BITWARDEN_JSON,
    EXPORT_KEEPASS_XML,
    EXPORT_1PASSWORD_CSV,
    EXPORT_CHROME_CSV,
};

#define EXPORT_LOST_KINDS 12

typedef struct export_out {
    kura_gbuf buf;
    size_t items;
    enum export_format format;
    kura_vault *v;
    size_t files;     /* attachments written (their content) */
    size_t files_out; /* attachments the format cannot hold */
    /* What the format cannot carry: a kind ("tags beyond the first") and how many items. */
    const char *lost[EXPORT_LOST_KINDS];
    size_t lost_items[EXPORT_LOST_KINDS];
    void *state; /* the writer's own (export_to.c) */
} export_out;

void export_add(export_out *t, const void *p, size_t n);
void export_adds(export_out *t, const char *s);
/* One CSV cell, always quoted, quotes doubled (RFC 4180); then sep. */
void export_cell(export_out *t, const char *s, char sep);
/* An attachment's content in base64 (*b64: sodium_malloc, sodium_free it), counted. */
int export_attachment_b64(export_out *t, const kura_attachment *a, char **b64);
/* The item loses data of kind in this format (kind: a string literal). */
void export_lost(export_out *t, const char *kind);

/* The other managers' formats (export_to.c): the format named, or -1. */
int export_format_named(const char *name);
const char *export_format_name(int format);
/* Each item, then the end; KURA_OK or why not. */
int export_foreign_item(export_out *t, const kura_item *item);
int export_foreign_end(export_out *t);

#endif
