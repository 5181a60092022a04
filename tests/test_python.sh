#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_python.sh: the `shuzi` Python package (python/, ctypes over libshuzi)
# against a fresh install of the library in a temporary prefix, built like
# test_install.sh builds it: the package imports and reports the library's
# version; its mirrored structs have the sizes and field offsets a C compiler
# gives shuzi.h; examples/render_file.py makes an MP4 (ffprobe) with speech
# marks from the callback; a bad voice raises NotFoundError with the library's
# message; an exception in a callback comes back from finish, not as a crash;
# a missing library gives LibraryNotFoundError at first use, not at import;
# examples/live_room.py drives a live session into a file for a few seconds.
set -u
SRC=${SHUZI_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$SRC/tests/testlib.sh" python

PY=${SHUZI_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || { echo "SKIP: $PY not found"; exit 77; }
for tool in cmake cc ffprobe; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not found (./setup.sh installs it)"; exit 77; }
done
unset SHUZI_ASSETS_DIR
P="$T/prefix"
start=$(date +%s)

# 1. A copy of the sources, a fresh configure, the library and command only,
# the install (as test_install.sh does it).
testlib_fresh_install "$P"
lib=$(ls "$P"/lib*/libshuzi.so.*.*.* 2>/dev/null | head -1)
[ -n "$lib" ] || { fail "no libshuzi.so.X.Y.Z in $P"; testlib_end; }
ok "fresh build and install in $(( $(date +%s) - start )) s: $lib"

export PYTHONPATH="$SRC/python" SHUZI_LIBRARY="$lib"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
cd "$T" || exit 1

# 2. Import and version.
hver=$(sed -n 's/^#define SZ_VERSION_\(MAJOR\|MINOR\|PATCH\) *\([0-9]*\).*/\2/p' "$SRC/include/shuzi.h" | paste -sd.)
got=$("$PY" -c "import shuzi; print(shuzi.__version__)" 2>&1)
[ "$got" = "$hver" ] && ok "import shuzi; shuzi.__version__ = $got" || fail "shuzi.__version__: '$got' (shuzi.h: $hver)"

pver=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$SRC/python/pyproject.toml")
[ "$pver" = "$hver" ] && ok "python/pyproject.toml version $pver" || fail "python/pyproject.toml version '$pver', shuzi.h $hver"
# pip, offline (no index, no isolated build environment), from a copy of python/
if "$PY" -c "import setuptools" 2>/dev/null && "$PY" -m pip --version >/dev/null 2>&1; then
  cp -r "$SRC/python" "$T/pysrc"
  if "$PY" -m pip install -q --no-index --no-build-isolation --no-deps --target "$T/site" "$T/pysrc" >"$T/pip.log" 2>&1 &&
     got=$(PYTHONPATH="$T/site" "$PY" -c "import shuzi, os; print(os.path.dirname(shuzi.__file__), shuzi.__version__)") &&
     [ "$got" = "$T/site/shuzi $hver" ]; then
    ok "pip install --no-index --no-build-isolation ./python: imports from the target, version $hver"
  else
    tail -5 "$T/pip.log"; fail "pip install of python/: '${got:-}'"
  fi
  rm -rf "$T/pysrc" "$T/site"
else
  echo "note: no pip/setuptools for $PY, pip install not tried"
fi

# 3. Struct layout: a C helper, generated from the Python mirror's field
# names, prints sizeof/offsetof as the compiler sees shuzi.h.
"$PY" - >"$T/layout.c" <<'PYEOF'
import shuzi
print('#include <stdio.h>\n#include <stddef.h>\n#include "shuzi.h"\nint main(void)\n{')
for name, (size, fields) in shuzi.struct_layout().items():
    print(f'    printf("{name} %zu\\n", sizeof({name}));')
    for f in fields:
        print(f'    printf("{name}.{f} %zu\\n", offsetof({name}, {f}));')
print('    return 0;\n}')
PYEOF
"$PY" -c "
import shuzi
for name, (size, fields) in shuzi.struct_layout().items():
    print(name, size)
    for f, off in fields.items(): print(f'{name}.{f}', off)
" >"$T/layout.py.txt"
if cc -Wall -Werror -I"$P/include" -o "$T/layout" "$T/layout.c" 2>"$T/layout.log" && "$T/layout" >"$T/layout.c.txt"; then
  if diff "$T/layout.c.txt" "$T/layout.py.txt" >"$T/layout.diff"; then
    ok "ctypes structs match the C layout ($(grep -c '^[a-z_]* ' "$T/layout.c.txt") structs, $(grep -c '\.' "$T/layout.c.txt") fields)"
  else
    cat "$T/layout.diff"; fail "ctypes struct layout differs from shuzi.h (< C, > Python)"
  fi
else
  head -20 "$T/layout.log"; fail "layout helper did not compile (a field name the Python mirror has but shuzi.h does not?)"
fi

# 4. render_file.py: an MP4 with speech marks printed from the callback.
if "$PY" "$SRC/python/examples/render_file.py" "$T/a.mp4" --voice espeak:en-us --size 320x180 \
     "Hello from Python." "This is the second line." >"$T/render.out" 2>"$T/render.err"; then
  ok "render_file.py: $(tail -1 "$T/render.out")"
else
  tail -5 "$T/render.err"; fail "render_file.py exit code"
fi
d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/a.mp4" 2>/dev/null)
awk -v d="${d:-0}" 'BEGIN { exit !(d > 1.0) }' && ok "a.mp4: $d s" || fail "a.mp4: duration '${d}'"
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$T/a.mp4" 2>/dev/null)
[ "$size" = "320,180" ] && ok "a.mp4 video 320x180" || fail "a.mp4 video size '$size'"
words=$(grep -c '^mark word .* (utterance [01])$' "$T/render.out")
grep -q '^mark word [0-9]*-[0-9]* Hello (utterance 0)$' "$T/render.out" &&
  grep -q '^mark sentence [0-9]*-[0-9]* This is the second line. (utterance 1)$' "$T/render.out" &&
  [ "$words" -ge 8 ] && ok "marks from the callback: $words words, sentences of both utterances" ||
  fail "marks: $(head -c 400 "$T/render.out")"

# 5. Errors as exceptions, callback exceptions, lazy library errors.
cat >"$T/errors.py" <<'PYEOF'
import os, subprocess, sys
import shuzi

with shuzi.Engine() as e:
    voices, avatars = e.voices(), e.avatars()
    assert any(v.name == "espeak:en-us" and v.kind == "espeak" for v in voices), voices[:3]
    assert all(isinstance(a, shuzi.Avatar) and a.path.endswith("avatar.json") for a in avatars)
    print(f"ok: {len(voices)} voices, {len(avatars)} avatars as dataclasses")

    try:
        e.session(voice="nope:nothing")
        print("FAIL: no exception for a bad voice")
    except shuzi.NotFoundError as x:
        assert x.code == -5 and x.reason == shuzi.strerror(-5), (x.code, x.reason)
        assert "nope:nothing" in x.detail and x.detail in str(x), str(x)
        print(f"ok: bad voice -> NotFoundError: {x}")

    try:
        e.session(voice="espeak:en-us", width=321, height=180)
        print("FAIL: no exception for an odd width")
    except shuzi.InvalidArgumentError as x:
        print(f"ok: odd width -> InvalidArgumentError: {x}")

    # an exception inside a callback: no crash, the render goes on, finish raises it
    n = []
    def bad_mark(m):
        n.append(m)
        raise RuntimeError("boom in on_mark")
    states = []
    s = e.session(voice="espeak:en-us", width=320, height=180, on_mark=bad_mark,
                  on_state=lambda st, u, t: states.append(st))
    s.add_output("cb.wav")
    s.start()
    uid = s.say("Callbacks that raise.")
    assert uid == 0, uid
    try:
        s.finish()
        print("FAIL: finish did not raise the callback's exception")
    except shuzi.CallbackError as x:
        assert isinstance(x.__cause__, RuntimeError) and "boom in on_mark" in str(x), repr(x)
        print(f"ok: callback exception re-raised by finish: {x}")
    s.close()
    assert len(n) > 3 and os.path.getsize("cb.wav") > 1000, (len(n),)
    assert shuzi.State.SPEAKING in states and states[-1] == shuzi.State.FINISHED, states
    print(f"ok: {len(n)} marks delivered despite the exception; states {[x.name for x in states]}")

    # the context manager finishes and closes; SSML; pause and expression
    marks = []
    with e.session(voice="espeak:en-us", width=320, height=180, background="#203040",
                   on_mark=lambda m: marks.append(m)) as s:
        s.add_output("ctx.wav")
        s.start()
        s.set_expression("happy", 0.8)
        s.say('<speak>One <mark name="here"/> two.</speak>', ssml=True)
        s.pause(200)
        s.say("Three.")
    assert s.closed and os.path.getsize("ctx.wav") > 1000
    assert any(m.type == shuzi.MarkType.MARK and m.value == "here" for m in marks), marks
    print("ok: with-block finished and closed the session; SSML mark 'here' arrived")

    try:
        s.say("closed")
        print("FAIL: say on a closed session")
    except shuzi.StateError:
        print("ok: say on a closed session -> StateError")

# a missing library: import works, first use raises LibraryNotFoundError
env = dict(os.environ, SHUZI_LIBRARY="/nonexistent/libshuzi.so", LD_LIBRARY_PATH="")
r = subprocess.run([sys.executable, "-c", """
import shuzi
try:
    shuzi.Engine()
except shuzi.ShuziError as e:
    print(type(e).__name__, e)
"""], env=env, capture_output=True, text=True)
assert r.returncode == 0 and r.stdout.startswith("LibraryNotFoundError libshuzi not found"), r
assert "SHUZI_LIBRARY" in r.stdout, r.stdout
print("ok: no library -> import works, first use raises LibraryNotFoundError")
PYEOF
if "$PY" "$T/errors.py" >"$T/errors.out" 2>&1; then
  cat "$T/errors.out"
  grep -q '^FAIL' "$T/errors.out" && fail "errors.py"
else
  cat "$T/errors.out"; fail "errors.py exit code"
fi

# 6. live_room.py: a live session into a file for a few seconds.
if timeout 60 "$PY" "$SRC/python/examples/live_room.py" "$T/live.mkv" --duration 4.5 --interval 0.8 \
     --size 320x180 >"$T/live.out" 2>"$T/live.err"; then
  ok "live_room.py: $(tail -1 "$T/live.out")"
else
  cat "$T/live.out"; tail -5 "$T/live.err"; fail "live_room.py exit code"
fi
grep -q 'state speaking *utterance 0' "$T/live.out" && grep -q '^ *[0-9.]* s  interrupt' "$T/live.out" &&
  grep -q 'state interrupted *utterance 1' "$T/live.out" && grep -q 'state finished' "$T/live.out" &&
  ok "live_room.py: speaking, interrupt of utterance 1, finished" || fail "live_room.py states: $(cat "$T/live.out")"
d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$T/live.mkv" 2>/dev/null)
awk -v d="${d:-0}" 'BEGIN { exit !(d > 3.5 && d < 8) }' && ok "live.mkv: $d s" || fail "live.mkv: duration '${d}'"

echo "test_python: $(( $(date +%s) - start )) s"
testlib_end
