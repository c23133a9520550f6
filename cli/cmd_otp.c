/* kura otp: the current one-time password of an item (its hidden field "otp": an
 * otpauth://totp/ URI or a base32 secret), and how many seconds it has left. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cli.h"

int otp_code(const kura_item *item, kura_totp_code *code)
{
    const char *spec = NULL;
    for (size_t i = 0; i < item->n_fields; i++)
        if (strcmp(item->fields[i].name, KURA_OTP_FIELD) == 0) spec = item->fields[i].value;
    int rc = spec ? kura_totp(code, spec, (int64_t)time(NULL)) : KURA_ERR_NOT_FOUND;
    if (!spec)
        return fail(EX_NOT_FOUND,
                    "item \"%s\" has no one-time password; add its secret with 'kura edit "
                    "ITEM --otp-file FILE'",
                    item->title);
    if (rc != KURA_OK)
        return fail(EX_DAMAGED, "the one-time password secret of \"%s\" is not one kura can use",
                    item->title);
    return EX_OK;
}

typedef struct otp_args {
    int copy;
} otp_args;

static const opt_row otp_rows[] = {
    OPT_FLAG("copy", otp_args, copy,
             "put the code on the clipboard instead (cleared after clipboard_time seconds)"),
    OPT_END(),
};

static int otp_exec(ctx *c, void *args, int argc, char **argv)
{
    const otp_args *a = args;
    (void)argc;
    kura_item *item;
    int ex = resolve_item(c, &item, argv[0]);
    if (ex != EX_OK) return ex;
    kura_totp_code code;
    ex = otp_code(item, &code);
    if (ex == EX_OK && a->copy)
        ex = clipboard_copy(c, item, "one-time password", code.code);
    else if (ex == EX_OK && c->json)
        json_print(json_pack("{s:s, s:s, s:i, s:i, s:i}", "id", item->id, "code", code.code,
                             "seconds_left", (int)code.remaining, "period", (int)code.period,
                             "digits", (int)code.digits));
    else if (ex == EX_OK)
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
    .rows = otp_rows,
    .args_size = sizeof(otp_args),
    .exec = otp_exec,
};
