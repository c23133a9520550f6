/* kura otp: the current one-time password of an item (its hidden field "otp": an
 * otpauth://totp/ URI or a base32 secret), and how many seconds it has left. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cli.h"

static int otp_exec(ctx *c, void *args, int argc, char **argv)
{
    (void)args, (void)argc;
    kura_item *item;
    const char *spec = NULL;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    for (size_t i = 0; i < item->n_fields; i++)
        if (strcmp(item->fields[i].name, KURA_OTP_FIELD) == 0) spec = item->fields[i].value;
    kura_totp_code code;
    int rc = spec ? kura_totp(&code, spec, (int64_t)time(NULL)) : KURA_ERR_NOT_FOUND;
    if (!spec)
        ex = fail(EX_NOT_FOUND,
                  "item \"%s\" has no one-time password; add its secret with 'kura edit "
                  "ITEM --otp-file FILE'",
                  item->title);
    else if (rc != KURA_OK)
        ex = fail(EX_DAMAGED, "the one-time password secret of \"%s\" is not one kura can use",
                  item->title);
    else if (c->json)
        json_print(json_pack("{s:s, s:s, s:i, s:i, s:i}", "id", item->id, "code", code.code,
                             "seconds_left", (int)code.remaining, "period", (int)code.period,
                             "digits", (int)code.digits));
    else
        printf(colour(stdout) ? COLOUR_BOLD "%s" COLOUR_OFF " (%u s left)\n" : "%s (%u s left)\n",
               code.code, code.remaining);
    sodium_memzero(&code, sizeof code);
    kura_item_free(item);
    return ex;
}

const cmd cmd_otp = {
    .name = "otp",
    .summary = "the current one-time password (TOTP) of an item",
    .args = "ITEM",
    .flags = CMD_OPEN | CMD_UNLOCK | CMD_ITEM,
    .min_args = 1,
    .max_args = 1,
    .exec = otp_exec,
};
