// recwait depth: for each line of stdin, recurses `depth` calls deep, reads
// the next line at the bottom (so it waits for input with `depth` frames on
// its stack) and prints a checksum of that line and the depth on the way up.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static unsigned long down(int d, int *eof) {
  if (d == 0) {
    char line[256];
    if (fgets(line, sizeof line, stdin) == NULL) { *eof = 1; return 0; }
    unsigned long h = 0;
    for (size_t i = 0; line[i] != 0 && line[i] != '\n'; i++) h = (h * 31 + (unsigned char)line[i]) % 1000003;
    return h;
  }
  unsigned long r = down(d - 1, eof);
  return (r * 31 + (unsigned long)d) % 1000003;
}
int main(int argc, char **argv) {
  int depth = argc > 1 ? atoi(argv[1]) : 100;
  for (int n = 0;; n++) {
    int eof = 0;
    unsigned long r = down(depth, &eof);
    if (eof) break;
    printf("%d %d %lu\n", depth, n, r);
    fflush(stdout);
  }
  return 0;
}
