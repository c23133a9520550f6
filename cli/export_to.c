/* kura export to other managers: Bitwarden's JSON, KeePass 2 XML (what KeePass and KeePassXC
 * import), 1Password's CSV and Chrome's CSV, each as that manager's own export writes it, so
 * its importer takes it and kura's reader of the same format reads it back. What a format
 * cannot carry is counted by kind (export.h) and said by the command, never dropped silently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "export.h"

static const struct {
    const char *name;
    enum export_format format;
} named[] = {
    {"bitwarden-json", EXPORT_BITWARDEN_JSON},
    {"keepass-xml", EXPORT_KEEPASS_XML},
    {"1password-csv", EXPORT_1PASSWORD_CSV},
    {"chrome-csv", EXPORT_CHROME_CSV},
};

int export_format_named(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcmp(named[i].name, name) == 0) return (int)named[i].format;
    return -1;
}

const char *export_format_name(int format)
{
    if (format == EXPORT_KURA_JSON) return "json";
    if (format == EXPORT_KURA_CSV) return "csv";
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if ((int)named[i].format == format) return named[i].name;
    return "?";
}

static const char *field_value(const kura_item *item, const char *name)
{
    const kura_field *f = kura_item_field(item, name);
    return f && f->value[0] ? f->value : NULL;
}

/* The item's TOTP as an otpauth URI (a bare base32 secret wrapped, with kura's defaults: 6
 * digits, 30 seconds), for formats whose readers take only URIs; NULL when it has none. */
static char *otp_uri(const kura_item *item)
{
    const char *otp = field_value(item, KURA_OTP_FIELD);
    if (!otp) return NULL;
    size_t n = strlen(otp) + 64;
    char *uri = sodium_malloc(n);
    if (!uri) return NULL;
    if (strncmp(otp, "otpauth://", 10) == 0 || strncmp(otp, "steam://", 8) == 0)
        snprintf(uri, n, "%s", otp);
    else
        snprintf(uri, n, "otpauth://totp/kura?secret=%s", otp);
    return uri;
}

/* ---- CSV: 1Password's and Chrome's ---- */

#define ONEPASSWORD_HEADER "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\r\n"
#define CHROME_HEADER "name,url,username,password,note\r\n"

/* What a CSV of one URL and no fields leaves out of an item. */
static void csv_losses(export_out *t, const kura_item *item, int keeps_otp, int keeps_tags)
{
    if (item->n_urls > 1) export_lost(t, "URLs beyond the first");
    size_t fields = 0;
    for (size_t i = 0; i < item->n_fields; i++)
        fields += !(keeps_otp && strcmp(item->fields[i].name, KURA_OTP_FIELD) == 0);
    if (fields) export_lost(t, "fields");
    if (!keeps_tags && item->n_tags) export_lost(t, "tags");
    if (item->type != KURA_TYPE_LOGIN) export_lost(t, "item types (each arrives as a login)");
    t->files_out += item->n_attachments;
}

static int onepassword_csv(export_out *t, const kura_item *item)
{
    if (!t->items++) export_adds(t, ONEPASSWORD_HEADER);
    char *otp = otp_uri(item);
    if (!otp && field_value(item, KURA_OTP_FIELD)) return KURA_ERR_NOMEM;
    int archived = 0;
    size_t len = 1;
    for (size_t i = 0; i < item->n_tags; i++)
        len += strlen(item->tags[i]) + 1;
    char *tags = sodium_malloc(len);
    if (!tags) {
        sodium_free(otp);
        return KURA_ERR_NOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < item->n_tags; i++) {
        if (strcmp(item->tags[i], "archived") == 0) {
            archived = 1;
            continue;
        }
        size_t n = strlen(item->tags[i]);
        if (at) tags[at++] = ',';
        memcpy(tags + at, item->tags[i], n);
        at += n;
    }
    tags[at] = '\0';
    export_cell(t, item->title, ',');
    export_cell(t, item->n_urls ? item->urls[0] : NULL, ',');
    export_cell(t, item->username, ',');
    export_cell(t, item->password, ',');
    export_cell(t, otp, ',');
    export_cell(t, "false", ',');
    export_cell(t, archived ? "true" : "false", ',');
    export_cell(t, tags, ',');
    export_cell(t, item->notes, '\r');
    export_add(t, "\n", 1);
    sodium_free(tags);
    sodium_free(otp);
    csv_losses(t, item, 1, 1);
    return KURA_OK;
}

