/* A gateway's configuration: FreeSWITCH's <gateway> parameters, checked as
 * they are set.
 *
 * Every parameter is one row of `known_params`: its name, how its text is
 * read (bool, int, string, transport), where it lives in struct sc_gateway,
 * and the rule that checks it. FreeSWITCH's silent corrections
 * (retry-seconds below 5 becomes 30, ...) are applied the same way but leave
 * a warning, because a value that quietly changes is the kind of surprise a
 * trunk configuration should not hold.
 *
 * Passwords: the password value is never copied into an error, a warning or
 * a log line. The only messages that quote a value are those of params whose
 * rule can reject a value, and the password's rule accepts every value. */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <glib.h>

#include "error_priv.h"
#include "free_all.h"
#include "gateway_priv.h"
#include "fs_bool.h"
#include "skypeconnect/sc_dialrule.h"
#include "gateway_rule.h"
#include "media_param.h"

/* ---------------------------------------------------------------------------
 * The parameter table
 * ------------------------------------------------------------------------- */

typedef enum param_kind {
    KIND_BOOL,
    KIND_INT,
    KIND_STRING,
    KIND_TRANSPORT
} param_kind;

/* What a string value may contain. */
typedef enum text_rule {
    TEXT_ANY,          /* password: anything (and never quoted back) */
    TEXT_PRINTABLE,    /* no control characters (spaces allowed) */
    TEXT_HOST,         /* no whitespace, '<', '>', '"' or control characters */
    TEXT_PROXY,        /* TEXT_HOST, and "[sip:]host[:port][;params]" shaped */
    TEXT_USER,         /* no whitespace, control characters, '@', '<', '>' */
    TEXT_DIAL_PREFIX,  /* digits with an optional leading '+', at most 16 chars */
    TEXT_REGEX,        /* must compile as a GRegex */
    TEXT_MEDIA,        /* a media parameter's value (util/media_param.c) */
    TEXT_EXT_IP        /* ext-sip-ip: auto, stun:HOST[:PORT], or an address or host name */
} text_rule;

/* The effective value of an unset string param (FreeSWITCH's fallbacks). */
typedef const char *(*fallback_fn)(const sc_gateway *gw);

typedef struct param_def {
    const char *name;
    param_kind kind;
    size_t offset;             /* of the field in struct sc_gateway */
    /* KIND_STRING */
    text_rule rule;
    const char *reset_to;      /* value an empty string restores (NULL: unset) */
    fallback_fn fallback;      /* effective value when unset (NULL: "") */
    /* KIND_INT */
    int min, max;              /* accepted range, after any correction */
    int correct_below;         /* FreeSWITCH replaces values below this... */
    int corrected_to;          /* ...by this (0 with correct_below: "off") */
    bool zero_means_unset;     /* sc_gateway_get() shows 0 as "" */
    bool zero_is_off;          /* 0 is accepted below min: "off" */
} param_def;

#define FIELD(f) offsetof(struct sc_gateway, f)
#define SECONDS_MAX (365 * 24 * 3600) /* one year: anything longer is a typo */
#define DIAL_PREFIX_MAX 16

static const char *fallback_realm(const sc_gateway *gw) { return sc_gw_realm(gw); }
static const char *fallback_proxy(const sc_gateway *gw) { return sc_gw_proxy(gw); }
static const char *fallback_username(const sc_gateway *gw) { return sc_gw_username(gw); }
static const char *fallback_auth_username(const sc_gateway *gw) { return sc_gw_auth_username(gw); }
static const char *fallback_from_user(const sc_gateway *gw) { return sc_gw_from_user(gw); }
static const char *fallback_from_domain(const sc_gateway *gw) { return sc_gw_from_domain(gw); }
static const char *fallback_extension(const sc_gateway *gw) { return sc_gw_extension(gw); }

#define P_BOOL(n, f) { .name = n, .kind = KIND_BOOL, .offset = FIELD(f) }
#define P_STR(n, f, r, fb) { .name = n, .kind = KIND_STRING, .offset = FIELD(f), .rule = r, .fallback = fb }
#define P_STR_DEF(n, f, r, def) { .name = n, .kind = KIND_STRING, .offset = FIELD(f), .rule = r, .reset_to = def }
#define P_INT(n, f, lo, hi) { .name = n, .kind = KIND_INT, .offset = FIELD(f), .min = lo, .max = hi }
#define P_INT_FS(n, f, below, to) { .name = n, .kind = KIND_INT, .offset = FIELD(f), \
    .min = (to) ? (below) : 0, .max = SECONDS_MAX, .correct_below = below, .corrected_to = to }

