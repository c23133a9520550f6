/* The clipboard: kura get --copy. kura hands the value to wl-copy (Wayland), xclip or xsel
 * (X11) on their standard input, never in argv; marks it as a secret where the tool can
 * (wl-copy --sensitive, in wl-clipboard 2.2 and later); and leaves a small process behind
 * that clears the clipboard after the config's clipboard_time unless it holds something else by
 * then. That process is kura itself, started afresh (exec), so it holds no key and no vault: only a
 * keyed hash of the value, under a key of its own, read from a pipe. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define MAX_PASTE (KURA_MAX_LONG + 1)
#define TAG_BYTES 32

typedef struct tool {
    const char *name;
    const char *display;                       /* the variable that says its display is there */
    const char *copy[5], *paste[5], *clear[5]; /* clear[0] NULL: copy empty input instead */
} tool;

static const tool tools[] = {
    {"wl-copy",
     "WAYLAND_DISPLAY",
     {"wl-copy", NULL},
     {"wl-paste", "--no-newline", NULL},
     {"wl-copy", "--clear", NULL}},
    {"xclip",
     "DISPLAY",
     {"xclip", "-selection", "clipboard", NULL},
     {"xclip", "-selection", "clipboard", "-o", NULL},
     {NULL}},
    {"xsel",
     "DISPLAY",
     {"xsel", "--clipboard", "--input", NULL},
     {"xsel", "--clipboard", "--output", NULL},
     {"xsel", "--clipboard", "--clear", NULL}},
};

static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path) return 0;
    char buf[4096];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n && n + strlen(name) + 2 <= sizeof buf) {
            memcpy(buf, p, n);
            snprintf(buf + n, sizeof buf - n, "/%s", name);
            if (access(buf, X_OK) == 0) return 1;
        }
        p += n;
        if (*p) p++;
    }
    return 0;
}

static const tool *find_tool(void)
{
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        const char *d = getenv(tools[i].display);
        if (d && *d && on_path(tools[i].copy[0])) return &tools[i];
    }
    return NULL;
}

static const tool *tool_named(const char *name)
{
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (strcmp(tools[i].name, name) == 0) return &tools[i];
    return NULL;
}

/* Runs argv with in on its stdin (NULL: /dev/null) and its stdout into out (NULL: /dev/null;
 * at most cap bytes, *got of them), stderr to /dev/null, for at most 10 s. Exit status, or -1. */
