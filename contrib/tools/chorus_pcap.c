/*
 * chorus-pcap: decodes the DHCPv6 packets of a pcap file with the Chorus
 * codec. By default one line per packet (d6_text rendering, relay layers
 * unwrapped); with --fields, the fields tshark names dhcpv6.* in document
 * order, so tests can hold our decoding against tshark's.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "d6_msg.h"
#include "d6_text.h"
#include "errors.h"
#include "pcap_read.h"
#include "pcap_write.h"

#define FIELD_MAX 64
#define FIELD_LEN 4096

/* The dhcpv6.* fields of one packet, each a comma-joined list. */
struct fields {
	size_t n;
	char name[FIELD_MAX][48];
	char value[FIELD_MAX][FIELD_LEN];
};

static void field_add(struct fields *f, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void field_add(struct fields *f, const char *name, const char *fmt, ...)
{
	size_t i, used;
	va_list ap;

	for (i = 0; i < f->n && strcmp(f->name[i], name) != 0; i++)
		;
	if (i == f->n) {
		if (f->n == FIELD_MAX)
			return;
		snprintf(f->name[f->n], sizeof(f->name[0]), "%s", name);
		f->value[f->n][0] = '\0';
		f->n++;
	}
	used = strlen(f->value[i]);
	if (used && used + 1 < FIELD_LEN)
		f->value[i][used++] = ',';
	va_start(ap, fmt);
	vsnprintf(f->value[i] + used, FIELD_LEN - used, fmt, ap);
	va_end(ap);
}

static void field_addr(struct fields *f, const char *name, const uint8_t a[16])
{
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, text, sizeof(text));
	field_add(f, name, "%s", text);
}

static void field_hex(struct fields *f, const char *name, const uint8_t *p, size_t n)
{
	char text[2 * 512 + 1];

	if (n > 512)
		n = 512;
	for (size_t i = 0; i < n; i++)
		snprintf(text + 2 * i, 3, "%02x", p[i]);
	text[2 * n] = '\0';
	field_add(f, name, "%s", text);
}

/* Domain names of option 24 as tshark prints them: dotted, with the final
 * dot; tshark files a single-label name under dhcpv6.tld instead. */
static void field_names(struct fields *f, const uint8_t *p, size_t n)
{
	char name[256];
	size_t at = 0, i = 0;
	int labels = 0;

	while (i < n) {
		uint8_t l = p[i++];

		if (l == 0 || l > n - i) {
			if (at < sizeof(name) - 1)
				name[at++] = '.';
			name[at] = '\0';
			field_add(f, labels == 1 ? "dhcpv6.tld" : "dhcpv6.search_list_entry", "%s",
			          name);
			at = 0;
			labels = 0;
			if (l)
				return;
			continue;
		}
		if (at && at < sizeof(name) - 1)
			name[at++] = '.';
		for (size_t k = 0; k < l && at < sizeof(name) - 1; k++)
			name[at++] = (char)p[i + k];
		labels++;
		i += l;
	}
}

/* NTP_SERVER sub-options (RFC 5908) live in their own code space. */
static void fields_ntp(struct fields *f, const struct d6_node *o)
{
	field_add(f, "dhcpv6.ntpserver.option.type", "%u", o->code);
	field_add(f, "dhcpv6.ntpserver.option.length", "%zu", o->len);
	if (o->code == D6_NTP_SRV_ADDR && o->len == 16)
		field_addr(f, "dhcpv6.ntpserver.addr", o->data);
	else if (o->code == D6_NTP_MC_ADDR && o->len == 16)
		field_addr(f, "dhcpv6.ntpserver.mc_addr", o->data);
}

static int fields_msg(struct fields *f, const uint8_t *buf, size_t len, int depth);

