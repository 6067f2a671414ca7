/*
 * server/srv_link.c: the client's subnet (RFC 8415 §13.1) from the innermost
 * non-zero link-address, a configured INTERFACE_ID or relay address, a
 * sibling's foreign range, or the source of a direct message; and the
 * on-link and own-range predicates Confirm and the policies use.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "srv_link.h"

static const char link_json[] =
    "{\"instance\": {\"name\": \"ut\", \"database\": {\"conninfo\": \"dbname=none\"}},"
    " \"dhcp6\": {\"allocator\": \"iterative\", \"subnets\": ["
    "  {\"id\": 1, \"prefix\": \"2001:db8:1::/64\","
    "   \"pools\": [{\"prefix\": \"2001:db8:1::/65\"}],"
    "   \"foreign-ranges\": [{\"prefix\": \"2001:db8:1:0:8000::/65\"},"
    "                        {\"prefix\": \"2001:db8:11::/64\"}]},"
    "  {\"id\": 2, \"prefix\": \"2001:db8:2::/64\", \"interface-id\": \"ge-0/0/1\"},"
    "  {\"id\": 3, \"prefix\": \"2001:db8:3::/64\", \"relay-addresses\": [\"2001:db8:ff::3\"]}"
    " ]}}";

/* A transaction whose chain has n layers with the given link-addresses
 * (outermost first) and an INTERFACE_ID on the innermost layer. */
static void chain(struct srv_txn *t, size_t n, const char *const *links, const char *ifid,
                  const char *src)
{
	memset(&t->chain, 0, sizeof(t->chain));
	t->relayed = true;
	t->chain.n = n;
	for (size_t i = 0; i < n; i++) {
		struct in6_addr a = fx_a(links[i]);

		memcpy(t->chain.layer[i].link, &a, 16);
	}
	if (ifid) {
		t->chain.layer[n - 1].ifid = (const uint8_t *)ifid;
		t->chain.layer[n - 1].ifid_len = strlen(ifid);
	}
	t->pi.src.sin6_addr = fx_a(src);
}

static void test_relayed_selection(void **state)
{
	struct srv *s = fx_new(link_json);
	struct srv_pktinfo pi = {0};
	struct srv_txn *t = srv_txn_new(s, NULL, 0, &pi);
	const char *l1[] = {"::", "2001:db8:1::1"};
	const char *l2[] = {"2001:db8:3::1", "::"};
	const char *l3[] = {"::", "2001:db8:11::1"};
	const char *l4[] = {"2001:db8:99::1"};
	struct in6_addr want;

	(void)state;
	chain(t, 2, l1, NULL, "2001:db8:ff::9");
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 1); /* innermost non-zero link-address */
	want = fx_a("2001:db8:1::1");
	assert_memory_equal(&t->link_addr, &want, 16);

	chain(t, 2, l2, NULL, "2001:db8:ff::9");
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 3); /* an outer non-zero one when inner is 0 */

	chain(t, 2, l1, "ge-0/0/1", "2001:db8:ff::9");
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 2); /* configured INTERFACE_ID wins */

	chain(t, 1, l4, NULL, "2001:db8:ff::3");
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 3); /* configured relay address */

	chain(t, 2, l3, NULL, "2001:db8:ff::9");
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 1); /* the sibling's prefix on the same link */

	chain(t, 1, l4, NULL, "2001:db8:ff::9");
	assert_int_equal(srv_link_select(s->conf, t), CH_ENOENT);
	srv_txn_free(t);
	fx_free(s);
}

static void test_direct_by_source(void **state)
{
	struct srv *s = fx_new(link_json);
	struct srv_pktinfo pi = {0};
	struct srv_txn *t;

	(void)state;
	pi.src.sin6_addr = fx_a("2001:db8:2::55");
	t = srv_txn_new(s, NULL, 0, &pi);
	assert_int_equal(srv_link_select(s->conf, t), 0);
	assert_int_equal(t->subnet_id, 2);
	srv_txn_free(t);
	pi.src.sin6_addr = fx_a("fe80::1"); /* link-local, no interface configured */
	pi.ifindex = 0;
	t = srv_txn_new(s, NULL, 0, &pi);
	assert_int_equal(srv_link_select(s->conf, t), CH_ENOENT);
	srv_txn_free(t);
	fx_free(s);
}

static void test_predicates(void **state)
{
	struct srv *s = fx_new(link_json);
	const struct conf_subnet *sn = &s->conf->dhcp6.subnets[0];
	struct in6_addr own = fx_a("2001:db8:1::9"), sib = fx_a("2001:db8:1:0:8000::9");
	struct in6_addr uniq = fx_a("2001:db8:11::9"), off = fx_a("2001:db8:12::9");

	(void)state;
	assert_true(srv_link_on_link(sn, &own) && srv_link_own_addr(sn, &own));
	assert_true(srv_link_on_link(sn, &sib) && !srv_link_own_addr(sn, &sib));
	assert_true(srv_link_foreign(sn, &sib) && srv_link_foreign(sn, &uniq));
	assert_true(srv_link_on_link(sn, &uniq));
	assert_false(srv_link_on_link(sn, &off));
	fx_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relayed_selection),
	    cmocka_unit_test(test_direct_by_source),
	    cmocka_unit_test(test_predicates),
	};

	return cmocka_run_group_tests_name("srv_link", tests, NULL, NULL);
}
