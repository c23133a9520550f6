/* KeePass 2 XML (what KeePass's "KeePass XML (2.x)" and `keepassxc-cli export --format xml`
 * write), read with libxml2: groups become tags (their path below the root group), custom
 * strings become fields (hidden when marked ProtectInMemory), KeePassXC's otp, KeePass's
 * TimeOtp-* and the plugins' TOTP Seed/TOTP Settings the otp field, KP2A_URL strings more URLs.
 * Entry history and the recycle bin are skipped. The same stream reads KeePassX 0.4's XML
 * (<database>, its groups' <title>, entries of title, username, password, url, comment with
 * <br/> for line breaks, bin and bindesc); its Backup group and Meta-Info entries are
 * skipped. */
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <sodium.h>
#include <zlib.h>

#include "common.h"

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = budget_malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static int named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (named(c, name)) return c;
    return NULL;
}

/* An element's text (NULL if none); free with xmlFree. */
static char *text_of(const xmlNode *n)
{
    return n ? (char *)xmlNodeGetContent(n) : NULL;
}

static int attr_true(const xmlNode *n, const char *name)
{
    xmlChar *a = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    int yes = a && same_word((const char *)a, "true");
    xmlFree(a);
    return yes;
}

/* KeePass times: ISO 8601, or (KDBX 4) base64 of seconds since 0001-01-01, 64-bit LE. */
static int64_t kp_time(const xmlNode *times, const char *name)
{
    char *s = text_of(child(times, name));
    int64_t t = kura_time_parse(s, 0);
    unsigned char b[8];
    size_t n;
    if (!t && s &&
        sodium_base642bin(b, sizeof b, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
        n == 8) {
        uint64_t secs = 0;
        for (int i = 7; i >= 0; i--)
            secs = secs << 8 | b[i];
        t = secs > 62135596800u ? (int64_t)(secs - 62135596800u) : 0;
    }
    xmlFree(s);
    return t;
}

/* The strings KeePass 2 (TimeOtp-*) and the KeeOtp/TrayTOTP plugins that KeePassXC read
 * ("TOTP Seed", "TOTP Settings") keep a TOTP in: read together by otp_of. */
static int otp_key(const char *key)
{
    return strncmp(key, "TimeOtp-", 8) == 0 || strcmp(key, "TOTP Seed") == 0 ||
           strcmp(key, "TOTP Settings") == 0;
}

/* The value of the entry's string called key (xmlFree it), or NULL; *protected set if it is
 * encrypted with the database's inner key. */
static char *string_value(const xmlNode *e, const char *key, int *protected)
{
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!named(c, "String")) continue;
        char *k = text_of(child(c, "Key"));
        int hit = k && strcmp(k, key) == 0;
        xmlFree(k);
        if (!hit) continue;
        const xmlNode *v = child(c, "Value");
        if (attr_true(v, "Protected")) *protected = 1;
        return text_of(v);
    }
    return NULL;
}

/* bytes as unpadded base32 (RFC 4648) into out (2 * n + 8 bytes). */
static void base32(char *out, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t o = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << 8 | p[i], bits += 8;
        while (bits >= 5)
            out[o++] = a[(acc >> (bits -= 5)) & 31];
    }
    if (bits) out[o++] = a[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}

/* An entry's TOTP in KeePass's own strings (TimeOtp-Secret-Base32, -Hex, -Base64 or the UTF-8
 * TimeOtp-Secret, with TimeOtp-Length, -Period and -Algorithm) or the plugins' ("TOTP Seed",
 * base32, and "TOTP Settings", "PERIOD;DIGITS" with S for Steam): the otp field, as an
 * otpauth URI kura reads. */
