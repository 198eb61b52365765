/* corpus lua-asyncify.wasm: Lua's error handling (LUAI_TRY/LUAI_THROW, in
   place of setjmp/longjmp) on Binaryen Asyncify, run at build time over the
   linked module (wasm-opt --asyncify). Force-included into every Lua file.
   A throw starts an Asyncify unwind: every instrumented frame returns at
   once, up to the innermost try, corpus_lua_try, which is left out of the
   instrumentation (asyncify-removelist) and so sees its callee return,
   stops the unwind and returns to luaD_rawrunprotected with the status
   luaD_throw set. The unwound frames' saved state is never rewound: a jump
   out, as longjmp. Coroutines work (a yield is such a throw). */
#ifndef CORPUS_LUA_ASYNCIFY_TRY_H
#define CORPUS_LUA_ASYNCIFY_TRY_H
struct lua_State;
void corpus_lua_try (struct lua_State *L, void (*f) (struct lua_State *, void *), void *ud);
void corpus_lua_throw (void);
#define LUAI_THROW(L,c)   corpus_lua_throw()
/* LUAI_TRY's one use is luaD_rawrunprotected (lua_State *L, Pfunc f, void *ud),
   whose block is (*f)(L, ud): */
#define LUAI_TRY(L,c,a)   corpus_lua_try(L, f, ud)
#define luai_jmpbuf       int
#endif
