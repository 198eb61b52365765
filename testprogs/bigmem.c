// bigmem [step-pages]: grows linear memory until memory.grow fails (or 4 GiB)
// and reports how far it got; touches each new page range.
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int step = argc > 1 ? atoi(argv[1]) : 256; // 16 MiB
  unsigned long grown = 0;
  for (;;) {
    long old = __builtin_wasm_memory_grow(0, step);
    if (old < 0) break;
    ((volatile char *)(old * 65536ul))[0] = 1;
    grown += (unsigned long)step;
    if (old + step >= 65536) break;
  }
  printf("grew %lu pages, memory is %lu MiB\n", grown, (unsigned long)__builtin_wasm_memory_size(0) / 16);
  return 0;
}