/* The order is the order of sc_gateway_param_name(). */
static const param_def known_params[] = {
    P_BOOL("register", do_register),
    P_STR_DEF("scheme", scheme, TEXT_HOST, "Digest"),
    P_STR("realm", realm, TEXT_HOST, fallback_realm),
    P_STR("proxy", proxy, TEXT_PROXY, fallback_proxy),
    P_STR("register-proxy", register_proxy, TEXT_PROXY, NULL),
    P_STR("outbound-proxy", outbound_proxy, TEXT_PROXY, NULL),
    P_STR("username", username, TEXT_USER, fallback_username),
    P_STR("auth-username", auth_username, TEXT_USER, fallback_auth_username),
    P_STR("password", password, TEXT_ANY, NULL),
    P_STR("from-user", from_user, TEXT_USER, fallback_from_user),
    P_STR("from-domain", from_domain, TEXT_HOST, fallback_from_domain),
    P_STR("extension", extension, TEXT_USER, fallback_extension),
    P_BOOL("extension-in-contact", extension_in_contact),
    P_STR("contact-params", contact_params, TEXT_HOST, NULL),
    P_STR("contact-host", contact_host, TEXT_HOST, NULL),
    { .name = "register-transport", .kind = KIND_TRANSPORT, .offset = FIELD(register_transport) },
    P_INT_FS("expire-seconds", expire_seconds, 5, 3600),
    P_INT_FS("retry-seconds", retry_seconds, 5, 30),
    { .name = "908-retry-seconds", .kind = KIND_INT, .offset = FIELD(retry_908_seconds),
      .min = 0, .max = SECONDS_MAX, .zero_means_unset = true },
    P_INT_FS("timeout-seconds", timeout_seconds, 5, 60),
    P_BOOL("caller-id-in-from", caller_id_in_from),
    /* FreeSWITCH refuses a ping below 5 s and leaves pinging off. */
    P_INT_FS("ping", ping, 5, 0),
    P_INT("ping-min", ping_min, 1, 1000),
    P_INT("ping-max", ping_max, 1, 1000),
    P_STR("ping-user-agent", ping_user_agent, TEXT_PRINTABLE, NULL),
    P_BOOL("ping-monitoring", ping_monitoring),
    P_BOOL("contact-in-ping", contact_in_ping),
    P_BOOL("distinct-to", distinct_to),
    P_STR("destination-prefix", destination_prefix, TEXT_USER, NULL),
    P_STR_DEF("context", context, TEXT_HOST, "public"),
    P_STR("dial-prefix", dial_prefix, TEXT_DIAL_PREFIX, NULL),
    P_STR("dial-pattern", dial_pattern, TEXT_REGEX, NULL),
    P_STR("dial-format", dial_format, TEXT_USER, NULL),
    P_STR("emergency-country", emergency_country, TEXT_USER, NULL),
    P_STR("emergency-numbers", emergency_numbers, TEXT_USER, NULL),
    P_INT("max-channels", max_channels, 0, INT_MAX),
    P_INT("channels-busy-code", channels_busy_code, 400, 699),
    P_STR("ext-sip-ip", ext_sip_ip, TEXT_EXT_IP, NULL),
    P_BOOL("nat-options-ping", nat_options_ping),
    /* FreeSWITCH's name and unit (its profile's Sofia TPTAG_KEEPALIVE, ms);
     * below a second it would flood the NAT, above an hour it holds nothing */
    { .name = "tcp-keepalive", .kind = KIND_INT, .offset = FIELD(tcp_keepalive),
      .min = 1000, .max = 3600000, .zero_is_off = true },
    /* RFC 4028 session timers, FreeSWITCH's profile names: below 90 s the
     * far end must refuse them (422), above a day no call is kept alive */
    { .name = "session-timeout", .kind = KIND_INT, .offset = FIELD(session_timeout),
      .min = 90, .max = 86400, .zero_is_off = true },
    P_INT("minimum-session-expires", minimum_session_expires, 90, 86400),
    /* Media: kept as text here (config/ does not see the engine), each value
     * checked as it is set by the reading the engine uses (media_param.c);
     * whether this GStreamer has a codec is checked when a call asks for
     * media (docs/media.md). */
    P_STR("codec-prefs", codec_prefs, TEXT_MEDIA, NULL),
    P_STR("rtp-ip", rtp_ip, TEXT_MEDIA, NULL),
    P_STR("ext-rtp-ip", ext_rtp_ip, TEXT_MEDIA, NULL),
    P_STR("rtp-start-port", rtp_start_port, TEXT_MEDIA, NULL),
    P_STR("rtp-end-port", rtp_end_port, TEXT_MEDIA, NULL),
    P_STR("rtp-timeout-sec", rtp_timeout_sec, TEXT_MEDIA, NULL),
    P_STR("rtp-hold-timeout-sec", rtp_hold_timeout_sec, TEXT_MEDIA, NULL),
    P_STR("auto-jitterbuffer-msec", auto_jitterbuffer_msec, TEXT_MEDIA, NULL),
    P_STR("rtp-secure-media", rtp_secure_media, TEXT_MEDIA, NULL),
    P_STR("dtmf-type", dtmf_type, TEXT_MEDIA, NULL),
    P_STR("rfc2833-pt", rfc2833_pt, TEXT_MEDIA, NULL),
    P_STR("inband-dtmf", inband_dtmf, TEXT_MEDIA, NULL),
};
#define N_KNOWN_PARAMS (sizeof known_params / sizeof known_params[0])

