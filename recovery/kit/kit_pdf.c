/* The kit as a PDF: the shared layout drawn with libharu, the only file that calls it.
 * English kits use the standard Helvetica and Courier (text in WinAnsi); Japanese kits embed
 * IPAGothic; the vault's name, when WinAnsi cannot say it, is in a font fontconfig finds
 * that has all of it, embedded (kit_font.c). The key is in
 * Courier Bold (monospace, selectable); the QR code is vector rectangles, sharp at any DPI. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <hpdf.h>

#include "kit_int.h"

typedef struct pdf {
    HPDF_Doc doc;
    HPDF_Font font[KIT_FONTS];
    int winansi[KIT_FONTS]; /* text for this font must be converted to WinAnsi (CP1252) */
    int fake_bold;          /* no bold face: stroke the glyphs */
    HPDF_STATUS error;
} pdf;

static void on_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    (void)detail;
    pdf *p = user;
    if (!p->error) p->error = error;
}

/* CP1252's 0x80-0x9f block; the rest of Latin-1 maps to itself. */
static const unsigned short cp1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

/* UTF-8 to CP1252; returns 0 if a character has no place there. */
static int to_winansi(char *out, size_t cap, const char *in)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    while (*p) {
        unsigned cp;
        size_t n = (*p < 0x80) ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        cp = n == 1 ? *p : *p & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
            if (!p[i]) return 0;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        p += n;
        int c = -1;
        if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) c = (int)cp;
        for (int i = 0; i < 32 && c < 0; i++)
            if (cp1252_high[i] == cp) c = 0x80 + i;
        if (c < 0 || o + 1 >= cap) return 0;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 1;
}

/* The text as this font wants it (converted into buf when needed). */
static const char *encode(const pdf *p, kit_font f, const char *s, char *buf, size_t cap)
{
    if (!p->winansi[f]) return s;
    return to_winansi(buf, cap, s) ? buf : "?";
}

static double measure(void *ctx, kit_font f, double size, const char *s)
{
    pdf *p = ctx;
    char buf[1024];
    const char *t = encode(p, f, s, buf, sizeof buf);
    HPDF_TextWidth tw = HPDF_Font_TextWidth(p->font[f], (const HPDF_BYTE *)t, (HPDF_UINT)strlen(t));
    return tw.width * size / 1000.0;
}

/* KIT_USER: Helvetica when the text fits WinAnsi on an English kit, else a font that has it
 * all, embedded (the sans face when none has). */
static int load_user_font(pdf *p, const kura_kit_spec *spec)
{
    char text[2048], buf[2048];
    kit_font_file ff;
    kit_user_text(text, sizeof text, spec);
    if (spec->lang == KURA_LANG_EN && to_winansi(buf, sizeof buf, text)) {
        p->font[KIT_USER] = HPDF_GetFont(p->doc, "Helvetica", "WinAnsiEncoding");
        p->winansi[KIT_USER] = 1;
        return p->font[KIT_USER] ? KURA_OK : KURA_ERR_NOMEM;
    }
    const char *name = NULL, *face = spec->lang == KURA_LANG_JA ? KURA_FONT_JA : KURA_FONT_SANS;
    HPDF_STATUS before = p->error;
    if (kit_font_for(&ff, text, face) == KURA_OK) {
        if (!p->winansi[KIT_SANS] && strcmp(ff.file, face) == 0) { /* the face has it all */
            p->font[KIT_USER] = p->font[KIT_SANS];
            return KURA_OK;
        }
        HPDF_UseUTFEncodings(p->doc);
        size_t n = strlen(ff.file);
        name = n > 4 && strcasecmp(ff.file + n - 4, ".ttc") == 0
                   ? HPDF_LoadTTFontFromFile2(p->doc, ff.file, (HPDF_UINT)ff.index, HPDF_TRUE)
                   : HPDF_LoadTTFontFromFile(p->doc, ff.file, HPDF_TRUE);
    }
    p->error = before; /* a font that did not load is not the document's failure */
    if (!name) {       /* no font has it all: the sans face, as far as it goes */
        p->font[KIT_USER] = p->font[KIT_SANS];
        p->winansi[KIT_USER] = p->winansi[KIT_SANS];
        return KURA_OK;
    }
    p->font[KIT_USER] = HPDF_GetFont(p->doc, name, "UTF-8");
    return p->font[KIT_USER] ? KURA_OK : KURA_ERR_NOMEM;
}

