// sleeper: for each line of stdin "N", sleeps N ms (nanosleep) and prints
// "slept N" with the monotonic time it took; "p N" waits with poll() on
// stdin with a timeout of N ms instead and prints "poll N R" (R: poll's result).
// Used by test/executor/hibernate.test.ts (built with
// clang --target=wasm32-wasi -O2 sleeper.c -o sleeper.wasm).
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
int main(void) {
  char line[64];
  while (fgets(line, sizeof line, stdin) != NULL) {
    if (line[0] == 'p') {
      int ms = atoi(line + 1);
      struct pollfd p = { .fd = 0, .events = POLLIN };
      long long t0 = now_ms();
      int r = poll(&p, 1, ms);
      printf("poll %d %d %lld\n", ms, r, now_ms() - t0);
    } else {
      int ms = atoi(line);
      struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
      long long t0 = now_ms();
      nanosleep(&ts, NULL);
      printf("slept %d %lld\n", ms, now_ms() - t0);
    }
    fflush(stdout);
  }
  return 0;
}
