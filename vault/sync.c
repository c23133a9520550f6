/* A sync: read what the other devices wrote to the remote since this one last looked (each
 * device's chain of files checked: nothing dropped, reordered, replayed, cut or moved),
 * merge it item by item, and write this device's own new records, in one transaction on the
 * vault; then hand the files to the remote. What this device wrote waits in an outbox (in its
 * state folder) from the commit until the remote has it, so a sync cut short at any point
 * loses nothing: the next one sends it. Also the remotes a vault knows, and a clone. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "open.h"
#include "sync.h"

#define META_PUSHED "pushed." /* and the remote's name */
#define META_SLOT "slot.client"
#define REC_REMOTES "remotes"
#define REC_PEERS "peers." /* and the remote's name */
#define SNAP_EVERY 16      /* logs before this device gathers its records into a snapshot */
#define ATTEMPTS 5         /* tries when another device pushes (git) at the same moment */

static void reset_record_parse(const unsigned char *p, size_t n, char when[40],
                               char fresh[KURA_VAULT_ID_TEXT + 1]);

/* The name of a remote's record: prefix || name. */
static void record_name(char out[96], const char *prefix, const char *rname)
{
    snprintf(out, 96, "%s%s", prefix, rname);
}

/* ---- the remotes a vault knows: name NUL url NUL, one after another ---- */

static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > KURA_REMOTE_NAME_MAX || name[0] == '-' || name[0] == '.') return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* A URL with a password in it ("https://user:secret@host"): refused, the vault is no place
 * for it (git's credential helpers and ssh-agent are). */
static int url_has_password(const char *url)
{
    const char *s = strstr(url, "://");
    if (!s) return 0;
    s += 3;
    const char *at = strchr(s, '@'), *slash = strchr(s, '/');
    if (!at || (slash && slash < at)) return 0;
    const char *colon = memchr(s, ':', (size_t)(at - s));
    return colon != NULL;
}

static int remotes_load(kura_vault *v, kura_remotes *out)
{
    kura_gbuf b = {0};
    int rc = kura_record_get(v, REC_REMOTES, &b);
    size_t cap = 0;
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    for (size_t off = 0; rc == KURA_OK && off < b.n;) {
        const char *name = (const char *)b.p + off;
        size_t nl = strnlen(name, b.n - off);
        if (nl == b.n - off) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        const char *url = name + nl + 1;
        size_t ul = strnlen(url, b.n - off - nl - 1);
        if (ul == b.n - off - nl - 1 || nl > KURA_REMOTE_NAME_MAX || ul > KURA_REMOTE_URL_MAX) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        if (kura_grow(&out->remotes, &cap, out->count, sizeof *out->remotes) != KURA_OK) {
            rc = KURA_ERR_NOMEM;
            break;
        }
        memcpy(out->remotes[out->count].name, name, nl + 1);
        memcpy(out->remotes[out->count].url, url, ul + 1);
        out->count++;
        off += nl + 1 + ul + 1;
    }
    kura_gbuf_free(&b);
    return rc;
}

static int remotes_store(kura_vault *v, const kura_remotes *r)
{
    kura_gbuf b = {0};
    for (size_t i = 0; i < r->count; i++) {
        kura_gbuf_add(&b, r->remotes[i].name, strlen(r->remotes[i].name) + 1);
        kura_gbuf_add(&b, r->remotes[i].url, strlen(r->remotes[i].url) + 1);
    }
    int rc = b.failed ? KURA_ERR_NOMEM
                      : kura_record_put(v, REC_REMOTES, b.p ? b.p : (unsigned char *)"", b.n);
    kura_gbuf_free(&b);
    return rc;
}

void kura_remotes_free(kura_remotes *r)
{
    if (!r) return;
    free(r->remotes);
    free(r->peers);
    free(r);
}

/* Changes the remotes in one write: add (url set) or remove name. */
static int remotes_change(kura_vault *v, const char *name, const char *url)
{
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    if (!name_ok(name))
        return kura_fail(KURA_ERR_INVALID,
                         "'%.80s' is not a remote name: letters, digits, '-', '_' and '.', at "
                         "most %d",
                         name, KURA_REMOTE_NAME_MAX);
    if (url && (strlen(url) == 0 || strlen(url) > KURA_REMOTE_URL_MAX))
        return kura_fail(KURA_ERR_INVALID, "the remote's URL is empty or too long");
    if (url && url_has_password(url))
        return kura_fail(KURA_ERR_INVALID, "the remote's URL holds a password: give it to git's "
                                           "credential helper or ssh-agent instead");
    kura_remotes r = {0};
    rc = kura_vault_write_begin(v, NULL);
    if (rc != KURA_OK) return rc;
    rc = remotes_load(v, &r);
    size_t at = r.count;
    for (size_t i = 0; i < r.count; i++)
        if (strcmp(r.remotes[i].name, name) == 0) at = i;
    if (rc == KURA_OK && url && at < r.count)
        rc = kura_fail(KURA_ERR_EXISTS, "vault %s already has a remote named %s (%s)", v->id_text,
                       name, r.remotes[at].url);
    if (rc == KURA_OK && !url && at == r.count)
        rc = kura_fail(KURA_ERR_NOT_FOUND, "vault %s has no remote named %s", v->id_text, name);
    if (rc == KURA_OK && url) {
        size_t cap = r.count;
        rc = kura_grow(&r.remotes, &cap, r.count, sizeof *r.remotes);
        if (rc == KURA_OK) {
            snprintf(r.remotes[r.count].name, sizeof r.remotes->name, "%s", name);
            snprintf(r.remotes[r.count].url, sizeof r.remotes->url, "%s", url);
            r.count++;
        }
    } else if (rc == KURA_OK) {
        memmove(&r.remotes[at], &r.remotes[at + 1], (r.count - at - 1) * sizeof *r.remotes);
        r.count--;
        char rec[96]; /* what this device knew of that remote goes with it */
        record_name(rec, META_PUSHED, name);
        rc = kura_db_meta_delete(v->db, rec);
        record_name(rec, REC_PEERS, name);
        if (rc == KURA_OK) rc = kura_db_meta_delete(v->db, rec);
    }
    if (rc == KURA_OK) rc = remotes_store(v, &r);
    free(r.remotes);
    if (rc != KURA_OK && !kura_error_detail()[0]) kura_state_fail(v, rc);
    return kura_vault_write_end(v, rc, NULL);
}

/* <state folder>/<vault id>.remotes: the remotes' URLs, one a line, beside this device's
 * record of the vault, so a reset without the key still reaches them (0600; no secret). */
static void remotes_note(kura_vault *v)
{
    kura_remotes r = {0};
    char path[4200];
    if (!v->state_dir || kura_vault_read_begin(v, 0) != KURA_OK) return;
    int rc = remotes_load(v, &r);
    kura_vault_read_end(v);
    snprintf(path, sizeof path, "%s/%s.remotes", v->state_dir, v->id_text);
    kura_gbuf b = {0};
    for (size_t i = 0; rc == KURA_OK && i < r.count; i++) {
        kura_gbuf_add(&b, r.remotes[i].url, strlen(r.remotes[i].url));
        kura_gbuf_add(&b, "\n", 1);
    }
    if (rc == KURA_OK && !b.failed && kura_mkdir_private(v->state_dir) == KURA_OK) {
        if (!b.n || kura_write_private_file(path, b.p, b.n) != KURA_OK)
            unlink(path); /* best effort: kura reset --remote URL reaches it too */
    }
    kura_gbuf_free(&b);
    free(r.remotes);
}

int kura_remote_add(kura_vault *v, const char *name, const char *url)
{
    int rc = remotes_change(v, name, url);
    if (rc == KURA_OK) remotes_note(v);
    return rc;
}

int kura_remote_remove(kura_vault *v, const char *name)
{
    int rc = remotes_change(v, name, NULL);
    if (rc == KURA_OK) remotes_note(v);
    return rc;
}

/* ---- what this device knows of the others: one record each ---- */
/* device (16) || seq (8) || hash (32) || written ms (8) || name length (1) || name */
#define PEER_FIXED (KURA_DEVICE_ID_BYTES + 8 + 32 + 8 + 1)

typedef struct peer {
    unsigned char device[KURA_DEVICE_ID_BYTES];
    uint64_t seq, written_ms;
    unsigned char hash[32];
    char name[65];
} peer;

typedef struct peers {
    peer *p;
    size_t n, cap;
} peers;

static int peers_load(kura_vault *v, const char *rname, peers *out)
{
    kura_gbuf b = {0};
    char rec[96];
    record_name(rec, REC_PEERS, rname);
    int rc = kura_record_get(v, rec, &b);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    for (size_t off = 0; rc == KURA_OK && off < b.n;) {
        if (b.n - off < PEER_FIXED || b.p[off + PEER_FIXED - 1] > 64 ||
            b.n - off - PEER_FIXED < b.p[off + PEER_FIXED - 1]) {
            rc = KURA_ERR_CORRUPT;
            break;
        }
        if (kura_grow(&out->p, &out->cap, out->n, sizeof *out->p) != KURA_OK) {
            rc = KURA_ERR_NOMEM;
            break;
        }
        peer *p = &out->p[out->n++];
        const unsigned char *d = b.p + off;
        memcpy(p->device, d, KURA_DEVICE_ID_BYTES);
        p->seq = kura_get64(d + 16);
        memcpy(p->hash, d + 24, 32);
        p->written_ms = kura_get64(d + 56);
        size_t nl = d[64];
        memcpy(p->name, d + 65, nl);
        p->name[nl] = '\0';
        off += PEER_FIXED + nl;
    }
    kura_gbuf_free(&b);
    return rc;
}

static int peers_store(kura_vault *v, const char *rname, const peers *ps)
{
    char rec[96];
    record_name(rec, REC_PEERS, rname);
    kura_gbuf b = {0};
    for (size_t i = 0; i < ps->n; i++) {
        const peer *p = &ps->p[i];
        unsigned char fixed[PEER_FIXED];
        memcpy(fixed, p->device, 16);
        kura_put64(fixed + 16, p->seq);
        memcpy(fixed + 24, p->hash, 32);
        kura_put64(fixed + 56, p->written_ms);
        fixed[64] = (unsigned char)strlen(p->name);
        kura_gbuf_add(&b, fixed, sizeof fixed);
        kura_gbuf_add(&b, p->name, strlen(p->name));
    }
    int rc =
        b.failed ? KURA_ERR_NOMEM : kura_record_put(v, rec, b.p ? b.p : (unsigned char *)"", b.n);
    kura_gbuf_free(&b);
    return rc;
}

static peer *peer_find(peers *ps, const unsigned char *device)
{
    for (size_t i = 0; i < ps->n; i++)
        if (memcmp(ps->p[i].device, device, KURA_DEVICE_ID_BYTES) == 0) return &ps->p[i];
    return NULL;
}

/* ---- this device's own chain: seq (8) || hash (32) || since (8) || snapshot seq (8) ---- */
typedef struct pushed {
    uint64_t seq, since, snap;
    unsigned char hash[32];
    unsigned char key_id[SYNC_KEY_ID]; /* the key this device's chain is under (zero: none) */
} pushed;
#define PUSHED_BYTES (56 + SYNC_KEY_ID)

static int pushed_load(kura_vault *v, const char *rname, pushed *p)
{
    kura_blob b;
    char rec[96];
    record_name(rec, META_PUSHED, rname);
    memset(p, 0, sizeof *p);
    int rc = kura_meta_find(v, &b, rec);
    if (rc == KURA_ERR_NOT_FOUND) return KURA_OK;
    if (rc != KURA_OK) return rc;
    if (b.n == PUSHED_BYTES) {
        p->seq = kura_get64(b.p);
        memcpy(p->hash, b.p + 8, 32);
        p->since = kura_get64(b.p + 40);
        p->snap = kura_get64(b.p + 48);
        memcpy(p->key_id, b.p + 56, SYNC_KEY_ID);
    } else {
        rc = KURA_ERR_CORRUPT;
    }
    free(b.p);
    return rc;
}

static int pushed_store(kura_vault *v, const char *rname, const pushed *p)
{
    unsigned char b[PUSHED_BYTES];
    char rec[96];
    record_name(rec, META_PUSHED, rname);
    kura_put64(b, p->seq);
    memcpy(b + 8, p->hash, 32);
    kura_put64(b + 40, p->since);
    kura_put64(b + 48, p->snap);
    memcpy(b + 56, p->key_id, SYNC_KEY_ID);
    return kura_meta_put(v, rec, b, sizeof b);
}

/* Adds (or updates) a device in the list: the newest of what each remote said. */
static int list_peer(kura_remotes *r, size_t *cap, const unsigned char *device, const char *name,
                     int64_t last_write, uint64_t seq, int mine)
{
    kura_peer *p = NULL;
    for (size_t i = 0; !p && i < r->n_peers; i++)
        if (memcmp(r->peers[i].device, device, KURA_DEVICE_ID_BYTES) == 0) p = &r->peers[i];
    if (!p) {
        if (kura_grow(&r->peers, cap, r->n_peers, sizeof *r->peers) != KURA_OK)
            return KURA_ERR_NOMEM;
        p = &r->peers[r->n_peers++];
        memset(p, 0, sizeof *p);
        memcpy(p->device, device, KURA_DEVICE_ID_BYTES);
    }
    p->this_device = mine;
    if (last_write >= p->last_write) {
        p->last_write = last_write;
        if (name && name[0]) snprintf(p->name, sizeof p->name, "%s", name);
    }
    if (seq > p->seq) p->seq = seq;
    return KURA_OK;
}

int kura_remote_list(kura_vault *v, kura_remotes **out)
{
    *out = NULL;
    int rc = kura_need_unlocked(v);
    if (rc != KURA_OK) return rc;
    kura_remotes *r = calloc(1, sizeof *r);
    if (!r) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) {
        free(r);
        return rc;
    }
    rc = remotes_load(v, r);
    size_t cap = 0;
    kura_blob dev = {0};
    int have_dev = rc == KURA_OK && kura_meta_find(v, &dev, "device") == KURA_OK &&
                   dev.n == KURA_DEVICE_ID_BYTES;
    for (size_t k = 0; rc == KURA_OK && k < r->count; k++) {
        peers ps = {0};
        pushed me;
        rc = peers_load(v, r->remotes[k].name, &ps);
        if (rc == KURA_OK) rc = pushed_load(v, r->remotes[k].name, &me);
        if (rc == KURA_OK && have_dev) rc = list_peer(r, &cap, dev.p, NULL, 0, me.seq, 1);
        for (size_t i = 0; rc == KURA_OK && i < ps.n; i++)
            rc = list_peer(r, &cap, ps.p[i].device, ps.p[i].name,
                           (int64_t)(ps.p[i].written_ms / 1000u), ps.p[i].seq, 0);
        free(ps.p);
    }
    kura_vault_read_end(v);
    free(dev.p);
    if (rc != KURA_OK) {
        kura_remotes_free(r);
        return kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
    }
    *out = r;
    return KURA_OK;
}