static void fields_opt(struct fields *f, const struct d6_msg *m, int i, int depth)
{
	const struct d6_node *o = &m->node[i];

	if (o->space == D6_SPACE_NTP) {
		fields_ntp(f, o);
		return;
	}
	field_add(f, "dhcpv6.option.type", "%u", o->code);
	field_add(f, "dhcpv6.option.length", "%zu", o->len);
	switch (o->code) {
	case D6_OPT_CLIENTID:
	case D6_OPT_SERVERID:
	case D6_OPT_RELAY_ID:
		field_hex(f, "dhcpv6.duid.bytes", o->data, o->len);
		if (o->len >= 2)
			field_add(f, "dhcpv6.duid.type", "%u", o->data[0] << 8 | o->data[1]);
		break;
	case D6_OPT_IA_NA:
	case D6_OPT_IA_PD:
		field_add(f, "dhcpv6.iaid", "%08x", o->v.ia.iaid);
		field_add(f, "dhcpv6.iaid.t1", "%u", o->v.ia.t1);
		field_add(f, "dhcpv6.iaid.t2", "%u", o->v.ia.t2);
		break;
	case D6_OPT_IA_TA:
		/* tshark 4.0 shows no dhcpv6.iaid for IA_TA: keep ours apart */
		field_add(f, "chorus.iata.iaid", "%08x", o->v.u32);
		break;
	case D6_OPT_IAADDR:
		field_addr(f, "dhcpv6.iaaddr.ip", o->v.iaaddr.addr);
		field_add(f, "dhcpv6.iaaddr.pref_lifetime", "%u", o->v.iaaddr.pref);
		field_add(f, "dhcpv6.iaaddr.valid_lifetime", "%u", o->v.iaaddr.valid);
		break;
	case D6_OPT_IAPREFIX:
		field_add(f, "dhcpv6.iaprefix.pref_lifetime", "%u", o->v.iaprefix.pref);
		field_add(f, "dhcpv6.iaprefix.valid_lifetime", "%u", o->v.iaprefix.valid);
		field_add(f, "dhcpv6.iaprefix.pref_len", "%u", o->v.iaprefix.plen);
		field_addr(f, "dhcpv6.iaprefix.pref_addr", o->v.iaprefix.prefix);
		break;
	case D6_OPT_ORO:
		for (size_t k = 0; k + 1 < o->len; k += 2)
			field_add(f, "dhcpv6.requested_option_code", "%u",
			          o->data[k] << 8 | o->data[k + 1]);
		break;
	case D6_OPT_PREFERENCE:
		field_add(f, "dhcpv6.option_preference", "%u", o->v.u8);
		break;
	case D6_OPT_ELAPSED_TIME:
		/* tshark shows the hundredths of a second as milliseconds */
		field_add(f, "dhcpv6.elapsed_time", "%u", o->v.u16 * 10u);
		break;
	case D6_OPT_RELAY_MSG:
		fields_msg(f, o->data, o->len, depth + 1);
		break;
	case D6_OPT_UNICAST:
		field_addr(f, "dhcpv6.unicast", o->v.addr);
		break;
	case D6_OPT_STATUS_CODE:
		field_add(f, "dhcpv6.status_code", "%u", o->v.u16);
		if (o->tail_len)
			field_add(f, "dhcpv6.status_msg", "%.*s", (int)o->tail_len,
			          (const char *)o->tail);
		break;
	case D6_OPT_VENDOR_CLASS:
		field_add(f, "dhcpv6.vendorclass.enterprise", "%u", o->v.u32);
		break;
	case D6_OPT_INTERFACE_ID:
		field_hex(f, "dhcpv6.interface_id", o->data, o->len);
		break;
	case D6_OPT_RECONF_MSG:
		field_add(f, "dhcpv6.reconf_msg", "%u", o->v.u8);
		break;
	case D6_OPT_DNS_SERVERS:
		for (size_t k = 0; k + 16 <= o->len; k += 16)
			field_addr(f, "dhcpv6.dns_server", o->data + k);
		break;
	case D6_OPT_DOMAIN_LIST:
		field_names(f, o->data, o->len);
		break;
	case D6_OPT_REMOTE_ID:
		field_add(f, "dhcpv6.remoteid.enterprise", "%u", o->v.u32);
		break;
	case D6_OPT_CLT_TIME:
		field_add(f, "dhcpv6.clt_time", "%u", o->v.u32);
		break;
	case D6_OPT_LQ_QUERY:
		field_add(f, "dhcpv6.lq_query", "%u", o->v.lq.qtype);
		field_addr(f, "dhcpv6.lq_query_link_address", o->v.lq.link);
		break;
	case D6_OPT_LQ_RELAY_DATA:
		field_addr(f, "dhcpv6.lq_relay_data_peer_addr", o->v.addr);
		break;
	case D6_OPT_LQ_CLIENT_LINK:
		for (size_t k = 0; k + 16 <= o->len; k += 16)
			field_addr(f, "dhcpv6.lq_client_link", o->data + k);
		break;
	default:
		break;
	}
	for (int c = d6_msg_first(m, i); c != D6_NONE; c = d6_msg_next(m, c))
		fields_opt(f, m, c, depth);
}

/* Parses a message depth relay layers deep into a new *out, which the
 * caller frees. 0, CH_EDEEP, CH_ENOMEM or the codec's error (*out unset). */