/* Other spellings FreeSWITCH accepts for a known param. */
static const struct { const char *alias, *name; } param_aliases[] = {
    { "retry_seconds", "retry-seconds" },   /* FreeSWITCH's back-compat typo */
};

/* Params FreeSWITCH's parse_gateways() reads that we do not implement: a
 * FreeSWITCH file that uses them still loads, with a warning. cid-type is in
 * FreeSWITCH's example.xml but FreeSWITCH ignores it too. */
static const char *const fs_ignored_params[] = {
    "rfc-5626", "reg-id", "gw-auth-acl", "cid-type", "use-standard-contact",
    "registration-spread", "force-sipport", "max-retry-seconds", "register-route",
};

#define SLOT_SIZE 24 /* sc_gateway_get() text of one int param */

/* ---------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------- */

static char **string_field(sc_gateway *gw, const param_def *p)
{
    return (char **)((char *)gw + p->offset);
}

static char *const *string_field_c(const sc_gateway *gw, const param_def *p)
{
    return (char *const *)((const char *)gw + p->offset);
}

static int *int_field(sc_gateway *gw, const param_def *p)
{
    return (int *)((char *)gw + p->offset);
}

static int int_field_c(const sc_gateway *gw, const param_def *p)
{
    return *(const int *)((const char *)gw + p->offset);
}

static bool *bool_field(sc_gateway *gw, const param_def *p)
{
    return (bool *)((char *)gw + p->offset);
}

static bool bool_field_c(const sc_gateway *gw, const param_def *p)
{
    return *(const bool *)((const char *)gw + p->offset);
}

static bool is_set(const char *s)
{
    return s && *s;
}

/* A value quoted back in a message: control characters escaped (so a message
 * stays one line) and long values shortened. */
static char *quote_value(const char *value)
{
    GString *out = g_string_new(NULL);
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)value; *c; c++, n++) {
        if (n == 64) {
            g_string_append(out, "...");
            break;
        }
        if (*c < 0x20 || *c == 0x7f)
            g_string_append_printf(out, "\\x%02x", *c);
        else
            g_string_append_c(out, (char)*c);
    }
    return g_string_free(out, FALSE);
}

static char *value_error(const char *value, const char *what)
{
    char *q = quote_value(value);
    char *msg = g_strdup_printf("value '%s' %s", q, what);
    g_free(q);
    return msg;
}

static const param_def *find_param(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(param_aliases); i++)
        if (!strcmp(name, param_aliases[i].alias))
            name = param_aliases[i].name;
    for (size_t i = 0; i < N_KNOWN_PARAMS; i++)
        if (!strcmp(name, known_params[i].name))
            return &known_params[i];
    return NULL;
}

static bool is_fs_ignored_param(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fs_ignored_params); i++)
        if (!strcmp(name, fs_ignored_params[i]))
            return true;
    return false;
}

/* ---------------------------------------------------------------------------
 * "Did you mean": the closest known name within an edit distance of 2
 * ------------------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = g_new(size_t, lb + 1);
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
            size_t best = MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = MIN(best, diag + cost);
            diag = up;
        }
    }
    size_t d = row[lb];
    g_free(row);
    return d;
}

static void consider(const char *typed, const char *candidate, const char **best, size_t *best_d)
{
    size_t d = edit_distance(typed, candidate);
    if (d < *best_d) {
        *best = candidate;
        *best_d = d;
    }
}

static const char *closest_param_name(const char *typed)
{
    const char *best = NULL;
    size_t best_d = 3; /* suggest only within distance 2 */
    if (strlen(typed) > 64) return NULL; /* not a typo of ours */
    for (size_t i = 0; i < N_KNOWN_PARAMS; i++)
        consider(typed, known_params[i].name, &best, &best_d);
    for (size_t i = 0; i < G_N_ELEMENTS(fs_ignored_params); i++)
        consider(typed, fs_ignored_params[i], &best, &best_d);
    return best;
}

static char *unknown_param_message(const char *param)
{
    char *q = quote_value(param);
    const char *hint = closest_param_name(param);
    char *msg = hint ? g_strdup_printf("unknown parameter '%s'; did you mean '%s'?", q, hint)
                     : g_strdup_printf("unknown parameter '%s'", q);
    g_free(q);
    return msg;
}

/* ---------------------------------------------------------------------------
 * Reading values
 * ------------------------------------------------------------------------- */

/* FreeSWITCH's switch_true()/switch_false() spellings (sc_fs_bool). Anything
 * else is an error here, where FreeSWITCH would quietly read it as false. */
static bool parse_bool(const char *v, bool *out)
{
    return sc_fs_bool(v, out);
}

typedef enum { NUM_OK, NUM_NOT_WHOLE, NUM_TOO_BIG } num_result;

/* Whole decimal numbers only ("30", "-1"): no spaces, signs other than a
 * leading '-', fractions or hex, unlike atoi() which reads "30s" as 30. */
static num_result parse_whole_number(const char *v, long long *out)
{
    const char *digits = v[0] == '-' ? v + 1 : v;
    size_t n = strlen(digits);
    if (n == 0 || strspn(digits, "0123456789") != n) return NUM_NOT_WHOLE;
    while (n > 1 && *digits == '0') { digits++; n--; }
    if (n > 12) return NUM_TOO_BIG;
    *out = strtoll(v, NULL, 10);
    return NUM_OK;
}