static const char *otp_of(kura_item *it, const xmlNode *e)
{
    int protected = 0;
    char *seed = string_value(e, "TOTP Seed", &protected);
    char *settings = string_value(e, "TOTP Settings", &protected);
    char *b32 = string_value(e, "TimeOtp-Secret-Base32", &protected);
    char *hex = string_value(e, "TimeOtp-Secret-Hex", &protected);
    char *b64 = string_value(e, "TimeOtp-Secret-Base64", &protected);
    char *utf8 = string_value(e, "TimeOtp-Secret", &protected);
    char *len = string_value(e, "TimeOtp-Length", &protected);
    char *period = string_value(e, "TimeOtp-Period", &protected);
    char *alg = string_value(e, "TimeOtp-Algorithm", &protected);
    const char *why = NULL;
    char *secret = NULL; /* base32 */
    unsigned char raw[512];
    size_t n = 0;
    int have_raw = 0;
    if (protected) {
        why = "a value encrypted with its database's inner key (export the database as XML "
              "first: KeePass's or keepassxc-cli's XML export writes values in the clear)";
    } else if (b32 || seed) {
        const char *given = b32 ? b32 : seed;
        size_t bytes = strlen(given) + 1;
        if ((secret = budget_malloc(bytes))) memcpy(secret, given, bytes);
    } else if (hex) {
        have_raw = sodium_hex2bin(raw, sizeof raw, hex, strlen(hex), " ", &n, NULL) == 0;
    } else if (b64) {
        have_raw = sodium_base642bin(raw, sizeof raw, b64, strlen(b64), " \r\n", &n, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) == 0;
    } else if (utf8 && strlen(utf8) <= sizeof raw) {
        n = strlen(utf8);
        memcpy(raw, utf8, n);
        have_raw = 1;
    }
    if (!why && have_raw && (secret = budget_malloc(2 * n + 8))) base32(secret, raw, n);
    if (!why && (hex || b64 || utf8) && !have_raw && !secret)
        why = put_field(it, "totp (unreadable)", hex ? hex : b64 ? b64 : utf8, 1);
    if (!why && secret) {
        char uri[1400], extra[80] = "";
        unsigned p = 30, d = 6;
        int steam = 0;
        if (settings) { /* "30;6", "30;8", "30;S" */
            char *semi = strchr(settings, ';');
            p = (unsigned)strtoul(settings, NULL, 10);
            if (semi && (semi[1] == 'S' || semi[1] == 's'))
                steam = 1;
            else if (semi)
                d = (unsigned)strtoul(semi + 1, NULL, 10);
        }
        if (period) p = (unsigned)strtoul(period, NULL, 10);
        if (len) d = (unsigned)strtoul(len, NULL, 10);
        if (!p) p = 30;
        if (steam)
            snprintf(extra, sizeof extra, "&encoder=steam");
        else if (alg && strstr(alg, "256"))
            snprintf(extra, sizeof extra, "&algorithm=SHA256");
        else if (alg && strstr(alg, "512"))
            snprintf(extra, sizeof extra, "&algorithm=SHA512");
        if (snprintf(uri, sizeof uri, "otpauth://totp/kura?secret=%s&period=%u&digits=%u%s", secret,
                     p, d, extra) < (int)sizeof uri)
            why = put_otp(it, uri);
        else
            why = put_field(it, "totp (unreadable)", secret, 1);
        sodium_memzero(uri, sizeof uri);
    }
    sodium_memzero(raw, sizeof raw);
    if (secret) wiping_free(secret);
    char *all[] = {seed, settings, b32, hex, b64, utf8, len, period, alg};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        xmlFree(all[i]);
    return why;
}

/* One String element; more_urls: this pass takes only KP2A_URL strings, the other all else
 * (so URL comes first however the strings are ordered). */
static const char *string_of(kura_item *it, const xmlNode *s, int more_urls)
{
    char *key = text_of(child(s, "Key"));
    if (key && otp_key(key)) { /* otp_of reads these together */
        xmlFree(key);
        return NULL;
    }
    if (key && (strncmp(key, "KP2A_URL", 8) == 0) != more_urls) {
        xmlFree(key);
        return NULL;
    }
    const xmlNode *vn = child(s, "Value");
    char *value = text_of(vn);
    const char *why = NULL;
    if (!key) {
        why = "a string without a key";
    } else if (attr_true(vn, "Protected")) {
        why = "a value encrypted with its database's inner key (export the database as XML "
              "first: KeePass's or keepassxc-cli's XML export writes values in the clear)";
    } else if (strcmp(key, "Title") == 0) {
        why = put_text(it, KURA_TITLE, value);
    } else if (strcmp(key, "UserName") == 0) {
        why = put_text(it, KURA_USERNAME, value);
    } else if (strcmp(key, "Password") == 0) {
        why = put_text(it, KURA_PASSWORD, value);
    } else if (strcmp(key, "Notes") == 0) {
        why = put_text(it, KURA_NOTES, value);
    } else if (strcmp(key, "URL") == 0 || strncmp(key, "KP2A_URL", 8) == 0) {
        why = put_urls(it, value, "\n");
    } else if (strcmp(key, "otp") == 0) {
        why = put_otp(it, value);
    } else {
        why = put_field(it, key, value, attr_true(vn, "ProtectInMemory"));
    }
    xmlFree(key);
    xmlFree(value);
    return why;
}

