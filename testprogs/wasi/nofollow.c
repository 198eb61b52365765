/* O_NOFOLLOW: final symlink -> ELOOP; intermediate symlinks still followed */
#include "common.h"
int main (void) {
  int fd = open_show("nofollow file", "work/a.txt", O_RDONLY | O_NOFOLLOW);
  close(fd);
  open_show("nofollow link", "work/link_a", O_RDONLY | O_NOFOLLOW);
  open_show("nofollow dangling", "work/dangling", O_RDONLY | O_NOFOLLOW);
  open_show("nofollow creat dangling", "work/dangling", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644);
  open_show("nofollow link dir", "work/link_sub", O_RDONLY | O_NOFOLLOW);
  open_show("nofollow link dir O_DIRECTORY", "work/link_sub", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  fd = open_show("nofollow via dir link", "work/link_sub/c.txt", O_RDONLY | O_NOFOLLOW);
  char b[16] = {0};
  if (fd >= 0) { read(fd, b, 15); printf("content: %s", b); close(fd); }
  fd = open_show("nofollow creat new", "work/nf.txt", O_WRONLY | O_CREAT | O_NOFOLLOW, 0644);
  close(fd);
  show_stat("dangling still a link", "work/dangling", 0);
  show_stat("nowhere not created", "work/nowhere", 0);
  struct stat st;
  VAL("fstatat nofollow", fstatat(AT_FDCWD, "work/link_sub", &st, AT_SYMLINK_NOFOLLOW));
  printf("type: %s\n", ftype(st.st_mode));
  VAL("fstatat follow", fstatat(AT_FDCWD, "work/link_sub", &st, 0));
  printf("type: %s\n", ftype(st.st_mode));
  return 0;
}