static bool parse_transport(const char *v, sc_transport *out)
{
    static const sc_transport all[] = { SC_TRANSPORT_UDP, SC_TRANSPORT_TCP, SC_TRANSPORT_TLS };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        if (!g_ascii_strcasecmp(v, sc_transport_name(all[i]))) { *out = all[i]; return true; }
    return false;
}

/* ---------------------------------------------------------------------------
 * Checking string values
 * ------------------------------------------------------------------------- */

static bool has_control_char(const char *v)
{
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return true;
    return false;
}

/* The first byte of @p v that is a control character or one of @p banned. */
static const char *find_banned(const char *v, const char *banned, bool ban_space)
{
    for (const char *c = v; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u < 0x20 || u == 0x7f || strchr(banned, *c) || (ban_space && u == ' '))
            return c;
    }
    return NULL;
}

static char *banned_char_error(const char *value, const char *bad)
{
    unsigned char u = (unsigned char)*bad;
    char what[64];
    if (u == ' ' || u == '\t' || u == '\n' || u == '\r')
        snprintf(what, sizeof what, "contains whitespace");
    else if (u < 0x20 || u == 0x7f)
        snprintf(what, sizeof what, "contains a control character");
    else
        snprintf(what, sizeof what, "contains '%c', which is not allowed here", *bad);
    return value_error(value, what);
}

static bool parse_port(const char *s, size_t len)
{
    if (len == 0 || len > 5 || strspn(s, "0123456789") < len) return false;
    long port = strtol(s, NULL, 10);
    return port >= 1 && port <= 65535;
}

/* Where the host starts in a proxy "[sip:|sips:][user@]host[:port][;params]":
 * FreeSWITCH users write the proxy both as a URI and as a bare host:port. */
static const char *proxy_host(const char *proxy)
{
    const char *hp = proxy;
    if (!g_ascii_strncasecmp(hp, "sip:", 4)) hp += 4;
    else if (!g_ascii_strncasecmp(hp, "sips:", 5)) hp += 5;
    const char *at = strchr(hp, '@');
    return at ? at + 1 : hp;
}

/* Both forms of a proxy are accepted (see proxy_host). Only the host and
 * port are checked: the rest goes to the SIP stack as given. */
static char *check_proxy_shape(const char *value)
{
    const char *hp = proxy_host(value);
    size_t len = strcspn(hp, ";?");
    const char *colon = NULL;
    if (hp[0] == '[') { /* IPv6 reference */
        const char *close = memchr(hp, ']', len);
        if (!close) return value_error(value, "has an unclosed '[' in its host");
        if (close + 1 < hp + len) {
            if (close[1] != ':') return value_error(value, "has text after its IPv6 address");
            colon = close + 1;
        }
    } else {
        const char *first = memchr(hp, ':', len);
        /* more than one ':' without brackets: a bare IPv6 address, no port */
        if (first && !memchr(first + 1, ':', len - (size_t)(first + 1 - hp))) colon = first;
    }
    size_t host_len = colon ? (size_t)(colon - hp) : len;
    if (host_len == 0) return value_error(value, "has no host");
    if (colon && !parse_port(colon + 1, len - host_len - 1))
        return value_error(value, "has a port that is not a number from 1 to 65535");
    return NULL;
}

/* A host name or a numeric address (IPv6 with or without brackets). */
static bool is_host(const char *h, size_t len)
{
    char v6[INET6_ADDRSTRLEN + 1];
    unsigned char probe[sizeof(struct in6_addr)];
    bool bracketed = len > 2 && h[0] == '[' && h[len - 1] == ']';
    if (!len) return false;
    if (bracketed || memchr(h, ':', len)) {
        size_t n = bracketed ? len - 2 : len;
        if (n >= sizeof v6) return false;
        memcpy(v6, h + bracketed, n);
        v6[n] = '\0';
        return inet_pton(AF_INET6, v6, probe) == 1;
    }
    return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == len;
}

/* ext-sip-ip as nat.c reads it: what it cannot read is an error here, not
 * a Contact nobody can reach (FreeSWITCH's "host:NAME" and "autonat:" forms
 * are not supported). */
static char *check_ext_ip(const char *value)
{
    if (!g_ascii_strcasecmp(value, "auto") || !g_ascii_strcasecmp(value, "auto-nat")) return NULL;
    if (!g_ascii_strncasecmp(value, "stun:", 5)) {
        const char *hp = value + 5, *end = hp[0] == '[' ? strchr(hp, ']') : NULL;
        const char *colon = end ? (end[1] == ':' ? end + 1 : NULL) : strrchr(hp, ':');
        size_t hlen = end ? (size_t)(end + 1 - hp) : colon ? (size_t)(colon - hp) : strlen(hp);
        if (end && end[1] && end[1] != ':') colon = end + 1;  /* junk after ']' */
        if (!is_host(hp, hlen) || (colon && (colon[0] != ':' || !parse_port(colon + 1, strlen(colon + 1)))))
            return value_error(value, "is not stun:HOST[:PORT] (a host name or address, a port from 1 to 65535)");
        return NULL;
    }
    if (!is_host(value, strlen(value)))
        return value_error(value, "is not an address, a host name, auto or stun:HOST[:PORT]");
    return NULL;
}