static const char *entry_of(kura_item *it, const xmlNode *e, const char *group)
{
    const char *why = NULL;
    for (int pass = 0; pass < 2; pass++)
        for (const xmlNode *c = e->children; c && !why; c = c->next)
            if (named(c, "String")) why = string_of(it, c, pass);
    if (!why && !kura_item_field(it, KURA_OTP_FIELD)) why = otp_of(it, e);
    if (!why) why = put_tag(it, group);
    char *tags = why ? NULL : text_of(child(e, "Tags"));
    if (tags) {
        why = put_tags(it, tags, ";,");
        xmlFree(tags);
    }
    const xmlNode *times = child(e, "Times");
    it->created = kp_time(times, "CreationTime");
    it->updated = kp_time(times, "LastModificationTime");
    return why;
}

/* ---- KeePassX 0.4 ---- */

/* A comment's text, its <br/> elements line breaks; budget_malloc'd (wiping_free it). */
static char *kpx_comment(const xmlNode *c)
{
    size_t len = 1;
    for (const xmlNode *n = c ? c->children : NULL; n; n = n->next)
        len += n->type == XML_TEXT_NODE && n->content ? strlen((const char *)n->content) : 1;
    char *out = budget_malloc(len);
    if (!out) return NULL;
    size_t at = 0;
    for (const xmlNode *n = c ? c->children : NULL; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content) {
            size_t k = strlen((const char *)n->content);
            memcpy(out + at, n->content, k);
            at += k;
        } else if (named(n, "br")) {
            out[at++] = '\n';
        }
    }
    out[at] = '\0';
    return out;
}

static const char *kpx_entry_of(kura_item *it, const xmlNode *e, const char *group)
{
    static const struct {
        const char *el;
        int text;
    } texts[] = {{"title", KURA_TITLE}, {"username", KURA_USERNAME}, {"password", KURA_PASSWORD}};
    const char *why = NULL;
    for (size_t i = 0; i < 3 && !why; i++) {
        char *v = text_of(child(e, texts[i].el));
        why = put_text(it, (enum kura_item_text)texts[i].text, v);
        xmlFree(v);
    }
    char *url = why ? NULL : text_of(child(e, "url"));
    if (url) why = put_urls(it, url, "\n");
    xmlFree(url);
    if (!why && it->title && strcmp(it->title, "Meta-Info") == 0 && it->username &&
        strcmp(it->username, "SYSTEM") == 0)
        return "KeePassX's own settings (Meta-Info), not an item";
    if (!why && child(e, "comment")) {
        char *notes = kpx_comment(child(e, "comment"));
        why = notes ? put_text(it, KURA_NOTES, notes) : "out of memory";
        wiping_free(notes);
    }
    if (!why) why = put_group(it, group, 0);
    char *expire = why ? NULL : text_of(child(e, "expire"));
    if (expire && strcmp(expire, "Never") != 0) why = put_field(it, "expires", expire, 0);
    xmlFree(expire);
    char *t = text_of(child(e, "creation"));
    it->created = kura_time_parse(t, 0);
    xmlFree(t);
    t = text_of(child(e, "lastmod"));
    it->updated = kura_time_parse(t, 0);
    xmlFree(t);
    return why;
}

/* The file is read as a stream (an xmlTextReader), one entry expanded at a time, so memory
 * stays that of one entry however large the file: the stack holds, for each open element, what
 * it is and (for groups) the group's path and whether it is the recycle bin or inside it. */
