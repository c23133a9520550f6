/* kura remote, kura sync, kura clone: one vault on every device, through a git repository or
 * a folder another engine carries (kura/sync.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define KEY_TEXT_MAX 1024

static int cloning; /* kura clone: a key from before a rotation needs the new kit */

/* A sync or clone failure: the library's detail and the exit code (a remote's files that do not
 * check out are exit 6, as a damaged vault; an unreachable remote exit 1). */
static int fail_sync(ctx *c, int rc, const char *doing)
{
    const char *detail = kura_error_detail();
    switch (rc) {
    case KURA_ERR_UNREACHABLE:
        return fail(EX_FAIL, "%s; nothing was changed here", detail);
    case KURA_ERR_TAMPERED:
    case KURA_ERR_ROLLED_BACK:
    case KURA_ERR_FORK:
        return fail(EX_DAMAGED, "%s", detail);
    case KURA_ERR_ROTATED:
        return fail(EX_WRONG_KEY, "%s; %s", detail,
                    cloning ? "clone with the new client key (the new kit's)"
                            : "'kura sync' asks for the new client key (the new kit's), or "
                              "give it with --new-key-file");
    case KURA_ERR_RESET:
        return fail(EX_NOT_FOUND,
                    "%s; to move its items into the new vault: 'kura export --encrypted FILE' "
                    "here, then 'kura clone URL' and 'kura import FILE'; or remove it with "
                    "'kura reset'",
                    detail);
    case KURA_ERR_NOT_FOUND:
    case KURA_ERR_INVALID:
    case KURA_ERR_EXISTS:
    case KURA_ERR_BUSY:
        return fail(exit_code(rc), "%s", detail);
    default:
        return fail_vault(c, rc, doing);
    }
}

/* ---- kura remote ---- */

enum { REMOTE_ADD = 1, REMOTE_RM };
typedef struct remote_args {
    int sub;
} remote_args;

static const opt_row remote_rows[] = {
    OPT_SUBCOMMAND("add", remote_args, sub, REMOTE_ADD, "[NAME] URL", 1, 2,
                   "sync this vault through URL (NAME: origin if not given): a git repository "
                   "(a bare repository's path, ssh://, https://, git://) or a folder another "
                   "engine carries (a path or file://)"),
    OPT_SUBCOMMAND("rm", remote_args, sub, REMOTE_RM, "NAME", 1, 1,
                   "stop syncing through remote NAME (nothing on it is touched)"),
    OPT_END(),
};

static void hex8(char out[9], const unsigned char *d)
{
    char hex[2 * KURA_DEVICE_ID_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, d, KURA_DEVICE_ID_BYTES);
    memcpy(out, hex, 8);
    out[8] = '\0';
}

static int remote_list(ctx *c)
{
    kura_remotes *r;
    int rc = kura_remote_list(c->v, &r);
    if (rc != KURA_OK) return fail_vault(c, rc, "read the remotes");
    if (c->json) {
        json_t *rs = json_array(), *ds = json_array();
        for (size_t i = 0; i < r->count; i++)
            json_array_append_new(
                rs, json_pack("{s:s, s:s}", "name", r->remotes[i].name, "url", r->remotes[i].url));
        for (size_t i = 0; i < r->n_peers; i++) {
            char id[9], when[32];
            hex8(id, r->peers[i].device);
            format_time(when, r->peers[i].last_write);
            json_array_append_new(ds, json_pack("{s:s, s:s, s:b, s:I, s:s?}", "device", id, "name",
                                                r->peers[i].name, "this_device",
                                                r->peers[i].this_device, "files",
                                                (json_int_t)r->peers[i].seq, "last_write",
                                                r->peers[i].last_write ? when : NULL));
        }
        json_print(json_pack("{s:o, s:o}", "remotes", rs, "devices", ds));
        kura_remotes_free(r);
        return EX_OK;
    }
    if (r->count == 0)
        printf("vault %s has no remote: 'kura remote add URL' syncs it through a git repository "
               "or a synced folder\n",
               kura_vault_id(c->v));
    for (size_t i = 0; i < r->count; i++)
        printf("%-10s %s\n", r->remotes[i].name, r->remotes[i].url);
    if (r->n_peers > 1 || (r->n_peers == 1 && r->peers[0].seq)) {
        printf("devices, as of this device's last sync:\n");
        for (size_t i = 0; i < r->n_peers; i++) {
            const kura_peer *p = &r->peers[i];
            char id[9], when[32];
            hex8(id, p->device);
            format_time(when, p->last_write);
            if (p->this_device)
                printf("  %s  %-20s  wrote %llu file%s\n", id, "(this device)",
                       (unsigned long long)p->seq, p->seq == 1 ? "" : "s");
            else {
                printf("  %s  ", id);
                print_escaped(p->name[0] ? p->name : "?", 0);
                printf("%*s  last wrote %s\n",
                       (int)(strlen(p->name) < 20 ? 20 - strlen(p->name) : 0), "", when);
            }
        }
    }
    kura_remotes_free(r);
    return EX_OK;
}