static int chrome_csv(export_out *t, const kura_item *item)
{
    if (!t->items++) export_adds(t, CHROME_HEADER);
    export_cell(t, item->title, ',');
    export_cell(t, item->n_urls ? item->urls[0] : NULL, ',');
    export_cell(t, item->username, ',');
    export_cell(t, item->password, ',');
    export_cell(t, item->notes, '\r');
    export_add(t, "\n", 1);
    csv_losses(t, item, 0, 0);
    return KURA_OK;
}

/* ---- Bitwarden's JSON ---- */

typedef struct bw_state {
    json_t *root, *folders, *items;
} bw_state;

/* kura's 32 hex digits as a UUID's 8-4-4-4-12. */
static void uuid_of(char out[37], const char *hex)
{
    size_t o = 0;
    for (size_t i = 0; i < 32 && hex[i]; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
}

/* The id of the folder named path, made when it is new. */
static const char *bw_folder(bw_state *s, const char *path)
{
    size_t i;
    json_t *f;
    json_array_foreach(s->folders, i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "name")), path) == 0)
            return json_string_value(json_object_get(f, "id"));
    }
    unsigned char raw[16];
    char hex[33], id[37];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    uuid_of(id, hex);
    json_array_append_new(s->folders, json_pack("{s:s, s:s}", "id", id, "name", path));
    f = json_array_get(s->folders, json_array_size(s->folders) - 1);
    return json_string_value(json_object_get(f, "id"));
}

static void set_str(json_t *o, const char *key, const char *value)
{
    json_object_set_new(o, key, value && *value ? json_string(value) : json_null());
}

/* kura's fields of a type as the members of Bitwarden's object for it; NULL member: taken
 * apart by the caller. */
typedef struct bw_name {
    const char *field, *member;
} bw_name;

static const bw_name bw_card[] = {{"cardholder", "cardholderName"},
                                  {"brand", "brand"},
                                  {"number", "number"},
                                  {"code", "code"},
                                  {"expiry", NULL}};
static const bw_name bw_identity[] = {
    {"honorific", "title"},
    {"first-name", "firstName"},
    {"middle-name", "middleName"},
    {"last-name", "lastName"},
    {"address", NULL},
    {"city", "city"},
    {"region", "state"},
    {"postcode", "postalCode"},
    {"country", "country"},
    {"company", "company"},
    {"email", "email"},
    {"phone", "phone"},
    {"national-id", "ssn"},
    {"passport", "passportNumber"},
    {"license", "licenseNumber"},
};
static const bw_name bw_ssh[] = {
    {"private-key", "privateKey"}, {"public-key", "publicKey"}, {"fingerprint", "keyFingerprint"}};

static int taken(const bw_name *names, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i].field, field) == 0) return 1;
    return 0;
}

/* The object of a type: every member Bitwarden's export has, null when kura has no value. */
static json_t *bw_part(const kura_item *item, const bw_name *names, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        if (names[i].member) set_str(o, names[i].member, field_value(item, names[i].field));
    return o;
}

/* A card's MM/YYYY as expMonth ("1".."12") and expYear; kept as a field when it is not. */
static int bw_expiry(json_t *card, const kura_item *item)
{
    const char *e = field_value(item, "expiry");
    char canon[8], month[3];
    set_str(card, "expMonth", NULL);
    set_str(card, "expYear", NULL);
    if (!e) return 1;
    if (kura_card_expiry(canon, e) != KURA_OK) return 0;
    snprintf(month, sizeof month, "%d", atoi(canon));
    set_str(card, "expMonth", month);
    set_str(card, "expYear", canon + 3);
    return 1;
}

/* An identity's address, its lines as address1, address2 and address3 (the rest joined to
 * the third). */
