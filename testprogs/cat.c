// cat: copies stdin to stdout; prints the byte count to stderr.
// A 128 KiB buffer, as GNU cat uses: one host call moves that much.
#include <stdio.h>
#include <unistd.h>
static char buf[128 * 1024];
int main(void) {
  long total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) break;
    total += n;
    for (ssize_t off = 0; off < n;) { ssize_t w = write(1, buf + off, n - off); if (w <= 0) return 1; off += w; }
  }
  fprintf(stderr, "%ld bytes\n", total);
  return 0;
}
