/* The kit as a PNG: the shared layout drawn with cairo at 150 dpi (A4: 1240 x 1754 px),
 * the only file that calls cairo. Text through fontconfig (DejaVu Sans, IPAGothic for
 * Japanese); the QR code snapped to whole pixels so every module is crisp. */
#include <math.h>
#include <string.h>
#include <cairo.h>

#include "kit_int.h"

#define DPI 150.0

typedef struct png {
    cairo_t *cr;
    int lang;
} png;

static void set_font(cairo_t *cr, int lang, kit_font f, double size)
{
    const char *family = f == KIT_MONO          ? "DejaVu Sans Mono"
                         : lang == KURA_LANG_JA ? "IPAPGothic"
                                                : "DejaVu Sans";
    cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                           f == KIT_SANS ? CAIRO_FONT_WEIGHT_NORMAL : CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, size);
}

static double measure(void *ctx, kit_font f, double size, const char *s)
{
    png *p = ctx;
    cairo_text_extents_t e;
    set_font(p->cr, p->lang, f, size);
    cairo_text_extents(p->cr, s, &e);
    return e.x_advance;
}

typedef struct sink {
    unsigned char *p;
    size_t n, cap;
} sink;

/* PNG bytes into guarded memory (the image shows the key). */
static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int len)
{
    sink *s = closure;
    if (s->n + len > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 262144;
        while (cap < s->n + len)
            cap *= 2;
        unsigned char *grown = sodium_malloc(cap);
        if (!grown) return CAIRO_STATUS_NO_MEMORY;
        if (s->n) memcpy(grown, s->p, s->n);
        sodium_free(s->p);
        s->p = grown;
        s->cap = cap;
    }
    memcpy(s->p + s->n, data, len);
    s->n += len;
    return CAIRO_STATUS_SUCCESS;
}

static void draw_qr(cairo_t *cr, const kit_op *o, const kura_qr *qr, double scale)
{
    int side = qr->width + 2 * KURA_QR_QUIET;
    int m = (int)floor(o->w * scale / side); /* whole pixels per module */
    int x0 = (int)lround(o->x * scale), y0 = (int)lround(o->y * scale);
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x0, y0, side * m, side * m);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < qr->width; r++)
        for (int c = 0; c < qr->width; c++)
            if (qr->dark[r * qr->width + c])
                cairo_rectangle(cr, x0 + (KURA_QR_QUIET + c) * m, y0 + (KURA_QR_QUIET + r) * m, m,
                                m);
    cairo_fill(cr);
    cairo_restore(cr);
}

static void draw(cairo_t *cr, const kit_layout *l, double scale)
{
    for (size_t i = 0; i < l->n; i++) {
        const kit_op *o = &l->ops[i];
        switch (o->kind) {
        case OP_TEXT:
            set_font(cr, l->lang, o->font, o->size);
            cairo_set_source_rgb(cr, o->gray, o->gray, o->gray);
            cairo_move_to(cr, o->x, o->y);
            cairo_show_text(cr, o->text);
            break;
        case OP_BOX:
            cairo_set_source_rgb(cr, o->gray, o->gray, o->gray);
            cairo_rectangle(cr, o->x, o->y, o->w, o->h);
            cairo_fill(cr);
            break;
        case OP_RULE:
            cairo_set_source_rgb(cr, o->gray, o->gray, o->gray);
            cairo_set_line_width(cr, 0.8);
            cairo_move_to(cr, o->x, o->y);
            cairo_line_to(cr, o->x + o->w, o->y);
            cairo_stroke(cr);
            break;
        case OP_QR:
            draw_qr(cr, o, &l->qr, scale);
            break;
        }
    }
}

int kura_kit_write_png(const char *path, const kura_kit_spec *spec)
{
    double pw, ph, scale = DPI / 72.0;
    kit_page_size(spec, &pw, &ph);
    int w = (int)ceil(pw * scale), h = (int)ceil(ph * scale);
    kit_layout *l = sodium_malloc(sizeof *l);
    sink out = {0};
    int rc = KURA_ERR_NOMEM;

    if (!l) return KURA_ERR_NOMEM;
    memset(l, 0, sizeof *l);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(surface);
    if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        png p = {cr, spec->lang};
        rc = kit_layout_build(l, spec, measure, &p);
    }
    if (rc == KURA_OK) {
        draw(cr, l, scale);
        cairo_surface_flush(surface);
        if (cairo_status(cr) != CAIRO_STATUS_SUCCESS ||
            cairo_surface_write_to_png_stream(surface, collect, &out) != CAIRO_STATUS_SUCCESS)
            rc = KURA_ERR_NOMEM;
    }
    if (rc == KURA_OK) rc = kura_write_private(path, out.p, out.n);
    /* The pixels show the key: wipe them before cairo frees them. */
    unsigned char *px = cairo_image_surface_get_data(surface);
    if (px) sodium_memzero(px, (size_t)cairo_image_surface_get_stride(surface) * (size_t)h);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    sodium_free(out.p);
    kit_layout_free(l);
    sodium_free(l);
    return rc;
}
