/* kura edit ITEM with no options, and kura add --edit: the item as a text form in $VISUAL or
 * $EDITOR, as pass and gopass do. The form lives in a private folder of the runtime folder
 * (memory-backed, 0700; the file 0600), is parsed back after the editor exits, and is
 * overwritten and removed whatever happens: a killed editor, a form that does not parse
 * (the user fixes it or gives up: nothing is half applied), a signal to kura. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define FORM_MAX (4 * KURA_MAX_LONG)

static char form_path[4096 + 32];

static void on_signal(int sig)
{
    if (form_path[0]) wipe_file(form_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ---- the form ---- */

typedef struct text {
    char *p;
    size_t n, cap;
    int failed;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->failed || t->n + n + 1 > t->cap) {
        t->failed = 1;
        return;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void put_s(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_line(text *t, const char *key, const char *value)
{
    put_s(t, key);
    put_s(t, ": ");
    put_s(t, value ? value : "");
    put_s(t, "\n");
}

/* Lines indented by two spaces: the notes, or a field's value of several lines. */
static void put_block(text *t, const char *s)
{
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, "\n");
        put_s(t, "  ");
        put(t, p, len);
        put_s(t, "\n");
        p += len + (p[len] == '\n');
    }
}

static void put_field(text *t, const char *name, const char *value, int hidden)
{
    put_s(t, hidden ? "hidden: " : "field: ");
    put_s(t, name);
    if (value && strchr(value, '\n')) {
        put_s(t, " = |\n");
        put_block(t, value);
        return;
    }
    put_s(t, " = ");
    put_s(t, value ? value : "");
    put_s(t, "\n");
}

static void write_form(text *t, const kura_item *it)
{
    const kura_type *type = kura_type_get(it->type);
    put_s(t, "# kura: edit the item, save and close the editor. Lines starting with # are left\n"
             "# out; url, tag, field and hidden lines may repeat; the notes are the lines after\n"
             "# 'notes:', each indented by two spaces, and so is a field's value after ' = |'.\n"
             "# type: login, note, card, identity, ssh-key or generic; a field left empty is\n"
             "# left out. Nothing is changed if you quit without saving a change.\n");
    put_line(t, "title", it->title);
    put_line(t, "type", type ? type->name : "login");
    /* The type's own fields first, in its order, each with a line to fill in. */
    for (size_t k = 0; type && k < type->n_fields; k++) {
        const kura_type_field *tf = &type->fields[k];
        const kura_field *have = kura_item_field(it, tf->name);
        put_field(t, tf->name, have ? have->value : NULL,
                  have ? have->hidden : (tf->flags & KURA_TF_SECRET) != 0);
    }
    put_line(t, "username", it->username);
    put_line(t, "password", it->password);
    for (size_t i = 0; i < it->n_urls; i++)
        put_line(t, "url", it->urls[i]);
    for (size_t i = 0; i < it->n_tags; i++)
        put_line(t, "tag", it->tags[i]);
    for (size_t i = 0; i < it->n_fields; i++) {
        const kura_field *f = &it->fields[i];
        if (kura_type_field_get(it->type, f->name)) continue; /* above */
        if (strcmp(f->name, KURA_OTP_FIELD) == 0)
            put_line(t, "otp", f->value);
        else
            put_field(t, f->name, f->value, f->hidden);
    }
    put_s(t, "notes:\n");
    put_block(t, it->notes ? it->notes : "");
}

/* The type the form names (its first type line), so that every field line is read knowing
 * it wherever that line is; -1 for a type kura does not have, login with none. */
static int form_type(const char *form)
{
    for (const char *line = form; line && *line;) {
        if (strncmp(line, "type:", 5) == 0) {
            char name[40];
            const char *v = line + 5 + strspn(line + 5, " ");
            size_t n = strcspn(v, " \r\n");
            if (n >= sizeof name) return -1;
            memcpy(name, v, n);
            name[n] = '\0';
            return n ? kura_type_by_name(name) : KURA_TYPE_LOGIN;
        }
        line = strchr(line, '\n');
        if (line) line++;
    }
    return KURA_TYPE_LOGIN;
}

/* A form that does not parse: one line, and that nothing was changed. */
static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    return fail(EX_USAGE, "%s; nothing was changed", line);
}

/* One field line: checked as add checks it (a card's expiry, an SSH public key); a field the
 * type keeps secret stays hidden, whichever word the line starts with. */
static int field_line(kura_item *next, const char *name, const char *value, int hidden, int line_no)
{
    const kura_type_field *tf = kura_type_field_get(next->type, name);
    if (tf && (tf->flags & KURA_TF_SECRET)) hidden = 1;
    char where[40];
    snprintf(where, sizeof where, "line %d of the form: ", line_no);
    return item_field_set(next, name, value, hidden, where);
}

