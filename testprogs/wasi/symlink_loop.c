/* symlink loops: ELOOP from open/stat/access; chains that end are fine */
#include "common.h"
int main (void) {
  CHK("make l1->l2", symlink("l2", "work/l1"));
  CHK("make l2->l1", symlink("l1", "work/l2"));
  CHK("make self", symlink("self", "work/self"));
  open_show("open l1", "work/l1", O_RDONLY);
  open_show("creat l1", "work/l1", O_WRONLY | O_CREAT, 0644);
  show_stat("stat l1", "work/l1", 1);
  show_stat("lstat l1", "work/l1", 0);
  show_stat("stat self", "work/self", 1);
  show_stat("stat through loop", "work/self/x", 1);
  show_stat("lstat through loop", "work/l1/x", 0);
  CHK("access l1", access("work/l1", F_OK));
  CHK("mkdir under loop", mkdir("work/l1/d", 0755));
  open_show("opendir-ish loop", "work/self", O_RDONLY | O_DIRECTORY);
  errno = 0;
  DIR *d = opendir("work/l2");
  printf("opendir loop: %s\n", d ? "ok" : ename(errno));
  char name[32], prev[32];
  strcpy(prev, "a.txt");
  for (int i = 0; i < 8; i++) {
    sprintf(name, "work/c%d", i);
    symlink(prev, name);
    sprintf(prev, "c%d", i);
  }
  show_stat("chain of 8", "work/c7", 1);
  show_file("chain of 8 content", "work/c7");
  CHK("unlink loop link", unlink("work/l1"));
  show_stat("l2 now dangling", "work/l2", 1);
  return 0;
}
