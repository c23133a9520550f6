/* Talking to people: error lines, the terminal (hidden input, confirmations), secret files
 * for scripts, JSON output. Secrets read here live in sodium_malloc memory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define LINE_MAX_BYTES 8192

int colour(FILE *f)
{
    static int known[2], on[2];
    int i = f == stderr;
    if (!known[i]) {
        const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
        on[i] = isatty(fileno(f)) && !(no && *no) && !(term && strcmp(term, "dumb") == 0);
        known[i] = 1;
    }
    return on[i];
}

/* How many bytes at p make a control character a terminal would obey: 1 for C0 and DEL (but
 * newlines, tabs and the CR of a CRLF line ending when keep_lines), 2 for a C1 control
 * (U+0080..U+009F in UTF-8), else 0. */
static int control_at(const unsigned char *p, int keep_lines)
{
    int line_end = *p == '\n' || *p == '\t' || (*p == '\r' && p[1] == '\n');
    if ((*p < 0x20 && !(keep_lines && line_end)) || *p == 0x7f) return 1;
    return *p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? 2 : 0;
}

const char *escaped(char *out, size_t cap, const char *s, int keep_lines)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 7 < cap; p++) {
        int k = control_at(p, keep_lines);
        if (k == 1)
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", *p);
        else if (k == 2)
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *++p);
        else
            out[n++] = (char)*p;
    }
    out[n < cap ? n : cap - 1] = '\0';
    return out;
}

void print_escaped(const char *s, int keep_lines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int k = control_at(p, keep_lines);
        if (k == 1)
            printf("\\x%02x", *p);
        else if (k == 2)
            printf("\\u%04x", *++p);
        else
            putchar(*p);
    }
}

