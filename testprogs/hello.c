// hello [exit-code] [words...]: prints a greeting, its arguments and $GREETING.
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  printf("hello, world\n");
  for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  const char *g = getenv("GREETING");
  if (g) printf("greeting: %s\n", g);
  int code = 0;
  if (argc > 1) { char *end; long v = strtol(argv[1], &end, 10); if (*end == 0) code = (int)v; }
  return code;
}
