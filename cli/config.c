/* The config file, $XDG_CONFIG_HOME/kura/config (~/.config/kura/config): defaults that the
 * command line and the environment override. Lines "key = value"; '#' starts a comment.
 *   vault = PATH              the vault when neither --vault nor KURA_VAULT names one
 *   session_timeout = MINUTES  kura unlock's idle timeout (1 to 1440)
 *   kit_paper = a4|letter     the kit's paper
 *   kit_lang = en|ja          the kit's language
 *   clipboard_time = SECONDS  how long kura get --copy leaves a value on the clipboard
 *                             (0: until something else is copied; at most 3600)
 *   history_keep = N          at least the last N versions of each item kept (1 to 10000)
 *   device_name = NAME        how other devices name this one after a sync (default: the host name)
 *   sync = auto|manual        auto: each change pushes, unlock pulls (default manual)
 *   history_days = DAYS       and every version of the last DAYS days (0 to 36500)
 * An unknown key or a bad value is a usage error naming the file and line: a typo in a
 * setting should not be quietly ignored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        *--end = '\0';
    if (end - s >= 2 && *s == '"' && end[-1] == '"') {
        end[-1] = '\0';
        s++;
    }
    return s;
}

/* The index of value among words, or -1. */
static int word_index(const char *const *words, const char *value)
{
    for (int i = 0; words[i]; i++)
        if (strcasecmp(words[i], value) == 0) return i;
    return -1;
}

/* A whole number from lo to hi, or -1. */
static int number_in(const char *value, int lo, int hi)
{
    char *end;
    long n = strtol(value, &end, 10);
    return *value && !*end && n >= lo && n <= hi ? (int)n : -1;
}

static int setting(settings *s, const char *path, int line, const char *key, const char *value)
{
    if (strcmp(key, "vault") == 0) {
        if (!*value) return fail(EX_USAGE, "%s line %d: vault needs a path", path, line);
        free(s->vault);
        s->vault = strdup(value);
        return s->vault ? EX_OK : fail(EX_FAIL, "out of memory");
    }
    if (strcmp(key, "session_timeout") == 0) {
        if ((s->session_timeout = number_in(value, 1, 24 * 60)) < 0)
            return fail(EX_USAGE, "%s line %d: session_timeout is minutes, 1 to 1440", path, line);
        return EX_OK;
    }
    if (strcmp(key, "clipboard_time") == 0) {
        if ((s->clipboard_time = number_in(value, 0, 3600)) < 0)
            return fail(EX_USAGE, "%s line %d: clipboard_time is seconds, 0 to 3600", path, line);
        return EX_OK;
    }
    if (strcmp(key, "sync") == 0) {
        if (strcmp(value, "auto") != 0 && strcmp(value, "manual") != 0)
            return fail(EX_USAGE, "%s line %d: sync is auto or manual", path, line);
        s->sync_auto = strcmp(value, "auto") == 0;
        return EX_OK;
    }
    if (strcmp(key, "device_name") == 0) {
        if (!*value || strlen(value) > 64)
            return fail(EX_USAGE, "%s line %d: device_name is 1 to 64 bytes", path, line);
        free(s->device_name);
        s->device_name = strdup(value);
        return s->device_name ? EX_OK : fail(EX_FAIL, "out of memory");
    }
    if (strcmp(key, "history_keep") == 0) {
        if ((s->history_keep = number_in(value, 1, 10000)) < 0)
            return fail(EX_USAGE, "%s line %d: history_keep is versions, 1 to 10000", path, line);
        return EX_OK;
    }
    if (strcmp(key, "history_days") == 0) {
        if ((s->history_days = number_in(value, 0, 36500)) < 0)
            return fail(EX_USAGE, "%s line %d: history_days is days, 0 to 36500", path, line);
        return EX_OK;
    }
    if (strcmp(key, "kit_paper") == 0) {
        if ((s->kit_paper = word_index(paper_words, value)) < 0)
            return fail(EX_USAGE, "%s line %d: %s is %s", path, line, key, "a4 or letter");
        return EX_OK;
    }
    if (strcmp(key, "kit_lang") == 0) {
        if ((s->kit_lang = word_index(lang_words, value)) < 0)
            return fail(EX_USAGE, "%s line %d: %s is %s", path, line, key, "en or ja");
        return EX_OK;
    }
    return fail(EX_USAGE,
                "%s line %d: unknown setting '%.40s' (kura knows vault, session_timeout, "
                "clipboard_time, history_keep, history_days, device_name, sync, kit_paper and "
                "kit_lang)",
                path, line, key);
}

void settings_free(settings *s)
{
    free(s->vault);
    s->vault = NULL;
    free(s->device_name);
    s->device_name = NULL;
}

int load_config(settings *s)
{
    *s = (settings){
        .session_timeout = 15,
        .clipboard_time = 45,
        .history_keep = KURA_HISTORY_KEEP,
        .history_days = KURA_HISTORY_DAYS,
        .kit_paper = KURA_PAPER_A4,
        .kit_lang = KURA_LANG_EN,
    };
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char path[4096];
    if (xdg && xdg[0] == '/')
        snprintf(path, sizeof path, "%s/kura/config", xdg);
    else if (home && home[0] == '/')
        snprintf(path, sizeof path, "%s/.config/kura/config", home);
    else
        return EX_OK;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) return EX_OK;
        return fail(EX_FAIL, "cannot read %s: %s", path, strerror(errno));
    }
    char buf[4096];
    int line = 0, ex = EX_OK;
    while (ex == EX_OK && fgets(buf, sizeof buf, f)) {
        line++;
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        char *t = trim(buf);
        if (!*t) continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            ex = fail(EX_USAGE, "%s line %d: not \"key = value\"", path, line);
            break;
        }
        *eq = '\0';
        ex = setting(s, path, line, trim(t), trim(eq + 1));
    }
    fclose(f);
    return ex;
}
