// filelog [rounds] [spin] [bigmb]: a program that works on files in a loop
// (for migration tests). It writes data/big.bin (bigmb MiB of a fixed
// pattern) once, then each round appends a line to data/log.txt, rewrites
// data/round.txt, and spins `spin` iterations; at the end it checks big.bin
// and prints a checksum of everything. Deterministic: a run that was moved
// between hosts must print and leave exactly what an uninterrupted run does.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

static uint64_t fnv (uint64_t h, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ull; }
  return h;
}

static unsigned char block[65536];

int main (int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 50;
  uint64_t spin = argc > 2 ? strtoull(argv[2], 0, 10) : 1000000;
  long bigmb = argc > 3 ? atol(argv[3]) : 4;
  if (mkdir("data", 0755) != 0 && errno != EEXIST) { perror("mkdir data"); return 1; }
  FILE *big = fopen("data/big.bin", "wb");
  if (big == NULL) { perror("data/big.bin"); return 1; }
  for (long k = 0; k < bigmb * 16; k++) {
    for (size_t i = 0; i < sizeof block; i++) block[i] = (unsigned char)(i * 31 + k * 7);
    fwrite(block, 1, sizeof block, big);
  }
  fclose(big);
  uint64_t x = 88172645463325252ull;
  for (long r = 1; r <= rounds; r++) {
    for (uint64_t i = 0; i < spin; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; }
    FILE *log = fopen("data/log.txt", "a");
    if (log == NULL) { perror("data/log.txt"); return 1; }
    fprintf(log, "round %ld %llu\n", r, (unsigned long long)(x >> 20));
    fclose(log);
    FILE *cur = fopen("data/round.txt", "w");
    fprintf(cur, "%ld\n", r);
    fclose(cur);
    printf("round %ld\n", r);
    fflush(stdout);
  }
  uint64_t h = 14695981039346656037ull;
  const char *names[] = { "data/big.bin", "data/log.txt", "data/round.txt" };
  for (int f = 0; f < 3; f++) {
    FILE *in = fopen(names[f], "rb");
    if (in == NULL) { perror(names[f]); return 1; }
    size_t n;
    while ((n = fread(block, 1, sizeof block, in)) > 0) h = fnv(h, block, n);
    fclose(in);
  }
  printf("done %016llx\n", (unsigned long long)h);
  return 0;
}
