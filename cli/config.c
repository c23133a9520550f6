/* The config file, $XDG_CONFIG_HOME/kura/config (~/.config/kura/config): defaults that the
 * command line and the environment override. Lines "key = value"; '#' starts a comment.
 *   vault = PATH              the vault when neither --vault nor KURA_VAULT names one
 *   session_timeout = MINUTES  kura unlock's idle timeout (1 to 1440)
 *   kit_paper = a4|letter     the kit's paper
 *   kit_lang = en|ja          the kit's language
 *   clipboard_time = SECONDS  how long kura get --copy leaves a value on the clipboard
 *                             (0: until something else is copied; at most 3600)
 * An unknown key or a bad value is a usage error naming the file and line: a typo in a
 * setting should not be quietly ignored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *config_vault;

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

static int setting(const char *path, int line, const char *key, const char *value)
{
    int minutes;
    if (strcmp(key, "vault") == 0) {
        if (!*value) return fail(EX_USAGE, "%s line %d: vault needs a path", path, line);
        free(config_vault);
        config_vault = strdup(value);
        return config_vault ? EX_OK : fail(EX_FAIL, "out of memory");
    }
    if (strcmp(key, "session_timeout") == 0) {
        char *end;
        long m = strtol(value, &end, 10);
        if (!*value || *end || m < 1 || m > 24 * 60)
            return fail(EX_USAGE, "%s line %d: session_timeout is minutes, 1 to 1440", path, line);
        minutes = (int)m;
        unlock_default_timeout(minutes);
        return EX_OK;
    }
    if (strcmp(key, "clipboard_time") == 0) {
        char *end;
        long secs = strtol(value, &end, 10);
        if (!*value || *end || secs < 0 || secs > 3600)
            return fail(EX_USAGE, "%s line %d: clipboard_time is seconds, 0 to 3600", path, line);
        clipboard_seconds = (int)secs;
        return EX_OK;
    }
    if (strcmp(key, "kit_paper") == 0 || strcmp(key, "kit_lang") == 0) {
        int paper = strcmp(key, "kit_paper") == 0;
        if (paper && strcmp(value, "a4") == 0)
            kit_options.paper = KURA_PAPER_A4;
        else if (paper && strcmp(value, "letter") == 0)
            kit_options.paper = KURA_PAPER_LETTER;
        else if (!paper && strcmp(value, "en") == 0)
            kit_options.lang = KURA_LANG_EN;
        else if (!paper && strcmp(value, "ja") == 0)
            kit_options.lang = KURA_LANG_JA;
        else
            return fail(EX_USAGE, "%s line %d: %s is %s", path, line, key,
                        paper ? "a4 or letter" : "en or ja");
        return EX_OK;
    }
    return fail(EX_USAGE,
                "%s line %d: unknown setting '%.40s' (kura knows vault, session_timeout, "
                "clipboard_time, kit_paper and kit_lang)",
                path, line, key);
}

int load_config(void)
{
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
        char *s = trim(buf);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            ex = fail(EX_USAGE, "%s line %d: not \"key = value\"", path, line);
            break;
        }
        *eq = '\0';
        ex = setting(path, line, trim(s), trim(eq + 1));
    }
    fclose(f);
    return ex;
}