static int remote_exec(ctx *c, void *args, int argc, char **argv)
{
    const remote_args *a = args;
    int rc;
    if (a->sub == REMOTE_ADD) {
        const char *name = argc == 2 ? argv[0] : "origin", *url = argv[argc - 1];
        rc = kura_remote_add(c->v, name, url);
        if (rc != KURA_OK) return fail_sync(c, rc, "add the remote");
        if (c->json)
            json_print(json_pack("{s:s, s:s}", "name", name, "url", url));
        else
            printf("vault %s syncs through %s (%s): 'kura sync' now\n", kura_vault_id(c->v), name,
                   url);
        return EX_OK;
    }
    if (a->sub == REMOTE_RM) {
        rc = kura_remote_remove(c->v, argv[0]);
        if (rc != KURA_OK) return fail_sync(c, rc, "remove the remote");
        if (c->json)
            json_print(json_pack("{s:s, s:b}", "name", argv[0], "removed", 1));
        else
            printf("vault %s no longer syncs through %s (what it holds is left as it is)\n",
                   kura_vault_id(c->v), argv[0]);
        return EX_OK;
    }
    return remote_list(c);
}

const cmd cmd_remote = {
    .name = "remote",
    .summary = "list, add or remove the remotes this vault syncs through",
    .more = "The list shows every device seen on the remote and when it last wrote there, as "
            "of this device's last sync: a remote can hold back a device's new files, and this "
            "is where that shows.",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_BARE,
    .rows = remote_rows,
    .args_size = sizeof(remote_args),
    .exec = remote_exec,
};

/* ---- a client key from a file or the terminal ---- */

/* Reads a client key into key: from file (if set) or typed at prompt. attempt: 0 the first
 * time (no terminal then is exit 8, with no_tty). An exit code, the message printed. */
static int read_key(kura_client_key *key, const char *file, const char *prompt, int attempt,
                    const char *no_tty, const char *vault_id)
{
    char *text = NULL, source[300] = "you typed";
    int ex = EX_OK, typed = 0;
    if (file && *file) {
        ex = read_secret_file(&text, file, "client key", KEY_TEXT_MAX);
        snprintf(source, sizeof source, "in %s", strcmp(file, "-") ? file : "standard input");
    } else {
        text = tty_secret(prompt);
        if (!text) ex = attempt ? EX_CANCELLED : fail(EX_LOCKED, "%s", no_tty);
        typed = 1;
    }
    if (ex == EX_OK && shares_typed(text)) { /* shares of a split kit, a line each */
        unsigned gen;
        if (typed) ex = ask_more_shares(&text, vault_id);
        if (ex == EX_OK) ex = key_from_typed_shares(key, vault_id, text, source, &gen);
        secret_free(text);
        return ex;
    }
    if (ex == EX_OK) {
        size_t bad = 0;
        int rc = kura_key_parse(key, &bad, text, strlen(text));
        if (rc != KURA_OK) ex = key_parse_error(rc, text, bad, source);
    }
    secret_free(text);
    return ex;
}

/* ---- kura sync ---- */

typedef struct sync_args {
    const char *remote;
    const char *new_key_file;
} sync_args;

static const opt_row sync_rows[] = {
    OPT_STRING("remote", sync_args, remote, "NAME",
               "the remote to sync with, if there are several"),
    OPT_STRING("new-key-file", sync_args, new_key_file, "FILE",
               "after another device rotated the key: the new client key (the new kit's), "
               "from FILE (- for stdin); asked on a terminal otherwise"),
    OPT_END(),
};

