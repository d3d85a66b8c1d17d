/* Local address per destination (lib/local_addr.c): what the kernel routes
 * from, and which hosts count as loopback or numeric. Loopback only. */
#include <string.h>

#include "sc_test.h"
#include "local_addr.h"

static void test_loopback_names(void)
{
    CHECK(sc_addr_is_loopback("127.0.0.1"));
    CHECK(sc_addr_is_loopback("127.5.6.7"));
    CHECK(sc_addr_is_loopback("::1"));
    CHECK(sc_addr_is_loopback("[::1]"));
    CHECK(sc_addr_is_loopback("localhost"));
    CHECK(!sc_addr_is_loopback("128.0.0.1"));
    CHECK(!sc_addr_is_loopback("192.0.2.1"));
    CHECK(!sc_addr_is_loopback("sip.example.net"));
    CHECK(!sc_addr_is_loopback(""));
    CHECK(!sc_addr_is_loopback(NULL));
}

static void test_numeric(void)
{
    CHECK(sc_addr_is_numeric("203.0.113.10"));
    CHECK(sc_addr_is_numeric("[2001:db8::1]"));
    CHECK(sc_addr_is_numeric("2001:db8::1"));
    CHECK(!sc_addr_is_numeric("203.0.113.10:5060"));
    CHECK(!sc_addr_is_numeric("sip.example.net"));
    CHECK(!sc_addr_is_numeric(NULL));
}

static void test_route_to_loopback(void)
{
    char out[64] = "";
    CHECK_EQ_INT(sc_local_addr_for("127.0.0.1", out, sizeof out), SC_ROUTE_OK);
    CHECK_STR(out, "127.0.0.1");
    /* another address of 127/8 is reached from the loopback interface's own */
    CHECK_EQ_INT(sc_local_addr_for("127.0.0.2", out, sizeof out), SC_ROUTE_OK);
    CHECK_STR(out, "127.0.0.1");
    if (sc_local_addr_for("::1", out, sizeof out) == SC_ROUTE_OK) CHECK_STR(out, "::1");
    CHECK_EQ_INT(sc_local_addr_for("[::1]", out, sizeof out) == SC_ROUTE_OK, strcmp(out, "::1") == 0);
}

static void test_route_errors(void)
{
    char out[64];
    CHECK_EQ_INT(sc_local_addr_for(NULL, out, sizeof out), SC_ROUTE_UNRESOLVED);
    CHECK_EQ_INT(sc_local_addr_for("", out, sizeof out), SC_ROUTE_UNRESOLVED);
    CHECK_STR(sc_route_error_text(SC_ROUTE_NO_ROUTE), "no route to the network");
}

SC_TEST_MAIN(TEST(test_loopback_names), TEST(test_numeric), TEST(test_route_to_loopback),
             TEST(test_route_errors))