static void bw_address(json_t *id, const kura_item *item)
{
    const char *a = field_value(item, "address");
    char lines[3][KURA_MAX_SHORT + 1] = {"", "", ""};
    for (int k = 0; a && *a && k < 3; k++) {
        size_t n = k < 2 ? strcspn(a, "\n") : strlen(a);
        snprintf(lines[k], sizeof lines[k], "%.*s", (int)n, a);
        a += n + (a[n] == '\n');
    }
    set_str(id, "address1", lines[0]);
    set_str(id, "address2", lines[1]);
    set_str(id, "address3", lines[2]);
    sodium_memzero(lines, sizeof lines);
}

static int bitwarden_json(export_out *t, const kura_item *item)
{
    bw_state *s = t->state;
    if (!s) {
        if (!(s = t->state = calloc(1, sizeof *s))) return KURA_ERR_NOMEM;
        s->folders = json_array();
        s->items = json_array();
        s->root =
            json_pack("{s:b, s:o, s:o}", "encrypted", 0, "folders", s->folders, "items", s->items);
        if (!s->root) return KURA_ERR_NOMEM;
    }
    t->items++;
    int type = item->type;
    int bw = type == KURA_TYPE_LOGIN                              ? 1
             : type == KURA_TYPE_NOTE                             ? 2
             : type == KURA_TYPE_CARD                             ? 3
             : type == KURA_TYPE_IDENTITY                         ? 4
             : type == KURA_TYPE_SSH_KEY                          ? 5
             : (item->password || item->username || item->n_urls) ? 1
                                                                  : 2;
    if (type == KURA_TYPE_GENERIC)
        export_lost(t, "the generic type (a login or a secure note here)");
    char id[37], when[32];
    uuid_of(id, item->id);
    json_t *o = json_object(), *fields = json_array();
    set_str(o, "id", id);
    set_str(o, "organizationId", NULL);
    set_str(o, "folderId", item->n_tags ? bw_folder(s, item->tags[0]) : NULL);
    json_object_set_new(o, "type", json_integer(bw));
    json_object_set_new(o, "reprompt", json_integer(0));
    set_str(o, "name", item->title);
    set_str(o, "notes", item->notes);
    json_object_set_new(o, "favorite", json_false());
    if (item->n_tags > 1) export_lost(t, "tags beyond the first (Bitwarden has one folder)");
    const bw_name *names = NULL;
    size_t n_names = 0;
    int expiry_kept = 1;
    if (bw == 1) {
        json_t *login = json_object(), *uris = json_array();
        for (size_t i = 0; i < item->n_urls; i++)
            json_array_append_new(uris, json_pack("{s:n, s:s}", "match", "uri", item->urls[i]));
        json_object_set_new(login, "uris", uris);
        set_str(login, "username", item->username);
        set_str(login, "password", item->password);
        set_str(login, "totp", field_value(item, KURA_OTP_FIELD));
        json_object_set_new(login, "fido2Credentials", json_array());
        json_object_set_new(o, "login", login);
    } else if (bw == 2) {
        json_object_set_new(o, "secureNote", json_pack("{s:i}", "type", 0));
    } else if (bw == 3) {
        json_t *card = bw_part(item, names = bw_card, n_names = sizeof bw_card / sizeof *bw_card);
        expiry_kept = bw_expiry(card, item);
        json_object_set_new(o, "card", card);
    } else if (bw == 4) {
        names = bw_identity, n_names = sizeof bw_identity / sizeof *bw_identity;
        json_t *idn = bw_part(item, names, n_names);
        bw_address(idn, item);
        set_str(idn, "username", item->username);
        json_object_set_new(o, "identity", idn);
    } else {
        names = bw_ssh, n_names = sizeof bw_ssh / sizeof *bw_ssh;
        json_object_set_new(o, "sshKey", bw_part(item, names, n_names));
    }
    /* What the type's object does not hold: custom fields, hidden ones hidden. */
    const char *loose[] = {bw == 1 || bw == 4 ? NULL : item->username,
                           bw == 1 ? NULL : item->password};
    const char *loose_names[] = {"username", "password"};
    for (size_t i = 0; i < 2; i++)
        if (loose[i])
            json_array_append_new(fields, json_pack("{s:s, s:s, s:i, s:n}", "name", loose_names[i],
                                                    "value", loose[i], "type", i, "linkedId"));
    for (size_t i = 0; bw != 1 && i < item->n_urls; i++)
        json_array_append_new(fields, json_pack("{s:s, s:s, s:i, s:n}", "name", "url", "value",
                                                item->urls[i], "type", 0, "linkedId"));
    for (size_t i = 0; i < item->n_fields; i++) {
        const kura_field *f = &item->fields[i];
        if ((bw == 1 && strcmp(f->name, KURA_OTP_FIELD) == 0) ||
            (taken(names, n_names, f->name) && (strcmp(f->name, "expiry") != 0 || expiry_kept)))
            continue;
        json_array_append_new(fields, json_pack("{s:s, s:s, s:i, s:n}", "name", f->name, "value",
                                                f->value, "type", f->hidden ? 1 : 0, "linkedId"));
    }
    json_object_set_new(o, "fields", fields);
    set_str(o, "collectionIds", NULL);
    format_time(when, item->created);
    set_str(o, "creationDate", item->created ? when : NULL);
    format_time(when, item->updated);
    set_str(o, "revisionDate", item->updated ? when : NULL);
    if (json_array_append_new(s->items, o) != 0) return KURA_ERR_NOMEM;
    t->files_out += item->n_attachments;
    return KURA_OK;
}