static int run_tool(const char *const *argv, const char *in, size_t inlen, char *out, size_t cap,
                    size_t *got)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1};
    if ((in && pipe2(to, O_CLOEXEC) != 0) || (out && pipe2(from, O_CLOEXEC) != 0)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(in ? to[0] : null, 0);
        dup2(out ? from[1] : null, 1);
        dup2(null, 2); /* the tool's background copy must not hold our stdout or stderr */
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (in) close(to[0]);
    if (out) close(from[1]);
    if (pid < 0) {
        if (in) close(to[1]);
        if (out) close(from[0]);
        return -1;
    }
    if (in) {
        signal(SIGPIPE, SIG_IGN);
        for (size_t off = 0; off < inlen;) {
            ssize_t n = write(to[1], in + off, inlen - off);
            if (n <= 0) break;
            off += (size_t)n;
        }
        close(to[1]);
    }
    if (out) {
        *got = 0;
        for (;;) {
            struct pollfd p = {from[0], POLLIN, 0};
            if (poll(&p, 1, 10000) <= 0) {
                kill(pid, SIGKILL);
                break;
            }
            ssize_t n = read(from[0], out + *got, cap - *got);
            if (n <= 0) break;
            *got += (size_t)n;
            if (*got == cap) break;
        }
        close(from[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* wl-copy marks the value as a secret (x-kde-passwordManagerHint) from wl-clipboard 2.2. */
static int wl_sensitive(void)
{
    static char help[8192];
    const char *argv[] = {"wl-copy", "--help", NULL};
    size_t n = 0;
    run_tool(argv, NULL, 0, help, sizeof help - 1, &n);
    help[n] = '\0';
    return strstr(help, "--sensitive") != NULL;
}

/* Starts the clearer, detached (its own session, reparented to init), with the key and tag
 * on its fd 3. */
static int start_clearer(const tool *t, const unsigned char secret[2 * TAG_BYTES], int seconds)
{
    int p[2];
    if (pipe(p) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        if (fork() != 0) _exit(0);
        setsid();
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0), dup2(null, 1), dup2(null, 2);
        if (p[0] != 3) {
            dup2(p[0], 3);
            close(p[0]);
        }
        char secs[16];
        snprintf(secs, sizeof secs, "%d", seconds);
        const char *argv[] = {"kura", "__clipboard-clear", t->name, secs, NULL};
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    close(p[0]);
    ssize_t n = pid > 0 ? write(p[1], secret, 2 * TAG_BYTES) : -1;
    close(p[1]);
    if (pid > 0) waitpid(pid, NULL, 0);
    return n == 2 * TAG_BYTES ? 0 : -1;
}

int clipboard_copy(ctx *c, const kura_item *it, const char *what, const char *value)
{
    const tool *t = find_tool();
    if (!t)
        return fail(EX_FAIL, "no clipboard to copy to: kura uses wl-copy (Wayland), xclip or xsel "
                             "(X11), and needs one of them installed and a display "
                             "(WAYLAND_DISPLAY or DISPLAY)");
    const char *argv[6] = {t->copy[0], t->copy[1], t->copy[2], t->copy[3], NULL, NULL};
    int sensitive = t == &tools[0] && wl_sensitive();
    if (sensitive) argv[1] = "--sensitive";
    size_t len = strlen(value);
    if (run_tool(argv, value, len, NULL, 0, NULL) != 0)
        return fail(EX_FAIL, "%s could not take the value (is the display %s open?)", t->name,
                    getenv(t->display));
    int seconds = c->settings.clipboard_time, cleared = seconds > 0;
    if (cleared) {
        unsigned char secret[2 * TAG_BYTES]; /* a key of its own, then the value's tag */
        randombytes_buf(secret, TAG_BYTES);
        crypto_generichash(secret + TAG_BYTES, TAG_BYTES, (const unsigned char *)value, len, secret,
                           TAG_BYTES);
        int r = start_clearer(t, secret, seconds);
        sodium_memzero(secret, sizeof secret);
        if (r != 0)
            note("kura: the clipboard will not be cleared by itself: cannot start the process "
                 "that clears it");
    }
    if (c->json) {
        json_print(json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "id", it->id, "title", it->title,
                             "copied", what, "tool", t->name, "clear_after", cleared ? seconds : 0,
                             "sensitive", sensitive));
    } else if (cleared) {
        printf("copied the %s of \"%s\" to the clipboard (%s); it is cleared in %d s unless "
               "it changes\n",
               what, it->title, t->name, seconds);
    } else {
        printf("copied the %s of \"%s\" to the clipboard (%s)\n", what, it->title, t->name);
    }
    return EX_OK;
}

/* kura __clipboard-clear TOOL SECONDS, with the key and the tag on fd 3: waits, then clears
 * the clipboard if it still holds the value. */
int clipboard_clear_main(int argc, char **argv)
{
    unsigned char *secret = sodium_malloc(2 * TAG_BYTES), tag[TAG_BYTES];
    char *paste = sodium_malloc(MAX_PASTE);
    const tool *t = argc == 4 ? tool_named(argv[2]) : NULL;
    int secs = argc == 4 ? atoi(argv[3]) : 0;
    size_t got = 0;
    if (!secret || !paste || !t || secs <= 0 || read(3, secret, 2 * TAG_BYTES) != 2 * TAG_BYTES)
        return EX_USAGE;
    close(3);
    struct timespec left = {secs, 0};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
    if (run_tool(t->paste, NULL, 0, paste, MAX_PASTE, &got) != 0) got = 0;
    crypto_generichash(tag, sizeof tag, (const unsigned char *)paste, got, secret, TAG_BYTES);
    int same = got < MAX_PASTE && sodium_memcmp(tag, secret + TAG_BYTES, TAG_BYTES) == 0;
    sodium_free(paste);
    sodium_free(secret);
    if (!same) return EX_OK; /* something else was copied since: leave it */
    if (t->clear[0]) return run_tool(t->clear, NULL, 0, NULL, 0, NULL) == 0 ? EX_OK : EX_FAIL;
    return run_tool(t->copy, "", 0, NULL, 0, NULL) == 0 ? EX_OK : EX_FAIL;
}
