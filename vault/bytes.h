/* bytes.h: numbers in kura's file formats, one way each. kura's own formats are little-endian
 * (FORMAT.md); the SQLite header, read before SQLite opens a file, is big-endian. */
#ifndef KURA_BYTES_H
#define KURA_BYTES_H

#include <stdint.h>

static inline void kura_put32(unsigned char *p, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

static inline uint32_t kura_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void kura_put64(unsigned char *p, uint64_t x)
{
    kura_put32(p, (uint32_t)(x & 0xffffffffu));
    kura_put32(p + 4, (uint32_t)(x >> 32));
}

static inline uint64_t kura_get64(const unsigned char *p)
{
    return (uint64_t)kura_get32(p) | (uint64_t)kura_get32(p + 4) << 32;
}

/* The SQLite header's fields. */
static inline uint32_t kura_get16be(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t kura_get32be(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
