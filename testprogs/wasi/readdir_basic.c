/* opendir/readdir: sorted listings with d_type, d_ino = st_ino, rewinddir, scandir */
#include "common.h"
int main (void) {
  show_dir("root", ".");
  show_dir("work", "work");
  show_dir("sub", "work/sub");
  show_dir("emptydir", "work/emptydir");
  show_dir("via link", "work/link_sub");
  show_dir("missing", "work/missing");
  DIR *d = opendir("work");
  struct dirent *e;
  int n = 0, inook = 0, inochk = 0;
  while ((e = readdir(d)) != NULL) {
    n++;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char p[300]; struct stat st;
    snprintf(p, sizeof p, "work/%s", e->d_name);
    if (lstat(p, &st) == 0) { inochk++; inook += st.st_ino == e->d_ino; }
  }
  printf("entries: %d d_ino matches lstat: %d/%d\n", n, inook, inochk);
  printf("readdir at end again: %s\n", readdir(d) == NULL ? "NULL" : "entry");
  rewinddir(d);
  int m = 0;
  while (readdir(d) != NULL) m++;
  printf("after rewinddir: %d\n", m);
  closedir(d);
  struct dirent **list;
  int k = scandir("work/sub", &list, NULL, alphasort);
  printf("scandir: %d:", k);
  for (int i = 0; i < k; i++) { printf(" %s", list[i]->d_name); free(list[i]); }
  printf("\n");
  free(list);
  d = opendir("work/sub");
  int fd = dirfd(d);
  struct stat st;
  fstat(fd, &st);
  printf("dirfd fstat: %s\n", ftype(st.st_mode));
  closedir(d);
  mkdir("work/fresh", 0755);
  for (int i = 0; i < 5; i++) { char p[64]; sprintf(p, "work/fresh/f%d", i); close(open(p, O_WRONLY | O_CREAT, 0644)); }
  mkdir("work/fresh/dd", 0755);
  symlink("f0", "work/fresh/ll");
  show_dir("fresh", "work/fresh");
  unlink("work/fresh/f2");
  rename("work/fresh/f3", "work/fresh/g3");
  show_dir("fresh after changes", "work/fresh");
  return 0;
}
