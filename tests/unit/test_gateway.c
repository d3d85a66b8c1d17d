/* Gateway parameters: names, values, FreeSWITCH defaults, fallbacks and
 * corrections, cross-parameter checks, and the password never leaking. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_gateway.h"
#include "gateway_priv.h"
#include "sc_test.h"

#define SECRET "S3cr3t-xyz"

static sc_gateway *skype(void)
{
    sc_gateway *gw = sc_gateway_new("skype");
    CHECK(gw != NULL);
    return gw;
}

/* sc_gateway_set() must fail with @p status and exactly @p error. */
static void check_set_fails(sc_gateway *gw, const char *param, const char *value, int status,
                            const char *error)
{
    int rc = sc_gateway_set(gw, param, value);
    CHECK_EQ_INT(rc, status);
    CHECK_EQ_INT(sc_last_status(), status);
    CHECK_STR(sc_last_error(), error);
}

static void test_names(void)
{
    const char *good[] = { "skype", "a", "gw_1", "trunk.example-2", "A.B_C-D" };
    const char *bad[] = { "", "with space", "a/b", "a:b", "caf\xc3\xa9", "a@b", "<x>" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        sc_gateway *gw = sc_gateway_new(good[i]);
        CHECK(gw != NULL);
        CHECK_STR(sc_gateway_name(gw), good[i]);
        sc_gateway_free(gw);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(sc_gateway_new(bad[i]) == NULL);
        CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "gateway name");
    }
    CHECK(sc_gateway_new(NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    sc_gateway_free(NULL);
    CHECK(sc_gateway_name(NULL) == NULL);
}

static void test_defaults(void)
{
    sc_gateway *gw = skype();
    CHECK_STR(sc_gateway_get(gw, "register"), "true");
    CHECK_STR(sc_gateway_get(gw, "scheme"), "Digest");
    CHECK_STR(sc_gateway_get(gw, "realm"), "skype");      /* no proxy: the name */
    CHECK_STR(sc_gateway_get(gw, "proxy"), "skype");
    CHECK_STR(sc_gateway_get(gw, "from-domain"), "skype");
    CHECK_STR(sc_gateway_get(gw, "username"), "");        /* required when registering */
    CHECK_STR(sc_gateway_get(gw, "password"), "");
    CHECK_STR(sc_gateway_get(gw, "register-transport"), "udp");
    CHECK_STR(sc_gateway_get(gw, "expire-seconds"), "3600");
    CHECK_STR(sc_gateway_get(gw, "retry-seconds"), "30");
    CHECK_STR(sc_gateway_get(gw, "retry_seconds"), "30");
    CHECK_STR(sc_gateway_get(gw, "908-retry-seconds"), "");
    CHECK_STR(sc_gateway_get(gw, "timeout-seconds"), "60");
    CHECK_STR(sc_gateway_get(gw, "ping"), "0");
    CHECK_STR(sc_gateway_get(gw, "ping-min"), "1");
    CHECK_STR(sc_gateway_get(gw, "ping-max"), "1");
    CHECK_STR(sc_gateway_get(gw, "context"), "public");
    CHECK_STR(sc_gateway_get(gw, "max-channels"), "0");
    CHECK_STR(sc_gateway_get(gw, "extension-in-contact"), "false");
    CHECK_STR(sc_gateway_get(gw, "caller-id-in-from"), "false");
    CHECK_STR(sc_gateway_get(gw, "distinct-to"), "false");
    CHECK_STR(sc_gateway_get(gw, "ping-monitoring"), "false");
    CHECK_STR(sc_gateway_get(gw, "contact-in-ping"), "false");
    CHECK_STR(sc_gateway_get(gw, "contact-params"), "");
    CHECK_STR(sc_gateway_get(gw, "destination-prefix"), "");
    CHECK_STR(sc_gateway_get(gw, "dial-prefix"), "");
    CHECK_STR(sc_gateway_get(gw, "gw-auth-acl"), ""); /* known to FreeSWITCH, ignored */
    CHECK(sc_gateway_warnings(gw) == NULL);
    CHECK(gw->do_register && !gw->extension_set && gw->register_transport == SC_TRANSPORT_UDP);
    sc_gateway_free(gw);
}

static void test_fallbacks(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "realm", "realm.example"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "proxy"), "realm.example");   /* proxy <- realm */
    CHECK_STR(sc_gw_proxy(gw), "realm.example");
    CHECK_STR(sc_gateway_get(gw, "from-domain"), "realm.example");
    CHECK_EQ_INT(sc_gateway_set(gw, "realm", ""), SC_OK);      /* "" = not given */
    CHECK_EQ_INT(sc_gateway_set(gw, "proxy", "sip:192.0.2.1:5070;transport=tcp"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "realm"), "sip:192.0.2.1:5070;transport=tcp"); /* realm <- proxy */
    CHECK_STR(sc_gateway_get(gw, "from-domain"), "192.0.2.1:5070");  /* the proxy's host:port */
    CHECK_STR(sc_gw_from_domain(gw), "192.0.2.1:5070");
    CHECK_EQ_INT(sc_gateway_set(gw, "from-domain", "example.com"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "from-domain"), "example.com");

    CHECK_EQ_INT(sc_gateway_set(gw, "username", "skypeuser"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "from-user"), "skypeuser");
    CHECK_STR(sc_gateway_get(gw, "auth-username"), "skypeuser");
    CHECK_STR(sc_gateway_get(gw, "extension"), "skypeuser");
    CHECK_STR(sc_gw_from_user(gw), "skypeuser");
    CHECK_STR(sc_gw_auth_username(gw), "skypeuser");
    CHECK_STR(sc_gw_extension(gw), "skypeuser");
    CHECK(!gw->extension_set);
    CHECK_EQ_INT(sc_gateway_set(gw, "from-user", "fromu"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "auth-username", "authu"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "extension", "1000"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "from-user"), "fromu");
    CHECK_STR(sc_gateway_get(gw, "auth-username"), "authu");
    CHECK_STR(sc_gateway_get(gw, "extension"), "1000");
    CHECK(gw->extension_set);
    CHECK_EQ_INT(sc_gateway_set(gw, "context", "skype-in"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "context"), "skype-in");
    CHECK_EQ_INT(sc_gateway_set(gw, "context", ""), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "context"), "public");
    CHECK_EQ_INT(sc_gateway_set(gw, "scheme", ""), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "scheme"), "Digest");
    sc_gateway_free(gw);

    /* An IP-auth trunk: FreeSWITCH calls its user "FreeSWITCH". */
    gw = sc_gateway_new("ip");
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "username"), "FreeSWITCH");
    CHECK_STR(sc_gateway_get(gw, "from-user"), "FreeSWITCH");
    CHECK_STR(sc_gateway_get(gw, "extension"), "FreeSWITCH");
    CHECK_STR(sc_gw_username(gw), "FreeSWITCH");
    CHECK_STR(sc_gw_realm(gw), "ip");
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "proxy", "[2001:db8::1]:5062"), SC_OK);
    CHECK_STR(sc_gw_from_domain(gw), "[2001:db8::1]:5062");
    sc_gateway_free(gw);
}

