/*
 * The "health" object of the dhcp6 section: when chorus-dhcp6d counts
 * itself degraded (commit latency, pool utilisation, database down) and
 * which Preference its Advertise then carries, so clients prefer a healthy
 * sibling before anything fails (RFC 8415 §18.2.9, §21.8; RFC 6853 §4).
 */
#include <stddef.h>

#include "conf_walk.h"

#define H(f) offsetof(struct conf_health, f)

static const struct conf_key health_keys[] = {
    {.name = "enabled", .type = CONF_T_BOOL, .off = H(enabled)},
    {.name = "commit-latency-ms", .type = CONF_T_U32, .off = H(commit_latency_ms), .max = 60000},
    {.name = "pool-utilisation", .type = CONF_T_U32, .off = H(pool_utilisation), .max = 100},
    {.name = "database", .type = CONF_T_BOOL, .off = H(database)},
    {.name = "preference", .type = CONF_T_U8, .off = H(preference), .max = 255},
    {.name = "send-preference", .type = CONF_T_BOOL, .off = H(send_preference)},
    {.name = "recover-percent",
     .type = CONF_T_U32,
     .off = H(recover_percent),
     .min = 1,
     .max = 100},
    {.name = "hold-seconds", .type = CONF_T_U32, .off = H(hold_seconds), .max = 86400},
};

#define N_KEYS (sizeof(health_keys) / sizeof(health_keys[0]))

void conf_health_defaults(struct conf_health *h)
{
	*h = (struct conf_health){
	    .database = true,
	    .send_preference = true,
	    .recover_percent = 80,
	    .hold_seconds = 30,
	};
}

int conf_health_parse(struct conf_ctx *c, struct json_object *v, void *base)
{
	return conf_walk(c, v, health_keys, N_KEYS, &((struct conf_dhcp6 *)base)->health, 0, NULL);
}

struct json_object *conf_health_print(const void *base, unsigned flags)
{
	return conf_print_keys(json_object_new_object(), health_keys, N_KEYS,
	                       &((const struct conf_dhcp6 *)base)->health, flags);
}