static char *check_dial_prefix(const char *value)
{
    const char *digits = value[0] == '+' ? value + 1 : value;
    if (strlen(value) > DIAL_PREFIX_MAX)
        return value_error(value, "is longer than 16 characters");
    if (!*digits || strspn(digits, "0123456789") != strlen(digits))
        return value_error(value, "is not a dial prefix (digits with an optional leading '+')");
    return NULL;
}

static char *check_regex(const char *value)
{
    GError *err = NULL;
    GRegex *re;
    /* GLib hands a pattern to PCRE2 without checking its UTF-8, and PCRE2
     * then reads past a broken sequence (the number-path fuzzer found a
     * crash here): refuse such text before compiling it. */
    if (!g_utf8_validate(value, -1, NULL)) return value_error(value, "is not valid UTF-8 text");
    re = g_regex_new(value, 0, 0, &err);
    if (re) {
        g_regex_unref(re);
        return NULL;
    }
    char *what = g_strdup_printf("is not a valid regular expression: %s", err->message);
    char *msg = value_error(value, what);
    g_free(what);
    g_error_free(err);
    return msg;
}

/* NULL when @p value is acceptable for @p p's rule, else the error message. */
static char *check_text(const param_def *p, const char *value)
{
    const char *bad = NULL;
    int num;
    switch (p->rule) {
    case TEXT_ANY:
        return NULL;
    case TEXT_PRINTABLE:
        return has_control_char(value) ? value_error(value, "contains a control character") : NULL;
    case TEXT_HOST:
        bad = find_banned(value, "<>\"", true);
        break;
    case TEXT_PROXY:
        bad = find_banned(value, "<>\"", true);
        if (!bad) return check_proxy_shape(value);
        break;
    case TEXT_USER:
        bad = find_banned(value, "@<>", true);
        break;
    case TEXT_DIAL_PREFIX:
        return check_dial_prefix(value);
    case TEXT_REGEX:
        return check_regex(value);
    case TEXT_MEDIA:
        if (has_control_char(value)) return value_error(value, "contains a control character");
        return sc_media_param_read(p->name, value, &num);
    case TEXT_EXT_IP:
        return check_ext_ip(value);
    }
    return bad ? banned_char_error(value, bad) : NULL;
}

/* ---------------------------------------------------------------------------
 * Derived values
 * ------------------------------------------------------------------------- */

/* host[:port] of a proxy written as a URI or as host:port. */
static char *hostport_of(const char *proxy)
{
    const char *hp = proxy_host(proxy);
    return g_strndup(hp, strcspn(hp, ";?>"));
}

static void refresh_derived(sc_gateway *gw)
{
    g_free(gw->proxy_hostport);
    gw->proxy_hostport = hostport_of(sc_gw_proxy(gw));
}

static void add_warning(sc_gateway *gw, const char *param, const char *text)
{
    char *line = g_strdup_printf("param '%s': %s", param, text);
    if (gw->warnings) {
        char *joined = g_strconcat(gw->warnings, "\n", line, NULL);
        g_free(gw->warnings);
        g_free(line);
        gw->warnings = joined;
    } else {
        gw->warnings = line;
    }
}

/* ---------------------------------------------------------------------------
 * Setting one param
 * ------------------------------------------------------------------------- */

static char *set_bool(sc_gateway *gw, const param_def *p, const char *value)
{
    bool b;
    if (!parse_bool(value, &b))
        return value_error(value, "is not a boolean (true/false, yes/no, on/off, 1/0, "
                                  "enabled/disabled)");
    *bool_field(gw, p) = b;
    return NULL;
}

static char *set_transport(sc_gateway *gw, const param_def *p, const char *value)
{
    sc_transport t;
    if (!parse_transport(value, &t))
        return value_error(value, "is not a supported transport (udp, tcp or tls)");
    *(sc_transport *)((char *)gw + p->offset) = t;
    return NULL;
}

static char *set_int(sc_gateway *gw, const param_def *p, const char *value, char **warning)
{
    long long n;
    switch (parse_whole_number(value, &n)) {
    case NUM_NOT_WHOLE: return value_error(value, "is not a whole number");
    case NUM_TOO_BIG: return value_error(value, "is out of range");
    case NUM_OK: break;
    }
    if (p->correct_below && n < p->correct_below && !(p->corrected_to == 0 && n == 0)) {
        if (p->corrected_to)
            *warning = g_strdup_printf("value %lld is below %d; using %d instead, as FreeSWITCH does",
                                       n, p->correct_below, p->corrected_to);
        else
            *warning = g_strdup_printf("value %lld is below %d, which FreeSWITCH refuses; "
                                       "it stays off", n, p->correct_below);
        n = p->corrected_to;
    } else if ((n < p->min && !(p->zero_is_off && n == 0)) || n > p->max) {
        char what[96];
        snprintf(what, sizeof what, "is out of range (%s%d to %d)", p->zero_is_off ? "0 for off, or " : "",
                 p->min, p->max);
        return value_error(value, what);
    }
    *int_field(gw, p) = (int)n;
    return NULL;
}

