/* corpus lua-asyncify.wasm: the Asyncify runtime of asyncify-try.h. The
   imports from module "asyncify" are Binaryen's own functions: its Asyncify
   pass replaces the calls with the ones it adds (and exports). */
#include <stdint.h>
#include "asyncify-try.h"

__attribute__((import_module("asyncify"), import_name("start_unwind")))
void asyncify_start_unwind (void *data);
__attribute__((import_module("asyncify"), import_name("stop_unwind")))
void asyncify_stop_unwind (void);

/* Asyncify's data: {current, end} then room for the unwound frames' locals
   (a throw from deep in Lua's C stack: at most LUAI_MAXCCALLS C frames). */
#define UNWIND_BYTES (1 << 20)
static struct { uint32_t cur, end; uint8_t room[UNWIND_BYTES]; } __attribute__((aligned(16))) unwind;
static volatile int throwing;

void corpus_lua_throw (void) {
  unwind.cur = (uint32_t)(uintptr_t)unwind.room;
  unwind.end = (uint32_t)(uintptr_t)(unwind.room + UNWIND_BYTES);
  throwing = 1;
  asyncify_start_unwind(&unwind);
}

__attribute__((noinline))
void corpus_lua_try (struct lua_State *L, void (*f) (struct lua_State *, void *), void *ud) {
  f(L, ud);
  if (throwing) {  /* f returned because of a throw: the jump ends here */
    throwing = 0;
    asyncify_stop_unwind();
  }
}