static void test_booleans(void)
{
    const char *yes[] = { "true", "TRUE", "yes", "Yes", "on", "1", "enabled", "t", "active", "allow", "2" };
    const char *no[] = { "false", "False", "no", "NO", "off", "0", "disabled", "f", "inactive", "disallow", "00" };
    sc_gateway *gw = skype();
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "distinct-to", "false"), SC_OK);
        CHECK_EQ_INT(sc_gateway_set(gw, "distinct-to", yes[i]), SC_OK);
        CHECK_STR(sc_gateway_get(gw, "distinct-to"), "true");
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "distinct-to", "true"), SC_OK);
        CHECK_EQ_INT(sc_gateway_set(gw, "distinct-to", no[i]), SC_OK);
        CHECK_STR(sc_gateway_get(gw, "distinct-to"), "false");
    }
    check_set_fails(gw, "register", "maybe", SC_EINVAL,
                    "gateway 'skype': param 'register': value 'maybe' is not a boolean "
                    "(true/false, yes/no, on/off, 1/0, enabled/disabled)");
    check_set_fails(gw, "ping-monitoring", "", SC_EINVAL,
                    "gateway 'skype': param 'ping-monitoring': value '' is not a boolean "
                    "(true/false, yes/no, on/off, 1/0, enabled/disabled)");
    CHECK_EQ_INT(sc_gateway_set(gw, "caller-id-in-from", "true "), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "contact-in-ping", "-1"), SC_EINVAL);
    CHECK_STR(sc_gateway_get(gw, "register"), "true"); /* a failed set changes nothing */
    sc_gateway_free(gw);
}

