/* kura attach and kura detach: files kept with an item, and getting one back out (get
 * --attachment). The content is sealed in chunks apart from the item; the item's details
 * name each file, its size and its key. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct attach_args {
    const char *name;
} attach_args;

static const opt_row attach_rows[] = {
    OPT_STRING("name", attach_args, name, "NAME",
               "what the item calls it (default: the file's name; needed with - for stdin)"),
    OPT_END(),
};

void format_size(char *out, size_t cap, uint64_t n)
{
    if (n < 1024)
        snprintf(out, cap, "%llu bytes", (unsigned long long)n);
    else if (n < 1024 * 1024)
        snprintf(out, cap, "%.1f KiB", (double)n / 1024);
    else
        snprintf(out, cap, "%.1f MiB", (double)n / (1024 * 1024));
}

static int attach_exec(ctx *c, void *args, int argc, char **argv)
{
    const attach_args *a = args;
    const char *path = argv[1];
    int from_stdin = strcmp(path, "-") == 0;
    (void)argc;
    if (from_stdin && !a->name)
        return fail(EX_USAGE, "name what comes from stdin with --name NAME");
    char *copy = strdup(path);
    if (!copy) return fail(EX_FAIL, "out of memory");
    const char *name = a->name ? a->name : basename(copy);
    int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int ex = EX_OK;
    int known = fd >= 0 && fstat(fd, &st) == 0;
    if (fd < 0)
        ex = fail(errno == ENOENT ? EX_NOT_FOUND : EX_FAIL, "cannot read %s: %s", path,
                  strerror(errno));
    else if (known && S_ISDIR(st.st_mode))
        ex = fail(EX_USAGE, "%s is a folder; attach one file at a time", path);
    else if (known && S_ISREG(st.st_mode) && (uint64_t)st.st_size > KURA_MAX_ATTACHMENT)
        ex = fail(EX_FAIL, "%s is %.1f MiB; an attachment may hold at most %llu MiB", path,
                  (double)st.st_size / (1024 * 1024),
                  (unsigned long long)(KURA_MAX_ATTACHMENT >> 20));
    kura_item *item = NULL;
    if (ex == EX_OK) ex = resolve_item(c, &item, argv[0]);
    if (ex == EX_OK) {
        int rc = kura_item_attach(c->v, item, name, fd);
        if (rc == KURA_ERR_EXISTS)
            ex = fail(EX_FAIL,
                      "item \"%s\" already has an attachment called \"%s\"; detach it first "
                      "('kura detach %.8s %s') or give this one another --name",
                      item->title, name, item->id, name);
        else if (rc == KURA_ERR_TOO_BIG)
            ex = fail(EX_FAIL,
                      "%s is larger than %llu MiB, the most an attachment holds; "
                      "nothing was attached",
                      from_stdin ? "standard input" : path,
                      (unsigned long long)(KURA_MAX_ATTACHMENT >> 20));
        else if (rc != KURA_OK)
            ex = fail_vault(c, rc, "attach the file");
    }
    if (ex == EX_OK) {
        const kura_attachment *at = kura_item_attachment(item, name);
        char size[32];
        format_size(size, sizeof size, at->size);
        if (c->json)
            json_print(json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", item->id, "title", item->title,
                                 "attachment", name, "size", (json_int_t)at->size, "result",
                                 "attached"));
        else
            printf("attached \"%s\" (%s) to \"%s\" (%.8s)\n", name, size, item->title, item->id);
    }
    if (fd >= 0 && !from_stdin) close(fd);
    free(copy);
    kura_item_free(item);
    return ex;
}

const cmd cmd_attach = {
    .name = "attach",
    .summary = "keep a file with an item (at most 100 MiB; sealed, never listed or searched)",
    .args = "ITEM FILE",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 2,
    .max_args = 2,
    .rows = attach_rows,
    .args_size = sizeof(attach_args),
    .exec = attach_exec,
};

static int detach_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    if (kura_item_detach(item, argv[1]) != KURA_OK) {
        ex = fail(EX_NOT_FOUND, "item \"%s\" has no attachment called \"%s\"%s", item->title,
                  argv[1], item->n_attachments ? "; 'kura get ITEM' lists them" : "");
    } else {
        int rc = kura_item_update(c->v, item);
        if (rc != KURA_OK) ex = fail_vault(c, rc, "detach the file");
    }
    if (ex == EX_OK) {
        if (c->json)
            json_print(json_pack("{s:s, s:s, s:s, s:s}", "id", item->id, "title", item->title,
                                 "attachment", argv[1], "result", "detached"));
        else
            printf("detached \"%s\" from \"%s\" (%.8s); 'kura history %.8s' keeps it while "
                   "the version that had it is kept\n",
                   argv[1], item->title, item->id, item->id);
    }
    kura_item_free(item);
    return ex;
}

const cmd cmd_detach = {
    .name = "detach",
    .summary = "remove a file from an item (kept in the item's history)",
    .args = "ITEM NAME",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM | CMD_WRITES,
    .min_args = 2,
    .max_args = 2,
    .exec = detach_exec,
};

/* Writes attachment a to a new file at path (0600, never over an existing one). The content
 * goes to a file without a name in the same folder (O_TMPFILE: nothing is left if kura is
 * killed), checked whole before the first byte, then linked into place; where the filesystem
 * has no O_TMPFILE, to a temporary name that is wiped on failure. */
