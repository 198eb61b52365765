// fsops <dir> <ro-dir> <spin>: creates, modifies and deletes files under
// <dir> (spinning <spin> iterations between steps, so that suspensions fall
// between them), tries to write under <ro-dir>, prints what it saw.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long long spin_n, sink;
static void spin(void) { for (unsigned long long i = 0; i < spin_n; i++) sink = sink * 6364136223846793005ull + i; }

static char path[1024];
static const char *at(const char *dir, const char *name) { snprintf(path, sizeof path, "%s/%s", dir, name); return path; }

static int put(const char *p, const char *mode, const char *text) {
  FILE *f = fopen(p, mode);
  if (f == NULL) { printf("open %s: %s\n", p, strerror(errno)); return 1; }
  fputs(text, f);
  return fclose(f) != 0;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: fsops dir ro-dir spin\n"); return 2; }
  const char *d = argv[1], *ro = argv[2];
  spin_n = strtoull(argv[3], 0, 10);
  char buf[256] = {0};
  FILE *f = fopen(at(d, "keep.txt"), "r");
  if (f == NULL) { printf("keep.txt: %s\n", strerror(errno)); return 1; }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  printf("keep: %.*s", (int)n, buf);
  fflush(stdout);
  spin();
  if (put(at(d, "new.txt"), "w", "a new file\n")) return 1;
  spin();
  if (put(at(d, "mod.txt"), "a", "appended\n")) return 1;
  spin();
  if (unlink(at(d, "del.txt")) != 0) { printf("unlink: %s\n", strerror(errno)); return 1; }
  spin();
  if (mkdir(at(d, "newdir"), 0777) != 0) { printf("mkdir: %s\n", strerror(errno)); return 1; }
  if (put(at(d, "newdir/inner.txt"), "w", "inside\n")) return 1;
  spin();
  if (unlink(at(d, "sub/gone.txt")) != 0 || rmdir(at(d, "sub")) != 0) { printf("rm sub: %s\n", strerror(errno)); return 1; }
  spin();
  char from[1024];
  snprintf(from, sizeof from, "%s", at(d, "old-name.txt"));
  if (rename(from, at(d, "new-name.txt")) != 0) { printf("rename: %s\n", strerror(errno)); return 1; }
  if (symlink("new-name.txt", at(d, "link-to-new")) != 0) { printf("symlink: %s\n", strerror(errno)); return 1; }
  int fd = open(at(ro, "x.txt"), O_WRONLY | O_CREAT, 0666);
  printf("ro write: %s\n", fd < 0 ? "refused" : "allowed");
  f = fopen(at(ro, "r.txt"), "r");
  n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f != NULL) fclose(f);
  printf("ro read: %.*s", (int)n, buf);
  printf("done\n");
  return 7;
}
