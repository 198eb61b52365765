/* corpus wasi shim, force-included (-include) into every C file of the
   corpus' wasm32-wasi builds. Supplies the few POSIX names Debian's
   wasi-libc (bookworm) leaves out that the corpus programs call but do not
   need to work under WASI: users/ownership (one user, owns everything),
   advisory file locks (one process: every lock is granted), system()/popen
   (no processes: fail), tmpfile/tmpnam (fail). Each is a static inline, so nothing links unless used. */
#ifndef CORPUS_WASI_SHIM_H
#define CORPUS_WASI_SHIM_H
#ifdef __wasi__
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static inline uid_t corpus_getuid (void) { return 0; }
#define getuid corpus_getuid
#define geteuid corpus_getuid
static inline gid_t corpus_getgid (void) { return 0; }
#define getgid corpus_getgid
#define getegid corpus_getgid
static inline int corpus_fchown (int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; return 0; }
#define fchown corpus_fchown
static inline int corpus_chown (const char *p, uid_t u, gid_t g) { (void)p; (void)u; (void)g; return 0; }
#define chown corpus_chown
static inline int corpus_fchmod (int fd, mode_t m) { (void)fd; (void)m; return 0; }
#define fchmod corpus_fchmod
static inline int corpus_chmod (const char *p, mode_t m) { (void)p; (void)m; return 0; }
#define chmod corpus_chmod
static inline mode_t corpus_umask (mode_t m) { (void)m; return 022; }
#define umask corpus_umask

/* POSIX advisory locks: wasi-libc's fcntl knows only F_[GS]ETF[DL]. */
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_GETLK  /* (struct flock is declared, the commands are not) */
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
static inline int corpus_fcntl (int fd, int cmd, ...) {
  va_list ap; va_start(ap, cmd);
  if (cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW) {
    struct flock *l = va_arg(ap, struct flock *); va_end(ap);
    if (cmd == F_GETLK) l->l_type = F_UNLCK;
    return 0;
  }
  if (cmd == F_SETFD || cmd == F_SETFL) { int a = va_arg(ap, int); va_end(ap); return fcntl(fd, cmd, a); }
  va_end(ap);
  return fcntl(fd, cmd);
}
#define fcntl corpus_fcntl

static inline int corpus_system (const char *c) { (void)c; errno = ENOSYS; return c ? -1 : 0; }
#define system corpus_system
static inline FILE *corpus_popen (const char *c, const char *m) { (void)c; (void)m; errno = ENOSYS; return 0; }
#define popen corpus_popen
static inline int corpus_pclose (FILE *f) { (void)f; errno = ENOSYS; return -1; }
#define pclose corpus_pclose
/* declared deprecated ("not defined on WASI"): no temporary files. */
static inline FILE *corpus_tmpfile (void) { errno = ENOSYS; return 0; }
#define tmpfile corpus_tmpfile
static inline char *corpus_tmpnam (char *s) { (void)s; return 0; }
#define tmpnam corpus_tmpnam
#ifndef L_tmpnam
#define L_tmpnam 20
#endif
#endif
#endif
