/* corpus lua.wasm: see nojmp.h. */
#include <stdio.h>
#include <stdlib.h>
#include "lua.h"

void corpus_lua_throw (lua_State *L, int status) {
  const char *msg = status == LUA_YIELD ? "attempt to yield (coroutines need setjmp)"
                  : lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(error object is not a string)";
  fflush(stdout);
  fprintf(stderr, "lua: %s\nlua: (built without setjmp: errors end the program)\n", msg);
  exit(1);
}
