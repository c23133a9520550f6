# The README's first command on a machine without the test-only packages: scripts/demo.sh
# configures, builds and runs the demo while pkg-config cannot find cmocka (a wrapper first
# on PATH denies it), so CI catches a build that needs a test package even where it is
# installed. The twin: the same wrapper makes a configure that asks for the tests fail.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
: "${KURA_SOURCE:?set KURA_SOURCE to the source tree}"

src=$T/src
mkdir -p "$src" deny
tar -C "$KURA_SOURCE" --exclude='./build*' --exclude=./demo --exclude=./.git -cf - . |
    tar -C "$src" -xf -
real=$(command -v pkg-config)
cat >deny/pkg-config <<SH
#!/bin/sh
# pkg-config, but the test-only packages are not installed.
for a in "\$@"; do
    case \$a in cmocka*) exit 1 ;; esac
done
exec "$real" "\$@"
SH
chmod +x deny/pkg-config
check "the wrapper denies cmocka" bash -c "! PATH='$T/deny':\$PATH pkg-config --exists cmocka"

PATH=$T/deny:$PATH bash "$src/scripts/demo.sh" >demo.out 2>&1
rc=$?
check "scripts/demo.sh builds and runs without the test packages" test "$rc" = 0
[ "$rc" = 0 ] || tail -20 demo.out
check "the demo made a vault and checked it" grep -q "is whole: every page" demo.out
check "the demo locked it again at the end" grep -q "(exit 8)" demo.out
check "no test was configured" test ! -e "$src/build/tests"

PATH=$T/deny:$PATH cmake -S "$src" -B "$T/with-tests" -DKURA_TESTS=ON >with-tests.log 2>&1
rc=$?
check "a build that asks for the tests needs cmocka, and says so" test "$rc" != 0
check "naming it" grep -q cmocka with-tests.log
finish
