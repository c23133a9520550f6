/* kit_int.h: the emergency kit's parts in the kit module (kura-kit.so, this folder). One layout
 * (kit_layout.c) computed with a renderer's own text measure, drawn by two renderers (kit_pdf.c:
 * libharu, kit_png.c: cairo); the QR matrix (qr.c: libqrencode); the kit reader (kit_read.c:
 * libzbar). */
#ifndef KURA_KIT_INT_H
#define KURA_KIT_INT_H

#include <stddef.h>

#include "kit_api.h"
#include "kura/recovery.h"
#include "base.h"

/* The module's four functions, in its table (api.c); kura/recovery.h's kura_kit_* say what
 * each does. */
int kit_write_pdf(const char *path, int fd, const kura_kit_spec *spec);
int kit_write_png(const char *path, const kura_kit_spec *spec);
int kit_read(kura_kit_found *found, const char *path, kura_kit_seen *seen, unsigned flags);
int kit_read_qr(char **out, const char *path, const char *prefix, kura_kit_seen *seen);
int kit_qr_text(char **out, const char *vault_id, const kura_client_key *key, int ascii);

/* ---- qr.c ---- */
#define KURA_QR_QUIET 4 /* modules of white around the code */

/* A QR matrix, width x width modules (no quiet zone), one byte each: 1 dark, 0 light. In
 * sodium_malloc memory: the matrix encodes the key. */
typedef struct kura_qr {
    int width;
    unsigned char *dark;
} kura_qr;

/* Encodes text (error correction Q). KURA_ERR_NOMEM or KURA_ERR_INVALID on failure. */
KURA_MUST_CHECK int kura_qr_encode(kura_qr *qr, const char *text);
void kura_qr_free(kura_qr *qr);

/* ---- image.c: kit images as 8-bit gray pixels ---- */
typedef struct kura_gray {
    int w, h;
    unsigned char *px; /* w * h bytes, sodium_malloc */
} kura_gray;

/* Loads an image (image.c says which) or a PDF's first page: as it is with max_side 0, else
 * shrunk as it loads (JPEG and HEIC decode at a fraction of their size) so that its longer
 * side is at most max_side, a PDF at 100 dpi. KURA_ERR_IO if unreadable (errno: EISDIR for a
 * folder), KURA_ERR_INVALID if not an image this can decode (or over 100 megapixels). */
KURA_MUST_CHECK int kura_gray_load(kura_gray *img, const char *path, int max_side);
void kura_gray_free(kura_gray *img);
/* Renders a PDF's first page at dpi (pdf_page.c, poppler). KURA_ERR_INVALID if not a PDF. */
KURA_MUST_CHECK int kura_gray_load_pdf(kura_gray *img, const char *path, double dpi);

/* ---- kit_layout.c: the layout ---- */
/* KIT_USER: what the user wrote (the vault's name, a path or URL that is not ASCII), in a
 * font that has every character of it (kit_font.c). */
typedef enum { KIT_SANS, KIT_BOLD, KIT_MONO, KIT_USER, KIT_FONTS } kit_font;
typedef enum { OP_TEXT, OP_BOX, OP_RULE, OP_QR } kit_op_kind;

/* One thing to draw, in points from the page's top-left corner. */
typedef struct kit_op {
    kit_op_kind kind;
    kit_font font;
    double x, y; /* text: start of the baseline; box, rule, qr: top-left */
    double w, h; /* box and qr: size; rule: length */
    double size; /* text: font size */
    double gray; /* text colour or box fill: 0 black .. 1 white */
    const char *text;
} kit_op;

#define KIT_MAX_OPS 160

typedef struct kit_layout {
    double page_w, page_h;
    int lang;
    kit_op ops[KIT_MAX_OPS];
    size_t n;
    kura_qr qr;
    kura_arena *arena; /* the texts, the key among them */
} kit_layout;

/* Width in points of text in font at size, as the renderer will draw it. */
typedef double (*kit_measure_fn)(void *ctx, kit_font font, double size, const char *text);

KURA_MUST_CHECK int kit_layout_build(kit_layout *l, const kura_kit_spec *spec,
                                     kit_measure_fn measure, void *ctx);
void kit_layout_free(kit_layout *l);

/* Page size in points for spec->paper. */
void kit_page_size(const kura_kit_spec *spec, double *w, double *h);
/* What the kit shows in KIT_USER, into out (cap bytes): the name, and where when not ASCII. */
void kit_user_text(char *out, size_t cap, const kura_kit_spec *spec);

/* ---- kit_font.c ---- */
typedef struct kit_font_file {
    char file[4096];
    int index; /* the face in a collection (.ttc) */
} kit_font_file;
/* A TrueType font that has every character of text (UTF-8): prefer (a file; NULL: none)
 * when it has them, else the first in fontconfig's order, DejaVu Sans first.
 * KURA_ERR_NOT_FOUND if no font on this machine has them all. */
KURA_MUST_CHECK int kit_font_for(kit_font_file *out, const char *text, const char *prefer);

/* Font files the renderers embed (Debian's paths, overridable at build time). */
#ifndef KURA_FONT_SANS
#define KURA_FONT_SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif
#ifndef KURA_FONT_BOLD
#define KURA_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#endif
#ifndef KURA_FONT_MONO
#define KURA_FONT_MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
#endif
#ifndef KURA_FONT_JA
#define KURA_FONT_JA "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf"
#endif

#endif
