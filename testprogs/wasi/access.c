/* access/faccessat existence checks (permission bits are not compared) */
#include "common.h"
int main (void) {
  CHK("F_OK file", access("work/a.txt", F_OK));
  CHK("R_OK file", access("work/a.txt", R_OK));
  CHK("W_OK file", access("work/a.txt", W_OK));
  CHK("R_OK|W_OK file", access("work/a.txt", R_OK | W_OK));
  CHK("F_OK dir", access("work/sub", F_OK));
  CHK("R_OK dir", access("work/sub", R_OK));
  CHK("F_OK missing", access("work/missing", F_OK));
  CHK("F_OK missing parent", access("work/nodir/x", F_OK));
  CHK("F_OK under file", access("work/a.txt/x", F_OK));
  CHK("F_OK link", access("work/link_a", F_OK));
  CHK("F_OK dangling", access("work/dangling", F_OK));
  CHK("bad mode", access("work/a.txt", 0x100));
  CHK("faccessat", faccessat(AT_FDCWD, "work/sub/c.txt", R_OK, 0));
  CHK("F_OK dot", access(".", F_OK));
  /* "" is not compared: wasi-libc resolves it to the cwd (make_absolute), Linux gives ENOENT */
  return 0;
}
