/* A git remote, through libgit2: a bare repository's path, ssh://, https://, git://. The
 * remote's branch "kura" is fetched into a bare copy in the cache folder; reads come from its
 * tree, writes are staged and become one commit on top of it, pushed without force. Another
 * device that pushed first makes the push fail as not a fast-forward: the sync reads again
 * and retries, and since each device writes only its own folder, the new commit never
 * conflicts. Commits carry no names or times (author "kura", time 0). Credentials come from
 * ssh-agent or git's credential helpers ("git credential fill"), never from the URL. */
#define _GNU_SOURCE /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <git2.h>

#include "git_api.h"

#define REF_REMOTE "refs/kura/remote"
#define REF_OUT "refs/kura/out"
#define BRANCH "refs/heads/kura"

typedef struct staged {
    char *path;
    unsigned char *p; /* NULL: removed */
    size_t n;
} staged;

typedef struct gitr {
    remote r;
    git_repository *repo;
    git_remote *origin;
    git_tree *base; /* the fetched tree, NULL: the branch does not exist yet */
    git_oid base_commit;
    int has_base;
    staged *st;
    size_t n_st, cap_st;
    int cred_tries;
    int host_rc;        /* the host key was refused: why, already said */
    char auth_why[200]; /* what the last credential asked of the user, if it failed */
    int rejected;
    char push_error[200];
    int lock_fd; /* flock'd: this process alone uses the local copy */
} gitr;

static int git_fail(int rc, const char *what, const char *url)
{
    const git_error *e = git_error_last();
    return kura_fail(rc, "%s %s: %.160s", what, url, e && e->message ? e->message : "git failed");
}

/* "git credential fill" for an https remote: the user's own helpers answer. */
static int helper_cred(git_credential **out, const char *url, const char *user)
{
    int in[2], outp[2];
    if (pipe2(in, O_CLOEXEC) != 0) return -1;
    if (pipe2(outp, O_CLOEXEC) != 0) {
        close(in[0]), close(in[1]);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"git", "credential", "fill", NULL};
    /* The environment, and never a prompt that would hang a script. */
    extern char **environ;
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **envp = calloc(ne + 2, sizeof *envp);
    pid_t pid;
    int spawned = 0;
    if (envp) {
        size_t k = 0;
        for (size_t i = 0; i < ne; i++)
            if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) != 0) envp[k++] = environ[i];
        envp[k++] = "GIT_TERMINAL_PROMPT=0";
        spawned = posix_spawnp(&pid, "git", &fa, NULL, argv, envp) == 0;
        free(envp);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]), close(outp[1]);
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "url=%s\n%s%s%s\n", url, user ? "username=" : "",
                     user ? user : "", user ? "\n" : "");
    if (spawned && n > 0 && (size_t)n < sizeof buf && write(in[1], buf, (size_t)n) < 0) spawned = 0;
    close(in[1]);
    size_t got = 0;
    ssize_t k;
    while (spawned && got < sizeof buf - 1 &&
           (k = read(outp[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)k;
    close(outp[0]);
    buf[got] = '\0';
    int status = 0;
    if (spawned) waitpid(pid, &status, 0);
    char *u = NULL, *p = NULL, *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "username=", 9) == 0) u = line + 9;
        if (strncmp(line, "password=", 9) == 0) p = line + 9;
    }
    int rc = -1;
    if (spawned && WIFEXITED(status) && WEXITSTATUS(status) == 0 && u && p)
        rc = git_credential_userpass_plaintext_new(out, u, p);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

