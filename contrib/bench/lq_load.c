/*
 * lq_load: the load generator of contrib/bench/lq-bench, in C so that on a
 * 2-core machine the requestor takes little of the CPU the daemons under
 * test need (the Python one it replaces took about as much as
 * chorus-leasequeryd). Messages are built with its own few lines of
 * packing, not the suite's codec. Prints one JSON object.
 *
 *   lq_load bulk PORT QTYPE ARG   one bulk query on [::1]:PORT (QTYPE 4: ARG is the
 *       link-address; 3: the RELAY_ID hex); {"bindings", "first_data_ms", "secs",
 *       "per_second", "client_cpu"}
 *   lq_load udp PORT SECS INFLIGHT ADDRFILE   QUERY_BY_ADDRESS to [::1]:PORT with
 *       INFLIGHT outstanding, addresses from ADDRFILE; {"answers", "per_second",
 *       "p50_ms", "p99_ms", "lost", "client_cpu"}; a query unanswered for 1 s is lost
 *       and sent again as a new one
 *
 * Build: cc -O2 -o lq_load contrib/bench/lq_load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_INFLIGHT 256
#define MAX_ADDRS    100000

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static size_t put_opt(uint8_t *p, unsigned code, const void *data, size_t len)
{
	p[0] = (uint8_t)(code >> 8);
	p[1] = (uint8_t)code;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, data, len);
	return 4 + len;
}

/* LEASEQUERY: CLIENTID (ours), LQ_QUERY (qtype, link, the query option). */
static size_t query(uint8_t *m, unsigned qtype, uint32_t xid, const uint8_t link[16],
                    const uint8_t *qopt, size_t qopt_len)
{
	static const uint8_t cid[] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 0xbb};
	uint8_t q[512];
	size_t n = 4;

	m[0] = 14;
	m[1] = (uint8_t)(xid >> 16);
	m[2] = (uint8_t)(xid >> 8);
	m[3] = (uint8_t)xid;
	n += put_opt(m + n, 1, cid, sizeof(cid));
	q[0] = (uint8_t)qtype;
	memcpy(q + 1, link, 16);
	memcpy(q + 17, qopt, qopt_len);
	n += put_opt(m + n, 44, q, 17 + qopt_len);
	return n;
}

static int connect_to(int type, unsigned port)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	int fd = socket(AF_INET6, type, 0);

	sa.sin6_addr = in6addr_loopback;
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("lq_load: connect");
		exit(1);
	}
	return fd;
}

static int hex_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && n < cap && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return *s ? -1 : (int)n;
}

