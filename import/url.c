/* The host of a URL, through liburiparser: what names an item that has no title (an import)
 * and what the audit takes as the site. "mail.example.org" from
 * "https://ann@mail.example.org:8443/x", "2001:db8::1" from "https://[2001:db8::1]/", and a
 * URL without a scheme ("example.org/login") read as if it had one. */
#include <stdio.h>
#include <string.h>
#include <uriparser/Uri.h>

#include "kura/import.h"

static int host_of(char *out, size_t cap, const char *url)
{
    UriUriA uri;
    const char *err = NULL;
    if (uriParseSingleUriA(&uri, url, &err) != URI_SUCCESS) return 0;
    size_t n = uri.hostText.first && uri.hostText.afterLast
                   ? (size_t)(uri.hostText.afterLast - uri.hostText.first)
                   : 0;
    int ok = n > 0 && n < cap;
    if (ok) {
        memcpy(out, uri.hostText.first, n);
        out[n] = '\0';
    }
    uriFreeUriMembersA(&uri);
    return ok;
}

int kura_url_host(char *out, size_t cap, const char *url)
{
    if (!url || !*url || cap == 0) return 0;
    if (host_of(out, cap, url)) return 1;
    if (strstr(url, "://")) return 0;
    char with[4200];
    if (snprintf(with, sizeof with, "https://%s", url) >= (int)sizeof with) return 0;
    return host_of(out, cap, with);
}
