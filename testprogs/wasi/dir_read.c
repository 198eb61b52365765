/* read()/write() on a directory fd */
#include "common.h"
int main (void) {
  int fd = open_show("open dir", "work/sub", O_RDONLY | O_DIRECTORY);
  char b[64];
  VAL("read dir", read(fd, b, sizeof b));
  VAL("write dir", write(fd, "x", 1));
  VAL("ftruncate dir", ftruncate(fd, 0));
  CHK("close dir", close(fd));
  fd = open_show("open dir plain", "work", O_RDONLY);
  VAL("read dir plain", read(fd, b, sizeof b));
  VAL("read dir 0", read(fd, b, 0));
  close(fd);
  FILE *f = fopen("work/sub", "r");
  printf("fopen dir r: %s\n", f ? "ok" : ename(errno));
  if (f) {
    errno = 0;
    size_t n = fread(b, 1, sizeof b, f);
    printf("fread dir: %zu err=%d %s\n", n, ferror(f), ename(errno));
    fclose(f);
  }
  f = fopen("work/sub", "w");
  printf("fopen dir w: %s\n", f ? "ok" : ename(errno));
  return 0;
}