static char *set_string(sc_gateway *gw, const param_def *p, const char *value)
{
    char **field = string_field(gw, p);
    if (*value) {
        char *err = check_text(p, value);
        if (err) return err;
    }
    g_free(*field);
    /* FreeSWITCH reads an empty value as "not given" (zstr()). */
    *field = *value ? g_strdup(value) : g_strdup(p->reset_to);
    if (p->offset == FIELD(extension)) gw->extension_set = *value != '\0';
    return NULL;
}

static char *set_known_param(sc_gateway *gw, const param_def *p, const char *value, char **warning)
{
    switch (p->kind) {
    case KIND_BOOL: return set_bool(gw, p, value);
    case KIND_INT: return set_int(gw, p, value, warning);
    case KIND_TRANSPORT: return set_transport(gw, p, value);
    case KIND_STRING: return set_string(gw, p, value);
    }
    return g_strdup("internal error: unknown param kind");
}

int sc_gw_set_detail(sc_gateway *gw, const char *param, const char *value,
                     char **error, bool *error_names_param, char **warning)
{
    *error = NULL;
    *warning = NULL;
    *error_names_param = false;
    const param_def *p = find_param(param);
    if (!p && is_fs_ignored_param(param)) {
        *warning = g_strdup("ignored: FreeSWITCH knows this parameter but libskypeconnect "
                            "does not implement it");
        add_warning(gw, param, *warning);
        return SC_OK;
    }
    if (!p) {
        *error = unknown_param_message(param);
        *error_names_param = true;
        return SC_ENOTFOUND;
    }
    *error = set_known_param(gw, p, value, warning);
    if (*error) {
        g_free(*warning);
        *warning = NULL;
        return SC_EINVAL;
    }
    if (*warning) add_warning(gw, p->name, *warning);
    refresh_derived(gw);
    return SC_OK;
}

/* ---------------------------------------------------------------------------
 * Life cycle
 * ------------------------------------------------------------------------- */

sc_gateway *sc_gw_new_unchecked(const char *name)
{
    sc_gateway *gw = g_new0(sc_gateway, 1);
    gw->name = g_strdup(name ? name : "");
    gw->do_register = true;
    gw->scheme = g_strdup("Digest");
    gw->register_transport = SC_TRANSPORT_UDP;
    gw->expire_seconds = 3600;
    gw->retry_seconds = 30;
    gw->timeout_seconds = 60;
    gw->ping_min = 1;
    gw->ping_max = 1;
    gw->context = g_strdup("public");
    gw->channels_busy_code = 486;
    gw->nat_options_ping = true;
    gw->session_timeout = SC_SESSION_TIMEOUT_DEFAULT;
    gw->minimum_session_expires = 120;
    gw->get_buf = g_malloc0(N_KNOWN_PARAMS * SLOT_SIZE);
    refresh_derived(gw);
    return gw;
}

bool sc_gw_name_is_valid(const char *name)
{
    if (!name || !*name) return false;
    for (const char *c = name; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '.' && *c != '-') return false;
    return true;
}

SC_API sc_gateway *sc_gateway_new(const char *name)
{
    if (!name) return sc_fail_null(SC_EINVAL, "gateway name is NULL");
    if (!sc_gw_name_is_valid(name)) {
        char *q = quote_value(name);
        sc_fail(SC_EINVAL, "gateway name '%s' is invalid: FreeSWITCH accepts only letters, "
                "digits, '_', '.' and '-'", q);
        g_free(q);
        return NULL;
    }
    sc_clear_error();
    return sc_gw_new_unchecked(name);
}

static char **copy_vars(char **vars)
{
    return vars ? g_strdupv(vars) : NULL;
}

SC_API sc_gateway *sc_gateway_copy(const sc_gateway *gw)
{
    if (!gw) return sc_fail_null(SC_EINVAL, "gateway is NULL");
    sc_gateway *copy = g_new(sc_gateway, 1);
    *copy = *gw; /* scalars; every pointer is replaced below */
    copy->name = g_strdup(gw->name);
    for (size_t i = 0; i < N_KNOWN_PARAMS; i++)
        if (known_params[i].kind == KIND_STRING)
            *string_field(copy, &known_params[i]) = g_strdup(*string_field_c(gw, &known_params[i]));
    copy->inbound_vars = copy_vars(gw->inbound_vars);
    copy->outbound_vars = copy_vars(gw->outbound_vars);
    copy->warnings = g_strdup(gw->warnings);
    copy->get_buf = g_malloc0(N_KNOWN_PARAMS * SLOT_SIZE);
    copy->proxy_hostport = g_strdup(gw->proxy_hostport);
    sc_clear_error();
    return copy;
}