/* ---- names on the remote ---- */

static void vault_dir(char out[64], const kura_vault *v)
{
    snprintf(out, 64, "kura-%s", v->id_text);
}

static void device_hex(char out[33], const unsigned char *device)
{
    kura_hex(out, device, KURA_DEVICE_ID_BYTES);
}

/* "NNNNNNNNNNNNNNNN.log" or ".snap": its seq and kind; 0 for any other name. */
static int file_name(const char *name, uint64_t *seq, char *kind)
{
    size_t n = strlen(name);
    if (n < 17 || strspn(name, "0123456789abcdef") != 16) return 0;
    if (strcmp(name + 16, ".log") == 0)
        *kind = 'l';
    else if (strcmp(name + 16, ".snap") == 0)
        *kind = 's';
    else
        return 0;
    *seq = strtoull(name, NULL, 16);
    return *seq > 0;
}

static void file_path(char out[128], const char *vdir, const char *dev, uint64_t seq, char kind)
{
    snprintf(out, 128, "%s/%s/%016" PRIx64 ".%s", vdir, dev, seq, kind == 's' ? "snap" : "log");
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* A device's files on the remote: logs and snapshots by seq. */
typedef struct dev_files {
    uint64_t *logs, *snaps;
    size_t n_logs, n_snaps, cap_logs, cap_snaps;
    uint64_t top; /* the highest seq of either */
} dev_files;

static void dev_files_free(dev_files *d)
{
    free(d->logs);
    free(d->snaps);
    memset(d, 0, sizeof *d);
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int list_device(remote *r, const char *vdir, const char *dev, dev_files *d)
{
    char dir[128], **names;
    size_t n;
    memset(d, 0, sizeof *d);
    snprintf(dir, sizeof dir, "%s/%s", vdir, dev);
    int rc = r->ops->list(r, dir, &names, &n);
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        uint64_t seq = 0;
        char kind;
        if (!file_name(names[i], &seq, &kind)) continue; /* another engine's, or the slot */
        uint64_t **arr = kind == 'l' ? &d->logs : &d->snaps;
        size_t *cnt = kind == 'l' ? &d->n_logs : &d->n_snaps;
        size_t *cap = kind == 'l' ? &d->cap_logs : &d->cap_snaps;
        if (kura_grow(arr, cap, *cnt, sizeof **arr) != KURA_OK) {
            rc = KURA_ERR_NOMEM;
            break;
        }
        (*arr)[(*cnt)++] = seq;
        if (seq > d->top) d->top = seq;
    }
    free_names(names, n);
    if (d->n_logs) qsort(d->logs, d->n_logs, sizeof *d->logs, by_seq);
    if (d->n_snaps) qsort(d->snaps, d->n_snaps, sizeof *d->snaps, by_seq);
    return rc;
}

static int has_seq(const uint64_t *a, size_t n, uint64_t seq)
{
    return n && bsearch(&seq, a, n, sizeof *a, by_seq) != NULL;
}

/* ---- the vault keys a device can read with: its own, and the ones it had before ---- */

typedef struct keyring {
    unsigned char *k; /* sodium_malloc: n entries of key id (16) || vault key (32) */
    size_t n;
} keyring;
#define RING_ENTRY (SYNC_KEY_ID + KURA_KEYBYTES)

static void keyring_free(keyring *k)
{
    sodium_free(k->k);
    k->k = NULL;
    k->n = 0;
}

/* Inside a read of v: its vault key first, then the old ones. */
static int keyring_load(kura_vault *v, keyring *k)
{
    kura_gbuf old = {0};
    unsigned char key[KURA_KEYBYTES];
    int rc = kura_old_keys(v, &old);
    if (rc == KURA_ERR_NOT_FOUND) rc = KURA_OK;
    size_t n = 1 + old.n / (KURA_KEYBYTES + 8);
    if (rc == KURA_OK && !(k->k = sodium_malloc(n * RING_ENTRY))) rc = KURA_ERR_NOMEM;
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        const unsigned char *vk = i == 0 ? VK(v) : old.p + (i - 1) * (KURA_KEYBYTES + 8);
        kura_sync_keys_of(vk, key, k->k + i * RING_ENTRY);
        memcpy(k->k + i * RING_ENTRY + SYNC_KEY_ID, vk, KURA_KEYBYTES);
    }
    if (rc == KURA_OK) k->n = n;
    sodium_memzero(key, sizeof key);
    kura_gbuf_free(&old);
    return rc;
}

static const unsigned char *keyring_find(const keyring *k, const unsigned char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (memcmp(k->k + i * RING_ENTRY, id, SYNC_KEY_ID) == 0)
            return k->k + i * RING_ENTRY + SYNC_KEY_ID;
    return NULL;
}