static int credentials(git_credential **out, const char *url, const char *user, unsigned allowed,
                       void *payload)
{
    gitr *g = payload;
    const char *who = user ? user : "git";
    if (g->cred_tries++ >= 2) { /* refused: not again and again */
        snprintf(g->auth_why, sizeof g->auth_why, "%s",
                 allowed & GIT_CREDENTIAL_SSH_KEY
                     ? "the server took no key that ssh-agent holds ('ssh-add' yours)"
                     : "the server refused the name and password git's credential helper gave");
        return GIT_EAUTH;
    }
    if (allowed & GIT_CREDENTIAL_SSH_KEY) {
        const char *sock = getenv("SSH_AUTH_SOCK");
        if (!sock || !*sock) {
            snprintf(g->auth_why, sizeof g->auth_why, "%s",
                     "no ssh-agent (SSH_AUTH_SOCK is not set): kura takes ssh keys only from "
                     "ssh-agent; start one and 'ssh-add' your key");
            return GIT_EAUTH;
        }
        return git_credential_ssh_key_from_agent(out, who);
    }
    if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
        if (helper_cred(out, url, user) == 0) return 0;
        snprintf(g->auth_why, sizeof g->auth_why, "%s",
                 "the server wants a password and git's credential helpers gave none (kura "
                 "never asks, nor reads one from the URL: see 'git help credential')");
        return GIT_EAUTH;
    }
    if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, who);
    return GIT_PASSTHROUGH;
}

/* An ssh host key must be in known_hosts (libgit2 1.5 would take any); https certificates
 * are left to libgit2, which checks them against the system's authorities. */
static int host_check(git_cert *cert, int valid, const char *host, void *payload)
{
    gitr *g = payload;
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
    (void)valid;
    const git_cert_hostkey *k = (const git_cert_hostkey *)cert;
    int raw = k->type & GIT_CERT_SSH_RAW;
    g->host_rc = kura_known_host(g->r.url, host, raw ? (int)k->raw_type : 0, raw ? k->hostkey : "",
                                 raw ? k->hostkey_len : 0);
    return g->host_rc == KURA_OK ? 0 : GIT_ECERTIFICATE;
}

static int push_status(const char *ref, const char *status, void *payload);

/* The callbacks of a fetch or push, and a clean slate for what they record. */
static void net_begin(gitr *g, git_remote_callbacks *cb)
{
    cb->credentials = credentials;
    cb->certificate_check = host_check;
    cb->push_update_reference = push_status;
    cb->payload = g;
    g->cred_tries = 0;
    g->host_rc = KURA_OK;
    g->auth_why[0] = '\0';
    g->rejected = 0;
}

/* A fetch or push that failed: the host key's refusal as said, else libgit2's reason. */
static int net_fail(gitr *g, const char *what)
{
    if (g->host_rc != KURA_OK) return g->host_rc;
    if (g->auth_why[0]) /* a credential was refused, or there was none to give */
        return kura_fail(KURA_ERR_UNREACHABLE, "%s %s: %s", what, g->r.url, g->auth_why);
    return git_fail(KURA_ERR_UNREACHABLE, what, g->r.url);
}

static int push_status(const char *ref, const char *status, void *payload)
{
    gitr *g = payload;
    (void)ref;
    if (status) {
        g->rejected = 1;
        snprintf(g->push_error, sizeof g->push_error, "%s", status);
    }
    return 0;
}

static void unstage(gitr *g)
{
    for (size_t i = 0; i < g->n_st; i++) {
        free(g->st[i].path);
        free(g->st[i].p);
    }
    g->n_st = 0;
}

static int git_begin(remote *r)
{
    gitr *g = (gitr *)r;
    unstage(g);
    git_tree_free(g->base);
    g->base = NULL;
    g->has_base = 0;
    git_fetch_options fo;
    git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
    net_begin(g, &fo.callbacks);
    fo.prune = GIT_FETCH_PRUNE;
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    char *spec = "+" BRANCH ":" REF_REMOTE;
    git_strarray specs = {&spec, 1};
    if (git_remote_fetch(g->origin, &specs, &fo, NULL) != 0)
        return net_fail(g, "cannot fetch from");
    git_reference *ref = NULL;
    int e = git_reference_lookup(&ref, g->repo, REF_REMOTE);
    if (e == GIT_ENOTFOUND) return KURA_OK; /* the branch is not there yet */
    git_commit *c = NULL;
    int rc = KURA_OK;
    if (e != 0 || git_commit_lookup(&c, g->repo, git_reference_target(ref)) != 0 ||
        git_commit_tree(&g->base, c) != 0)
        rc = git_fail(KURA_ERR_TAMPERED, "cannot read the branch kura of", r->url);
    if (rc == KURA_OK) {
        git_oid_cpy(&g->base_commit, git_commit_id(c));
        g->has_base = 1;
    }
    git_commit_free(c);
    git_reference_free(ref);
    return rc;
}

