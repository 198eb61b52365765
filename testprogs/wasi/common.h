/* Shared helpers for the WASI filesystem conformance programs (testprogs/wasi).
 * Plain POSIX: the same source is built natively (gcc) and for wasm32-wasi
 * (clang); the outputs must be identical. Errors are printed as errno NAMES
 * (strerror text differs between libcs), fd numbers and times never. */
#ifndef CONFORMANCE_COMMON_H
#define CONFORMANCE_COMMON_H
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *ename (int e) {
  static char buf[32];
#define E_(x) if (e == x) return #x;
  if (e == 0) return "OK";
  E_(ENOENT) E_(EEXIST) E_(ENOTDIR) E_(EISDIR) E_(EINVAL) E_(EBADF) E_(ENOTEMPTY)
  E_(ELOOP) E_(EACCES) E_(EPERM) E_(ESPIPE) E_(ENAMETOOLONG) E_(EXDEV) E_(ENOSPC)
  E_(EFBIG) E_(EROFS) E_(EBUSY) E_(ENOTTY) E_(ENOSYS) E_(ENOTSUP) E_(EOVERFLOW)
  E_(EMLINK) E_(EMFILE) E_(ENFILE) E_(EFAULT) E_(EIO) E_(EAGAIN) E_(EINTR) E_(ENXIO)
  E_(ENODEV) E_(EDEADLK) E_(ENOLCK) E_(ETXTBSY) E_(ERANGE) E_(EDOM) E_(EPIPE) E_(ENOTSOCK)
#ifdef ENOTCAPABLE
  E_(ENOTCAPABLE)
#endif
#undef E_
  snprintf(buf, sizeof buf, "errno%d", e);
  return buf;
}

/* result of a call returning -1/errno on failure: "label: ok" or "label: ERR ENAME" */
#define CHK(label, expr) do { errno = 0; long r_ = (long)(expr); int e_ = errno; \
  if (r_ < 0) printf("%s: ERR %s\n", (label), ename(e_)); else printf("%s: ok\n", (label)); } while (0)
/* same, printing the value on success */
#define VAL(label, expr) do { errno = 0; long long r_ = (long long)(expr); int e_ = errno; \
  if (r_ < 0) printf("%s: ERR %s\n", (label), ename(e_)); else printf("%s: %lld\n", (label), r_); } while (0)

/* open, print ok/ERR (never the fd number), return the fd */
static int open_show_ (const char *label, const char *path, int flags, int mode) {
  errno = 0;
  int fd = open(path, flags, mode);
  if (fd < 0) printf("%s: ERR %s\n", label, ename(errno)); else printf("%s: ok\n", label);
  return fd;
}
#define open_show3_(l, p, f) open_show_((l), (p), (f), 0)
#define open_show4_(l, p, f, m) open_show_((l), (p), (f), (m))
#define open_pick_(_1, _2, _3, _4, NAME, ...) NAME
/* open_show(label, path, flags[, mode]) */
#define open_show(...) open_pick_(__VA_ARGS__, open_show4_, open_show3_, _unused)(__VA_ARGS__)

static const char *ftype (mode_t m) {
  if (S_ISREG(m)) return "reg";
  if (S_ISDIR(m)) return "dir";
  if (S_ISLNK(m)) return "lnk";
  if (S_ISCHR(m)) return "chr";
  if (S_ISBLK(m)) return "blk";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "sock";
  return "?";
}

/* stat/lstat a path and print type and size (size of directories is fs-specific: not printed) */
static void show_stat (const char *label, const char *path, int follow) {
  struct stat st;
  errno = 0;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  if (S_ISDIR(st.st_mode)) printf("%s: dir\n", label);
  else printf("%s: %s size=%lld nlink=%lld\n", label, ftype(st.st_mode), (long long)st.st_size, (long long)st.st_nlink);
}

/* whole file content as a C string (malloc'd), or NULL with errno */
static char *slurp (const char *path, long *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  size_t cap = 256, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (n + 1 >= cap) { cap *= 2; b = realloc(b, cap); }
    ssize_t r = read(fd, b + n, cap - n - 1);
    if (r < 0) { int e = errno; free(b); close(fd); errno = e; return NULL; }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  b[n] = 0;
  if (len) *len = (long)n;
  return b;
}

/* print a file's content (escaped) */
static void show_file (const char *label, const char *path) {
  long n = 0;
  errno = 0;
  char *b = slurp(path, &n);
  if (b == NULL) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  printf("%s: %ld \"", label, n);
  for (long i = 0; i < n; i++) {
    unsigned char c = (unsigned char)b[i];
    if (c == '\n') printf("\\n"); else if (c == '\\' || c == '"') printf("\\%c", c);
    else if (c < 32 || c > 126) printf("\\x%02x", c); else putchar(c);
  }
  printf("\"\n");
  free(b);
}

static int cmpstr (const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* list a directory (names sorted, with d_type), "." and ".." included */
static void show_dir (const char *label, const char *path) {
  errno = 0;
  DIR *d = opendir(path);
  if (d == NULL) { printf("%s: ERR %s\n", label, ename(errno)); return; }
  char *names[4096]; int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 4096) {
    const char *t = e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : e->d_type == DT_REG ? "" : e->d_type == DT_UNKNOWN ? "?" : "*";
    char *s = malloc(strlen(e->d_name) + 2);
    sprintf(s, "%s%s", e->d_name, t);
    names[n++] = s;
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmpstr);
  printf("%s:", label);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

/* write a whole string to a new file */
static int put (const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, s, strlen(s));
  close(fd);
  return n == (ssize_t)strlen(s) ? 0 : -1;
}

#endif
