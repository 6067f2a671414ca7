/*
 * The per-instance JSON configuration shared by chorus-dhcp6d,
 * chorus-leasequeryd, chorus-ddnsd and chorus-apid (ARCHITECTURE.md,
 * "Configuration"). conf_load() parses and validates a whole file into a
 * struct conf; every value is resolved (defaults applied, subnet overrides
 * merged), so a daemon never looks at JSON. The key tables live in
 * conf_<section>.c; contrib/examples/README.md documents them.
 */
#ifndef CHORUS_CONF_H
#define CHORUS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr6.h"

#define CONF_MAX_FILE  (4u * 1024 * 1024) /* bytes */
#define CONF_MAX_DEPTH 16                 /* JSON nesting */
/*
 * Longest schema name. Chorus derives names from it: the roles <schema>_dhcp,
 * _lq, _ddns and _api (sql/roles.sql) and the channels <schema>_dhcp
 * (server/srv_store.c) and <schema>_reload (lib/reload_chan.c), the longest
 * suffix at 7 bytes. PostgreSQL silently truncates names to 63 bytes, so two
 * long schemas could share a channel or a role.
 */
#define CONF_SCHEMA_MAX  (63 - 7)
#define CONF_ERR_LEN     512  /* a buffer that holds any message */
#define CONF_NAME_LEN    254  /* DNS name, 253 + NUL */
#define CONF_IFNAME_LEN  16   /* IFNAMSIZ */
#define CONF_PATH_LEN    256  /* file system paths */
#define CONF_TEXT_LEN    1024 /* conninfo and other free text */
#define CONF_DUID_MAX    130  /* RFC 8415 §11.1: 2 + up to 128 */
#define CONF_KEY_MAX     128  /* hash-key and TSIG secrets, octets */
#define CONF_MAX_ADDRS   8    /* per address list */
#define CONF_MAX_NAMES   6    /* domain-search */
#define CONF_MAX_IFACES  32
#define CONF_MAX_SUBNETS 4096
#define CONF_MAX_POOLS   64 /* per list in one subnet */
#define CONF_MAX_RESERV  65536
#define CONF_MAX_ITEMS   64          /* keys, servers, zones, tokens, requesters, codes */
#define CONF_INFINITY    0xffffffffu /* RFC 8415 §7.7 infinite lifetime */

enum conf_allocator { CONF_ALLOC_STABLE_HASH, CONF_ALLOC_ITERATIVE, CONF_ALLOC_RANDOM };
/* What a Rebind for an address of another instance gets (ARCHITECTURE.md models). */
enum conf_rebind_policy { CONF_REBIND_REPLACE, CONF_REBIND_REFUSE, CONF_REBIND_ADOPT };
enum conf_ddns_conflict {
	CONF_DDNS_CHECK_WITH_DHCID,        /* RFC 4703 §5 */
	CONF_DDNS_NO_CHECK_WITH_DHCID,     /* overwrite, still write DHCID */
	CONF_DDNS_NO_CHECK_WITHOUT_DHCID,  /* overwrite, no DHCID */
	CONF_DDNS_CHECK_EXISTS_WITH_DHCID, /* overwrite a name that has any DHCID */
};
/* RFC 4704 §6: who updates what for a client's name. */
enum conf_fqdn_policy {
	CONF_FQDN_HONOUR, /* the client's S/O/N flags decide (and override-client-update) */
	CONF_FQDN_ALWAYS, /* the server updates AAAA and PTR, setting O when it overrides */
	CONF_FQDN_NEVER,  /* no updates: N set in the Reply */
};
enum conf_tsig_alg {
	CONF_TSIG_HMAC_MD5,
	CONF_TSIG_HMAC_SHA1,
	CONF_TSIG_HMAC_SHA224,
	CONF_TSIG_HMAC_SHA256,
	CONF_TSIG_HMAC_SHA384,
	CONF_TSIG_HMAC_SHA512,
};
enum conf_role { CONF_ROLE_READ, CONF_ROLE_ADMIN };

struct conf_ntp_server {
	bool is_fqdn;
	struct in6_addr addr;     /* when !is_fqdn */
	char fqdn[CONF_NAME_LEN]; /* when is_fqdn */
};