/* Prints what a sync did, or why it failed (rc its result). */
static int report_sync(ctx *c, int rc, kura_sync_report *rep)
{
    if (rc != KURA_OK) {
        kura_sync_report_free(rep);
        return fail_sync(c, rc, "sync");
    }
    json_t *conflicts = json_array();
    char first[KURA_MAX_SHORT + 1] = "";
    for (size_t i = 0; i < rep->conflicts; i++) {
        kura_item *it = NULL;
        const char *title = "";
        if (kura_item_get(c->v, &it, rep->conflict_ids[i]) == KURA_OK && it->title)
            title = it->title;
        if (i == 0) snprintf(first, sizeof first, "%s", title);
        json_array_append_new(conflicts,
                              json_pack("{s:s, s:s}", "id", rep->conflict_ids[i], "title", title));
        kura_item_free(it);
    }
    if (c->json) {
        json_print(json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I}", "in",
                             (json_int_t)rep->in, "devices", (json_int_t)rep->in_devices, "changed",
                             (json_int_t)rep->changed, "out", (json_int_t)rep->out, "behind",
                             (json_int_t)rep->behind, "conflicts", conflicts, "files_in",
                             (json_int_t)rep->files_in, "files_out", (json_int_t)rep->files_out,
                             "files_waiting", (json_int_t)rep->files_waiting));
    } else {
        json_decref(conflicts);
        printf("%zu change%s in from %zu device%s, %zu out", rep->in, rep->in == 1 ? "" : "s",
               rep->in_devices, rep->in_devices == 1 ? "" : "s", rep->out);
        if (rep->files_in || rep->files_out)
            printf("; attachments: %zu in, %zu out", rep->files_in, rep->files_out);
        if (rep->conflicts) {
            printf("; %zu conflict%s: \"", rep->conflicts, rep->conflicts == 1 ? "" : "s");
            print_escaped(first, 0);
            printf("\"%s, both versions kept, see 'kura history ",
                   rep->conflicts > 1 ? " and more" : "");
            print_escaped(first, 0);
            printf("'");
        }
        printf("\n");
        if (rep->files_waiting)
            note("kura: %zu attachment%s not on the remote yet (the device that added %s has "
                 "not sent %s, or %s still on its way): the next sync fetches %s",
                 rep->files_waiting, rep->files_waiting == 1 ? " is" : "s are",
                 rep->files_waiting == 1 ? "it" : "them", rep->files_waiting == 1 ? "it" : "them",
                 rep->files_waiting == 1 ? "it is" : "they are",
                 rep->files_waiting == 1 ? "it" : "them");
        if (rep->behind)
            note("kura: %zu device%s not caught up with a rotation of the key yet: what %s "
                 "wrote comes in once %s synced with the new key",
                 rep->behind, rep->behind == 1 ? " has" : "s have",
                 rep->behind == 1 ? "it" : "they", rep->behind == 1 ? "it has" : "they have");
    }
    kura_sync_report_free(rep);
    return EX_OK;
}

/* Syncs c->v and prints what happened. */
static int run_sync(ctx *c, const char *remote)
{
    kura_sync_report rep;
    kura_sync_opts o = {.remote = remote, .device_name = c->settings.device_name};
    int rc = kura_sync(c->v, &o, &rep);
    return report_sync(c, rc, &rep);
}

/* Another device rotated the key: take the new one (its client key typed or from a file),
 * keeping what changed here. */
static int adopt(ctx *c, const sync_args *a)
{
    if (!a->new_key_file) {
        int fd = tty_open();
        if (fd < 0)
            return fail(EX_LOCKED,
                        "%s; give the new client key (the new kit's) with --new-key-file",
                        kura_error_detail());
        close(fd);
        note("kura: %s", kura_error_detail());
    }
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    char prompt[160];
    snprintf(prompt, sizeof prompt,
             "New client key of vault %.8s (from the new kit): ", kura_vault_id(c->v));
    int ex = EX_FAIL, tries = a->new_key_file ? 1 : 3;
    for (int attempt = 0; attempt < tries; attempt++) {
        ex = read_key(key, a->new_key_file, prompt, attempt,
                      "no terminal to ask for the new client key; pass --new-key-file",
                      kura_vault_id(c->v));
        if (ex == EX_OK) {
            kura_sync_opts o = {.remote = a->remote};
            int rc = kura_sync_adopt(c->v, &o, key);
            if (rc == KURA_ERR_WRONG_KEY || rc == KURA_ERR_INVALID)
                ex = fail(rc == KURA_ERR_INVALID ? EX_USAGE : EX_WRONG_KEY, "%s",
                          kura_error_detail());
            else if (rc != KURA_OK)
                ex = fail_sync(c, rc, "take the new key");
        }
        if (ex == EX_OK || tries == 1 || (ex != EX_BAD_KEY && ex != EX_WRONG_KEY)) break;
        if (attempt < 2) note("try again (%d of 3)", attempt + 2);
    }
    sodium_free(key);
    if (ex == EX_OK && !c->json)
        printf("vault %s now has the new key: old kits, sessions and device enrollments no "
               "longer open it ('kura device enroll' again)\n",
               kura_vault_id(c->v));
    return ex;
}

static int sync_exec(ctx *c, void *args, int argc, char **argv)
{
    const sync_args *a = args;
    (void)argc, (void)argv;
    kura_sync_report rep;
    kura_sync_opts o = {.remote = a->remote, .device_name = c->settings.device_name};
    int rc = kura_sync(c->v, &o, &rep);
    if (rc == KURA_ERR_ROTATED) { /* nothing changed yet: take the new key, then sync */
        kura_sync_report_free(&rep);
        int ex = adopt(c, a);
        return ex == EX_OK ? run_sync(c, a->remote) : ex;
    }
    return report_sync(c, rc, &rep);
}

