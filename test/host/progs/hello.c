#include <stdio.h>
int main(void)
{
	printf("hello, world\n");
	fprintf(stderr, "to stderr %d\n", 42);
	return 7;
}