static staged *find_staged(gitr *g, const char *path)
{
    for (size_t i = g->n_st; i-- > 0;)
        if (strcmp(g->st[i].path, path) == 0) return &g->st[i];
    return NULL;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_name(char ***names, size_t *n, size_t *cap, const char *name, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*names)[i]) == len && strncmp((*names)[i], name, len) == 0) return KURA_OK;
    if (kura_grow(names, cap, *n, sizeof **names) != KURA_OK) return KURA_ERR_NOMEM;
    if (!((*names)[*n] = strndup(name, len))) return KURA_ERR_NOMEM;
    (*n)++;
    return KURA_OK;
}

static int git_list(remote *r, const char *dir, char ***names, size_t *n)
{
    gitr *g = (gitr *)r;
    size_t cap = 0, dl = strlen(dir);
    int rc = KURA_OK;
    *names = NULL;
    *n = 0;
    git_tree *t = NULL;
    if (g->base) {
        if (dl == 0) {
            git_tree_dup(&t, g->base);
        } else {
            git_tree_entry *e = NULL;
            if (git_tree_entry_bypath(&e, g->base, dir) == 0 &&
                git_tree_entry_type(e) == GIT_OBJECT_TREE)
                git_tree_lookup(&t, g->repo, git_tree_entry_id(e));
            git_tree_entry_free(e);
        }
    }
    for (size_t i = 0; t && rc == KURA_OK && i < git_tree_entrycount(t); i++) {
        const char *name = git_tree_entry_name(git_tree_entry_byindex(t, i));
        char full[512];
        snprintf(full, sizeof full, "%s%s%s", dir, dl ? "/" : "", name);
        staged *s = find_staged(g, full);
        if (s && !s->p) continue; /* removed */
        rc = add_name(names, n, &cap, name, strlen(name));
    }
    git_tree_free(t);
    for (size_t i = 0; rc == KURA_OK && i < g->n_st; i++) {
        const char *p = g->st[i].path;
        if (!g->st[i].p || (dl && (strncmp(p, dir, dl) != 0 || p[dl] != '/'))) continue;
        const char *rest = dl ? p + dl + 1 : p;
        const char *slash = strchr(rest, '/');
        rc = add_name(names, n, &cap, rest, slash ? (size_t)(slash - rest) : strlen(rest));
    }
    if (*n) qsort(*names, *n, sizeof **names, by_str);
    return rc;
}

static int git_read(remote *r, const char *path, kura_blob *out)
{
    gitr *g = (gitr *)r;
    out->p = NULL;
    out->n = 0;
    staged *s = find_staged(g, path);
    if (s) {
        if (!s->p) return KURA_ERR_NOT_FOUND;
        if (!(out->p = malloc(s->n ? s->n : 1))) return KURA_ERR_NOMEM;
        memcpy(out->p, s->p, s->n);
        out->n = s->n;
        return KURA_OK;
    }
    if (!g->base) return KURA_ERR_NOT_FOUND;
    git_tree_entry *e = NULL;
    if (git_tree_entry_bypath(&e, g->base, path) != 0) return KURA_ERR_NOT_FOUND;
    git_blob *b = NULL;
    int rc = KURA_OK;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
        git_blob_lookup(&b, g->repo, git_tree_entry_id(e)) != 0)
        rc = kura_fail(KURA_ERR_TAMPERED, "%s on the remote is not a file kura wrote", path);
    if (rc == KURA_OK) {
        out->n = (size_t)git_blob_rawsize(b);
        if (!(out->p = malloc(out->n ? out->n : 1)))
            rc = KURA_ERR_NOMEM;
        else
            memcpy(out->p, git_blob_rawcontent(b), out->n);
    }
    git_blob_free(b);
    git_tree_entry_free(e);
    return rc;
}

