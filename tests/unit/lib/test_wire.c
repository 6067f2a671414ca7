/* Unit tests for lib/wire.c: bounds at zero, one short, exactly full, one past. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "wire.h"

static void test_get_fixed_fields(void **state)
{
	static const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
	                              0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));

	(void)state;
	assert_int_equal(wire_get_u8(&r), 0x01);
	assert_int_equal(wire_get_u16(&r), 0x0203);
	assert_int_equal(wire_get_u24(&r), 0x040506);
	assert_int_equal(wire_get_u32(&r), 0x0708090a);
	assert_true(wire_get_u64(&r) == 0x0b0c0d0e0f101112ULL);
	assert_int_equal(r.err, 0);
	assert_true(wire_done(&r));
}

static void test_get_one_past_end_is_sticky(void **state)
{
	static const uint8_t buf[] = {0xaa, 0xbb, 0xcc};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));

	(void)state;
	assert_int_equal(wire_get_u16(&r), 0xaabb);
	assert_int_equal(wire_get_u16(&r), 0);
	assert_int_equal(r.err, CH_ETRUNC);
	/* a read that would fit now still fails: the first error wins */
	assert_int_equal(wire_get_u8(&r), 0);
	assert_int_equal(wire_left(&r), 0);
	assert_false(wire_done(&r));
}

static void test_get_zero_length(void **state)
{
	struct wire_rd r = wire_rd_init(NULL, 0);
	uint8_t out[4] = {1, 2, 3, 4};

	(void)state;
	assert_true(wire_done(&r));
	assert_int_equal(wire_left(&r), 0);
	wire_get_bytes(&r, out, 4);
	assert_int_equal(r.err, CH_ETRUNC);
	assert_memory_equal(out, "\0\0\0\0", 4);
}

static void test_sub_window_confines_reads(void **state)
{
	static const uint8_t buf[] = {0x00, 0x02, 0x11, 0x22, 0x33};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));
	struct wire_rd sub;
	uint16_t n = wire_get_u16(&r);

	(void)state;
	sub = wire_get_sub(&r, n);
	assert_int_equal(sub.len, 2);
	assert_int_equal(wire_get_u16(&sub), 0x1122);
	assert_int_equal(wire_get_u8(&sub), 0);
	assert_int_equal(sub.err, CH_ETRUNC);
	/* the parent is untouched by the child's error */
	assert_int_equal(r.err, 0);
	assert_int_equal(wire_get_u8(&r), 0x33);
	assert_true(wire_done(&r));
}

static void test_sub_window_longer_than_parent(void **state)
{
	static const uint8_t buf[] = {0x01, 0x02};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));
	struct wire_rd sub = wire_get_sub(&r, 3);

	(void)state;
	assert_int_equal(r.err, CH_ETRUNC);
	assert_int_equal(sub.err, CH_ETRUNC);
	assert_int_equal(sub.len, 0);
	assert_int_equal(wire_left(&sub), 0);
}

static void test_huge_length_does_not_wrap(void **state)
{
	static const uint8_t buf[] = {0x01, 0x02, 0x03};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));

	(void)state;
	wire_skip(&r, 1);
	assert_null(wire_get_ptr(&r, SIZE_MAX));
	assert_int_equal(r.err, CH_ETRUNC);
}

static void test_rest_takes_everything_left(void **state)
{
	static const uint8_t buf[] = {0x01, 0x02, 0x03};
	struct wire_rd r = wire_rd_init(buf, sizeof(buf));
	struct wire_rd rest;

	(void)state;
	wire_skip(&r, 1);
	rest = wire_get_rest(&r);
	assert_int_equal(rest.len, 2);
	assert_int_equal(wire_get_u16(&rest), 0x0203);
	assert_true(wire_done(&r));
}

static void test_put_exactly_full(void **state)
{
	uint8_t buf[10];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};

	(void)state;
	wire_put_u8(&w, 0x01);
	wire_put_u16(&w, 0x0203);
	wire_put_u24(&w, 0x040506);
	wire_put_u32(&w, 0x0708090a);
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, 10);
	assert_memory_equal(buf, want, sizeof(want));
	wire_put_u8(&w, 0xff);
	assert_int_equal(w.err, CH_ENOSPACE);
	assert_int_equal(w.len, 10);
}

static void test_put_one_short(void **state)
{
	uint8_t buf[3];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));

	(void)state;
	wire_put_u32(&w, 0xdeadbeef);
	assert_int_equal(w.err, CH_ENOSPACE);
	assert_int_equal(w.len, 0);
	wire_put_u8(&w, 1);
	assert_int_equal(w.len, 0);
}

static void test_reserve_and_patch_length(void **state)
{
	uint8_t buf[8];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	size_t at;

	(void)state;
	wire_put_u16(&w, 0x0003);
	at = wire_put_reserve(&w, 2);
	wire_put_bytes(&w, "abc", 3);
	wire_patch_u16(&w, at, (uint16_t)(w.len - at - 2));
	assert_int_equal(w.err, 0);
	assert_memory_equal(buf,
	                    "\x00\x03\x00\x03"
	                    "abc",
	                    7);
	/* a patch outside what was written is ignored */
	wire_patch_u16(&w, 6, 0xffff);
	assert_int_equal(buf[6], 'c');
}

static void test_u64_round_trip(void **state)
{
	uint8_t buf[8];
	struct wire_wr w = wire_wr_init(buf, sizeof(buf));
	struct wire_rd r;

	(void)state;
	wire_put_u64(&w, 0x0102030405060708ULL);
	r = wire_rd_init(buf, w.len);
	assert_true(wire_get_u64(&r) == 0x0102030405060708ULL);
}

static void test_errors_have_names(void **state)
{
	(void)state;
	assert_string_equal(ch_errname(CH_ETRUNC), "CH_ETRUNC");
	assert_string_equal(ch_errname(CH_ENOMEM), "CH_ENOMEM");
	assert_string_not_equal(ch_strerror(CH_EDUP), "unknown error");
	assert_string_equal(ch_strerror(12345), "unknown error");
	for (int e = CH_EBASE - 1; e > CH_ELAST; e--)
		assert_string_not_equal(ch_errname(e), "CH_E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_fixed_fields),
	    cmocka_unit_test(test_get_one_past_end_is_sticky),
	    cmocka_unit_test(test_get_zero_length),
	    cmocka_unit_test(test_sub_window_confines_reads),
	    cmocka_unit_test(test_sub_window_longer_than_parent),
	    cmocka_unit_test(test_huge_length_does_not_wrap),
	    cmocka_unit_test(test_rest_takes_everything_left),
	    cmocka_unit_test(test_put_exactly_full),
	    cmocka_unit_test(test_put_one_short),
	    cmocka_unit_test(test_reserve_and_patch_length),
	    cmocka_unit_test(test_u64_round_trip),
	    cmocka_unit_test(test_errors_have_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
