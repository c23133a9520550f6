# The core has layers: between the files of libkura (vault/, recovery/, import/, audit/) and of
# each module (recovery/kit/, import/'s readers, audit/'s strength and file search) calls go one way, so no two files call each other
# through any chain (symbols defined and used, read with nm from the build's objects); no two
# folders do either, and vault/ never calls up into recovery/ or import/. The private headers
# of vault/ are its layers, each including only the one below.
# The library talks in codes, the CLI in words: no file of vault/, recovery/ or import/ prints,
# prompts or exits, and no message of theirs names a CLI flag (the CLI adds the way out, by
# the error's code). The kit's printed text (recovery/kit/kit_layout.c) is content, not a message:
# it tells people the commands to run.
. "${TESTS_DIR:-$(dirname "$0")}/lib.sh"
SRC=${KURA_SOURCE:?}
cd "$SRC" || exit 1
lib=$(ls vault/*.c recovery/*.c recovery/kit/*.c import/*.c audit/*.c)
printing=$(grep -nE '(^|[^a-z_])(printf|fprintf|puts|fputs|putchar|perror|exit|_exit|abort)[[:space:]]*\(' $lib |
    grep -vE 'snprintf|vsnprintf' || true)
check "no library file prints or exits (found: ${printing:-none})" test -z "$printing"
flags=$(grep -nE '"[^"]*--[a-z][a-z-]*[^"]*"' $(ls $lib | grep -v recovery/kit/kit_layout.c) || true)
check "no library message names a CLI flag (found: ${flags:-none})" test -z "$flags"
check "the CLI decides by codes, not by the library's words" \
    bash -c "! grep -nE 'strstr\((detail|kura_error_detail)' cli/*.c"
# The private headers are the layers: each includes only the one right below it.
layers="base.h storage.h handle.h state.h item_int.h"
wrong=""
below=""
for h in $layers; do
    inc=$(grep -oE '^#include "(base|storage|handle|state|item_int|open)\.h"' "vault/$h" | sed 's/.*"\(.*\)"/\1/' | tr '\n' ' ')
    [ "$inc" = "${below:+$below }" ] || wrong+=" $h includes '${inc% }', not '${below}'"
    below=$h
done
check "each layer header includes only the one below it (wrong:${wrong:- none})" test -z "$wrong"
objs=$(dirname "$KURA")/CMakeFiles
check "the library's objects are there to read" test -d "$objs/kura.dir/vault"
python3 - "$objs" >"$T/layers.out" <<'PY'
import collections, glob, os, subprocess, sys
root = sys.argv[1]
defs, uses = {}, collections.defaultdict(set)
# libkura's objects, then each module's (the parts of libkura a module carries are libkura's)
for target in ("kura.dir", "kura_kit_objs.dir", "kura_import_objs.dir", "kura_audit_objs.dir"):
  base = os.path.join(root, target)
  for o in sorted(glob.glob(base + "/**/*.o", recursive=True)):
    name = o[len(base) + 1:].replace(".c.o", "")
    if not os.path.exists(name + ".c"): continue # an old build's object of a moved file
    for line in subprocess.run(["nm", o], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBR":
            defs[p[2]] = name
        elif len(p) == 2 and p[0] == "U": # not "w": a module's table is found, not called
            uses[name].add(p[1])
calls = collections.defaultdict(set)
for f, us in uses.items():
    for u in us:
        if u in defs and defs[u] != f:
            calls[f].add(defs[u])
def folder(f):
    return os.path.dirname(f)
for f in sorted(calls):
    for g in sorted(calls[f]):
        if folder(f) == "vault" and folder(g) != "vault":
            print("up: %s calls %s" % (f, g))
# the folders' graph: a cycle there is a cycle of layers
folders = collections.defaultdict(set)
for f in calls:
    for g in calls[f]:
        if folder(f) != folder(g):
            folders[folder(f)].add(folder(g))
# cycles: strongly connected components of more than one file
index, low, stack, on, n = {}, {}, [], set(), [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in calls[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: print("cycle: " + " ".join(sorted(comp)))
for v in list(calls):
    if v not in index: visit(v)
index, low, stack, on, n = {}, {}, [], set(), [0]
calls = folders
for v in list(calls):
    if v not in index: visit(v)
print("files: %d" % len(uses))
PY
check "no cycle between the library's files, nothing in vault/ calls recovery/ ($(grep -v '^files' "$T/layers.out" | tr '\n' ';'))" \
    bash -c "! grep -qE '^(cycle|up):' '$T/layers.out' && grep -qE '^files: [1-9]' '$T/layers.out'"
cd "$T" || exit 1
finish