static int stage(gitr *g, const char *path, const void *p, size_t n)
{
    if (kura_grow(&g->st, &g->cap_st, g->n_st, sizeof *g->st) != KURA_OK) return KURA_ERR_NOMEM;
    staged *s = &g->st[g->n_st];
    s->path = strdup(path);
    s->p = p ? malloc(n ? n : 1) : NULL;
    s->n = n;
    if (!s->path || (p && !s->p)) {
        free(s->path), free(s->p);
        return KURA_ERR_NOMEM;
    }
    if (p) memcpy(s->p, p, n);
    g->n_st++;
    return KURA_OK;
}

static int git_write(remote *r, const char *path, const void *p, size_t n)
{
    return stage((gitr *)r, path, p, n);
}

static int git_remove(remote *r, const char *path)
{
    return stage((gitr *)r, path, NULL, 0);
}

/* The base tree with the staged changes, as a new tree in the cache repository. */
static int new_tree(gitr *g, git_oid *out)
{
    git_index *idx = NULL;
    int e = git_index_new(&idx);
    if (e == 0 && g->base) e = git_index_read_tree(idx, g->base);
    for (size_t i = 0; e == 0 && i < g->n_st; i++) {
        staged *s = &g->st[i];
        if (!s->p) {
            git_index_remove_bypath(idx, s->path);
            continue;
        }
        git_index_entry ent;
        memset(&ent, 0, sizeof ent);
        ent.mode = GIT_FILEMODE_BLOB;
        ent.path = s->path;
        ent.file_size = (uint32_t)s->n;
        e = git_blob_create_from_buffer(&ent.id, g->repo, s->p, s->n);
        if (e == 0) e = git_index_add(idx, &ent);
    }
    if (e == 0) e = git_index_write_tree_to(out, idx, g->repo);
    git_index_free(idx);
    return e;
}

/* A repository on this machine (a path): updated directly, the branch moved by compare and
 * swap under git's own lock file, since libgit2's local push does not refuse a push that
 * lost a race. Copies every object of the tree at root that the repository lacks. */
/* Copies object id if the repository lacks it: -1 on failure, 1 for a tree copied (whose
 * entries the caller walks), else 0. */
static int copy_object(git_odb *from, git_odb *to, const git_oid *id)
{
    if (git_odb_exists(to, id)) return 0;
    git_odb_object *o = NULL;
    git_oid out;
    int e = git_odb_read(&o, from, id);
    if (e == 0)
        e = git_odb_write(&out, to, git_odb_object_data(o), git_odb_object_size(o),
                          git_odb_object_type(o));
    int tree = e == 0 && git_odb_object_type(o) == GIT_OBJECT_TREE;
    git_odb_object_free(o);
    return e != 0 ? -1 : tree;
}

static int copy_objects(gitr *g, git_odb *from, git_odb *to, const git_oid *tree_id)
{
    int e = copy_object(from, to, tree_id);
    if (e <= 0) return e;
    git_tree *t = NULL;
    e = git_tree_lookup(&t, g->repo, tree_id);
    for (size_t i = 0; e == 0 && t && i < git_tree_entrycount(t); i++) {
        const git_tree_entry *ent = git_tree_entry_byindex(t, i);
        if (git_tree_entry_type(ent) == GIT_OBJECT_TREE)
            e = copy_objects(g, from, to, git_tree_entry_id(ent));
        else
            e = copy_object(from, to, git_tree_entry_id(ent)) < 0 ? -1 : 0;
    }
    git_tree_free(t);
    return e;
}

