/* Local address per destination (lib/local_addr.c): what the kernel routes
 * from, and which hosts count as loopback or numeric. Loopback only. */
#include <string.h>

#include "sc_test.h"
#include "local_addr.h"
#include "route_lookup.h"

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

typedef struct found {
    int calls;
    sc_route_error e;
    char local[64];
    socklen_t peerlen;
    GThread *thread;
} found;

static void on_found(void *data, sc_route_error e, const char *local, const struct sockaddr_storage *peer,
                     socklen_t peerlen)
{
    found *f = data;
    (void)peer;
    f->calls++;
    f->e = e;
    g_strlcpy(f->local, local, sizeof f->local);
    f->peerlen = peerlen;
    f->thread = g_thread_self();
}

/* Runs ctx (owned by this thread) for up to ms, or until f has an answer. */
static void run_for(GMainContext *ctx, found *f, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < end && !f->calls) g_main_context_iteration(ctx, FALSE), g_usleep(1000);
}

/* A named host is looked up on a thread of its own (DNS may take seconds);
 * the answer comes on the context's thread, here ours. */
static void test_lookup_off_thread(void)
{
    GMainContext *ctx = g_main_context_new();
    found f = { 0 };
    g_main_context_push_thread_default(ctx);
    sc_route_lookup_start(ctx, "localhost", 5070, on_found, &f);
    CHECK_EQ_INT(f.calls, 0);  /* never on the caller's stack */
    run_for(ctx, &f, 5000);
    CHECK_EQ_INT(f.calls, 1);
    CHECK_EQ_INT(f.e, SC_ROUTE_OK);
    CHECK(sc_addr_is_loopback(f.local));
    CHECK(f.peerlen > 0);
    CHECK(f.thread == g_thread_self());
    /* no host: says so (no DNS query: tests stay on loopback) */
    memset(&f, 0, sizeof f);
    sc_route_lookup_start(ctx, "", 0, on_found, &f);
    run_for(ctx, &f, 10000);
    CHECK_EQ_INT(f.calls, 1);
    CHECK_EQ_INT(f.e, SC_ROUTE_UNRESOLVED);
    CHECK_EQ_INT(f.peerlen, 0);
    /* cancelled: never called */
    memset(&f, 0, sizeof f);
    sc_route_lookup_cancel(sc_route_lookup_start(ctx, "localhost", 0, on_found, &f));
    run_for(ctx, &f, 300);
    CHECK_EQ_INT(f.calls, 0);
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
}

SC_TEST_MAIN(TEST(test_loopback_names), TEST(test_numeric), TEST(test_route_to_loopback),
             TEST(test_route_errors), TEST(test_lookup_off_thread))
