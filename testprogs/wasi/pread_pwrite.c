/* pread/pwrite: explicit offsets, file offset unchanged, holes, past EOF */
#include "common.h"
int main (void) {
  int fd = open_show("open", "work/p.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
  VAL("write", write(fd, "0123456789", 10));
  VAL("seek 3", lseek(fd, 3, SEEK_SET));
  char buf[32] = {0};
  VAL("pread 4@5", pread(fd, buf, 4, 5));
  printf("got: %s\n", buf);
  VAL("tell unchanged", lseek(fd, 0, SEEK_CUR));
  VAL("pwrite 2@1", pwrite(fd, "ab", 2, 1));
  VAL("tell unchanged 2", lseek(fd, 0, SEEK_CUR));
  memset(buf, 0, sizeof buf);
  VAL("read 3", read(fd, buf, 3));
  printf("got: %s\n", buf);
  VAL("pread at eof", pread(fd, buf, 4, 10));
  VAL("pread past eof", pread(fd, buf, 4, 100));
  VAL("pread across eof", pread(fd, buf, 8, 7));
  VAL("pwrite past end", pwrite(fd, "END", 3, 20));
  struct stat st; fstat(fd, &st);
  printf("size: %lld\n", (long long)st.st_size);
  memset(buf, 'Z', sizeof buf);
  VAL("pread hole", pread(fd, buf, 13, 10));
  int zeros = 0; for (int i = 0; i < 10; i++) zeros += buf[i] == 0;
  printf("hole zeros: %d tail: %.3s\n", zeros, buf + 10);
  VAL("pread negative", pread(fd, buf, 1, -1));
  VAL("pwrite negative", pwrite(fd, "x", 1, -5));
  VAL("pread 0 len", pread(fd, buf, 0, 2));
  close(fd);
  show_file("p", "work/p.dat");
  fd = open("work/a.txt", O_RDONLY);
  VAL("pwrite on rdonly", pwrite(fd, "x", 1, 0));
  close(fd);
  fd = open("work/a.txt", O_WRONLY);
  VAL("pread on wronly", pread(fd, buf, 1, 0));
  close(fd);
  fd = open("work/sub", O_RDONLY | O_DIRECTORY);
  VAL("pread on dir", pread(fd, buf, 1, 0));
  close(fd);
  return 0;
}
