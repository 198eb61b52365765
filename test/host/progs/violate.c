// Breaks the packet protocol in the way argv[1] names.
#include <string.h>
#include <wasi/api.h>
#include "gate.h"

static char buf[256];

static void put(size_t len)
{
	__wasi_ciovec_t iov = {(uint8_t *) buf, len};
	__wasi_size_t n;
	(void) __wasi_fd_write(gate_fd(), &iov, 1, &n);
}

static void discover_origin(void)
{
	put(gate_make_packet(buf, GATE_PACKET_CODE_SERVICES, GATE_PACKET_DOMAIN_CALL, "\x01\x00\x06origin", 9));
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "size")) {
		struct gate_packet *h = (struct gate_packet *) buf;
		memset(buf, 0, 8);
		h->size = 4;
		put(8);
	} else if (!strcmp(what, "huge")) {
		struct gate_packet *h = (struct gate_packet *) buf;
		memset(buf, 0, 8);
		h->size = 65537;
		put(8);
	} else if (!strcmp(what, "code")) {
		put(gate_make_packet(buf, 5, GATE_PACKET_DOMAIN_CALL, "", 0));
	} else if (!strcmp(what, "negative")) {
		put(gate_make_packet(buf, -2, GATE_PACKET_DOMAIN_CALL, "", 0));
	} else if (!strcmp(what, "domain")) {
		discover_origin();
		put(gate_make_packet(buf, 0, 9, "", 0));
	} else if (!strcmp(what, "dup")) {
		put(gate_make_packet(buf, GATE_PACKET_CODE_SERVICES, GATE_PACKET_DOMAIN_CALL, "\x02\x00\x06origin\x06origin", 16));
	} else if (!strcmp(what, "shortdata")) {
		discover_origin();
		put(gate_make_packet(buf, 0, GATE_PACKET_DOMAIN_DATA, "\0\0\0\0", 4));
	} else if (!strcmp(what, "discovery-info")) {
		put(gate_make_packet(buf, GATE_PACKET_CODE_SERVICES, GATE_PACKET_DOMAIN_INFO, "\x01\x00\x06origin", 9));
	} else if (!strcmp(what, "flow-nostreams")) {
		put(gate_make_packet(buf, GATE_PACKET_CODE_SERVICES, GATE_PACKET_DOMAIN_CALL, "\x01\x00\x07" "catalog", 10));
		put(gate_make_packet(buf, 0, GATE_PACKET_DOMAIN_FLOW, "\0\0\0\0\1\0\0\0", 8));
	} else if (!strcmp(what, "close")) {
		(void) __wasi_fd_close(gate_fd());
	} else {
		return 1;
	}
	return 0;
}
