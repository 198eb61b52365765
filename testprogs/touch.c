// touch <mib>: fills <mib> MiB of memory with pseudo-random bytes once, then
// runs forever changing one small counter: a program with a lot of touched
// memory that changes little (what pre-copy migration is for).
#include <stdint.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 16) << 20;
  uint64_t *p = malloc(n), x = 88172645463325252ull;
  for (size_t i = 0; i < n / 8; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; p[i] = x; }
  volatile uint64_t *c = p;
  for (;;) c[0]++;
}
