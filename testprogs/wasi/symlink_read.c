/* symlink/readlink/lstat: creation, size, truncation, EINVAL, EEXIST */
#include "common.h"
static void rl (const char *label, const char *p, size_t sz) {
  char buf[256];
  memset(buf, '#', sizeof buf);
  errno = 0;
  ssize_t n = readlink(p, buf, sz);
  if (n < 0) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  printf("%s: %lld \"%.*s\" next=%c\n", label, (long long)n, (int)n, buf, n < (ssize_t)sizeof buf ? buf[n] : '-');
}
int main (void) {
  rl("link_a", "work/link_a", 256);
  rl("link_sub", "work/link_sub", 256);
  rl("dangling", "work/dangling", 256);
  rl("truncated 3", "work/link_a", 3);
  rl("not a link", "work/a.txt", 256);
  rl("dir not a link", "work/sub", 256);
  rl("missing", "work/nolink", 256);
  CHK("symlink new", symlink("b.txt", "work/lb"));
  rl("lb", "work/lb", 256);
  show_stat("lb lstat", "work/lb", 0);
  show_stat("lb stat", "work/lb", 1);
  show_file("lb content", "work/lb");
  CHK("symlink existing name", symlink("x", "work/a.txt"));
  CHK("symlink existing link", symlink("x", "work/lb"));
  CHK("symlink long target", symlink("sub/deeper/../../sub/deeper/d.txt", "work/ld"));
  show_file("ld content", "work/ld");
  CHK("symlink into sub", symlink("../a.txt", "work/sub/up"));
  show_file("sub/up content", "work/sub/up");
  CHK("symlink to dir", symlink("sub/deeper", "work/ldir"));
  show_dir("ldir listing", "work/ldir");
  show_file("through ldir", "work/ldir/d.txt");
  CHK("symlink missing parent", symlink("a", "work/nodir/l"));
  CHK("symlink empty target", symlink("", "work/lempty"));
  CHK("chain 1", symlink("link_a", "work/chain1"));
  CHK("chain 2", symlink("chain1", "work/chain2"));
  show_file("chain2", "work/chain2");
  rl("chain2", "work/chain2", 256);
  int fd = open("work/chain2", O_WRONLY | O_APPEND);
  write(fd, "via chain\n", 10);
  close(fd);
  show_file("a after write via chain", "work/a.txt");
  show_stat("lstat link size", "work/ld", 0);
  char buf[8];
  VAL("readlinkat", readlinkat(AT_FDCWD, "work/link_a", buf, sizeof buf));
  show_dir("work", "work");
  return 0;
}