/* The remote's branch lock, if it is a minute old: left by a git process (kura's or git's)
 * killed while it moved the branch, which no retry gets past. Said with what to do. */
static int stale_branch_lock(gitr *g)
{
    char lock[4200];
    struct stat sb;
    snprintf(lock, sizeof lock, "%s/" BRANCH ".lock", g->r.url);
    if (stat(lock, &sb) != 0 || time(NULL) - sb.st_mtime < 60) return 0;
    kura_fail(KURA_ERR_UNREACHABLE,
              "%s is %lld minutes old: a git process was killed while it moved the branch; if "
              "nothing is writing to %s now, remove that file",
              lock, (long long)(time(NULL) - sb.st_mtime) / 60, g->r.url);
    return 1;
}

static int push_local(gitr *g, const git_oid *commit_id, const git_oid *tree_id, int *again)
{
    git_repository *there = NULL;
    git_odb *from = NULL, *to = NULL;
    git_reference *ref = NULL;
    int e = git_repository_open_bare(&there, g->r.url);
    if (e == 0) e = git_repository_odb(&from, g->repo);
    if (e == 0) e = git_repository_odb(&to, there);
    if (e == 0) e = copy_objects(g, from, to, tree_id);
    if (e == 0) e = copy_object(from, to, commit_id) < 0 ? -1 : 0;
    if (e == 0) {
        e = g->has_base ? git_reference_create_matching(&ref, there, BRANCH, commit_id, 1,
                                                        &g->base_commit, "kura sync")
                        : git_reference_create(&ref, there, BRANCH, commit_id, 0, "kura sync");
        int stale = e == GIT_ELOCKED && stale_branch_lock(g); /* said; e stays */
        if (!stale && (e == GIT_EMODIFIED || e == GIT_EEXISTS || e == GIT_ELOCKED))
            *again = 1, e = 0;
    }
    git_reference_free(ref);
    git_odb_free(from);
    git_odb_free(to);
    git_repository_free(there);
    return e;
}

static int is_local(const char *url)
{
    return !strstr(url, "://") && !strchr(url, '@');
}

static int git_finish(remote *r, int *again)
{
    gitr *g = (gitr *)r;
    *again = 0;
    if (g->n_st == 0) return KURA_OK;
    git_oid tree_id, commit_id;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    git_commit *parent = NULL;
    int rc = KURA_OK;
    if (new_tree(g, &tree_id) != 0 || git_tree_lookup(&tree, g->repo, &tree_id) != 0)
        rc = git_fail(KURA_ERR_IO, "cannot make a commit for", r->url);
    if (rc == KURA_OK && g->base && git_oid_equal(&tree_id, git_tree_id(g->base))) {
        git_tree_free(tree);
        unstage(g);
        return KURA_OK; /* nothing changed */
    }
    if (rc == KURA_OK && git_signature_new(&sig, "kura", "kura", 0, 0) != 0)
        rc = git_fail(KURA_ERR_NOMEM, "cannot make a commit for", r->url);
    if (rc == KURA_OK && g->has_base && git_commit_lookup(&parent, g->repo, &g->base_commit) != 0)
        rc = git_fail(KURA_ERR_IO, "cannot make a commit for", r->url);
    const git_commit *parents[1] = {parent};
    if (rc == KURA_OK && git_commit_create(&commit_id, g->repo, NULL, sig, sig, NULL, "kura sync",
                                           tree, parent ? 1 : 0, parents) != 0)
        rc = git_fail(KURA_ERR_IO, "cannot make a commit for", r->url);
    git_reference *ref = NULL;
    if (rc == KURA_OK &&
        git_reference_create(&ref, g->repo, REF_OUT, &commit_id, 1, "kura sync") != 0)
        rc = git_fail(KURA_ERR_IO, "cannot make a commit for", r->url);
    git_reference_free(ref);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    if (rc != KURA_OK) return rc;
    if (is_local(r->url)) {
        int e = push_local(g, &commit_id, &tree_id, again);
        if (e == GIT_ELOCKED) return KURA_ERR_UNREACHABLE; /* a stale lock: said */
        if (e != 0) return git_fail(KURA_ERR_UNREACHABLE, "cannot write to", r->url);
        if (!*again) unstage(g);
        return KURA_OK;
    }
    git_push_options po;
    git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
    net_begin(g, &po.callbacks);
    char *spec = REF_OUT ":" BRANCH; /* no '+': never forced */
    git_strarray specs = {&spec, 1};
    int e = git_remote_push(g->origin, &specs, &po);
    if (e != 0 && g->host_rc != KURA_OK) return g->host_rc;
    if (e != 0) {
        const git_error *err = git_error_last();
        const char *m = err && err->message ? err->message : "";
        /* Someone pushed first: the caller reads again and retries. */
        if (e == GIT_ENONFASTFORWARD || e == GIT_ELOCKED || strstr(m, "fast-forward") ||
            strstr(m, "fetch first") || strstr(m, "not present locally") || strstr(m, "lock")) {
            *again = 1;
            return KURA_OK;
        }
        return net_fail(g, "cannot push to");
    }
    if (g->rejected) {
        *again = 1;
        return KURA_OK;
    }
    unstage(g);
    return KURA_OK;
}

