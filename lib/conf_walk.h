/*
 * Internal to the config loader: the key-table walker shared by the
 * conf_<section>.c files. A section is a table of struct conf_key (name,
 * type, bounds, default, required, reload-changeable), in the spirit of
 * Knot's desc_server[] and Redis' static_configs[]; the same table drives
 * parsing, defaults and conf_print. Not for daemons: they see struct conf.
 */
#ifndef CHORUS_CONF_WALK_H
#define CHORUS_CONF_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "conf.h"

#define CONF_JPATH_LEN 256

struct conf_ctx {
	const char *file;
	char path[CONF_JPATH_LEN]; /* JSON pointer of the value at hand */
	size_t plen;
	char *err;
	size_t errlen;
	int rc;            /* first error wins */
	struct conf *conf; /* the configuration being built */
};

enum conf_type {
	CONF_T_BOOL,        /* bool */
	CONF_T_U8,          /* uint8_t in min..max */
	CONF_T_U32,         /* uint32_t in min..max */
	CONF_T_ENUM,        /* int: min + index into names[] */
	CONF_T_STR,         /* char[max + 1], length min..max, optional check() */
	CONF_T_ADDR,        /* struct in6_addr */
	CONF_T_PREFIX,      /* struct addr6_prefix */
	CONF_T_ADDR_LIST,   /* struct in6_addr[max], count (size_t) at count_off */
	CONF_T_PREFIX_LIST, /* struct addr6_prefix[max], count at count_off */
	CONF_T_HEX,         /* uint8_t[max], "xx:xx:..", min..max octets, length at count_off */
	CONF_T_CUSTOM,      /* parse() and print() */
};

#define CONF_F_REQUIRED 0x1u /* absent is an error */
#define CONF_F_RELOAD   0x2u /* SIGHUP may change it; otherwise a restart is needed */
#define CONF_F_SECRET   0x4u /* masked by conf_print unless CONF_PRINT_SECRETS */

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;       /* of the field in the section struct */
	size_t count_off; /* lists and hex: of the size_t count */
	unsigned flags;
	int64_t min, max;             /* values, lengths or counts */
	int64_t def;                  /* bool, integer and enum default (the stored value) */
	const char *defs;             /* string default */
	const char *const *names;     /* enum names, NULL-terminated */
	const char *expect;           /* strings and customs: "a PostgreSQL identifier" */
	bool (*check)(const char *s); /* strings: extra validation */
	int (*parse)(struct conf_ctx *c, struct json_object *v, void *base);
	struct json_object *(*print)(const void *base, unsigned flags);
};

/* Walk modes. */
#define CONF_WALK_DEFAULTS 0x1u /* apply defaults to absent keys (else leave them) */

/*
 * Checks that v is an object whose keys all appear in keys[0..n), parses
 * each present key into base and, with CONF_WALK_DEFAULTS, writes defaults
 * for absent ones. Bit i of *seen (if not NULL) is set when keys[i] was
 * present. Returns 0 or the first error (CH_ECONF, CH_ENOMEM).
 */
int conf_walk(struct conf_ctx *c, struct json_object *v, const struct conf_key *keys, size_t n,
              void *base, unsigned mode, uint64_t *seen);

/* "[addr]:port" with port 1..65535 into *out. 0 or -1. */
int conf_listen_parse(const char *s, struct conf_listen *out);

/* Adds the table's keys to obj (a JSON object) from base. NULL on ENOMEM. */
struct json_object *conf_print_keys(struct json_object *obj, const struct conf_key *keys, size_t n,
                                    const void *base, unsigned flags);

/* JSON path bookkeeping: push returns the length to restore with conf_pop. */
size_t conf_push(struct conf_ctx *c, const char *name);
size_t conf_push_idx(struct conf_ctx *c, size_t i);
void conf_pop(struct conf_ctx *c, size_t mark);

