// deep [depth] [spin]: recurses to `depth`, spins at the bottom, prints a checksum on the way up.
#include <stdio.h>
#include <stdlib.h>
static unsigned long spin_iters;
__attribute__((noinline)) unsigned long down(int d, unsigned long acc) {
  if (d == 0) {
    volatile unsigned long x = acc;
    for (unsigned long i = 0; i < spin_iters; i++) x = x * 6364136223846793005ul + 1442695040888963407ul;
    return x;
  }
  unsigned long r = down(d - 1, acc * 31 + (unsigned long)d);
  if (d % 1000 == 0) printf("up %d %lu\n", d, r % 1000003);
  return r ^ (unsigned long)d;
}
int main(int argc, char **argv) {
  int depth = argc > 1 ? atoi(argv[1]) : 10000;
  spin_iters = argc > 2 ? strtoul(argv[2], 0, 10) : 50000000ul;
  printf("going down %d\n", depth); fflush(stdout);
  printf("result %lu\n", down(depth, 7) % 1000003);
  return 0;
}