const char *shell_word(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    if (cap < 3) return cap ? (*out = '\0', out) : out;
    out[n++] = '\'';
    for (; *s && n + 6 < cap; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *s;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
    return out;
}

const char *kit_unlock_command(char *out, size_t cap, const ctx *c, const char *const *paths,
                               size_t n)
{
    char word[2 * PATH_MAX];
    size_t o = (size_t)snprintf(out, cap, "eval \"$(kura ");
    if (c->vault_option && o < cap)
        o += (size_t)snprintf(out + o, cap - o, "--vault %s ",
                              shell_word(word, sizeof word, c->vault_path));
    if (o < cap) o += (size_t)snprintf(out + o, cap - o, "unlock");
    for (size_t i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, " --kit %s",
                              shell_word(word, sizeof word, paths[i]));
    if (o < cap) snprintf(out + o, cap - o, ")\"");
    return out;
}

int fail(int code, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One line, whatever a title or a library message holds. */
    for (unsigned char *p = (unsigned char *)line; *p; p++)
        for (int k = control_at(p, 0); k > 0; k--)
            p[k - 1] = ' ';
    fprintf(stderr, colour(stderr) ? COLOUR_ERROR "kura:" COLOUR_OFF " %s\n" : "kura: %s\n", line);
    return code;
}

void note(const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    const char *warning = "kura: warning:";
    if (colour(stderr) && strncmp(line, warning, strlen(warning)) == 0)
        fprintf(stderr, "kura: " COLOUR_WARN "warning:" COLOUR_OFF "%s\n", line + strlen(warning));
    else
        fprintf(stderr, "%s\n", line);
}

void warn_network_fs(ctx *c)
{
    const char *fs = kura_vault_network_fs(c->v);
    if (fs)
        note("kura: warning: vault %s is on a network filesystem (%s), where file locks are "
             "unreliable: write to it from one machine at a time, or keep it on a local disk",
             c->vault_path, fs);
}

int exit_code(int rc)
{
    switch (rc) {
    case KURA_OK:
        return EX_OK;
    case KURA_ERR_INVALID:
        return EX_USAGE;
    case KURA_ERR_WRONG_KEY:
    case KURA_ERR_OLD_KEY:
    case KURA_ERR_ROTATED:
        return EX_WRONG_KEY;
    case KURA_ERR_KEY_MALFORMED:
    case KURA_ERR_KEY_TYPO:
    case KURA_ERR_KEY_VERSION:
        return EX_BAD_KEY;
    case KURA_ERR_NOT_FOUND:
        return EX_NOT_FOUND;
    case KURA_ERR_CORRUPT:
    case KURA_ERR_TAMPERED:
    case KURA_ERR_ROLLED_BACK:
    case KURA_ERR_FORK:
        return EX_DAMAGED;
    case KURA_ERR_TOO_NEW:
        return EX_TOO_NEW;
    case KURA_ERR_LOCKED:
        return EX_LOCKED;
    default:
        return EX_FAIL;
    }
}

/* A path short enough for a one-line message: a very long one keeps its start and its end. */
static const char *shown_path(const char *path)
{
    static char buf[200];
    size_t n = strlen(path);
    if (n < sizeof buf) return path;
    snprintf(buf, sizeof buf, "%.60s...%s", path, path + n - 120);
    return buf;
}

int fail_vault(ctx *c, int rc, const char *doing)
{
    const char *path = shown_path(c->vault_path), *detail = kura_error_detail();
    switch (rc) {
    case KURA_ERR_NOT_FOUND:
        if (!c->v || !kura_vault_is_unlocked(c->v))
            return fail(EX_NOT_FOUND,
                        "no vault at %s; create one with 'kura init' or name "
                        "yours with --vault",
                        path);
        return fail(EX_NOT_FOUND, "%s; see 'kura ls'", detail);
    /* The file is not what was signed, or not what this device saw: each has its way out. */
    case KURA_ERR_TAMPERED:
        return fail(EX_DAMAGED, "%s: %s; to read what is left, run again with --trust-file", path,
                    detail);
    case KURA_ERR_ROLLED_BACK:
        return fail(EX_DAMAGED, "%s: %s; if you did that on purpose, run again with --trust-file",
                    path, detail);
    case KURA_ERR_FORK:
        return fail(EX_DAMAGED, "%s: %s; to accept it, run again with --trust-file", path, detail);
    case KURA_ERR_CORRUPT:
        return fail(EX_DAMAGED,
                    "vault %s is damaged or was tampered with (%s); restore it from "
                    "a backup or a synced copy",
                    path, detail[0] ? detail : "bad data");
    case KURA_ERR_TOO_NEW:
        return fail(EX_TOO_NEW, "vault %s needs a newer kura (%s); upgrade kura to open it", path,
                    detail);
    case KURA_ERR_READ_ONLY:
        return fail(EX_FAIL,
                    "cannot %s in %s: the vault file or its folder is read-only; "
                    "nothing was changed",
                    doing, path);
    case KURA_ERR_DISK_FULL:
        return fail(EX_FAIL,
                    "cannot %s in %s: the disk is full; free some space and try "
                    "again (what the vault held is kept)",
                    doing, path);
    case KURA_ERR_DISK:
        return fail(EX_FAIL, "cannot %s in %s: %s; check the disk, then try again", doing, path,
                    detail[0] ? detail : kura_strerror(rc));
    case KURA_ERR_IO:
        return fail(EX_FAIL, "cannot %s in %s: %s", doing, path,
                    detail[0] ? detail : kura_strerror(rc));
    case KURA_ERR_BUSY:
        return fail(EX_FAIL, "vault %s is busy in another kura process; try again", path);
    case KURA_ERR_INVALID:
        return fail(EX_USAGE, "cannot %s: %s", doing, detail[0] ? detail : "invalid value");
    default:
        return fail(exit_code(rc), "cannot %s in %s: %s", doing, path,
                    detail[0] ? detail : kura_strerror(rc));
    }
}

/* ---- the terminal ---- */

int tty_open(void)
{
    return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

static struct termios saved_term;
static volatile sig_atomic_t term_fd = -1;

static void restore_term(int sig)
{
    if (term_fd >= 0) tcsetattr(term_fd, TCSANOW, &saved_term);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void tty_write(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0 && errno != EINTR) return;
        if (w > 0) s += w, n -= (size_t)w;
    }
}

/* Reads one line from fd into a sodium_malloc buffer; NULL at end of input. */
static char *read_line(int fd)
{
    char *buf = sodium_malloc(LINE_MAX_BYTES);
    size_t n = 0;
    if (!buf) return NULL;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (n == 0) {
                sodium_free(buf);
                return NULL;
            }
            break;
        }
        if (ch == '\n' || ch == '\r') break;
        if (n < LINE_MAX_BYTES - 1) buf[n++] = ch;
    }
    buf[n] = '\0';
    return buf;
}

char *tty_secret(const char *prompt)
{
    int fd = tty_open();
    if (fd < 0) return NULL;
    struct termios t;
    int have_term = tcgetattr(fd, &saved_term) == 0;
    if (have_term) {
        t = saved_term;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        t.c_lflag |= ICANON;
        term_fd = fd;
        signal(SIGINT, restore_term);
        signal(SIGTERM, restore_term);
        signal(SIGHUP, restore_term);
        tcsetattr(fd, TCSANOW, &t);
    }
    tty_write(fd, prompt);
    char *line = read_line(fd);
    tty_write(fd, "\n");
    if (have_term) {
        tcsetattr(fd, TCSANOW, &saved_term);
        term_fd = -1;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
    }
    close(fd);
    return line;
}

char *tty_ask(const char *prompt)
{
    int fd = tty_open();
    if (fd < 0) return NULL;
    tty_write(fd, prompt);
    char *line = read_line(fd);
    close(fd);
    return line;
}

int tty_confirm(const char *question)
{
    int fd = tty_open();
    if (fd < 0) return -1;
    tty_write(fd, question);
    tty_write(fd, " [y/N] ");
    char *line = read_line(fd);
    close(fd);
    int yes =
        line && (strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcasecmp(line, "yes") == 0);
    secret_free(line);
    return yes;
}

