/* Unit tests for lib/d6_text.c: one-line rendering, peer text escaped, truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "d6_ia.h"
#include "d6_text.h"

static struct d6_msg m;

static void test_escape(void **state)
{
	char s[64];

	(void)state;
	assert_int_equal(d6_text_escape((const uint8_t *)"a\"b\\c\n\x01\xff", 8, s, sizeof(s)), 19);
	assert_string_equal(s, "a\\\"b\\\\c\\x0a\\x01\\xff");
	assert_int_equal(d6_text_escape((const uint8_t *)"abc", 3, s, 4), 3);
	assert_int_equal(d6_text_escape((const uint8_t *)"abc", 3, s, 3), CH_ENOSPACE);
	assert_int_equal(strlen(s), 2);
}

static void test_render_reply(void **state)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t name[] = {4, 'h', 'o', 's', 't', 3, 'c', 'o', 'm', 0};
	char s[512];
	int ia, f;

	(void)state;
	d6_msg_init(&m, D6_MSG_REPLY, 0x00abcd);
	ia = d6_ia_add_na(&m, 1, 10, 20);
	d6_ia_add_addr(&m, ia, a, 30, 40);
	d6_ia_add_status(&m, ia, D6_STATUS_NOADDRSAVAIL, "bad\n\"x\"", 7);
	f = d6_msg_add_bytes(&m, D6_ROOT, D6_OPT_CLIENT_FQDN, name, sizeof(name));
	m.node[f].v.u8 = 1;
	d6_msg_add_bytes(&m, D6_ROOT, 0x4242, "\x01\x02", 2);
	assert_true(d6_text_msg(&m, s, sizeof(s)) > 0);
	assert_string_equal(s, "REPLY xid=0x00abcd IA_NA(iaid=1 t1=10 t2=20 IAADDR(2001:db8::1 "
	                       "pref=30 valid=40) STATUS_CODE(NoAddrsAvail \"bad\\x0a\\\"x\\\"\")) "
	                       "CLIENT_FQDN(1 host.com.) OPT16962(01:02)");
	assert_null(strchr(s, '\n'));
	/* cut short: still terminated, marked */
	assert_int_equal(d6_text_msg(&m, s, 20), CH_ENOSPACE);
	assert_int_equal(strlen(s), 19);
	assert_string_equal(s + 16, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_render_reply),
	};

	return cmocka_run_group_tests_name("d6_text", tests, NULL, NULL);
}