#define MAX_DEPTH 300 /* libxml2 refuses nesting deeper than 256 */

enum kind { OTHER, FILE_EL, META, ROOT, GROUP };

typedef struct level {
    enum kind kind;
    int binned;
    char *path; /* groups: the path below the root group ("" for the root group itself) */
} level;

enum status { GOING, NOT_KEEPASS, STOPPED, NO_MEMORY, BAD_XML };

/* A file of the database's (Meta/Binaries), by its ID; entries refer to it. */
typedef struct binary {
    char *id;
    unsigned char *p; /* budget_malloc (wiped when freed) */
    size_t n;
    int too_big; /* over KURA_MAX_ATTACHMENT: not kept */
} binary;

typedef struct stream {
    reader *r;
    int kpx; /* KeePassX 0.4's layout */
    enum status status;
    binary *bins;
    size_t n_bins;
    size_t fed;        /* bytes handed to libxml2 */
    int open;          /* elements open where the reader is */
    char *recycle_bin; /* the recycle bin group's UUID text */
    int groups;
    level at[MAX_DEPTH];
} stream;

/* ---- attachments: Meta/Binaries (base64, gzip when Compressed="True"), entries' Binary
 * elements naming one by Ref or holding one inline ---- */

/* Inflates a gzip (or zlib) stream into *out (budget_malloc): 0 on success, 1 if the result
 * would pass KURA_MAX_ATTACHMENT, -1 if it is not one or memory ran out. */
