/* closing fds 0 and 1, then writing: stdout EBADF, stderr still works; results go to a file */
#include "common.h"
int main (void) {
  printf("before close\n");
  fflush(stdout);
  char log[512]; int n = 0;
  errno = 0; int r0 = close(0);
  n += sprintf(log + n, "close(0): %d %s\n", r0, ename(r0 ? errno : 0));
  errno = 0; int r1 = close(1);
  n += sprintf(log + n, "close(1): %d %s\n", r1, ename(r1 ? errno : 0));
  errno = 0; ssize_t w = write(1, "x\n", 2);
  n += sprintf(log + n, "write(1): %lld %s\n", (long long)w, ename(w < 0 ? errno : 0));
  char c; errno = 0; ssize_t rd = read(0, &c, 1);
  n += sprintf(log + n, "read(0): %lld %s\n", (long long)rd, ename(rd < 0 ? errno : 0));
  errno = 0; ssize_t w2 = write(2, "stderr still works\n", 19);
  n += sprintf(log + n, "write(2): %lld\n", (long long)w2);
  errno = 0; int r1b = close(1);
  n += sprintf(log + n, "close(1) again: %d %s\n", r1b, ename(r1b ? errno : 0));
  printf("lost\n");
  errno = 0; int fl = fflush(stdout);
  n += sprintf(log + n, "fflush(stdout) after close: %d %s\n", fl, fl ? ename(errno) : "OK");
  int fd = open("work/close_std.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  n += sprintf(log + n, "open after close: %s\n", fd >= 0 ? "ok" : ename(errno));
  if (fd >= 0) { write(fd, log, (size_t)n); close(fd); }
  fprintf(stderr, "%s", log);
  return 0;
}
