/* A Pwned Passwords file, as haveibeenpwned.com gives it (and keepassxc-cli analyze --hibp
 * reads it): one "HASH:COUNT" line per password ever seen in a breach, HASH the upper-case
 * hex of its SHA-1 (40 digits) or of its NTLM hash (32), the lines ordered by hash; the whole
 * file is some 40 GB. A hash is found by binary search on byte offsets: each step reads a few
 * hundred bytes at the middle of what is left, skips to the next line and compares; once the
 * range is small it is read and scanned. So a lookup reads about log2(size / 8 KiB) small
 * pieces and never the file; digests asked in increasing order start where the last one ended.
 * SHA-1 and MD4 come from nettle. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nettle/md4.h>
#include <nettle/sha1.h>
#include <sodium.h>

#include "kura/errors.h"
#include "module.h"

#define PROBE 256 /* bytes read at each step: a line is far shorter (cap: LINE_MAX_LEN) */
#define LINE_MAX_LEN 200
#define SCAN 8192 /* a range this small is read whole */

struct kura_hibp {
    int fd;
    uint64_t size;
    size_t hexlen; /* 40 (SHA-1) or 32 (NTLM) */
    uint64_t from; /* the line start where the last search ended */
    unsigned char last[KURA_HIBP_DIGEST];
    int have_last;
};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The hash at p (n bytes left) against the digest's hex: <0, 0, >0; 2 if the line is not a
 * hash line. */
static int compare(const kura_hibp *h, const unsigned char *p, size_t n,
                   const unsigned char *digest)
{
    if (n < h->hexlen + 1 || p[h->hexlen] != ':') return 2;
    for (size_t i = 0; i < h->hexlen; i++) {
        int v = hexval(p[i]);
        if (v < 0) return 2;
        int want = i % 2 ? digest[i / 2] & 15 : digest[i / 2] >> 4;
        if (v != want) return v < want ? -1 : 1;
    }
    return 0;
}

