/*
 * Fuzz target for ddnsd/ddns_update.c: a DNS server's answer read the way
 * chorus-ddnsd reads it (ddns_update_parse against the signed request it
 * answers: id, opcode, TSIG verified with the request's MAC). The clock is
 * fixed (ldns signs with gettimeofday), so a stored signed answer verifies.
 * Nothing may crash, and only an answer with a TSIG may be trusted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#include "ddns_update.h"
#include "errors.h"

#define FUZZ_NOW 1700000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	tv->tv_sec = FUZZ_NOW;
	tv->tv_usec = 0;
	return 0;
}

static struct ddns_key *key;
static struct ddns_msg *req;

/* The spec digest's initial add (spec/ddns.md §3.2), id 0x1234. */
static void setup(void)
{
	static const uint8_t duid[] = {0x00, 0x01, 0x00, 0x06, 0x41, 0x2d, 0xf1,
	                               0x66, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
	static const struct in6_addr a = {
	    {{0x20, 0x01, 0x0d, 0xb8, [12] = 0x12, 0x34, 0x56, 0x78}}};
	static uint8_t dhcid[DDNS_DHCID_LEN];
	struct conf_tsig_key ck = {
	    .name = "ddns-key.example.", .algorithm = CONF_TSIG_HMAC_SHA256, .secret_len = 32};
	struct ddns_req r = {.kind = DDNS_FWD_ADD,
	                     .zone = "example.com.",
	                     .name = "chi6.example.com.",
	                     .addrs = &a,
	                     .n_addrs = 1,
	                     .dhcid = dhcid,
	                     .ttl = 3600,
	                     .id = 0x1234};

	for (int i = 0; i < 32; i++)
		ck.secret[i] = (uint8_t)i;
	if (ddns_key_new(&ck, &key) < 0 || ddns_dhcid(duid, sizeof(duid), r.name, dhcid) < 0 ||
	    ddns_update_build(&r, key, &req) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ddns_answer a;
	int r;

	if (!req)
		setup();
	r = ddns_update_parse(req, key, data, size, FUZZ_NOW, &a);
	if (r != 0 && r != CH_ENOENT && r != CH_EMALFORMED)
		abort();
	if (r == 0 && a.trusted && !a.has_tsig)
		abort();
	return 0;
}
