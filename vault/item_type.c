/* Item types: which fields each type has of its own, in the order they are shown, and which
 * are secret; and the checks a type's values get (a card's expiry and number, an SSH public
 * key's fingerprint). */
#include <string.h>
#include <strings.h>

#include "item_int.h"

#define N(a) (sizeof(a) / sizeof *(a))

static const kura_type_field card_fields[] = {
    {"cardholder", "cardholder", 0},           {"brand", "brand", 0},
    {"number", "number", KURA_TF_SECRET},      {"expiry", "expiry (MM/YYYY)", 0},
    {"code", "security code", KURA_TF_SECRET}, {"pin", "PIN", KURA_TF_SECRET},
};

static const kura_type_field identity_fields[] = {
    {"first-name", "first name", 0},
    {"middle-name", "middle name", 0},
    {"last-name", "last name", 0},
    {"birthday", "date of birth", 0},
    {"company", "company", 0},
    {"email", "email", 0},
    {"phone", "phone", 0},
    {"address", "street address", KURA_TF_LINES},
    {"city", "city", 0},
    {"region", "state or region", 0},
    {"postcode", "postal code", 0},
    {"country", "country", 0},
    {"passport", "passport number", KURA_TF_SECRET},
    {"license", "driver's license number", KURA_TF_SECRET},
    {"national-id", "national ID or social security number", KURA_TF_SECRET},
};

static const kura_type_field ssh_fields[] = {
    {"public-key", "public key", 0},
    {"fingerprint", "fingerprint", 0},
    {"private-key", "private key", KURA_TF_SECRET | KURA_TF_LINES | KURA_TF_FILE},
    {"passphrase", "passphrase of the private key", KURA_TF_SECRET},
};

static const kura_type types[KURA_N_TYPES] = {
    [KURA_TYPE_LOGIN] = {"login", "login", NULL, 0},
    [KURA_TYPE_NOTE] = {"note", "secure note", NULL, 0},
    [KURA_TYPE_CARD] = {"card", "payment card", card_fields, N(card_fields)},
    [KURA_TYPE_IDENTITY] = {"identity", "identity", identity_fields, N(identity_fields)},
    [KURA_TYPE_SSH_KEY] = {"ssh-key", "SSH key", ssh_fields, N(ssh_fields)},
    [KURA_TYPE_GENERIC] = {"generic", "generic item", NULL, 0},
};

static const struct {
    const char *name;
    int type;
} other_names[] = {
    {"secure-note", KURA_TYPE_NOTE},  {"securenote", KURA_TYPE_NOTE},
    {"credit-card", KURA_TYPE_CARD},  {"creditcard", KURA_TYPE_CARD},
    {"payment-card", KURA_TYPE_CARD}, {"ssh", KURA_TYPE_SSH_KEY},
    {"sshkey", KURA_TYPE_SSH_KEY},    {"other", KURA_TYPE_GENERIC},
};

const kura_type *kura_type_get(int type)
{
    return type >= 0 && type < KURA_N_TYPES ? &types[type] : NULL;
}

int kura_type_by_name(const char *name)
{
    for (int t = 0; t < KURA_N_TYPES; t++)
        if (strcasecmp(name, types[t].name) == 0) return t;
    for (size_t i = 0; i < N(other_names); i++)
        if (strcasecmp(name, other_names[i].name) == 0) return other_names[i].type;
    return -1;
}

const kura_type_field *kura_type_field_get(int type, const char *name)
{
    const kura_type *t = kura_type_get(type);
    for (size_t i = 0; t && i < t->n_fields; i++)
        if (strcmp(t->fields[i].name, name) == 0) return &t->fields[i];
    return NULL;
}

int kura_field_in_overview(int type, const kura_field *f)
{
    const kura_type_field *tf = f->hidden ? NULL : kura_type_field_get(type, f->name);
    return tf && !(tf->flags & KURA_TF_SECRET);
}

int kura_item_set_type(kura_item *item, int type)
{
    if (!kura_type_get(type)) return KURA_ERR_INVALID;
    item->type = type;
    for (size_t i = 0; i < item->n_fields; i++) {
        const kura_type_field *tf = kura_type_field_get(type, item->fields[i].name);
        if (tf && (tf->flags & KURA_TF_SECRET)) item->fields[i].hidden = 1;
    }
    return KURA_OK;
}

/* ---- cards ---- */

/* The next run of digits at *p (spaces skipped before it): its value and length. */
static size_t digits(const char **p, int *value)
{
    size_t n = 0;
    *value = 0;
    while (**p == ' ')
        (*p)++;
    while (**p >= '0' && **p <= '9' && n < 7) {
        *value = *value * 10 + (**p - '0');
        (*p)++, n++;
    }
    while (**p == ' ')
        (*p)++;
    return n;
}

int kura_card_expiry(char out[8], const char *in)
{
    const char *p = in;
    int a, b = 0, month, year;
    size_t na = digits(&p, &a), nb = 0;
    if (*p == '/' || *p == '-' || *p == '.') {
        p++;
        nb = digits(&p, &b);
    }
    if (*p) return KURA_ERR_INVALID;
    if (nb == 0 && na == 4) /* MMYY */
        month = a / 100, year = 2000 + a % 100;
    else if (nb == 0 && na == 6) /* MMYYYY */
        month = a / 10000, year = a % 10000;
    else if ((na == 1 || na == 2) && (nb == 2 || nb == 4))
        month = a, year = nb == 2 ? 2000 + b : b;
    else if (na == 4 && (nb == 1 || nb == 2))
        year = a, month = b;
    else
        return KURA_ERR_INVALID;
    if (month < 1 || month > 12 || year < 1950 || year > 2199) return KURA_ERR_INVALID;
    out[0] = (char)('0' + month / 10);
    out[1] = (char)('0' + month % 10);
    out[2] = '/';
    for (int i = 6; i >= 3; i--, year /= 10)
        out[i] = (char)('0' + year % 10);
    out[7] = '\0';
    return KURA_OK;
}

int kura_card_luhn(const char *number)
{
    size_t n = 0;
    int sum = 0;
    for (const char *p = number + strlen(number); p-- > number;) {
        if (*p == ' ' || *p == '-') continue;
        if (*p < '0' || *p > '9') return 0;
        int d = *p - '0';
        if (n++ % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return n >= 12 && n <= 19 && sum % 10 == 0;
}

/* ---- SSH keys ---- */

int kura_ssh_fingerprint(char *out, size_t cap, const char *public_key)
{
    const char *type = public_key, *sp = strchr(type, ' ');
    if (!sp || sp == type) return KURA_ERR_INVALID;
    const char *b64 = sp + 1, *end = b64 + strcspn(b64, " \t\r\n");
    size_t tlen = (size_t)(sp - type), blen = (size_t)(end - b64), n = 0;
    unsigned char blob[16384], hash[crypto_hash_sha256_BYTES];
    if (blen == 0 || blen > sizeof blob / 3 * 4 ||
        sodium_base642bin(blob, sizeof blob, b64, blen, NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return KURA_ERR_INVALID;
    /* The blob starts with the key's type, as a length and the name. */
    if (n < 4 + tlen || kura_get32be(blob) != tlen || memcmp(blob + 4, type, tlen) != 0)
        return KURA_ERR_INVALID;
    crypto_hash_sha256(hash, blob, n);
    size_t need = sodium_base64_ENCODED_LEN(sizeof hash, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    if (cap < 7 + need) return KURA_ERR_INVALID;
    memcpy(out, "SHA256:", 7);
    sodium_bin2base64(out + 7, cap - 7, hash, sizeof hash,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    return KURA_OK;
}
