/* fuzz_common.h: what the fuzz targets share: a private scratch folder, made once. */
#ifndef KURA_FUZZ_COMMON_H
#define KURA_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

static char fuzz_dir[256];

static inline void fuzz_setup(void)
{
    if (fuzz_dir[0]) return;
    if (sodium_init() < 0) abort();
    snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/kura-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_dir)) abort();
}

/* Writes data to dir/name (replacing it); returns the path (static buffer). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t n)
{
    static char path[320];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (n && fwrite(data, 1, n, f) != n) abort();
    fclose(f);
    return path;
}

#endif
