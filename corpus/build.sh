#!/usr/bin/env bash
# Builds the third-party corpus: real C programs from Debian source packages,
# for wasm32-wasi (clang 14 + Debian's wasi-libc + lld) and natively (gcc).
#   build/corpus/src/       fetched Debian sources (apt-get source)
#   build/corpus/wasm/      <name>.wasm
#   build/corpus/native/    <name>
# Idempotent: an output that exists and is newer than the shim and its own
# corpus files is skipped (after changing flags here: rm -rf build/corpus/wasm
# build/corpus/native). Usage: bash corpus/build.sh [sqlite|lua|zlib|bzip2 ...]
# (default: all). See corpus/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPUS=$ROOT/corpus
OUT=$ROOT/build/corpus
SRC=$OUT/src
WASM=$OUT/wasm
NATIVE=$OUT/native
mkdir -p "$SRC" "$WASM" "$NATIVE"

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need_pkg () {  # install Debian packages only when missing
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "corpus: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

bash .ci/setup              # clang, lld, wasi-libc, node_modules (binaryen)
bash .ci/deb-src            # deb-src entry + dpkg-dev for apt-get source
need_pkg gcc make tcl xz-utils

CLANG=${CLANG:-clang}
CC_NATIVE=${CC_NATIVE:-gcc}
WASM_OPT=$ROOT/node_modules/binaryen/bin/wasm-opt
SHIM=$CORPUS/wasi-shim
# Debian's clang searches /usr/include after /usr/include/wasm32-wasi for
# wasm32-wasi, so a header wasi-libc lacks (pwd.h, setjmp.h) would silently
# come from glibc. -nostdlibinc drops both; we add back wasi-libc's and our
# shim headers (which come first).
WASM_CFLAGS="--target=wasm32-wasi -O2 -nostdlibinc -isystem $SHIM/include -isystem /usr/include/wasm32-wasi -include $SHIM/wasi-shim.h -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID"
WASM_LDFLAGS="-Wl,-z,stack-size=1048576 -Wl,--strip-debug -lwasi-emulated-signal -lwasi-emulated-mman -lwasi-emulated-process-clocks -lwasi-emulated-getpid"
NATIVE_CFLAGS="-O2"
DEPS=("$SHIM/wasi-shim.h" "$SHIM/include/pwd.h")

# fresh OUTPUT [extra deps...]: true when OUTPUT exists and is newer than the deps
fresh () {
  local o=$1; shift
  [ -e "$o" ] || return 1
  for d in "${DEPS[@]}" "$@"; do [ "$d" -nt "$o" ] && return 1; done
  return 0
}

# fetch PACKAGE VERSION DIR: apt-get source (patches applied) into $SRC/DIR.
# The version is pinned (bookworm's), so the corpus is the same everywhere;
# when the pinned one is gone from the mirror, the current one is taken.
fetch () {
  local pkg=$1 ver=$2 dir=$3
  [ -d "$SRC/$dir" ] && return 0
  echo "corpus: apt-get source $pkg=$ver" >&2
  ( cd "$SRC" && { apt-get source -qq "$pkg=$ver" >/dev/null 2>&1 || apt-get source -qq "$pkg" >/dev/null; } )
  if [ ! -d "$SRC/$dir" ]; then
    local got; got=$(cd "$SRC" && ls -d "$pkg"-*/ 2>/dev/null | head -1)
    [ -n "$got" ] || { echo "corpus: apt-get source $pkg failed" >&2; return 1; }
    ln -sfn "${got%/}" "$SRC/$dir"
  fi
}

log () { echo "corpus: $*" >&2; }

# ---------------------------------------------------------------- SQLite
build_sqlite () {
  fetch sqlite3 3.40.1-2+deb12u2 sqlite3-3.40.1
  local s=$SRC/sqlite3-3.40.1 b=$SRC/sqlite3-3.40.1/bld
  if [ ! -f "$b/sqlite3.c" ] || [ ! -f "$b/shell.c" ]; then
    log "sqlite: amalgamation (configure; make sqlite3.c shell.c)"
    mkdir -p "$b"
    ( cd "$b" && ../configure --disable-tcl >/dev/null && make -s sqlite3.c shell.c >/dev/null )
  fi
  # Both builds use the same options, so their output matches.
  local opts="-DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_WAL -DSQLITE_NO_SYNC -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_DEPRECATED"
  if ! fresh "$WASM/sqlite3.wasm"; then log "sqlite3.wasm"
    $CLANG $WASM_CFLAGS $opts -I"$b" -o "$WASM/sqlite3.wasm" "$b/shell.c" "$b/sqlite3.c" $WASM_LDFLAGS; fi
  if ! fresh "$NATIVE/sqlite3"; then log "native sqlite3"
    $CC_NATIVE $NATIVE_CFLAGS $opts -I"$b" -o "$NATIVE/sqlite3" "$b/shell.c" "$b/sqlite3.c" -lm; fi
  if ! fresh "$WASM/speedtest1.wasm"; then log "speedtest1.wasm"
    $CLANG $WASM_CFLAGS $opts -I"$b" -o "$WASM/speedtest1.wasm" "$s/test/speedtest1.c" "$b/sqlite3.c" $WASM_LDFLAGS; fi
  if ! fresh "$NATIVE/speedtest1"; then log "native speedtest1"
    $CC_NATIVE $NATIVE_CFLAGS $opts -I"$b" -o "$NATIVE/speedtest1" "$s/test/speedtest1.c" "$b/sqlite3.c" -lm; fi
}

# ---------------------------------------------------------------- Lua
LUA_CORE="lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib linit lua"
build_lua () {
  fetch lua5.4 5.4.4-3+deb12u1 lua5.4-5.4.4
  local s=$SRC/lua5.4-5.4.4/src files=() f
  for f in $LUA_CORE; do files+=("$s/$f.c"); done
  # Debian's luaconf.h patch includes a header debian/rules writes; one
  # value for both targets, so package.cpath is the same on both.
  local gen=$OUT/lua-gen; mkdir -p "$gen"
  [ -f "$gen/lua5.4-deb-multiarch.h" ] || echo '#define DEB_HOST_MULTIARCH "corpus"' > "$gen/lua5.4-deb-multiarch.h"
  # Native: Lua's POSIX configuration (make linux, minus dlopen/readline).
  # wasm: the ISO C one (LUA_USE_POSIX wants sigaction, sys/wait.h, mkstemp,
  # flockfile, which wasi-libc lacks); differences: no isatty (lua with no
  # script and stdin not a terminal would start the REPL: use `lua -`),
  # io.popen/os.execute/os.tmpname fail.
  if ! fresh "$NATIVE/lua"; then log "native lua"
    $CC_NATIVE $NATIVE_CFLAGS -DLUA_USE_POSIX -I"$gen" -o "$NATIVE/lua" "${files[@]}" -lm; fi
  # (a) no setjmp in wasi-libc: Lua's LUAI_TRY/LUAI_THROW macros replaced
  # (corpus/lua/nojmp.h); an error caught by pcall/the interpreter ends the
  # program with the message (exit 1). Coroutine yields are throws too.
  if ! fresh "$WASM/lua.wasm" "$CORPUS/lua/nojmp.h" "$CORPUS/lua/nojmp.c" "$CORPUS/lua/include/setjmp.h"; then log "lua.wasm (no setjmp)"
    $CLANG $WASM_CFLAGS -I"$s" -I"$gen" -I"$CORPUS/lua/include" -include "$CORPUS/lua/nojmp.h" \
      -o "$WASM/lua.wasm" "${files[@]}" "$CORPUS/lua/nojmp.c" $WASM_LDFLAGS; fi
  # (b) LUAI_TRY/LUAI_THROW on Binaryen Asyncify (corpus/lua/asyncify-try.*):
  # a throw starts an unwind, the innermost try (not instrumented) stops it.
  local tmp=$OUT/tmp; mkdir -p "$tmp"
  if ! fresh "$WASM/lua-asyncify.wasm" "$CORPUS/lua/asyncify-try.h" "$CORPUS/lua/asyncify-try.c" "$CORPUS/lua/include/setjmp.h"; then log "lua-asyncify.wasm"
    $CLANG $WASM_CFLAGS -Dl_noret=void -I"$s" -I"$gen" -I"$CORPUS/lua/include" -include "$CORPUS/lua/asyncify-try.h" \
      -o "$tmp/lua-asyncify.pre.wasm" "${files[@]}" "$CORPUS/lua/asyncify-try.c" \
      -Wl,-z,stack-size=1048576 -lwasi-emulated-signal -lwasi-emulated-mman -lwasi-emulated-process-clocks -lwasi-emulated-getpid
    "$WASM_OPT" "$tmp/lua-asyncify.pre.wasm" --asyncify \
      --pass-arg=asyncify-removelist@corpus_lua_try -O2 --strip-debug -o "$WASM/lua-asyncify.wasm"
  fi
}

# ---------------------------------------------------------------- zlib
ZLIB_LIB="adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate inftrees trees uncompr zutil"
build_zlib () {
  fetch zlib 1:1.2.13.dfsg-1 zlib-1.2.13.dfsg
  local s=$SRC/zlib-1.2.13.dfsg lib=() f p
  for f in $ZLIB_LIB; do lib+=("$s/$f.c"); done
  # HAVE_UNISTD_H/HAVE_STDARG_H: what zlib's configure finds on both targets.
  local opts="-DHAVE_UNISTD_H -DHAVE_STDARG_H -D_LARGEFILE64_SOURCE=1"
  for p in minigzip example; do
    if ! fresh "$WASM/$p.wasm"; then log "$p.wasm"
      $CLANG $WASM_CFLAGS $opts -I"$s" -o "$WASM/$p.wasm" "$s/test/$p.c" "${lib[@]}" $WASM_LDFLAGS; fi
    if ! fresh "$NATIVE/$p"; then log "native $p"
      $CC_NATIVE $NATIVE_CFLAGS $opts -I"$s" -o "$NATIVE/$p" "$s/test/$p.c" "${lib[@]}"; fi
  done
}

# ---------------------------------------------------------------- bzip2
build_bzip2 () {
  fetch bzip2 1.0.8-5 bzip2-1.0.8
  local s=$SRC/bzip2-1.0.8 lib=() f
  for f in blocksort huffman crctable randtable compress decompress bzlib bzip2; do lib+=("$s/$f.c"); done
  local opts="-D_FILE_OFFSET_BITS=64"
  if ! fresh "$WASM/bzip2.wasm"; then log "bzip2.wasm"
    $CLANG $WASM_CFLAGS $opts -I"$s" -o "$WASM/bzip2.wasm" "${lib[@]}" $WASM_LDFLAGS; fi
  if ! fresh "$NATIVE/bzip2"; then log "native bzip2"
    $CC_NATIVE $NATIVE_CFLAGS $opts -I"$s" -o "$NATIVE/bzip2" "${lib[@]}"; fi
}

# ---------------------------------------------------------------- inputs
# build/corpus/data/: stdin files for test/corpus (bzip2's own samples, and
# one gzipped by the native minigzip).
build_data () {
  local d=$OUT/data s=$SRC/bzip2-1.0.8; mkdir -p "$d"
  [ -f "$s/sample1.ref" ] || return 0
  cp -u "$s/sample1.ref" "$s/sample1.bz2" "$s/sample2.ref" "$d/"
  [ -x "$NATIVE/minigzip" ] && [ ! -f "$d/sample1.gz" ] && "$NATIVE/minigzip" < "$d/sample1.ref" > "$d/sample1.gz"
  return 0
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(sqlite lua zlib bzip2)
for t in "${targets[@]}"; do "build_$t"; done
build_data
log "done: $(cd "$OUT" && ls wasm native | tr '\n' ' ')"
