/* kura_remote_git: a git remote, from the git module (git_api.h). A program that links the
 * module's sources itself has the table already; kura loads kura-git.so on first use
 * (vault/module.c says where it is looked for). The module's remote is wrapped so that a
 * failure's text, written into the module's own copy of libkura, reaches this one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git_api.h"

/* Defined only when the module's sources are linked in. */
extern const kura_git_api kura_git_module_api __attribute__((weak));

static kura_module module = KURA_MODULE("kura-git.so");

typedef struct wrapped {
    remote r;
    remote *in; /* the module's */
    const kura_git_api *api;
} wrapped;

static int said(const wrapped *w, int rc)
{
    const char *d = w->api->detail();
    if (rc != KURA_OK && d != kura_error_detail()) kura_fail(rc, "%s", d);
    return rc;
}

static int w_begin(remote *r)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->begin(w->in));
}

static int w_list(remote *r, const char *dir, char ***names, size_t *n)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->list(w->in, dir, names, n));
}

static int w_read(remote *r, const char *path, kura_blob *out)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->read(w->in, path, out));
}

static int w_write(remote *r, const char *path, const void *p, size_t n)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->write(w->in, path, p, n));
}

static int w_remove(remote *r, const char *path)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->remove(w->in, path));
}

static int w_finish(remote *r, int *again)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->finish(w->in, again));
}

static int w_wipe(remote *r, const char *dir, const char *record, const void *p, size_t n)
{
    wrapped *w = (wrapped *)r;
    return said(w, w->in->ops->wipe(w->in, dir, record, p, n));
}

static void w_close(remote *r)
{
    wrapped *w = (wrapped *)r;
    if (w->in) w->in->ops->close(w->in);
    free(w->r.url);
    free(w);
}

static const remote_ops wrapped_ops = {w_begin,  w_list,   w_read,  w_write,
                                       w_remove, w_finish, w_close, w_wipe};

int kura_remote_git(remote **out, const char *url, const char *cache)
{
    *out = NULL;
    const kura_git_api *api = &kura_git_module_api ? &kura_git_module_api
                                                   : kura_module_table(&module, KURA_GIT_API_SYMBOL,
                                                                       KURA_GIT_API_VERSION);
    if (!api) {
        char why[200];
        snprintf(why, sizeof why, "%s", kura_error_detail());
        return kura_fail(KURA_ERR_NO_MODULE,
                         "cannot reach git remotes: kura's git module did not load (%s); "
                         "reinstall kura, which puts kura-git.so in its lib/kura",
                         why);
    }
    wrapped *w = calloc(1, sizeof *w);
    if (!w || !(w->r.url = strdup(url))) {
        free(w);
        return KURA_ERR_NOMEM;
    }
    w->r.ops = &wrapped_ops;
    w->api = api;
    int rc = said(w, api->open(&w->in, url, cache));
    if (rc != KURA_OK) {
        w_close(&w->r);
        return rc;
    }
    *out = &w->r;
    return KURA_OK;
}
