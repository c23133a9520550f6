/* module.h: the parts of kura-audit.so (strength.c, hibp.c) its table (module.c) holds. */
#ifndef KURA_AUDIT_MODULE_H
#define KURA_AUDIT_MODULE_H

#include "audit_api.h"

double kura_audit_strength(const char *password, const char *const *words, unsigned *why);
int kura_hibp_open(kura_hibp **out, const char *path, char *err, size_t errlen);
const char *kura_hibp_kind(const kura_hibp *h);
void kura_hibp_digest(const kura_hibp *h, const char *password,
                      unsigned char out[KURA_HIBP_DIGEST]);
int kura_hibp_find(kura_hibp *h, const unsigned char digest[KURA_HIBP_DIGEST], uint64_t *count);
void kura_hibp_close(kura_hibp *h);

#endif
