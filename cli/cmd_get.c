/* kura get: one item, whole or one field. Secrets (the password, hidden fields) reach
 * stdout only when asked for: by --field, or by --reveal. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include <sodium.h>

#include "cli.h"

typedef struct get_args {
    const char *field, *attachment, *output;
    int reveal, copy;
} get_args;

static const opt_row get_rows[] = {
    OPT_STRING("field", get_args, field, "NAME",
               "print only this field: password, username, url, notes, title, tags, id, "
               "created, updated, or a custom field's name"),
    OPT_FLAG("reveal", get_args, reveal, "show the password and hidden fields too"),
    OPT_FLAG("copy", get_args, copy,
             "put the password (or --field NAME) on the clipboard instead (wl-copy, xclip or "
             "xsel), marked secret where the tool can; cleared after 45 s (config "
             "clipboard_time) unless it changed"),
    OPT_STRING("attachment", get_args, attachment, "NAME",
               "write this attachment's content to --output FILE, or to stdout when it is not a "
               "terminal"),
    OPT_STRING("output", get_args, output, "FILE",
               "with --attachment: a new file for it (0600; an existing file is not replaced)"),
    OPT_END(),
};

static json_t *str_array(const char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

size_t item_field_order(const kura_item *it, size_t order[KURA_MAX_LIST])
{
    const kura_type *t = kura_type_get(it->type);
    size_t n = 0;
    for (size_t k = 0; t && k < t->n_fields; k++) {
        const kura_field *f = kura_item_field(it, t->fields[k].name);
        if (f) order[n++] = (size_t)(f - it->fields);
    }
    for (size_t i = 0; i < it->n_fields; i++)
        if (!kura_type_field_get(it->type, it->fields[i].name)) order[n++] = i;
    return n;
}

/* The item as JSON; listed items (no details) leave the detail keys out. */
json_t *item_json(const kura_item *it, int with_secrets)
{
    char created[32], updated[32];
    format_time(created, it->created);
    format_time(updated, it->updated);
    const kura_type *type = kura_type_get(it->type);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:o, s:o, s:s, s:s}", "id", it->id, "type",
                          type ? type->name : "login", "title", it->title ? it->title : "",
                          "username", it->username, "urls", str_array(it->urls, it->n_urls), "tags",
                          str_array(it->tags, it->n_tags), "created", created, "updated", updated);
    if (!j || !it->has_details) return j;
    if (it->password) {
        if (with_secrets)
            json_object_set_new(j, "password", json_string(it->password));
        else
            json_object_set_new(j, "has_password", json_true());
    }
    if (it->notes) json_object_set_new(j, "notes", json_string(it->notes));
    json_t *fields = json_array();
    size_t order[KURA_MAX_LIST], n = item_field_order(it, order);
    for (size_t k = 0; fields && k < n; k++) {
        const kura_field *f = &it->fields[order[k]];
        json_t *o = json_pack("{s:s, s:b}", "name", f->name, "hidden", f->hidden);
        if (o && (!f->hidden || with_secrets))
            json_object_set_new(o, "value", json_string(f->value));
        json_array_append_new(fields, o);
    }
    json_object_set_new(j, "fields", fields);
    json_t *files = json_array();
    for (size_t k = 0; files && k < it->n_attachments; k++)
        json_array_append_new(files, json_pack("{s:s, s:I}", "name", it->attachments[k].name,
                                               "size", (json_int_t)it->attachments[k].size));
    json_object_set_new(j, "attachments", files);
    return j;
}

/* The human view: control characters shown as escapes, never sent to the terminal (an escape
 * sequence in an imported note or field). --field to a pipe prints values raw. */
static void print_text(const char *s)
{
    print_escaped(s, 1);
}

static void print_line(const char *label, const char *s)
{
    fputs(label, stdout);
    print_escaped(s, 0);
    putchar('\n');
}