/* A record that is not an item's: item id all 0xff. A rotation notice, written under the old
 * key as a device's last file before its files under the new one: tag REC_NOTICE, stamp (the
 * time), device, the new key's id. The key's generation, last in every file a device writes
 * under the current key: tag REC_KEYGEN, stamp (when the key was made; 0: not known to the
 * writer), generation (4): a device that took a rotation from a kit, or cloned, learns which
 * key it has (keygen.c). */
#define REC_NOTICE 3
#define REC_KEYGEN 4
#define KEYGEN_LEN (STAMP_BYTES + 4)
static const unsigned char vault_record[KURA_ITEM_ID_BYTES] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ---- reading another device ---- */

/* Records read, to merge: item id (16) || record, each as a slice of a kept file. */
typedef struct incoming {
    sync_file *files;
    size_t n_files, cap_files;
    sync_slice *s;
    size_t n, cap;
} incoming;

static void incoming_free(incoming *in)
{
    for (size_t i = 0; i < in->n_files; i++)
        kura_sync_file_free(&in->files[i]);
    free(in->files);
    free(in->s);
    memset(in, 0, sizeof *in);
}

/* A rotation notice read from a device: the key it moved to, and when; and the generation
 * its newest file gave its key. */
typedef struct notice {
    int seen;
    unsigned char key_id[SYNC_KEY_ID];
    uint64_t when_ms;
    uint32_t gen;
    uint64_t gen_made_ms;
    unsigned char gen_key[SYNC_KEY_ID];
} notice;

/* The records of an opened file into in (slices into it; the file is kept); a rotation
 * notice into *nt. */
static int take_records(incoming *in, sync_file *f, notice *nt)
{
    const unsigned char *p = f->plain.p;
    size_t n = f->plain.n;
    for (size_t off = f->records_at; off < n;) {
        if (n - off < 16 + 5) return KURA_ERR_TAMPERED;
        size_t len = 5 + (size_t)kura_get32(p + off + 16 + 1);
        if (len > n - off - 16) return KURA_ERR_TAMPERED;
        if (memcmp(p + off, vault_record, KURA_ITEM_ID_BYTES) == 0) {
            const unsigned char *r = p + off + 16;
            if (r[0] == REC_KEYGEN && len == 5 + KEYGEN_LEN) {
                nt->gen = kura_get32(r + 5 + STAMP_BYTES);
                nt->gen_made_ms = kura_get64(r + 5) >> 16;
                memcpy(nt->gen_key, f->key_id, SYNC_KEY_ID);
                off += 16 + len;
                continue;
            }
            if (r[0] != REC_NOTICE || len != 5 + STAMP_BYTES + SYNC_KEY_ID)
                return KURA_ERR_TAMPERED;
            nt->seen = 1;
            nt->when_ms = kura_get64(r + 5) >> 16;
            memcpy(nt->key_id, r + 5 + STAMP_BYTES, SYNC_KEY_ID);
        } else {
            if (kura_grow(&in->s, &in->cap, in->n, sizeof *in->s) != KURA_OK) return KURA_ERR_NOMEM;
            in->s[in->n++] = (sync_slice){p + off, p + off + 16, len};
        }
        off += 16 + len;
    }
    return KURA_OK;
}

typedef struct reading {
    kura_vault *v;
    remote *r;
    const char *vdir;
    keyring ring;
    unsigned char unknown_key[SYNC_KEY_ID]; /* read_one: the key of a file it could not open */
    unsigned char key_id[SYNC_KEY_ID];      /* the current key's */
    uint32_t gen;                           /* the highest generation files under it gave */
    uint64_t gen_made_ms;
    size_t behind; /* devices whose files are all under a key this one does not have */
    incoming in;
    peers ps;
    size_t devices_new;
    remote_files files; /* the attachments on the remote */
} reading;

/* Opens one of device's files (its seq and kind as named) and keeps it in rd->in. */
static int read_one(reading *rd, const char *dev, const unsigned char *device, uint64_t seq,
                    char kind, sync_file **out)
{
    char path[128];
    kura_blob b;
    file_path(path, rd->vdir, dev, seq, kind);
    int rc = rd->r->ops->read(rd->r, path, &b);
    if (rc == KURA_ERR_NOT_FOUND)
        return kura_fail(KURA_ERR_TAMPERED,
                         "device %.8s's file %016" PRIx64 " is missing from the remote", dev, seq);
    if (rc != KURA_OK) return rc;
    if (kura_grow(&rd->in.files, &rd->in.cap_files, rd->in.n_files, sizeof *rd->in.files) !=
        KURA_OK) {
        free(b.p);
        return KURA_ERR_NOMEM;
    }
    sync_file *f = &rd->in.files[rd->in.n_files];
    memset(f, 0, sizeof *f);
    const unsigned char *vk = NULL;
    rc = kura_sync_peek(f, b.p, b.n);
    if (rc == KURA_OK && !(vk = keyring_find(&rd->ring, f->key_id)) &&
        memcmp(f->vault_id, rd->v->id, KURA_VAULT_ID_BYTES) == 0) {
        memcpy(rd->unknown_key, f->key_id, SYNC_KEY_ID);
        free(b.p);
        return KURA_ERR_ROTATED;
    }
    rc = vk ? kura_sync_open(f, rd->v, vk, device, b.p, b.n) : KURA_ERR_TAMPERED;
    free(b.p);
    if (rc == KURA_OK && (f->seq != seq || f->kind != kind)) rc = KURA_ERR_TAMPERED;
    if (rc != KURA_OK) {
        kura_sync_file_free(f);
        if (rc == KURA_ERR_ROTATED) return rc;
        return kura_fail(KURA_ERR_TAMPERED,
                         "device %.8s's file %016" PRIx64 " on the remote was changed, cut, "
                         "replayed or moved from elsewhere: it does not open as its place in "
                         "that device's chain",
                         dev, seq);
    }
    rd->in.n_files++;
    *out = f;
    return KURA_OK;
}

/* What device (folder dev) wrote since this device last read it, checked as a chain. */
/* A file of device under a key this device does not have: the key the device's rotation
 * notice named (KURA_ERR_ROTATED), a device none of whose files this one could ever open
 * (skipped: it has not caught up with a rotation this device made, or learned of), or
 * tampering. */
static int read_one(reading *rd, const char *dev, const unsigned char *device, uint64_t seq,
                    char kind, sync_file **out);

static int unknown_key(reading *rd, const char *dev, const unsigned char *device, const peer *known,
                       notice *nt, int opened, uint64_t seq, const dev_files *d)
{
    /* Files skipped over (a snapshot gathered them) may hold the notice: the device keeps
     * its last log under each old key. */
    unsigned char want[SYNC_KEY_ID];
    memcpy(want, rd->unknown_key, SYNC_KEY_ID);
    for (size_t i = 0; !nt->seen && i < d->n_logs; i++) {
        sync_file *f;
        if (d->logs[i] <= (known ? known->seq : 0) || d->logs[i] >= seq) continue;
        if (read_one(rd, dev, device, d->logs[i], 'l', &f) != KURA_OK) continue;
        incoming none = {0};
        take_records(&none, f, nt);
        free(none.s);
    }
    memcpy(rd->unknown_key, want, SYNC_KEY_ID);
    kura_detail_clear();
    /* A notice of another key than this file's: the device rotated again since (a device
     * that skipped a rotation gets the newest key from its kit, and the snapshot under it). */
    if (nt->seen) {
        int again = memcmp(nt->key_id, rd->unknown_key, SYNC_KEY_ID) != 0;
        char when[32];
        time_t t = (time_t)(nt->when_ms / 1000u);
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
        else
            snprintf(when, sizeof when, "?");
        return kura_fail(KURA_ERR_ROTATED,
                         "device %.8s%s%s%s rotated vault %s's key on %s%s: its files from then "
                         "on open only with the new key; nothing was changed here",
                         dev, known && known->name[0] ? " (" : "", known ? known->name : "",
                         known && known->name[0] ? ")" : "", rd->v->id_text, when,
                         again ? ", and again since" : "");
    }
    if (!opened && !known) return KURA_ERR_NOT_FOUND; /* skipped */
    return kura_fail(KURA_ERR_TAMPERED,
                     "device %.8s's file %016" PRIx64 " on the remote is under a key this vault "
                     "never had and that device never announced (changed or forged)",
                     dev, seq);
}

