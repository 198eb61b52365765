/* 200 files open at once, each read and written through its own fd */
#include "common.h"
#define N 200
int main (void) {
  mkdir("work/many", 0755);
  int fds[N], bad = 0;
  for (int i = 0; i < N; i++) {
    char p[64]; sprintf(p, "work/many/f%03d", i);
    fds[i] = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fds[i] < 0) bad++;
  }
  printf("open failures: %d\n", bad);
  int distinct = 1;
  for (int i = 0; i < N; i++) for (int j = i + 1; j < N; j++) if (fds[i] == fds[j]) distinct = 0;
  printf("fds distinct: %s\n", distinct ? "yes" : "no");
  for (int r = 0; r < 3; r++) for (int i = 0; i < N; i++) { char l[32]; int n = sprintf(l, "%d:%d\n", i, r); write(fds[i], l, (size_t)n); }
  int wrong = 0;
  for (int i = 0; i < N; i++) {
    char b[64] = {0}, want[64]; int n = sprintf(want, "%d:0\n%d:1\n%d:2\n", i, i, i);
    if (pread(fds[i], b, sizeof b - 1, 0) != n || strcmp(b, want) != 0) wrong++;
  }
  printf("wrong contents: %d\n", wrong);
  for (int i = 0; i < N; i += 2) close(fds[i]);
  for (int i = 0; i < N; i += 2) { char p[64]; sprintf(p, "work/many/f%03d", i); fds[i] = open(p, O_RDONLY); }
  int reopen = 0;
  for (int i = 0; i < N; i++) { char b[8] = {0}; if (pread(fds[i], b, 2, 0) == 2) reopen++; close(fds[i]); }
  printf("readable after reopen: %d\n", reopen);
  show_file("f123", "work/many/f123");
  return 0;
}
