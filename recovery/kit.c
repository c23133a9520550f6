/* The emergency kit's QR payload and file names: what kura needs without drawing a kit
 * (unlock --kit, recover). The layout and the renderers are in the kit module
 * (recovery/kit/). */
#include <stdio.h>
#include <string.h>

#include "kura/kura.h"
#include "base.h"

/* ---- payload, names ---- */
void kura_kit_payload(char *out, const char *vault_id, const kura_client_key *key)
{
    char text[KURA_KEY_TEXT_LEN + 1];
    kura_key_format(text, key);
    snprintf(out, KURA_KIT_PAYLOAD_MAX, "KURA1:%.26s:%s", vault_id, text);
    sodium_memzero(text, sizeof text);
}

int kura_kit_payload_parse(char *vault_id, kura_client_key *key, const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len < 6 + KURA_VAULT_ID_TEXT + 1 || memcmp(text, "KURA1:", 6) != 0 ||
        text[6 + KURA_VAULT_ID_TEXT] != ':')
        return KURA_ERR_NOT_FOUND;
    for (size_t i = 0; i < KURA_VAULT_ID_TEXT; i++) {
        int v = kura_b32_value((unsigned char)text[6 + i]);
        if (v < 0 || kura_b32_symbol((unsigned)v) != text[6 + i]) return KURA_ERR_NOT_FOUND;
    }
    size_t off = 6 + KURA_VAULT_ID_TEXT + 1;
    int rc = kura_key_parse(key, NULL, text + off, len - off);
    if (rc != KURA_OK) return rc;
    memcpy(vault_id, text + 6, KURA_VAULT_ID_TEXT);
    vault_id[KURA_VAULT_ID_TEXT] = '\0';
    return KURA_OK;
}

void kura_share_payload(char *out, const char *vault_id, const kura_share *s)
{
    char text[KURA_SHARE_TEXT_LEN + 1];
    kura_share_format(text, s);
    snprintf(out, KURA_SHARE_PAYLOAD_MAX, "KURA1S:%.26s:%s", vault_id, text);
    sodium_memzero(text, sizeof text);
}

/* 1 if text holds a vault id (26 symbols as kura writes them) at off, then ':'. */
static int vault_id_at(const char *text, size_t len, size_t off)
{
    if (len < off + KURA_VAULT_ID_TEXT + 1 || text[off + KURA_VAULT_ID_TEXT] != ':') return 0;
    for (size_t i = 0; i < KURA_VAULT_ID_TEXT; i++) {
        int v = kura_b32_value((unsigned char)text[off + i]);
        if (v < 0 || kura_b32_symbol((unsigned)v) != text[off + i]) return 0;
    }
    return 1;
}

int kura_kit_found_parse(kura_kit_found *found, const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len >= 7 && memcmp(text, "KURA1S:", 7) == 0 && vault_id_at(text, len, 7)) {
        size_t off = 7 + KURA_VAULT_ID_TEXT + 1;
        int rc = kura_share_parse(&found->share, NULL, text + off, len - off);
        if (rc != KURA_OK) return rc;
        found->is_share = 1;
        memcpy(found->vault_id, text + 7, KURA_VAULT_ID_TEXT);
        found->vault_id[KURA_VAULT_ID_TEXT] = '\0';
        return KURA_OK;
    }
    found->is_share = 0;
    return kura_kit_payload_parse(found->vault_id, &found->key, text, len);
}

/* The kit's number NNNNN: the vault id's first four symbols as a base-32 number. */
static unsigned long kit_number(const char *vault_id)
{
    unsigned long v = 0;
    for (int i = 0; i < 4 && vault_id[i]; i++) {
        int s = kura_b32_value((unsigned char)vault_id[i]);
        v = v * 32 + (unsigned long)(s < 0 ? 0 : s);
    }
    return v % 100000;
}

int kura_share_names(char *pdf, char *png, size_t n, const char *dir, const char *vault_id,
                     unsigned gen, unsigned number, unsigned count)
{
    unsigned long v = kit_number(vault_id);
    const char *sep = dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "";
    char pdf_gen[32] = "", png_gen[32] = "";
    if (gen > 1) {
        snprintf(pdf_gen, sizeof pdf_gen, " (key %u)", gen);
        snprintf(png_gen, sizeof png_gen, "_KEY%u", gen);
    }
    int a = snprintf(pdf, n, "%s%sKura split kit %05lu share %u of %u%s.pdf", dir, sep, v, number,
                     count, pdf_gen);
    int b = snprintf(png, n, "%s%sKURA_CLIENT_KEY_SHARE_%05lu_%u_OF_%u%s.png", dir, sep, v, number,
                     count, png_gen);
    return a < 0 || b < 0 || (size_t)a >= n || (size_t)b >= n ? KURA_ERR_INVALID : KURA_OK;
}

int kura_kit_names(char *pdf, char *png, size_t n, const char *dir, const char *vault_id,
                   unsigned gen)
{
    unsigned long v = 0;
    for (int i = 0; i < 4 && vault_id[i]; i++) {
        int s = kura_b32_value((unsigned char)vault_id[i]);
        v = v * 32 + (unsigned long)(s < 0 ? 0 : s);
    }
    v %= 100000;
    const char *sep = dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "";
    char pdf_gen[32] = "", png_gen[32] = "";
    if (gen > 1) {
        snprintf(pdf_gen, sizeof pdf_gen, " (key %u)", gen);
        snprintf(png_gen, sizeof png_gen, "_KEY%u", gen);
    }
    int a = snprintf(pdf, n, "%s%sKura client key %05lu%s.pdf", dir, sep, v, pdf_gen);
    int b = snprintf(png, n, "%s%sKURA_CLIENT_KEY_EMERGENCY_KIT%05lu%s.png", dir, sep, v, png_gen);
    return a < 0 || b < 0 || (size_t)a >= n || (size_t)b >= n ? KURA_ERR_INVALID : KURA_OK;
}