static int bulk(unsigned port, unsigned qtype, const char *arg)
{
	static uint8_t buf[1 << 20];
	uint8_t link[16] = {0}, qopt[260], m[600];
	size_t qlen = 0, have = 0, off;
	long n = 0;
	double t0, first = 0, secs;
	int fd, rb = 4 << 20, len, done = 0;

	if (qtype == 4) {
		if (inet_pton(AF_INET6, arg, link) != 1)
			return 2;
	} else {
		uint8_t id[256];

		if ((len = hex_parse(arg, id, sizeof(id))) <= 0)
			return 2;
		qlen = put_opt(qopt, qtype == 3 ? 53 : 37, id, (size_t)len);
	}
	len = (int)query(m + 2, qtype, 1, link, qopt, qlen);
	m[0] = (uint8_t)(len >> 8);
	m[1] = (uint8_t)len;
	fd = connect_to(SOCK_STREAM, port);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	t0 = now_s();
	if (send(fd, m, (size_t)len + 2, 0) != len + 2)
		return 1;
	while (!done) {
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);

		if (r <= 0)
			break;
		have += (size_t)r;
		for (off = 0; have - off >= 3;) {
			size_t size = (size_t)buf[off] << 8 | buf[off + 1];
			uint8_t t = buf[off + 2];

			if (have - off - 2 < size)
				break;
			if (t == 17) {
				n++;
				if (!first)
					first = now_s() - t0;
			} else if (t == 15) {
				n += size > 40; /* a REPLY with CLIENT_DATA */
			} else if (t == 16) {
				done = 1;
			}
			off += 2 + size;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	secs = now_s() - t0;
	close(fd);
	printf("{\"bindings\": %ld, \"first_data_ms\": %.2f, \"secs\": %.3f, \"per_second\": %.0f, "
	       "\"client_cpu\": %.3f}\n",
	       n, first * 1000, secs, (double)n / secs, cpu_s());
	return done ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct slot {
	uint32_t xid;
	double sent;
};

static int udp(unsigned port, double secs, int inflight, const char *addrfile)
{
	static uint8_t(*addrs)[16];
	static struct slot slot[MAX_INFLIGHT];
	static uint8_t m[MAX_INFLIGHT][600], r[MAX_INFLIGHT][2048];
	uint8_t qopt[28], zero[16] = {0};
	size_t n_addrs = 0, cap_lat = 1 << 20, n_lat = 0;
	double *lat = malloc(cap_lat * sizeof(*lat)), end, t;
	char line[128];
	uint32_t next = 1;
	long lost = 0;
	FILE *f = fopen(addrfile, "r");
	int fd, rb = 1 << 20;

	addrs = malloc(MAX_ADDRS * sizeof(*addrs));
	if (!f || !lat || !addrs || inflight < 1 || inflight > MAX_INFLIGHT)
		return 2;
	while (n_addrs < MAX_ADDRS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (inet_pton(AF_INET6, line, addrs[n_addrs]) == 1)
			n_addrs++;
	}
	fclose(f);
	if (!n_addrs)
		return 2;
	fd = connect_to(SOCK_DGRAM, port);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	memset(qopt + 20, 0, 8);
	for (int i = 0; i < inflight; i++)
		slot[i].xid = 0;
	end = now_s() + secs;
	while ((t = now_s()) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct mmsghdr mm[MAX_INFLIGHT];
		struct iovec iov[MAX_INFLIGHT];
		int k = 0, got;

		/* fill the empty slots and renew the ones unanswered for 1 s, all in
		 * one sendmmsg (as cheap as the requestor can be: the CPU it takes is
		 * the daemons') */
		for (int i = 0; i < inflight; i++) {
			if (slot[i].xid && t - slot[i].sent < 1.0)
				continue;
			lost += slot[i].xid != 0;
			slot[i].xid = next;
			slot[i].sent = t;
			/* IAADDR: address, preferred and valid lifetime 0 */
			qopt[0] = 0;
			qopt[1] = 5;
			qopt[2] = 0;
			qopt[3] = 24;
			memcpy(qopt + 4, addrs[next % n_addrs], 16);
			iov[k].iov_base = m[k];
			iov[k].iov_len = query(m[k], 1, next, zero, qopt, sizeof(qopt));
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			k++;
			next = (next + 1) & 0xffffff;
			next += next == 0;
		}
		if (k)
			sendmmsg(fd, mm, (unsigned)k, 0);
		if (poll(&p, 1, 100) <= 0)
			continue;
		for (int i = 0; i < inflight; i++) {
			iov[i].iov_base = r[i];
			iov[i].iov_len = sizeof(r[i]);
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(fd, mm, (unsigned)inflight, MSG_DONTWAIT, NULL);
		t = now_s();
		for (int g = 0; g < got; g++) {
			uint32_t xid;

			if (mm[g].msg_len < 4)
				continue;
			xid = (uint32_t)r[g][1] << 16 | (uint32_t)r[g][2] << 8 | r[g][3];
			for (int i = 0; i < inflight; i++) {
				if (slot[i].xid != xid)
					continue;
				if (n_lat == cap_lat) {
					double *nl = realloc(lat, 2 * cap_lat * sizeof(*lat));

					if (!nl)
						return 1;
					lat = nl;
					cap_lat *= 2;
				}
				lat[n_lat++] = t - slot[i].sent;
				slot[i].xid = 0;
				break;
			}
		}
	}
	qsort(lat, n_lat, sizeof(*lat), cmp_double);
	printf("{\"answers\": %zu, \"per_second\": %.0f, \"client_cpu\": %.3f, \"p50_ms\": %.3f, "
	       "\"p99_ms\": %.3f, \"lost\": %ld}\n",
	       n_lat, (double)n_lat / secs, cpu_s(), n_lat ? lat[n_lat / 2] * 1000 : 0,
	       n_lat ? lat[(size_t)((double)n_lat * 0.99)] * 1000 : 0, lost);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "bulk") == 0)
		return bulk((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]), argv[4]);
	if (argc == 6 && strcmp(argv[1], "udp") == 0)
		return udp((unsigned)atoi(argv[2]), atof(argv[3]), atoi(argv[4]), argv[5]);
	fprintf(stderr, "usage: lq_load bulk PORT QTYPE ARG | udp PORT SECS INFLIGHT ADDRFILE\n");
	return 2;
}
