/* Private view of a gateway's configuration: typed fields, defaults resolved.
 * Owned by lib/gateway.c; the registration and call code read it. */
#ifndef SC_GATEWAY_PRIV_H
#define SC_GATEWAY_PRIV_H

#include <stdbool.h>
#include "skypeconnect/sc_gateway.h"

typedef enum sc_transport {
    SC_TRANSPORT_UDP = 0,
    SC_TRANSPORT_TCP = 1,
    SC_TRANSPORT_TLS = 2
} sc_transport;

/* Every string is owned by the gateway (g_strdup/g_free) and NULL when unset.
 * The effective accessors below apply FreeSWITCH's fallbacks. */
struct sc_gateway {
    char *name;

    bool do_register;          /* register (default true) */
    char *scheme;              /* scheme (default "Digest") */
    char *realm;               /* realm */
    char *proxy;               /* proxy */
    char *register_proxy;      /* register-proxy */
    char *outbound_proxy;      /* outbound-proxy */
    char *username;            /* username */
    char *auth_username;       /* auth-username */
    char *password;            /* password: never logged */
    char *from_user;           /* from-user */
    char *from_domain;         /* from-domain */
    char *extension;           /* extension */
    bool extension_set;        /* extension given explicitly (FS real_extension) */
    bool extension_in_contact; /* extension-in-contact (default false) */
    char *contact_params;      /* contact-params */
    char *contact_host;        /* contact-host */
    sc_transport register_transport; /* register-transport (default udp) */
    int expire_seconds;        /* expire-seconds (default 3600) */
    int retry_seconds;         /* retry-seconds (default 30) */
    int retry_908_seconds;     /* 908-retry-seconds (0 = unset) */
    int timeout_seconds;       /* timeout-seconds (default 60) */
    bool caller_id_in_from;    /* caller-id-in-from (default false) */
    int ping;                  /* ping seconds (0 = off) */
    int ping_min;              /* ping-min (default 1) */
    int ping_max;              /* ping-max (default 1) */
    char *ping_user_agent;     /* ping-user-agent */
    bool ping_monitoring;      /* ping-monitoring */
    bool contact_in_ping;      /* contact-in-ping */
    bool distinct_to;          /* distinct-to */
    char *destination_prefix;  /* destination-prefix */
    char *context;             /* context (default "public") */
    /* additions of ours */
    char *dial_prefix;         /* dial-prefix: rule ^(PREFIX\d+)$ */
    char *dial_pattern;        /* dial-pattern: full regular expression */
    char *dial_format;         /* dial-format: what dial-pattern dials ($1...) */
    char *emergency_country;   /* emergency-country: ISO code adding its numbers */
    char *emergency_numbers;   /* emergency-numbers: extra numbers, comma-separated */
    int max_channels;          /* max-channels (0 = unlimited) */
    int channels_busy_code;    /* channels-busy-code: inbound answer when full (486) */
    char *ext_sip_ip;          /* ext-sip-ip: literal, "auto", "stun:HOST[:PORT]" (nat.c) */
    bool nat_options_ping;     /* nat-options-ping: keepalive OPTIONS behind NAT (default true) */
    int tcp_keepalive;         /* tcp-keepalive: CRLF keepalive every N ms, UDP and TCP (0 = off) */
    int session_timeout;       /* session-timeout: Session-Expires we offer, s (1800; 0 = no timer) */
#define SC_SESSION_TIMEOUT_DEFAULT 1800   /* also the trunk stack's own (session.c): no tag per call */
    int minimum_session_expires; /* minimum-session-expires: our Min-SE, s (120; RFC 4028: >= 90) */
    /* media (FreeSWITCH's names), read by calls/ through sc_gateway_get() and
     * checked by the media engine's sc_media_config_from_params() */
    char *codec_prefs, *rtp_ip, *ext_rtp_ip, *rtp_start_port, *rtp_end_port, *rtp_timeout_sec;
    char *rtp_hold_timeout_sec, *auto_jitterbuffer_msec, *rtp_secure_media, *dtmf_type;
    char *rfc2833_pt, *inband_dtmf;

    /* <variables>: NULL-terminated arrays of "name=value", direction split */
    char **inbound_vars;
    char **outbound_vars;

    char *warnings;            /* newline-separated, or NULL */
    char *get_buf;             /* backing store for sc_gateway_get(): one slot per param */
    char *proxy_hostport;      /* host[:port] of the effective proxy (from-domain fallback) */
};

/* Effective values with FreeSWITCH's fallbacks. Never NULL except password
 * (NULL when unset). */
const char *sc_gw_proxy(const sc_gateway *gw);         /* proxy, else realm, else name */
const char *sc_gw_realm(const sc_gateway *gw);         /* realm, else proxy, else name */
const char *sc_gw_from_user(const sc_gateway *gw);     /* from-user, else username */
const char *sc_gw_from_domain(const sc_gateway *gw);   /* from-domain, else proxy host */
const char *sc_gw_auth_username(const sc_gateway *gw); /* auth-username, else username */
const char *sc_gw_extension(const sc_gateway *gw);     /* extension, else username */
const char *sc_gw_username(const sc_gateway *gw);      /* username, else "FreeSWITCH" */
const char *sc_transport_name(sc_transport t);         /* "udp", "tcp", "tls" */

/* For the XML loader, which keeps going after a problem and reports each one
 * with its own location. */

/* A gateway whose name is not checked, so that the params of a <gateway> with
 * a bad or missing name can still be checked. Never NULL. */
sc_gateway *sc_gw_new_unchecked(const char *name);

/* True when FreeSWITCH would accept @p name as a gateway name (^[\w.-]+$). */
bool sc_gw_name_is_valid(const char *name);

/* sc_gateway_set() without touching the thread's last error. On failure
 * *error gets the message without "gateway/param" prefixes (g_free it) and
 * *error_names_param tells whether that message already names the param (the
 * "unknown parameter 'x'" case). On a correction *warning gets its text,
 * again without prefixes (g_free it). */
int sc_gw_set_detail(sc_gateway *gw, const char *param, const char *value,
                     char **error, bool *error_names_param, char **warning);

/* Adds a <variables> entry; values are copied. */
void sc_gw_add_variable(sc_gateway *gw, const char *name, const char *value,
                        bool inbound, bool outbound);

/* The cross-parameter checks of sc_gateway_validate(): calls @p problem once
 * per problem found, with the param concerned and a message without prefixes.
 * Returns the number of problems. */
typedef void (*sc_gw_problem_fn)(const char *param, const char *message, void *user);
int sc_gw_check(const sc_gateway *gw, sc_gw_problem_fn problem, void *user);

#endif
