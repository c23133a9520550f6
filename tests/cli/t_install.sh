# cmake --install into a fresh prefix: the command runs from there (its kit module found in
# PREFIX/lib/kura), and a program built against the installed library through pkg-config
# makes a vault, stores an item and reads it back.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
: "${KURA_SOURCE:?set KURA_SOURCE to the source tree}"

cmake -S "$KURA_SOURCE" -B "$T/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$T/prefix" \
    >"$T/configure.log" 2>&1 &&
    cmake --build "$T/build" -j "$(nproc)" --target kura-cli kura-kit kura >"$T/build.log" 2>&1 &&
    cmake --install "$T/build" >"$T/install.log" 2>&1
rc=$?
check "configure, build and install into a fresh prefix" test "$rc" = 0
P=$T/prefix
for f in bin/kura lib/kura/kura-kit.so lib/libkura.a include/kura/kura.h include/kura/vault.h \
    lib/pkgconfig/kura.pc share/man/man1/kura.1 lib/kura/kura-import.so include/kura/import.h \
    lib/kura/kura-git.so lib/kura/kura-audit.so include/kura/audit.h \
    share/bash-completion/completions/kura share/zsh/vendor-completions/_kura \
    share/fish/vendor_completions.d/kura.fish; do
    check "installed: $f" test -e "$P/$f"
done
KURA=$P/bin/kura k --vault "$T/i.kura" init --json --kit-dir "$T"
expect "the installed kura makes a vault and its kit (the module from PREFIX/lib/kura)" 0
check "the kit is there" bash -c "ls '$T'/KURA_CLIENT_KEY_EMERGENCY_KIT*.png >/dev/null"
jq -r .client_key <<<"$out" >i.key
KURA=$P/bin/kura k --vault "$T/i.kura" --key-file i.key import "$KURA_SOURCE/tests/cli/fixtures/import/chrome.csv"
expect "the installed kura reads another manager's export (kura-import.so from PREFIX/lib/kura)" 0
git init -q --bare "$T/i.git"
KURA=$P/bin/kura k --vault "$T/i.kura" --key-file i.key remote add "$T/i.git"
KURA=$P/bin/kura k --vault "$T/i.kura" --key-file i.key sync
expect "the installed kura syncs through git (kura-git.so from PREFIX/lib/kura)" 0
KURA=$P/bin/kura k --vault "$T/i.kura" --key-file i.key audit --json
expect "the installed kura audits (kura-audit.so from PREFIX/lib/kura)" 0
check "every password of the import checked" json_ok '.checked == 2'

cat >use.c <<'C'
#include <stdio.h>
#include <string.h>
#include <kura/kura.h>

int main(int argc, char **argv)
{
    kura_vault *v;
    kura_client_key key;
    kura_item *it, *got;
    (void)argc;
    if (kura_process_harden() != KURA_OK) return 1;
    if (kura_vault_create(&v, &key, argv[1], "lib") != KURA_OK) return 2;
    if (!(it = kura_item_new()) || kura_item_set(it, KURA_TITLE, "From C") != KURA_OK ||
        kura_item_set(it, KURA_PASSWORD, "pw-from-c") != KURA_OK || kura_item_add(v, it) != KURA_OK)
        return 3;
    if (kura_item_get(v, &got, it->id) != KURA_OK || strcmp(got->password, "pw-from-c") != 0)
        return 4;
    printf("%s\n", got->title);
    kura_item_free(it);
    kura_item_free(got);
    kura_vault_close(v);
    return 0;
}
C
PKG_CONFIG_PATH=$P/lib/pkgconfig cc -o use use.c $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs --static kura) 2>cc.log
rc=$?
check "a program builds against the installed library with pkg-config" test "$rc" = 0
[ "$rc" = 0 ] || cat cc.log
./use "$T/c.kura" >use.out 2>&1
rc=$?
check "and stores and reads an item" test "$rc" = 0 -a "$(cat use.out)" = "From C"
finish
