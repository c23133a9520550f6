/* Times as exports write them, read once for every reader (kura's JSON and the other
 * managers' formats alike). */
#define _GNU_SOURCE /* timegm, strptime */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kura/import.h"

int64_t kura_time_parse(const char *s, int ms)
{
    if (!s || !*s) return 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end == '\0' && end != s) return n > 0 ? (ms ? n / 1000 : n) : 0;
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (!p || (*p != 'T' && *p != ' ')) return 0;
    p = strptime(p + 1, "%H:%M:%S", &tm);
    if (!p) return 0;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {
        }
    long off = 0;
    if ((*p == '+' || *p == '-') && strlen(p) >= 6 && p[3] == ':') {
        off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L + ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
        if (*p == '-') off = -off;
        p += 6;
    } else if (*p == 'Z') {
        p++;
    }
    if (*p) return 0;
    time_t t = timegm(&tm);
    return t > 0 ? (int64_t)t - off : 0;
}
