/*
 * The API's own counter names (the stats table's counter column for scope
 * 'api', and chorus_api_*_total in /metrics): never rename one.
 */
#include "api.h"

static const char *const cnt_names[API_CNT_MAX] = {
    [API_CNT_REQUESTS] = "requests",           [API_CNT_2XX] = "responses-2xx",
    [API_CNT_4XX] = "responses-4xx",           [API_CNT_5XX] = "responses-5xx",
    [API_CNT_AUTH_FAILED] = "auth-failed",     [API_CNT_RATE_LIMITED] = "rate-limited",
    [API_CNT_DB_TIMEOUT] = "database-timeout", [API_CNT_LEASES_DELETED] = "leases-deleted",
};

const char *api_cnt_name(enum api_cnt c)
{
	return c < API_CNT_MAX && cnt_names[c] ? cnt_names[c] : "unknown";
}
