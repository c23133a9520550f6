/* Looking for emergency kits where people keep files: Downloads, Desktop, Documents,
 * Pictures and the current folder, by the kit's file names. Only finds; checking each
 * candidate against the vault is kura_kit_read's and the caller's job. */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kura/kura.h"

static const char *const patterns[] = {"Kura client key *.pdf",
                                       "KURA_CLIENT_KEY_EMERGENCY_KIT*.png"};

static int add(char ***list, size_t *n, const char *dir, const char *name)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return KURA_OK;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], path) == 0) return KURA_OK; /* the current folder may repeat */
    char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) return KURA_ERR_NOMEM;
    *list = grown;
    if (!(grown[*n] = strdup(path))) return KURA_ERR_NOMEM;
    (*n)++;
    return KURA_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int kura_recover_find_kits(char ***out, size_t *count, const char *home, const char *cwd)
{
    static const char *const places[] = {"Downloads", "Desktop", "Documents", "Pictures"};
    char dirs[5][PATH_MAX];
    size_t ndirs = 0;
    *out = NULL;
    *count = 0;
    for (size_t i = 0; home && i < 4; i++)
        if (snprintf(dirs[ndirs], PATH_MAX, "%s/%s", home, places[i]) < PATH_MAX) ndirs++;
    if (cwd) snprintf(dirs[ndirs++], PATH_MAX, "%s", cwd);
    int rc = KURA_OK;
    for (size_t i = 0; rc == KURA_OK && i < ndirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d) continue;
        for (struct dirent *e; rc == KURA_OK && (e = readdir(d));)
            for (size_t p = 0; p < 2; p++)
                if (fnmatch(patterns[p], e->d_name, FNM_CASEFOLD) == 0)
                    rc = add(out, count, dirs[i], e->d_name);
        closedir(d);
    }
    if (*count > 1) qsort(*out, *count, sizeof **out, by_name);
    return rc;
}

void kura_recover_free_kits(char **list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}