static void test_integers(void)
{
    sc_gateway *gw = skype();
    check_set_fails(gw, "retry-seconds", "abc", SC_EINVAL,
                    "gateway 'skype': param 'retry-seconds': value 'abc' is not a whole number");
    const char *not_whole[] = { "", "3.5", " 30", "30 ", "30s", "0x10", "+30", "-", "1e3" };
    for (size_t i = 0; i < sizeof not_whole / sizeof *not_whole; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", not_whole[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "is not a whole number");
    }
    check_set_fails(gw, "expire-seconds", "99999999999999999999", SC_EINVAL,
                    "gateway 'skype': param 'expire-seconds': value '99999999999999999999' "
                    "is out of range");
    CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", "31536001"), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "is out of range (5 to 31536000)");
    CHECK_EQ_INT(sc_gateway_set(gw, "max-channels", "-1"), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "value '-1' is out of range");
    CHECK_EQ_INT(sc_gateway_set(gw, "ping-max", "0"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "908-retry-seconds", "-5"), SC_EINVAL);
    CHECK_STR(sc_gateway_get(gw, "expire-seconds"), "3600");
    CHECK_STR(sc_gateway_get(gw, "max-channels"), "0");

    CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", "600"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "retry-seconds", "0045"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "908-retry-seconds", "120"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "timeout-seconds", "20"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "max-channels", "4"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "ping", "25"), SC_OK);
    CHECK_EQ_INT(gw->expire_seconds, 600);
    CHECK_EQ_INT(gw->retry_seconds, 45);
    CHECK_EQ_INT(gw->retry_908_seconds, 120);
    CHECK_EQ_INT(gw->timeout_seconds, 20);
    CHECK_EQ_INT(gw->max_channels, 4);
    CHECK_EQ_INT(gw->ping, 25);
    /* earlier results stay valid until the next set */
    const char *e = sc_gateway_get(gw, "expire-seconds");
    const char *r = sc_gateway_get(gw, "retry-seconds");
    CHECK_STR(e, "600");
    CHECK_STR(r, "45");
    CHECK(sc_gateway_warnings(gw) == NULL);
    sc_gateway_free(gw);
}

/* Each of the NULL-terminated @p bad values is refused, the param named. */
static void check_refused(sc_gateway *gw, const char *param, const char *const *bad)
{
    char named[96];
    snprintf(named, sizeof named, "param '%s'", param);
    for (; *bad; bad++) {
        CHECK_EQ_INT(sc_gateway_set(gw, param, *bad), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), named);
    }
}

/* Session timers: session-timeout 0 (off) or 90 s to a day, the minimum 90 s
 * to a day (RFC 4028's floor), and the timeout never below the minimum. */
static void test_session_timers(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);   /* valid but for the timers */
    CHECK_STR(sc_gateway_get(gw, "session-timeout"), "1800");
    CHECK_STR(sc_gateway_get(gw, "minimum-session-expires"), "120");
    check_set_fails(gw, "session-timeout", "60", SC_EINVAL,
                    "gateway 'skype': param 'session-timeout': value '60' is out of range "
                    "(0 for off, or 90 to 86400)");
    check_set_fails(gw, "minimum-session-expires", "89", SC_EINVAL,
                    "gateway 'skype': param 'minimum-session-expires': value '89' is out of range "
                    "(90 to 86400)");
    const char *bad[] = { "-1", "86401", "30m", "", "1.5", "0x100", NULL };
    check_refused(gw, "session-timeout", bad);
    check_refused(gw, "minimum-session-expires", bad);
    CHECK_EQ_INT(gw->session_timeout, 1800);
    CHECK_EQ_INT(gw->minimum_session_expires, 120);
    CHECK_EQ_INT(sc_gateway_set(gw, "session-timeout", "0"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "session-timeout", "100"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "param 'session-timeout': (100) is below minimum-session-expires (120)");
    CHECK_EQ_INT(sc_gateway_set(gw, "minimum-session-expires", "90"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK(sc_gateway_warnings(gw) == NULL);
    sc_gateway_free(gw);
}

/* tcp-keepalive: FreeSWITCH's milliseconds; 0 is off, anything else from a
 * second to an hour (less floods the NAT, more holds no mapping). */
static void test_tcp_keepalive(void)
{
    sc_gateway *gw = skype();
    CHECK_STR(sc_gateway_get(gw, "tcp-keepalive"), "0");
    check_set_fails(gw, "tcp-keepalive", "500", SC_EINVAL,
                    "gateway 'skype': param 'tcp-keepalive': value '500' is out of range "
                    "(0 for off, or 1000 to 3600000)");
    const char *bad[] = { "-1", "999", "3600001", "15s", "", "1.5", NULL };
    check_refused(gw, "tcp-keepalive", bad);
    CHECK_EQ_INT(gw->tcp_keepalive, 0);
    CHECK_EQ_INT(sc_gateway_set(gw, "tcp-keepalive", "15000"), SC_OK);
    CHECK_EQ_INT(gw->tcp_keepalive, 15000);
    CHECK_EQ_INT(sc_gateway_set(gw, "tcp-keepalive", "0"), SC_OK);
    CHECK_EQ_INT(gw->tcp_keepalive, 0);
    CHECK(sc_gateway_warnings(gw) == NULL);
    sc_gateway_free(gw);
}

/* ext-sip-ip: what nat.c can read, or a clear error naming the value. */
static void test_ext_sip_ip(void)
{
    sc_gateway *gw = skype();
    const char *good[] = { "auto", "AUTO", "auto-nat", "203.0.113.5", "2001:db8::5", "[2001:db8::5]",
                           "sip.example.net", "stun:stun.example.net", "stun:203.0.113.9:3478",
                           "stun:[2001:db8::9]:3478", "stun:[2001:db8::9]", "" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "ext-sip-ip", good[i]), SC_OK);
    }
    check_set_fails(gw, "ext-sip-ip", "stun:stun.example.net:abc", SC_EINVAL,
                    "gateway 'skype': param 'ext-sip-ip': value 'stun:stun.example.net:abc' is not "
                    "stun:HOST[:PORT] (a host name or address, a port from 1 to 65535)");
    const char *bad[] = { "stun:", "stun::3478", "stun:h:0", "stun:h:65536", "stun:h:", "stun:[::1]x",
                          "host:pbx.example.net", "autonat:203.0.113.5", "203.0.113.5:5060", "a b", "x/y" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "ext-sip-ip", bad[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "param 'ext-sip-ip'");
    }
    sc_gateway_free(gw);
}

