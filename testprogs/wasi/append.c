/* O_APPEND: every write goes to the end, whatever the offset */
#include "common.h"
int main (void) {
  int fd = open_show("open append", "work/a.txt", O_WRONLY | O_APPEND);
  VAL("tell at open", lseek(fd, 0, SEEK_CUR));
  VAL("write 1", write(fd, "one\n", 4));
  VAL("tell after write", lseek(fd, 0, SEEK_CUR));
  VAL("seek 0", lseek(fd, 0, SEEK_SET));
  VAL("write 2", write(fd, "two\n", 4));
  VAL("tell after write 2", lseek(fd, 0, SEEK_CUR));
  close(fd);
  show_file("a", "work/a.txt");
  fd = open_show("open append rdwr", "work/b.txt", O_RDWR | O_APPEND);
  char buf[9] = {0};
  VAL("read at start", read(fd, buf, 8));
  printf("read: %s\n", buf);
  VAL("write", write(fd, "APP\n", 4));
  VAL("tell", lseek(fd, 0, SEEK_CUR));
  VAL("seek 5", lseek(fd, 5, SEEK_SET));
  memset(buf, 0, sizeof buf);
  VAL("read at 5", read(fd, buf, 3));
  printf("read: %s\n", buf);
  close(fd);
  show_file("b", "work/b.txt");
  fd = open_show("append creat", "work/log.txt", O_WRONLY | O_APPEND | O_CREAT, 0644);
  for (int i = 0; i < 5; i++) { char l[16]; int n = sprintf(l, "line %d\n", i); write(fd, l, (size_t)n); }
  close(fd);
  fd = open_show("append again", "work/log.txt", O_WRONLY | O_APPEND);
  VAL("write more", write(fd, "more\n", 5));
  close(fd);
  show_file("log", "work/log.txt");
  int f1 = open("work/two.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
  int f2 = open("work/two.txt", O_WRONLY | O_APPEND);
  write(f1, "A1\n", 3); write(f2, "B1\n", 3); write(f1, "A2\n", 3); write(f2, "B2\n", 3);
  close(f1); close(f2);
  show_file("two appenders", "work/two.txt");
  fd = open("work/trunc_app.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
  write(fd, "0123456789", 10);
  VAL("ftruncate 4", ftruncate(fd, 4));
  VAL("write after ftruncate", write(fd, "X", 1));
  VAL("tell", lseek(fd, 0, SEEK_CUR));
  close(fd);
  show_file("trunc_app", "work/trunc_app.txt");
  return 0;
}
