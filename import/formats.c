/* The formats kura imports: one table, each with its name for --from, its label, its aliases
 * and its reader (kura's JSON in libkura, the others in the import module's table); and how a
 * file's format is told from its text (kura_import_detect). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "import_api.h"
#include "base.h"

struct kura_import_format {
    const char *name, *label;
    const char *aliases[3];
    int named;              /* --from takes it */
    kura_import_reader own; /* read by libkura itself, or NULL: */
    size_t module_reader;   /* the reader's place in the module's table */
};

#define MODULE(reader) NULL, offsetof(kura_import_api, reader)

static const kura_import_format formats[] = {
    {"kura", "kura JSON", {"json", "kura-json"}, 1, kura_json_read, 0},
    {"kura-encrypted", "kura encrypted export", {0}, 0, kura_json_read, 0},
    {"kura-csv", "kura CSV", {"csv"}, 1, MODULE(read_csv)},
    {"bitwarden-json", "Bitwarden JSON", {"bitwarden"}, 1, MODULE(read_bitwarden)},
    {"bitwarden-csv", "Bitwarden CSV", {0}, 1, MODULE(read_csv)},
    {"1password-1pux", "1Password 1PUX", {"1pux"}, 1, MODULE(read_1pux)},
    {"1password-csv", "1Password CSV", {0}, 1, MODULE(read_csv)},
    {"1password7-csv", "1Password 7 CSV", {0}, 1, MODULE(read_csv)},
    {"keepassxc-csv", "KeePassXC CSV", {0}, 1, MODULE(read_csv)},
    {"keepass-xml", "KeePass 2 XML", {"keepassxc-xml", "kdbx-xml"}, 1, MODULE(read_keepass_xml)},
    {"keepassx-xml", "KeePassX 0.4 XML", {"keepassx"}, 1, MODULE(read_keepass_xml)},
    {"keepass-csv", "KeePass CSV (1.x)", {0}, 1, MODULE(read_csv)},
    {"lastpass-csv", "LastPass CSV", {"lastpass"}, 1, MODULE(read_csv)},
    {"enpass-json", "Enpass JSON", {"enpass"}, 1, MODULE(read_json)},
    {"dashlane-json", "Dashlane JSON", {0}, 1, MODULE(read_json)},
    {"keeper-json", "Keeper JSON", {"keeper"}, 1, MODULE(read_json)},
    {"protonpass", "Proton Pass export", {"proton-pass", "protonpass-json"}, 1, MODULE(read_json)},
    {"dashlane-csv", "Dashlane CSV", {0}, 1, MODULE(read_csv)},
    {"nordpass-csv", "NordPass CSV", {"nordpass"}, 1, MODULE(read_csv)},
    {"roboform-csv", "RoboForm CSV", {"roboform"}, 1, MODULE(read_csv)},
    {"keeper-csv", "Keeper CSV", {0}, 1, MODULE(read_csv)},
    {"chrome-csv", "Chrome/Edge CSV", {"edge-csv"}, 1, MODULE(read_csv)},
    {"firefox-csv", "Firefox CSV", {0}, 1, MODULE(read_csv)},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static const kura_import_format *find(const char *name)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
    return NULL;
}

const kura_import_format *kura_import_format_named(const char *name)
{
    for (size_t i = 0; i < N_FORMATS; i++) {
        if (!formats[i].named) continue;
        if (strcmp(formats[i].name, name) == 0) return &formats[i];
        for (size_t a = 0; a < 3 && formats[i].aliases[a]; a++)
            if (strcmp(formats[i].aliases[a], name) == 0) return &formats[i];
    }
    return NULL;
}

const kura_import_format *kura_import_format_sealed(void)
{
    return find("kura-encrypted");
}

const char *kura_import_format_name(const kura_import_format *f)
{
    return f->name;
}

const char *kura_import_format_label(const kura_import_format *f)
{
    return f->label;
}

void kura_import_format_names(char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_FORMATS && n < cap; i++)
        if (formats[i].named) {
            int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", formats[i].name);
            n += w > 0 ? (size_t)w : 0;
        }
}

/* A JSON object: Bitwarden's export, 1Password's export.data, or kura's. */
static const char *json_flavour(const unsigned char *text, size_t len)
{
    json_t *root = json_loadb((const char *)text, len, 0, NULL);
    const char *f = "kura";
    if (json_object_get(root, "accounts")) {
        f = "1password-1pux";
    } else {
        /* Bitwarden's items have a numeric type and a name (never a title); its export says
         * whether it is encrypted. Another manager's JSON with folders and items (Enpass) is
         * not Bitwarden's. */
        json_t *first = json_array_get(json_object_get(root, "items"), 0);
        int bw_item = first && !json_object_get(first, "title") &&
                      json_is_integer(json_object_get(first, "type")) &&
                      json_is_string(json_object_get(first, "name"));
        /* Enpass's items have a template_type (older exports: a category) and fields. */
        int enpass_item = first && json_is_array(json_object_get(first, "fields")) &&
                          (json_is_string(json_object_get(first, "template_type")) ||
                           json_is_string(json_object_get(first, "category")));
        if (json_is_array(json_object_get(root, "AUTHENTIFIANT")) ||
            json_is_array(json_object_get(root, "SECURENOTE")) ||
            json_is_array(json_object_get(root, "PAYMENTMEANS_CREDITCARD")))
            f = "dashlane-json"; /* Dashlane's sections */
        else if (json_is_array(json_object_get(root, "records")))
            f = "keeper-json"; /* Keeper's records (and shared_folders) */
        else if (json_is_object(json_object_get(root, "vaults")) && json_object_get(root, "userId"))
            f = "protonpass"; /* Proton Pass's data.json (Bitwarden's has no vaults) */
        else if (json_is_boolean(json_object_get(root, "encrypted")) || bw_item)
            f = "bitwarden-json";
        else if (enpass_item)
            f = "enpass-json";
    }
    json_decref(root);
    return f;
}

int kura_import_detect(const kura_import_format **out, const unsigned char *text, size_t len)
{
    size_t off = kura_import_skip_space(text, len, 0);
    const char *name = NULL;
    *out = NULL;
    if (off < len && text[off] == '[') {
        name = "kura";
    } else if (off < len && text[off] == '{') {
        name = json_flavour(text, len);
    } else {
        const kura_import_api *api = kura_import_api_get();
        if (!api) return KURA_ERR_NO_MODULE;
        name = api->detect(text, len);
    }
    *out = name ? find(name) : NULL;
    return *out ? KURA_OK : KURA_ERR_NOT_FOUND;
}

int kura_import_read(const kura_import_format *f, const unsigned char *text, size_t len,
                     kura_import_sink *sink)
{
    kura_import_reader read = f->own;
    char err[300] = "";
    if (!read) {
        const kura_import_api *api = kura_import_api_get();
        if (!api) return KURA_ERR_NO_MODULE;
        memcpy(&read, (const char *)api + f->module_reader, sizeof read);
    }
    int rc = read(f->name, text, len, sink, err, sizeof err);
    if (rc != KURA_OK) kura_fail(rc, "%s", err);
    return rc;
}