static int git_wipe(remote *r, const char *dir, const char *record, const void *p, size_t n)
{
    gitr *g = (gitr *)r;
    git_index *idx = NULL;
    git_oid tree_id, commit_id;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    git_index_entry ent;
    int e = git_index_new(&idx);
    if (e == 0 && g->base) e = git_index_read_tree(idx, g->base);
    if (e == 0) git_index_remove_directory(idx, dir, 0);
    memset(&ent, 0, sizeof ent);
    ent.mode = GIT_FILEMODE_BLOB;
    ent.path = record;
    ent.file_size = (uint32_t)n;
    if (e == 0) e = git_blob_create_from_buffer(&ent.id, g->repo, p, n);
    if (e == 0) e = git_index_add(idx, &ent);
    if (e == 0) e = git_index_write_tree_to(&tree_id, idx, g->repo);
    if (e == 0) e = git_tree_lookup(&tree, g->repo, &tree_id);
    if (e == 0) e = git_signature_new(&sig, "kura", "kura", 0, 0);
    /* No parent: the old history is no longer the branch's. */
    if (e == 0)
        e = git_commit_create(&commit_id, g->repo, NULL, sig, sig, NULL, "kura reset", tree, 0,
                              NULL);
    git_reference *ref = NULL;
    if (e == 0) e = git_reference_create(&ref, g->repo, REF_OUT, &commit_id, 1, "kura reset");
    git_reference_free(ref);
    git_signature_free(sig);
    git_tree_free(tree);
    git_index_free(idx);
    if (e != 0) return git_fail(KURA_ERR_IO, "cannot make the reset commit for", r->url);
    git_push_options po;
    git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
    net_begin(g, &po.callbacks);
    char *spec = "+" REF_OUT ":" BRANCH; /* forced: the one push that replaces history */
    git_strarray specs = {&spec, 1};
    if (git_remote_push(g->origin, &specs, &po) != 0 || g->rejected)
        return net_fail(g, "cannot push the reset to");
    return KURA_OK;
}

static void git_close(remote *r)
{
    gitr *g = (gitr *)r;
    unstage(g);
    free(g->st);
    git_tree_free(g->base);
    git_remote_free(g->origin);
    git_repository_free(g->repo);
    if (g->lock_fd >= 0) close(g->lock_fd); /* and the flock with it */
    free(g->r.url);
    free(g);
    git_libgit2_shutdown();
}