static int load_face_fonts(pdf *p, const kura_kit_spec *spec)
{
    p->font[KIT_MONO] = HPDF_GetFont(p->doc, "Courier-Bold", "WinAnsiEncoding");
    p->winansi[KIT_MONO] = 1;
    if (!p->font[KIT_MONO]) return KURA_ERR_NOMEM;
    if (spec->lang == KURA_LANG_EN) {
        p->font[KIT_SANS] = HPDF_GetFont(p->doc, "Helvetica", "WinAnsiEncoding");
        p->font[KIT_BOLD] = HPDF_GetFont(p->doc, "Helvetica-Bold", "WinAnsiEncoding");
        p->winansi[KIT_SANS] = p->winansi[KIT_BOLD] = 1;
        return p->font[KIT_SANS] && p->font[KIT_BOLD] ? KURA_OK : KURA_ERR_NOMEM;
    }
    /* Embedded TrueType fonts, subset, with a UTF-8 encoder. */
    const char *sans = spec->lang == KURA_LANG_JA ? KURA_FONT_JA : KURA_FONT_SANS;
    const char *bold = spec->lang == KURA_LANG_JA ? KURA_FONT_JA : KURA_FONT_BOLD;
    if (access(sans, R_OK) != 0 || access(bold, R_OK) != 0) return KURA_ERR_NOT_FOUND;
    HPDF_UseUTFEncodings(p->doc);
    const char *sname = HPDF_LoadTTFontFromFile(p->doc, sans, HPDF_TRUE);
    const char *bname = sans == bold ? sname : HPDF_LoadTTFontFromFile(p->doc, bold, HPDF_TRUE);
    if (!sname || !bname) return KURA_ERR_NOT_FOUND;
    p->font[KIT_SANS] = HPDF_GetFont(p->doc, sname, "UTF-8");
    p->font[KIT_BOLD] = HPDF_GetFont(p->doc, bname, "UTF-8");
    p->fake_bold = sans == bold;
    return p->font[KIT_SANS] && p->font[KIT_BOLD] ? KURA_OK : KURA_ERR_NOMEM;
}

static int load_fonts(pdf *p, const kura_kit_spec *spec)
{
    int rc = load_face_fonts(p, spec);
    return rc == KURA_OK ? load_user_font(p, spec) : rc;
}

