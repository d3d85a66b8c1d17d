/* lib/util/: the address parser, FreeSWITCH's booleans, the JSON writer,
 * message escaping, the callback slot and carrying an error across threads. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <glib.h>

#include "sc_test.h"
#include "addr.h"
#include "cb_slot.h"
#include "error_priv.h"
#include "escape.h"
#include "fs_bool.h"
#include "json.h"
#include "resolve.h"

static void addresses_parse_as_written(void)
{
    char *host = NULL;
    int port = -1;
    CHECK_EQ_INT(sc_addr_parse("127.0.0.1:5060", "bind address", false, &host, &port), SC_OK);
    CHECK_STR(host, "127.0.0.1");
    CHECK_EQ_INT(port, 5060);
    g_free(host);
    CHECK_EQ_INT(sc_addr_parse("[::1]", "bind address", false, &host, &port), SC_OK);
    CHECK_STR(host, "::1");
    CHECK_EQ_INT(port, 0);
    g_free(host);
    CHECK_EQ_INT(sc_addr_parse("0.0.0.0:0", "bind address", false, &host, &port), SC_OK);
    g_free(host);
}

/* A packet's source as text: every IPv4 octet width, ports at both ends,
 * IPv6 in brackets, and a family we do not know gives empty texts. */
static void sources_format_as_written(void)
{
    static const struct { const char *ip; unsigned port; const char *hostport; } v4[] = {
        { "0.0.0.0", 0, "0.0.0.0:0" },
        { "192.0.2.1", 5060, "192.0.2.1:5060" },
        { "10.20.255.9", 65535, "10.20.255.9:65535" },
        { "255.255.255.255", 1, "255.255.255.255:1" },
        { "127.0.0.100", 10, "127.0.0.100:10" },
    };
    char ip[SC_ADDR_IP_MAX], hp[SC_ADDR_HOSTPORT_MAX];
    for (size_t i = 0; i < G_N_ELEMENTS(v4); i++) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)v4[i].port) };
        char ref[INET_ADDRSTRLEN];
        CHECK(inet_pton(AF_INET, v4[i].ip, &in.sin_addr) == 1);
        CHECK(sc_addr_format((struct sockaddr *)&in, ip, hp));
        CHECK_STR(ip, v4[i].ip);
        CHECK_STR(hp, v4[i].hostport);
        CHECK_STR(ip, inet_ntop(AF_INET, &in.sin_addr, ref, sizeof ref));
    }
    /* every octet value, against the C library's own formatting */
    for (unsigned v = 0; v < 256; v++) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(5060) };
        char ref[INET_ADDRSTRLEN];
        in.sin_addr.s_addr = htonl(0x0a000000u | (v << 16) | (v << 8) | (255 - v));
        CHECK(sc_addr_format((struct sockaddr *)&in, ip, NULL));
        CHECK_STR(ip, inet_ntop(AF_INET, &in.sin_addr, ref, sizeof ref));
    }
    {
        struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(5080) };
        CHECK(inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr) == 1);
        CHECK(sc_addr_format((struct sockaddr *)&in6, ip, hp));
        CHECK_STR(ip, "2001:db8::1");
        CHECK_STR(hp, "[2001:db8::1]:5080");
        memset(&in6.sin6_addr, 0xff, sizeof in6.sin6_addr);
        in6.sin6_port = htons(65535);
        CHECK(sc_addr_format((struct sockaddr *)&in6, ip, hp));
        CHECK_STR(hp, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
        CHECK(strlen(hp) < SC_ADDR_HOSTPORT_MAX);
    }
    {
        struct sockaddr un = { .sa_family = AF_UNIX };
        strcpy(ip, "stale");
        strcpy(hp, "stale");
        CHECK(!sc_addr_format(&un, ip, hp));
        CHECK_STR(ip, "");
        CHECK_STR(hp, "");
        CHECK(!sc_addr_format(NULL, ip, hp));
        CHECK_STR(ip, "");
    }
}