void secret_free(char *s)
{
    sodium_free(s);
}

int read_secret_file(char **out, const char *path, const char *what, size_t max)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    *out = NULL;
    if (fd < 0)
        return fail(errno == ENOENT ? EX_NOT_FOUND : EX_FAIL, "cannot read the %s from %s: %s",
                    what, path, strerror(errno));
    char *buf = sodium_malloc(max + 2);
    size_t n = 0;
    if (!buf) {
        if (fd != STDIN_FILENO) close(fd);
        return fail(EX_FAIL, "out of memory");
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            if (fd != STDIN_FILENO) close(fd);
            sodium_free(buf);
            return fail(EX_FAIL, "cannot read the %s from %s: %s", what, path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > max) break;
    }
    if (fd != STDIN_FILENO) close(fd);
    if (n > max) {
        sodium_free(buf);
        return fail(EX_USAGE, "the %s in %s is longer than %zu bytes", what, path, max);
    }
    if (n > 0 && buf[n - 1] == '\n') n--;
    if (n > 0 && buf[n - 1] == '\r') n--;
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        sodium_free(buf);
        return fail(EX_USAGE, "the %s in %s contains a NUL byte", what, path);
    }
    *out = buf;
    return EX_OK;
}

void wipe_file(const char *path)
{
    struct stat sb;
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && fstat(fd, &sb) == 0) {
        static const char zeros[4096];
        for (off_t done = 0; done < sb.st_size;) {
            size_t n = (size_t)(sb.st_size - done < 4096 ? sb.st_size - done : 4096);
            ssize_t w = write(fd, zeros, n);
            if (w <= 0) break;
            done += w;
        }
        (void)fsync(fd);
    }
    if (fd >= 0) close(fd);
    unlink(path);
}

void report_item(const ctx *c, const char *verb, const kura_item *item)
{
    if (c->json)
        json_print(
            json_pack("{s:s, s:s, s:s}", "id", item->id, "title", item->title, "result", verb));
    else
        printf("%s \"%s\" (%.8s)\n", verb, item->title, item->id);
}

/* ---- JSON ---- */

/* jansson's allocations hold decrypted values: wipe them on free. While an import reads a
 * file they are also counted, and refused past a limit (json_limit). */
static size_t json_max, json_used; /* json_used: atomic, the import's reader is a thread */
static int json_hit;               /* an allocation was refused for the limit */

void json_limit(size_t bytes)
{
    json_max = bytes;
    json_hit = 0;
    __atomic_store_n(&json_used, 0, __ATOMIC_RELAXED);
}

int json_limit_hit(void)
{
    return json_hit;
}

/* A block: its size, whether it was counted, then the caller's bytes. Counted as what malloc
 * really holds for it. */
static void *json_alloc(size_t n)
{
    size_t *p = malloc(n + sizeof(size_t) * 2);
    if (!p) return NULL;
    p[0] = n;
    p[1] = 0;
    if (json_max) {
        size_t held = malloc_usable_size(p);
        if (__atomic_add_fetch(&json_used, held, __ATOMIC_RELAXED) > json_max) {
            __atomic_sub_fetch(&json_used, held, __ATOMIC_RELAXED);
            json_hit = 1;
            free(p);
            return NULL;
        }
        p[1] = held;
    }
    return p + 2;
}

static void json_release(void *q)
{
    if (!q) return;
    size_t *p = (size_t *)q - 2;
    if (p[1] && json_max) __atomic_sub_fetch(&json_used, p[1], __ATOMIC_RELAXED);
    sodium_memzero(p, p[0] + sizeof(size_t) * 2);
    free(p);
}

void json_init(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

void json_print(json_t *j)
{
    if (!j) {
        fail(EX_FAIL, "out of memory");
        return;
    }
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
}

void format_time(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        snprintf(out, 32, "%lld", (long long)t);
        return;
    }
    /* strftime's "%Y-%m-%dT%H:%M:%SZ", digit by digit: a listing formats two a item. */
    int v[6] = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
    char *p = out;
    for (int i = 0; i < 6; i++) {
        if (i == 0) {
            *p++ = (char)('0' + v[0] / 1000), *p++ = (char)('0' + v[0] / 100 % 10);
        }
        *p++ = (char)('0' + v[i] / 10 % 10), *p++ = (char)('0' + v[i] % 10);
        *p++ = sep[i];
    }
    *p = '\0';
}

int fail_import_module(const char *why)
{
    return fail(EX_FAIL,
                "cannot read other managers' exports: kura's import module did not load (%s); "
                "reinstall kura (cmake --install puts kura-import.so in lib/kura); nothing "
                "imported",
                why);
}

int fail_kit_module(void)
{
    return fail(EX_FAIL,
                "cannot draw or read kits: kura's kit module did not load (%s); reinstall kura "
                "(cmake --install puts kura-kit.so in lib/kura)",
                kura_error_detail());
}
