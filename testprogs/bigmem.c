// bigmem [step-mib]: allocates memory until malloc fails (or 4 GiB) and reports how far it got.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  size_t step = (argc > 1 ? (size_t)atoi(argv[1]) : 16) << 20;
  size_t total = 0;
  while (total < ((size_t)4095 << 20)) {
    char *p = malloc(step);
    if (!p) break;
    memset(p, 1, 4096);
    total += step;
  }
  printf("allocated %zu MiB\n", total >> 20);
  return 0;
}
