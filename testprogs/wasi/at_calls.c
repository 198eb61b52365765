/* the *at() calls relative to an opened directory fd */
#include "common.h"
int main (void) {
  int dfd = open("work/sub", O_RDONLY | O_DIRECTORY);
  printf("dirfd: %s\n", dfd >= 0 ? "ok" : ename(errno));
  int fd = openat(dfd, "c.txt", O_RDONLY);
  char b[32] = {0};
  read(fd, b, 31); close(fd);
  printf("openat read: %s", b);
  fd = openat(dfd, "new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  write(fd, "at\n", 3); close(fd);
  struct stat st;
  VAL("fstatat", fstatat(dfd, "new.txt", &st, 0));
  printf("size: %lld\n", (long long)st.st_size);
  CHK("mkdirat", mkdirat(dfd, "md", 0755));
  CHK("renameat", renameat(dfd, "new.txt", dfd, "md/moved.txt"));
  int d2 = openat(dfd, "md", O_RDONLY | O_DIRECTORY);
  CHK("linkat", linkat(d2, "moved.txt", dfd, "hard.txt", 0));
  CHK("symlinkat", symlinkat("md/moved.txt", dfd, "sl"));
  memset(b, 0, sizeof b);
  VAL("readlinkat", readlinkat(dfd, "sl", b, sizeof b));
  printf("target: %s\n", b);
  CHK("faccessat", faccessat(dfd, "sl", F_OK, 0));
  CHK("unlinkat file", unlinkat(d2, "moved.txt", 0));
  CHK("unlinkat emptied md", unlinkat(dfd, "md", AT_REMOVEDIR));
  CHK("unlinkat dir", unlinkat(dfd, "deeper", AT_REMOVEDIR));
  unlinkat(dfd, "deeper/d.txt", 0);
  CHK("unlinkat dir now", unlinkat(dfd, "deeper", AT_REMOVEDIR));
  /* not compared: "../x" relative to a directory fd escapes it (Linux: allowed; WASI: ENOTCAPABLE by design) */
  CHK("openat on file fd", openat(open("work/a.txt", O_RDONLY), "x", O_RDONLY));
  CHK("openat bad fd", openat(999, "x", O_RDONLY));
  CHK("renameat across dirs", renameat(dfd, "hard.txt", AT_FDCWD, "work/hard_top.txt"));
  show_dir("sub", "work/sub");
  show_dir("md", "work/sub/md");
  close(d2); close(dfd);
  return 0;
}
