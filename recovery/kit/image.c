/* Decoding kit images into 8-bit gray pixels for the QR reader: PNG through libpng, JPEG
 * through libjpeg, a PDF kit's page through poppler (pdf_page.c), told apart by their first
 * bytes. The pixels are kept in guarded memory:
 * a kit image shows the key. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <png.h>

#include "kit_int.h"

#define MAX_PIXELS (100u * 1000u * 1000u) /* 100 megapixels: a phone photo fits */

static int load_png(kura_gray *img, FILE *f)
{
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&png, f)) return KURA_ERR_INVALID;
    png.format = PNG_FORMAT_GRAY;
    if ((size_t)png.width * png.height > MAX_PIXELS) {
        png_image_free(&png);
        return KURA_ERR_INVALID;
    }
    img->w = (int)png.width;
    img->h = (int)png.height;
    img->px = sodium_malloc(PNG_IMAGE_SIZE(png));
    if (!img->px) {
        png_image_free(&png);
        return KURA_ERR_NOMEM;
    }
    /* White background for transparent screenshots. */
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&png, &white, img->px, 0, NULL)) {
        png_image_free(&png);
        kura_gray_free(img);
        return KURA_ERR_INVALID;
    }
    return KURA_OK;
}

typedef struct jerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} jerr;

static void jpeg_fail(j_common_ptr cinfo)
{
    longjmp(((jerr *)cinfo->err)->jump, 1);
}

static void jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo, (void)level;
}

static int load_jpeg(kura_gray *img, FILE *f)
{
    struct jpeg_decompress_struct cinfo;
    jerr err;
    unsigned char *volatile px = NULL;

    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail;
    err.mgr.emit_message = jpeg_quiet;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        sodium_free(px);
        return KURA_ERR_INVALID;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    if ((size_t)cinfo.output_width * cinfo.output_height > MAX_PIXELS) {
        jpeg_destroy_decompress(&cinfo);
        return KURA_ERR_INVALID;
    }
    px = sodium_malloc((size_t)cinfo.output_width * cinfo.output_height);
    if (!px) {
        jpeg_destroy_decompress(&cinfo);
        return KURA_ERR_NOMEM;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = px + (size_t)cinfo.output_scanline * cinfo.output_width;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    img->w = (int)cinfo.output_width;
    img->h = (int)cinfo.output_height;
    img->px = px;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return KURA_OK;
}

int kura_gray_load(kura_gray *img, const char *path)
{
    unsigned char magic[8] = {0};
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f) return KURA_ERR_IO;
    size_t n = fread(magic, 1, sizeof magic, f);
    rewind(f);
    int rc = KURA_ERR_INVALID;
    if (n >= 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0)
        rc = load_png(img, f);
    else if (n >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff)
        rc = load_jpeg(img, f);
    fclose(f);
    if (n >= 5 && memcmp(magic, "%PDF-", 5) == 0) rc = kura_gray_load_pdf(img, path, 150);
    return rc;
}

void kura_gray_free(kura_gray *img)
{
    sodium_free(img->px);
    img->px = NULL;
    img->w = img->h = 0;
}
