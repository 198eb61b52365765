/* telldir/seekdir: a remembered position gives the same next entry, across buffer refills */
#include "common.h"
#define N 400
int main (void) {
  mkdir("work/td", 0755);
  for (int i = 0; i < N; i++) {
    char p[200]; sprintf(p, "work/td/name_%03d_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i);
    close(open(p, O_WRONLY | O_CREAT, 0644));
  }
  DIR *d = opendir("work/td");
  long pos[N + 2]; char *at[N + 2]; int n = 0;
  for (;;) {
    long t = telldir(d);
    struct dirent *e = readdir(d);
    if (!e) break;
    if (n < N + 2) { pos[n] = t; at[n] = strdup(e->d_name); n++; }
  }
  printf("entries incl dots: %d\n", n);
  int ok = 0, tried = 0;
  int picks[] = { 0, 1, 2, 3, 17, 63, 64, 65, 100, 199, 250, 333, n - 2, n - 1, 5, 0 };
  for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
    int k = picks[i];
    if (k < 0 || k >= n) continue;
    tried++;
    seekdir(d, pos[k]);
    struct dirent *e = readdir(d);
    if (e && strcmp(e->d_name, at[k]) == 0) ok++;
    else printf("mismatch at %d\n", k);
  }
  printf("seekdir matches: %d/%d\n", ok, tried);
  seekdir(d, pos[10]);
  int rest = 0;
  while (readdir(d)) rest++;
  printf("entries after seekdir(10): %d\n", rest);
  long end = telldir(d);
  seekdir(d, end);
  printf("readdir at end pos: %s\n", readdir(d) ? "entry" : "NULL");
  rewinddir(d);
  int all = 0; while (readdir(d)) all++;
  printf("after rewinddir: %d\n", all);
  closedir(d);
  return 0;
}
