/* read/write: short reads, EOF, readv/writev, read after write on one fd */
#include "common.h"
int main (void) {
  int fd = open_show("open b", "work/b.txt", O_RDONLY);
  char buf[64];
  ssize_t n;
  int total = 0, calls = 0;
  while ((n = read(fd, buf, 7)) > 0) { total += (int)n; calls++; }
  printf("read in 7s: total=%d calls=%d last=%lld\n", total, calls, (long long)n);
  VAL("read at eof", read(fd, buf, 10));
  VAL("read 0 bytes", read(fd, buf, 0));
  close(fd);
  fd = open_show("open rw", "work/rw.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  VAL("write", write(fd, "abcdefghij", 10));
  VAL("read at end", read(fd, buf, 5));
  VAL("seek 2", lseek(fd, 2, SEEK_SET));
  memset(buf, 0, sizeof buf);
  VAL("read 3", read(fd, buf, 3));
  printf("got: %s\n", buf);
  VAL("write over", write(fd, "XY", 2));
  VAL("tell", lseek(fd, 0, SEEK_CUR));
  VAL("write 0 bytes", write(fd, buf, 0));
  lseek(fd, 0, SEEK_SET);
  char a[3], b[4], c[20];
  struct iovec iov[3] = { { a, 3 }, { b, 4 }, { c, 20 } };
  memset(c, 0, sizeof c);
  VAL("readv", readv(fd, iov, 3));
  printf("readv parts: %.3s|%.4s|%s\n", a, b, c);
  struct iovec w[3] = { { "<<", 2 }, { "", 0 }, { ">>\n", 3 } };
  VAL("writev", writev(fd, w, 3));
  VAL("pwritev", pwritev(fd, w, 3, 1));
  memset(a, 0, 3); memset(b, 0, 4);
  struct iovec r2[2] = { { a, 3 }, { b, 4 } };
  VAL("preadv", preadv(fd, r2, 2, 0));
  printf("preadv: %.3s|%.4s\n", a, b);
  VAL("tell after p*v", lseek(fd, 0, SEEK_CUR));
  close(fd);
  show_file("rw", "work/rw.txt");
  fd = open("work/bin.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
  unsigned char bytes[256];
  for (int i = 0; i < 256; i++) bytes[i] = (unsigned char)i;
  VAL("write binary", write(fd, bytes, 256));
  lseek(fd, 0, SEEK_SET);
  unsigned char back[256];
  VAL("read binary", read(fd, back, 256));
  printf("binary equal: %s\n", memcmp(bytes, back, 256) == 0 ? "yes" : "no");
  close(fd);
  VAL("read bad fd", read(12345, buf, 1));
  VAL("write bad fd", write(12345, buf, 1));
  return 0;
}
