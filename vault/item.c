/* The item model: an item's texts, lists and fields in guarded memory, each checked as it is
 * set (UTF-8, no control characters where one line is meant, the size limits). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "item_int.h"

/* ---- UTF-8 and limits ---- */

int kura_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p++;
        if (c < 0x80) {
            if (c == 0) return 0;
            continue;
        }
        size_t k;
        unsigned min;
        if ((c & 0xe0) == 0xc0) {
            k = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if ((size_t)(end - p) < k) return 0;
        for (size_t i = 0; i < k; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
        p += k;
    }
    return 1;
}

/* Single-line texts (titles, usernames, URLs, tags, field names) also refuse control
 * characters: one could drive the terminal of whoever lists the vault. */
static int check_text(const char *s, size_t max, int single_line)
{
    if (!s) return KURA_OK;
    size_t n = strnlen(s, max + 1);
    if (n > max || !kura_utf8_valid(s, n)) return KURA_ERR_INVALID;
    if (single_line)
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return KURA_ERR_INVALID;
    return KURA_OK;
}

/* ---- the item model ---- */

kura_item *kura_item_new(void)
{
    kura_item *item = calloc(1, sizeof *item);
    if (!item) return NULL;
    item->arena = kura_arena_new();
    if (!item->arena) {
        free(item);
        return NULL;
    }
    item->has_details = 1;
    return item;
}

void kura_item_clear(kura_item *item)
{
    kura_arena *a = item->arena;
    kura_arena_reset(a);
    memset(item, 0, sizeof *item);
    item->arena = a;
    item->has_details = 1;
}

void kura_item_free(kura_item *item)
{
    if (!item) return;
    kura_arena_free(item->arena);
    free(item);
}

static int dup_into(const char **dst, kura_arena *a, const char *s)
{
    if (!s) {
        *dst = NULL;
        return KURA_OK;
    }
    char *p = kura_arena_strndup(a, s, strlen(s));
    if (!p) return KURA_ERR_NOMEM;
    *dst = p;
    return KURA_OK;
}

int kura_item_set(kura_item *item, enum kura_item_text which, const char *value)
{
    const char **slot;
    size_t max = KURA_MAX_SHORT;
    int single_line = 1;
    switch (which) {
    case KURA_TITLE:
        slot = &item->title;
        break;
    case KURA_USERNAME:
        slot = &item->username;
        break;
    case KURA_PASSWORD:
        slot = &item->password;
        single_line = 0;
        break;
    case KURA_NOTES:
        slot = &item->notes;
        max = KURA_MAX_LONG;
        single_line = 0;
        break;
    default:
        return KURA_ERR_INVALID;
    }
    if (check_text(value, max, single_line) != KURA_OK) return KURA_ERR_INVALID;
    return dup_into(slot, item->arena, value);
}

static int push(const char ***list, size_t *n, kura_arena *a, const char *s)
{
    if (!s || !*s || check_text(s, KURA_MAX_SHORT, 1) != KURA_OK || *n >= KURA_MAX_LIST)
        return KURA_ERR_INVALID;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0) return KURA_OK; /* already there */
    const char **grown = kura_arena_alloc(a, (*n + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    if (*n) memcpy(grown, *list, *n * sizeof *grown);
    int rc = dup_into(&grown[*n], a, s);
    if (rc != KURA_OK) return rc;
    *list = grown;
    (*n)++;
    return KURA_OK;
}

int kura_item_add_url(kura_item *item, const char *url)
{
    return push(&item->urls, &item->n_urls, item->arena, url);
}

int kura_item_add_tag(kura_item *item, const char *tag)
{
    return push(&item->tags, &item->n_tags, item->arena, tag);
}

void kura_item_clear_urls(kura_item *item)
{
    item->n_urls = 0;
}

void kura_item_clear_tags(kura_item *item)
{
    item->n_tags = 0;
}

const kura_field *kura_item_field(const kura_item *item, const char *name)
{
    for (size_t i = 0; i < item->n_fields; i++)
        if (strcmp(item->fields[i].name, name) == 0) return &item->fields[i];
    return NULL;
}

int kura_item_set_field(kura_item *item, const char *name, const char *value, int hidden)
{
    if (!name || !*name || check_text(name, KURA_MAX_SHORT, 1) != KURA_OK ||
        check_text(value, KURA_MAX_LONG, 0) != KURA_OK)
        return KURA_ERR_INVALID;
    const kura_type_field *tf = kura_type_field_get(item->type, name);
    if (tf && (tf->flags & KURA_TF_SECRET)) hidden = 1;
    for (size_t i = 0; i < item->n_fields; i++) {
        if (strcmp(item->fields[i].name, name) != 0) continue;
        if (!value) {
            memmove(&item->fields[i], &item->fields[i + 1],
                    (item->n_fields - i - 1) * sizeof item->fields[0]);
            item->n_fields--;
            return KURA_OK;
        }
        item->fields[i].hidden = hidden != 0;
        return dup_into(&item->fields[i].value, item->arena, value);
    }
    if (!value) return KURA_ERR_NOT_FOUND;
    if (item->n_fields >= KURA_MAX_LIST) return KURA_ERR_INVALID;
    kura_field *grown = kura_arena_alloc(item->arena, (item->n_fields + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    if (item->n_fields) memcpy(grown, item->fields, item->n_fields * sizeof *grown);
    kura_field *f = &grown[item->n_fields];
    f->hidden = hidden != 0;
    if (dup_into(&f->name, item->arena, name) != KURA_OK ||
        dup_into(&f->value, item->arena, value) != KURA_OK)
        return KURA_ERR_NOMEM;
    item->fields = grown;
    item->n_fields++;
    return KURA_OK;
}

/* ---- attachments ---- */

const kura_attachment *kura_item_attachment(const kura_item *item, const char *name)
{
    for (size_t i = 0; i < item->n_attachments; i++)
        if (strcmp(item->attachments[i].name, name) == 0) return &item->attachments[i];
    return NULL;
}

int kura_attachment_name_ok(const char *name)
{
    return name && *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           !strchr(name, '/') && check_text(name, 255, 1) == KURA_OK;
}

int kura_item_put_attachment(kura_item *item, const kura_attachment *a)
{
    if (!kura_attachment_name_ok(a->name)) return KURA_ERR_INVALID;
    if (kura_item_attachment(item, a->name)) return KURA_ERR_EXISTS;
    if (item->n_attachments >= KURA_MAX_ATTACHMENTS || a->size > KURA_MAX_ATTACHMENT)
        return KURA_ERR_INVALID;
    kura_attachment *grown =
        kura_arena_alloc(item->arena, (item->n_attachments + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    if (item->n_attachments) memcpy(grown, item->attachments, item->n_attachments * sizeof *grown);
    grown[item->n_attachments] = *a;
    if (dup_into(&grown[item->n_attachments].name, item->arena, a->name) != KURA_OK)
        return KURA_ERR_NOMEM;
    item->attachments = grown;
    item->n_attachments++;
    return KURA_OK;
}

int kura_item_detach(kura_item *item, const char *name)
{
    const kura_attachment *a = kura_item_attachment(item, name);
    if (!a) return KURA_ERR_NOT_FOUND;
    size_t i = (size_t)(a - item->attachments);
    memmove(&item->attachments[i], &item->attachments[i + 1],
            (item->n_attachments - i - 1) * sizeof item->attachments[0]);
    item->n_attachments--;
    return KURA_OK;
}

int kura_need_unlocked(kura_vault *v)
{
    if (v->keys) return KURA_OK;
    return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
}
