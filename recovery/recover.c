/* Looking for emergency kits where people keep files: Downloads, Desktop, Documents,
 * Pictures (and two levels below them: DCIM/Camera, Screenshots/2026) and the current
 * folder: first the files named like kits, then every image and PDF, newest first, since a
 * kit is as often a phone photo or a screenshot. Only finds; checking each candidate against
 * the vault is kura_kit_read's and the caller's job. */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "kura/kura.h"

static const char *const patterns[] = {"Kura client key *.pdf",
                                       "KURA_CLIENT_KEY_EMERGENCY_KIT*.png", "Kura split kit *.pdf",
                                       "KURA_CLIENT_KEY_SHARE_*.png"};

#define MAX_FILES 5000        /* a photo library's newest, not all of it */
#define MAX_BYTES (64u << 20) /* a kit image is far smaller */

typedef struct found {
    char *path;
    int named;   /* named like a kit */
    time_t when; /* modified */
} found;

typedef struct finding {
    found *f;
    size_t n, cap;
} finding;

int kura_recover_named_kit(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t p = 0; p < sizeof patterns / sizeof *patterns; p++)
        if (fnmatch(patterns[p], base, FNM_CASEFOLD) == 0) return 1;
    return 0;
}

/* An image or a PDF, by its name's ending (any case). */
static int image_name(const char *name)
{
    static const char *const ends[] = {".png",  ".jpg", ".jpeg", ".heic", ".heif", ".avif",
                                       ".webp", ".tif", ".tiff", ".gif",  ".pdf"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof ends / sizeof *ends; i++)
        if (strcasecmp(dot, ends[i]) == 0) return 1;
    return 0;
}

static int add(finding *l, const char *path, int named, time_t when)
{
    if (kura_grow(&l->f, &l->cap, l->n, sizeof *l->f) != KURA_OK) return KURA_ERR_NOMEM;
    if (!(l->f[l->n].path = strdup(path))) return KURA_ERR_NOMEM;
    l->f[l->n].named = named, l->f[l->n].when = when;
    l->n++;
    return KURA_OK;
}

/* The kits and images in dir, and depth levels of folders below it (not hidden ones). */
static int walk(finding *l, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return KURA_OK;
    int rc = KURA_OK;
    for (struct dirent *e; rc == KURA_OK && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX];
        struct stat sb;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            lstat(path, &sb) != 0)
            continue;
        int named = kura_recover_named_kit(path);
        if (S_ISDIR(sb.st_mode) && depth > 0)
            rc = walk(l, path, depth - 1);
        else if (S_ISREG(sb.st_mode) && sb.st_size <= MAX_BYTES && (named || image_name(e->d_name)))
            rc = add(l, path, named, sb.st_mtime);
    }
    closedir(d);
    return rc;
}

/* Kits by name first, then newest first, then by path. */
static int by_likeliness(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->named != y->named) return y->named - x->named;
    if (x->when != y->when) return x->when > y->when ? -1 : 1;
    return strcmp(x->path, y->path);
}

int kura_recover_find_kits(char ***out, size_t *count, const char *home, const char *cwd)
{
    static const char *const places[] = {"Downloads", "Desktop", "Documents", "Pictures"};
    finding l = {0};
    *out = NULL;
    *count = 0;
    int rc = KURA_OK;
    for (size_t i = 0; rc == KURA_OK && home && i < 4; i++) {
        char dir[PATH_MAX];
        if (snprintf(dir, sizeof dir, "%s/%s", home, places[i]) < (int)sizeof dir)
            rc = walk(&l, dir, 2);
    }
    if (rc == KURA_OK && cwd) rc = walk(&l, cwd, 0);
    if (l.n > 1) qsort(l.f, l.n, sizeof *l.f, by_likeliness);
    /* The current folder may be one of the places: the same file twice lies side by side. */
    size_t kept = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (kept && strcmp(l.f[kept - 1].path, l.f[i].path) == 0)
            free(l.f[i].path);
        else
            l.f[kept++] = l.f[i];
    }
    l.n = kept;
    size_t keep = l.n < MAX_FILES ? l.n : MAX_FILES;
    char **list = rc == KURA_OK && keep ? calloc(keep, sizeof *list) : NULL;
    if (rc == KURA_OK && keep && !list) rc = KURA_ERR_NOMEM;
    for (size_t i = 0; i < l.n; i++) {
        if (rc == KURA_OK && i < keep)
            list[i] = l.f[i].path;
        else
            free(l.f[i].path);
    }
    free(l.f);
    if (rc == KURA_OK) *out = list, *count = keep;
    return rc;
}

void kura_recover_free_kits(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}
