/* A PDF kit's first page as gray pixels, rendered by poppler (through cairo, which poppler
 * draws with), so a PDF kit can be checked like an image. The only file that calls poppler. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <poppler.h>

#include "kit_int.h"

int kura_gray_load_pdf(kura_gray *img, const char *path, double dpi)
{
    char abs[PATH_MAX];
    memset(img, 0, sizeof *img);
    if (!realpath(path, abs)) return KURA_ERR_IO;
    gchar *uri = g_filename_to_uri(abs, NULL, NULL);
    if (!uri) return KURA_ERR_INVALID;
    PopplerDocument *doc = poppler_document_new_from_file(uri, NULL, NULL);
    g_free(uri);
    if (!doc) return KURA_ERR_INVALID;
    PopplerPage *page =
        poppler_document_get_n_pages(doc) > 0 ? poppler_document_get_page(doc, 0) : NULL;
    if (!page) {
        g_object_unref(doc);
        return KURA_ERR_INVALID;
    }
    double pw, ph, scale = dpi / 72.0;
    poppler_page_get_size(page, &pw, &ph);
    int w = (int)(pw * scale), h = (int)(ph * scale), rc = KURA_ERR_INVALID;
    if (w > 0 && h > 0 && (size_t)w * (size_t)h <= 100u * 1000u * 1000u) {
        cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t *cr = cairo_create(s);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        poppler_page_render_for_printing(page, cr);
        cairo_surface_flush(s);
        unsigned char *px = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        if (cairo_status(cr) == CAIRO_STATUS_SUCCESS && px) {
            img->px = sodium_malloc((size_t)w * (size_t)h);
            rc = img->px ? KURA_OK : KURA_ERR_NOMEM;
            for (int y = 0; img->px && y < h; y++) {
                const uint32_t *row = (const uint32_t *)(px + (size_t)y * stride);
                for (int x = 0; x < w; x++) {
                    uint32_t p = row[x];
                    unsigned r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
                    img->px[(size_t)y * w + x] = (unsigned char)((r * 77 + g * 150 + b * 29) >> 8);
                }
            }
            img->w = w, img->h = h;
            sodium_memzero(px, (size_t)stride * (size_t)h); /* the page shows the key */
        }
        cairo_destroy(cr);
        cairo_surface_destroy(s);
    }
    g_object_unref(page);
    g_object_unref(doc);
    return rc;
}