static int msg_new(const uint8_t *buf, size_t len, int depth, struct d6_msg **out)
{
	struct d6_msg *m;
	int err;

	if (depth > D6_HOP_COUNT_CAP + 1)
		return CH_EDEEP;
	m = malloc(sizeof(*m));
	if (!m)
		return CH_ENOMEM;
	err = d6_msg_parse(buf, len, m);
	if (err) {
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

/* Adds the fields of one message and, through RELAY_MSG, of what it carries. */
static int fields_msg(struct fields *f, const uint8_t *buf, size_t len, int depth)
{
	struct d6_msg *m;
	int err = msg_new(buf, len, depth, &m);

	if (err)
		return err;
	field_add(f, "dhcpv6.msgtype", "%u", m->type);
	if (d6_msg_is_relay(m->type)) {
		field_add(f, "dhcpv6.hopcount", "%u", m->hops);
		field_addr(f, "dhcpv6.linkaddr", m->link);
		field_addr(f, "dhcpv6.peeraddr", m->peer);
	} else {
		field_add(f, "dhcpv6.xid", "0x%06x", m->xid);
	}
	for (int i = d6_msg_first(m, D6_ROOT); i != D6_NONE; i = d6_msg_next(m, i))
		fields_opt(f, m, i, depth);
	free(m);
	return 0;
}

/* One line per message; relay layers are rendered outermost first. */
static int render_msg(const uint8_t *buf, size_t len, char *out, size_t cap, int depth)
{
	struct d6_msg *m;
	int err = msg_new(buf, len, depth, &m), inner;
	size_t used;

	if (err)
		return err;
	d6_text_msg(m, out, cap);
	inner = d6_msg_is_relay(m->type) ? d6_msg_find(m, D6_ROOT, D6_OPT_RELAY_MSG) : D6_NONE;
	used = strlen(out);
	if (inner != D6_NONE && used + 4 < cap) {
		memcpy(out + used, " => ", 5);
		err = render_msg(m->node[inner].data, m->node[inner].len, out + used + 4,
		                 cap - used - 4, depth + 1);
	}
	free(m);
	return err;
}

static int dump_file(const char *path, int want_fields)
{
	static struct fields f;
	struct pcap_file *pf = malloc(sizeof(*pf));
	struct pcap_udp6 pkt;
	char line[8192], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int r, bad = 0;

	if (!pf || pcap_open(pf, path) < 0) {
		fprintf(stderr, "chorus-pcap: %s: cannot read as a pcap file\n", path);
		free(pf);
		return 1;
	}
	while ((r = pcap_next_udp6(pf, &pkt)) > 0) {
		if (pkt.sport != 546 && pkt.sport != 547 && pkt.dport != 546 && pkt.dport != 547)
			continue;
		if (want_fields) {
			f.n = 0;
			r = fields_msg(&f, pkt.payload, pkt.len, 0);
			for (size_t i = 0; r == 0 && i < f.n; i++)
				printf("%u\t%s\t%s\n", pkt.frame, f.name[i], f.value[i]);
		} else {
			inet_ntop(AF_INET6, &pkt.src, src, sizeof(src));
			inet_ntop(AF_INET6, &pkt.dst, dst, sizeof(dst));
			r = render_msg(pkt.payload, pkt.len, line, sizeof(line), 0);
			printf("%u %s -> %s: %s\n", pkt.frame, src, dst, r == 0 ? line : "");
		}
		if (r < 0) {
			fprintf(stderr, "chorus-pcap: %s frame %u: %s\n", path, pkt.frame,
			        ch_strerror(r));
			bad++;
		}
	}
	pcap_close(pf);
	free(pf);
	return r < 0 || bad ? 1 : 0;
}

/* Reads a whole small file; returns its length or -1. */
static long slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n == cap ? -1 : (long)n;
}

/* Wraps raw DHCPv6 messages (one per file) into a pcap for tshark:
 * client messages go to ff02::1:2 port 547, the rest to a client port 546. */
static int wrap_files(const char *out, char **files, int n)
{
	static uint8_t buf[65536];
	struct in6_addr cli, srv, mc;
	FILE *f = fopen(out, "wb");
	int rc = 0;

	if (!f || pcap_write_header(f) < 0) {
		fprintf(stderr, "chorus-pcap: cannot write %s\n", out);
		if (f)
			fclose(f);
		return 1;
	}
	inet_pton(AF_INET6, "fe80::1", &cli);
	inet_pton(AF_INET6, "fe80::547", &srv);
	inet_pton(AF_INET6, "ff02::1:2", &mc);
	for (int i = 0; i < n; i++) {
		long len = slurp(files[i], buf, sizeof(buf));
		int to_server = len > 0 && buf[0] != D6_MSG_ADVERTISE && buf[0] != D6_MSG_REPLY &&
		                buf[0] != D6_MSG_RECONFIGURE && buf[0] != D6_MSG_RELAY_REPL;

		if (len < 0) {
			fprintf(stderr, "chorus-pcap: cannot read %s\n", files[i]);
			rc = 1;
			continue;
		}
		if (to_server)
			rc |= pcap_write_udp6(f, &cli, 546, &mc, 547, buf, (size_t)len) < 0;
		else
			rc |= pcap_write_udp6(f, &srv, 547, &cli, 546, buf, (size_t)len) < 0;
	}
	if (fclose(f) != 0)
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	int want_fields = 0, rc = 0, i = 1;

	if (argc > 3 && strcmp(argv[1], "--wrap") == 0)
		return wrap_files(argv[2], argv + 3, argc - 3);

	if (argc > 1 && strcmp(argv[1], "--fields") == 0) {
		want_fields = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: chorus-pcap [--fields] FILE.pcap...\n"
		                "       chorus-pcap --wrap OUT.pcap MESSAGE-FILE...\n");
		return 2;
	}
	for (; i < argc; i++)
		rc |= dump_file(argv[i], want_fields);
	return rc;
}
