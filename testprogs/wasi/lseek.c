/* lseek: SEEK_SET/CUR/END, past end (gap reads zeros), negative -> EINVAL */
#include "common.h"
int main (void) {
  int fd = open_show("open", "work/b.txt", O_RDWR);
  VAL("end", lseek(fd, 0, SEEK_END));
  VAL("set 5", lseek(fd, 5, SEEK_SET));
  VAL("cur +3", lseek(fd, 3, SEEK_CUR));
  VAL("cur -2", lseek(fd, -2, SEEK_CUR));
  VAL("cur 0", lseek(fd, 0, SEEK_CUR));
  VAL("end -4", lseek(fd, -4, SEEK_END));
  char buf[8] = {0};
  VAL("read", read(fd, buf, 7));
  printf("tail: %s", buf);
  VAL("set -1", lseek(fd, -1, SEEK_SET));
  VAL("pos after failed seek", lseek(fd, 0, SEEK_CUR));
  VAL("cur -1000", lseek(fd, -1000, SEEK_CUR));
  VAL("end -1000", lseek(fd, -1000, SEEK_END));
  VAL("bad whence", lseek(fd, 0, 42));
  VAL("past end", lseek(fd, 100, SEEK_END));
  struct stat st; fstat(fd, &st);
  printf("size unchanged by seek: %lld\n", (long long)st.st_size);
  VAL("read past end", read(fd, buf, 4));
  VAL("write past end", write(fd, "Q", 1));
  fstat(fd, &st);
  printf("size after gap write: %lld\n", (long long)st.st_size);
  VAL("seek into gap", lseek(fd, 40, SEEK_SET));
  memset(buf, 'x', sizeof buf);
  VAL("read gap", read(fd, buf, 4));
  printf("gap bytes: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
  VAL("big offset", lseek(fd, (off_t)1 << 40, SEEK_SET));
  VAL("cur", lseek(fd, 0, SEEK_CUR));
  close(fd);
  VAL("bad fd", lseek(9999, 0, SEEK_SET));
  FILE *f = fopen("work/a.txt", "r");
  VAL("fseek end", fseek(f, 0, SEEK_END));
  VAL("ftell", ftell(f));
  VAL("fseek neg", fseek(f, -100, SEEK_SET));
  VAL("ftell after", ftell(f));
  fclose(f);
  return 0;
}
