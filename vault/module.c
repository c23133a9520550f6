/* Modules: the parts of kura whose libraries are large and seldom needed (the kit's
 * renderers, other managers' import formats, git remotes) live in shared objects loaded on
 * first use.
 * Those libraries would otherwise be mapped and relocated by every kura run: most of a quick
 * command's time. A module is looked for next to the running program (a build tree), then in
 * the install's lib/kura; never in a path from the environment. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

#ifndef KURA_MODULE_DIR
#define KURA_MODULE_DIR "/usr/local/lib/kura"
#endif

/* Loads the module file name: next to the program, then in the install's lib/kura. NULL
 * with err set when it is missing or does not load. */
static void *kura_module_load(const char *name, char *err, size_t errlen)
{
    char path[PATH_MAX];
    void *module = NULL;
    size_t name_len = strlen(name);
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) + 2 + name_len <= sizeof path) {
            memcpy(slash + 1, name, name_len + 1);
            if (access(path, F_OK) == 0) module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!module && snprintf(path, sizeof path, "%s/%s", KURA_MODULE_DIR, name) < (int)sizeof path)
        module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *why = dlerror();
        snprintf(err, errlen, "%s", why ? why : "cannot load the module");
    }
    return module;
}

/* A symbol of a loaded module (NULL module: NULL, err already set). */
static void *kura_module_entry(void *module, const char *module_name, const char *symbol, char *err,
                               size_t errlen)
{
    if (!module) return NULL;
    void *fn = dlsym(module, symbol);
    if (!fn) snprintf(err, errlen, "%s has no %s", module_name, symbol);
    return fn;
}

void *kura_module_symbol(kura_module *m, const char *symbol)
{
    pthread_mutex_lock(&m->mu);
    if (!m->tried) {
        m->handle = kura_module_load(m->name, m->err, sizeof m->err);
        m->tried = 1;
    }
    pthread_mutex_unlock(&m->mu);
    void *p = kura_module_entry(m->handle, m->name, symbol, m->err, sizeof m->err);
    if (!p) kura_fail(KURA_ERR_NO_MODULE, "%s", m->err);
    return p;
}

const void *kura_module_table(kura_module *m, const char *symbol, unsigned version)
{
    const unsigned *table = kura_module_symbol(m, symbol);
    if (table && *table != version) {
        kura_fail(KURA_ERR_NO_MODULE, "%s is of another kura (table version %u, not %u)", m->name,
                  *table, version);
        return NULL;
    }
    return table;
}