static int end_block(kura_item *next, text *block, const char *name, int hidden, int line_no)
{
    if (block->failed) return bad("line %d of the form: the value is too long", line_no);
    while (block->n && block->p[block->n - 1] == '\n')
        block->p[--block->n] = '\0';
    int ex = block->n ? field_line(next, name, block->p, hidden, line_no) : EX_OK;
    sodium_memzero(block->p, block->cap);
    block->n = 0;
    block->failed = 0;
    return ex;
}

/* Parses the form into next (empty on entry). An exit code; the message names the line. */
static int parse_form(kura_item *next, char *form)
{
    text notes = {.p = sodium_malloc(KURA_MAX_LONG + 2), .cap = KURA_MAX_LONG + 2};
    text block = {.p = sodium_malloc(KURA_MAX_LONG + 2), .cap = KURA_MAX_LONG + 2};
    int ex = notes.p && block.p ? EX_OK : fail(EX_FAIL, "out of memory");
    int in_notes = 0, line_no = 0, titles = 0, block_line = 0, type = form_type(form);
    char block_name[KURA_MAX_SHORT + 1];
    int block_hidden = 0;
    if (ex == EX_OK && type < 0)
        ex = bad("the form's type line names no type (login, note, card, identity, ssh-key, "
                 "generic)");
    if (ex == EX_OK && kura_item_set_type(next, type) != KURA_OK) ex = fail(EX_FAIL, "bad type");
    for (char *line = form; ex == EX_OK && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        line_no++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        if (block_line && (strncmp(line, "  ", 2) == 0 || len == 0)) {
            if (block.n || block_line < line_no - 1) put_s(&block, "\n");
            put_s(&block, len ? line + 2 : "");
        } else if (in_notes && (strncmp(line, "  ", 2) == 0 || len == 0)) {
            if (notes.n) put_s(&notes, "\n");
            put_s(&notes, len ? line + 2 : "");
        } else if (line[0] == '#' || (len == 0 && !in_notes)) {
            /* a comment, a blank line */
        } else {
            if (block_line) { /* the value of several lines ends here */
                ex = end_block(next, &block, block_name, block_hidden, block_line);
                block_line = 0;
                if (ex != EX_OK) break;
            }
            in_notes = 0;
            char *colon = strchr(line, ':');
            if (!colon) {
                ex = bad("line %d of the form is not 'key: value': %.60s", line_no, line);
                break;
            }
            *colon = '\0';
            char *value = colon + 1 + (colon[1] == ' ');
            int rc = KURA_OK;
            if (strcmp(line, "title") == 0) {
                titles++;
                rc = kura_item_set(next, KURA_TITLE, value);
            } else if (strcmp(line, "type") == 0) {
                /* read before the other lines (form_type) */
            } else if (strcmp(line, "username") == 0) {
                rc = kura_item_set(next, KURA_USERNAME, *value ? value : NULL);
            } else if (strcmp(line, "password") == 0) {
                rc = kura_item_set(next, KURA_PASSWORD, *value ? value : NULL);
            } else if (strcmp(line, "url") == 0) {
                rc = *value ? kura_item_add_url(next, value) : KURA_OK;
            } else if (strcmp(line, "tag") == 0) {
                rc = *value ? kura_item_add_tag(next, value) : KURA_OK;
            } else if (strcmp(line, "otp") == 0) {
                rc = *value ? kura_item_set_field(next, KURA_OTP_FIELD, value, 1) : KURA_OK;
            } else if (strcmp(line, "field") == 0 || strcmp(line, "hidden") == 0) {
                size_t vlen = strlen(value);
                char *eq = strstr(value, " = ");
                if (!eq && vlen >= 2 && strcmp(value + vlen - 2, " =") == 0)
                    eq = value + vlen - 2, value[vlen] = ' ', value[vlen + 1] = '\0'; /* "NAME =" */
                if (!eq || eq == value) {
                    ex = bad("line %d of the form: a %s is 'NAME = VALUE'", line_no, line);
                    break;
                }
                *eq = '\0';
                if (strcasecmp(value, KURA_OTP_FIELD) == 0 || strcasecmp(value, "password") == 0) {
                    ex =
                        bad("line %d of the form: a field cannot be called \"%s\"", line_no, value);
                    break;
                }
                if (strcmp(eq + 3, "|") == 0) { /* its value is the indented lines below */
                    snprintf(block_name, sizeof block_name, "%s", value);
                    block_hidden = line[0] == 'h';
                    block_line = line_no;
                    block.n = 0;
                } else if (eq[3]) {
                    ex = field_line(next, value, eq + 3, line[0] == 'h', line_no);
                }
            } else if (strcmp(line, "notes") == 0) {
                in_notes = 1;
                if (*value) put_s(&notes, value);
            } else {
                ex = bad("line %d of the form: no such key \"%.40s\" (title, username, password, "
                         "url, tag, otp, field, hidden, notes)",
                         line_no, line);
                break;
            }
            if (rc != KURA_OK)
                ex = bad("line %d of the form: the %s is too long or not UTF-8", line_no, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    if (ex == EX_OK && block_line)
        ex = end_block(next, &block, block_name, block_hidden, block_line);
    if (ex == EX_OK && notes.failed) ex = bad("the notes are too long");
    if (ex == EX_OK && titles != 1) ex = bad("the form needs one title line (it has %d)", titles);
    if (ex == EX_OK && (!next->title || !next->title[strspn(next->title, " \t")]))
        ex = bad("the title cannot be empty or only spaces");
    if (ex == EX_OK) {
        while (notes.n && notes.p[notes.n - 1] == '\n')
            notes.p[--notes.n] = '\0';
        if (kura_item_set(next, KURA_NOTES, notes.n ? notes.p : NULL) != KURA_OK)
            ex = bad("the notes are too long or not UTF-8");
    }
    if (notes.p) sodium_memzero(notes.p, notes.cap);
    if (block.p) sodium_memzero(block.p, block.cap);
    sodium_free(notes.p);
    sodium_free(block.p);
    return ex;
}

/* ---- the editor ---- */

/* Runs the editor on path; an exit code (EX_CANCELLED when it did not finish). */
static int run_editor(const char *path)
{
    const char *editor = getenv("VISUAL");
    if (!editor || !*editor) editor = getenv("EDITOR");
    if (!editor || !*editor) editor = "vi";
    pid_t pid = fork();
    if (pid < 0) return fail(EX_FAIL, "cannot start the editor: %s", strerror(errno));
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        setenv("KURA_EDITOR", editor, 1); /* the editor chosen above, for the shell below */
        /* Through the shell, as git does: EDITOR may hold arguments ("code --wait"). */
        execl("/bin/sh", "sh", "-c", "exec $KURA_EDITOR \"$1\"", "sh", path, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return fail(EX_FAIL, "lost the editor: %s", strerror(errno));
    if (WIFSIGNALED(status))
        return fail(EX_CANCELLED, "the editor (%s) was killed (signal %d); nothing was changed",
                    editor, WTERMSIG(status));
    if (WEXITSTATUS(status) == 127)
        return fail(EX_FAIL, "cannot run the editor \"%s\"; set VISUAL or EDITOR to one", editor);
    if (WEXITSTATUS(status) != 0)
        return fail(EX_CANCELLED, "the editor (%s) exited with status %d; nothing was changed",
                    editor, WEXITSTATUS(status));
    return EX_OK;
}

static int read_form(char **out, const char *path)
{
    return read_secret_file(out, path, "edited form", FORM_MAX);
}

/* The texts of next into item (its id, times and history kept). */
static int take(kura_item *item, const kura_item *next)
{
    int rc = kura_item_set_type(item, next->type);
    if (rc == KURA_OK) rc = kura_item_set(item, KURA_TITLE, next->title);
    if (rc == KURA_OK) rc = kura_item_set(item, KURA_USERNAME, next->username);
    if (rc == KURA_OK) rc = kura_item_set(item, KURA_PASSWORD, next->password);
    if (rc == KURA_OK) rc = kura_item_set(item, KURA_NOTES, next->notes);
    kura_item_clear_urls(item);
    kura_item_clear_tags(item);
    for (size_t i = 0; rc == KURA_OK && i < next->n_urls; i++)
        rc = kura_item_add_url(item, next->urls[i]);
    for (size_t i = 0; rc == KURA_OK && i < next->n_tags; i++)
        rc = kura_item_add_tag(item, next->tags[i]);
    while (rc == KURA_OK && item->n_fields)
        rc = kura_item_set_field(item, item->fields[0].name, NULL, 0);
    for (size_t i = 0; rc == KURA_OK && i < next->n_fields; i++)
        rc = kura_item_set_field(item, next->fields[i].name, next->fields[i].value,
                                 next->fields[i].hidden);
    return rc == KURA_OK ? EX_OK : fail(EX_FAIL, "out of memory");
}

static int same_text(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : b && strcmp(a, b) == 0;
}

/* Says which parts changed (never their values); 0 if none did. */
static int say_changes(const kura_item *a, const kura_item *b)
{
    char said[512] = "";
    const char *names[] = {"title", "username", "password", "notes"};
    const char *va[] = {a->title, a->username, a->password, a->notes};
    const char *vb[] = {b->title, b->username, b->password, b->notes};
    for (int i = 0; i < 4; i++)
        if (!same_text(va[i], vb[i]))
            snprintf(said + strlen(said), sizeof said - strlen(said), "%s%s", *said ? ", " : "",
                     names[i]);
    if (a->type != b->type)
        snprintf(said + strlen(said), sizeof said - strlen(said), "%stype", *said ? ", " : "");
    int lists = a->n_urls != b->n_urls, tags = a->n_tags != b->n_tags,
        fields = a->n_fields != b->n_fields;
    for (size_t i = 0; !lists && i < a->n_urls; i++)
        lists = strcmp(a->urls[i], b->urls[i]) != 0;
    for (size_t i = 0; !tags && i < a->n_tags; i++)
        tags = strcmp(a->tags[i], b->tags[i]) != 0;
    for (size_t i = 0; !fields && i < a->n_fields; i++)
        fields = strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
                 strcmp(a->fields[i].value, b->fields[i].value) != 0 ||
                 a->fields[i].hidden != b->fields[i].hidden;
    if (lists)
        snprintf(said + strlen(said), sizeof said - strlen(said), "%sURLs", *said ? ", " : "");
    if (tags)
        snprintf(said + strlen(said), sizeof said - strlen(said), "%stags", *said ? ", " : "");
    if (fields)
        snprintf(said + strlen(said), sizeof said - strlen(said), "%sfields", *said ? ", " : "");
    if (*said) note("kura: changed: %s", said);
    return *said != '\0';
}

int editor_usable(void)
{
    const char *v = getenv("VISUAL"), *e = getenv("EDITOR");
    if ((v && *v) || (e && *e)) return 1;
    int fd = tty_open();
    if (fd >= 0) close(fd);
    return fd >= 0;
}

int edit_in_editor(ctx *c, kura_item *item, int is_new, int *changed)
{
    *changed = 0;
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s/edit", c->runtime_dir) >= (int)sizeof dir)
        return fail(EX_FAIL, "the runtime folder's path is too long");
    if ((mkdir(c->runtime_dir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0700) != 0 && errno != EEXIST))
        return fail(EX_FAIL, "cannot make the private folder %s: %s", dir, strerror(errno));
    struct stat sb;
    if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077))
        return fail(EX_FAIL,
                    "the folder %s is not private to you (0700); the form is not "
                    "written there",
                    dir);
    text t = {.p = sodium_malloc(FORM_MAX + 1), .cap = FORM_MAX + 1};
    kura_item *next = NULL;
    char *back = NULL;
    int ex = t.p ? EX_OK : fail(EX_FAIL, "out of memory");
    if (ex == EX_OK) write_form(&t, item);
    if (ex == EX_OK && t.failed) ex = fail(EX_FAIL, "the item is too large for the editor");
    snprintf(form_path, sizeof form_path, "%s/kura-item-XXXXXX.txt", dir);
    int fd = ex == EX_OK ? mkstemps(form_path, 4) : -1;
    if (ex == EX_OK && fd < 0)
        ex = fail(EX_FAIL, "cannot write the form in %s: %s", dir, strerror(errno));
    /* The form is wiped on the way out, whatever the way. */
    struct sigaction sa = {.sa_handler = on_signal}, old_term, old_hup;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    void (*old_int)(int) = signal(SIGINT, SIG_IGN); /* the editor's to take */
    void (*old_quit)(int) = signal(SIGQUIT, SIG_IGN);
    if (ex == EX_OK) {
        ssize_t w = write(fd, t.p, t.n);
        if (w != (ssize_t)t.n || fsync(fd) != 0)
            ex = fail(EX_FAIL, "cannot write the form: %s", strerror(errno));
        close(fd);
    }
    for (int round = 0; ex == EX_OK; round++) {
        ex = run_editor(form_path);
        if (ex != EX_OK) break;
        secret_free(back);
        back = NULL;
        ex = read_form(&back, form_path);
        kura_item_free(next);
        next = kura_item_new();
        if (ex == EX_OK && !next) ex = fail(EX_FAIL, "out of memory");
        if (ex == EX_OK) ex = parse_form(next, back);
        if (ex != EX_USAGE) break;
        /* A form that does not parse: fixed, or given up; never half applied. */
        int again = round < 5 ? tty_confirm("Edit the form again to fix it?") : 0;
        if (again != 1) { /* said above, in the line that names what is wrong */
            ex = EX_CANCELLED;
            break;
        }
        ex = EX_OK;
    }
    if (form_path[0]) wipe_file(form_path);
    form_path[0] = '\0';
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    signal(SIGINT, old_int);
    signal(SIGQUIT, old_quit);
    if (ex == EX_OK && !say_changes(item, next) && !is_new) {
        note("kura: nothing changed in \"%s\"", item->title);
    } else if (ex == EX_OK) {
        ex = take(item, next);
        *changed = ex == EX_OK;
    }
    if (t.p) sodium_memzero(t.p, t.cap);
    sodium_free(t.p);
    secret_free(back);
    kura_item_free(next);
    return ex;
}
