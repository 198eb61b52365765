/* rename of files: plain, over existing, onto itself, errors, open fds */
#include "common.h"
int main (void) {
  CHK("rename", rename("work/a.txt", "work/a_renamed.txt"));
  show_stat("old gone", "work/a.txt", 0);
  show_file("new", "work/a_renamed.txt");
  struct stat s1, s2;
  stat("work/b.txt", &s1);
  CHK("rename over existing", rename("work/b.txt", "work/a_renamed.txt"));
  stat("work/a_renamed.txt", &s2);
  printf("ino kept: %s\n", s1.st_ino == s2.st_ino ? "yes" : "no");
  show_file("replaced", "work/a_renamed.txt");
  CHK("rename onto itself", rename("work/a_renamed.txt", "work/a_renamed.txt"));
  show_stat("still there", "work/a_renamed.txt", 1);
  CHK("rename missing", rename("work/missing", "work/x"));
  CHK("rename into missing dir", rename("work/a_renamed.txt", "work/nodir/x"));
  CHK("rename file over dir", rename("work/a_renamed.txt", "work/emptydir"));
  CHK("rename file over nonempty dir", rename("work/a_renamed.txt", "work/sub"));
  CHK("rename under file", rename("work/a_renamed.txt", "work/empty/x"));
  CHK("rename into subdir", rename("work/a_renamed.txt", "work/sub/deeper/moved.txt"));
  show_dir("deeper", "work/sub/deeper");
  int fd = open("work/sub/deeper/moved.txt", O_RDWR);
  CHK("rename open file", rename("work/sub/deeper/moved.txt", "work/back.txt"));
  VAL("write to open renamed", write(fd, "W", 1));
  close(fd);
  show_file("back", "work/back.txt");
  CHK("rename symlink", rename("work/link_a", "work/link_moved"));
  show_stat("link moved lstat", "work/link_moved", 0);
  show_stat("link moved stat", "work/link_moved", 1);
  CHK("rename symlink into sub (dangles now)", rename("work/link_moved", "work/sub/lm"));
  show_stat("sub/lm stat", "work/sub/lm", 1);
  CHK("rename file over symlink", rename("work/back.txt", "work/link_sub"));
  show_stat("link_sub now", "work/link_sub", 0);
  show_stat("sub still dir", "work/sub", 1);
  CHK("renameat", renameat(AT_FDCWD, "work/empty", AT_FDCWD, "work/empty2"));
  show_dir("work", "work");
  return 0;
}