static int dump_chunk(const char *buffer, size_t size, void *data)
{
    export_add(data, buffer, size);
    return ((export_out *)data)->buf.failed ? -1 : 0;
}

static int bitwarden_end(export_out *t)
{
    bw_state *s = t->state;
    json_t *empty = s ? NULL : json_pack("{s:b, s:[], s:[]}", "encrypted", 0, "folders", "items");
    int rc = json_dump_callback(s ? s->root : empty, dump_chunk, t, JSON_INDENT(2));
    export_add(t, "\n", 1);
    json_decref(empty);
    if (s) json_decref(s->root);
    free(s);
    t->state = NULL;
    return rc == 0 && !t->buf.failed ? KURA_OK : KURA_ERR_NOMEM;
}

/* ---- KeePass 2 XML ---- */

/* A group (a tag path; "" the root) and its entries' XML; the database's binaries. */
typedef struct kp_group {
    char *path;
    kura_gbuf entries;
} kp_group;

typedef struct kp_state {
    kp_group *groups;
    size_t n, cap;
    kura_gbuf binaries;
    size_t n_binaries;
} kp_state;

/* Text as XML character data: &, <, >, quotes escaped, and CR as &#13; so a CRLF survives the
 * XML parser's line-end normalisation. */
static void xml_text(kura_gbuf *b, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\r' ? "&#13;"
                                     : NULL;
        (void)kura_gbuf_add(b, e ? e : s, e ? strlen(e) : 1);
    }
}

static void xml_add(kura_gbuf *b, const char *s)
{
    (void)kura_gbuf_add(b, s, strlen(s));
}

static void kp_string(kura_gbuf *b, const char *key, const char *value, int protect)
{
    xml_add(b, "\t\t\t\t<String><Key>");
    xml_text(b, key);
    xml_add(b, protect ? "</Key><Value ProtectInMemory=\"True\">" : "</Key><Value>");
    xml_text(b, value);
    xml_add(b, "</Value></String>\n");
}

static kp_group *kp_group_of(kp_state *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->groups[i].path, path) == 0) return &s->groups[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        kp_group *grown = realloc(s->groups, cap * sizeof *grown);
        if (!grown) return NULL;
        s->groups = grown, s->cap = cap;
    }
    kp_group *g = &s->groups[s->n];
    memset(g, 0, sizeof *g);
    if (!(g->path = strdup(path))) return NULL;
    s->n++;
    return g;
}

static void kp_uuid(kura_gbuf *b, const unsigned char raw[16])
{
    char b64[32];
    sodium_bin2base64(b64, sizeof b64, raw, 16, sodium_base64_VARIANT_ORIGINAL);
    xml_add(b, b64);
}

