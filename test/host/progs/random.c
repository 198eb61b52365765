#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>
int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t) atoi(argv[1]) : 16;
	uint8_t *buf = calloc(n, 1);
	if (__wasi_random_get(buf, n) != 0)
		return 2;
	for (size_t i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}
