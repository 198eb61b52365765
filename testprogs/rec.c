// rec [fib-n] [queens]: naive fib(n) and N-queens backtracking (call-heavy code).
#include <stdio.h>
#include <stdlib.h>
static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int queens(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
  if (row == n) return 1;
  int count = 0;
  for (int c = 0; c < n; c++) {
    unsigned a = 1u << c, b = 1u << (row + c), e = 1u << (row - c + n - 1);
    if ((cols & a) || (d1 & b) || (d2 & e)) continue;
    count += queens(n, row + 1, cols | a, d1 | b, d2 | e);
  }
  return count;
}
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 32;
  int q = argc > 2 ? atoi(argv[2]) : 11;
  printf("fib(%d) = %ld\n", n, fib(n));
  printf("queens(%d) = %d\n", q, queens(q, 0, 0, 0, 0));
  return 0;
}
