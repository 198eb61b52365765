/* O_DIRECTORY: on a file ENOTDIR, on dirs and links to dirs ok; opendir on a file */
#include "common.h"
int main (void) {
  int fd = open_show("O_DIRECTORY dir", "work/sub", O_RDONLY | O_DIRECTORY); close(fd);
  open_show("O_DIRECTORY file", "work/a.txt", O_RDONLY | O_DIRECTORY);
  fd = open_show("O_DIRECTORY link to dir", "work/link_sub", O_RDONLY | O_DIRECTORY); close(fd);
  open_show("O_DIRECTORY link to file", "work/link_a", O_RDONLY | O_DIRECTORY);
  open_show("O_DIRECTORY missing", "work/nodir", O_RDONLY | O_DIRECTORY);
  open_show("O_DIRECTORY dangling", "work/dangling", O_RDONLY | O_DIRECTORY);
  fd = open_show("O_DIRECTORY dot", ".", O_RDONLY | O_DIRECTORY); close(fd);
  fd = open_show("plain open of dir", "work/sub", O_RDONLY); close(fd);
  open_show("dir O_WRONLY", "work/sub", O_WRONLY);
  open_show("dir O_RDWR", "work/sub", O_RDWR);
  open_show("dir O_CREAT", "work/sub", O_RDONLY | O_CREAT, 0644);
  open_show("dir O_CREAT|O_EXCL", "work/sub", O_RDONLY | O_CREAT | O_EXCL, 0644);
  errno = 0;
  DIR *d = opendir("work/a.txt");
  printf("opendir file: %s\n", d ? "ok" : ename(errno));
  d = opendir("work/missing");
  printf("opendir missing: %s\n", d ? "ok" : ename(errno));
  d = opendir("work/link_sub");
  printf("opendir link: %s\n", d ? "ok" : ename(errno));
  if (d) closedir(d);
  fd = open("work/sub", O_RDONLY | O_DIRECTORY);
  d = fdopendir(fd);
  printf("fdopendir: %s\n", d ? "ok" : ename(errno));
  int n = 0;
  while (d && readdir(d)) n++;
  printf("entries via fdopendir: %d\n", n);
  if (d) closedir(d);
  fd = open("work/a.txt", O_RDONLY);
  errno = 0;
  d = fdopendir(fd);
  printf("fdopendir on file: %s\n", d ? "ok" : ename(errno));
  return 0;
}