SC_API void sc_gateway_free(sc_gateway *gw)
{
    if (!gw) return;
    for (size_t i = 0; i < N_KNOWN_PARAMS; i++)
        if (known_params[i].kind == KIND_STRING) g_free(*string_field(gw, &known_params[i]));
    SC_FREE_ALL(gw->name, gw->warnings, gw->get_buf, gw->proxy_hostport);
    g_strfreev(gw->inbound_vars);
    g_strfreev(gw->outbound_vars);
    g_free(gw);
}

SC_API const char *sc_gateway_name(const sc_gateway *gw)
{
    return gw ? gw->name : NULL;
}

/* ---------------------------------------------------------------------------
 * Public set/get
 * ------------------------------------------------------------------------- */

SC_API int sc_gateway_set(sc_gateway *gw, const char *param, const char *value)
{
    if (!gw || !param || !value)
        return sc_fail(SC_EINVAL, "sc_gateway_set: %s is NULL",
                       !gw ? "gateway" : !param ? "param" : "value");
    char *error, *warning;
    bool names_param;
    int status = sc_gw_set_detail(gw, param, value, &error, &names_param, &warning);
    if (status == SC_OK) {
        sc_clear_error();
    } else if (names_param) {
        sc_fail(status, "gateway '%s': %s", gw->name, error);
    } else {
        sc_fail(status, "gateway '%s': param '%s': %s", gw->name, param, error);
    }
    g_free(error);
    g_free(warning);
    return status;
}

static const char *int_text(const sc_gateway *gw, const param_def *p)
{
    int n = int_field_c(gw, p);
    if (n == 0 && p->zero_means_unset) return "";
    /* One slot per param, so an earlier sc_gateway_get() result stays valid
     * until the next sc_gateway_set(), as documented. */
    char *slot = gw->get_buf + (size_t)(p - known_params) * SLOT_SIZE;
    snprintf(slot, SLOT_SIZE, "%d", n);
    return slot;
}

static const char *string_text(const sc_gateway *gw, const param_def *p)
{
    const char *v = *string_field_c(gw, p);
    if (p->offset == FIELD(password)) return is_set(v) ? "<hidden>" : "";
    if (p->fallback) return p->fallback(gw);
    return v ? v : "";
}

SC_API const char *sc_gateway_get(const sc_gateway *gw, const char *param)
{
    if (!gw || !param)
        return sc_fail_null(SC_EINVAL, "sc_gateway_get: %s is NULL", !gw ? "gateway" : "param");
    const param_def *p = find_param(param);
    if (!p && is_fs_ignored_param(param)) return ""; /* known, never holds a value */
    if (!p) {
        char *msg = unknown_param_message(param);
        sc_fail(SC_ENOTFOUND, "gateway '%s': %s", gw->name, msg);
        g_free(msg);
        return NULL;
    }
    switch (p->kind) {
    case KIND_BOOL: return bool_field_c(gw, p) ? "true" : "false";
    case KIND_INT: return int_text(gw, p);
    case KIND_TRANSPORT: return sc_transport_name(gw->register_transport);
    case KIND_STRING: return string_text(gw, p);
    }
    return "";
}

SC_API char *sc_gateway_warnings(const sc_gateway *gw)
{
    return gw && gw->warnings ? g_strdup(gw->warnings) : NULL;
}

SC_API size_t sc_gateway_param_count(void)
{
    return N_KNOWN_PARAMS;
}

SC_API const char *sc_gateway_param_name(size_t i)
{
    return i < N_KNOWN_PARAMS ? known_params[i].name : NULL;
}

/* ---------------------------------------------------------------------------
 * Variables
 * ------------------------------------------------------------------------- */

static void append_var(char ***vars, const char *name, const char *value)
{
    size_t n = *vars ? g_strv_length(*vars) : 0;
    *vars = g_renew(char *, *vars, n + 2);
    (*vars)[n] = g_strdup_printf("%s=%s", name, value);
    (*vars)[n + 1] = NULL;
}

void sc_gw_add_variable(sc_gateway *gw, const char *name, const char *value,
                        bool inbound, bool outbound)
{
    if (inbound) append_var(&gw->inbound_vars, name, value);
    if (outbound) append_var(&gw->outbound_vars, name, value);
}

/* ---------------------------------------------------------------------------
 * Cross-parameter checks
 * ------------------------------------------------------------------------- */

/* The dial rule must be one the library can build: the same builder as the
 * session's and the policy's (gateway_rule.c), so a configuration check
 * accepts exactly what dialling accepts. A rule that does not build would
 * otherwise leave the gateway without one, and dialplan bridges through it
 * with the any-number rule. */
static int check_dial_policy(const sc_gateway *gw, sc_gw_problem_fn problem, void *user)
{
    const char *bad = NULL;
    sc_dialrule *rule = NULL;
    int found = 0;
    if (sc_gw_rule_build(gw, false, &rule, &bad) != SC_OK) {
        problem(bad ? bad : "dial-prefix", sc_last_error(), user);
        found++;
    }
    sc_dialrule_free(rule);
    /* destination-prefix goes before every dialled number on the wire,
     * where the emergency check runs: it must keep the number a number. */
    if (is_set(gw->destination_prefix)) {
        const char *d = gw->destination_prefix + (gw->destination_prefix[0] == '+');
        if (strspn(d, "0123456789") != strlen(d) || strlen(gw->destination_prefix) > DIAL_PREFIX_MAX) {
            char *msg = value_error(gw->destination_prefix,
                                    "is not a number prefix (at most 16 digits with an optional leading '+')");
            problem("destination-prefix", msg, user);
            g_free(msg);
            found++;
        }
    }
    return found;
}

