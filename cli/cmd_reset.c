/* kura reset: the last resort, run with support when no key, kit or device is left. Destroys
 * the vault (whatever state it is in), makes a new empty one with a new key and kit, and
 * prints a receipt with no secret in it. Asks for the vault's short id first. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

typedef struct reset_args {
    const char *confirm, *name, *remote;
    kit_opts kit;
} reset_args;

static const opt_row reset_rows[] = {
    OPT_STRING("confirm", reset_args, confirm, "WORD",
               "the vault's short id (the first 8 symbols of its id), or DELETE when the file "
               "cannot be read as a vault: for scripts"),
    OPT_STRING("name", reset_args, name, "NAME", "a name for the new vault"),
    OPT_STRING("remote", reset_args, remote, "URL",
               "reset the vault a remote holds, with no vault file and no key: its files there "
               "destroyed, a reset record left for its other devices (nothing here is touched)"),
    KIT_ROWS_NEW_VAULT(reset_args, kit),
    OPT_END(),
};

/* The word that confirms: the short id, or DELETE when no id can be read. */
static int confirmed(const char *confirm, const kura_reset_report *r, const char *word,
                     const char *path)
{
    if (confirm) {
        int ok =
            strcasecmp(confirm, word) == 0 || (r->old_id[0] && strcasecmp(confirm, r->old_id) == 0);
        if (!ok)
            return fail(EX_CANCELLED, "--confirm %s does not match %s; nothing was destroyed",
                        confirm, r->old_id[0] ? "the vault's short id" : "the word DELETE");
        return EX_OK;
    }
    char prompt[200];
    if (r->old_id[0])
        snprintf(prompt, sizeof prompt, "Type the vault's short id (%s) to destroy it: ", word);
    else
        snprintf(prompt, sizeof prompt, "Type DELETE to destroy it: ");
    int fd = tty_open();
    if (fd < 0)
        return fail(EX_CANCELLED,
                    "not reset: no terminal to confirm on; a script confirms with --confirm "
                    "(see 'kura help reset'); nothing was destroyed");
    close(fd);
    if (r->old_id[0])
        note("kura reset destroys vault %s at %s and its %lld item%s, forever. Nobody can undo "
             "it: not you, not support. A new empty vault with a new client key takes its place.",
             r->old_id, path, r->items, r->items == 1 ? "" : "s");
    else
        note("kura reset destroys %s, which kura cannot read as a vault (damaged or not a vault), "
             "forever. A new empty vault with a new client key takes its place.",
             path);
    char *line = tty_ask(prompt);
    int ok = line && strcasecmp(line, word) == 0;
    secret_free(line);
    return ok ? EX_OK
              : fail(EX_CANCELLED, "not reset: the confirmation did not match; nothing "
                                   "was destroyed");
}

/* Says which ways into the vault are left, and the gentler paths they open. */
static void warn_ways(const ways *w, const char *id)
{
    char kit[4200] = "";
    if (!w->session && !w->enrolled && w->opening < 0 && !w->share_opens) return;
    if (w->opening >= 0)
        snprintf(kit, sizeof kit, "%sthe kit %s opens it", w->session || w->enrolled ? "; " : "",
                 w->paths[w->opening]);
    else if (w->share_opens)
        snprintf(kit, sizeof kit, "%s%zu shares of a split kit, found here, open it together",
                 w->session || w->enrolled ? "; " : "", w->share_count);
    note("kura: warning: a way into vault %.8s is left: %s%s%s%s. Nothing needs a reset: 'kura key "
         "show' shows "
         "the client key, 'kura kit' saves a new kit, 'kura export --encrypted FILE' keeps every "
         "item",
         id, w->session ? "this shell's session is open" : "",
         w->session && w->enrolled ? "; " : "", w->enrolled ? "this device is enrolled" : "", kit);
}