/* DHCPv6 configuration options; a count of 0 or a value of 0 means "not sent". */
struct conf_options {
	struct in6_addr dns_servers[CONF_MAX_ADDRS]; /* RFC 3646 */
	size_t n_dns_servers;
	char domain_search[CONF_MAX_NAMES][CONF_NAME_LEN]; /* RFC 3646 */
	size_t n_domain_search;
	struct conf_ntp_server ntp_servers[CONF_MAX_ADDRS]; /* RFC 5908 */
	size_t n_ntp_servers;
	uint32_t sol_max_rt;        /* RFC 8415 §21.24: 60..86400 */
	uint32_t inf_max_rt;        /* RFC 8415 §21.25: 60..86400 */
	uint32_t info_refresh_time; /* RFC 8415 §21.23: >= 600 */
};

/* Lease timing, all in seconds; t1/t2 resolved to 0.5/0.8 of preferred unless set. */
struct conf_timers {
	uint32_t preferred;
	uint32_t valid;
	uint32_t t1;
	uint32_t t2;
};

/* A pool, foreign range: always a range; prefix kept when it was written as one. */
/* One "option-data" entry (conf_optdata.c): an option by code, its body as
 * sent. Lists live at instance, subnet, pool and reservation level; the
 * most specific entry of a code (and, for VENDOR_OPTS, enterprise) wins. */
#define CONF_OPTDATA_MAX 512 /* octets of one option body */
#define CONF_MAX_OPTDATA 32  /* entries per list */
#define CONF_MAX_ARCH    8   /* client-arch values per entry */
#define CONF_MAX_SUBTYPE 16  /* VENDOR_OPTS sub-option types remembered for printing */
struct conf_optdata {
	uint16_t code;
	/* how the config said it, for conf_print (conf_optdata.c's types) */
	bool by_name;
	uint8_t type;
	uint8_t sub_type[CONF_MAX_SUBTYPE];
	uint8_t n_sub_type;
	bool always_send;             /* even when the ORO does not ask for it */
	uint32_t enterprise;          /* VENDOR_OPTS (17): its enterprise number */
	uint16_t arch[CONF_MAX_ARCH]; /* RFC 5970 §3.3: only for these client architectures */
	size_t n_arch;                /* 0: any client */
	uint16_t len;
	uint8_t data[CONF_OPTDATA_MAX];
};

struct conf_optlist {
	struct conf_optdata *v; /* NULL when empty */
	size_t n;
};
void conf_optlist_free(struct conf_optlist *l);

struct conf_range {
	struct addr6_range range;
	bool is_prefix;
	struct addr6_prefix prefix;
	struct conf_optlist option_data; /* pools only */
};

struct conf_pd_pool {
	struct addr6_prefix prefix;
	uint8_t delegated_len;
	struct conf_optlist option_data;
};

struct conf_reservation {
	uint8_t duid[CONF_DUID_MAX];
	size_t duid_len;
	struct in6_addr addresses[CONF_MAX_ADDRS];
	size_t n_addresses;
	struct addr6_prefix prefixes[CONF_MAX_ADDRS];
	size_t n_prefixes;
	char hostname[CONF_NAME_LEN]; /* "" if none */
	struct conf_optlist option_data;
};

struct conf_subnet {
	uint32_t id;                      /* unique, > 0 */
	struct addr6_prefix prefix;       /* the link prefix */
	char interface[CONF_IFNAME_LEN];  /* "" if not selected by interface */
	char interface_id[CONF_NAME_LEN]; /* relay INTERFACE_ID, "" if none */
	struct in6_addr relay_addresses[CONF_MAX_ADDRS];
	size_t n_relay_addresses;
	/* resolved: the subnet's own value or the /dhcp6 one */
	uint8_t preference;
	bool rapid_commit;
	enum conf_rebind_policy rebind_policy;
	bool renew_creates; /* Renew/Rebind may create bindings (RFC 8415 §18.3.4) */
	struct conf_timers timers;
	struct conf_options options;
	struct conf_optlist option_data;
	struct conf_range *pools;
	size_t n_pools;
	struct conf_pd_pool *pd_pools;
	size_t n_pd_pools;
	struct conf_range *foreign_ranges; /* siblings' ranges: on-link, never allocated */
	size_t n_foreign_ranges;
	struct conf_reservation *reservations;
	size_t n_reservations;
	enum conf_fqdn_policy fqdn_policy; /* resolved: the subnet's or /ddns/fqdn-policy */
	bool fqdn_policy_set;              /* the subnet sets its own */
};

