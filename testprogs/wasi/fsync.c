/* fsync/fdatasync/posix_fadvise succeed on files (and fsync on a directory) */
#include "common.h"
int main (void) {
  int fd = open("work/s.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(fd, "synced\n", 7);
  CHK("fsync", fsync(fd));
  CHK("fdatasync", fdatasync(fd));
  printf("posix_fadvise: %s\n", ename(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)));
  printf("posix_fadvise dontneed: %s\n", ename(posix_fadvise(fd, 0, 7, POSIX_FADV_DONTNEED)));
  printf("posix_fadvise bad advice: %s\n", ename(posix_fadvise(fd, 0, 0, 999)));
  close(fd);
  fd = open("work/a.txt", O_RDONLY);
  CHK("fsync rdonly", fsync(fd));
  CHK("fdatasync rdonly", fdatasync(fd));
  close(fd);
  fd = open("work", O_RDONLY | O_DIRECTORY);
  CHK("fsync dir", fsync(fd));
  close(fd);
  CHK("fsync bad fd", fsync(4444));
  fd = open("work/o_sync.dat", O_WRONLY | O_CREAT | O_SYNC, 0644);
  printf("open O_SYNC: %s\n", fd >= 0 ? "ok" : ename(errno));
  if (fd >= 0) { VAL("write O_SYNC", write(fd, "s\n", 2)); close(fd); }
  fd = open("work/o_dsync.dat", O_WRONLY | O_CREAT | O_DSYNC, 0644);
  printf("open O_DSYNC: %s\n", fd >= 0 ? "ok" : ename(errno));
  if (fd >= 0) { VAL("write O_DSYNC", write(fd, "d\n", 2)); close(fd); }
  show_file("s", "work/s.dat");
  return 0;
}
