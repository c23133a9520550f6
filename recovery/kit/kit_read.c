/* Reading a kit image: finds the kura QR code with libzbar (the only file that calls it)
 * and parses its payload. Photos and screenshots come in any size, so when the image as it
 * is gives nothing, it is tried halved (large photos) or doubled (small screenshots). The same
 * reader finds another QR code by what its text starts with (a site's TOTP setup, otpauth://). */
#include <string.h>
#include <strings.h>
#include <zbar.h>

#include "kit_int.h"

/* What a scan looks for: take() says KURA_OK for the code it wants (and keeps it),
 * KURA_ERR_NOT_FOUND for another. */
typedef struct wanted {
    int (*take)(struct wanted *w, const char *data, unsigned len);
    kura_kit_found *found;
    const char *prefix;
    char *text; /* the code that starts with prefix (sodium_malloc) */
} wanted;

static int take_kit(wanted *w, const char *data, unsigned len)
{
    return kura_kit_found_parse(w->found, data, len);
}

static int take_prefixed(wanted *w, const char *data, unsigned len)
{
    size_t n = strlen(w->prefix);
    if (len < n || strncasecmp(data, w->prefix, n) != 0 || memchr(data, '\0', len))
        return KURA_ERR_NOT_FOUND;
    if (!(w->text = sodium_malloc((size_t)len + 1))) return KURA_ERR_NOMEM;
    memcpy(w->text, data, len);
    w->text[len] = '\0';
    return KURA_OK;
}

/* Scans once. KURA_OK with the code taken, KURA_ERR_NOT_FOUND if none is wanted. */
/* density: read every that many rows and columns (1: all; a glance reads fewer). */
static int scan(wanted *w, const kura_gray *img, kura_kit_seen *seen, int density)
{
    int rc = KURA_ERR_NOT_FOUND;
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_t *im = zbar_image_create();
    if (!sc || !im) {
        if (sc) zbar_image_scanner_destroy(sc);
        if (im) zbar_image_destroy(im);
        return KURA_ERR_NOMEM;
    }
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_X_DENSITY, density);
    zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_Y_DENSITY, density);
    zbar_image_set_format(im, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(im, (unsigned)img->w, (unsigned)img->h);
    zbar_image_set_data(im, img->px, (unsigned long)img->w * (unsigned long)img->h, NULL);
    if (zbar_scan_image(sc, im) > 0) {
        for (const zbar_symbol_t *s = zbar_image_first_symbol(im); s; s = zbar_symbol_next(s)) {
            const char *data = zbar_symbol_get_data(s);
            unsigned len = zbar_symbol_get_data_length(s);
            rc = w->take(w, data, len);
            if (rc != KURA_ERR_NOT_FOUND) break; /* else another QR code: keep looking */
            seen->others++;
        }
    }
    zbar_image_destroy(im);
    zbar_image_scanner_destroy(sc);
    return rc;
}

/* A copy of img scaled by 1/2 (box filter) or 2 (pixel doubling). */
static int rescale(kura_gray *out, const kura_gray *img, int up)
{
    int w = up ? img->w * 2 : img->w / 2, h = up ? img->h * 2 : img->h / 2;
    if (w < 1 || h < 1) return KURA_ERR_INVALID;
    out->px = sodium_malloc((size_t)w * (size_t)h);
    if (!out->px) return KURA_ERR_NOMEM;
    out->w = w, out->h = h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const unsigned char *p = img->px;
            unsigned v;
            if (up) {
                v = p[(size_t)(y / 2) * img->w + x / 2];
            } else {
                size_t i = (size_t)(2 * y) * img->w + 2 * x;
                v = (p[i] + p[i + 1] + p[i + img->w] + p[i + img->w + 1] + 2) / 4;
            }
            out->px[(size_t)y * w + x] = (unsigned char)v;
        }
    }
    return KURA_OK;
}

static int read_wanted(wanted *found, const char *path, kura_kit_seen *seen, unsigned flags)
{
    kura_gray img, half = {0}, alt;
    int rc = kura_gray_load(&img, path, flags & KURA_KIT_QUICK ? 1000 : 0);
    if (rc != KURA_OK) return rc;
    seen->width = img.w, seen->height = img.h;
    rc = scan(found, &img, seen, flags & KURA_KIT_QUICK ? 2 : 1);
    if (flags & KURA_KIT_QUICK) {
        kura_gray_free(&img);
        return rc;
    }
    /* Large photos: halve up to three times. Small screenshots: double once. */
    const kura_gray *src = &img;
    for (int i = 0; rc == KURA_ERR_NOT_FOUND && i < 3 && src->w > 900; i++) {
        if (rescale(&alt, src, 0) != KURA_OK) break;
        kura_gray_free(&half);
        half = alt;
        src = &half;
        rc = scan(found, &half, seen, 1);
    }
    kura_gray_free(&half);
    if (rc == KURA_ERR_NOT_FOUND && img.w < 900 && rescale(&alt, &img, 1) == KURA_OK) {
        rc = scan(found, &alt, seen, 1);
        kura_gray_free(&alt);
    }
    kura_gray_free(&img);
    return rc;
}

int kit_read(kura_kit_found *found, const char *path, kura_kit_seen *seen, unsigned flags)
{
    wanted w = {.take = take_kit, .found = found};
    return read_wanted(&w, path, seen, flags);
}

int kit_read_qr(char **out, const char *path, const char *prefix, kura_kit_seen *seen)
{
    wanted w = {.take = take_prefixed, .prefix = prefix};
    int rc = read_wanted(&w, path, seen, 0);
    if (rc == KURA_OK) *out = w.text;
    return rc;
}
