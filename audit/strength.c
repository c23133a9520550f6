/* How strong a password is: zxcvbn's estimate (Debian's libzxcvbn, with its dictionaries
 * built in) of the guesses an attacker who knows common passwords, words, names, keyboard
 * patterns and dates needs, and which of those it found. */
#include <string.h>
#include <zxcvbn.h>

#include "kura/audit.h"
#include "module.h"

double kura_audit_strength(const char *password, const char *const *words, unsigned *why)
{
    ZxcMatch_t *info = NULL;
    double bits = ZxcvbnMatch(password, (const char **)words, &info);
    unsigned w = 0;
    for (const ZxcMatch_t *m = info; m; m = m->Next) {
        switch ((int)m->Type & ~MULTIPLE_MATCH) {
        case DICTIONARY_MATCH:
            w |= KURA_WHY_WORD;
            break;
        case DICT_LEET_MATCH:
            w |= KURA_WHY_LEET;
            break;
        case USER_MATCH:
        case USER_LEET_MATCH:
            w |= KURA_WHY_OWN;
            break;
        case REPEATS_MATCH:
            w |= KURA_WHY_REPEAT;
            break;
        case SEQUENCE_MATCH:
            w |= KURA_WHY_SEQUENCE;
            break;
        case SPATIAL_MATCH:
            w |= KURA_WHY_KEYBOARD;
            break;
        case DATE_MATCH:
        case YEAR_MATCH:
            w |= KURA_WHY_DATE;
            break;
        default:
            break;
        }
    }
    ZxcvbnFreeInfo(info);
    if (strlen(password) < 12) w |= KURA_WHY_SHORT;
    *why = w;
    return bits;
}
