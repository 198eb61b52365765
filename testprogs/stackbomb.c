// stackbomb: unbounded recursion (the wasm call stack, not the C shadow stack, runs out).
#include <stdio.h>
typedef int (*fn)(int);
static volatile fn next;
__attribute__((noinline)) static int f(int n) { return next(n + 1) + 1; }
int main(void) { next = f; printf("%d\n", f(0)); return 0; }
