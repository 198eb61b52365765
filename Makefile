# Builds the test and benchmark programs (C -> wasm32-wasi with clang, and
# native with gcc for benchmark baselines). `make testprogs` is run by `npm run build`.
CLANG ?= clang
WASMFLAGS = --target=wasm32-wasi -O2 -Wl,--strip-debug -Wl,-z,stack-size=1048576 -Itestprogs/include
OUT = build/testprogs
SRCS = $(wildcard testprogs/*.c)
WASMS = $(patsubst testprogs/%.c,$(OUT)/%.wasm,$(SRCS))

.PHONY: testprogs native setup build test demo bench spec clean corpus
testprogs: $(WASMS)

# The README's two commands. Each installs what is missing first.
# The third-party corpus (SQLite, Lua, zlib, bzip2 from Debian sources) is
# built first: its tests compare gate runs with native builds.
test: setup corpus
	npm test

demo: setup build
	bash cli/demo.sh

setup:
	@bash .ci/setup

build:
	npm run -s build

bench: setup native
	npm run bench

spec: setup
	npm run spec

# Native builds of the benchmark programs (gcc -O2), for bench/.
native: $(patsubst %,build/native/%,cpu rec mem)
build/native/%: testprogs/%.c
	@mkdir -p build/native
	gcc -O2 -o $@ $<

$(OUT)/%.wasm: testprogs/%.c $(wildcard testprogs/include/*.h)
	@mkdir -p $(OUT)
	$(CLANG) $(WASMFLAGS) -o $@ $<

clean:
	rm -rf build dist

# Third-party corpus (SQLite, Lua, zlib, bzip2 from Debian source packages),
# wasm32-wasi and native, into build/corpus/. See corpus/README.md.
corpus:
	bash corpus/build.sh
