/* The progress line of a long command (an import): half a second in, a line on stderr that
 * shows how far it is, redrawn ten times a second, and cleared before anything else prints. */
#include <string.h>
#include <time.h>

#include "cli.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_start(progress *p, int on)
{
    *p = (progress){.on = on, .start = now_s()};
}

void progress_clear(progress *p)
{
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = 0;
}

void progress_draw(progress *p, size_t done, size_t total, size_t items)
{
    if (!p->on) return;
    double t = now_s();
    if (t - p->start < 0.5 || t - p->last < 0.1) return;
    p->last = t;
    char line[160];
    if (total && done) {
        int pct = (int)(done * 100.0 / (double)total);
        if (pct > 100) pct = 100;
        char fill[21];
        memset(fill, '#', (size_t)pct / 5);
        memset(fill + pct / 5, '.', 20 - (size_t)pct / 5);
        fill[20] = '\0';
        snprintf(line, sizeof line, "importing [%s] %3d%%  %zu items", fill, pct, items);
    } else {
        snprintf(line, sizeof line, "importing ... %zu items", items);
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    p->drawn = 1;
}
