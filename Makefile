# Builds the test and benchmark programs (C -> wasm32-wasi with clang, and
# native with gcc for benchmark baselines). `make testprogs` is run by `npm run build`.
CLANG ?= clang
WASMFLAGS = --target=wasm32-wasi -O2 -Wl,--strip-debug -Wl,-z,stack-size=1048576 -Itestprogs/include
OUT = build/testprogs
SRCS = $(wildcard testprogs/*.c)
WASMS = $(patsubst testprogs/%.c,$(OUT)/%.wasm,$(SRCS))

.PHONY: testprogs clean
testprogs: $(WASMS)

$(OUT)/%.wasm: testprogs/%.c $(wildcard testprogs/include/*.h)
	@mkdir -p $(OUT)
	$(CLANG) $(WASMFLAGS) -o $@ $<

clean:
	rm -rf build dist
