/* The kit as a PNG: the shared layout drawn with cairo at 150 dpi (A4: 1240 x 1754 px),
 * the only file that calls cairo. Text through fontconfig (DejaVu Sans, IPAGothic for
 * Japanese; the vault's name in a font that has all of it, kit_font.c); the QR code snapped to
 * whole pixels so every module is crisp. Saved as 8-bit gray through libpng (a third of the bytes
 * of cairo's RGB, and a fast zlib level: the kit is mostly white). */
#include <math.h>
#include <setjmp.h>
#include <string.h>
#include <cairo.h>
#include <cairo-ft.h>
#include <fontconfig/fontconfig.h>
#include <png.h>

#include "kit_int.h"

#define DPI 150.0

typedef struct png {
    cairo_t *cr;
    int lang;
    cairo_font_face_t *user; /* KIT_USER's face; NULL: the sans face */
} png;

/* KIT_USER: a face from the font fontconfig found with every character the user wrote. */
static cairo_font_face_t *user_face(const kura_kit_spec *spec)
{
    char text[2048];
    kit_font_file ff;
    kit_user_text(text, sizeof text, spec);
    if (kit_font_for(&ff, text, spec->lang == KURA_LANG_JA ? KURA_FONT_JA : KURA_FONT_SANS) !=
        KURA_OK)
        return NULL;
    FcPattern *pat = FcPatternBuild(NULL, FC_FILE, FcTypeString, (const FcChar8 *)ff.file, FC_INDEX,
                                    FcTypeInteger, ff.index, (char *)NULL);
    if (!pat) return NULL;
    cairo_font_face_t *face = cairo_ft_font_face_create_for_pattern(pat);
    FcPatternDestroy(pat);
    if (cairo_font_face_status(face) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(face);
        return NULL;
    }
    return face;
}

static void set_font(const png *p, kit_font f, double size)
{
    cairo_t *cr = p->cr;
    int lang = p->lang;
    if (f == KIT_USER && p->user) {
        cairo_set_font_face(cr, p->user);
        cairo_set_font_size(cr, size);
        return;
    }
    if (f == KIT_USER) f = KIT_SANS;
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
    set_font(p, f, size);
    cairo_text_extents(p->cr, s, &e);
    return e.x_advance;
}

static void png_sink(png_structp png_ptr, png_bytep data, png_size_t len)
{
    /* PNG bytes into guarded memory (the image shows the key). */
    if (kura_gbuf_add(png_get_io_ptr(png_ptr), data, len) != KURA_OK)
        png_error(png_ptr, "no memory");
}

static void png_flush_none(png_structp png_ptr)
{
    (void)png_ptr;
}

/* The drawn page (RGB24, gray only: r = g = b) as an 8-bit gray PNG, through a guarded row. */
static int encode(kura_gbuf *out, cairo_surface_t *surface, int w, int h)
{
    const unsigned char *px = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    unsigned char *row = sodium_malloc((size_t)w);
    png_structp png_ptr = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_ptr ? png_create_info_struct(png_ptr) : NULL;
    volatile int rc = KURA_ERR_NOMEM;
    if (!px || !row || !info) goto done;
    if (setjmp(png_jmpbuf(png_ptr))) {
        rc = KURA_ERR_NOMEM;
        goto done;
    }
    png_set_write_fn(png_ptr, out, png_sink, png_flush_none);
    png_set_IHDR(png_ptr, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_pHYs(png_ptr, info, (png_uint_32)lround(DPI / 0.0254),
                 (png_uint_32)lround(DPI / 0.0254), PNG_RESOLUTION_METER);
    png_set_filter(png_ptr, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_level(png_ptr, 3);
    png_write_info(png_ptr, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = (const uint32_t *)(const void *)(px + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++)
            row[x] = (unsigned char)(src[x] & 0xff);
        png_write_row(png_ptr, row);
    }
    png_write_end(png_ptr, NULL);
    rc = KURA_OK;
done:
    png_destroy_write_struct(&png_ptr, &info);
    if (row) sodium_memzero(row, (size_t)w);
    sodium_free(row);
    return rc;
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

static void draw(const png *p, const kit_layout *l, double scale)
{
    cairo_t *cr = p->cr;
    for (size_t i = 0; i < l->n; i++) {
        const kit_op *o = &l->ops[i];
        switch (o->kind) {
        case OP_TEXT:
            set_font(p, o->font, o->size);
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

int kit_write_png(const char *path, const kura_kit_spec *spec)
{
    double pw, ph, scale = DPI / 72.0;
    kit_page_size(spec, &pw, &ph);
    int w = (int)ceil(pw * scale), h = (int)ceil(ph * scale);
    kit_layout *l = sodium_malloc(sizeof *l);
    kura_gbuf out = {0};
    int rc = KURA_ERR_NOMEM;

    if (!l) return KURA_ERR_NOMEM;
    memset(l, 0, sizeof *l);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(surface);
    png p = {cr, spec->lang, user_face(spec)};
    if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, scale, scale);
        rc = kit_layout_build(l, spec, measure, &p);
    }
    if (rc == KURA_OK) {
        draw(&p, l, scale);
        cairo_surface_flush(surface);
        if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) rc = KURA_ERR_NOMEM;
        if (rc == KURA_OK) rc = encode(&out, surface, w, h);
    }
    if (rc == KURA_OK) rc = kura_write_private_file(path, out.p, out.n);
    /* The pixels show the key: wipe them before cairo frees them. */
    unsigned char *px = cairo_image_surface_get_data(surface);
    if (px) sodium_memzero(px, (size_t)cairo_image_surface_get_stride(surface) * (size_t)h);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    if (p.user) cairo_font_face_destroy(p.user);
    kura_gbuf_free(&out);
    kit_layout_free(l);
    sodium_free(l);
    return rc;
}
