/* unlink: files, missing, dirs, symlinks (the link, not the target) */
#include "common.h"
int main (void) {
  CHK("unlink file", unlink("work/b.txt"));
  CHK("unlink again", unlink("work/b.txt"));
  show_stat("b gone", "work/b.txt", 0);
  CHK("unlink dir", unlink("work/emptydir"));
  CHK("unlink nonempty dir", unlink("work/sub"));
  CHK("unlink missing parent", unlink("work/nope/x"));
  CHK("unlink under file", unlink("work/a.txt/x"));
  CHK("unlink symlink", unlink("work/link_a"));
  show_stat("target kept", "work/a.txt", 1);
  CHK("unlink dir symlink", unlink("work/link_sub"));
  show_stat("dir target kept", "work/sub", 1);
  CHK("unlink dangling", unlink("work/dangling"));
  CHK("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, "work/emptydir", AT_REMOVEDIR));
  CHK("unlinkat AT_REMOVEDIR on file", unlinkat(AT_FDCWD, "work/empty", AT_REMOVEDIR));
  CHK("unlinkat file", unlinkat(AT_FDCWD, "work/empty", 0));
  CHK("remove() file", remove("work/sub/c.txt"));
  CHK("remove() dir", remove("work/sub/deeper/d.txt") == 0 ? remove("work/sub/deeper") : -1);
  CHK("remove() missing", remove("work/sub/deeper"));
  show_dir("work", "work");
  show_dir("sub", "work/sub");
  return 0;
}
