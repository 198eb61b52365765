/* SQLite unix-dotfile locking and a journal-style update sequence */
#include "common.h"
int main (void) {
  CHK("lock", mkdir("work/db.lock", 0777));
  CHK("lock again (busy)", mkdir("work/db.lock", 0777));
  CHK("relock touch", utimes("work/db.lock", NULL));
  show_stat("lock is dir", "work/db.lock", 0);
  CHK("unlock", rmdir("work/db.lock"));
  CHK("unlock again", rmdir("work/db.lock"));
  CHK("lock after unlock", mkdir("work/db.lock", 0777));
  int db = open("work/db", O_RDWR | O_CREAT, 0644);
  char page[1024];
  for (int p = 0; p < 4; p++) { memset(page, 'A' + p, sizeof page); pwrite(db, page, sizeof page, p * 1024); }
  CHK("fsync db", fsync(db));
  CHK("journal exists?", access("work/db-journal", F_OK));
  int j = open("work/db-journal", O_RDWR | O_CREAT | O_EXCL, 0644);
  printf("journal open: %s\n", j >= 0 ? "ok" : ename(errno));
  pread(db, page, 1024, 1024);
  VAL("journal write", pwrite(j, page, 1024, 0));
  CHK("fsync journal", fsync(j));
  memset(page, 'z', sizeof page);
  VAL("db update", pwrite(db, page, 1024, 1024));
  CHK("db truncate", ftruncate(db, 3 * 1024));
  CHK("fdatasync db", fdatasync(db));
  close(j);
  CHK("journal delete", unlink("work/db-journal"));
  struct stat st; fstat(db, &st);
  printf("db size: %lld\n", (long long)st.st_size);
  unsigned long long h = 0;
  for (int p = 0; p < 3; p++) { pread(db, page, 1024, p * 1024); for (int i = 0; i < 1024; i++) h = h * 31 + (unsigned char)page[i]; }
  printf("db hash: %llu\n", h);
  close(db);
  CHK("unlock", rmdir("work/db.lock"));
  show_dir("work", "work");
  return 0;
}
