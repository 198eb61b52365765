// Closes and renumbers the standard fds as argv[1] says, reporting on stderr.
//   close:    fclose(stdin), write, fclose(stdout), sleep (the host may be
//             migrated), then writes/reads/fdstat on the closed fds must be EBADF.
//   renumber: fd_renumber 2->1, 1->2 (onto a closed fd), 2->0, 0->5.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static int fails = 0;

static void expect(const char *what, int got, int want)
{
	if (got != want) {
		fprintf(stderr, "FAIL %s: got %d want %d\n", what, got, want);
		fails++;
	}
}

static void nap(void)
{
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
}

static int write_errno(int fd, const char *s)
{
	errno = 0;
	ssize_t n = write(fd, s, strlen(s));
	return n < 0 ? errno : 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	__wasi_fdstat_t st;
	char c;
	if (!strcmp(what, "close")) {
		expect("fclose(stdin)", fclose(stdin), 0);
		printf("written before close\n");
		expect("fclose(stdout)", fclose(stdout), 0);
		nap();
		expect("write(1)", write_errno(1, "lost\n"), EBADF);
		errno = 0;
		expect("read(0)", (int) read(0, &c, 1), -1);
		expect("read(0) errno", errno, EBADF);
		expect("fdstat(0)", __wasi_fd_fdstat_get(0, &st), __WASI_ERRNO_BADF);
		expect("fdstat(1)", __wasi_fd_fdstat_get(1, &st), __WASI_ERRNO_BADF);
		expect("fdstat(2)", __wasi_fd_fdstat_get(2, &st), __WASI_ERRNO_SUCCESS);
		expect("close(1) again", __wasi_fd_close(1), __WASI_ERRNO_BADF);
		expect("isatty(1)", isatty(1), 0);
		fprintf(stderr, "close ok\n");
	} else if (!strcmp(what, "renumber")) {
		expect("renumber 2->1", __wasi_fd_renumber(2, 1), 0);
		expect("write(1) to stderr", write_errno(1, "fd1 is stderr\n"), 0);
		expect("write(2)", write_errno(2, "lost\n"), EBADF);
		nap();
		expect("renumber 1->2 (closed)", __wasi_fd_renumber(1, 2), 0);
		expect("write(1) closed", write_errno(1, "lost\n"), EBADF);
		expect("write(2)", write_errno(2, "fd2 is stderr again\n"), 0);
		expect("renumber 1->2 (from closed)", __wasi_fd_renumber(1, 2), __WASI_ERRNO_BADF);
		expect("close(0)", __wasi_fd_close(0), 0);
		expect("renumber 2->0", __wasi_fd_renumber(2, 0), 0);
		expect("write(0) to stderr", write_errno(0, "fd0 is stderr\n"), 0);
		expect("renumber 0->5", __wasi_fd_renumber(0, 5), __WASI_ERRNO_BADF);
		expect("renumber 0->0", __wasi_fd_renumber(0, 0), 0);
		expect("renumber 4->4", __wasi_fd_renumber(4, 4), 0);
		if (fails == 0)
			write(0, "renumber ok\n", 12);
	} else {
		return 2;
	}
	return fails ? 1 : 0;
}
