/* open: O_CREAT, O_EXCL, O_TRUNC, creat(), access modes, missing paths */
#include "common.h"
int main (void) {
  int fd = open_show("creat new", "work/new.txt", O_WRONLY | O_CREAT, 0644);
  VAL("write new", write(fd, "abc", 3));
  CHK("close", close(fd));
  show_file("new content", "work/new.txt");
  open_show("excl existing", "work/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  fd = open_show("excl fresh", "work/new2.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  close(fd);
  show_stat("fresh stat", "work/new2.txt", 1);
  fd = open_show("creat existing no trunc", "work/a.txt", O_WRONLY | O_CREAT, 0644);
  VAL("overwrite 2", write(fd, "HE", 2));
  close(fd);
  show_file("a after overwrite", "work/a.txt");
  fd = open_show("trunc", "work/b.txt", O_RDWR | O_TRUNC);
  struct stat st; fstat(fd, &st);
  printf("size after trunc: %lld\n", (long long)st.st_size);
  char buf[16];
  VAL("read truncated", read(fd, buf, sizeof buf));
  close(fd);
  fd = creat("work/creat.txt", 0644);
  printf("creat(): %s\n", fd >= 0 ? "ok" : ename(errno));
  VAL("write creat", write(fd, "xyz\n", 4));
  VAL("read on creat fd", read(fd, buf, 1));
  close(fd);
  fd = creat("work/creat.txt", 0644);
  close(fd);
  show_stat("creat again truncates", "work/creat.txt", 1);
  open_show("missing", "work/missing.txt", O_RDONLY);
  open_show("creat in missing dir", "work/nodir/x.txt", O_WRONLY | O_CREAT, 0644);
  open_show("creat under file", "work/a.txt/x.txt", O_WRONLY | O_CREAT, 0644);
  /* "" is not compared: wasi-libc resolves it to the cwd (make_absolute), Linux gives ENOENT */
  fd = open_show("rdonly", "work/a.txt", O_RDONLY);
  VAL("write on rdonly", write(fd, "z", 1));
  close(fd);
  fd = open_show("wronly", "work/a.txt", O_WRONLY);
  VAL("read on wronly", read(fd, buf, 1));
  close(fd);
  fd = open_show("rdwr", "work/sub/c.txt", O_RDWR);
  VAL("read rdwr", read(fd, buf, 3));
  VAL("write rdwr", write(fd, "!!", 2));
  close(fd);
  show_file("c", "work/sub/c.txt");
  VAL("read closed fd", read(fd, buf, 1));
  CHK("close twice", close(fd));
  fd = open_show("excl trunc on existing empty", "work/empty", O_RDWR | O_CREAT | O_EXCL | O_TRUNC, 0644);
  fd = open_show("create in sub", "work/sub/deeper/e.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  VAL("write e", write(fd, "eeee", 4));
  close(fd);
  show_dir("deeper", "work/sub/deeper");
  return 0;
}
