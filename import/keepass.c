/* KeePass 2 XML (what KeePass's "KeePass XML (2.x)" and `keepassxc-cli export --format xml`
 * write), read with libxml2: groups become tags (their path below the root group), custom
 * strings become fields (hidden when marked ProtectInMemory), KeePassXC's otp and KeePass's
 * TimeOtp-Secret-Base32 the otp field, KP2A_URL strings more URLs. Entry history and the
 * recycle bin are skipped. */
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>

#include "common.h"

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
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
    int64_t t = parse_when(s, 0);
    unsigned char b[8];
    size_t n;
    if (!t && s && sodium_base642bin(b, sizeof b, s, strlen(s), NULL, &n, NULL,
                                     sodium_base64_VARIANT_ORIGINAL) == 0 && n == 8) {
        uint64_t secs = 0;
        for (int i = 7; i >= 0; i--)
            secs = secs << 8 | b[i];
        t = secs > 62135596800u ? (int64_t)(secs - 62135596800u) : 0;
    }
    xmlFree(s);
    return t;
}

typedef struct walk {
    reader *r;
    char *recycle_bin; /* the recycle bin group's UUID text */
    size_t entries, done;
    int rc;
} walk;

/* One String element; more_urls: this pass takes only KP2A_URL strings, the other all else
 * (so URL comes first however the strings are ordered). */
static const char *string_of(kura_item *it, const xmlNode *s, int more_urls)
{
    char *key = text_of(child(s, "Key"));
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
    } else if (strcmp(key, "otp") == 0 || strcmp(key, "TimeOtp-Secret-Base32") == 0) {
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

static size_t count_entries(const xmlNode *g)
{
    size_t n = 0;
    for (const xmlNode *c = g->children; c; c = c->next)
        n += named(c, "Entry") ? 1 : named(c, "Group") ? count_entries(c) : 0;
    return n;
}

/* A group's entries, then its subgroups; path is the group's path below the root ("" for
 * the root itself). */
static void group(walk *w, const xmlNode *g, const char *path)
{
    char *uuid = text_of(child(g, "UUID"));
    int bin = uuid && w->recycle_bin && *uuid && strcmp(uuid, w->recycle_bin) == 0;
    xmlFree(uuid);
    if (bin) return;
    for (const xmlNode *c = g->children; c && w->rc == KURA_OK; c = c->next) {
        if (named(c, "Entry")) {
            kura_item *it = rd_next(w->r);
            w->done++;
            if (!it || rd_put(w->r, entry_of(it, c, *path ? path : NULL),
                              w->r->len / w->entries * w->done))
                w->rc = KURA_ERR_IO;
        } else if (named(c, "Group")) {
            char *name = text_of(child(c, "Name"));
            size_t n = strlen(path) + (name ? strlen(name) : 0) + 2;
            char *sub = malloc(n);
            if (!sub) {
                w->rc = KURA_ERR_NOMEM;
            } else {
                snprintf(sub, n, "%s%s%s", path, *path ? "/" : "", name ? name : "");
                group(w, c, sub);
                free(sub);
            }
            xmlFree(name);
        }
    }
}

int read_keepass_xml(reader *r)
{
    static int set_up;
    if (!set_up) {
        /* libxml2's allocations hold the passwords as text: what it frees is wiped. */
        xmlMemSetup(wiping_free, malloc, wiping_realloc, copy_string);
        xmlInitParser();
        set_up = 1;
    }
    /* No network, no external entities, no entity substitution: the file is data. */
    xmlDoc *doc = xmlReadMemory((const char *)r->text, (int)(r->len > 0x7fffffff ? 0x7fffffff : r->len),
                                "import.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                        XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        int rc = rd_fail(r, "malformed XML at line %d: %s", e ? e->line : 0,
                         e && e->message ? e->message : "malformed");
        size_t n = strlen(r->err);
        while (n && (r->err[n - 1] == '\n' || r->err[n - 1] == ' '))
            r->err[--n] = '\0';
        return rc;
    }
    const xmlNode *top = xmlDocGetRootElement(doc), *root = child(top, "Root"), *g;
    int rc = KURA_OK;
    if (!top || !named(top, "KeePassFile") || !root || !(g = child(root, "Group"))) {
        rc = rd_fail(r, "it is XML, but not a KeePass 2 XML export (no KeePassFile/Root/Group)");
    } else {
        walk w = {.r = r, .recycle_bin = text_of(child(child(top, "Meta"), "RecycleBinUUID"))};
        w.entries = count_entries(g);
        if (w.entries) group(&w, g, "");
        rc = w.rc;
        xmlFree(w.recycle_bin);
    }
    xmlFreeDoc(doc);
    return rc;
}