static int read_device(reading *rd, const char *dev, const unsigned char *device)
{
    dev_files d;
    notice nt = {0};
    size_t first = rd->in.n, opened = rd->in.n_files;
    int rc = list_device(rd->r, rd->vdir, dev, &d);
    if (rc != KURA_OK) return rc;
    peer *known = peer_find(&rd->ps, device);
    uint64_t seen = known ? known->seq : 0;
    if (d.top < seen) {
        dev_files_free(&d);
        return kura_fail(KURA_ERR_ROLLED_BACK,
                         "the remote was rolled back: device %.8s%s%s%s wrote %" PRIu64
                         " files there and it shows %" PRIu64 " (files dropped or an old copy "
                         "put back); nothing was changed here",
                         dev, known && known->name[0] ? " (" : "", known ? known->name : "",
                         known && known->name[0] ? ")" : "", seen, d.top);
    }
    if (d.top == seen) {
        /* Nothing new; the newest log, if still there, must be the one read. */
        if (seen && has_seq(d.logs, d.n_logs, seen)) {
            char path[128];
            kura_blob b;
            sync_file f;
            file_path(path, rd->vdir, dev, seen, 'l');
            rc = rd->r->ops->read(rd->r, path, &b);
            if (rc == KURA_OK) {
                rc = kura_sync_peek(&f, b.p, b.n);
                if (rc != KURA_OK || sodium_memcmp(f.hash, known->hash, 32) != 0)
                    rc = kura_fail(KURA_ERR_TAMPERED,
                                   "device %.8s's file %016" PRIx64 " on the remote is not the "
                                   "one this device read before (replaced or changed)",
                                   dev, seen);
                free(b.p);
            }
        }
        dev_files_free(&d);
        return rc;
    }
    /* New files: from the log after the one read, or from the newest snapshot when the logs
     * in between were gathered into it. */
    uint64_t from = seen + 1;
    unsigned char prev[32];
    if (known)
        memcpy(prev, known->hash, 32);
    else
        memset(prev, 0, 32);
    int chained = seen > 0 || from == 1;
    if (seen == 0 && d.n_snaps) { /* a device new to this one: from its newest snapshot */
        from = d.snaps[d.n_snaps - 1];
        chained = 0;
    }
    for (uint64_t s = from; chained && s <= d.top && rc == KURA_OK; s++)
        if (!has_seq(d.logs, d.n_logs, s)) {
            /* a gap: a snapshot must cover it */
            uint64_t snap = d.n_snaps ? d.snaps[d.n_snaps - 1] : 0;
            if (snap < s || snap < seen)
                rc = kura_fail(KURA_ERR_TAMPERED,
                               "device %.8s's file %016" PRIx64 " is missing from the remote "
                               "(dropped or held back)",
                               dev, s);
            else
                from = snap, chained = 0;
            break;
        }
    sync_file *f = NULL;
    uint64_t written = known ? known->written_ms : 0;
    char name[65] = "";              /* the name the device gave itself in its newest file read */
    if (rc == KURA_OK && !chained) { /* from a snapshot */
        rc = read_one(rd, dev, device, from, 's', &f);
        if (rc == KURA_ERR_ROTATED)
            rc = unknown_key(rd, dev, device, known, &nt, rd->in.n_files > opened, from, &d);
        if (rc == KURA_OK) {
            memcpy(prev, f->prev, 32);
            rc = take_records(&rd->in, f, &nt);
            written = f->written_ms;
            snprintf(name, sizeof name, "%s", f->device_name);
        }
        from++;
    }
    for (uint64_t s = from; rc == KURA_OK && s <= d.top; s++) {
        if (!has_seq(d.logs, d.n_logs, s)) {
            rc = kura_fail(KURA_ERR_TAMPERED,
                           "device %.8s's file %016" PRIx64 " is missing from the remote "
                           "(dropped or held back)",
                           dev, s);
            break;
        }
        rc = read_one(rd, dev, device, s, 'l', &f);
        if (rc == KURA_ERR_ROTATED && d.n_snaps && d.snaps[d.n_snaps - 1] > s) {
            /* Under a key this device never had: it took a later key from a kit, skipping
             * this one. The device's newest snapshot, under a later key, holds all it wrote;
             * the logs after it follow on from it. */
            unsigned char skipped[SYNC_KEY_ID];
            memcpy(skipped, rd->unknown_key, SYNC_KEY_ID);
            uint64_t snap = d.snaps[d.n_snaps - 1];
            if (read_one(rd, dev, device, snap, 's', &f) == KURA_OK) {
                rc = take_records(&rd->in, f, &nt);
                if (rc != KURA_OK) break;
                memcpy(prev, f->prev, 32);
                written = f->written_ms;
                snprintf(name, sizeof name, "%s", f->device_name);
                s = snap; /* the log of the same number is the snapshot's prev: read on after */
                continue;
            }
            memcpy(rd->unknown_key, skipped, SYNC_KEY_ID);
            kura_detail_clear();
        }
        if (rc == KURA_ERR_ROTATED)
            rc = unknown_key(rd, dev, device, known, &nt, rd->in.n_files > opened, s, &d);
        if (rc != KURA_OK) break;
        if ((s > 1 || seen > 0) && sodium_memcmp(f->prev, prev, 32) != 0)
            rc = kura_fail(KURA_ERR_TAMPERED,
                           "device %.8s's file %016" PRIx64 " on the remote does not follow "
                           "the one before it (reordered, replayed or replaced)",
                           dev, s);
        else if (s == 1 && !known && !sodium_is_zero(f->prev, 32))
            rc = kura_fail(KURA_ERR_TAMPERED, "device %.8s's first file does not start a chain",
                           dev);
        if (rc == KURA_OK) rc = take_records(&rd->in, f, &nt);
        if (rc == KURA_OK) {
            memcpy(prev, f->hash, 32);
            written = f->written_ms;
            snprintf(name, sizeof name, "%s", f->device_name);
        }
    }
    if (rc == KURA_OK) {
        if (!known) {
            if (kura_grow(&rd->ps.p, &rd->ps.cap, rd->ps.n, sizeof *rd->ps.p) != KURA_OK) {
                dev_files_free(&d);
                return KURA_ERR_NOMEM;
            }
            known = &rd->ps.p[rd->ps.n++];
            memset(known, 0, sizeof *known);
            memcpy(known->device, device, KURA_DEVICE_ID_BYTES);
        }
        if (name[0]) snprintf(known->name, sizeof known->name, "%s", name);
        if (nt.gen > rd->gen && memcmp(nt.gen_key, rd->key_id, SYNC_KEY_ID) == 0)
            rd->gen = nt.gen, rd->gen_made_ms = nt.gen_made_ms;
        known->seq = d.top;
        memcpy(known->hash, prev, 32);
        known->written_ms = written;
        rd->devices_new++;
    }
    if (rc == KURA_ERR_NOT_FOUND) { /* none of it opens here: the device is left for now */
        rd->in.n = first;
        rd->behind++;
        rc = KURA_OK;
    }
    dev_files_free(&d);
    return rc;
}

/* ---- this device's files: the outbox, then the remote ---- */

static int by_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct outbox {
    char dir[4096];
} outbox;

static int outbox_path(char out[4200], const outbox *o, const char *name)
{
    return snprintf(out, 4200, "%s/%s", o->dir, name) < 4200 ? KURA_OK : KURA_ERR_INVALID;
}

/* Collects this device's records (kura_sync_own's fn). */
static int gather(void *ctx, const unsigned char *item, const unsigned char *rec, size_t len)
{
    kura_gbuf *b = ctx;
    kura_gbuf_add(b, item, KURA_ITEM_ID_BYTES);
    kura_gbuf_add(b, rec, len);
    return b->failed ? KURA_ERR_NOMEM : KURA_OK;
}

static uint64_t max_stamp(const kura_gbuf *b)
{
    uint64_t m = 0;
    for (size_t off = 0; off + 16 + 5 + 8 <= b->n;) {
        uint64_t t = kura_get64(b->p + off + 16 + 5);
        if (t > m) m = t;
        off += 16 + 5 + kura_get32(b->p + off + 16 + 1);
    }
    return m;
}

static const char *host_name(char out[65], const char *given)
{
    if (given && *given) {
        snprintf(out, 65, "%s", given);
        return out;
    }
    if (gethostname(out, 64) != 0) snprintf(out, 65, "device");
    out[64] = '\0';
    return out;
}

/* ---- a sync ---- */

static int by_item(const void *a, const void *b)
{
    const sync_slice *x = a, *y = b;
    int c = memcmp(x->item, y->item, KURA_ITEM_ID_BYTES);
    if (c) return c;
    return (x->rec > y->rec) - (x->rec < y->rec);
}

static int find_remote(kura_vault *v, const char *name, char url[KURA_REMOTE_URL_MAX + 1],
                       char used[KURA_REMOTE_NAME_MAX + 1])
{
    kura_remotes r = {0};
    int rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    rc = remotes_load(v, &r);
    kura_vault_read_end(v);
    if (rc != KURA_OK) {
        free(r.remotes);
        return kura_state_fail(v, rc);
    }
    const struct kura_remote_entry *e = NULL;
    for (size_t i = 0; i < r.count; i++)
        if (!name || strcmp(r.remotes[i].name, name) == 0) e = &r.remotes[i];
    if (!name && r.count > 1)
        rc = kura_fail(KURA_ERR_INVALID, "vault %s has %zu remotes: name the one to sync with",
                       v->id_text, r.count);
    else if (!e && name)
        rc = kura_fail(KURA_ERR_NOT_FOUND, "vault %s has no remote named %s", v->id_text, name);
    else if (!e)
        rc = kura_fail(KURA_ERR_NOT_FOUND,
                       "vault %s has no remote yet: 'kura remote add URL' names one", v->id_text);
    if (rc == KURA_OK) {
        snprintf(url, KURA_REMOTE_URL_MAX + 1, "%s", e->url);
        snprintf(used, KURA_REMOTE_NAME_MAX + 1, "%s", e->name);
    }
    free(r.remotes);
    return rc;
}

/* Sends what the outbox holds (files committed in the vault's record, not yet on the
 * remote), removes what a snapshot made needless, and writes the slot if it is missing. */
