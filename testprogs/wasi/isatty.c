/* isatty(0/1/2) with stdin </dev/null and stdout/stderr pipes: all 0 */
#include "common.h"
int main (void) {
  for (int fd = 0; fd < 3; fd++) {
    errno = 0;
    int r = isatty(fd);
    printf("isatty(%d) = %d%s%s\n", fd, r, r ? "" : " errno=", r ? "" : ename(errno));
  }
  int fd = open("work/a.txt", O_RDONLY);
  errno = 0;
  int r = isatty(fd);
  printf("isatty(file) = %d errno=%s\n", r, ename(errno));
  close(fd);
  fd = open("work/sub", O_RDONLY | O_DIRECTORY);
  errno = 0;
  r = isatty(fd);
  printf("isatty(dir) = %d errno=%s\n", r, ename(errno));
  close(fd);
  errno = 0;
  r = isatty(777);
  printf("isatty(bad) = %d errno=%s\n", r, ename(errno));
  return 0;
}
