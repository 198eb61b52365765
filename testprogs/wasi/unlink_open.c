/* an unlinked file stays usable through its open fds; nlink 0; name reusable */
#include "common.h"
int main (void) {
  int fd = open_show("open", "work/a.txt", O_RDWR);
  struct stat st;
  fstat(fd, &st);
  ino_t ino = st.st_ino;
  CHK("unlink", unlink("work/a.txt"));
  fstat(fd, &st);
  printf("fstat after unlink: %s size=%lld nlink=%lld\n", ftype(st.st_mode), (long long)st.st_size, (long long)st.st_nlink);
  char b[32] = {0};
  VAL("read", read(fd, b, 5));
  printf("got: %s\n", b);
  VAL("write", write(fd, "++", 2));
  VAL("pread", pread(fd, b, 20, 0));
  printf("now: %.14s", b);
  int fd2 = open_show("recreate", "work/a.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
  write(fd2, "new\n", 4);
  fstat(fd2, &st);
  printf("new file other ino: %s\n", st.st_ino != ino ? "yes" : "no");
  memset(b, 0, sizeof b);
  VAL("old fd still old", pread(fd, b, 5, 0));
  printf("old: %s\n", b);
  CHK("close old", close(fd));
  close(fd2);
  show_file("a", "work/a.txt");
  fd = open("work/b.txt", O_RDONLY);
  CHK("rename over open", rename("work/a.txt", "work/b.txt"));
  memset(b, 0, sizeof b);
  VAL("read replaced", read(fd, b, 8));
  printf("replaced: %s\n", b);
  close(fd);
  show_file("b", "work/b.txt");
  fd = open("work/sub/deeper", O_RDONLY | O_DIRECTORY);
  unlink("work/sub/deeper/d.txt");
  CHK("rmdir open dir", rmdir("work/sub/deeper"));
  VAL("fstat removed dir", fstat(fd, &st));
  printf("removed dir nlink: %lld\n", (long long)st.st_nlink);
  CHK("openat in removed dir", openat(fd, "x", O_WRONLY | O_CREAT, 0644));
  close(fd);
  show_dir("work", "work");
  return 0;
}
