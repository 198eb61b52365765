// stale fill|check: a 2 MiB static buffer (in the initial memory, so every
// run of this module has a memory of the same size). "fill" writes 0x5A into
// all of it and exits; "check" prints how many of its bytes are not zero (a
// fresh instance must see 0, whatever ran in its memory before).
#include <stdio.h>
#include <string.h>
static unsigned char buf[2 << 20];
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "fill") == 0) {
    memset(buf, 0x5A, sizeof buf);
    printf("filled %zu\n", sizeof buf);
    return 0;
  }
  size_t nz = 0;
  for (size_t i = 0; i < sizeof buf; i++) nz += buf[i] != 0;
  printf("nonzero %zu\n", nz);
  return 0;
}
