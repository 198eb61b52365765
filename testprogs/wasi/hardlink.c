/* link(): same inode, nlink counts, shared content, EEXIST, dirs */
#include "common.h"
int main (void) {
  CHK("link", link("work/a.txt", "work/a2.txt"));
  struct stat s1, s2;
  stat("work/a.txt", &s1); stat("work/a2.txt", &s2);
  printf("same ino: %s\n", s1.st_ino == s2.st_ino ? "yes" : "no");
  printf("nlink: %lld %lld\n", (long long)s1.st_nlink, (long long)s2.st_nlink);
  int fd = open("work/a2.txt", O_WRONLY | O_APPEND);
  write(fd, "via a2\n", 7);
  struct stat fs; fstat(fd, &fs);
  printf("fstat ino same: %s\n", fs.st_ino == s1.st_ino ? "yes" : "no");
  close(fd);
  show_file("a via a.txt", "work/a.txt");
  CHK("link into sub", link("work/a.txt", "work/sub/a3.txt"));
  stat("work/a.txt", &s1);
  printf("nlink 3: %lld\n", (long long)s1.st_nlink);
  CHK("link existing", link("work/a.txt", "work/b.txt"));
  CHK("link missing", link("work/nope", "work/n2"));
  CHK("link dir", link("work/sub", "work/sub2"));
  CHK("link into missing dir", link("work/a.txt", "work/nodir/x"));
  CHK("unlink original", unlink("work/a.txt"));
  stat("work/a2.txt", &s2);
  printf("nlink after unlink: %lld\n", (long long)s2.st_nlink);
  show_file("a2", "work/a2.txt");
  CHK("link symlink itself", link("work/link_a", "work/link_b"));
  show_stat("link_b lstat", "work/link_b", 0);
  CHK("link dangling", link("work/dangling", "work/dangling2"));
  show_stat("dangling2 lstat", "work/dangling2", 0);
  CHK("linkat follow", linkat(AT_FDCWD, "work/link_sub", AT_FDCWD, "work/ls2", AT_SYMLINK_FOLLOW));
  CHK("rename a2 onto a3 (same inode)", rename("work/a2.txt", "work/sub/a3.txt"));
  show_stat("a2 after", "work/a2.txt", 0);
  show_stat("a3 after", "work/sub/a3.txt", 0);
  CHK("truncate via one", truncate("work/sub/a3.txt", 3));
  show_dir("work", "work");
  return 0;
}
