// Prints isatty(0..2), sleeps (the host may be migrated), prints them again.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	printf("%d %d %d\n", isatty(0), isatty(1), isatty(2));
	fflush(stdout);
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
	printf("%d %d %d\n", isatty(0), isatty(1), isatty(2));
	return 0;
}