/* Why attachment a could not be read, in one line. */
static int fail_read(ctx *c, const kura_item *item, int rc)
{
    if (rc == KURA_ERR_CORRUPT)
        return fail(EX_DAMAGED,
                    "%s, in item \"%s\"; nothing was written. The item itself is whole; "
                    "restore the vault from a backup or a synced copy to get the file back",
                    kura_error_detail(), item->title);
    if (rc == KURA_ERR_NOT_FOUND) return fail(EX_NOT_FOUND, "%s", kura_error_detail());
    return fail_vault(c, rc, "read the attachment");
}

static int save_to(ctx *c, const kura_item *item, const kura_attachment *a, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        return fail(EX_FAIL,
                    "%s already exists; kura does not write over it: remove it or "
                    "choose another --output",
                    path);
    size_t n = strlen(path);
    char *dir = strdup(path), *tmp = malloc(n + 16);
    if (!dir || !tmp) {
        free(dir), free(tmp);
        return fail(EX_FAIL, "out of memory");
    }
    snprintf(tmp, n + 16, "%s.kura-XXXXXX", path);
    int fd = open(dirname(dir), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600), named = 0;
    if (fd < 0 && errno != ENOENT && errno != EACCES && errno != EROFS)
        fd = mkstemp(tmp), named = 1; /* 0600 */
    int ex = EX_OK;
    if (fd < 0) {
        ex = fail(EX_FAIL, "cannot write %s: %s", path, strerror(errno));
    } else {
        int rc = kura_attachment_write(c->v, a, fd);
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (rc != KURA_OK)
            ex = fail_read(c, item, rc);
        else if (fsync(fd) != 0)
            ex = fail(EX_FAIL, "cannot write %s: %s", path, strerror(errno));
        else if (named ? link(tmp, path) != 0
                       : linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) != 0)
            ex = fail(EX_FAIL, "cannot write %s: %s", path, strerror(errno));
        if (ex != EX_OK && named) wipe_file(tmp);
        close(fd);
        if (named) unlink(tmp);
    }
    free(dir), free(tmp);
    return ex;
}

int get_attachment(ctx *c, const kura_item *item, const char *name, const char *output)
{
    const kura_attachment *a = kura_item_attachment(item, name);
    if (!a)
        return fail(EX_NOT_FOUND, "item \"%s\" has no attachment called \"%s\"%s", item->title,
                    name, item->n_attachments ? "; 'kura get ITEM' lists them" : "");
    if (output) {
        int ex = save_to(c, item, a, output);
        char size[32];
        format_size(size, sizeof size, a->size);
        if (ex == EX_OK && c->json)
            json_print(json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", item->id, "title", item->title,
                                 "attachment", name, "output", output, "size",
                                 (json_int_t)a->size));
        else if (ex == EX_OK)
            printf("wrote \"%s\" (%s) to %s\n", name, size, output);
        return ex;
    }
    if (isatty(STDOUT_FILENO))
        return fail(EX_USAGE,
                    "attachment \"%s\" is not written to a terminal; use --output FILE, or "
                    "send it to a pipe or file (kura get %.8s --attachment NAME > FILE)",
                    name, item->id);
    int rc = kura_attachment_write(c->v, a, STDOUT_FILENO);
    return rc == KURA_OK ? EX_OK : fail_read(c, item, rc);
}
