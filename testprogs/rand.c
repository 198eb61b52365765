// rand: for each line of stdin, prints 8 random bytes in hex (getentropy).
#include <stdio.h>
#include <unistd.h>
int main(void) {
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    unsigned char b[8];
    if (getentropy(b, sizeof b) != 0) return 1;
    for (int i = 0; i < 8; i++) printf("%02x", b[i]);
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
