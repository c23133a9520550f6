/* Decoding kit images into 8-bit gray pixels for the QR reader: any image a person has (PNG,
 * JPEG in RGB, gray or CMYK, HEIC and AVIF as phones save them, WebP, TIFF, GIF) through
 * libvips, turned upright by its EXIF orientation, transparency on white; a PDF kit's page
 * through poppler (pdf_page.c). The format is told by the file's first bytes, and only these
 * loaders are ever asked: libvips would otherwise hand an unknown file to ImageMagick or
 * others it marks untrusted, which kura blocks too. The pixels are kept in guarded memory (a
 * kit image shows the key), and libvips keeps no cache of what it decoded. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <vips/vips.h>

#include "kit_int.h"

#define MAX_PIXELS (100u * 1000u * 1000u) /* 100 megapixels: a phone photo fits */

static int vips_ok;
static pthread_once_t vips_once = PTHREAD_ONCE_INIT;

/* libvips' warnings (a colour profile ignored, a truncated file) are not the user's concern:
 * what matters is whether a kura QR code is found, which the caller says. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain, (void)level, (void)message, (void)data;
}

static void start_vips(void)
{
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, quiet,
                      NULL);
    if (VIPS_INIT("kura") != 0) return;
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0); /* nothing decoded outlives the call */
    vips_cache_set_max_mem(0);
    /* Its worker threads are ended before the process is, not left running through exit
     * (where LeakSanitizer, stopping every thread, can trip over one on its way out). */
    atexit(vips_shutdown);
    vips_ok = 1;
}

typedef int (*loader)(const char *filename, VipsImage **out, ...);

/* The loader for the file's first bytes; NULL: not an image kura reads. */
static loader loader_for(const unsigned char *m, size_t n)
{
    if (n >= 8 && memcmp(m, "\x89PNG\r\n\x1a\n", 8) == 0) return vips_pngload;
    if (n >= 3 && m[0] == 0xff && m[1] == 0xd8 && m[2] == 0xff) return vips_jpegload;
    if (n >= 6 && (memcmp(m, "GIF87a", 6) == 0 || memcmp(m, "GIF89a", 6) == 0)) return vips_gifload;
    if (n >= 12 && memcmp(m, "RIFF", 4) == 0 && memcmp(m + 8, "WEBP", 4) == 0) return vips_webpload;
    if (n >= 4 && (memcmp(m, "II*\0", 4) == 0 || memcmp(m, "MM\0*", 4) == 0)) return vips_tiffload;
    /* ISO media: ....ftyp + a HEIF brand (heic, heix, mif1, msf1, avif, ...). */
    if (n >= 12 && memcmp(m + 4, "ftyp", 4) == 0) {
        static const char *brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                       "heis", "mif1", "msf1", "avif", "avis"};
        for (size_t i = 0; i < sizeof brands / sizeof *brands; i++)
            if (memcmp(m + 8, brands[i], 4) == 0) return vips_heifload;
    }
    return NULL;
}

/* in, upright, on white, as one band of 8-bit gray. */
static int to_gray(VipsImage *in, VipsImage **out)
{
    VipsImage *t[5] = {0};
    double white[3] = {255, 255, 255};
    int bad = vips_autorot(in, &t[0], NULL) ||
              vips_colourspace(t[0], &t[1], VIPS_INTERPRETATION_sRGB, NULL);
    if (!bad) {
        VipsArrayDouble *bg = vips_array_double_new(white, 3);
        bad = vips_image_hasalpha(t[1]) ? vips_flatten(t[1], &t[2], "background", bg, NULL)
                                        : vips_copy(t[1], &t[2], NULL);
        vips_area_unref(VIPS_AREA(bg));
    }
    if (!bad) bad = vips_colourspace(t[2], &t[3], VIPS_INTERPRETATION_B_W, NULL);
    if (!bad) bad = vips_cast_uchar(t[3], &t[4], NULL);
    if (!bad) bad = vips_extract_band(t[4], out, 0, NULL);
    for (int i = 0; i < 5; i++)
        if (t[i]) g_object_unref(t[i]);
    return bad ? -1 : 0;
}

/* max_side 0: as it is; else shrunk as it loads. */
static int load_vips(kura_gray *img, const char *path, loader load, int max_side)
{
    pthread_once(&vips_once, start_vips);
    if (!vips_ok) return KURA_ERR_NOMEM;
    VipsImage *in = NULL, *gray = NULL;
    int rc = KURA_ERR_INVALID;
    int got;
    if (max_side && load == vips_jpegload) { /* libjpeg decodes at 1/2, 1/4 or 1/8 */
        VipsImage *head = NULL;
        int shrink = 1;
        if (vips_jpegload(path, &head, NULL) == 0) {
            int side = head->Xsize > head->Ysize ? head->Xsize : head->Ysize;
            while (shrink < 8 && side / (2 * shrink) >= max_side)
                shrink *= 2;
            g_object_unref(head);
        }
        got = vips_jpegload(path, &in, "shrink", shrink, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    } else if (max_side) {
        got = vips_thumbnail(path, &in, max_side, "size", VIPS_SIZE_DOWN, NULL);
    } else {
        got = load(path, &in, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    }
    if (got == 0 && (size_t)in->Xsize * (size_t)in->Ysize <= MAX_PIXELS &&
        to_gray(in, &gray) == 0) {
        size_t n = 0;
        unsigned char *px = vips_image_write_to_memory(gray, &n);
        if (px && n == (size_t)gray->Xsize * (size_t)gray->Ysize) {
            img->px = sodium_malloc(n);
            rc = img->px ? KURA_OK : KURA_ERR_NOMEM;
            if (img->px) {
                memcpy(img->px, px, n);
                img->w = gray->Xsize, img->h = gray->Ysize;
            }
        }
        if (px) {
            sodium_memzero(px, n); /* the image shows the key */
            g_free(px);
        }
    }
    if (gray) g_object_unref(gray);
    if (in) g_object_unref(in);
    vips_error_clear();
    return rc;
}

int kura_gray_load(kura_gray *img, const char *path, int max_side)
{
    unsigned char magic[16] = {0};
    struct stat sb;
    memset(img, 0, sizeof *img);
    if (stat(path, &sb) != 0) return KURA_ERR_IO;
    if (S_ISDIR(sb.st_mode)) {
        errno = EISDIR;
        return KURA_ERR_IO;
    }
    FILE *f = fopen(path, "rb");
    if (!f) return KURA_ERR_IO;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (n >= 5 && memcmp(magic, "%PDF-", 5) == 0)
        return kura_gray_load_pdf(img, path, max_side ? 100 : 150);
    loader load = loader_for(magic, n);
    return load ? load_vips(img, path, load, max_side) : KURA_ERR_INVALID;
}

void kura_gray_free(kura_gray *img)
{
    sodium_free(img->px);
    img->px = NULL;
    img->w = img->h = 0;
}
