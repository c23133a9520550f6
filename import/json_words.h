/* json_words.h: what went wrong in a JSON file, in words of our own. jansson's own text quotes
 * the file ("invalid token near 'hunter2'"), and an export's next bytes are often a password,
 * so kura says where (line and column) and what kind of fault, never what the file holds.
 * Shared by the CLI (kura's JSON) and the import module (Bitwarden, 1PUX). */
#ifndef KURA_JSON_WORDS_H
#define KURA_JSON_WORDS_H

#include <stdio.h>
#include <jansson.h>

static inline const char *json_fault(const json_error_t *e)
{
    switch (json_error_code(e)) {
    case json_error_premature_end_of_input:
        return "the file ends before its JSON does (is it cut short?)";
    case json_error_end_of_input_expected:
        return "more follows the end of the JSON";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a NUL byte";
    case json_error_invalid_utf8:
        return "text that is not UTF-8";
    case json_error_duplicate_key:
        return "a duplicate key in one object";
    case json_error_numeric_overflow:
        return "a number too large";
    case json_error_out_of_memory:
        return "out of memory";
    case json_error_item_not_found:
    case json_error_wrong_type:
    case json_error_invalid_format:
    case json_error_invalid_argument:
    case json_error_null_value:
    case json_error_index_out_of_range:
        return "a value of the wrong kind";
    default:
        return "a syntax error";
    }
}

/* "line L, column C: <fault>" into out. line_base is added to the line (a document read in
 * parts). */
static inline void json_where(char *out, size_t n, const json_error_t *e, int line_base)
{
    snprintf(out, n, "line %d, column %d: %s", e->line + line_base, e->column, json_fault(e));
}

#endif
