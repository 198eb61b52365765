#include <stdio.h>
#include <time.h>
#include <wasi/api.h>
int main(void)
{
	struct timespec a, b, r;
	clock_gettime(CLOCK_MONOTONIC, &a);
	struct timespec d = {0, 5000000};
	nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	clock_gettime(CLOCK_REALTIME, &r);
	long long ea = (long long) a.tv_sec * 1000000000LL + a.tv_nsec;
	long long eb = (long long) b.tv_sec * 1000000000LL + b.tv_nsec;
	printf("elapsed %lld\n", eb - ea);
	printf("realtime %lld\n", (long long) r.tv_sec);
	__wasi_timestamp_t cpu = 0, thr = 0;
	int e1 = __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu);
	int e2 = __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &thr);
	printf("cputime %d %d %s\n", e1, e2, cpu >= (__wasi_timestamp_t) eb && thr >= cpu ? "ok" : "fail");
	return 0;
}
