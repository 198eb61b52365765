/* readdir of ~500 long names: the 4 KiB libc buffer is refilled many times */
#include "common.h"
#define N 500
static char names[N][160];
int main (void) {
  CHK("mkdir", mkdir("work/big", 0755));
  for (int i = 0; i < N; i++) {
    int len = 40 + (i * 37) % 110;
    int k = sprintf(names[i], "entry_%04d_", i);
    while (k < len) { names[i][k] = (char)('a' + (i + k) % 26); k++; }
    names[i][k] = 0;
    char p[200]; sprintf(p, "work/big/%s", names[i]);
    if (i % 7 == 0) { if (mkdir(p, 0755) < 0) printf("mkdir %d: %s\n", i, ename(errno)); }
    else { int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644); if (fd < 0) printf("creat %d: %s\n", i, ename(errno)); else { write(fd, names[i], 5); close(fd); } }
  }
  DIR *d = opendir("work/big");
  if (!d) { printf("opendir: %s\n", ename(errno)); return 0; }
  char *seen[N + 10]; int n = 0, dots = 0, bad = 0, dirs = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) { dots++; continue; }
    if (n >= N + 10) { bad++; continue; }
    if (e->d_type == DT_DIR) dirs++;
    seen[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(seen, (size_t)n, sizeof seen[0], cmpstr);
  int dup = 0, missing = 0;
  for (int i = 1; i < n; i++) dup += strcmp(seen[i - 1], seen[i]) == 0;
  char *want[N]; for (int i = 0; i < N; i++) want[i] = names[i];
  qsort(want, N, sizeof want[0], cmpstr);
  for (int i = 0, j = 0; i < N; i++) { while (j < n && strcmp(seen[j], want[i]) < 0) j++; if (j >= n || strcmp(seen[j], want[i]) != 0) missing++; }
  unsigned long long h = 5381;
  for (int i = 0; i < n; i++) for (char *c = seen[i]; *c; c++) h = h * 33 + (unsigned char)*c;
  printf("entries: %d dots: %d dirs: %d dups: %d missing: %d extra: %d hash: %llu\n", n, dots, dirs, dup, missing, bad, h);
  printf("first: %s\nlast: %s\n", n ? seen[0] : "-", n ? seen[n - 1] : "-");
  return 0;
}
