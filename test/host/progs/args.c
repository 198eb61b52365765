#include <stdio.h>
#include <stdlib.h>
extern char **environ;
int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);
	printf("GATE_FD=%s\n", getenv("GATE_FD"));
	return 0;
}
