#include <ctype.h>
#include <stdio.h>
int main(void)
{
	int c, n = 0;
	while ((c = getchar()) != EOF) {
		putchar(toupper(c));
		n++;
	}
	printf("\n%d bytes\n", n);
	return 0;
}