static int send(remote *r, const outbox *o, const char *vdir, const char *dev, const pushed *me,
                const unsigned char *slot_file, size_t slot_len)
{
    char **names = NULL;
    size_t n = 0;
    int rc = KURA_OK;
    DIR *d = opendir(o->dir);
    if (d) {
        struct dirent *e;
        size_t cap = 0;
        while (rc == KURA_OK && (e = readdir(d))) {
            uint64_t seq = 0;
            char kind;
            if (!file_name(e->d_name, &seq, &kind)) continue;
            if (kura_grow(&names, &cap, n, sizeof *names) != KURA_OK ||
                !(names[n] = strdup(e->d_name)))
                rc = KURA_ERR_NOMEM;
            else
                n++;
        }
        closedir(d);
    }
    if (n) qsort(names, n, sizeof *names, by_name_cmp);
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        uint64_t seq = 0;
        char kind, path[4200], remote_path[256];
        file_name(names[i], &seq, &kind);
        rc = outbox_path(path, o, names[i]);
        if (rc != KURA_OK) break;
        if (seq > me->seq) { /* written before a commit that did not happen: never sent */
            unlink(path);
            continue;
        }
        unsigned char *p;
        size_t len;
        rc = kura_read_small(&p, &len, path, (size_t)1 << 31);
        if (rc != KURA_OK) {
            rc = kura_fail(KURA_ERR_IO, "cannot read this device's outbox %s", o->dir);
            break;
        }
        snprintf(remote_path, sizeof remote_path, "%s/%s/%s", vdir, dev, names[i]);
        rc = r->ops->write(r, remote_path, p, len);
        sodium_free(p);
    }
    /* A snapshot makes the files before it needless: removed once it is on the remote. */
    if (rc == KURA_OK && me->snap) {
        dev_files f;
        rc = list_device(r, vdir, dev, &f);
        /* Each key's last log before a rotation is its notice: kept, so a device that still
         * has only the old key learns of the rotation from a file it can open. */
        unsigned char(*keys)[SYNC_KEY_ID] = calloc(f.n_logs + 1, SYNC_KEY_ID);
        if (!keys) rc = KURA_ERR_NOMEM;
        for (size_t i = 0; rc == KURA_OK && i < f.n_logs; i++) {
            char path[128];
            kura_blob b;
            sync_file h;
            file_path(path, vdir, dev, f.logs[i], 'l');
            if (f.logs[i] <= me->snap && r->ops->read(r, path, &b) == KURA_OK) {
                if (kura_sync_peek(&h, b.p, b.n) == KURA_OK) memcpy(keys[i], h.key_id, SYNC_KEY_ID);
                free(b.p);
            }
        }
        for (size_t i = 0; rc == KURA_OK && i < f.n_logs; i++) {
            if (f.logs[i] > me->snap || !has_seq(f.snaps, f.n_snaps, me->snap)) continue;
            int is_notice = memcmp(keys[i], me->key_id, SYNC_KEY_ID) != 0 &&
                            (i + 1 == f.n_logs || memcmp(keys[i + 1], keys[i], SYNC_KEY_ID) != 0);
            if (is_notice) continue;
            char path[128];
            file_path(path, vdir, dev, f.logs[i], 'l');
            rc = r->ops->remove(r, path);
        }
        free(keys);
        for (size_t i = 0; rc == KURA_OK && i < f.n_snaps; i++)
            if (f.snaps[i] < me->snap) {
                char path[128];
                file_path(path, vdir, dev, f.snaps[i], 's');
                rc = r->ops->remove(r, path);
            }
        dev_files_free(&f);
    }
    if (rc == KURA_OK && slot_file) {
        char path[128];
        kura_blob have = {0};
        snprintf(path, sizeof path, "%s/%s/slot", vdir, dev);
        int got = r->ops->read(r, path, &have);
        if (got != KURA_OK || have.n != slot_len || memcmp(have.p, slot_file, slot_len) != 0)
            rc = r->ops->write(r, path, slot_file, slot_len);
        free(have.p);
    }
    free_names(names, n);
    return rc;
}

/* Once the remote has them: the outbox's files go. */
static void outbox_clear(const outbox *o, const pushed *me)
{
    DIR *d = opendir(o->dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        uint64_t seq = 0;
        char kind, path[4200];
        if (file_name(e->d_name, &seq, &kind) && seq <= me->seq &&
            outbox_path(path, o, e->d_name) == KURA_OK)
            unlink(path);
    }
    closedir(d);
}

static int outbox_has(const outbox *o, uint64_t seq)
{
    char name[64], path[4200];
    snprintf(name, sizeof name, "%016" PRIx64 ".log", seq);
    struct stat sb;
    return outbox_path(path, o, name) == KURA_OK && stat(path, &sb) == 0;
}

static int outbox_put(const outbox *o, uint64_t seq, char kind, const kura_blob *b)
{
    char name[64], path[4200];
    snprintf(name, sizeof name, "%016" PRIx64 ".%s", seq, kind == 's' ? "snap" : "log");
    int rc = kura_mkdir_private(o->dir);
    if (rc == KURA_OK) rc = outbox_path(path, o, name);
    if (rc == KURA_OK) rc = kura_write_private_file(path, b->p, b->n);
    if (rc != KURA_OK)
        return kura_fail(rc == KURA_ERR_NOMEM ? rc : KURA_ERR_IO,
                         "cannot write this device's outbox %s: %s", o->dir, strerror(errno));
    return KURA_OK;
}

/* The slot file for the remote: "KSLT" || 1 || vault id || key id || the client-key slot. */
#define SLOT_BYTES_ALL (4 + 1 + 16 + SYNC_KEY_ID + KURA_SLOT_BYTES)
static int slot_file(kura_vault *v, unsigned char out[SLOT_BYTES_ALL])
{
    kura_blob slot;
    unsigned char key[KURA_KEYBYTES], key_id[SYNC_KEY_ID];
    int rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    rc = kura_meta_get(v, &slot, META_SLOT);
    kura_vault_read_end(v);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    if (slot.n != KURA_SLOT_BYTES) {
        free(slot.p);
        return kura_state_fail(v, KURA_ERR_CORRUPT);
    }
    kura_sync_keys(v, key, key_id);
    sodium_memzero(key, sizeof key);
    memcpy(out, "KSLT", 4);
    out[4] = 1;
    memcpy(out + 5, v->id, KURA_VAULT_ID_BYTES);
    memcpy(out + 5 + 16, key_id, SYNC_KEY_ID);
    memcpy(out + 5 + 16 + SYNC_KEY_ID, slot.p, KURA_SLOT_BYTES);
    free(slot.p);
    return KURA_OK;
}

/* This copy's device id, made now if it has none. */
static int ensure_device(kura_vault *v, unsigned char device[KURA_DEVICE_ID_BYTES])
{
    int rc = kura_vault_device_id(v, device);
    if (rc != KURA_ERR_NOT_FOUND) return rc;
    rc = kura_vault_write_begin(v, NULL);
    if (rc != KURA_OK) return rc;
    rc = kura_stamp_ready(v);
    rc = kura_vault_write_end(v, rc, NULL);
    return rc == KURA_OK ? kura_vault_device_id(v, device) : rc;
}

typedef struct syncing {
    kura_vault *v;
    remote *r;
    char name[KURA_REMOTE_NAME_MAX + 1]; /* the remote's */
    outbox ob;
    kura_sync_report *rep;
    const char *device_name;
    unsigned char device[KURA_DEVICE_ID_BYTES];
    char dev[33], vdir[64];
} syncing;

static int add_conflict(kura_sync_report *rep, const unsigned char *id, size_t *cap)
{
    if (kura_grow(&rep->conflict_ids, cap, rep->conflicts, sizeof *rep->conflict_ids) != KURA_OK)
        return KURA_ERR_NOMEM;
    kura_hex(rep->conflict_ids[rep->conflicts++], id, KURA_ITEM_ID_BYTES);
    return KURA_OK;
}

/* Drops the change marks every remote has had (inside the write). */
static int prune_marks(kura_vault *v)
{
    kura_remotes r = {0};
    int rc = remotes_load(v, &r);
    uint64_t had = UINT64_MAX;
    for (size_t i = 0; rc == KURA_OK && i < r.count; i++) {
        pushed p;
        rc = pushed_load(v, r.remotes[i].name, &p);
        if (rc == KURA_OK && p.since < had) had = p.since;
    }
    free(r.remotes);
    return rc == KURA_OK && r.count ? kura_dirty_prune(v, had) : rc;
}

