/* st_nlink of directories: 2 + number of subdirectories (Unix convention) */
#include "common.h"
static void n (const char *label, const char *p) {
  struct stat st;
  if (stat(p, &st) < 0) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  printf("%s nlink: %lld\n", label, (long long)st.st_nlink);
}
int main (void) {
  n("work", "work");
  n("sub", "work/sub");
  n("emptydir", "work/emptydir");
  mkdir("work/emptydir/x", 0755);
  n("emptydir +1", "work/emptydir");
  rmdir("work/emptydir/x");
  n("emptydir -1", "work/emptydir");
  rename("work/sub/deeper", "work/emptydir/deeper");
  n("sub after move out", "work/sub");
  n("emptydir after move in", "work/emptydir");
  return 0;
}