static void bad_addresses_name_the_fault(void)
{
    char *host = NULL;
    int port;
    CHECK_EQ_INT(sc_addr_parse("", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_EQ_INT(sc_addr_parse("::1", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "[ADDR]:PORT ([::1])");
    CHECK_EQ_INT(sc_addr_parse("::zz", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "bind address '::zz' is not a numeric address");
    CHECK_EQ_INT(sc_addr_parse("999.1.1.1", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "'999.1.1.1' is not a numeric IPv4 address");
    CHECK_EQ_INT(sc_addr_parse("[::1", "trunk address", true, &host, &port), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "trunk address '[::1': missing ']'");
    CHECK_EQ_INT(sc_addr_parse("localhost", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_EQ_INT(sc_addr_parse("127.0.0.1:70000", "bind address", false, &host, &port), SC_EPARSE);
    CHECK_EQ_INT(sc_addr_parse("0.0.0.0", "trunk address", true, &host, &port), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "wildcard");
    CHECK_EQ_INT(sc_addr_parse("[::]:5060", "trunk address", true, &host, &port), SC_EPARSE);
    CHECK(host == NULL);
}

static void freeswitch_booleans(void)
{
    bool b = false;
    const char *yes[] = { "true", "YES", "on", "t", "enabled", "enable", "active", "allow", "1", "42" };
    const char *no[] = { "false", "No", "off", "f", "disabled", "disable", "inactive", "disallow", "0", "00" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        CHECK(sc_fs_bool(yes[i], &b) && b);
        CHECK(sc_fs_true(yes[i]));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
        CHECK(sc_fs_bool(no[i], &b) && !b);
        CHECK(!sc_fs_true(no[i]));
    }
    CHECK(!sc_fs_bool("maybe", &b));
    CHECK(!sc_fs_bool("1x", &b));
    CHECK(!sc_fs_bool("", &b));
    CHECK(!sc_fs_true(NULL));
}

static void json_strings_are_valid_whatever_the_bytes(void)
{
    GString *b = g_string_new(NULL);
    sc_json_append_string(b, "a\"b\\c\n\x01\xff");
    CHECK_STR(b->str, "\"a\\\"b\\\\c\\n\\u0001\\ufffd\"");
    g_string_truncate(b, 0);
    sc_json_append_string(b, NULL);
    CHECK_STR(b->str, "\"\"");
    /* a member after the first: the same quoting */
    sc_json_append_member(b, "name", "\xff\"");
    sc_json_append_member(b, "none", NULL);
    CHECK_STR(b->str, "\"\",\"name\":\"\\ufffd\\\"\",\"none\":\"\"");
    g_string_free(b, TRUE);
}

static void escaping_keeps_raw_bytes_out(void)
{
    char buf[16];
    CHECK_STR(sc_dial_escape(buf, sizeof buf, "1\n\\2", 4), "1\\x0A\\x5C2");
    CHECK_STR(sc_dial_escape_pattern(buf, sizeof buf, "\\d+", 3), "\\d+");
    CHECK_STR(sc_dial_escape(buf, 8, "0123456789", 10), "0123...");
}

static int destroyed;
static void count_destroy(void *user) { (void)user; destroyed++; }
static void noop(void) {}

static void a_replaced_slot_lives_until_its_call_returns(void)
{
    GMutex lock;
    sc_cb_slot *place = NULL, *held;
    g_mutex_init(&lock);
    destroyed = 0;
    sc_cb_slot_replace(&place, &lock, sc_cb_slot_new(noop, NULL, count_destroy));
    held = sc_cb_slot_get(&place, &lock);     /* a delivery in progress */
    sc_cb_slot_replace(&place, &lock, NULL);  /* replaced meanwhile */
    CHECK_EQ_INT(destroyed, 0);
    sc_cb_slot_unref(held);                   /* the delivery returns */
    CHECK_EQ_INT(destroyed, 1);
    CHECK(sc_cb_slot_new(NULL, NULL, count_destroy) == NULL);
    CHECK_EQ_INT(destroyed, 2);               /* the user data was given away */
    g_mutex_clear(&lock);
}

static gpointer fail_elsewhere(gpointer p)
{
    sc_fail(SC_ENOTFOUND, "no gateway '%s' in this session", "gw1");
    sc_error_save(p);
    return NULL;
}

static void an_error_crosses_threads(void)
{
    sc_error_state e = { 0 };
    g_thread_join(g_thread_new("stack", fail_elsewhere, &e));
    sc_clear_error();
    CHECK_EQ_INT(sc_error_restore(&e), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_STR(sc_last_error(), "no gateway 'gw1' in this session");
    CHECK(e.text == NULL);
}

/* One resolver for the trunk-address and bridge-target checks: literals as
 * they are, names through the system (localhost is in /etc/hosts), no
 * duplicates, and "same host" by text or by a common address. */
static void resolver_gives_addresses_once(void)
{
    GPtrArray *ips = g_ptr_array_new_with_free_func(g_free);
    sc_resolve_ips("192.0.2.7", ips);
    sc_resolve_ips("192.0.2.7", ips);
    sc_resolve_ips("2001:db8::1", ips);
    sc_resolve_ips("", ips);
    sc_resolve_ips(NULL, ips);
    CHECK_EQ_INT((int)ips->len, 2);
    CHECK_STR(ips->pdata[0], "192.0.2.7");
    CHECK_STR(ips->pdata[1], "2001:db8::1");
    g_ptr_array_set_size(ips, 0);
    sc_resolve_ips("localhost", ips);
    sc_resolve_ips("LOCALHOST", ips);   /* the cache is by name, any case */
    CHECK(ips->len >= 1);
    {
        bool v4 = false;
        for (guint i = 0; i < ips->len; i++) v4 |= !strcmp(ips->pdata[i], "127.0.0.1");
        CHECK(v4);
    }
    g_ptr_array_free(ips, TRUE);
    CHECK(sc_resolve_same_host("localhost", "127.0.0.1"));
    CHECK(sc_resolve_same_host("Trunk.Example", "trunk.example"));   /* same text: no lookup */
    CHECK(!sc_resolve_same_host("127.0.0.2", "127.0.0.1"));
    CHECK(!sc_resolve_same_host("192.0.2.1", "localhost"));
}

/* A failure that wraps the one before it passes sc_last_error() as an
 * argument: that text must be read whole before it is overwritten. */
static void a_failure_can_quote_the_last_one(void)
{
    sc_fail(SC_EIO, "inner detail");
    CHECK_EQ_INT(sc_fail(SC_ECONFIG, "gateway '%s': %s", "gw1", sc_last_error()), SC_ECONFIG);
    CHECK_STR(sc_last_error(), "gateway 'gw1': inner detail");
    CHECK(sc_fail_null(SC_EINVAL, "outer: %s", sc_last_error()) == NULL);
    CHECK_STR(sc_last_error(), "outer: gateway 'gw1': inner detail");
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
}

SC_TEST_MAIN(TEST(resolver_gives_addresses_once), TEST(addresses_parse_as_written),
             TEST(sources_format_as_written), TEST(bad_addresses_name_the_fault),
             TEST(freeswitch_booleans), TEST(json_strings_are_valid_whatever_the_bytes),
             TEST(escaping_keeps_raw_bytes_out), TEST(a_replaced_slot_lives_until_its_call_returns),
             TEST(an_error_crosses_threads), TEST(a_failure_can_quote_the_last_one))