/* Records "file: path: msg" (the current path) as the error; returns CH_ECONF. */
int conf_err(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, for another path (cross-checks after the walk). */
int conf_err_at(struct conf_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records CH_ENOMEM. */
int conf_nomem(struct conf_ctx *c);

/*
 * Arrays of structs: checks v is an array of at most max elements, allocates
 * *out (calloc, elem bytes each; NULL when empty) and calls cb on each
 * element with the path pushed. On error calls clear (if not NULL) on every
 * element touched, frees the array and leaves *out untouched.
 */
int conf_array(struct conf_ctx *c, struct json_object *v, size_t max, size_t elem, void **out,
               size_t *n_out, int (*cb)(struct conf_ctx *c, struct json_object *v, void *item),
               void (*clear)(void *item));

/* Scalar readers for custom parsers: they report errors at the current path. */
int conf_get_str(struct conf_ctx *c, struct json_object *v, const char **out, const char *expect);
int conf_get_addr(struct conf_ctx *c, struct json_object *v, struct in6_addr *out);
int conf_get_prefix(struct conf_ctx *c, struct json_object *v, struct addr6_prefix *out);
/* Strict "xx:xx:.." hex octets (also accepts one run "xxxx.."): count or -1. */
int conf_hex_decode(const char *s, uint8_t *out, size_t max);
/* Strict RFC 4648 base64 with padding: count or -1. */
int conf_base64_decode(const char *s, uint8_t *out, size_t max);
/* DNS name: labels of 1..63 [A-Za-z0-9_-] separated by dots, 253 at most. */
bool conf_is_dns_name(const char *s);

/* JSON output helpers for printers. */
struct json_object *conf_json_addr(const struct in6_addr *a);
struct json_object *conf_json_prefix(const struct addr6_prefix *p);
struct json_object *conf_json_hex(const uint8_t *b, size_t n);
struct json_object *conf_json_range(const struct conf_range *r);

/* Section tables, one per conf_<section>.c. */
int conf_instance_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_instance_print(const void *base, unsigned flags);
int conf_logging_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_logging_print(const void *base, unsigned flags);
int conf_dhcp6_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_dhcp6_print(const void *base, unsigned flags);
void conf_dhcp6_clear(struct conf_dhcp6 *d);
int conf_leasequery_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_leasequery_print(const void *base, unsigned flags);
int conf_ddns_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_ddns_print(const void *base, unsigned flags);
void conf_ddns_clear(struct conf_ddns *d);
int conf_api_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_api_print(const void *base, unsigned flags);
void conf_api_clear(struct conf_api *a);

/* The health object of dhcp6 (conf_health.c), called by conf_dhcp6.c. */
void conf_health_defaults(struct conf_health *h);
int conf_health_parse(struct conf_ctx *c, struct json_object *v, void *base);
struct json_object *conf_health_print(const void *base, unsigned flags);

/* "option-data" lists (conf_optdata.c): parse replaces *out. */
int conf_optdata_parse(struct conf_ctx *c, struct json_object *v, struct conf_optlist *out);
struct json_object *conf_optdata_print(const struct conf_optlist *l);

/* Subnets (conf_subnet.c), called by conf_dhcp6.c. */
int conf_subnets_parse(struct conf_ctx *c, struct json_object *v, struct conf_dhcp6 *d,
                       uint64_t dseen);
struct json_object *conf_subnets_print(const struct conf_dhcp6 *d, unsigned flags);
/* Frees what one subnet holds (not the subnet itself). */
void conf_subnet_clear(struct conf_subnet *s);
int conf_options_parse(struct conf_ctx *c, struct json_object *v, struct conf_options *o,
                       unsigned mode);
struct json_object *conf_options_print(const struct conf_options *o, unsigned flags);
/* Bits of the timers an object set itself. */
#define CONF_TIMER_PREF  0x1u
#define CONF_TIMER_VALID 0x2u
#define CONF_TIMER_T1    0x4u
#define CONF_TIMER_T2    0x8u
/*
 * Checks T1 <= T2 <= preferred <= valid (T1/T2 when non-zero, RFC 8415
 * §21.4) and fills T1/T2 that were not set with 0.5/0.8 of preferred.
 * Errors name the key under where that this object set.
 */
int conf_timers_resolve(struct conf_ctx *c, struct conf_timers *t, unsigned explicit,
                        const char *where);

/* "honour", "always", "never": /ddns/fqdn-policy and a subnet's override. */
extern const char *const conf_fqdn_policy_names[];

#endif