struct conf_instance {
	char name[64];
	uint8_t server_duid[CONF_DUID_MAX];
	size_t server_duid_len; /* 0: the daemon generates one and keeps it in the schema */
	char schema[64];        /* PostgreSQL identifier */
	char conninfo[CONF_TEXT_LEN];
	char lq_conninfo[CONF_TEXT_LEN];   /* "" means: use conninfo */
	char ddns_conninfo[CONF_TEXT_LEN]; /* chorus-ddnsd's; "" means: use conninfo */
	uint32_t commit_delay_ms;          /* longest wait for a commit group to fill */
	char pid_file[CONF_PATH_LEN];
	char control_socket[CONF_PATH_LEN]; /* "" if none */
};

struct conf_logging {
	int level; /* LOG_ERR .. LOG_DEBUG */
	bool syslog;
};

/* Health-driven Preference (conf_health.c): while this instance is
 * degraded its Advertise carries a lower Preference, or none. */
struct conf_health {
	bool enabled;
	uint32_t commit_latency_ms; /* p99 commit latency above this: degraded; 0 off */
	uint32_t pool_utilisation;  /* percent of a subnet's pool in use; 0 off */
	bool database;              /* the database unreachable: degraded */
	uint8_t preference;         /* Preference while degraded (never above the normal one) */
	bool send_preference;       /* false: no Preference option while degraded */
	uint32_t recover_percent;   /* healthy again below this share of a threshold */
	uint32_t hold_seconds;      /* shortest time in the degraded state */
};

struct conf_dhcp6 {
	char interfaces[CONF_MAX_IFACES][CONF_IFNAME_LEN];
	size_t n_interfaces;
	uint8_t preference;
	bool rapid_commit;
	enum conf_allocator allocator;
	uint8_t hash_key[CONF_KEY_MAX];
	size_t hash_key_len;
	uint32_t decline_quarantine;
	enum conf_rebind_policy rebind_policy;
	bool renew_creates;
	struct conf_timers timers;
	struct conf_options options;
	struct conf_health health;
	struct conf_optlist option_data;
	struct conf_subnet *subnets;
	size_t n_subnets;
};

struct conf_leasequery {
	bool enabled;
	struct addr6_prefix requesters[CONF_MAX_ITEMS];
	size_t n_requesters;
	uint32_t max_connections;
	uint32_t idle_timeout;
	char local_socket[CONF_PATH_LEN];
	uint16_t sensitive_options[CONF_MAX_ITEMS];
	size_t n_sensitive_options;
	struct in6_addr bulk_address; /* TCP listen address of bulk leasequery */
	uint32_t max_per_requestor;   /* bulk connections from one address */
	uint32_t rate_limit;          /* queries per second per requestor, 0: none */
	uint32_t rate_burst;          /* token bucket depth; 0: rate_limit */
	uint32_t bulk_port;           /* TCP port of bulk leasequery */
	/* where requestors reach the instance over UDP (chorus-lq -c) */
	bool has_address;
	struct in6_addr address;
	uint32_t address_port;
};

struct conf_tsig_key {
	char name[CONF_NAME_LEN];
	enum conf_tsig_alg algorithm;
	uint8_t secret[CONF_KEY_MAX];
	size_t secret_len;
};

struct conf_dns_server {
	struct in6_addr address;
	uint32_t port;
	int key; /* index into ddns.keys, -1 for none */
};

struct conf_zone {
	char name[CONF_NAME_LEN];
	int servers[CONF_MAX_ADDRS]; /* indexes into ddns.servers */
	size_t n_servers;
	int key;             /* index into ddns.keys; -1: each server's own key */
	int conflict_policy; /* enum conf_ddns_conflict; -1: the section's (forward zones) */
};

