/* Result codes as text (short, secret-free, stable), and the detail of this thread's last
 * failure. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

static _Thread_local char detail[300];

const char *kura_error_detail(void)
{
    return detail;
}

int kura_fail(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return rc;
}

int kura_fail_in(int rc, const char *fmt, ...)
{
    char what[200], deeper[sizeof detail];
    snprintf(deeper, sizeof deeper, "%s", detail);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t n = strlen(what);
    memcpy(detail, what, n + 1);
    if (deeper[0])
        snprintf(detail + n, sizeof detail - n, ": %.*s", (int)(sizeof detail - n), deeper);
    return rc;
}

void kura_detail_clear(void)
{
    detail[0] = '\0';
}

const char *kura_strerror(int rc)
{
    switch (rc) {
    case KURA_OK:
        return "success";
    case KURA_ERR_IO:
        return "input/output error";
    case KURA_ERR_NOMEM:
        return "out of memory";
    case KURA_ERR_INVALID:
        return "invalid argument";
    case KURA_ERR_EXISTS:
        return "file already exists";
    case KURA_ERR_NOT_FOUND:
        return "not found";
    case KURA_ERR_WRONG_KEY:
        return "this key does not open the vault";
    case KURA_ERR_KEY_MALFORMED:
        return "client key is malformed";
    case KURA_ERR_KEY_TYPO:
        return "client key has a typo";
    case KURA_ERR_KEY_VERSION:
        return "client key has an unknown version";
    case KURA_ERR_CORRUPT:
        return "vault file is damaged or tampered with";
    case KURA_ERR_TOO_NEW:
        return "vault file needs a newer kura";
    case KURA_ERR_LOCKED:
        return "vault is locked";
    case KURA_ERR_EXPIRED:
        return "session expired";
    case KURA_ERR_BUSY:
        return "vault is busy";
    case KURA_ERR_PERM:
        return "unsafe permissions";
    case KURA_ERR_DISK_FULL:
        return "the disk is full";
    case KURA_ERR_READ_ONLY:
        return "read-only file or folder";
    case KURA_ERR_NO_MODULE:
        return "a module of kura's (kura-kit.so, kura-import.so or kura-git.so) is missing or "
               "does not load";
    case KURA_ERR_TAMPERED:
        return "vault file does not match its signed state";
    case KURA_ERR_ROLLED_BACK:
        return "vault file is older than this device last saw it";
    case KURA_ERR_FORK:
        return "vault file does not continue what this device last saw";
    case KURA_ERR_OLD_KEY:
        return "key material from before a key rotation";
    case KURA_ERR_DISK:
        return "the disk reported an input/output error";
    case KURA_ERR_UNREAD:
        return "the file holds data its format's reader does not read";
    case KURA_ERR_UNREACHABLE:
        return "the remote cannot be reached";
    case KURA_ERR_ROTATED:
        return "the vault's key was rotated on another device";
    case KURA_ERR_RESET:
        return "the vault was reset";
    case KURA_ERR_TOO_BIG:
        return "the file is too large";
    default:
        return "unknown error";
    }
}
