/* a 1.3 MiB file written in 4 KiB pieces, read back in odd pieces, checksummed */
#include "common.h"
static unsigned char byte_at (long i) { return (unsigned char)((i * 2654435761u) >> 13); }
int main (void) {
  const long SIZE = 1300 * 1024 + 77;
  int fd = open_show("create", "work/big.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  unsigned char buf[4096];
  unsigned long long wsum = 0;
  long off = 0;
  int bad = 0;
  while (off < SIZE) {
    long n = SIZE - off < 4096 ? SIZE - off : 4096;
    for (long i = 0; i < n; i++) { buf[i] = byte_at(off + i); wsum = wsum * 131 + buf[i]; }
    if (write(fd, buf, (size_t)n) != n) bad++;
    off += n;
  }
  printf("short writes: %d\n", bad);
  struct stat st; fstat(fd, &st);
  printf("size: %lld\n", (long long)st.st_size);
  CHK("fsync", fsync(fd));
  close(fd);
  fd = open("work/big.bin", O_RDONLY);
  unsigned long long rsum = 0; long total = 0; ssize_t n;
  while ((n = read(fd, buf, 3001)) > 0) { for (ssize_t i = 0; i < n; i++) rsum = rsum * 131 + buf[i]; total += n; }
  printf("read total: %ld checksum equal: %s\n", total, rsum == wsum ? "yes" : "no");
  printf("checksum: %llu\n", wsum);
  long offs[] = { 0, 4095, 262143, 262144 - 100, 524288 - 1, 1048576 - 2000, SIZE - 10 };
  int mism = 0;
  for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
    ssize_t r = pread(fd, buf, 4096, offs[k]);
    long want = SIZE - offs[k] < 4096 ? SIZE - offs[k] : 4096;
    if (r != want) { printf("pread at %ld: %lld\n", offs[k], (long long)r); mism++; continue; }
    for (ssize_t i = 0; i < r; i++) if (buf[i] != byte_at(offs[k] + i)) { mism++; break; }
  }
  printf("pread mismatches: %d\n", mism);
  close(fd);
  fd = open("work/big.bin", O_RDWR);
  memset(buf, 0xEE, sizeof buf);
  VAL("pwrite across 256K boundary", pwrite(fd, buf, 4096, 262144 - 2048));
  VAL("truncate to 700000", ftruncate(fd, 700000));
  VAL("grow to 1100000", ftruncate(fd, 1100000));
  unsigned long long h = 0; total = 0;
  lseek(fd, 0, SEEK_SET);
  while ((n = read(fd, buf, 4096)) > 0) { for (ssize_t i = 0; i < n; i++) h = h * 131 + buf[i]; total += n; }
  printf("after edits: %ld bytes, hash %llu\n", total, h);
  close(fd);
  return 0;
}
