// touch <mib> [seed]: fills <mib> MiB of memory with pseudo-random bytes once
// (prints "filled"), then runs forever changing one small counter: a program
// with a lot of touched memory that changes little (what pre-copy migration
// is for). Different seeds give memory no other run shares.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 16) << 20;
  uint64_t *p = malloc(n), x = 88172645463325252ull + (argc > 2 ? (uint64_t)atoi(argv[2]) : 0);
  for (size_t i = 0; i < n / 8; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; p[i] = x; }
  printf("filled\n");
  fflush(stdout);
  volatile uint64_t *c = p;
  for (;;) c[0]++;
}
