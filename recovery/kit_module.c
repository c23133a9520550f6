/* The kit functions that need libharu, cairo, poppler, libzbar and libqrencode, reached
 * through kura-kit.so, loaded on first use. Those libraries (and the sixty they pull in)
 * would otherwise be mapped and relocated by every kura run, kit or not: most of a quick
 * command's time. The module is looked for next to the running program (a build tree), then
 * in the install's lib/kura; never in a path from the environment.
 *
 * These definitions are weak: a program that links the kit sources itself (a test tool, a
 * fuzz target) gets those instead. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kit_int.h"

#ifndef KURA_MODULE_DIR
#define KURA_MODULE_DIR "/usr/local/lib/kura"
#endif
#define MODULE_NAME "kura-kit.so"

static void *module;
static char module_err[300];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
        char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) + sizeof "/" MODULE_NAME <= sizeof path) {
            memcpy(slash, "/" MODULE_NAME, sizeof "/" MODULE_NAME);
            if (access(path, F_OK) == 0) module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!module) module = dlopen(KURA_MODULE_DIR "/" MODULE_NAME, RTLD_NOW | RTLD_LOCAL);
    if (!module) {
        const char *why = dlerror();
        snprintf(module_err, sizeof module_err, "%s", why ? why : "cannot load " MODULE_NAME);
    }
}

static void *entry(const char *name)
{
    pthread_once(&once, load);
    if (!module) return NULL;
    void *fn = dlsym(module, name);
    if (!fn) snprintf(module_err, sizeof module_err, "%s has no %s", MODULE_NAME, name);
    return fn;
}

const char *kura_kit_module_error(void)
{
    return module_err[0] ? module_err : "no error";
}

__attribute__((weak)) int kura_kit_write_pdf(const char *path, const kura_kit_spec *spec)
{
    int (*fn)(const char *, const kura_kit_spec *) =
        (int (*)(const char *, const kura_kit_spec *))entry("kura_kit_write_pdf");
    return fn ? fn(path, spec) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_write_png(const char *path, const kura_kit_spec *spec)
{
    int (*fn)(const char *, const kura_kit_spec *) =
        (int (*)(const char *, const kura_kit_spec *))entry("kura_kit_write_png");
    return fn ? fn(path, spec) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_read(char *vault_id, kura_client_key *key, const char *path)
{
    int (*fn)(char *, kura_client_key *, const char *) =
        (int (*)(char *, kura_client_key *, const char *))entry("kura_kit_read");
    return fn ? fn(vault_id, key, path) : KURA_ERR_NO_MODULE;
}

__attribute__((weak)) int kura_kit_qr_text(char **out, const char *vault_id,
                                           const kura_client_key *key, int ascii)
{
    int (*fn)(char **, const char *, const kura_client_key *, int) =
        (int (*)(char **, const char *, const kura_client_key *, int))entry("kura_kit_qr_text");
    *out = NULL;
    return fn ? fn(out, vault_id, key, ascii) : KURA_ERR_NO_MODULE;
}
