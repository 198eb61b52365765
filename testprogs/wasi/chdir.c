/* chdir then relative paths (wasi-libc emulates the cwd); getcwd is not printed */
#include "common.h"
int main (void) {
  CHK("chdir work", chdir("work"));
  show_file("a.txt", "a.txt");
  show_file("../top.txt", "../top.txt");
  CHK("chdir sub", chdir("sub"));
  show_file("c.txt", "c.txt");
  show_file("../a.txt", "../a.txt");
  int fd = open("made.txt", O_WRONLY | O_CREAT, 0644);
  write(fd, "made in sub\n", 12);
  close(fd);
  CHK("mkdir rel", mkdir("newd", 0755));
  CHK("rename rel", rename("made.txt", "newd/made.txt"));
  show_dir("newd", "newd");
  CHK("chdir ..", chdir(".."));
  show_file("sub/newd/made.txt", "sub/newd/made.txt");
  CHK("chdir file", chdir("a.txt"));
  CHK("chdir missing", chdir("missing"));
  CHK("chdir link", chdir("link_sub"));
  show_file("c via link cwd", "c.txt");
  CHK("chdir ../..", chdir("../.."));
  show_file("top", "top.txt");
  char buf[1024];
  printf("getcwd works: %s\n", getcwd(buf, sizeof buf) ? "yes" : "no");
  CHK("chdir .", chdir("."));
  show_dir("dot", ".");
  return 0;
}
