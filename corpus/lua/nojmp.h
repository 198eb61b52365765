/* corpus lua.wasm: Lua without setjmp/longjmp. Force-included (-include)
   into every Lua file. LUAI_TRY runs its block; LUAI_THROW ends the program:
   an error caught by pcall or by the interpreter prints its message and exits
   with status 1. Scripts that raise no errors (and do not yield from
   coroutines: a yield is a throw in Lua 5.4) run as with the real Lua. */
#ifndef CORPUS_LUA_NOJMP_H
#define CORPUS_LUA_NOJMP_H
struct lua_State;
void corpus_lua_throw (struct lua_State *L, int status) __attribute__((noreturn));
#define LUAI_THROW(L,c)   corpus_lua_throw(L, (c)->status)
#define LUAI_TRY(L,c,a)   { a }
#define luai_jmpbuf       int
#endif