/* Removes every "*.lock" file under dir: what libgit2 leaves when a sync is killed while it
 * updates a reference of the local copy. Only with the copy's flock held, so none is live. */
static void remove_stale_locks(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[4400];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub) continue;
        size_t n = strlen(e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) != 0) continue;
        if (S_ISREG(sb.st_mode) && n > 5 && strcmp(e->d_name + n - 5, ".lock") == 0)
            unlink(sub);
        else if (S_ISDIR(sb.st_mode) && depth < 8 && strcmp(e->d_name, "objects") != 0)
            remove_stale_locks(sub, depth + 1);
    }
    closedir(d);
}

/* The local copy's lock: another kura syncing through the same URL on this device (a sync
 * = auto child, a second terminal) is waited for, up to 30 s. */
static int lock_copy(gitr *g, const char *path)
{
    char lock[4300];
    snprintf(lock, sizeof lock, "%s.lock", path);
    g->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (g->lock_fd < 0) return kura_fail(KURA_ERR_IO, "cannot open %s: %s", lock, strerror(errno));
    for (int i = 0; i < 600; i++) {
        if (flock(g->lock_fd, LOCK_EX | LOCK_NB) == 0) {
            remove_stale_locks(path, 0);
            return KURA_OK;
        }
        if (errno != EWOULDBLOCK && errno != EINTR)
            return kura_fail(KURA_ERR_IO, "cannot lock %s: %s", lock, strerror(errno));
        usleep(50 * 1000);
    }
    return kura_fail(KURA_ERR_UNREACHABLE,
                     "another kura on this device has been syncing through %s for 30 s; try "
                     "again when it is done",
                     g->r.url);
}

static const remote_ops git_ops = {git_begin,  git_list,   git_read,  git_write,
                                   git_remove, git_finish, git_close, git_wipe};

static int git_open(remote **out, const char *url, const char *cache)
{
    *out = NULL;
    git_libgit2_init();
    /* A private certificate authority for https, named as git itself takes it. */
    const char *ca = getenv("GIT_SSL_CAINFO");
    if (ca && *ca) git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca, NULL);
    gitr *g = calloc(1, sizeof *g);
    if (!g) return KURA_ERR_NOMEM;
    g->r.ops = &git_ops;
    g->lock_fd = -1;
    if (!(g->r.url = strdup(url))) {
        git_close(&g->r);
        return KURA_ERR_NOMEM;
    }
    /* The local copy: one bare repository per URL. */
    unsigned char h[16];
    char hex[33], path[4200];
    crypto_generichash(h, sizeof h, (const unsigned char *)url, strlen(url), NULL, 0);
    kura_hex(hex, h, sizeof h);
    int rc = kura_mkdir_private(cache);
    if (rc != KURA_OK) {
        git_close(&g->r);
        return kura_fail(KURA_ERR_IO, "cannot make the cache folder %s: %s", cache,
                         strerror(errno));
    }
    snprintf(path, sizeof path, "%s/%s.git", cache, hex);
    rc = lock_copy(g, path);
    if (rc != KURA_OK) {
        git_close(&g->r);
        return rc;
    }
    if (git_repository_open_bare(&g->repo, path) != 0 &&
        git_repository_init(&g->repo, path, 1) != 0) {
        rc = git_fail(KURA_ERR_IO, "cannot make a local copy of", url);
        git_close(&g->r);
        return rc;
    }
    if (git_remote_create_anonymous(&g->origin, g->repo, url) != 0) {
        rc = git_fail(KURA_ERR_UNREACHABLE, "cannot use the remote", url);
        git_close(&g->r);
        return rc;
    }
    *out = &g->r;
    return KURA_OK;
}

const kura_git_api kura_git_module_api = {
    .version = KURA_GIT_API_VERSION,
    .open = git_open,
    .detail = kura_error_detail,
};