/* Merges what was read and seals this device's new records, in one transaction. */
static int merge_and_seal(syncing *sy, reading *rd, pushed *me, int lost)
{
    kura_vault *v = sy->v;
    kura_batch *b;
    kura_gbuf recs = {0}, all = {0};
    char name[65];
    size_t conflict_cap = 0;
    int rc = kura_batch_begin(v, &b);
    if (rc != KURA_OK) return rc;
    /* This device's records first: read the signed way, before the merge writes. */
    /* The first sync with a remote reads every item (what was written before it had one);
     * after it, the marks name what changed. */
    int first = me->seq == 0 && me->since == 0;
    rc = kura_sync_own(v, me->since, first, gather, &recs);
    /* This device's chain under an old key (a rotation since): a notice under that key
     * first, then everything again under the new one. */
    unsigned char key[KURA_KEYBYTES], key_id[SYNC_KEY_ID];
    kura_sync_keys(v, key, key_id);
    sodium_memzero(key, sizeof key);
    const unsigned char *old_vk = NULL;
    int rotated = me->seq > 0 && memcmp(me->key_id, key_id, SYNC_KEY_ID) != 0;
    if (rotated) old_vk = keyring_find(&rd->ring, me->key_id);
    int snap = lost || rotated || me->seq + 1 - me->snap >= SNAP_EVERY;
    if (rc == KURA_OK && snap) rc = kura_sync_own(v, 0, 1, gather, &all);
    /* The others' records, an item at a time. */
    if (rc == KURA_OK && rd->in.n) qsort(rd->in.s, rd->in.n, sizeof *rd->in.s, by_item);
    const unsigned char **rp = malloc((rd->in.n ? rd->in.n : 1) * sizeof *rp);
    size_t *lp = malloc((rd->in.n ? rd->in.n : 1) * sizeof *lp);
    kura_item *spare = kura_item_new();
    if (!rp || !lp || !spare) rc = KURA_ERR_NOMEM;
    /* The clock past every stamp read: this device's next version is newer than all. */
    uint64_t newest = 0;
    for (size_t i = 0; rc == KURA_OK && i < rd->in.n; i++)
        if (rd->in.s[i].len >= 5 + 8 && kura_get64(rd->in.s[i].rec + 5) > newest)
            newest = kura_get64(rd->in.s[i].rec + 5);
    if (rc == KURA_OK && newest) rc = kura_clock_observe(v, newest);
    for (size_t i = 0; rc == KURA_OK && i < rd->in.n;) {
        size_t j = i;
        while (j < rd->in.n && memcmp(rd->in.s[j].item, rd->in.s[i].item, 16) == 0) {
            rp[j - i] = rd->in.s[j].rec;
            lp[j - i] = rd->in.s[j].len;
            j++;
        }
        int changed, conflict;
        rc = kura_sync_apply(b, rd->in.s[i].item, rp, lp, j - i, me->since, spare, &changed,
                             &conflict);
        sy->rep->changed += (size_t)changed;
        if (rc == KURA_OK && conflict) rc = add_conflict(sy->rep, rd->in.s[i].item, &conflict_cap);
        i = j;
    }
    free(rp);
    free(lp);
    kura_item_free(spare);
    /* The content of the attachments the merged versions name. */
    if (rc == KURA_OK)
        rc = kura_files_pull(v, sy->r, sy->vdir, &rd->files, rd->in.s, rd->in.n, &sy->rep->files_in,
                             &sy->rep->files_waiting);
    sy->rep->in = rd->in.n;
    sy->rep->in_devices = rd->devices_new;
    if (rc == KURA_OK) rc = peers_store(v, sy->name, &rd->ps);
    /* This device's new file (and a snapshot now and then), into the outbox before the
     * commit that records them: sent after it, and again until the remote has them. */
    host_name(name, sy->device_name);
    const char *vname = kura_vault_name(v);
    if (rc == KURA_OK && rotated && old_vk) {
        unsigned char rec[KURA_ITEM_ID_BYTES + 5 + STAMP_BYTES + SYNC_KEY_ID], hash[32];
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        memcpy(rec, vault_record, KURA_ITEM_ID_BYTES);
        rec[16] = REC_NOTICE;
        kura_put32(rec + 17, STAMP_BYTES + SYNC_KEY_ID);
        kura_put64(rec + 21, ((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u) << 16);
        memcpy(rec + 29, sy->device, KURA_DEVICE_ID_BYTES);
        memcpy(rec + 45, key_id, SYNC_KEY_ID);
        kura_blob nb = {0};
        rc = kura_sync_seal(&nb, hash, v, old_vk, 'l', me->seq + 1, me->hash, sy->device, name,
                            vname, rec, sizeof rec);
        if (rc == KURA_OK) rc = outbox_put(&sy->ob, me->seq + 1, 'l', &nb);
        if (rc == KURA_OK) {
            me->seq++;
            memcpy(me->hash, hash, 32);
        }
        free(nb.p);
    }
    if (rc == KURA_OK) memcpy(me->key_id, key_id, SYNC_KEY_ID);
    if (rc == KURA_OK && first && !recs.n) { /* nothing of this device's: read every item once */
        uint64_t now = kura_clock_last(v);
        if (now > me->since) me->since = now;
    }
    /* What other devices said of the current key's generation, then what this one says. */
    uint32_t gen = 0;
    uint64_t made = 0;
    if (rc == KURA_OK && rd->gen) rc = kura_keygen_learn(v, rd->gen, rd->gen_made_ms);
    if (rc == KURA_OK) rc = kura_keygen_current(v, &gen, &made);
    unsigned char kg[KURA_ITEM_ID_BYTES + 5 + KEYGEN_LEN];
    memcpy(kg, vault_record, KURA_ITEM_ID_BYTES);
    kg[16] = REC_KEYGEN;
    kura_put32(kg + 17, KEYGEN_LEN);
    kura_put64(kg + 21, made << 16);
    kura_put32(kg + 21 + STAMP_BYTES, gen);
    if (rc == KURA_OK && (recs.n || snap)) {
        kura_blob log = {0}, sb = {0};
        unsigned char hash[32], shash[32];
        uint64_t seq = me->seq + 1;
        kura_gbuf lr = {0}, sr = {0}; /* the records, and the generation last */
        kura_gbuf_add(&lr, recs.p, recs.n);
        kura_gbuf_add(&lr, kg, sizeof kg);
        if (snap) kura_gbuf_add(&sr, all.p, all.n), kura_gbuf_add(&sr, kg, sizeof kg);
        if (lr.failed || sr.failed) rc = KURA_ERR_NOMEM;
        if (rc == KURA_OK)
            rc = kura_sync_seal(&log, hash, v, NULL, 'l', seq, me->hash, sy->device, name, vname,
                                lr.p, lr.n);
        if (rc == KURA_OK) rc = outbox_put(&sy->ob, seq, 'l', &log);
        if (rc == KURA_OK && snap) {
            rc = kura_sync_seal(&sb, shash, v, NULL, 's', seq, hash, sy->device, name, vname, sr.p,
                                sr.n);
            if (rc == KURA_OK) rc = outbox_put(&sy->ob, seq, 's', &sb);
            if (rc == KURA_OK) me->snap = seq, sy->rep->compacted = 1;
        }
        if (rc == KURA_OK) {
            uint64_t top = max_stamp(&recs);
            me->seq = seq;
            memcpy(me->hash, hash, 32);
            if (top > me->since) me->since = top;
            for (size_t off = 0; off + 16 + 5 <= recs.n; sy->rep->out++)
                off += 16 + 5 + kura_get32(recs.p + off + 16 + 1);
        }
        free(log.p), free(sb.p);
        kura_gbuf_free(&lr), kura_gbuf_free(&sr);
    }
    if (rc == KURA_OK) rc = pushed_store(v, sy->name, me);
    if (rc == KURA_OK) rc = prune_marks(v);
    kura_gbuf_free(&recs);
    kura_gbuf_free(&all);
    if (rc != KURA_OK) {
        kura_batch_abort(b);
        return kura_error_detail()[0] ? rc : kura_state_fail(v, rc);
    }
    return kura_batch_commit(b);
}

static int sync_once(syncing *sy, int *again)
{
    kura_vault *v = sy->v;
    remote *r = sy->r;
    reading rd = {.v = v, .r = r, .vdir = sy->vdir};
    unsigned char key[KURA_KEYBYTES];
    kura_sync_keys(v, key, rd.key_id);
    sodium_memzero(key, sizeof key);
    pushed me;
    char **names = NULL;
    size_t n = 0;
    *again = 0;
    int rc = kura_vault_read_begin(v, 0);
    if (rc != KURA_OK) return rc;
    rc = peers_load(v, sy->name, &rd.ps);
    if (rc == KURA_OK) rc = pushed_load(v, sy->name, &me);
    if (rc == KURA_OK) rc = keyring_load(v, &rd.ring);
    kura_vault_read_end(v);
    if (rc != KURA_OK) {
        free(rd.ps.p);
        keyring_free(&rd.ring);
        return kura_state_fail(v, rc);
    }
    /* A reset of this vault on the remote ends its syncing; the copy here stays. */
    char record[64];
    kura_blob rb;
    snprintf(record, sizeof record, "RESET-%s", v->id_text);
    if (r->ops->read(r, record, &rb) == KURA_OK) {
        char when[40] = "?", fresh[KURA_VAULT_ID_TEXT + 1] = "";
        reset_record_parse(rb.p, rb.n, when, fresh);
        free(rb.p);
        free(rd.ps.p);
        keyring_free(&rd.ring);
        return kura_fail(KURA_ERR_RESET,
                         "vault %s was reset on the remote on %s%s%s%s: this copy is no longer "
                         "synced, and still opens here with its key",
                         v->id_text, when, fresh[0] ? " (the new vault is " : "", fresh,
                         fresh[0] ? ")" : "");
    }
    /* Every other device's new files, checked, before anything changes here. */
    rc = r->ops->list(r, sy->vdir, &names, &n);
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        unsigned char device[KURA_DEVICE_ID_BYTES];
        if (strlen(names[i]) != 32 || kura_unhex(device, sizeof device, names[i]) != KURA_OK)
            continue;
        if (memcmp(device, sy->device, sizeof device) == 0) continue;
        rc = read_device(&rd, names[i], device);
    }
    /* Devices this one read before must still be there. */
    for (size_t i = 0; rc == KURA_OK && i < rd.ps.n; i++) {
        char hex[33];
        device_hex(hex, rd.ps.p[i].device);
        int there = 0;
        for (size_t k = 0; k < n; k++)
            there |= strcmp(names[k], hex) == 0;
        if (!there && rd.ps.p[i].seq)
            rc = kura_fail(KURA_ERR_ROLLED_BACK,
                           "device %.8s%s%s%s is gone from the remote, with the %" PRIu64
                           " files it wrote there; nothing was changed here",
                           hex, rd.ps.p[i].name[0] ? " (" : "", rd.ps.p[i].name,
                           rd.ps.p[i].name[0] ? ")" : "", rd.ps.p[i].seq);
    }
    free_names(names, n);
    /* This device's own folder: never ahead of what this vault wrote. */
    dev_files own = {0};
    if (rc == KURA_OK) rc = list_device(r, sy->vdir, sy->dev, &own);
    if (rc == KURA_OK && own.top > me.seq)
        rc = kura_fail(KURA_ERR_FORK,
                       "the remote holds %" PRIu64 " files from this device (%.8s) and this "
                       "vault file wrote %" PRIu64 ": it is a copy of another device's vault "
                       "file, or an older copy of this one; 'kura clone' sets up a device "
                       "afresh",
                       own.top, sy->dev, me.seq);
    int lost = rc == KURA_OK && me.seq > 0 && own.top < me.seq && !outbox_has(&sy->ob, me.seq);
    dev_files_free(&own);
    if (rc == KURA_OK) rc = kura_files_list(r, sy->vdir, &rd.files);
    if (rc == KURA_OK) rc = merge_and_seal(sy, &rd, &me, lost);
    /* Attachments before the logs that name them. */
    if (rc == KURA_OK)
        rc = kura_files_push(v, r, sy->vdir, sy->dev, &rd.files, &sy->rep->files_out);
    kura_files_free(&rd.files);
    sy->rep->behind = rd.behind;
    incoming_free(&rd.in);
    free(rd.ps.p);
    keyring_free(&rd.ring);
    unsigned char slot[SLOT_BYTES_ALL];
    if (rc == KURA_OK) rc = slot_file(v, slot);
    if (rc == KURA_OK) rc = send(r, &sy->ob, sy->vdir, sy->dev, &me, slot, sizeof slot);
    if (rc == KURA_OK) rc = r->ops->finish(r, again);
    if (rc == KURA_OK && !*again) outbox_clear(&sy->ob, &me);
    return rc;
}

