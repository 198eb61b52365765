// counter [limit] [every]: a CPU loop that prints a line every `every`
// iterations up to `limit` (0 = forever). Its output does not depend on
// timing, so suspended-and-resumed runs must print exactly the same bytes.
// Each line is flushed: stdout is a pipe (fully buffered) under tests.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
int main(int argc, char **argv) {
  uint64_t limit = argc > 1 ? strtoull(argv[1], 0, 10) : 0;
  uint64_t every = argc > 2 ? strtoull(argv[2], 0, 10) : 1000;
  uint64_t x = 88172645463325252ull, sum = 0;
  for (uint64_t i = 1; limit == 0 || i <= limit; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    sum += x >> 40;
    if (i % every == 0) { printf("%llu %llu\n", (unsigned long long)i, (unsigned long long)sum); fflush(stdout); }
  }
  printf("done %llu\n", (unsigned long long)sum);
  return 0;
}