static ssize_t read_at(const kura_hibp *h, unsigned char *buf, size_t n, uint64_t at)
{
    size_t done = 0;
    while (done < n && at + done < h->size) {
        ssize_t r = pread(h->fd, buf + done, n - done, (off_t)(at + done));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

/* The first line start at or after at (at itself when a line starts there); h->size if none
 * within a line's length. */
static int line_start(const kura_hibp *h, uint64_t at, uint64_t *out)
{
    unsigned char buf[PROBE];
    if (at == 0) {
        *out = 0;
        return KURA_OK;
    }
    ssize_t n = read_at(h, buf, sizeof buf, at - 1);
    if (n < 0) return KURA_ERR_IO;
    unsigned char *nl = memchr(buf, '\n', (size_t)n);
    *out = nl ? at - 1 + (uint64_t)(nl - buf) + 1 : h->size;
    return KURA_OK;
}

static uint64_t count_at(const unsigned char *p, const unsigned char *end)
{
    uint64_t c = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        c = c > (UINT64_MAX - 9) / 10 ? UINT64_MAX : c * 10 + (uint64_t)(*p - '0');
    return c;
}

enum went { BELOW, ABOVE, NONE };

/* One step of the search: the first line starting at or after at, against the digest. With
 * it below, *lo moves past it (*went BELOW); at or above, *hi moves to it (ABOVE); NONE when no
 * line starts before *hi. KURA_ERR_IO on a read that fails, KURA_ERR_INVALID on a bad line. */
static int step(const kura_hibp *h, const unsigned char *digest, uint64_t at, uint64_t *lo,
                uint64_t *hi, enum went *went)
{
    unsigned char buf[PROBE];
    uint64_t s;
    *went = NONE;
    if (line_start(h, at, &s) != KURA_OK) return KURA_ERR_IO;
    if (s >= *hi) return KURA_OK;
    ssize_t n = read_at(h, buf, PROBE, s);
    if (n < 0) return KURA_ERR_IO;
    unsigned char *nl = memchr(buf, '\n', (size_t)n);
    int c = compare(h, buf, (size_t)n, digest);
    if (c == 2 || (!nl && s + (uint64_t)n < h->size)) return KURA_ERR_INVALID;
    if (c >= 0) {
        *hi = s;
        *went = ABOVE;
    } else {
        *lo = nl ? s + (uint64_t)(nl - buf) + 1 : h->size;
        *went = BELOW;
    }
    return KURA_OK;
}

int kura_hibp_find(kura_hibp *h, const unsigned char digest[KURA_HIBP_DIGEST], uint64_t *count)
{
    size_t dlen = h->hexlen / 2;
    /* lo: a line start, every line before it below the digest; the first line at or above
     * it starts at or before hi. */
    uint64_t lo = 0, hi = h->size;
    unsigned char buf[SCAN + PROBE];
    int rc;
    enum went went;
    *count = 0;
    if (h->have_last && memcmp(digest, h->last, dlen) >= 0) {
        /* Digests asked in increasing order: gallop from where the last one ended (steps of
         * 8 KiB, 16 KiB, 32 KiB...) until a line at or above it, then bisect that stretch. So
         * the cost is the log of the gap between two digests, and the reads move forward. */
        lo = h->from;
        for (uint64_t gap = SCAN; lo + gap < hi; gap *= 2) {
            if ((rc = step(h, digest, lo + gap, &lo, &hi, &went)) != KURA_OK) return rc;
            if (went != BELOW) break;
        }
    }
    while (hi - lo > SCAN) {
        uint64_t mid = lo + (hi - lo) / 2;
        if ((rc = step(h, digest, mid, &lo, &hi, &went)) != KURA_OK) return rc;
        if (went == NONE) hi = mid;
    }
    ssize_t n = read_at(h, buf, (size_t)(hi - lo) + PROBE, lo);
    if (n < 0) return KURA_ERR_IO;
    const unsigned char *p = buf, *end = buf + n;
    while (p < end) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        const unsigned char *line_end = nl ? nl : end;
        int c = compare(h, p, (size_t)(line_end - p), digest);
        if (c == 2 && line_end - p <= 1) { /* a blank last line */
            p = nl ? nl + 1 : end;
            continue;
        }
        if (c == 2) return KURA_ERR_INVALID;
        if (c >= 0) {
            if (c == 0) *count = count_at(p + h->hexlen + 1, line_end);
            break;
        }
        lo += (uint64_t)((nl ? nl + 1 : end) - p);
        p = nl ? nl + 1 : end;
    }
    h->from = lo;
    memcpy(h->last, digest, dlen);
    h->have_last = 1;
    return KURA_OK;
}

void kura_hibp_digest(const kura_hibp *h, const char *password, unsigned char out[KURA_HIBP_DIGEST])
{
    memset(out, 0, KURA_HIBP_DIGEST);
    if (h->hexlen == 40) {
        struct sha1_ctx ctx;
        sha1_init(&ctx);
        sha1_update(&ctx, strlen(password), (const uint8_t *)password);
        sha1_digest(&ctx, SHA1_DIGEST_SIZE, out);
        sodium_memzero(&ctx, sizeof ctx);
        return;
    }
    /* NTLM: MD4 of the password in UTF-16LE (kura's texts are valid UTF-8). */
    struct md4_ctx ctx;
    md4_init(&ctx);
    unsigned char u[4];
    for (const unsigned char *p = (const unsigned char *)password; *p;) {
        uint32_t c;
        size_t k = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
        c = k == 1 ? *p : k == 2 ? *p & 0x1f : k == 3 ? *p & 0x0f : *p & 0x07;
        for (size_t i = 1; i < k && p[i]; i++)
            c = c << 6 | (p[i] & 0x3f);
        for (size_t i = 0; i < k && *p; i++)
            p++;
        if (c >= 0x10000) {
            c -= 0x10000;
            uint32_t hs = 0xd800 | (c >> 10), ls = 0xdc00 | (c & 0x3ff);
            u[0] = (unsigned char)hs, u[1] = (unsigned char)(hs >> 8);
            u[2] = (unsigned char)ls, u[3] = (unsigned char)(ls >> 8);
            md4_update(&ctx, 4, u);
        } else {
            u[0] = (unsigned char)c, u[1] = (unsigned char)(c >> 8);
            md4_update(&ctx, 2, u);
        }
    }
    md4_digest(&ctx, MD4_DIGEST_SIZE, out);
    sodium_memzero(&ctx, sizeof ctx);
    sodium_memzero(u, sizeof u);
}

const char *kura_hibp_kind(const kura_hibp *h)
{
    return h->hexlen == 40 ? "SHA-1" : "NTLM";
}

void kura_hibp_close(kura_hibp *h)
{
    if (!h) return;
    close(h->fd);
    free(h);
}

/* The hash length of the line at p: 40, 32, or 0 when it is not "HASH:COUNT". */
static size_t hash_line(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && hexval(p[i]) >= 0)
        i++;
    if ((i != 40 && i != 32) || i >= n || p[i] != ':' || i + 1 >= n || p[i + 1] < '0' ||
        p[i + 1] > '9')
        return 0;
    return i;
}

int kura_hibp_open(kura_hibp **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? KURA_ERR_NOT_FOUND : KURA_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a file", path);
        close(fd);
        return KURA_ERR_INVALID;
    }
    kura_hibp *h = calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        return KURA_ERR_NOMEM;
    }
    h->fd = fd;
    h->size = (uint64_t)sb.st_size;
    unsigned char first[PROBE], last[PROBE];
    ssize_t n = read_at(h, first, sizeof first, 0);
    h->hexlen = n > 0 ? hash_line(first, (size_t)n) : 0;
    /* The last line, to see that the file is ordered by hash (one ordered by count, the
     * other edition, would make every search wrong). */
    uint64_t at = h->size > sizeof last ? h->size - sizeof last : 0;
    ssize_t m = h->hexlen ? read_at(h, last, sizeof last, at) : -1;
    size_t end = m > 0 ? (size_t)m : 0;
    while (end && (last[end - 1] == '\n' || last[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start && last[start - 1] != '\n')
        start--;
    int ordered = m > 0 && hash_line(last + start, end - start) == h->hexlen &&
                  memcmp(first, last + start, h->hexlen) <= 0;
    if (n < 0 || m < 0 || !h->hexlen || !ordered) {
        snprintf(err, errlen,
                 !h->hexlen ? "%s is not a Pwned Passwords file: its lines are not HASH:COUNT "
                              "with a SHA-1 or NTLM hash"
                            : "%s is not ordered by hash: download the edition ordered by hash "
                              "(haveibeenpwned.com, or the haveibeenpwned-downloader tool)",
                 path);
        kura_hibp_close(h);
        return n < 0 ? KURA_ERR_IO : KURA_ERR_INVALID;
    }
    *out = h;
    return KURA_OK;
}