/* The item's files into the database's binaries, and their references into the entry. */
static int kp_binaries(export_out *t, kp_state *s, kura_gbuf *e, const kura_item *item)
{
    for (size_t i = 0; i < item->n_attachments; i++) {
        char *b64, ref[64];
        int rc = export_attachment_b64(t, &item->attachments[i], &b64);
        if (rc != KURA_OK) return rc;
        snprintf(ref, sizeof ref, "\t\t\t<Binary ID=\"%zu\" Compressed=\"False\">", s->n_binaries);
        xml_add(&s->binaries, ref);
        xml_add(&s->binaries, b64);
        xml_add(&s->binaries, "</Binary>\n");
        sodium_free(b64);
        xml_add(e, "\t\t\t\t<Binary><Key>");
        xml_text(e, item->attachments[i].name);
        snprintf(ref, sizeof ref, "</Key><Value Ref=\"%zu\"/></Binary>\n", s->n_binaries++);
        xml_add(e, ref);
    }
    return KURA_OK;
}

static int keepass_xml(export_out *t, const kura_item *item)
{
    kp_state *s = t->state;
    if (!s && !(s = t->state = calloc(1, sizeof *s))) return KURA_ERR_NOMEM;
    t->items++;
    kp_group *g = kp_group_of(s, item->n_tags ? item->tags[0] : "");
    if (!g) return KURA_ERR_NOMEM;
    kura_gbuf *e = &g->entries;
    unsigned char raw[16];
    size_t n = 0;
    char when[32];
    if (sodium_hex2bin(raw, sizeof raw, item->id, strlen(item->id), NULL, &n, NULL) != 0 || n != 16)
        randombytes_buf(raw, sizeof raw);
    xml_add(e, "\t\t\t<Entry>\n\t\t\t\t<UUID>");
    kp_uuid(e, raw);
    xml_add(e, "</UUID>\n\t\t\t\t<Tags>");
    for (size_t i = 1; i < item->n_tags; i++) {
        if (i > 1) xml_add(e, ";");
        xml_text(e, item->tags[i]);
    }
    xml_add(e, "</Tags>\n\t\t\t\t<Times><CreationTime>");
    format_time(when, item->created);
    xml_add(e, when);
    xml_add(e, "</CreationTime><LastModificationTime>");
    format_time(when, item->updated);
    xml_add(e, when);
    xml_add(e, "</LastModificationTime></Times>\n");
    kp_string(e, "Title", item->title, 0);
    kp_string(e, "UserName", item->username, 0);
    kp_string(e, "Password", item->password, 1);
    kp_string(e, "URL", item->n_urls ? item->urls[0] : NULL, 0);
    kp_string(e, "Notes", item->notes, 0);
    for (size_t i = 1; i < item->n_urls; i++) {
        char key[32];
        snprintf(key, sizeof key, "KP2A_URL_%zu", i);
        kp_string(e, key, item->urls[i], 0);
    }
    static const char *const standard[] = {"Title", "UserName", "Password", "URL", "Notes"};
    for (size_t i = 0; i < item->n_fields; i++) {
        const kura_field *f = &item->fields[i];
        char *uri = NULL, key[KURA_MAX_SHORT + 16];
        if (strcmp(f->name, KURA_OTP_FIELD) == 0 && !(uri = otp_uri(item))) return KURA_ERR_NOMEM;
        snprintf(key, sizeof key, "%s", f->name);
        for (size_t k = 0; k < 5; k++)
            if (strcmp(f->name, standard[k]) == 0) /* a field named as KeePass's own */
                snprintf(key, sizeof key, "%s (field)", f->name);
        kp_string(e, key, uri ? uri : f->value, f->hidden);
        sodium_free(uri);
    }
    if (item->type != KURA_TYPE_LOGIN)
        export_lost(t, "item types (KeePass has none: each arrives as a login, its fields kept)");
    int rc = kp_binaries(t, s, e, item);
    xml_add(e, "\t\t\t</Entry>\n");
    return rc != KURA_OK ? rc : e->failed ? KURA_ERR_NOMEM : KURA_OK;
}

/* Paths in the order of a tree walk: '/' sorts before every other character. */
static int path_order(const void *a, const void *b)
{
    const unsigned char *p = (const unsigned char *)((const kp_group *)a)->path,
                        *q = (const unsigned char *)((const kp_group *)b)->path;
    for (; *p && *p == *q; p++, q++) {
    }
    int x = *p == '/' ? 1 : *p ? *p + 1 : 0, y = *q == '/' ? 1 : *q ? *q + 1 : 0;
    return x - y;
}

