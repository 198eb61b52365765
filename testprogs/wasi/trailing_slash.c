/* trailing slashes: on files ENOTDIR, on dirs fine, on links to dirs followed */
#include "common.h"
int main (void) {
  open_show("open file/", "work/a.txt/", O_RDONLY);
  open_show("creat file/", "work/a.txt/", O_WRONLY | O_CREAT, 0644);
  open_show("creat new/", "work/new.txt/", O_WRONLY | O_CREAT, 0644);
  show_stat("new.txt not created", "work/new.txt", 0);
  show_stat("stat file/", "work/a.txt/", 1);
  show_stat("lstat file/", "work/a.txt/", 0);
  show_stat("stat dir/", "work/sub/", 1);
  show_stat("stat dir//", "work/sub//", 1);
  show_stat("lstat link_sub/", "work/link_sub/", 0);
  show_stat("lstat link_a/", "work/link_a/", 0);
  int fd = open_show("open dir/", "work/sub/", O_RDONLY); close(fd);
  CHK("access file/", access("work/a.txt/", F_OK));
  CHK("access dir/", access("work/sub/", F_OK));
  CHK("mkdir new/", mkdir("work/nd/", 0755));
  show_stat("nd", "work/nd", 1);
  CHK("rmdir nd/", rmdir("work/nd/"));
  CHK("unlink file/", unlink("work/a.txt/"));
  show_stat("a still there", "work/a.txt", 1);
  CHK("rename file/ -> x", rename("work/a.txt/", "work/x.txt"));
  CHK("rename file -> x/", rename("work/a.txt", "work/x.txt/"));
  CHK("rename dir/ -> d2/", rename("work/emptydir/", "work/ed2/"));
  show_stat("ed2", "work/ed2", 1);
  CHK("rmdir link_sub/", rmdir("work/link_sub/"));
  CHK("symlink to x/", symlink("a.txt", "work/sl/"));
  CHK("link file/", link("work/a.txt/", "work/hl"));
  show_dir("work", "work");
  return 0;
}
