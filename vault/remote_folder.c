/* A folder remote: a folder that another engine carries between devices (Syncthing, Dropbox,
 * Nextcloud, a USB stick, NFS). Each device writes only files in its own folder, each whole
 * under a new name and renamed over (never a file another device writes, never one half
 * written), so an engine never sees two writers of one file. Names an engine adds (its
 * temporary and conflict files) are not kura's and are ignored by the reader. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync.h"

typedef struct folder {
    remote r;
    char *root;
} folder;

#define MAX_FILE ((size_t)1 << 31) /* a snapshot of a large vault: well under this */

static char *path_in(const folder *f, const char *rel)
{
    size_t n = strlen(f->root) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", f->root, *rel ? "/" : "", rel);
    return p;
}

static int folder_begin(remote *r)
{
    folder *f = (folder *)r;
    struct stat sb;
    if (stat(f->root, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return kura_fail(KURA_ERR_UNREACHABLE, "cannot reach the remote folder %s: %s", f->root,
                         errno ? strerror(errno) : "not a folder");
    return KURA_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int folder_list(remote *r, const char *dir, char ***names, size_t *n)
{
    folder *f = (folder *)r;
    *names = NULL;
    *n = 0;
    char *p = path_in(f, dir);
    if (!p) return KURA_ERR_NOMEM;
    DIR *d = opendir(p);
    free(p);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR) return KURA_OK;
        return kura_fail(KURA_ERR_UNREACHABLE, "cannot read the remote folder %s: %s", f->root,
                         strerror(errno));
    }
    size_t cap = 0;
    int rc = KURA_OK;
    struct dirent *e;
    while (rc == KURA_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ".", "..", and engines' hidden files */
        if (kura_grow(names, &cap, *n, sizeof **names) != KURA_OK)
            rc = KURA_ERR_NOMEM;
        else if (!((*names)[*n] = strdup(e->d_name)))
            rc = KURA_ERR_NOMEM;
        else
            (*n)++;
    }
    closedir(d);
    if (rc == KURA_OK && *n) qsort(*names, *n, sizeof **names, by_name);
    return rc;
}

static int folder_read(remote *r, const char *rel, kura_blob *out)
{
    folder *f = (folder *)r;
    out->p = NULL;
    out->n = 0;
    char *p = path_in(f, rel);
    if (!p) return KURA_ERR_NOMEM;
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    free(p);
    if (fd < 0)
        return errno == ENOENT
                   ? KURA_ERR_NOT_FOUND
                   : kura_fail(KURA_ERR_UNREACHABLE, "cannot read %s in the remote folder: %s", rel,
                               strerror(errno));
    struct stat sb;
    int rc = KURA_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MAX_FILE)
        rc = kura_fail(KURA_ERR_TAMPERED, "%s in the remote folder is not a file kura wrote", rel);
    size_t want = rc == KURA_OK ? (size_t)sb.st_size : 0, got = 0;
    if (rc == KURA_OK && !(out->p = malloc(want ? want : 1))) rc = KURA_ERR_NOMEM;
    while (rc == KURA_OK && got < want) {
        ssize_t k = read(fd, out->p + got, want - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            rc = kura_fail(KURA_ERR_UNREACHABLE, "cannot read %s in the remote folder", rel);
            break;
        }
        got += (size_t)k;
    }
    close(fd);
    if (rc != KURA_OK) {
        free(out->p);
        out->p = NULL;
        return rc;
    }
    out->n = got;
    return KURA_OK;
}

/* Makes the folders of rel's path (0700). */
static int make_dirs(folder *f, const char *rel)
{
    char *p = path_in(f, rel);
    if (!p) return KURA_ERR_NOMEM;
    for (char *s = p + strlen(f->root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return kura_fail(KURA_ERR_UNREACHABLE, "cannot write to the remote folder %s: %s",
                             f->root, strerror(e));
        }
        *s = '/';
    }
    free(p);
    return KURA_OK;
}

static int folder_write(remote *r, const char *rel, const void *data, size_t n)
{
    folder *f = (folder *)r;
    int rc = make_dirs(f, rel);
    if (rc != KURA_OK) return rc;
    char *p = path_in(f, rel);
    if (!p) return KURA_ERR_NOMEM;
    rc = kura_write_private_file(p, data, n);
    int e = errno;
    free(p);
    if (rc == KURA_ERR_NOMEM) return rc;
    if (rc != KURA_OK)
        return kura_fail(e == ENOSPC ? KURA_ERR_DISK_FULL : KURA_ERR_UNREACHABLE,
                         "cannot write %s to the remote folder %s: %s", rel, f->root, strerror(e));
    return KURA_OK;
}

static int folder_remove(remote *r, const char *rel)
{
    folder *f = (folder *)r;
    char *p = path_in(f, rel);
    if (!p) return KURA_ERR_NOMEM;
    int ok = unlink(p) == 0 || errno == ENOENT;
    int e = errno;
    free(p);
    return ok ? KURA_OK
              : kura_fail(KURA_ERR_UNREACHABLE, "cannot remove %s from the remote folder: %s", rel,
                          strerror(e));
}

static int folder_finish(remote *r, int *again)
{
    folder *f = (folder *)r;
    *again = 0;
    int fd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return KURA_OK;
}

/* Removes every file and folder under path (no links followed). */
static int remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int bad = 0;
    char sub[4200];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub) {
            bad = 1;
            continue;
        }
        struct stat sb;
        if (lstat(sub, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode))
            bad |= remove_tree(sub) != 0;
        else
            bad |= unlink(sub) != 0;
    }
    closedir(d);
    return bad || rmdir(path) != 0 ? -1 : 0;
}

static int folder_wipe(remote *r, const char *dir, const char *record, const void *p, size_t n)
{
    folder *f = (folder *)r;
    int rc = folder_write(r, record, p, n); /* the record first: a device reads it at once */
    char *path = rc == KURA_OK ? path_in(f, dir) : NULL;
    if (rc == KURA_OK && !path) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK && remove_tree(path) != 0)
        rc = kura_fail(KURA_ERR_UNREACHABLE, "cannot remove %s from the remote folder %s: %s", dir,
                       f->root, strerror(errno));
    free(path);
    return rc;
}

static void folder_close(remote *r)
{
    folder *f = (folder *)r;
    free(f->root);
    free(f->r.url);
    free(f);
}

static const remote_ops folder_ops = {folder_begin,  folder_list,   folder_read,  folder_write,
                                      folder_remove, folder_finish, folder_close, folder_wipe};

int kura_remote_folder(remote **out, const char *url)
{
    const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
    folder *f = calloc(1, sizeof *f);
    if (!f) return KURA_ERR_NOMEM;
    f->r.ops = &folder_ops;
    f->r.url = strdup(url);
    f->root = strdup(path);
    if (!f->r.url || !f->root) {
        folder_close(&f->r);
        return KURA_ERR_NOMEM;
    }
    size_t n = strlen(f->root);
    while (n > 1 && f->root[n - 1] == '/')
        f->root[--n] = '\0';
    *out = &f->r;
    return KURA_OK;
}
