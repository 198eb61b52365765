// Minimal Gate packet ABI declarations for the host tests (gate-reference §1.2, §1.5, §1.12).
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct gate_packet {
	uint32_t size;
	int16_t code;
	uint8_t domain;
	uint8_t index;
} __attribute__((packed));

struct gate_iovec {
	void *iov_base;
	size_t iov_len;
};

#define GATE_PACKET_CODE_SERVICES (-1)
#define GATE_PACKET_DOMAIN_CALL 0
#define GATE_PACKET_DOMAIN_INFO 1
#define GATE_PACKET_DOMAIN_FLOW 2
#define GATE_PACKET_DOMAIN_DATA 3
#define GATE_ALIGN_PACKET(n) (((n) + 7) & ~(size_t)7)

__attribute__((import_module("gate"), import_name("io_65536")))
void gate_io(const struct gate_iovec *recv, int recvlen, size_t *nreceived,
             const struct gate_iovec *send, int sendlen, size_t *nsent,
             int64_t timeout, uint64_t *flags);

__attribute__((import_module("gate"), import_name("fd_65536")))
int gate_fd(void);

// Send a whole packet (already padded to `len`).
static void gate_send_all(const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		struct gate_iovec iov = {(void *) p, len};
		size_t n = 0;
		gate_io(NULL, 0, NULL, &iov, 1, &n, -1, NULL);
		p += n;
		len -= n;
	}
}

static void gate_recv_all(void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		struct gate_iovec iov = {p, len};
		size_t n = 0;
		gate_io(&iov, 1, &n, NULL, 0, NULL, -1, NULL);
		p += n;
		len -= n;
	}
}

// Receive one packet into buf (at least 65536 bytes); returns its size.
static size_t gate_recv_packet(void *buf)
{
	gate_recv_all(buf, sizeof(struct gate_packet));
	struct gate_packet *h = buf;
	size_t padded = GATE_ALIGN_PACKET(h->size);
	gate_recv_all((char *) buf + sizeof(*h), padded - sizeof(*h));
	return h->size;
}

// Build a packet in buf with the given payload; returns the padded size.
static size_t gate_make_packet(void *buf, int16_t code, uint8_t domain, const void *payload, size_t len)
{
	struct gate_packet *h = buf;
	size_t size = sizeof(*h) + len;
	memset(buf, 0, GATE_ALIGN_PACKET(size));
	h->size = size;
	h->code = code;
	h->domain = domain;
	h->index = 0;
	memcpy((char *) buf + sizeof(*h), payload, len);
	return GATE_ALIGN_PACKET(size);
}