/* The folder of path, and path itself, can be written: checked before a new key is made. */
static int writable(const char *real)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", real);
    char *slash = strrchr(dir, '/');
    if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
    if (access(slash ? dir : ".", W_OK | X_OK) != 0)
        return fail(EX_FAIL, "cannot write in %s (%s); nothing was destroyed", slash ? dir : ".",
                    strerror(errno));
    if (access(real, W_OK) != 0)
        return fail(EX_FAIL, "cannot write %s (%s); nothing was destroyed", real, strerror(errno));
    return EX_OK;
}

/* kura reset --remote URL: support's reset of what a remote holds, no key needed. */
static int reset_remote(ctx *c, const reset_args *a)
{
    char id[KURA_VAULT_ID_TEXT + 1], word[16], when[32];
    size_t files;
    int rc = kura_remote_peek(a->remote, NULL, id, &files);
    if (rc == KURA_ERR_NOT_FOUND) return fail(EX_NOT_FOUND, "%s", kura_error_detail());
    if (rc != KURA_OK) return fail(exit_code(rc), "%s; nothing was destroyed", kura_error_detail());
    snprintf(word, sizeof word, "%.8s", id);
    if (a->confirm) {
        if (strcasecmp(a->confirm, word) != 0 && strcasecmp(a->confirm, id) != 0)
            return fail(EX_CANCELLED,
                        "--confirm %s does not match the short id of vault %s on %s; nothing "
                        "was destroyed",
                        a->confirm, id, a->remote);
    } else {
        int fd = tty_open();
        if (fd < 0)
            return fail(EX_CANCELLED, "not reset: no terminal to confirm on; a script confirms "
                                      "with --confirm SHORTID; nothing was destroyed");
        close(fd);
        note("kura reset --remote destroys vault %s's %zu file%s on %s, forever. Devices that "
             "still hold a copy keep it, and stop syncing it.",
             id, files, files == 1 ? "" : "s", a->remote);
        char prompt[120];
        snprintf(prompt, sizeof prompt, "Type the vault's short id (%s) to destroy it: ", word);
        char *line = tty_ask(prompt);
        int ok = line && strcasecmp(line, word) == 0;
        secret_free(line);
        if (!ok)
            return fail(EX_CANCELLED, "not reset: the confirmation did not match; nothing "
                                      "was destroyed");
    }
    rc = kura_remote_reset(a->remote, NULL, id, NULL, &files);
    if (rc != KURA_OK) return fail(EX_FAIL, "%s; run the reset again", kura_error_detail());
    format_time(when, (int64_t)time(NULL));
    if (c->json)
        json_print(json_pack("{s:s, s:s, s:s, s:I, s:b}", "time", when, "remote", a->remote,
                             "old_vault_id", id, "files_destroyed", (json_int_t)files,
                             "reset_record", 1));
    else
        printf("Reset receipt\n"
               "  time:             %s\n"
               "  remote:           %s\n"
               "  old vault:        %s\n"
               "  files destroyed:  %zu\n"
               "  left:             a reset record, so its devices stop syncing it\n"
               "'kura init' makes a new vault, and 'kura remote add %s' syncs it there.\n",
               when, a->remote, id, files, a->remote);
    return EX_OK;
}

/* After a local reset: each remote this device synced the old vault through is reset too. */
static int reset_noted_remotes(ctx *c, const char *old_id, const char *new_id, char *urls)
{
    int ex = EX_OK, n_added = 0;
    char *save = NULL;
    for (char *url = urls ? strtok_r(urls, "\n", &save) : NULL; url;
         url = strtok_r(NULL, "\n", &save)) {
        size_t files;
        int rc = kura_remote_reset(url, NULL, old_id, new_id, &files);
        if (rc == KURA_OK) {
            /* The new vault syncs through it from now on. */
            char name[32];
            snprintf(name, sizeof name, "%s%.0d", "origin", n_added ? n_added + 1 : 0);
            if (kura_remote_add(c->v, name, url) == KURA_OK) n_added++;
            if (!c->json)
                printf("  remote:           %s: %zu file%s destroyed, a reset record left; the "
                       "new vault syncs through it ('kura sync')\n",
                       url, files, files == 1 ? "" : "s");
        } else {
            ex = fail(EX_FAIL, "the remote %s was not reset (%s); run 'kura reset --remote %s'",
                      url, kura_error_detail(), url);
        }
    }
    return ex;
}

