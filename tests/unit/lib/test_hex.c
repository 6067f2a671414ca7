/*
 * Unit tests for lib/hex.c and lib/hex.h: digits of either case, the
 * lower-case variant, runs of octets, and bytea hex text (empty, one octet,
 * exactly full, one past, odd length, a bad digit, the wrong prefix).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"

static void test_digits(void **state)
{
	(void)state;
	assert_int_equal(hex_digit('0'), 0);
	assert_int_equal(hex_digit('9'), 9);
	assert_int_equal(hex_digit('a'), 10);
	assert_int_equal(hex_digit('F'), 15);
	assert_int_equal(hex_digit('g'), -1);
	assert_int_equal(hex_digit('/'), -1);
	assert_int_equal(hex_digit('\0'), -1);
	assert_int_equal(hex_digit_lower('f'), 15);
	assert_int_equal(hex_digit_lower('7'), 7);
	assert_int_equal(hex_digit_lower('A'), -1);
	assert_int_equal(hex_digit_lower('F'), -1);
}

static void test_decode(void **state)
{
	uint8_t out[4] = {0};

	(void)state;
	assert_int_equal(hex_decode("00fFa9", 3, out), 0);
	assert_memory_equal(out, "\x00\xff\xa9", 3);
	assert_int_equal(hex_decode("", 0, out), 0);
	/* stops at the end of the string instead of reading past it */
	assert_int_equal(hex_decode("abc", 2, out), -1);
	assert_int_equal(hex_decode("ab", 2, out), -1);
	assert_int_equal(hex_decode("0x12", 2, out), -1);
}

static void test_bytea(void **state)
{
	uint8_t out[3];

	(void)state;
	assert_int_equal(hex_bytea_parse("\\x", out, sizeof(out)), 0);
	assert_int_equal(hex_bytea_parse("\\x0a", out, sizeof(out)), 1);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(hex_bytea_parse("\\x000102", out, sizeof(out)), 3);
	assert_memory_equal(out, "\x00\x01\x02", 3);
	assert_int_equal(hex_bytea_parse("\\x00010203", out, sizeof(out)), -1);
	assert_int_equal(hex_bytea_parse("\\x001", out, sizeof(out)), -1);
	assert_int_equal(hex_bytea_parse("\\x0g", out, sizeof(out)), -1);
	assert_int_equal(hex_bytea_parse("0001", out, sizeof(out)), -1);
	assert_int_equal(hex_bytea_parse("\\", out, sizeof(out)), -1);
	assert_int_equal(hex_bytea_parse("", out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digits),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_bytea),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