int kura_sync(kura_vault *v, const kura_sync_opts *o, kura_sync_report *rep)
{
    static const kura_sync_opts none;
    char url[KURA_REMOTE_URL_MAX + 1];
    syncing sy = {.v = v, .rep = rep};
    memset(rep, 0, sizeof *rep);
    if (!o) o = &none;
    sy.device_name = o->device_name;
    int rc = kura_need_unlocked(v);
    if (rc == KURA_OK) rc = find_remote(v, o->remote, url, sy.name);
    if (rc == KURA_OK) rc = ensure_device(v, sy.device);
    if (rc != KURA_OK) return rc;
    device_hex(sy.dev, sy.device);
    vault_dir(sy.vdir, v);
    if (!v->state_dir)
        return kura_fail(KURA_ERR_INVALID, "no state folder (HOME is not set) for the outbox");
    snprintf(sy.ob.dir, sizeof sy.ob.dir, "%s/outbox/%s", v->state_dir, v->id_text);
    char *cache = o->cache_dir ? strdup(o->cache_dir) : kura_default_cache_dir();
    if (!cache) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    rc = kura_remote_open(&sy.r, url, cache);
    free(cache);
    if (rc != KURA_OK) return rc;
    int again = 1;
    for (int i = 0; rc == KURA_OK && again && i < ATTEMPTS; i++) {
        rc = sy.r->ops->begin(sy.r);
        if (rc == KURA_OK) rc = sync_once(&sy, &again);
    }
    if (rc == KURA_OK && again)
        rc = kura_fail(KURA_ERR_BUSY, "other devices kept writing to %s: try again", url);
    kura_remote_close(sy.r);
    if (rc == KURA_OK) remotes_note(v); /* a vault that synced before the note existed */
    return rc;
}

void kura_sync_report_free(kura_sync_report *r)
{
    if (!r) return;
    free(r->conflict_ids);
    r->conflict_ids = NULL;
}

int kura_sync_adopt(kura_vault *v, const kura_sync_opts *o, const kura_client_key *key)
{
    static const kura_sync_opts none;
    char url[KURA_REMOTE_URL_MAX + 1], name[KURA_REMOTE_NAME_MAX + 1], vdir[64];
    if (!o) o = &none;
    int rc = kura_need_unlocked(v);
    if (rc == KURA_OK) rc = find_remote(v, o->remote, url, name);
    if (rc != KURA_OK) return rc;
    char *cache = o->cache_dir ? strdup(o->cache_dir) : kura_default_cache_dir();
    remote *r = NULL;
    rc = cache ? kura_remote_open(&r, url, cache) : KURA_ERR_NOMEM;
    free(cache);
    if (rc == KURA_OK) rc = r->ops->begin(r);
    char **names = NULL;
    size_t n = 0;
    vault_dir(vdir, v);
    if (rc == KURA_OK) rc = r->ops->list(r, vdir, &names, &n);
    unsigned char *k = sodium_malloc(3 * KURA_KEYBYTES + KURA_KEYBYTES);
    unsigned char ours[SYNC_KEY_ID], id[SYNC_KEY_ID];
    if (!k) rc = KURA_ERR_NOMEM;
    int found = 0, same = 0;
    if (rc == KURA_OK) {
        kura_sync_keys(v, k, ours);
        kura_client_key_kek(k, k + KURA_KEYBYTES, key, v->id);
    }
    for (size_t i = 0; rc == KURA_OK && !found && i < n; i++) {
        char path[128];
        kura_blob b;
        snprintf(path, sizeof path, "%s/%s/slot", vdir, names[i]);
        if (r->ops->read(r, path, &b) != KURA_OK) continue;
        if (b.n == SLOT_BYTES_ALL && memcmp(b.p, "KSLT", 4) == 0 &&
            memcmp(b.p + 5, v->id, KURA_VAULT_ID_BYTES) == 0 &&
            kura_slot_open(k + 2 * KURA_KEYBYTES, b.p + 5 + 16 + SYNC_KEY_ID, KURA_SLOT_BYTES, k,
                           k + KURA_KEYBYTES, v->id) == KURA_OK) {
            kura_sync_keys_of(k + 2 * KURA_KEYBYTES, k + 3 * KURA_KEYBYTES, id);
            if (memcmp(id, ours, SYNC_KEY_ID) == 0)
                same = 1;
            else if (memcmp(id, b.p + 5 + 16, SYNC_KEY_ID) == 0)
                found = 1;
        }
        free(b.p);
    }
    free_names(names, n);
    kura_remote_close(r);
    if (rc == KURA_OK && found)
        rc = kura_vault_rekey_to(v, k + 2 * KURA_KEYBYTES, key);
    else if (rc == KURA_OK && same)
        rc = kura_fail(KURA_ERR_INVALID,
                       "this is the key vault %s has already; the new one is "
                       "on the kit made by the rotation",
                       v->id_text);
    else if (rc == KURA_OK)
        rc = kura_fail(KURA_ERR_WRONG_KEY, "this key opens no newer key of vault %s on %s",
                       v->id_text, url);
    sodium_free(k);
    return rc;
}

/* ---- a reset of the remote ---- */

/* RESET-<old vault id>, text: "kura reset record", then "old vault: ID", "new vault: ID" (or
 * none) and "when: YYYY-MM-DDTHH:MM:SSZ", a line each. Signed by no one: whoever resets may
 * hold no key. */
static void reset_record_parse(const unsigned char *p, size_t n, char when[40],
                               char fresh[KURA_VAULT_ID_TEXT + 1])
{
    char text[512];
    snprintf(text, sizeof text, "%.*s", (int)(n < sizeof text - 1 ? n : sizeof text - 1),
             (const char *)p);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "when: ", 6) == 0 &&
            strspn(line + 6, "0123456789-T:Z") == strlen(line + 6))
            snprintf(when, 40, "%.30s", line + 6);
        if (strncmp(line, "new vault: ", 11) == 0 && strlen(line + 11) == KURA_VAULT_ID_TEXT &&
            strspn(line + 11, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == KURA_VAULT_ID_TEXT)
            snprintf(fresh, KURA_VAULT_ID_TEXT + 1, "%s", line + 11);
    }
}

/* The one vault the remote holds (its folder's name without "kura-"); KURA_ERR_NOT_FOUND. */
static int remote_vault(remote *r, char id[KURA_VAULT_ID_TEXT + 1], const char *url)
{
    char **names = NULL;
    size_t n = 0, vaults = 0;
    int rc = r->ops->list(r, "", &names, &n);
    for (size_t i = 0; rc == KURA_OK && i < n; i++)
        if (strncmp(names[i], "kura-", 5) == 0 && strlen(names[i]) == 5 + KURA_VAULT_ID_TEXT) {
            vaults++;
            snprintf(id, KURA_VAULT_ID_TEXT + 1, "%s", names[i] + 5);
        }
    free_names(names, n);
    if (rc == KURA_OK && vaults == 0)
        rc = kura_fail(KURA_ERR_NOT_FOUND, "%s holds no kura vault", url);
    else if (rc == KURA_OK && vaults > 1)
        rc = kura_fail(KURA_ERR_INVALID, "%s holds %zu kura vaults; give each its own remote", url,
                       vaults);
    return rc;
}

static int count_files(remote *r, const char *dir, size_t *count)
{
    char **names = NULL;
    size_t n = 0;
    int rc = r->ops->list(r, dir, &names, &n);
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s/%s", dir, names[i]);
        char **inner = NULL;
        size_t k = 0;
        if (r->ops->list(r, sub, &inner, &k) == KURA_OK && k)
            *count += k;
        else
            (*count)++;
        free_names(inner, k);
    }
    free_names(names, n);
    return rc;
}

int kura_remote_peek(const char *url, const char *cache_dir, char id[KURA_VAULT_ID_TEXT + 1],
                     size_t *files)
{
    remote *r = NULL;
    char *cache = cache_dir ? strdup(cache_dir) : kura_default_cache_dir();
    int rc = cache ? kura_remote_open(&r, url, cache) : KURA_ERR_NOMEM;
    free(cache);
    if (rc == KURA_OK) rc = r->ops->begin(r);
    if (rc == KURA_OK) rc = remote_vault(r, id, url);
    *files = 0;
    if (rc == KURA_OK) {
        char vdir[64];
        snprintf(vdir, sizeof vdir, "kura-%s", id);
        rc = count_files(r, vdir, files);
    }
    kura_remote_close(r);
    return rc;
}

int kura_remote_reset(const char *url, const char *cache_dir, const char *old_id,
                      const char *new_id, size_t *files)
{
    remote *r = NULL;
    char *cache = cache_dir ? strdup(cache_dir) : kura_default_cache_dir();
    int rc = cache ? kura_remote_open(&r, url, cache) : KURA_ERR_NOMEM;
    free(cache);
    char vdir[64], record[64], text[256], when[32];
    *files = 0;
    if (rc == KURA_OK) rc = r->ops->begin(r);
    snprintf(vdir, sizeof vdir, "kura-%s", old_id);
    if (rc == KURA_OK) rc = count_files(r, vdir, files);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(record, sizeof record, "RESET-%s", old_id);
    int len =
        snprintf(text, sizeof text, "kura reset record\nold vault: %s\nnew vault: %s\nwhen: %s\n",
                 old_id, new_id && *new_id ? new_id : "none", when);
    if (rc == KURA_OK) rc = r->ops->wipe(r, vdir, record, text, (size_t)len);
    kura_remote_close(r);
    return rc;
}

