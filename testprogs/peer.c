// peer <my-name> <other-name> ping|pong: two programs on different nodes
// find each other by name through the `peer` service and exchange messages.
// ping: register, find <other-name> (retrying), send "ping from <my-name>",
// print the reply message. pong: register, wait for a message, print it,
// answer "pong to <message>" to its sender.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gate.h"

#define PEER 0
static char buf[65536 + 8];
static char out[65536 + 8];
static char req[65536];

static void call(int16_t code, const void *content, size_t len)
{
	gate_send_all(out, gate_make_packet(out, code, GATE_PACKET_DOMAIN_CALL, content, len));
}

// Next CALL reply from the peer service; MESSAGE events that arrive first are kept in `pending`.
static char pending[65536];
static size_t pending_len;

static size_t recv_reply(int16_t code)
{
	for (;;) {
		size_t size = gate_recv_packet(buf);
		struct gate_packet *h = (struct gate_packet *) buf;
		if (h->code == code && h->domain == GATE_PACKET_DOMAIN_CALL)
			return size - sizeof(*h);
		if (h->code == PEER && h->domain == GATE_PACKET_DOMAIN_INFO && !pending_len) {
			pending_len = size - sizeof(*h);
			memcpy(pending, buf + sizeof(*h), pending_len);
		}
	}
}

// Wait for a MESSAGE: copies the sender endpoint and payload (NUL-terminated).
static void recv_message(char *from, char *payload)
{
	while (!pending_len) {
		size_t size = gate_recv_packet(buf);
		struct gate_packet *h = (struct gate_packet *) buf;
		if (h->code == PEER && h->domain == GATE_PACKET_DOMAIN_INFO) {
			pending_len = size - sizeof(*h);
			memcpy(pending, buf + sizeof(*h), pending_len);
		}
	}
	unsigned flen = (unsigned char) pending[1];
	memcpy(from, pending + 2, flen);
	from[flen] = 0;
	size_t plen = pending_len - 2 - flen;
	memcpy(payload, pending + 2 + flen, plen);
	payload[plen] = 0;
	pending_len = 0;
}

static int16_t err_of(void)
{
	int16_t e;
	memcpy(&e, buf + 8, 2);
	return e;
}

static int16_t send_to(const char *to, const char *text)
{
	size_t tl = strlen(to), pl = strlen(text);
	req[0] = 3;
	req[1] = (char) tl;
	memcpy(req + 2, to, tl);
	memcpy(req + 2 + tl, text, pl);
	call(PEER, req, 2 + tl + pl);
	recv_reply(PEER);
	return err_of();
}

int main(int argc, char **argv)
{
	if (argc < 4) { fprintf(stderr, "usage: peer my-name other-name ping|pong\n"); return 2; }
	const char *me = argv[1], *other = argv[2];
	int ping = strcmp(argv[3], "ping") == 0;

	static const char names[] = "\x01\x00\x04peer";
	call(GATE_PACKET_CODE_SERVICES, names, sizeof names - 1);
	recv_reply(GATE_PACKET_CODE_SERVICES);
	if (!(buf[10] & 1)) { printf("peer service unavailable\n"); return 3; }

	req[0] = 0;
	memcpy(req + 1, me, strlen(me));
	call(PEER, req, 1 + strlen(me));
	recv_reply(PEER);
	printf("registered %s: %d\n", me, err_of());
	fflush(stdout);

	static char from[256], msg[65536], text[65536];
	if (ping) {
		char endpoint[256] = {0};
		for (int attempt = 0; attempt < 1000 && !endpoint[0]; attempt++) {
			req[0] = 2;
			req[1] = 4;
			memcpy(req + 2, other, strlen(other));
			call(PEER, req, 2 + strlen(other));
			recv_reply(PEER);
			uint16_t count;
			memcpy(&count, buf + 10, 2);
			if (err_of() == 0 && count > 0) {
				unsigned len = (unsigned char) buf[12];
				memcpy(endpoint, buf + 13, len);
				endpoint[len] = 0;
			} else {
				// wait a little: gate.io with a 20 ms timeout and nothing to do
				uint64_t flags;
				gate_io(NULL, 0, NULL, NULL, 0, NULL, 20000000, &flags);
			}
		}
		if (!endpoint[0]) { printf("%s not found\n", other); return 4; }
		printf("found %s: %s\n", other, strchr(endpoint, '/') && strcmp(strchr(endpoint, '/') + 1, other) == 0 ? "yes" : endpoint);
		snprintf(text, sizeof text, "ping from %s", me);
		printf("send: %d\n", send_to(endpoint, text));
		recv_message(from, msg);
		printf("got: %s\n", msg);
	} else {
		recv_message(from, msg);
		printf("got: %s\n", msg);
		snprintf(text, sizeof text, "pong to %s", msg);
		printf("reply: %d\n", send_to(from, text));
	}
	return 0;
}