static void draw(pdf *p, HPDF_Page page, const kit_layout *l)
{
    const double H = l->page_h;
    char buf[1024];
    for (size_t i = 0; i < l->n; i++) {
        const kit_op *o = &l->ops[i];
        switch (o->kind) {
        case OP_TEXT: {
            int stroke = o->font == KIT_BOLD && p->fake_bold;
            HPDF_Page_BeginText(page);
            HPDF_Page_SetFontAndSize(page, p->font[o->font], (HPDF_REAL)o->size);
            HPDF_Page_SetGrayFill(page, (HPDF_REAL)o->gray);
            HPDF_Page_SetTextRenderingMode(page, stroke ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
            if (stroke) {
                HPDF_Page_SetGrayStroke(page, (HPDF_REAL)o->gray);
                HPDF_Page_SetLineWidth(page, (HPDF_REAL)(o->size * 0.035));
            }
            HPDF_Page_TextOut(page, (HPDF_REAL)o->x, (HPDF_REAL)(H - o->y),
                              encode(p, o->font, o->text, buf, sizeof buf));
            HPDF_Page_EndText(page);
            break;
        }
        case OP_BOX:
            HPDF_Page_SetGrayFill(page, (HPDF_REAL)o->gray);
            HPDF_Page_Rectangle(page, (HPDF_REAL)o->x, (HPDF_REAL)(H - o->y - o->h),
                                (HPDF_REAL)o->w, (HPDF_REAL)o->h);
            HPDF_Page_Fill(page);
            break;
        case OP_RULE:
            HPDF_Page_SetGrayStroke(page, (HPDF_REAL)o->gray);
            HPDF_Page_SetLineWidth(page, 0.8f);
            HPDF_Page_MoveTo(page, (HPDF_REAL)o->x, (HPDF_REAL)(H - o->y));
            HPDF_Page_LineTo(page, (HPDF_REAL)(o->x + o->w), (HPDF_REAL)(H - o->y));
            HPDF_Page_Stroke(page);
            break;
        case OP_QR: {
            /* Runs of dark modules in a row become one rectangle: no hairline seams. */
            int n = l->qr.width;
            double m = o->w / (n + 2 * KURA_QR_QUIET);
            HPDF_Page_SetGrayFill(page, 0);
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n;) {
                    if (!l->qr.dark[r * n + c]) {
                        c++;
                        continue;
                    }
                    int run = c;
                    while (run < n && l->qr.dark[r * n + run])
                        run++;
                    double x = o->x + (KURA_QR_QUIET + c) * m;
                    double y = H - (o->y + (KURA_QR_QUIET + r + 1) * m);
                    HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y,
                                        (HPDF_REAL)((run - c) * m), (HPDF_REAL)m);
                    c = run;
                }
            }
            HPDF_Page_Fill(page);
            break;
        }
        }
    }
}

/* All of p to fd. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return KURA_ERR_IO;
        p += w, n -= (size_t)w;
    }
    return KURA_OK;
}

int kit_write_pdf(const char *path, int fd, const kura_kit_spec *spec)
{
    pdf p = {0};
    kit_layout *l = sodium_malloc(sizeof *l);
    unsigned char *out = NULL;
    int rc;

    if (!l) return KURA_ERR_NOMEM;
    memset(l, 0, sizeof *l);
    p.doc = HPDF_New(on_error, &p);
    if (!p.doc) {
        sodium_free(l);
        return KURA_ERR_NOMEM;
    }
    HPDF_SetCompressionMode(p.doc, HPDF_COMP_ALL);
    HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, "Kura Emergency Kit");
    HPDF_SetInfoAttr(p.doc, HPDF_INFO_CREATOR, "kura");
    rc = load_fonts(&p, spec);
    if (rc == KURA_OK) rc = kit_layout_build(l, spec, measure, &p);
    if (rc == KURA_OK) {
        HPDF_Page page = HPDF_AddPage(p.doc);
        HPDF_Page_SetSize(
            page, spec->paper == KURA_PAPER_LETTER ? HPDF_PAGE_SIZE_LETTER : HPDF_PAGE_SIZE_A4,
            HPDF_PAGE_PORTRAIT);
        draw(&p, page, l);
        if (HPDF_SaveToStream(p.doc) != HPDF_OK) rc = KURA_ERR_NOMEM;
    }
    if (rc == KURA_OK && p.error) rc = KURA_ERR_NOMEM;
    if (rc == KURA_OK) {
        HPDF_UINT32 size = HPDF_GetStreamSize(p.doc);
        out = sodium_malloc(size ? size : 1);
        if (!out) rc = KURA_ERR_NOMEM;
        if (rc == KURA_OK && HPDF_ReadFromStream(p.doc, out, &size) != HPDF_OK) rc = KURA_ERR_NOMEM;
        if (rc == KURA_OK)
            rc = path ? kura_write_private_file(path, out, size) : write_all(fd, out, size);
    }
    sodium_free(out);
    kit_layout_free(l);
    sodium_free(l);
    HPDF_Free(p.doc);
    return rc;
}
