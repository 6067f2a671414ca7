/* Reservations from the schema, merged into the configuration; see srv_resv.h. */
#include <stdlib.h>
#include <string.h>

#include "addr6.h"
#include "errors.h"
#include "hex.h"
#include "log.h"
#include "srv_resv.h"

static bool parse_duid(const char *s, struct conf_reservation *r)
{
	size_t n = strlen(s);

	if (n < 2 || n % 2 || n / 2 > CONF_DUID_MAX || hex_decode(s, n / 2, r->duid) < 0)
		return false;
	r->duid_len = n / 2;
	return true;
}

/* "a b c" into the reservation's addresses (pfx false) or prefixes. */
static bool parse_list(const char *s, struct conf_reservation *r, bool pfx)
{
	char buf[ADDR6_PREFIX_STRLEN];

	while (*s) {
		size_t n = strcspn(s, " ");

		if (n == 0 || n >= sizeof(buf))
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (pfx) {
			if (r->n_prefixes == CONF_MAX_ADDRS ||
			    addr6_prefix_parse(buf, &r->prefixes[r->n_prefixes++]) < 0)
				return false;
		} else if (r->n_addresses == CONF_MAX_ADDRS ||
		           addr6_parse(buf, &r->addresses[r->n_addresses++]) < 0) {
			return false;
		}
		s += n;
		while (*s == ' ')
			s++;
	}
	return true;
}

void srv_resv_loaded(struct srv *s, const PGresult *res)
{
	size_t n = (size_t)PQntuples(res), bad = 0, k = 0;
	struct srv_dbresv *v = calloc(n ? n : 1, sizeof(*v));

	if (!v) {
		log_err("out of memory loading %zu reservations; keeping the old ones", n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct srv_dbresv *d = &v[k];
		const char *host = PQgetvalue(res, (int)i, 4);

		d->subnet_id = (uint32_t)strtoul(PQgetvalue(res, (int)i, 1), NULL, 10);
		if (!parse_duid(PQgetvalue(res, (int)i, 0), &d->r) ||
		    !parse_list(PQgetvalue(res, (int)i, 2), &d->r, false) ||
		    !parse_list(PQgetvalue(res, (int)i, 3), &d->r, true) ||
		    strlen(host) >= sizeof(d->r.hostname)) {
			memset(d, 0, sizeof(*d));
			bad++;
			continue;
		}
		memcpy(d->r.hostname, host, strlen(host) + 1);
		k++;
	}
	free(s->dbresv);
	s->dbresv = v;
	s->n_dbresv = k;
	if (bad)
		log_warning("%zu reservation rows could not be read and are not applied", bad);
	if (srv_resv_merge(s, s->conf, false) < 0)
		log_err("out of memory applying the reservations");
	else
		log_info("%zu reservations from the schema applied", k);
}

static bool in_file(const struct conf_subnet *sn, size_t nf, const struct conf_reservation *r)
{
	for (size_t i = 0; i < nf; i++)
		if (sn->reservations[i].duid_len == r->duid_len &&
		    memcmp(sn->reservations[i].duid, r->duid, r->duid_len) == 0)
			return true;
	return false;
}

int srv_resv_merge(struct srv *s, struct conf *c, bool fresh)
{
	size_t ns = c->dhcp6.n_subnets;
	size_t *nf = fresh ? calloc(ns ? ns : 1, sizeof(*nf)) : s->resv_file_n;
	struct conf_reservation **arr = calloc(ns ? ns : 1, sizeof(*arr));
	size_t *cnt = calloc(ns ? ns : 1, sizeof(*cnt));

	if (!nf || !arr || !cnt)
		goto fail;
	for (size_t i = 0; i < ns; i++) {
		struct conf_subnet *sn = &c->dhcp6.subnets[i];
		size_t n;

		if (fresh)
			nf[i] = sn->n_reservations;
		n = nf[i];
		for (size_t k = 0; k < s->n_dbresv; k++)
			n += s->dbresv[k].subnet_id == sn->id &&
			     !in_file(sn, nf[i], &s->dbresv[k].r);
		if (!(arr[i] = calloc(n ? n : 1, sizeof(*arr[i]))))
			goto fail;
		if (nf[i]) /* a subnet without file reservations has none to copy (NULL) */
			memcpy(arr[i], sn->reservations, nf[i] * sizeof(*arr[i]));
		cnt[i] = nf[i];
		for (size_t k = 0; k < s->n_dbresv; k++)
			if (s->dbresv[k].subnet_id == sn->id &&
			    !in_file(sn, nf[i], &s->dbresv[k].r))
				arr[i][cnt[i]++] = s->dbresv[k].r;
	}
	/* all allocated: the file's entries (and their option lists) move over */
	for (size_t i = 0; i < ns; i++) {
		free(c->dhcp6.subnets[i].reservations);
		c->dhcp6.subnets[i].reservations = arr[i];
		c->dhcp6.subnets[i].n_reservations = cnt[i];
	}
	if (fresh) {
		free(s->resv_file_n);
		s->resv_file_n = nf;
	}
	free(arr);
	free(cnt);
	return 0;
fail:
	for (size_t i = 0; arr && i < ns; i++)
		free(arr[i]);
	if (fresh)
		free(nf);
	free(arr);
	free(cnt);
	return CH_ENOMEM;
}

void srv_resv_free(struct srv *s)
{
	free(s->dbresv);
	free(s->resv_file_n);
	s->dbresv = NULL;
	s->resv_file_n = NULL;
	s->n_dbresv = 0;
}