static void test_corrections_warn(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", "2"), SC_OK);
    CHECK_EQ_INT(gw->expire_seconds, 3600);
    CHECK_EQ_INT(sc_gateway_set(gw, "retry-seconds", "4"), SC_OK);
    CHECK_EQ_INT(gw->retry_seconds, 30);
    CHECK_EQ_INT(sc_gateway_set(gw, "retry_seconds", "-1"), SC_OK); /* FreeSWITCH's typo alias */
    CHECK_EQ_INT(gw->retry_seconds, 30);
    CHECK_EQ_INT(sc_gateway_set(gw, "timeout-seconds", "0"), SC_OK);
    CHECK_EQ_INT(gw->timeout_seconds, 60);
    CHECK_EQ_INT(sc_gateway_set(gw, "ping", "0"), SC_OK);        /* off: no warning */
    CHECK_EQ_INT(sc_gateway_set(gw, "ping", "3"), SC_OK);        /* refused: stays off */
    CHECK_EQ_INT(gw->ping, 0);
    char *w = sc_gateway_warnings(gw);
    CHECK_STR(w, "param 'expire-seconds': value 2 is below 5; using 3600 instead, as FreeSWITCH does\n"
                 "param 'retry-seconds': value 4 is below 5; using 30 instead, as FreeSWITCH does\n"
                 "param 'retry-seconds': value -1 is below 5; using 30 instead, as FreeSWITCH does\n"
                 "param 'timeout-seconds': value 0 is below 5; using 60 instead, as FreeSWITCH does\n"
                 "param 'ping': value 3 is below 5, which FreeSWITCH refuses; it stays off");
    sc_free(w);
    sc_gateway_free(gw);
}

static void test_transport(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "register-transport", "TCP"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "register-transport"), "tcp");
    CHECK_EQ_INT(sc_gateway_set(gw, "register-transport", "Tls"), SC_OK);
    CHECK(gw->register_transport == SC_TRANSPORT_TLS);
    CHECK_EQ_INT(sc_gateway_set(gw, "register-transport", "udp"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "register-transport"), "udp");
    check_set_fails(gw, "register-transport", "sctp", SC_EINVAL,
                    "gateway 'skype': param 'register-transport': value 'sctp' is not a "
                    "supported transport (udp, tcp or tls)");
    CHECK_STR(sc_transport_name(SC_TRANSPORT_UDP), "udp");
    CHECK_STR(sc_transport_name(SC_TRANSPORT_TCP), "tcp");
    CHECK_STR(sc_transport_name(SC_TRANSPORT_TLS), "tls");
    sc_gateway_free(gw);
}

