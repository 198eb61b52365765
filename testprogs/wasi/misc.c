/* The preview1 calls that are not about files, as POSIX programs see them:
   clock_getres (clock_res_get), sched_yield, and the socket calls on a file
   (recv/send/shutdown/accept: ENOTSOCK, as Linux gives for a non-socket fd). */
#include "common.h"
#include <sched.h>
#include <sys/socket.h>
int main (void) {
  struct timespec r;
  CHK("clock_getres monotonic", clock_getres(CLOCK_MONOTONIC, &r));
  printf("resolution positive, at most 1 ms: %s\n", (r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000) ? "ok" : "no");
  CHK("clock_getres realtime", clock_getres(CLOCK_REALTIME, &r));
  CHK("sched_yield", sched_yield());
  int fd = open("work/a.txt", O_RDWR);
  char buf[8];
  CHK("recv on a file", recv(fd, buf, sizeof buf, 0));
  CHK("send on a file", send(fd, "x", 1, 0));
  CHK("shutdown on a file", shutdown(fd, SHUT_RDWR));
  CHK("accept on a file", accept(fd, NULL, NULL));
  close(fd);
  CHK("recv on a closed fd", recv(fd, buf, sizeof buf, 0));
  return 0;
}
