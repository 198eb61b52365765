/* "..", ".", "//" inside the tree */
#include "common.h"
int main (void) {
  show_file("sub/../a.txt", "work/sub/../a.txt");
  show_file("sub/deeper/../../b.txt", "work/sub/deeper/../../b.txt");
  show_file("./work/./a.txt", "./work/./a.txt");
  show_file("work//a.txt", "work//a.txt");
  show_file("work/../top.txt", "work/../top.txt");
  show_file("work/sub/../../top.txt", "work/sub/../../top.txt");
  show_stat("work/sub/..", "work/sub/..", 1);
  show_file("file then ..", "work/a.txt/../b.txt");
  show_file("missing then ..", "work/nodir/../a.txt");
  show_file("link_sub/../a.txt", "work/link_sub/../a.txt");
  show_file("link_sub/deeper/../c.txt", "work/link_sub/deeper/../c.txt");
  CHK("mkdir via ..", mkdir("work/sub/../made", 0755));
  show_stat("made", "work/made", 1);
  int fd = open_show("creat via ..", "work/sub/deeper/../../made/f.txt", O_WRONLY | O_CREAT, 0644);
  write(fd, "dd\n", 3); close(fd);
  show_file("made/f.txt", "work/made/f.txt");
  CHK("rename via ..", rename("work/made/../made/f.txt", "work/sub/../sub/g.txt"));
  show_dir("sub", "work/sub");
  CHK("unlink via ..", unlink("work/sub/deeper/../g.txt"));
  CHK("rmdir via ..", rmdir("work/sub/../made"));
  CHK("rmdir ending in ..", rmdir("work/sub/deeper/.."));
  CHK("rmdir ending in .", rmdir("work/emptydir/."));
  CHK("mkdir .", mkdir("work/.", 0755));
  CHK("unlink ..", unlink("work/sub/.."));
  show_dir("work", "work");
  return 0;
}
