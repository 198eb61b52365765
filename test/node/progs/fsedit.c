// fsedit <dir>: the files a test sent along with --dir are changed:
// in.txt is copied upper-cased to out.txt, a line is appended to log.txt,
// gone.txt is deleted, sub/new.txt is created; prints what it did.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[1024];
static const char *at(const char *dir, const char *name) { snprintf(path, sizeof path, "%s/%s", dir, name); return path; }

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: fsedit dir\n"); return 2; }
  const char *d = argv[1];
  char buf[4096];
  FILE *f = fopen(at(d, "in.txt"), "r");
  if (f == NULL) { perror("in.txt"); return 1; }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  for (size_t i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
  f = fopen(at(d, "out.txt"), "w");
  if (f == NULL) { perror("out.txt"); return 1; }
  fputs(buf, f);
  fclose(f);
  f = fopen(at(d, "log.txt"), "a");
  if (f == NULL) { perror("log.txt"); return 1; }
  fputs("edited remotely\n", f);
  fclose(f);
  if (unlink(at(d, "gone.txt")) != 0) { perror("gone.txt"); return 1; }
  if (mkdir(at(d, "sub"), 0777) != 0) { perror("sub"); return 1; }
  f = fopen(at(d, "sub/new.txt"), "w");
  if (f == NULL) { perror("sub/new.txt"); return 1; }
  fputs("new\n", f);
  fclose(f);
  printf("edited %zu bytes\n", n);
  return 3;
}
