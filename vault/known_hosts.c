/* The host key of an ssh remote, checked against the user's known_hosts as ssh checks it:
 * ~/.ssh/known_hosts, then /etc/ssh/ssh_known_hosts, plain or hashed names, "[host]:port" for
 * a port other than 22, "@revoked" lines refused. A host that is not there is refused too:
 * kura never asks "are you sure" and never learns a key on its own; connecting once with ssh
 * is how the user checks and adds it. libssh2 (which libgit2 speaks ssh through) parses the
 * lines; a line it cannot read (a certificate authority, a key type it does not know) is
 * skipped, not fatal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include <libssh2.h>

#include "sync.h"

/* The port of an ssh URL: ssh://[user@]host[:port]/path, or 22 (scp-like user@host:path). */
static int url_port(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p) return 22;
    p += 3;
    const char *end = p + strcspn(p, "/");
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (at) p = at + 1;
    if (*p == '[') { /* [v6 address] */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close) return 22;
        p = close + 1;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        p = colon ? colon : end;
    }
    if (*p != ':') return 22;
    long port = strtol(p + 1, NULL, 10);
    return port > 0 && port < 65536 ? (int)port : 22;
}

static int key_type(int raw_type)
{
    switch (raw_type) {
    case GIT_CERT_SSH_RAW_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case GIT_CERT_SSH_RAW_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return 0;
    }
}

/* Every line of FILE that libssh2 reads goes to KNOWN, "@revoked" ones to REVOKED. */
static void read_file(const char *file, LIBSSH2_KNOWNHOSTS *known, LIBSSH2_KNOWNHOSTS *revoked)
{
    FILE *f = fopen(file, "re");
    if (!f) return;
    char line[16384];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "@revoked ", 9) == 0)
            libssh2_knownhost_readline(revoked, line + 9, strlen(line + 9),
                                       LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        else if (line[0] != '@' && line[0] != '#')
            libssh2_knownhost_readline(known, line, strlen(line), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
    fclose(f);
}

int kura_known_host(const char *url, const char *host, int raw_type, const char *key, size_t len)
{
    if (!key_type(raw_type))
        return kura_fail(KURA_ERR_UNREACHABLE,
                         "cannot check the host key of %.80s: a key type kura does not know", host);
    int port = url_port(url);
    /* The host as known_hosts names it, and the ssh command that adds it there. */
    char shown[120], ssh[140];
    if (port == 22) {
        snprintf(shown, sizeof shown, "%.100s", host);
        snprintf(ssh, sizeof ssh, "%.100s", host);
    } else {
        snprintf(shown, sizeof shown, "[%.100s]:%d", host, port);
        snprintf(ssh, sizeof ssh, "-p %d %.100s", port, host);
    }

    LIBSSH2_SESSION *s = libssh2_session_init();
    LIBSSH2_KNOWNHOSTS *known = s ? libssh2_knownhost_init(s) : NULL;
    LIBSSH2_KNOWNHOSTS *revoked = s ? libssh2_knownhost_init(s) : NULL;
    int rc = KURA_ERR_NOMEM;
    if (known && revoked) {
        const char *home = getenv("HOME");
        if (home) {
            char path[4096];
            snprintf(path, sizeof path, "%s/.ssh/known_hosts", home);
            read_file(path, known, revoked);
            snprintf(path, sizeof path, "%s/.ssh/known_hosts2", home);
            read_file(path, known, revoked);
        }
        read_file("/etc/ssh/ssh_known_hosts", known, revoked);
        read_file("/etc/ssh/ssh_known_hosts2", known, revoked);
        int mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_type(raw_type);
        int bad = libssh2_knownhost_checkp(revoked, host, port, key, len, mask, NULL);
        int found = libssh2_knownhost_checkp(known, host, port, key, len, mask, NULL);
        if (bad == LIBSSH2_KNOWNHOST_CHECK_MATCH)
            rc = kura_fail(KURA_ERR_UNREACHABLE,
                           "the host key of %s is marked @revoked in known_hosts: not connecting",
                           shown);
        else if (found == LIBSSH2_KNOWNHOST_CHECK_MATCH)
            rc = KURA_OK;
        else if (found == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
            rc = kura_fail(KURA_ERR_UNREACHABLE,
                           "the host key of %s is not the one in known_hosts: someone may be "
                           "in between; if the host really changed its key, fix known_hosts",
                           shown);
        else
            rc = kura_fail(KURA_ERR_UNREACHABLE,
                           "%s is not in known_hosts: connect once with 'ssh %s' to check its "
                           "key and add it",
                           shown, ssh);
    }
    if (revoked) libssh2_knownhost_free(revoked);
    if (known) libssh2_knownhost_free(known);
    if (s) libssh2_session_free(s);
    return rc;
}