static int reset_exec(ctx *c, void *args, int argc, char **argv)
{
    const reset_args *a = args;
    (void)argc, (void)argv;
    if (a->remote) return reset_remote(c, a);
    char *urls = NULL;
    char real[PATH_MAX], kitdir[PATH_MAX], word[16], when[32], paths[2][4096], what[64];
    kura_reset_report r;
    ways w = {.opening = -1};

    /* Only kura's own files are ever destroyed: anything else is left byte for byte. */
    switch (kura_reset_target(c->vault_path, what, sizeof what)) {
    case KURA_TARGET_MISSING:
        return fail(EX_NOT_FOUND, "no vault at %s; nothing to reset ('kura init' makes one)",
                    c->vault_path);
    case KURA_TARGET_NOT_FILE:
        return fail(EX_FAIL,
                    "%s is %s, not a kura vault; reset destroys only kura vaults, so "
                    "nothing was changed",
                    c->vault_path, what);
    case KURA_TARGET_FOREIGN:
        return fail(EX_NOT_FOUND,
                    "%s is %s, not a kura vault; reset destroys only kura vaults, "
                    "so it was left as it was",
                    c->vault_path, what);
    }
    if (!realpath(c->vault_path, real)) snprintf(real, sizeof real, "%s", c->vault_path);
    int ex = a->kit.none ? EX_OK : kit_folder(&a->kit, kitdir);
    if (ex == EX_OK) ex = writable(real);
    if (ex != EX_OK) return ex;
    kura_reset_inspect(&r, real);
    if (r.old_id[0] && kura_vault_open(&c->v, real) == KURA_OK) {
        ex = ways_find(c, &w);
        if (ex == EX_OK) warn_ways(&w, r.old_id);
    }
    kura_vault_close(c->v);
    c->v = NULL;
    snprintf(word, sizeof word, "%.8s", r.old_id[0] ? r.old_id : "DELETE");
    if (ex == EX_OK) ex = confirmed(a->confirm, &r, word, c->vault_path);
    if (ex != EX_OK) {
        ways_free(&w);
        return ex;
    }

    /* The new vault is made beside the old one and its key shown (and kit saved) first; one
     * rename then puts it in place and the old file is destroyed: a crash at any moment
     * leaves either the old vault or the new one, whose key the user already has. */
    char fresh[PATH_MAX];
    kura_client_key *key = NULL;
    char *text = NULL;
    int rc = kura_reset_fresh_path(fresh, sizeof fresh, real);
    if (rc != KURA_OK) {
        ex = fail(EX_FAIL, "cannot clear %s.reset, left by an earlier reset: %s", real,
                  strerror(errno));
        goto out;
    }
    key = sodium_malloc(sizeof *key);
    text = sodium_malloc(KURA_KEY_TEXT_LEN + 1);
    if (!key || !text) {
        ex = fail(EX_FAIL, "out of memory; nothing was destroyed");
        goto out;
    }
    rc = kura_vault_create(&c->v, key, fresh, a->name);
    if (rc != KURA_OK) {
        ex = fail(EX_FAIL, "cannot make the new vault at %s: %s; nothing was destroyed", fresh,
                  kura_error_detail());
        goto out;
    }
    kura_key_format(text, key);
    int kit_ex = a->kit.none ? EX_OK : save_kit(c, &a->kit, key, NULL, paths, NULL);
    int have_kit = !a->kit.none && kit_ex == EX_OK;
    if (!c->json) {
        printf("The new vault's client key (shown only now: write it down):\n\n    %s\n\n", text);
        if (have_kit)
            printf("Saved its emergency kit:\n  %s\n  %s\n" KIT_DOORMAT "\n", paths[0], paths[1]);
        fflush(stdout);
    }
    if (r.old_id[0] && kura_remotes_noted(&urls, c->state_dir, r.old_id) != KURA_OK) urls = NULL;
    rc = kura_reset_replace(&r, fresh, real, c->device_dir, c->state_dir, c->runtime_dir);
    if (rc == KURA_ERR_INVALID) { /* changed under us since it was checked */
        if (kura_reset_fresh_path(fresh, sizeof fresh, real) != KURA_OK)
            note("%s.reset is left behind; remove it", real);
        ex = fail(EX_FAIL,
                  "%s is no longer a file; nothing was destroyed, and the key shown "
                  "above opens nothing",
                  c->vault_path);
        goto out;
    }
    if (rc != KURA_OK && access(fresh, F_OK) == 0) { /* the rename failed: nothing moved */
        int err = errno;
        if (kura_reset_fresh_path(fresh, sizeof fresh, real) != KURA_OK)
            note("%s.reset is left behind; remove it", real);
        ex = fail(EX_FAIL,
                  "cannot put the new vault in place of %s (%s); nothing was destroyed, "
                  "and the key shown above opens nothing",
                  c->vault_path, strerror(err));
        goto out;
    }
    if (rc != KURA_OK) {
        ex = fail(EX_FAIL, "could not destroy all of %s: %s; run the reset again", c->vault_path,
                  strerror(errno));
        goto out;
    }
    format_time(when, (int64_t)time(NULL));
    if (c->json) {
        json_t *kit = kit_json(have_kit, paths);
        json_t *receipt =
            json_pack("{s:s, s:s?, s:s, s:o, s:I, s:b, s:I}", "time", when, "old_vault_id",
                      r.old_id[0] ? r.old_id : NULL, "new_vault_id", kura_vault_id(c->v),
                      "items_destroyed", r.items >= 0 ? json_integer(r.items) : json_null(),
                      "files_destroyed", (json_int_t)r.files, "device_slot_removed", r.device_slot,
                      "sessions_ended", (json_int_t)r.sessions);
        json_print(json_pack("{s:o, s:s, s:s, s:s, s:o, s:o}", "receipt", receipt, "vault_id",
                             kura_vault_id(c->v), "client_key", text, "path", c->vault_path, "kit",
                             kit, "ways_in", ways_json(&w)));
        ex = kit_ex;
        if (urls) {
            int rex = reset_noted_remotes(c, r.old_id, kura_vault_id(c->v), urls);
            if (ex == EX_OK) ex = rex;
        }
        goto out;
    }
    char items[32];
    if (r.items >= 0) snprintf(items, sizeof items, "%lld", r.items);
    printf("Reset receipt\n"
           "  time:             %s\n"
           "  old vault:        %s\n"
           "  items destroyed:  %s\n"
           "  files destroyed:  %zu (the old vault file%s, overwritten with zeros)\n"
           "  this device:      %s; %zu session%s ended\n"
           "  new vault:        %s\n",
           when, r.old_id[0] ? r.old_id : "(unreadable)", r.items >= 0 ? items : "(unknown)",
           r.files, r.files > 1 ? " and its journal" : "",
           r.device_slot ? "its slot removed" : "no slot", r.sessions, r.sessions == 1 ? "" : "s",
           kura_vault_id(c->v));
    ex = kit_ex;
    if (urls) {
        int rex = reset_noted_remotes(c, r.old_id, kura_vault_id(c->v), urls);
        if (ex == EX_OK) ex = rex;
    }
out:
    free(urls);
    ways_free(&w);
    sodium_free(key);
    sodium_free(text);
    return ex;
}

const cmd cmd_reset = {
    .name = "reset",
    .summary = "the last resort: destroy the vault and make a new empty one, new key and kit",
    .rows = reset_rows,
    .args_size = sizeof(reset_args),
    .exec = reset_exec,
};
