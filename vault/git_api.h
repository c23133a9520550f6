/* git_api.h: what the git module (kura-git.so: libgit2, libssh2 and the TLS, Kerberos and
 * regular-expression libraries they bring) gives libkura: one table, looked up by one name,
 * as kit_api.h and import_api.h do. Those libraries take longer to map and relocate than the
 * rest of a quick command together, and only a sync through a git remote needs them;
 * vault/remote_gitmod.c loads the module then. */
#ifndef KURA_GIT_API_H
#define KURA_GIT_API_H

#include "sync.h"

#define KURA_GIT_API_VERSION 1

typedef struct kura_git_api {
    unsigned version; /* KURA_GIT_API_VERSION: a module of another version is not used */
    /* kura_remote_git, in the module: its remote's operations are the module's. */
    int (*open)(remote **out, const char *url, const char *cache);
    /* The module's own kura_error_detail (its copy of libkura has a detail of its own, so a
     * failure's text crosses here). */
    const char *(*detail)(void);
} kura_git_api;

/* The module's table (vault/remote_git.c); its only exported symbol. */
extern const kura_git_api kura_git_module_api;
#define KURA_GIT_API_SYMBOL "kura_git_module_api"

#endif