/* ---- remotes by URL ---- */

int kura_remote_is_folder(const char *url)
{
    if (strncmp(url, "file://", 7) == 0) return 1;
    if (strstr(url, "://") || strchr(url, '@')) return 0; /* ssh, https, git; user@host:path */
    /* A path: a git repository (bare, or with .git) is git's; any other folder a folder. */
    char probe[4200];
    struct stat sb;
    snprintf(probe, sizeof probe, "%s/HEAD", url);
    if (stat(probe, &sb) == 0) return 0;
    snprintf(probe, sizeof probe, "%s/.git", url);
    if (stat(probe, &sb) == 0) return 0;
    return 1;
}

int kura_remote_open(remote **out, const char *url, const char *cache)
{
    *out = NULL;
    if (kura_remote_is_folder(url)) return kura_remote_folder(out, url);
    return kura_remote_git(out, url, cache);
}

void kura_remote_close(remote *r)
{
    if (r) r->ops->close(r);
}

/* ---- a clone ---- */

struct kura_clone {
    remote *r;
    char *url;
    unsigned char id[KURA_VAULT_ID_BYTES];
    char id_text[KURA_VAULT_ID_TEXT + 1];
    unsigned char (*slots)[SLOT_BYTES_ALL];
    size_t n_slots;
};

void kura_clone_free(kura_clone *c)
{
    if (!c) return;
    kura_remote_close(c->r);
    free(c->url);
    free(c->slots);
    free(c);
}

const char *kura_clone_vault_id(const kura_clone *c)
{
    return c->id_text;
}

int kura_clone_fetch(kura_clone **out, const char *url, const char *cache_dir)
{
    *out = NULL;
    kura_clone *c = calloc(1, sizeof *c);
    if (!c || !(c->url = strdup(url))) {
        free(c);
        return kura_fail(KURA_ERR_NOMEM, "out of memory");
    }
    char *cache = cache_dir ? strdup(cache_dir) : kura_default_cache_dir();
    int rc = cache ? kura_remote_open(&c->r, url, cache) : KURA_ERR_NOMEM;
    free(cache);
    if (rc == KURA_OK) rc = c->r->ops->begin(c->r);
    char **names = NULL, vdir[64] = "";
    size_t n = 0, vaults = 0;
    if (rc == KURA_OK) rc = c->r->ops->list(c->r, "", &names, &n);
    for (size_t i = 0; rc == KURA_OK && i < n; i++)
        if (strncmp(names[i], "kura-", 5) == 0 && strlen(names[i]) == 5 + KURA_VAULT_ID_TEXT) {
            vaults++;
            snprintf(vdir, sizeof vdir, "%s", names[i]);
        }
    free_names(names, n);
    if (rc == KURA_OK && vaults == 0)
        rc = kura_fail(KURA_ERR_NOT_FOUND,
                       "%s holds no kura vault (no device has synced to it yet)", url);
    else if (rc == KURA_OK && vaults > 1)
        rc = kura_fail(KURA_ERR_INVALID, "%s holds %zu kura vaults; give each its own remote", url,
                       vaults);
    names = NULL, n = 0;
    if (rc == KURA_OK) rc = c->r->ops->list(c->r, vdir, &names, &n);
    size_t cap = 0;
    for (size_t i = 0; rc == KURA_OK && i < n; i++) {
        char path[128];
        kura_blob b;
        snprintf(path, sizeof path, "%s/%s/slot", vdir, names[i]);
        if (c->r->ops->read(c->r, path, &b) != KURA_OK) continue;
        char text[KURA_VAULT_ID_TEXT + 1];
        if (b.n == SLOT_BYTES_ALL && memcmp(b.p, "KSLT", 4) == 0 && b.p[4] == 1) {
            kura_id_text(text, b.p + 5);
            if (strcmp(vdir + 5, text) == 0 &&
                kura_grow(&c->slots, &cap, c->n_slots, sizeof *c->slots) == KURA_OK) {
                memcpy(c->slots[c->n_slots++], b.p, SLOT_BYTES_ALL);
                memcpy(c->id, b.p + 5, KURA_VAULT_ID_BYTES);
                memcpy(c->id_text, text, sizeof text);
            }
        }
        free(b.p);
    }
    free_names(names, n);
    if (rc == KURA_OK && !c->n_slots)
        rc = kura_fail(KURA_ERR_TAMPERED, "%s holds vault %s but no device's key slot for it", url,
                       vdir + 5);
    if (rc != KURA_OK) {
        kura_clone_free(c);
        return rc;
    }
    *out = c;
    return KURA_OK;
}

/* The vault's name, from the newest file of any device it can open. */
static void clone_name(kura_clone *c, const unsigned char *vk, char name[257])
{
    kura_vault tmp;
    memset(&tmp, 0, sizeof tmp);
    name[0] = '\0';
    memcpy(tmp.id, c->id, sizeof tmp.id);
    tmp.keys = sodium_malloc(VAULT_KEYS);
    if (!tmp.keys) return;
    memcpy(tmp.keys, vk, KURA_KEYBYTES);
    char vdir[64], **names = NULL;
    size_t n = 0;
    snprintf(vdir, sizeof vdir, "kura-%s", c->id_text);
    if (c->r->ops->list(c->r, vdir, &names, &n) == KURA_OK)
        for (size_t i = 0; !name[0] && i < n; i++) {
            unsigned char device[KURA_DEVICE_ID_BYTES];
            dev_files d;
            if (kura_unhex(device, sizeof device, names[i]) != KURA_OK ||
                list_device(c->r, vdir, names[i], &d) != KURA_OK)
                continue;
            char kind = has_seq(d.logs, d.n_logs, d.top) ? 'l' : 's';
            char path[128];
            kura_blob b;
            file_path(path, vdir, names[i], d.top, kind);
            if (d.top && c->r->ops->read(c->r, path, &b) == KURA_OK) {
                sync_file f;
                if (kura_sync_open(&f, &tmp, NULL, device, b.p, b.n) == KURA_OK)
                    snprintf(name, 257, "%s", f.vault_name);
                kura_sync_file_free(&f);
                free(b.p);
            }
            dev_files_free(&d);
        }
    free_names(names, n);
    sodium_free(tmp.keys);
}

int kura_clone_make(kura_clone *c, const kura_client_key *key, const char *path, kura_vault **out)
{
    *out = NULL;
    unsigned char *k = sodium_malloc(3 * KURA_KEYBYTES);
    if (!k) return kura_fail(KURA_ERR_NOMEM, "out of memory");
    unsigned char *wrap = k, *commit = k + KURA_KEYBYTES, *vk = k + 2 * KURA_KEYBYTES;
    kura_client_key_kek(wrap, commit, key, c->id);
    int rc = KURA_ERR_WRONG_KEY;
    for (size_t i = 0; rc != KURA_OK && i < c->n_slots; i++) {
        int got = kura_slot_open(vk, c->slots[i] + 5 + 16 + SYNC_KEY_ID, KURA_SLOT_BYTES, wrap,
                                 commit, c->id);
        if (got == KURA_OK) rc = KURA_OK;
    }
    if (rc != KURA_OK) {
        sodium_free(k);
        return kura_fail(KURA_ERR_WRONG_KEY, "this key does not open vault %s on %s", c->id_text,
                         c->url);
    }
    char name[257];
    clone_name(c, vk, name);
    /* A clone cut short before may have left this device's record of the vault: the new file
     * starts above it and takes it over (the same vault, made anew), as a salvage does. */
    kura_vault probe;
    memset(&probe, 0, sizeof probe);
    memcpy(probe.id, c->id, KURA_VAULT_ID_BYTES);
    kura_id_text(probe.id_text, c->id);
    probe.state_dir = kura_default_state_dir();
    uint64_t seen = probe.state_dir ? kura_state_seen_gen(&probe) : 0;
    free(probe.state_dir);
    rc = kura_vault_make(out, path, c->id, vk, key, name[0] ? name : NULL, seen + 1, seen > 0);
    sodium_free(k);
    if (rc != KURA_OK) {
        kura_vault_close(*out);
        *out = NULL;
        return rc;
    }
    rc = kura_remote_add(*out, "origin", c->url); /* and this device's note of it */
    if (rc != KURA_OK) {
        kura_vault_close(*out);
        *out = NULL;
        unlink(path);
    }
    return rc;
}

void kura_clone_discard(kura_vault *v)
{
    if (!v) return;
    char seen[4200] = "", out[4200] = "", *path = strdup(v->path);
    if (v->state_dir) {
        snprintf(seen, sizeof seen, "%s/%s.seen", v->state_dir, v->id_text);
        snprintf(out, sizeof out, "%s/outbox/%s", v->state_dir, v->id_text);
    }
    kura_vault_close(v);
    if (path) kura_shred(path);
    free(path);
    if (seen[0]) unlink(seen);
    DIR *d = out[0] ? opendir(out) : NULL;
    if (d) {
        struct dirent *e;
        char file[4400];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.' &&
                snprintf(file, sizeof file, "%s/%s", out, e->d_name) < (int)sizeof file)
                unlink(file);
        closedir(d);
        rmdir(out);
    }
}

int kura_remotes_noted(char **out, const char *state_dir, const char *vault_id)
{
    char path[4200];
    unsigned char *p;
    size_t n;
    *out = NULL;
    char *dir = state_dir ? strdup(state_dir) : kura_default_state_dir();
    if (!dir) return KURA_ERR_NOMEM;
    snprintf(path, sizeof path, "%s/%s.remotes", dir, vault_id);
    free(dir);
    int rc = kura_read_small(&p, &n, path, 1 << 20);
    if (rc != KURA_OK) return rc;
    *out = malloc(n + 1);
    if (*out) {
        memcpy(*out, p, n);
        (*out)[n] = '\0';
    }
    sodium_free(p);
    return *out ? KURA_OK : KURA_ERR_NOMEM;
}
