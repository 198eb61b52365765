/* pwrite on an O_APPEND fd: print where the bytes land (Linux appends) */
#include "common.h"
int main (void) {
  int fd = open_show("open append", "work/a.txt", O_RDWR | O_APPEND);
  VAL("pwrite at 0", pwrite(fd, "PW", 2, 0));
  VAL("tell", lseek(fd, 0, SEEK_CUR));
  struct stat st; fstat(fd, &st);
  printf("size: %lld\n", (long long)st.st_size);
  char b[32] = {0};
  VAL("pread 0", pread(fd, b, 4, 0));
  printf("head: %s\n", b);
  VAL("write", write(fd, "W\n", 2));
  close(fd);
  show_file("a", "work/a.txt");
  fd = open("work/b.txt", O_WRONLY);
  CHK("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
  printf("append flag now: %s\n", (fcntl(fd, F_GETFL) & O_APPEND) ? "set" : "clear");
  VAL("write", write(fd, "appended\n", 9));
  VAL("pwrite at 1", pwrite(fd, "@@", 2, 1));
  CHK("F_SETFL 0", fcntl(fd, F_SETFL, 0));
  printf("append flag now: %s\n", (fcntl(fd, F_GETFL) & O_APPEND) ? "set" : "clear");
  lseek(fd, 0, SEEK_SET);
  VAL("write at 0", write(fd, "##", 2));
  close(fd);
  show_file("b", "work/b.txt");
  return 0;
}
