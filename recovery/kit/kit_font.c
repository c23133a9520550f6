/* The font for what the user wrote on a kit (the vault's name, the vault's path): one that has
 * every character of it, found through fontconfig, so "Family 家族" on an English kit is never
 * "Family □□". Only TrueType outlines qualify: libharu embeds those in the PDF, and cairo draws
 * the PNG from the same file. */
#include <stdio.h>
#include <string.h>
#include <fontconfig/fontconfig.h>

#include "kit_int.h"

/* Bytes in the UTF-8 sequence at s (valid UTF-8: checked when the name was set). */
static size_t utf8_next(const unsigned char *s, FcChar32 *cp)
{
    int n = FcUtf8ToUcs4(s, cp, (int)strnlen((const char *)s, 4));
    return n > 0 ? (size_t)n : 1;
}

/* 1 if the font file prefer (as fontconfig knows it) has every character in need. */
static int covers(const char *prefer, const FcCharSet *need)
{
    FcPattern *pat =
        FcPatternBuild(NULL, FC_FILE, FcTypeString, (const FcChar8 *)prefer, (char *)NULL);
    FcObjectSet *os = FcObjectSetBuild(FC_CHARSET, (char *)NULL);
    FcFontSet *set = pat && os ? FcFontList(NULL, pat, os) : NULL;
    int yes = 0;
    for (int i = 0; set && i < set->nfont && !yes; i++) {
        FcCharSet *has;
        yes = FcPatternGetCharSet(set->fonts[i], FC_CHARSET, 0, &has) == FcResultMatch &&
              FcCharSetIsSubset(need, has);
    }
    if (set) FcFontSetDestroy(set);
    if (os) FcObjectSetDestroy(os);
    if (pat) FcPatternDestroy(pat);
    return yes;
}

int kit_font_for(kit_font_file *out, const char *text, const char *prefer)
{
    memset(out, 0, sizeof *out);
    if (!FcInit()) return KURA_ERR_NOT_FOUND;
    FcCharSet *need = FcCharSetCreate();
    FcPattern *pat = FcPatternCreate();
    int rc = KURA_ERR_NOT_FOUND;
    if (!need || !pat) goto out;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        FcChar32 cp;
        p += utf8_next(p, &cp);
        if (cp > ' ') FcCharSetAddChar(need, cp);
    }
    if (prefer && strlen(prefer) < sizeof out->file && covers(prefer, need)) {
        snprintf(out->file, sizeof out->file, "%s", prefer);
        rc = KURA_OK;
        goto out;
    }
    /* The kit's own face first when it has them all; fontconfig's order after it. */
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)"DejaVu Sans");
    FcPatternAddCharSet(pat, FC_CHARSET, need);
    FcPatternAddString(pat, FC_FONTFORMAT, (const FcChar8 *)"TrueType");
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcFalse, NULL, &res);
    for (int i = 0; set && i < set->nfont && rc != KURA_OK; i++) {
        FcPattern *f = set->fonts[i];
        FcCharSet *has;
        FcChar8 *file, *format;
        int index = 0;
        if (FcPatternGetCharSet(f, FC_CHARSET, 0, &has) != FcResultMatch ||
            !FcCharSetIsSubset(need, has) ||
            FcPatternGetString(f, FC_FILE, 0, &file) != FcResultMatch ||
            FcPatternGetString(f, FC_FONTFORMAT, 0, &format) != FcResultMatch ||
            strcmp((const char *)format, "TrueType") != 0 ||
            strlen((const char *)file) >= sizeof out->file)
            continue;
        FcPatternGetInteger(f, FC_INDEX, 0, &index);
        snprintf(out->file, sizeof out->file, "%s", (const char *)file);
        out->index = index;
        rc = KURA_OK;
    }
    if (set) FcFontSetDestroy(set);
out:
    if (pat) FcPatternDestroy(pat);
    if (need) FcCharSetDestroy(need);
    return rc;
}