static void print_field_line(const kura_item *it, const kura_field *f, int reveal)
{
    int pad = strlen(f->name) > 9 ? 1 : (int)(10 - strlen(f->name));
    print_escaped(f->name, 0);
    printf(":%*s", pad, "");
    char word[200], shown[800];
    if (f->hidden && !reveal) { /* the name quoted only when a shell would read it apart */
        int plain = f->name[strspn(f->name, "abcdefghijklmnopqrstuvwxyz"
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] == '\0';
        printf("******** (kura get %.8s --field %s)\n", it->id,
               escaped(shown, sizeof shown,
                       plain ? f->name : shell_word(word, sizeof word, f->name), 0));
        return;
    }
    /* Lines after the first under the first (an address, a key), each escaped. */
    for (const char *p = f->value;;) {
        size_t len = strcspn(p, "\n");
        char *line = strndup(p, len);
        print_escaped(line ? line : "", 0);
        if (line) sodium_memzero(line, len), free(line);
        printf("\n");
        if (!p[len]) break;
        p += len + 1;
        printf("%11s", "");
    }
}

void print_item(const kura_item *it, int reveal)
{
    char created[32], updated[32];
    format_time(created, it->created);
    format_time(updated, it->updated);
    const kura_type *type = kura_type_get(it->type);
    size_t order[KURA_MAX_LIST], n = item_field_order(it, order), k = 0;
    print_line("title:     ", it->title);
    printf("id:        %s\n", it->id);
    if (it->type != KURA_TYPE_LOGIN && type) printf("type:      %s\n", type->label);
    for (; k < n && kura_type_field_get(it->type, it->fields[order[k]].name); k++)
        print_field_line(it, &it->fields[order[k]], reveal);
    if (it->username) print_line("username:  ", it->username);
    if (it->password) {
        if (reveal)
            printf("password:  "), print_text(it->password), printf("\n");
        else
            printf("password:  ******** (kura get %.8s --field password)\n", it->id);
    }
    for (size_t i = 0; i < it->n_urls; i++)
        print_line("url:       ", it->urls[i]);
    if (it->n_tags) {
        printf("tags:      ");
        for (size_t i = 0; i < it->n_tags; i++)
            printf("%s", i ? ", " : ""), print_escaped(it->tags[i], 0);
        printf("\n");
    }
    for (; k < n; k++)
        print_field_line(it, &it->fields[order[k]], reveal);
    for (size_t i = 0; i < it->n_attachments; i++) {
        char size[32];
        format_size(size, sizeof size, it->attachments[i].size);
        printf("file:      ");
        print_escaped(it->attachments[i].name, 0);
        printf(" (%s)\n", size);
    }
    if (it->notes) printf("notes:\n"), print_text(it->notes), printf("\n");
    printf("created:   %s\n", created);
    printf("updated:   %s\n", updated);
}

/* The value of the single-valued field named name (buf: room for a time), or NULL; *multi
 * gets 1 for the URLs, 2 for the tags. */
static const char *field_value(const kura_item *it, const char *name, char buf[32], int *multi)
{
    const char *value = NULL;
    *multi = 0;
    if (strcasecmp(name, "title") == 0)
        value = it->title;
    else if (strcasecmp(name, "id") == 0)
        value = it->id;
    else if (strcasecmp(name, "username") == 0)
        value = it->username;
    else if (strcasecmp(name, "password") == 0)
        value = it->password;
    else if (strcasecmp(name, "notes") == 0)
        value = it->notes;
    else if (strcasecmp(name, "url") == 0 || strcasecmp(name, "urls") == 0)
        *multi = 1;
    else if (strcasecmp(name, "tags") == 0)
        *multi = 2;
    else if (strcasecmp(name, "created") == 0)
        format_time(buf, it->created), value = buf;
    else if (strcasecmp(name, "updated") == 0)
        format_time(buf, it->updated), value = buf;
    else {
        for (size_t i = 0; i < it->n_fields; i++)
            if (strcmp(it->fields[i].name, name) == 0) value = it->fields[i].value;
    }
    return value;
}

/* One named field, raw, for scripts. Returns an exit code. */
int print_field(ctx *c, const kura_item *it, const char *field)
{
    char buf[32];
    int multi;
    const char *value = field_value(it, field, buf, &multi);
    int raw = !isatty(STDOUT_FILENO); /* a script's pipe gets the bytes; a terminal, escapes */
    if (multi) {
        const char **v = multi == 1 ? it->urls : it->tags;
        size_t n = multi == 1 ? it->n_urls : it->n_tags;
        if (n == 0)
            value = NULL;
        else if (c->json) {
            json_print(json_pack("{s:s, s:o}", "field", field, "value", str_array(v, n)));
            return EX_OK;
        } else {
            for (size_t i = 0; i < n; i++)
                raw ? printf("%s\n", v[i]) : (print_escaped(v[i], 0), printf("\n"));
            return EX_OK;
        }
    }
    if (!value) return fail(EX_NOT_FOUND, "item \"%s\" has no %s", it->title, field);
    if (c->json)
        json_print(json_pack("{s:s, s:s}", "field", field, "value", value));
    else if (raw)
        printf("%s\n", value);
    else
        print_escaped(value, 1), printf("\n");
    return EX_OK;
}

static int get_exec(ctx *c, void *args, int argc, char **argv)
{
    const get_args *a = args;
    const char *field = a->field;
    (void)argc;
    kura_item *item;
    if (a->output && !a->attachment) return fail(EX_USAGE, "--output goes with --attachment NAME");
    if (a->attachment && (field || a->copy || a->reveal))
        return fail(EX_USAGE, "--attachment takes no --field, --copy or --reveal");
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    if (a->attachment) {
        ex = get_attachment(c, item, a->attachment, a->output);
    } else if (a->copy) {
        char buf[32];
        int multi;
        const char *what = field ? field : "password";
        const char *value = field_value(item, what, buf, &multi);
        kura_totp_code code;
        if (strcasecmp(what, KURA_OTP_FIELD) == 0) { /* the code, never the secret */
            ex = otp_code(item, &code);
            if (ex == EX_OK) ex = clipboard_copy(c, item, "one-time password", code.code);
            sodium_memzero(&code, sizeof code);
        } else if (multi)
            ex = fail(EX_USAGE, "--copy takes one value; the %s are a list", what);
        else if (!value || !*value)
            ex = fail(EX_NOT_FOUND, "item \"%s\" has no %s to copy", item->title, what);
        else
            ex = clipboard_copy(c, item, strcasecmp(what, "password") == 0 ? "password" : what,
                                value);
    } else if (field)
        ex = print_field(c, item, field);
    else if (c->json)
        json_print(item_json(item, a->reveal));
    else
        print_item(item, a->reveal);
    kura_item_free(item);
    return ex;
}

const cmd cmd_get = {
    .name = "get",
    .summary = "show an item, or one of its fields",
    .args = "ITEM",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM,
    .min_args = 1,
    .max_args = 1,
    .rows = get_rows,
    .args_size = sizeof(get_args),
    .exec = get_exec,
};
