/* The kit's QR code: libqrencode, error correction Q, copied into guarded memory because the
 * matrix spells out the key. The only file that calls libqrencode. */
#include <errno.h>
#include <string.h>
#include <qrencode.h>

#include "kit_int.h"

int kura_qr_encode(kura_qr *qr, const char *text)
{
    qr->width = 0;
    qr->dark = NULL;
    QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
    if (!code) return errno == ENOMEM ? KURA_ERR_NOMEM : KURA_ERR_INVALID;
    size_t n = (size_t)code->width * (size_t)code->width;
    qr->dark = sodium_malloc(n);
    if (qr->dark) {
        for (size_t i = 0; i < n; i++)
            qr->dark[i] = code->data[i] & 1;
        qr->width = code->width;
    }
    sodium_memzero(code->data, n);
    QRcode_free(code);
    return qr->dark ? KURA_OK : KURA_ERR_NOMEM;
}

void kura_qr_free(kura_qr *qr)
{
    sodium_free(qr->dark);
    qr->dark = NULL;
    qr->width = 0;
}
