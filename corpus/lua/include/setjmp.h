/* corpus: wasi-libc (Debian bookworm) has no <setjmp.h>; Lua's ldo.c
   includes it unconditionally. The corpus builds replace LUAI_TRY/LUAI_THROW
   (nojmp.h, asyncify-try.h), so nothing here is ever called: setjmp and
   longjmp are declared, not defined, and a use would fail to link. */
#ifndef CORPUS_SETJMP_H
#define CORPUS_SETJMP_H
typedef long jmp_buf[1];
int setjmp (jmp_buf);
void longjmp (jmp_buf, int) __attribute__((noreturn));
#define _setjmp setjmp
#define _longjmp longjmp
#endif