static void test_unknown_and_ignored(void)
{
    sc_gateway *gw = skype();
    check_set_fails(gw, "retry-secnds", "30", SC_ENOTFOUND,
                    "gateway 'skype': unknown parameter 'retry-secnds'; did you mean 'retry-seconds'?");
    check_set_fails(gw, "Password", "x", SC_ENOTFOUND,
                    "gateway 'skype': unknown parameter 'Password'; did you mean 'password'?");
    check_set_fails(gw, "colour", "blue", SC_ENOTFOUND, "gateway 'skype': unknown parameter 'colour'");
    CHECK(sc_gateway_get(gw, "colour") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_CONTAINS(sc_last_error(), "unknown parameter 'colour'");

    const char *ignored[] = { "rfc-5626", "reg-id", "gw-auth-acl", "cid-type" };
    for (size_t i = 0; i < sizeof ignored / sizeof *ignored; i++)
        CHECK_EQ_INT(sc_gateway_set(gw, ignored[i], "whatever"), SC_OK);
    char *w = sc_gateway_warnings(gw);
    CHECK_CONTAINS(w, "param 'rfc-5626': ignored");
    CHECK_CONTAINS(w, "param 'cid-type': ignored");
    CHECK(!strstr(w, "whatever"));
    sc_free(w);
    sc_gateway_free(gw);
}

static void test_hosts_and_users(void)
{
    sc_gateway *gw = skype();
    const char *proxies_ok[] = { "127.0.0.1", "sip.example.com", "host:5060",
                                 "sip:192.0.2.1:5070;transport=tcp", "sips:host", "[::1]:5060",
                                 "2001:db8::1", "sip:user@host:5060" };
    for (size_t i = 0; i < sizeof proxies_ok / sizeof *proxies_ok; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "proxy", proxies_ok[i]), SC_OK);
        CHECK_EQ_INT(sc_gateway_set(gw, "outbound-proxy", proxies_ok[i]), SC_OK);
        CHECK_EQ_INT(sc_gateway_set(gw, "register-proxy", proxies_ok[i]), SC_OK);
    }
    const char *proxies_bad[] = { "host name", "<sip:host>", "host:0", "host:99999", "host:abc",
                                  "sip:", "[::1", "\"host\"", "host\n" };
    for (size_t i = 0; i < sizeof proxies_bad / sizeof *proxies_bad; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "proxy", proxies_bad[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "param 'proxy': value '");
    }
    check_set_fails(gw, "realm", "my realm", SC_EINVAL,
                    "gateway 'skype': param 'realm': value 'my realm' contains whitespace");
    check_set_fails(gw, "from-domain", "a<b", SC_EINVAL,
                    "gateway 'skype': param 'from-domain': value 'a<b' contains '<', which is not "
                    "allowed here");
    check_set_fails(gw, "contact-host", "a\x01" "b", SC_EINVAL,
                    "gateway 'skype': param 'contact-host': value 'a\\x01b' contains a control "
                    "character");
    check_set_fails(gw, "username", "user@host", SC_EINVAL,
                    "gateway 'skype': param 'username': value 'user@host' contains '@', which is "
                    "not allowed here");
    CHECK_EQ_INT(sc_gateway_set(gw, "extension", "two words"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "auth-username", "a>b"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "from-user", "a\tb"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "extension", "auto_to_user"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "ping-user-agent", "FreeSWITCH 1.10 ping"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "ping-user-agent", "bad\r\nX-Injected: 1"), SC_EINVAL);
    sc_gateway_free(gw);
}

static void test_dial_rules(void)
{
    sc_gateway *gw = sc_gateway_new("skype");
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", "00"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", "+44"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", "1234567890123456"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "dial-prefix"), "1234567890123456");
    check_set_fails(gw, "dial-prefix", "12345678901234567", SC_EINVAL,
                    "gateway 'skype': param 'dial-prefix': value '12345678901234567' is longer "
                    "than 16 characters");
    const char *bad[] = { "+", "0a", "44+", "++1", " 00" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", bad[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "is not a dial prefix");
    }
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);

    CHECK_EQ_INT(sc_gateway_set(gw, "dial-pattern", "(00\\d+"), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "param 'dial-pattern': value '(00\\d+' is not a valid "
                                    "regular expression: ");
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-pattern", "^(00\\d+)$"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_STR(sc_last_error(), "gateway 'skype': param 'dial-pattern': cannot be used together "
                               "with dial-prefix; set only one");
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", ""), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    sc_gateway_free(gw);
}

