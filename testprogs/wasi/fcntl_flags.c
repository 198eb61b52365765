/* fcntl F_GETFL access mode and status flags; F_SETFL toggling O_APPEND/O_NONBLOCK */
#include "common.h"
static void fl (const char *label, int fd) {
  int f = fcntl(fd, F_GETFL);
  if (f < 0) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  int acc = f & O_ACCMODE;
  printf("%s: %s%s%s\n", label, acc == O_RDONLY ? "rdonly" : acc == O_WRONLY ? "wronly" : acc == O_RDWR ? "rdwr" : "?",
         f & O_APPEND ? " append" : "", f & O_NONBLOCK ? " nonblock" : "");
}
int main (void) {
  int r = open("work/a.txt", O_RDONLY), w = open("work/a.txt", O_WRONLY), rw = open("work/a.txt", O_RDWR);
  int a = open("work/a.txt", O_WRONLY | O_APPEND), d = open("work/sub", O_RDONLY | O_DIRECTORY);
  fl("rdonly", r); fl("wronly", w); fl("rdwr", rw); fl("append", a); fl("dir", d);
  CHK("setfl append", fcntl(rw, F_SETFL, O_APPEND)); fl("rdwr+append", rw);
  CHK("setfl nonblock", fcntl(rw, F_SETFL, O_NONBLOCK)); fl("rdwr nonblock", rw);
  CHK("setfl 0", fcntl(rw, F_SETFL, 0)); fl("rdwr cleared", rw);
  CHK("getfl bad fd", fcntl(555, F_GETFL));
  int fd = fcntl(r, F_GETFD);
  printf("F_GETFD ok: %s\n", fd >= 0 ? "yes" : ename(errno));
  close(r); close(w); close(rw); close(a); close(d);
  return 0;
}
