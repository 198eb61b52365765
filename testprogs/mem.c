// mem [mib] [passes]: fill a large buffer, read-modify-write passes, FNV hash.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
int main(int argc, char **argv) {
  size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 64) << 20;
  int passes = argc > 2 ? atoi(argv[2]) : 4;
  uint32_t *buf = malloc(n);
  if (!buf) { printf("no memory\n"); return 1; }
  size_t words = n / 4;
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < words; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; buf[i] = x; }
  for (int p = 0; p < passes; p++) {
    for (size_t i = 1; i < words; i++) buf[i] = buf[i] * 2654435761u + buf[i - 1];
    printf("pass %d %08x\n", p, buf[words - 1]);
  }
  uint32_t h = 2166136261u;
  const uint8_t *b = (const uint8_t *)buf;
  for (size_t i = 0; i < n; i++) { h ^= b[i]; h *= 16777619u; }
  printf("fnv %08x\n", h);
  return 0;
}