static int gunzip(const unsigned char *in, size_t n, unsigned char **out, size_t *outlen)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 32) != Z_OK) return -1;
    size_t cap = n * 4 + 4096, len = 0;
    unsigned char *buf = budget_malloc(cap);
    int zr = Z_OK, res = 0;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    while (buf && zr == Z_OK) {
        if (len == cap) {
            if (cap > KURA_MAX_ATTACHMENT) {
                res = 1;
                break;
            }
            unsigned char *grown = wiping_realloc(buf, cap * 2);
            if (!grown) break;
            buf = grown, cap *= 2;
        }
        z.next_out = buf + len;
        z.avail_out = (uInt)(cap - len);
        zr = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (res == 0 && (zr != Z_STREAM_END || !buf)) res = -1;
    if (res == 0 && len > KURA_MAX_ATTACHMENT) res = 1;
    if (res != 0) {
        wiping_free(buf);
        return res;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* A base64 text (whitespace allowed), inflated when compressed, into b. */
static int decode_binary(binary *b, const char *text, int compressed)
{
    size_t len = text ? strlen(text) : 0, n = 0;
    unsigned char *raw = budget_malloc(len / 4 * 3 + 4);
    if (!raw) return -1;
    if (sodium_base642bin(raw, len / 4 * 3 + 4, text ? text : "", len, " \t\r\n", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        wiping_free(raw);
        return -1;
    }
    if (!compressed) {
        b->p = raw, b->n = n;
        b->too_big = n > KURA_MAX_ATTACHMENT;
        return 0;
    }
    int r = gunzip(raw, n, &b->p, &b->n);
    wiping_free(raw);
    if (r == 1) b->too_big = 1, r = 0;
    return r;
}

static void read_binaries(stream *s, const xmlNode *list)
{
    for (const xmlNode *c = list ? list->children : NULL; c; c = c->next) {
        if (!named(c, "Binary")) continue;
        binary *grown = realloc(s->bins, (s->n_bins + 1) * sizeof *grown);
        if (!grown) {
            s->status = NO_MEMORY;
            return;
        }
        s->bins = grown;
        binary *b = &s->bins[s->n_bins];
        *b = (binary){0};
        b->id = (char *)xmlGetProp(c, (const xmlChar *)"ID");
        char *text = text_of(c);
        if (decode_binary(b, text, attr_true(c, "Compressed")) != 0) b->too_big = -1;
        xmlFree(text);
        s->n_bins++;
    }
}

/* Each Binary of entry e to the sink: 1 if it said stop. */
static int entry_files(stream *s, const xmlNode *e)
{
    for (const xmlNode *c = e->children; c; c = c->next) {
        if (!named(c, "Binary")) continue;
        char *key = text_of(child(c, "Key"));
        const xmlNode *v = child(c, "Value");
        char *ref = v ? (char *)xmlGetProp(v, (const xmlChar *)"Ref") : NULL;
        binary inline_bin = {0}, *b = NULL;
        if (ref) {
            for (size_t i = 0; i < s->n_bins && !b; i++)
                if (s->bins[i].id && strcmp(s->bins[i].id, ref) == 0) b = &s->bins[i];
        } else if (v && attr_true(v, "Protected")) {
            rd_dropped(s->r, "attachments (encrypted with the database's inner key: export the "
                             "database as XML from KeePass or keepassxc-cli)");
        } else if (v) {
            char *text = text_of(v);
            if (decode_binary(&inline_bin, text, attr_true(v, "Compressed")) != 0)
                inline_bin.too_big = -1;
            xmlFree(text);
            b = &inline_bin;
        }
        int stop = 0;
        if (b && b->too_big > 0)
            rd_dropped(s->r, "attachments (over 100 MiB)");
        else if (b && b->too_big < 0)
            rd_dropped(s->r, "attachments (not valid base64 or gzip)");
        else if (b)
            stop = rd_attach(s->r, key && *key ? key : "attachment",
                             b->p ? b->p : (unsigned char *)"", b->n);
        else if (ref)
            rd_dropped(s->r, "attachments (the file names them but does not hold them)");
        wiping_free(inline_bin.p);
        xmlFree(key);
        xmlFree(ref);
        if (stop) return 1;
    }
    return 0;
}

/* A KeePassX entry's one file: bin (base64), named by bindesc. Non-zero: stop. */
static int kpx_files(stream *s, const xmlNode *e)
{
    char *name = text_of(child(e, "bindesc")), *text = text_of(child(e, "bin"));
    int stop = 0;
    if (text && *text) {
        binary b = {0};
        if (decode_binary(&b, text, 0) != 0 || b.too_big < 0)
            rd_dropped(s->r, "attachments (not valid base64)");
        else if (b.too_big > 0)
            rd_dropped(s->r, "attachments (over 100 MiB)");
        else
            stop = rd_attach(s->r, name && *name ? name : "attachment",
                             b.p ? b.p : (unsigned char *)"", b.n);
        wiping_free(b.p);
    }
    xmlFree(name);
    xmlFree(text);
    return stop;
}

static int feed(void *ctx, char *buf, int len)
{
    stream *s = ctx;
    size_t n = s->r->len - s->fed < (size_t)len ? s->r->len - s->fed : (size_t)len;
    memcpy(buf, s->r->text + s->fed, n);
    s->fed += n;
    return (int)n;
}

static int no_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* parent's path, "/", name (the root group's own path is ""). */
static char *sub_path(const level *parent, const char *name)
{
    if (parent->kind != GROUP) return copy_string("");
    const char *p = parent->path ? parent->path : "";
    size_t n = strlen(p) + strlen(name) + 2;
    char *sub = malloc(n);
    if (sub) snprintf(sub, n, "%s%s%s", p, *p ? "/" : "", name);
    return sub;
}

/* KeePassX's element the reader is on (below <database>): as element() does. */
static int kpx_element(stream *s, xmlTextReaderPtr x, int d, const char *name)
{
    level *parent = &s->at[d - 1], *me = &s->at[d];
    if (parent->kind != ROOT && parent->kind != GROUP) return 1;
    if (strcmp(name, "group") == 0) {
        me->kind = GROUP;
        me->binned = parent->binned;
        me->path = copy_string(parent->kind == GROUP && parent->path ? parent->path : "");
        if (!me->path) s->status = NO_MEMORY;
        s->groups++;
        return 0;
    }
    if (parent->kind != GROUP) return 1;
    if (strcmp(name, "title") == 0) { /* the group's name, below its parent group's path */
        char *t = text_of(xmlTextReaderExpand(x));
        const level *above = &s->at[d - 2];
        const char *base = above->kind == GROUP && above->path ? above->path : "";
        size_t n = strlen(base) + (t ? strlen(t) : 0) + 2;
        char *path = malloc(n);
        if (path) snprintf(path, n, "%s%s%s", base, *base ? "/" : "", t ? t : "");
        /* KeePassX keeps the old versions of edited entries in its top group Backup. */
        if (above->kind == ROOT && t && strcmp(t, "Backup") == 0) parent->binned = 1;
        xmlFree(t);
        if (!path) s->status = NO_MEMORY;
        free(parent->path);
        parent->path = path;
    } else if (strcmp(name, "entry") == 0) {
        const xmlNode *e = xmlTextReaderExpand(x);
        kura_item *it = e ? rd_next(s->r) : NULL;
        if (!e) {
            s->status = BAD_XML;
        } else {
            const char *why = !it              ? NULL
                              : parent->binned ? "in KeePassX's Backup group (an old version)"
                                               : kpx_entry_of(it, e, parent->path);
            if (it && !why && kpx_files(s, e)) s->status = STOPPED;
            if (s->status == GOING && (!it || rd_put(s->r, why, s->fed))) s->status = STOPPED;
        }
    }
    return 1;
}

/* The element the reader is on, at depth d below its parent's level: notes what it is, reads
 * what it needs, and returns 1 when the reader should skip past it. */
static int element(stream *s, xmlTextReaderPtr x, int d, const char *name)
{
    level *parent = d ? &s->at[d - 1] : NULL, *me = &s->at[d];
    free(me->path);
    *me = (level){OTHER, 0, NULL};
    if (!parent) {
        if (s->kpx) { /* <database>: its children are the top groups */
            if (strcmp(name, "database") != 0) s->status = NOT_KEEPASS;
            me->kind = ROOT;
            return 0;
        }
        if (strcmp(name, "KeePassFile") != 0) s->status = NOT_KEEPASS;
        me->kind = FILE_EL;
        return 0;
    }
    if (s->kpx) return kpx_element(s, x, d, name);
    if (parent->kind == FILE_EL) {
        me->kind = strcmp(name, "Meta") == 0 ? META : strcmp(name, "Root") == 0 ? ROOT : OTHER;
        return me->kind == OTHER;
    }
    if (parent->kind == META) {
        if (strcmp(name, "RecycleBinUUID") == 0 && !s->recycle_bin)
            s->recycle_bin = text_of(xmlTextReaderExpand(x));
        else if (strcmp(name, "Binaries") == 0)
            read_binaries(s, xmlTextReaderExpand(x));
        return 1;
    }
    if (parent->kind != ROOT && parent->kind != GROUP) return 1;
    if (parent->binned) return 1;
    if (strcmp(name, "Group") == 0) {
        me->kind = GROUP;
        me->path = sub_path(parent, "");
        if (!me->path) s->status = NO_MEMORY;
        s->groups++;
        return 0;
    }
    if (parent->kind != GROUP) return 1;
    if (strcmp(name, "UUID") == 0) {
        char *uuid = text_of(xmlTextReaderExpand(x));
        parent->binned = uuid && s->recycle_bin && *uuid && strcmp(uuid, s->recycle_bin) == 0;
        xmlFree(uuid);
    } else if (strcmp(name, "Name") == 0) { /* (sub_path leaves the root group's path "") */
        char *n = text_of(xmlTextReaderExpand(x)), *path = sub_path(&s->at[d - 2], n ? n : "");
        xmlFree(n);
        if (!path) s->status = NO_MEMORY;
        free(parent->path);
        parent->path = path;
    } else if (strcmp(name, "Entry") == 0) {
        const xmlNode *e = xmlTextReaderExpand(x);
        kura_item *it = e ? rd_next(s->r) : NULL;
        if (!e)
            s->status = BAD_XML;
        else {
            const char *why = it ? entry_of(it, e, *parent->path ? parent->path : NULL) : NULL;
            if (it && !why) { /* its History: each older entry an older version of the item */
                const xmlNode *h = child(e, "History");
                for (const xmlNode *c = h ? h->children : NULL; c; c = c->next) {
                    if (!named(c, "Entry")) continue;
                    kura_item *old = rd_past(s->r);
                    if (!old) break;
                    if (entry_of(old, c, *parent->path ? parent->path : NULL)) kura_item_clear(old);
                }
            }
            if (it && !why && entry_files(s, e)) s->status = STOPPED;
            if (s->status == GOING && (!it || rd_put(s->r, why, s->fed))) s->status = STOPPED;
        }
    }
    return 1;
}

int read_keepass_xml(reader *r, int keepassx)
{
    static int set_up;
    if (!set_up) {
        /* libxml2's allocations hold the passwords as text: what it frees is wiped. */
        xmlMemSetup(wiping_free, budget_malloc, wiping_realloc, copy_string);
        xmlInitParser();
        set_up = 1;
    }
    stream *s = calloc(1, sizeof *s);
    if (!s) return KURA_ERR_NOMEM;
    s->r = r;
    s->kpx = keepassx;
    /* No network, no external entities, no entity substitution: the file is data. */
    xmlTextReaderPtr x = xmlReaderForIO(feed, no_close, s, "import.xml", NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    int ret = x ? xmlTextReaderRead(x) : -1, rc = KURA_OK;
    while (ret == 1 && s->status == GOING) {
        int d = xmlTextReaderDepth(x), skip = 0, type = xmlTextReaderNodeType(x);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (d < 0 || d >= MAX_DEPTH)
                s->status = BAD_XML;
            else
                skip = element(s, x, d, (const char *)xmlTextReaderConstLocalName(x));
            s->open = skip || xmlTextReaderIsEmptyElement(x) ? d : d + 1;
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            s->open = d;
        }
        if (s->status == GOING) ret = skip ? xmlTextReaderNext(x) : xmlTextReaderRead(x);
    }
    if (ret < 0 && s->status == GOING) s->status = BAD_XML;
    if (ret == 0 && s->status == GOING && !s->groups) s->status = NOT_KEEPASS;
    if (!x || s->status == NO_MEMORY) {
        rc = KURA_ERR_NOMEM;
    } else if (s->status == STOPPED) {
        rc = KURA_ERR_IO;
    } else if (s->status == BAD_XML) {
        const xmlError *e = xmlGetLastError();
        /* A file cut short: libxml2's reader says "Extra content at the end of the document". */
        int cut = s->fed == r->len && s->open > 0;
        /* libxml2's own messages quote names and text from the file: our words instead. */
        int code = e ? e->code : 0;
        rc = rd_fail(r, "malformed XML at line %d, column %d: %s", e ? e->line : 0, e ? e->int2 : 0,
                     cut ? "the file ends before its XML does (is it cut short?)"
                     : code == XML_ERR_TAG_NAME_MISMATCH || code == XML_ERR_LTSLASH_REQUIRED
                         ? "a closing tag does not match its opening tag"
                     : code == XML_ERR_UNDECLARED_ENTITY || code == XML_WAR_UNDECLARED_ENTITY
                         ? "an entity that is not declared"
                     : code == XML_ERR_ENTITY_LOOP ? "an entity reference loop"
                     : code == XML_ERR_INVALID_CHAR || code == XML_ERR_INVALID_ENCODING
                         ? "a character XML does not allow here"
                     : code == XML_ERR_DOCUMENT_END ? "more follows the end of the document"
                                                    : "not well-formed XML");
        size_t n = strlen(r->err);
        while (n && (r->err[n - 1] == '\n' || r->err[n - 1] == ' '))
            r->err[--n] = '\0';
    } else if (s->status == NOT_KEEPASS) {
        rc = keepassx ? rd_fail(r, "it is XML, but not a KeePassX 0.4 export (no database/group)")
                      : rd_fail(r, "it is XML, but not a KeePass 2 XML export (no "
                                   "KeePassFile/Root/Group)");
    }
    if (x) xmlFreeTextReader(x);
    for (int i = 0; i < MAX_DEPTH; i++)
        free(s->at[i].path);
    xmlFree(s->recycle_bin);
    for (size_t i = 0; i < s->n_bins; i++) {
        xmlFree(s->bins[i].id);
        wiping_free(s->bins[i].p);
    }
    free(s->bins);
    free(s);
    return rc;
}