/* rtp-start-port below rtp-end-port (each value was checked as it was set). */
static int check_rtp_ports(const sc_gateway *gw, sc_gw_problem_fn problem, void *user)
{
    int start = 0, end = 0;
    char *msg, *e1 = NULL, *e2 = NULL;
    if (!is_set(gw->rtp_start_port) || !is_set(gw->rtp_end_port)) return 0;
    e1 = sc_media_param_read("rtp-start-port", gw->rtp_start_port, &start);
    e2 = sc_media_param_read("rtp-end-port", gw->rtp_end_port, &end);
    msg = e1 || e2 ? NULL : sc_media_port_range_problem(start, end);
    g_free(e1);
    g_free(e2);
    if (!msg) return 0;
    problem("rtp-end-port", msg, user);
    g_free(msg);
    return 1;
}

int sc_gw_check(const sc_gateway *gw, sc_gw_problem_fn problem, void *user)
{
    int found = 0;
    if (gw->do_register && !is_set(gw->username)) {
        problem("username", "is required when register is true", user);
        found++;
    }
    if (gw->do_register && !is_set(gw->password)) {
        problem("password", "is required when register is true", user);
        found++;
    }
    if (is_set(gw->dial_prefix) && is_set(gw->dial_pattern)) {
        problem("dial-pattern", "cannot be used together with dial-prefix; set only one", user);
        found++;
    }
    if (is_set(gw->dial_format) && !is_set(gw->dial_pattern)) {
        problem("dial-format", "needs dial-pattern (dial-prefix always dials the whole number)", user);
        found++;
    }
    found += check_dial_policy(gw, problem, user);
    found += check_rtp_ports(gw, problem, user);
    if (gw->session_timeout && gw->session_timeout < gw->minimum_session_expires) {
        char msg[112];
        snprintf(msg, sizeof msg, "(%d) is below minimum-session-expires (%d); 0 turns the timer off",
                 gw->session_timeout, gw->minimum_session_expires);
        problem("session-timeout", msg, user);
        found++;
    }
    if (gw->ping_min > gw->ping_max) {
        char msg[96];
        snprintf(msg, sizeof msg, "ping-min (%d) is greater than ping-max (%d)",
                 gw->ping_min, gw->ping_max);
        problem("ping-min", msg, user);
        found++;
    }
    return found;
}

static void collect_problem(const char *param, const char *message, void *user)
{
    GString *all = user;
    if (all->len) g_string_append(all, "; ");
    g_string_append_printf(all, "param '%s': %s", param, message);
}

SC_API int sc_gateway_validate(const sc_gateway *gw)
{
    if (!gw) return sc_fail(SC_EINVAL, "gateway is NULL");
    GString *all = g_string_new(NULL);
    int problems = sc_gw_check(gw, collect_problem, all);
    int status = problems ? sc_fail(SC_ECONFIG, "gateway '%s': %s", gw->name, all->str) : SC_OK;
    if (!problems) sc_clear_error();
    g_string_free(all, TRUE);
    return status;
}

/* ---------------------------------------------------------------------------
 * Effective values
 * ------------------------------------------------------------------------- */

const char *sc_gw_realm(const sc_gateway *gw)
{
    return is_set(gw->realm) ? gw->realm : is_set(gw->proxy) ? gw->proxy : gw->name;
}

const char *sc_gw_proxy(const sc_gateway *gw)
{
    return is_set(gw->proxy) ? gw->proxy : is_set(gw->realm) ? gw->realm : gw->name;
}

const char *sc_gw_username(const sc_gateway *gw)
{
    if (is_set(gw->username)) return gw->username;
    /* FreeSWITCH names an IP-auth (register=false) trunk's user "FreeSWITCH";
     * a registering gateway without username fails validation instead. */
    return gw->do_register ? "" : "FreeSWITCH";
}

const char *sc_gw_from_user(const sc_gateway *gw)
{
    return is_set(gw->from_user) ? gw->from_user : sc_gw_username(gw);
}

const char *sc_gw_auth_username(const sc_gateway *gw)
{
    return is_set(gw->auth_username) ? gw->auth_username : sc_gw_username(gw);
}

const char *sc_gw_extension(const sc_gateway *gw)
{
    return is_set(gw->extension) ? gw->extension : sc_gw_username(gw);
}

const char *sc_gw_from_domain(const sc_gateway *gw)
{
    return is_set(gw->from_domain) ? gw->from_domain : gw->proxy_hostport;
}

const char *sc_transport_name(sc_transport t)
{
    switch (t) {
    case SC_TRANSPORT_UDP: return "udp";
    case SC_TRANSPORT_TCP: return "tcp";
    case SC_TRANSPORT_TLS: return "tls";
    }
    return "udp";
}
