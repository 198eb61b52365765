// Discovers services over gate.io and exercises catalog, identity, random and origin.
#include <stdio.h>
#include <stdlib.h>
#include "gate.h"

static char buf[65536 + 8];
static char out[65536 + 8];

static void call(int16_t code, const void *content, size_t len)
{
	gate_send_all(out, gate_make_packet(out, code, GATE_PACKET_DOMAIN_CALL, content, len));
}

// Receive until a CALL reply from `code` arrives; other packets are noted on stderr.
static size_t recv_reply(int16_t code)
{
	for (;;) {
		size_t size = gate_recv_packet(buf);
		struct gate_packet *h = (struct gate_packet *) buf;
		if (h->code == code && h->domain == GATE_PACKET_DOMAIN_CALL)
			return size - sizeof(*h);
		fprintf(stderr, "other packet code=%d domain=%d size=%u\n", h->code, h->domain, h->size);
	}
}

int main(void)
{
	uint64_t flags = 99;
	gate_io(NULL, 0, NULL, NULL, 0, NULL, 0, &flags);
	fprintf(stderr, "flags1=%llu\n", (unsigned long long) flags);
	gate_io(NULL, 0, NULL, NULL, 0, NULL, 0, &flags);
	fprintf(stderr, "flags2=%llu\n", (unsigned long long) flags);

	// Discovery: origin(0) catalog(1) identity(2) random(3) nosuch(4)
	static const char names[] = "\x00\x00\x06origin\x07" "catalog\x08identity\x06random\x06nosuch";
	char req[sizeof names];
	memcpy(req, names, sizeof names);
	req[0] = 5;
	call(GATE_PACKET_CODE_SERVICES, req, sizeof names - 1);
	size_t n = recv_reply(GATE_PACKET_CODE_SERVICES);
	uint16_t count;
	memcpy(&count, buf + 8, 2);
	fprintf(stderr, "services %u:", count);
	for (int i = 0; i < count; i++)
		fprintf(stderr, " %d", buf[10 + i]);
	fprintf(stderr, " (payload %zu)\n", n);

	call(1, "json", 4);
	n = recv_reply(1);
	fprintf(stderr, "catalog=%.*s", (int) n, buf + 8);
	call(1, "xml", 3);
	fprintf(stderr, "catalog-xml=%zu\n", recv_reply(1));

	call(2, "\x00", 1);
	n = recv_reply(2);
	fprintf(stderr, "principal=%.*s\n", (int) n, buf + 8);
	call(2, "\x01", 1);
	n = recv_reply(2);
	fprintf(stderr, "instance=%.*s\n", (int) n, buf + 8);

	call(3, "\x20", 1);
	fprintf(stderr, "random=%zu\n", recv_reply(3));

	// Origin: accept, grant capacity, echo upper-cased input back until EOF.
	call(0, NULL, 0);
	n = recv_reply(0);
	int32_t id;
	memcpy(&id, buf + 8, 4);
	fprintf(stderr, "stream=%d reply=%zu\n", id, n);
	int32_t flow[2] = {id, 4096};
	gate_send_all(out, gate_make_packet(out, 0, GATE_PACKET_DOMAIN_FLOW, flow, sizeof flow));
	int32_t capacity = 0;
	long total = 0;
	for (;;) {
		size_t size = gate_recv_packet(buf);
		struct gate_packet *h = (struct gate_packet *) buf;
		if (h->code == 0 && h->domain == GATE_PACKET_DOMAIN_FLOW) {
			int32_t f[2];
			memcpy(f, buf + 8, 8);
			capacity += f[1];
			fprintf(stderr, "flow %d\n", f[1]);
			continue;
		}
		if (h->code == 0 && h->domain == GATE_PACKET_DOMAIN_DATA) {
			size_t len = size - 16;
			if (len == 0)
				break;
			total += len;
			char *d = buf + 16;
			for (size_t i = 0; i < len; i++)
				if (d[i] >= 'a' && d[i] <= 'z')
					d[i] -= 32;
			if ((int32_t) len > capacity)
				return 3;
			capacity -= len;
			int32_t hdr[2] = {id, 0};
			char payload[65536];
			memcpy(payload, hdr, 8);
			memcpy(payload + 8, d, len);
			gate_send_all(out, gate_make_packet(out, 0, GATE_PACKET_DOMAIN_DATA, payload, 8 + len));
			continue;
		}
		fprintf(stderr, "other packet code=%d domain=%d size=%u\n", h->code, h->domain, h->size);
	}
	fprintf(stderr, "eof after %ld bytes\n", total);
	return 0;
}