const cmd cmd_sync = {
    .name = "sync",
    .summary = "fetch what other devices wrote, merge it, and push this device's changes",
    .more = "Items merge one by one: the newest version wins and the other stays in the item's "
            "history, and an edit beats a delete it did not see. If the remote cannot be "
            "reached nothing changes here (exit 1); if a device's files on it were changed, "
            "dropped, reordered or replayed, the sync stops, names the device, and changes "
            "nothing (exit 6). After another device rotated the key, the new client key is "
            "asked for (or --new-key-file), and what changed here is kept.",
    .flags = CMD_OPEN | CMD_UNLOCK,
    .rows = sync_rows,
    .args_size = sizeof(sync_args),
    .exec = sync_exec,
};

/* ---- kura clone ---- */

/* Makes the vault from the clone with a key: from --kit, --key-file, or typed (3 tries). */
static int clone_with_key(ctx *c, kura_clone *cl, const char *path)
{
    kura_client_key *key = sodium_malloc(sizeof *key);
    if (!key) return fail(EX_FAIL, "out of memory");
    const char *file = c->key_file ? c->key_file : getenv("KURA_CLIENT_KEY_FILE");
    int ex = EX_OK, tries = (c->kit_file || (file && *file)) ? 1 : 3;
    char prompt[128];
    snprintf(prompt, sizeof prompt, "Client key for vault %.8s: ", kura_clone_vault_id(cl));
    for (int attempt = 0; attempt < tries; attempt++) {
        if (c->kit_file) {
            unsigned gen;
            ex = key_from_kits(c, key, kura_clone_vault_id(cl), &gen);
        } else {
            ex = read_key(key, file, prompt, attempt,
                          "no terminal to ask for the client key; pass --key-file or --kit",
                          kura_clone_vault_id(cl));
        }
        if (ex == EX_OK) {
            int rc = kura_clone_make(cl, key, path, &c->v);
            if (rc == KURA_ERR_WRONG_KEY)
                ex = fail(EX_WRONG_KEY, "%s; is it the key of another vault, or an old one?",
                          kura_error_detail());
            else if (rc != KURA_OK)
                ex = fail_sync(c, rc, "make the vault");
        }
        if (ex == EX_OK || tries == 1 || (ex != EX_BAD_KEY && ex != EX_WRONG_KEY)) break;
        if (attempt < 2) note("try again (%d of 3)", attempt + 2);
    }
    sodium_free(key);
    return ex;
}

static int clone_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc;
    const char *url = argv[0];
    if (access(c->vault_path, F_OK) == 0)
        return fail(EX_USAGE,
                    "%s already exists; give the new device's vault another place with --vault",
                    c->vault_path);
    kura_clone *cl;
    cloning = 1;
    int rc = kura_clone_fetch(&cl, url, NULL);
    if (rc != KURA_OK) return fail_sync(c, rc, "clone");
    /* Made beside its place and put there once the first sync is done: a clone cut short
     * leaves no vault that is not whole (only this name, which a later clone never reuses). */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.clone-%ld", c->vault_path, (long)getpid());
    int ex = clone_with_key(c, cl, tmp);
    kura_clone_free(cl);
    if (ex != EX_OK) return ex;
    size_t count = 0;
    if (!c->json)
        printf("made vault %s at %s; syncing with %s\n", kura_vault_id(c->v), c->vault_path, url);
    ex = run_sync(c, "origin");
    if (ex == EX_OK && link(tmp, c->vault_path) != 0)
        ex = fail(EX_FAIL, "cannot put the vault at %s: %s", c->vault_path, strerror(errno));
    if (ex != EX_OK) { /* nothing half made is left behind */
        kura_clone_discard(c->v);
        c->v = NULL;
        return ex;
    }
    unlink(tmp);
    if (kura_vault_count(c->v, &count) != KURA_OK) count = 0;
    if (!c->json) {
        printf("vault %s is on this device: %zu item%s\n", kura_vault_id(c->v), count,
               count == 1 ? "" : "s");
        offer_enroll(c);
    }
    return EX_OK;
}

const cmd cmd_clone = {
    .name = "clone",
    .summary = "set up this device from a remote: fetch the vault, unlock it, sync",
    .args = "URL",
    .more = "The vault goes to --vault (default: the usual place). The client key comes from "
            "--kit (a photo or the kit's PNG or PDF), --key-file, or is asked for.",
    .min_args = 1,
    .max_args = 1,
    .exec = clone_exec,
};