static void test_validate(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_STR(sc_last_error(), "gateway 'skype': param 'username': is required when register is "
                               "true; param 'password': is required when register is true");
    CHECK_EQ_INT(sc_gateway_set(gw, "username", "skypeuser"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_STR(sc_last_error(), "gateway 'skype': param 'password': is required when register is true");
    CHECK_EQ_INT(sc_gateway_set(gw, "password", "skypepass"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_STR(sc_last_error(), "");

    CHECK_EQ_INT(sc_gateway_set(gw, "ping-min", "3"), SC_OK); /* order of sets does not matter */
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_STR(sc_last_error(), "gateway 'skype': param 'ping-min': ping-min (3) is greater than "
                               "ping-max (1)");
    CHECK_EQ_INT(sc_gateway_set(gw, "ping-max", "5"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(NULL), SC_EINVAL);
    sc_gateway_free(gw);
}

static void test_copy_and_variables(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "username", "skypeuser"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "password", "skypepass"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "proxy", "host:5070"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", "1"), SC_OK); /* a warning to copy */
    sc_gw_add_variable(gw, "a", "1", true, false);
    sc_gw_add_variable(gw, "b", "2", false, true);
    sc_gw_add_variable(gw, "c", "3", true, true);
    sc_gateway *copy = sc_gateway_copy(gw);
    CHECK(copy != NULL);
    CHECK_EQ_INT(sc_gateway_set(gw, "username", "changed"), SC_OK);
    sc_gateway_free(gw);

    CHECK_STR(sc_gateway_name(copy), "skype");
    CHECK_STR(sc_gateway_get(copy, "username"), "skypeuser");
    CHECK_STR(sc_gateway_get(copy, "from-domain"), "host:5070");
    CHECK_STR(copy->password, "skypepass");
    CHECK_STR(copy->inbound_vars[0], "a=1");
    CHECK_STR(copy->inbound_vars[1], "c=3");
    CHECK(copy->inbound_vars[2] == NULL);
    CHECK_STR(copy->outbound_vars[0], "b=2");
    CHECK_STR(copy->outbound_vars[1], "c=3");
    char *w = sc_gateway_warnings(copy);
    CHECK_CONTAINS(w, "expire-seconds");
    sc_free(w);
    CHECK_EQ_INT(sc_gateway_validate(copy), SC_OK);
    sc_gateway_free(copy);
    CHECK(sc_gateway_copy(NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
}

static void test_call_params(void)
{
    sc_gateway *gw = skype();
    sc_gateway_set(gw, "username", "skypeuser");
    sc_gateway_set(gw, "password", "skypepass");
    CHECK_STR(sc_gateway_get(gw, "channels-busy-code"), "486");
    CHECK_EQ_INT(sc_gateway_set(gw, "channels-busy-code", "503"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "channels-busy-code", "200"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-format", "$1"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);  /* dial-format without dial-pattern */
    CHECK_CONTAINS(sc_last_error(), "dial-format");
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", ""), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-pattern", "^9(\\d+)$"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-country", "XX"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "emergency-country");
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-country", "FR"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-numbers", "15,1x"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "emergency-numbers");
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-numbers", "15,17"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    sc_gateway_free(gw);
}

static void test_param_list(void)
{
    const char *expected[] = {
        "register", "scheme", "realm", "proxy", "register-proxy", "outbound-proxy", "username",
        "auth-username", "password", "from-user", "from-domain", "extension",
        "extension-in-contact", "contact-params", "contact-host", "register-transport",
        "expire-seconds", "retry-seconds", "908-retry-seconds", "timeout-seconds",
        "caller-id-in-from", "ping", "ping-min", "ping-max", "ping-user-agent", "ping-monitoring",
        "contact-in-ping", "distinct-to", "destination-prefix", "context", "dial-prefix",
        "dial-pattern", "dial-format", "emergency-country", "emergency-numbers", "max-channels",
        "channels-busy-code", "ext-sip-ip", "nat-options-ping", "tcp-keepalive",
        "session-timeout", "minimum-session-expires", "codec-prefs", "rtp-ip", "ext-rtp-ip",
        "rtp-start-port",
        "rtp-end-port", "rtp-timeout-sec", "rtp-hold-timeout-sec", "auto-jitterbuffer-msec", "rtp-secure-media",
        "dtmf-type", "rfc2833-pt", "inband-dtmf",
    };
    size_t n = sizeof expected / sizeof *expected;
    CHECK_EQ_INT(sc_gateway_param_count(), n);
    sc_gateway *gw = skype();
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(sc_gateway_param_name(i), expected[i]);
        CHECK(sc_gateway_get(gw, expected[i]) != NULL);
    }
    CHECK(sc_gateway_param_name(n) == NULL);
    CHECK(sc_gateway_param_name((size_t)-1) == NULL);
    sc_gateway_free(gw);
}

static void test_null_arguments(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(NULL, "realm", "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, NULL, "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_gateway_set(gw, "realm", NULL), SC_EINVAL);
    CHECK(sc_gateway_get(NULL, "realm") == NULL);
    CHECK(sc_gateway_get(gw, NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    CHECK(sc_gateway_warnings(NULL) == NULL);
    sc_gateway_free(gw);
}

/* --- the password never leaks ------------------------------------------- */

static GString *log_lines;

static void capture_log(int level, const char *message, void *user)
{
    (void)level;
    (void)user;
    g_string_append(log_lines, message);
    g_string_append_c(log_lines, '\n');
}

static void check_no_secret(const char *text)
{
    if (text && strstr(text, SECRET)) {
        fprintf(stderr, "  password leaked in: %s\n", text);
        CHECK(!"password leaked");
    }
}

static void test_password_never_leaks(void)
{
    log_lines = g_string_new(NULL);
    CHECK_EQ_INT(sc_set_log_cb(capture_log, SC_LOG_DEBUG, NULL, NULL), SC_OK);

    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "password", SECRET), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "password"), "<hidden>");
    /* failures of every kind, some carrying the secret in the wrong place */
    CHECK_EQ_INT(sc_gateway_set(gw, "passwd", SECRET), SC_ENOTFOUND);
    check_no_secret(sc_last_error());
    CHECK_EQ_INT(sc_gateway_set(gw, SECRET, "x"), SC_ENOTFOUND); /* a name is not a secret */
    CHECK_EQ_INT(sc_gateway_set(gw, "gw-auth-acl", SECRET), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "rfc-5626", SECRET), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "retry-seconds", "abc"), SC_EINVAL);
    check_no_secret(sc_last_error());
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG); /* username missing */
    check_no_secret(sc_last_error());
    CHECK_CONTAINS(sc_last_error(), "username");
    CHECK_EQ_INT(sc_gateway_set(gw, "expire-seconds", "1"), SC_OK);
    char *w = sc_gateway_warnings(gw);
    check_no_secret(w);
    sc_free(w);
    for (size_t i = 0; i < sc_gateway_param_count(); i++)
        check_no_secret(sc_gateway_get(gw, sc_gateway_param_name(i)));
    sc_gateway *copy = sc_gateway_copy(gw);
    CHECK_STR(sc_gateway_get(copy, "password"), "<hidden>");
    CHECK_EQ_INT(sc_gateway_set(copy, "password", ""), SC_OK);
    CHECK_STR(sc_gateway_get(copy, "password"), "");
    sc_gateway_free(copy);
    sc_gateway_free(gw);

    check_no_secret(log_lines->str);
    CHECK_EQ_INT(sc_set_log_cb(NULL, SC_LOG_WARNING, NULL, NULL), SC_OK);
    g_string_free(log_lines, TRUE);
}

/* A dial-pattern that is not UTF-8 crashed PCRE2 inside the parameter check
 * (found by fuzz_numberpath); and the rule checks of the issue #11 kind:
 * what the builder cannot build is a validation error naming the param. */
static void test_dial_rule_is_built_when_validated(void)
{
    static const char *const broken[] = { "^(\\d+)\xff\xff", "\xd0\x91l\xf2\x80,17", "(\xc3" };
    static const struct { const char *param, *value, *also, *also_value, *named; } bad[] = {
        { "dial-pattern", "^9(\\d+)$", "dial-format", "abc$1", "dial-format" },
        { "dial-pattern", "^9(\\d+)$", "dial-format", "$2", "dial-format" },
        { "dial-prefix", "00", "destination-prefix", "sip", "destination-prefix" },
        { "dial-prefix", "00", "emergency-country", "XX", "emergency-country" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(broken); i++) {
        sc_gateway *gw = sc_gateway_new("g");
        CHECK_EQ_INT(sc_gateway_set(gw, "dial-pattern", broken[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), "UTF-8");
        sc_gateway_free(gw);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc_gateway *gw = sc_gateway_new("g");
        sc_gateway_set(gw, "register", "false");
        CHECK_EQ_INT(sc_gateway_set(gw, bad[i].param, bad[i].value), SC_OK);
        CHECK_EQ_INT(sc_gateway_set(gw, bad[i].also, bad[i].also_value), SC_OK);
        CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
        CHECK_CONTAINS(sc_last_error(), bad[i].named);
        sc_gateway_free(gw);
    }
    /* 9 to 16 characters: the configuration took them, the builder now too */
    sc_gateway *gw = sc_gateway_new("g");
    sc_gateway_set(gw, "register", "false");
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", "0049301234567890"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    sc_gateway_free(gw);
}

/* Media parameters are checked as they are set (not when a call first asks
 * for media), and the port range when the gateway is validated. */
static void test_media_params(void)
{
    sc_gateway *gw = skype();
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    check_set_fails(gw, "rtp-start-port", "0", SC_EINVAL,
                    "gateway 'skype': param 'rtp-start-port': value '0' is not a whole number in 1024..65534");
    check_set_fails(gw, "rtp-end-port", "70000", SC_EINVAL,
                    "gateway 'skype': param 'rtp-end-port': value '70000' is not a whole number in 1025..65535");
    check_set_fails(gw, "rtp-timeout-sec", "-1", SC_EINVAL,
                    "gateway 'skype': param 'rtp-timeout-sec': value '-1' is not a whole number in 0..86400");
    check_set_fails(gw, "ext-rtp-ip", "stun:stun.example.org", SC_EINVAL,
                    "gateway 'skype': param 'ext-rtp-ip': value 'stun:stun.example.org' is not an IP address, "
                    "auto-nat or auto");
    check_set_fails(gw, "ext-rtp-ip", "1.2.3", SC_EINVAL,
                    "gateway 'skype': param 'ext-rtp-ip': value '1.2.3' is not an IP address, auto-nat or auto");
    CHECK_EQ_INT(sc_gateway_set(gw, "ext-rtp-ip", "auto-nat"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "ext-rtp-ip", "203.0.113.9"), SC_OK);
    check_set_fails(gw, "codec-prefs", "PCMU,speaks", SC_EINVAL,
                    "gateway 'skype': param 'codec-prefs': value 'PCMU,speaks' names codec 'speaks', which is "
                    "no codec FreeSWITCH or libskypeconnect knows (libskypeconnect carries PCMU, PCMA, G722, opus)");
    check_set_fails(gw, "codec-prefs", ",", SC_EINVAL,
                    "gateway 'skype': param 'codec-prefs': value ',' names no codec libskypeconnect carries "
                    "(PCMU, PCMA, G722, opus)");
    check_set_fails(gw, "codec-prefs", "G729,iLBC", SC_EINVAL,
                    "gateway 'skype': param 'codec-prefs': value 'G729,iLBC' names no codec libskypeconnect "
                    "carries (PCMU, PCMA, G722, opus)");
    /* A FreeSWITCH list with codecs we do not carry loads: those are skipped */
    CHECK_EQ_INT(sc_gateway_set(gw, "codec-prefs", "G729@20i,PCMU,speex,PCMA"), SC_OK);
    check_set_fails(gw, "inband-dtmf", "maybe", SC_EINVAL,
                    "gateway 'skype': param 'inband-dtmf': value 'maybe' is not true or false");
    CHECK_EQ_INT(sc_gateway_set(gw, "codec-prefs", "opus@48000h@20i, PCMA@20i,pcmu"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "rtp-secure-media", "mandatory:AES_CM_128_HMAC_SHA1_80"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "rtp-start-port", "30000"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "rtp-end-port", "30000"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "param 'rtp-end-port': rtp-start-port 30000 is not below rtp-end-port 30000");
    CHECK_EQ_INT(sc_gateway_set(gw, "rtp-end-port", "30010"), SC_OK);
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "rtp-start-port", ""), SC_OK);   /* unset again */
    sc_gateway_free(gw);
}

SC_TEST_MAIN(TEST(test_media_params), TEST(test_call_params), TEST(test_names), TEST(test_defaults), TEST(test_fallbacks), TEST(test_booleans),
             TEST(test_integers), TEST(test_tcp_keepalive), TEST(test_session_timers), TEST(test_ext_sip_ip), TEST(test_corrections_warn), TEST(test_transport),
             TEST(test_unknown_and_ignored), TEST(test_hosts_and_users), TEST(test_dial_rules),
             TEST(test_validate), TEST(test_copy_and_variables), TEST(test_param_list),
             TEST(test_null_arguments), TEST(test_password_never_leaks),
             TEST(test_dial_rule_is_built_when_validated))
