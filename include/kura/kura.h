/* kura/kura.h: the whole public API of libkura. */
#ifndef KURA_H
#define KURA_H

#include "audit.h"
#include "errors.h"
#include "import.h"
#include "key.h"
#include "recovery.h"
#include "sync.h"
#include "vault.h"

#define KURA_VERSION_STRING "0.1.0"

#endif
