/* mkdir/rmdir: EEXIST, ENOENT, ENOTDIR, ENOTEMPTY */
#include "common.h"
int main (void) {
  CHK("mkdir", mkdir("work/d", 0755));
  CHK("mkdir again", mkdir("work/d", 0755));
  CHK("mkdir over file", mkdir("work/a.txt", 0755));
  CHK("mkdir over symlink", mkdir("work/link_sub", 0755));
  CHK("mkdir missing parent", mkdir("work/nope/d", 0755));
  CHK("mkdir parent file", mkdir("work/a.txt/d", 0755));
  CHK("mkdir nested", mkdir("work/d/e", 0755));
  CHK("mkdir nested 2", mkdir("work/d/e/f", 0755));
  show_dir("d", "work/d");
  show_dir("d/e", "work/d/e");
  CHK("rmdir nonempty", rmdir("work/d"));
  CHK("rmdir nonempty (file)", rmdir("work/sub/deeper"));
  CHK("rmdir file", rmdir("work/a.txt"));
  CHK("rmdir missing", rmdir("work/missing"));
  CHK("rmdir symlink to dir", rmdir("work/link_sub"));
  CHK("rmdir leaf", rmdir("work/d/e/f"));
  CHK("rmdir leaf again", rmdir("work/d/e/f"));
  CHK("rmdir e", rmdir("work/d/e"));
  CHK("rmdir d", rmdir("work/d"));
  show_stat("d gone", "work/d", 1);
  CHK("mkdir after rmdir", mkdir("work/d", 0755));
  int fd = open("work/d/f", O_WRONLY | O_CREAT, 0644); close(fd);
  CHK("rmdir with file", rmdir("work/d"));
  unlink("work/d/f");
  CHK("rmdir now empty", rmdir("work/d"));
  CHK("rmdir emptydir", rmdir("work/emptydir"));
  CHK("mkdir long name", mkdir("work/a_rather_long_directory_name_with_many_characters_0123456789", 0755));
  show_dir("work", "work");
  return 0;
}