struct conf_ddns {
	bool enabled;
	struct conf_tsig_key *keys;
	size_t n_keys;
	struct conf_dns_server *servers;
	size_t n_servers;
	struct conf_zone *forward_zones;
	size_t n_forward_zones;
	struct conf_zone *reverse_zones;
	size_t n_reverse_zones;
	enum conf_ddns_conflict conflict_policy;
	uint32_t ttl; /* 0: a third of the valid lifetime (RFC 4702 §5) */
	char qualifying_suffix[CONF_NAME_LEN];
	bool override_client_update;
	/* chorus-dhcp6d's names (RFC 4704): policy, sanitising, generated names */
	enum conf_fqdn_policy fqdn_policy;
	char hostname_char_replacement[2]; /* "" drops a character not allowed in a label */
	char generated_prefix[64];         /* "" generates no names */
	/* chorus-ddnsd's outbox worker */
	uint32_t window;          /* updates in flight at once */
	uint32_t batch;           /* outbox rows per UPDATE message at most */
	uint32_t timeout_ms;      /* wait for one server's answer */
	uint32_t retry_min;       /* s, first backoff after a transient failure */
	uint32_t retry_max;       /* s, cap of the doubling backoff */
	uint32_t permanent_retry; /* s, retry period of a permanent failure */
	uint32_t sweep;           /* s, outbox sweep besides NOTIFY */
	bool remove_stale_ptr;    /* drop the PTRs of a moved name's old addresses */
	bool prefix_ptr;          /* a PTR for each delegated prefix of a named client */
};

struct conf_listen {
	struct in6_addr addr;
	uint16_t port;
};

struct conf_token {
	char name[64];
	char token[256]; /* the stored form, "sha256:..." (token.h) */
	enum conf_role role;
};

struct conf_api {
	struct conf_listen listen[CONF_MAX_ADDRS];
	size_t n_listen;
	struct conf_token *tokens;
	size_t n_tokens;
	bool tls;
	char tls_cert[CONF_PATH_LEN];
	char tls_key[CONF_PATH_LEN];
	uint32_t max_connections; /* HTTP connections at once */
	uint32_t max_body;        /* bytes of a request body */
	uint32_t rate_limit;      /* requests per second per client address; 0: no limit */
	uint32_t rate_burst;      /* requests a client may send at once */
	uint32_t auth_fail_limit; /* failed authentications per minute before 429 */
	bool health_needs_token;  /* /v1/health and /metrics need a read token too */
	uint32_t db_connections;  /* database connections chorus-apid spreads requests over */
};

struct conf {
	char file[CONF_PATH_LEN]; /* the name errors and conf_print use */
	struct conf_instance instance;
	struct conf_logging logging;
	struct conf_dhcp6 dhcp6;
	struct conf_leasequery leasequery;
	struct conf_ddns ddns;
	struct conf_api api;
};

/*
 * Reads, parses and validates path. On success returns 0 and hands a new
 * struct conf to *out (free with conf_free). On failure returns CH_ECONF
 * (rejected), CH_EIO (unreadable, too large) or CH_ENOMEM, writes one line
 * "file: /json/path: what was expected" into err (if errlen > 0) and leaves
 * *out untouched.
 */
int conf_load(const char *path, struct conf **out, char *err, size_t errlen);

/* Same, from len bytes of text (need not be NUL-terminated); name is used in messages. */
int conf_load_string(const char *name, const char *text, size_t len, struct conf **out, char *err,
                     size_t errlen);

void conf_free(struct conf *c);

#define CONF_PRINT_SECRETS 0x1u /* print hash-key, TSIG secrets, tokens, conninfo */

/*
 * Prints the effective configuration, defaults included, as JSON that
 * conf_load accepts (for -n / -t). Secrets print as "********" unless
 * CONF_PRINT_SECRETS. 0, CH_ENOMEM or CH_EIO.
 */
int conf_print(const struct conf *c, FILE *f, unsigned flags);

const char *conf_allocator_name(enum conf_allocator a);
const char *conf_rebind_policy_name(enum conf_rebind_policy p);
const char *conf_ddns_conflict_name(enum conf_ddns_conflict p);
const char *conf_fqdn_policy_name(enum conf_fqdn_policy p);
const char *conf_tsig_alg_name(enum conf_tsig_alg a);
const char *conf_role_name(enum conf_role r);

#endif