/* The number of leading parts ("a/b/c": 3) a and b share. */
static size_t shared_parts(const char *a, const char *b)
{
    size_t parts = 0;
    for (;;) {
        size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
        if (!*a || !*b || na != nb || strncmp(a, b, na) != 0) return parts;
        parts++;
        a += na + (a[na] == '/'), b += nb + (b[nb] == '/');
    }
}

static size_t count_parts(const char *p)
{
    size_t n = *p != '\0';
    for (; *p; p++)
        n += *p == '/';
    return n;
}

static void kp_open_group(export_out *t, const char *name, size_t len)
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    export_adds(t, "<Group><UUID>");
    kp_uuid(&t->buf, raw);
    export_adds(t, "</UUID><Name>");
    char *copy = strndup(name, len);
    if (!copy) {
        t->buf.failed = 1;
        return;
    }
    xml_text(&t->buf, copy);
    free(copy);
    export_adds(t, "</Name>\n");
}

static int keepass_end(export_out *t)
{
    kp_state *s = t->state, none = {0};
    if (!s) s = &none;
    if (!kp_group_of(s, "")) return KURA_ERR_NOMEM; /* the root, even when empty */
    qsort(s->groups, s->n, sizeof *s->groups, path_order);
    export_adds(t, "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n"
                   "<KeePassFile>\n\t<Meta>\n\t\t<Generator>kura</Generator>\n"
                   "\t\t<DatabaseName>kura export</DatabaseName>\n\t\t<Binaries>\n");
    export_add(t, s->binaries.p, s->binaries.n);
    export_adds(t, "\t\t</Binaries>\n\t</Meta>\n\t<Root>\n");
    kp_open_group(t, "Root", 4);
    const char *open = ""; /* the path of the groups open below the root */
    for (size_t i = 0; i < s->n; i++) {
        const char *path = s->groups[i].path;
        size_t keep = shared_parts(open, path), depth = count_parts(open);
        for (; depth > keep; depth--)
            export_adds(t, "</Group>\n");
        const char *p = path;
        for (size_t k = 0; k < keep; k++)
            p += strcspn(p, "/") + 1;
        while (*p) { /* the parts not open yet, each a group */
            size_t n = strcspn(p, "/");
            kp_open_group(t, p, n);
            p += n + (p[n] == '/');
        }
        export_add(t, s->groups[i].entries.p, s->groups[i].entries.n);
        open = path;
    }
    for (size_t depth = count_parts(open); depth > 0; depth--)
        export_adds(t, "</Group>\n");
    export_adds(t, "</Group>\n\t</Root>\n</KeePassFile>\n");
    for (size_t i = 0; i < s->n; i++) {
        free(s->groups[i].path);
        kura_gbuf_free(&s->groups[i].entries);
    }
    kura_gbuf_free(&s->binaries);
    free(s->groups);
    if (s != &none) free(s);
    t->state = NULL;
    return t->buf.failed ? KURA_ERR_NOMEM : KURA_OK;
}

/* ---- the writers by format ---- */

int export_foreign_item(export_out *t, const kura_item *item)
{
    switch (t->format) {
    case EXPORT_BITWARDEN_JSON:
        return bitwarden_json(t, item);
    case EXPORT_KEEPASS_XML:
        return keepass_xml(t, item);
    case EXPORT_1PASSWORD_CSV:
        return onepassword_csv(t, item);
    case EXPORT_CHROME_CSV:
        return chrome_csv(t, item);
    default:
        return KURA_ERR_INVALID;
    }
}

int export_foreign_end(export_out *t)
{
    switch (t->format) {
    case EXPORT_BITWARDEN_JSON:
        return bitwarden_end(t);
    case EXPORT_KEEPASS_XML:
        return keepass_end(t);
    case EXPORT_1PASSWORD_CSV:
        if (!t->items) export_adds(t, ONEPASSWORD_HEADER);
        return t->buf.failed ? KURA_ERR_NOMEM : KURA_OK;
    case EXPORT_CHROME_CSV:
        if (!t->items) export_adds(t, CHROME_HEADER);
        return t->buf.failed ? KURA_ERR_NOMEM : KURA_OK;
    default:
        return KURA_ERR_INVALID;
    }
}
