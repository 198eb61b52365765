/* deleting each entry right after readdir returns it: every entry seen once, dir ends empty */
#include "common.h"
#define N 300
int main (void) {
  mkdir("work/del", 0755);
  for (int i = 0; i < N; i++) {
    char p[200]; sprintf(p, "work/del/file_with_a_fairly_long_name_to_fill_buffers_%03d", i);
    close(open(p, O_WRONLY | O_CREAT, 0644));
  }
  DIR *d = opendir("work/del");
  struct dirent *e;
  int seen = 0, failed = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    seen++;
    char p[300]; snprintf(p, sizeof p, "work/del/%s", e->d_name);
    if (unlink(p) < 0) failed++;
  }
  closedir(d);
  printf("seen: %d unlink failed: %d\n", seen, failed);
  show_dir("del after", "work/del");
  CHK("rmdir del", rmdir("work/del"));
  /* adding entries while iterating: entries that existed at opendir are all returned */
  mkdir("work/add", 0755);
  for (int i = 0; i < 100; i++) { char p[200]; sprintf(p, "work/add/orig_name_padding_padding_padding_%03d", i); close(open(p, O_WRONLY | O_CREAT, 0644)); }
  d = opendir("work/add");
  int orig = 0, k = 0;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "orig", 4) == 0) orig++;
    if (k < 50) { char p[200]; sprintf(p, "work/add/zz_new_%03d", k++); close(open(p, O_WRONLY | O_CREAT, 0644)); }
  }
  closedir(d);
  printf("original entries seen while adding: %d\n", orig);
  return 0;
}
