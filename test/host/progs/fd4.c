// Service discovery through gate_fd + WASI fd_write/fd_read/poll_oneoff on fd 4.
#include <stdio.h>
#include <wasi/api.h>
#include "gate.h"

static char buf[65536];

int main(void)
{
	int fd = gate_fd();
	printf("fd=%d\n", fd);

	__wasi_size_t nread = 0;
	__wasi_iovec_t riov = {(uint8_t *) buf, sizeof buf};
	printf("read-empty=%d\n", __wasi_fd_read(fd, &riov, 1, &nread));

	// Wait 1 ms for packets that never come.
	__wasi_subscription_t subs[2] = {0};
	subs[0].userdata = 1;
	subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
	subs[0].u.u.fd_read.file_descriptor = fd;
	subs[1].userdata = 2;
	subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
	subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	subs[1].u.u.clock.timeout = 1000000;
	__wasi_event_t ev[2];
	__wasi_size_t nev = 0;
	__wasi_errno_t err = __wasi_poll_oneoff(subs, ev, 2, &nev);
	printf("poll1 err=%d n=%lu userdata=%llu\n", err, nev, (unsigned long long) ev[0].userdata);

	static const char names[] = "\x03\x00\x08identity\x07" "catalog\x06origin";
	size_t len = gate_make_packet(buf, GATE_PACKET_CODE_SERVICES, GATE_PACKET_DOMAIN_CALL, names, sizeof names - 1);
	// Write in two pieces to exercise reassembly.
	__wasi_ciovec_t w[2] = {{(uint8_t *) buf, 5}, {(uint8_t *) buf + 5, len - 5}};
	__wasi_size_t nw = 0;
	err = __wasi_fd_write(fd, &w[0], 1, &nw);
	printf("write1 err=%d n=%lu\n", err, nw);
	err = __wasi_fd_write(fd, &w[1], 1, &nw);
	printf("write2 err=%d n=%lu\n", err, nw);

	err = __wasi_poll_oneoff(subs, ev, 1, &nev);
	printf("poll2 err=%d n=%lu userdata=%llu nbytes=%llu\n", err, nev, (unsigned long long) ev[0].userdata, (unsigned long long) ev[0].fd_readwrite.nbytes);

	err = __wasi_fd_read(fd, &riov, 1, &nread);
	struct gate_packet *h = (struct gate_packet *) buf;
	printf("read err=%d n=%lu size=%u code=%d domain=%d count=%u states=%d,%d,%d\n", err, nread, h->size, h->code, h->domain,
	       buf[8] | (buf[9] << 8), buf[10], buf[11], buf[12]);

	__wasi_fdstat_t st;
	(void) __wasi_fd_fdstat_get(fd, &st);
	printf("fdstat filetype=%d flags=%d\n", st.fs_filetype, st.fs_flags);
	(void) __wasi_fd_fdstat_get(1, &st);
	printf("stdout filetype=%d\n", st.fs_filetype);
	return 0;
}
