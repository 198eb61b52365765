/* rename of directories: over empty/nonempty dirs, over files, into itself */
#include "common.h"
int main (void) {
  CHK("rename dir", rename("work/sub", "work/sub_r"));
  show_dir("sub_r", "work/sub_r");
  show_file("content moved", "work/sub_r/deeper/d.txt");
  CHK("rename dir back", rename("work/sub_r", "work/sub"));
  CHK("dir into itself", rename("work/sub", "work/sub/deeper/x"));
  CHK("dir into own child name", rename("work/sub", "work/sub/x"));
  CHK("dir onto itself", rename("work/sub", "work/sub"));
  CHK("dir over nonempty dir", rename("work/emptydir", "work/sub"));
  CHK("dir over empty dir", rename("work/sub/deeper", "work/emptydir"));
  show_dir("emptydir", "work/emptydir");
  show_dir("sub", "work/sub");
  CHK("dir over file", rename("work/emptydir", "work/a.txt"));
  CHK("dir over symlink", rename("work/emptydir", "work/link_a"));
  show_stat("link_a now", "work/link_a", 0);
  CHK("mkdir x", mkdir("work/x", 0755));
  CHK("dir into other dir", rename("work/x", "work/sub/x"));
  CHK("parent onto child", rename("work/sub", "work/sub/x"));
  CHK("child onto parent", rename("work/sub/x", "work/sub"));
  CHK("child onto ancestor's name", rename("work/sub/x", "work"));
  CHK("move up", rename("work/sub/x", "x_top"));
  show_stat("x_top", "x_top", 1);
  CHK("dir into missing", rename("x_top", "nope/x"));
  CHK("symlink to dir renamed", rename("work/link_sub", "work/ls"));
  show_stat("ls lstat", "work/ls", 0);
  show_dir("via ls", "work/ls");
  CHK("rename . ", rename("work/.", "work/dotdir"));
  CHK("rename ..", rename("work/sub/..", "work/dd"));
  show_dir("root", ".");
  show_dir("work", "work");
  return 0;
}
