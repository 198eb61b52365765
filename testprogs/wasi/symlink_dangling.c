/* dangling symlinks: stat ENOENT, lstat ok, open, O_CREAT through them */
#include "common.h"
int main (void) {
  show_stat("stat dangling", "work/dangling", 1);
  show_stat("lstat dangling", "work/dangling", 0);
  open_show("open dangling", "work/dangling", O_RDONLY);
  CHK("access dangling", access("work/dangling", F_OK));
  open_show("creat excl via dangling", "work/dangling", O_WRONLY | O_CREAT | O_EXCL, 0644);
  int fd = open_show("creat via dangling", "work/dangling", O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) { VAL("write", write(fd, "made\n", 5)); close(fd); }
  show_stat("lstat after", "work/dangling", 0);
  show_file("nowhere", "work/nowhere");
  CHK("symlink to missing dir", symlink("nodir/file", "work/d2"));
  open_show("creat via d2", "work/d2", O_WRONLY | O_CREAT, 0644);
  CHK("unlink dangling", unlink("work/d2"));
  show_stat("d2 gone", "work/d2", 0);
  CHK("symlink dangling dir", symlink("newdir", "work/d3"));
  CHK("mkdir via dangling", mkdir("work/d3", 0755));
  show_stat("newdir", "work/newdir", 0);
  CHK("rename dangling", rename("work/d3", "work/d4"));
  char b[32] = {0};
  VAL("readlink moved", readlink("work/d4", b, sizeof b - 1));
  printf("target: %s\n", b);
  show_dir("work", "work");
  return 0;
}
