/* Session life cycle, event delivery and threading, without a registrar:
 * the gateway points at a closed loopback port, so every REGISTER fails at
 * once with a network error, or at a socket that never answers.
 * (Registration against real registrars is in tests/integration.) */
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>

#include "sc_test.h"
#include "skypeconnect/skypeconnect.h"

/* A loopback UDP port nobody listens on (bound, read back, closed). */
static int closed_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0), port;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static sc_gateway *unreachable_gateway(const char *name)
{
    char proxy[64];
    sc_gateway *gw = sc_gateway_new(name);
    g_snprintf(proxy, sizeof proxy, "127.0.0.1:%d", closed_port());
    sc_gateway_set(gw, "proxy", proxy);
    sc_gateway_set(gw, "username", "alice");
    sc_gateway_set(gw, "password", "Pw-never-shown-42");
    sc_gateway_set(gw, "retry-seconds", "5");
    return gw;
}

/* Waits in queue mode for a gateway_state event with that state. */
static sc_event *wait_state(sc_session *s, int state, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == state)
            return ev;
        sc_event_free(ev);
    }
    return NULL;
}

static void null_arguments_are_errors(void)
{
    CHECK_EQ_INT(sc_session_start(NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_stop(NULL, 0), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_bind(NULL, "127.0.0.1"), SC_EINVAL);
    CHECK_EQ_INT(sc_session_add_gateway(NULL, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_gateway_state(NULL, "x"), SC_EINVAL);
    CHECK(sc_session_next_event(NULL, 0) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    sc_session_free(NULL);
    sc_session_interrupt(NULL);
    CHECK(sc_event_to_json(NULL) == NULL);
}

static void bad_bind_addresses(void)
{
    sc_session *s = sc_session_new();
    const char *bad[] = { "", "localhost", "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:x",
                          "[::1", "::1", "[::1]x", "[nothex]:5060", "1.2.3.4.5" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(sc_session_set_bind(s, bad[i]), SC_EPARSE);
        CHECK(strlen(sc_last_error()) > 10);
    }
    CHECK_CONTAINS((sc_session_set_bind(s, "127.0.0.1:99999"), sc_last_error()), "99999");
    CHECK_EQ_INT(sc_session_set_bind(s, "127.0.0.1:0"), SC_OK);
    CHECK_EQ_INT(sc_session_set_bind(s, "[::1]:0"), SC_OK);
    CHECK_EQ_INT(sc_session_set_dispatch(s, 7), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_tls(s, "/nonexistent-dir", 1), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "agent.pem");
    sc_session_free(s);
}

/* The receive buffer of this process's UDP socket bound to loopback @p port
 * (Linux reports twice what was asked), or -1 when there is none. */
static int udp_rcvbuf_of_port(int port)
{
    for (int fd = 3; fd < 4096; fd++) {
        struct sockaddr_in sa;
        socklen_t len = sizeof sa;
        int type = 0, buf = 0;
        socklen_t tlen = sizeof type, blen = sizeof buf;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) || type != SOCK_DGRAM) continue;
        if (getsockname(fd, (struct sockaddr *)&sa, &len) || sa.sin_family != AF_INET) continue;
        if (ntohs(sa.sin_port) != port) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, &blen)) return -1;
        return buf;
    }
    return -1;
}

static long sysctl_value(const char *path)
{
    char *text = NULL;
    long v = -1;
    if (g_file_get_contents(path, &text, NULL, NULL)) v = strtol(text, NULL, 10);
    g_free(text);
    return v;
}

/* The buffer the session's SIP socket has after asking for @p asked bytes
 * (@p call_setter false: the library's default applies), and in
 * *internal_buf the internal side's (the listener for an edge proxy). */
static int rcvbuf_after_start(int asked, bool call_setter, int *internal_buf)
{
    sc_session *s = sc_session_new();
    int buf = -1;
    CHECK_EQ_INT(sc_session_set_bind(s, "127.0.0.1:0"), SC_OK);
    CHECK_EQ_INT(sc_session_set_internal(s, "127.0.0.1:0", "127.0.0.1"), SC_OK);
    if (call_setter) CHECK_EQ_INT(sc_session_set_udp_receive_buffer(s, asked), SC_OK);
    *internal_buf = -1;
    if (sc_session_start(s) == SC_OK) {
        buf = udp_rcvbuf_of_port(sc_session_local_port(s, "udp"));
        *internal_buf = udp_rcvbuf_of_port(sc_session_local_port(s, "internal"));
        CHECK_EQ_INT(sc_session_set_udp_receive_buffer(s, 1 << 20), SC_ESTATE);
        CHECK_CONTAINS(sc_last_error(), "before sc_session_start");
        sc_session_stop(s, 1000);
    } else {
        CHECK(!"session did not start");
    }
    sc_session_free(s);
    return buf;
}

/* What the kernel grants for @p asked: twice the value, capped at
 * net.core.rmem_max unless the process may force it (CAP_NET_ADMIN). */
static bool granted(int buf, long asked)
{
    long max = sysctl_value("/proc/sys/net/core/rmem_max");
    return buf == 2 * asked || (asked > max && buf == 2 * max);
}

static void udp_receive_buffer(void)
{
    sc_session *s = sc_session_new();
    const int bad[] = { -1, 1, SC_UDP_RECEIVE_BUFFER_MIN - 1, SC_UDP_RECEIVE_BUFFER_MAX + 1, 0x7fffffff };
    int buf, internal;
    CHECK_EQ_INT(sc_session_set_udp_receive_buffer(NULL, 1 << 20), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "session is NULL");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char want[32];
        g_snprintf(want, sizeof want, "bytes %d", bad[i]);
        CHECK_EQ_INT(sc_session_set_udp_receive_buffer(s, bad[i]), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), want);
        CHECK_CONTAINS(sc_last_error(), "out of range");
    }
    CHECK_EQ_INT(sc_session_set_udp_receive_buffer(s, SC_UDP_RECEIVE_BUFFER_MIN), SC_OK);
    CHECK_EQ_INT(sc_session_set_udp_receive_buffer(s, SC_UDP_RECEIVE_BUFFER_MAX), SC_OK);
    sc_session_free(s);

    /* the socket really has what was asked: the default, a chosen size, and
     * 0 (the system's own default, which Linux reports as set) */
    buf = rcvbuf_after_start(0, false, &internal);
    CHECK(granted(buf, SC_UDP_RECEIVE_BUFFER_DEFAULT));
    CHECK(granted(internal, SC_UDP_RECEIVE_BUFFER_DEFAULT));
    if (!granted(buf, SC_UDP_RECEIVE_BUFFER_DEFAULT) || !granted(internal, SC_UDP_RECEIVE_BUFFER_DEFAULT))
        fprintf(stderr, "  default: SO_RCVBUF %d, internal side %d\n", buf, internal);
    buf = rcvbuf_after_start(256 * 1024, true, &internal);
    CHECK(granted(buf, 256 * 1024));
    CHECK(granted(internal, 256 * 1024));
    if (!granted(buf, 256 * 1024) || !granted(internal, 256 * 1024))
        fprintf(stderr, "  256 KiB: SO_RCVBUF %d, internal side %d\n", buf, internal);
    buf = rcvbuf_after_start(0, true, &internal);
    CHECK_EQ_INT(buf, sysctl_value("/proc/sys/net/core/rmem_default"));
    CHECK_EQ_INT(internal, sysctl_value("/proc/sys/net/core/rmem_default"));
}

static void start_stop_free(void)
{
    sc_session *s = sc_session_new();
    int port;
    CHECK_EQ_INT(sc_session_local_port(s, "udp"), SC_ESTATE);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK_EQ_INT(sc_session_is_running(s), 1);
    port = sc_session_local_port(s, "udp");
    CHECK(port > 0);
    CHECK_EQ_INT(sc_session_local_port(s, "tcp"), port);
    CHECK_EQ_INT(sc_session_local_port(s, "tls"), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_session_local_port(s, "sctp"), SC_EINVAL);
    CHECK_EQ_INT(sc_session_start(s), SC_ESTATE);
    CHECK_EQ_INT(sc_session_set_bind(s, "127.0.0.1:5060"), SC_ESTATE);
    CHECK_EQ_INT(sc_session_stop(s, 1000), SC_OK);
    CHECK_EQ_INT(sc_session_is_running(s), 0);
    CHECK_EQ_INT(sc_session_stop(s, 1000), SC_OK);
    CHECK_EQ_INT(sc_session_start(s), SC_ESTATE);
    sc_session_free(s);
}

static void port_in_use_is_a_clear_error(void)
{
    sc_session *a = sc_session_new(), *b = sc_session_new();
    char addr[64];
    CHECK_EQ_INT(sc_session_start(a), SC_OK);
    g_snprintf(addr, sizeof addr, "127.0.0.1:%d", sc_session_local_port(a, "udp"));
    CHECK_EQ_INT(sc_session_set_bind(b, addr), SC_OK);
    CHECK_EQ_INT(sc_session_start(b), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "cannot bind");
    CHECK_EQ_INT(sc_session_is_running(b), 0);
    sc_session_free(b);
    sc_session_free(a);
}

static void network_failure_reported_and_retried(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = unreachable_gateway("trunk");
    sc_event *ev;
    char *json;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_EEXISTS);
    CHECK_EQ_INT(sc_session_gateway_count(s), 1);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    ev = wait_state(s, SC_REG_TRYING, 5000);
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_prev_state(ev), SC_REG_UNREGED);
    sc_event_free(ev);
    ev = wait_state(s, SC_REG_FAILED, 5000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_reason(ev), SC_REASON_NETWORK);
        CHECK_EQ_INT(sc_event_status(ev), SC_GW_DOWN);
        CHECK_EQ_INT(sc_event_failures(ev), 1);
    }
    sc_event_free(ev);
    ev = wait_state(s, SC_REG_FAIL_WAIT, 5000);
    CHECK(ev != NULL);
    if (ev) CHECK(sc_event_next_retry(ev) >= 5 && sc_event_next_retry(ev) <= 6);
    json = ev ? sc_event_to_json(ev) : NULL;
    CHECK_CONTAINS(json, "\"state\":\"FAIL_WAIT\"");
    CHECK_CONTAINS(json, "\"reason\":\"network\"");
    CHECK(json && !strstr(json, "Pw-never-shown-42"));
    sc_free(json);
    sc_event_free(ev);
    json = sc_session_gateway_json(s, "trunk");
    CHECK_CONTAINS(json, "\"gateway\":\"trunk\"");
    CHECK(json && !strstr(json, "Pw-never-shown-42"));
    sc_free(json);
    CHECK_EQ_INT(sc_session_gateway_state(s, "trunk"), SC_REG_FAIL_WAIT);
    CHECK_EQ_INT(sc_session_gateway_state(s, "nope"), SC_ENOTFOUND);
    /* the retry comes by itself after retry-seconds */
    ev = wait_state(s, SC_REG_TRYING, 8000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_session_stop(s, 1000), SC_OK);
    ev = wait_state(s, SC_REG_DOWN, 2000);
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_reason(ev), SC_REASON_REQUEST);
    sc_event_free(ev);
    sc_gateway_free(gw);
    sc_session_free(s);
}

static void invalid_gateway_is_refused(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = sc_gateway_new("nopass");
    sc_gateway_set(gw, "username", "bob");
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "password");
    CHECK_EQ_INT(sc_session_gateway_count(s), 0);
    sc_gateway_free(gw);
    sc_session_free(s);
}

/* "ipauth": a gateway that does not register (IP authentication). */
static sc_gateway *ipauth_gateway(void)
{
    sc_gateway *gw = sc_gateway_new("ipauth");
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", "127.0.0.1:5999");
    return gw;
}

static void noreg_gateway_is_up(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = ipauth_gateway();
    sc_event *ev;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    ev = wait_state(s, SC_REG_NOREG, 2000);
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_status(ev), SC_GW_UP);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_session_gateway_status(s, "ipauth"), SC_GW_UP);
    CHECK_EQ_INT(sc_session_gateway_register(s, "ipauth"), SC_ESTATE);
    CHECK_EQ_INT(sc_session_remove_gateway(s, "ipauth"), SC_OK);
    CHECK_EQ_INT(sc_session_gateway_count(s), 0);
    CHECK_EQ_INT(sc_session_remove_gateway(s, "ipauth"), SC_ENOTFOUND);
    sc_gateway_free(gw);
    sc_session_free(s);
}

/* The requests that name a gateway, before the start (the gateway is
 * pending: it answers, but nothing can be sent) and after it, on a gateway
 * that does not register. */
static void gateway_requests_by_name(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = ipauth_gateway();
    sc_event *ev;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_session_gateway_state(s, "ipauth"), SC_REG_UNREGED);
    CHECK_EQ_INT(sc_session_gateway_status(s, "ipauth"), SC_GW_DOWN);
    CHECK_EQ_INT(sc_session_gateway_status(s, "nope"), SC_ENOTFOUND);
    CHECK_STR(sc_last_error(), "no gateway 'nope' in this session");
    CHECK_EQ_INT(sc_session_gateway_register(s, "ipauth"), SC_ESTATE);
    CHECK_STR(sc_last_error(), "gateway 'ipauth': the session is not started");
    CHECK_EQ_INT(sc_session_gateway_unregister(s, "ipauth"), SC_ESTATE);

    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    /* started: the gateway is up at once, and has nothing to register */
    ev = wait_state(s, SC_REG_NOREG, 2000);
    CHECK(ev != NULL && sc_event_status(ev) == SC_GW_UP);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_session_gateway_state(s, "ipauth"), SC_REG_NOREG);
    CHECK_EQ_INT(sc_session_gateway_status(s, "ipauth"), SC_GW_UP);
    CHECK_EQ_INT(sc_session_gateway_status(s, "nope"), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_session_gateway_unregister(s, "ipauth"), SC_ESTATE);
    CHECK_STR(sc_last_error(), "gateway 'ipauth' has register=false");
    CHECK_EQ_INT(sc_session_gateway_register(s, "nope"), SC_ENOTFOUND);
    CHECK_STR(sc_last_error(), "no gateway 'nope' in this session");
    CHECK_EQ_INT(sc_session_gateway_unregister(NULL, "ipauth"), SC_EINVAL);
    CHECK_STR(sc_last_error(), "sc_session_gateway_unregister: session is NULL");
    CHECK_EQ_INT(sc_session_gateway_state(s, NULL), SC_EINVAL);
    CHECK_STR(sc_last_error(), "sc_session_gateway_state: name is NULL");
    sc_session_free(s);
}

/* THREAD mode: the callback stops its own session. */
typedef struct stop_ctx {
    int events, destroyed, stopped_seen, stop_rc;
    bool stop_called;
} stop_ctx;

static void stop_from_callback(sc_session *s, const sc_event *ev, void *user)
{
    stop_ctx *c = user;
    c->events++;
    if (sc_event_type_of(ev) == SC_EVENT_SESSION_STOPPED) c->stopped_seen++;
    if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == SC_REG_FAILED &&
        !c->stop_called) {
        c->stop_called = true;
        c->stop_rc = sc_session_stop(s, 1000);
    }
}

static void count_destroy(void *user)
{
    ((stop_ctx *)user)->destroyed++;
}

static void callback_may_stop_its_session(void)
{
    stop_ctx c = { 0 };
    sc_session *s = sc_session_new();
    sc_gateway *gw = unreachable_gateway("self");
    gint64 end;
    CHECK_EQ_INT(sc_session_set_event_cb(s, stop_from_callback, &c, count_destroy), SC_OK);
    sc_session_add_gateway(s, gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (sc_session_is_running(s) && g_get_monotonic_time() < end) g_usleep(10000);
    g_usleep(100000);
    CHECK(c.stop_called);
    CHECK_EQ_INT(c.stop_rc, SC_OK);
    CHECK_EQ_INT(c.stopped_seen, 1);
    CHECK_EQ_INT(sc_session_dispatch(s, 0), SC_ESTATE);
    CHECK_EQ_INT(c.destroyed, 0);
    sc_session_free(s);
    CHECK_EQ_INT(c.destroyed, 1);
    sc_gateway_free(gw);
}

static void replacing_callback_destroys_old_user_data(void)
{
    stop_ctx a = { 0 }, b = { 0 };
    sc_session *s = sc_session_new();
    sc_session_set_event_cb(s, stop_from_callback, &a, count_destroy);
    sc_session_set_event_cb(s, stop_from_callback, &b, count_destroy);
    CHECK_EQ_INT(a.destroyed, 1);
    sc_session_set_event_cb(s, NULL, NULL, NULL);
    CHECK_EQ_INT(b.destroyed, 1);
    sc_session_free(s);
    CHECK_EQ_INT(a.destroyed, 1);
    CHECK_EQ_INT(b.destroyed, 1);
}

static void queue_fd_and_interrupt(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = unreachable_gateway("fd");
    struct pollfd p;
    sc_event *ev;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    sc_session_add_gateway(s, gw);
    p.fd = sc_session_event_fd(s);
    p.events = POLLIN;
    CHECK(p.fd >= 0);
    CHECK_EQ_INT(poll(&p, 1, 0), 0);
    sc_session_start(s);
    CHECK_EQ_INT(poll(&p, 1, 3000), 1);
    while ((ev = sc_session_next_event(s, 200))) sc_event_free(ev);
    CHECK_EQ_INT(poll(&p, 1, 0), 0);
    sc_session_interrupt(s);
    CHECK(sc_session_next_event(s, 5000) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_OK);
    sc_session_stop(s, 500);
    CHECK(sc_session_dispatch(s, 1000) >= 1);  /* DOWN and stopped, no callback set */
    sc_gateway_free(gw);
    sc_session_free(s);
}

/* The application's GMainContext carries the stack. */
static void count_event(sc_session *s, const sc_event *ev, void *user)
{
    (void)s;
    if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE) (*(int *)user)++;
}

static void runs_on_application_context(void)
{
    GMainContext *ctx = g_main_context_new();
    sc_session *s = sc_session_new();
    sc_gateway *gw = unreachable_gateway("appctx");
    int events = 0;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    CHECK_EQ_INT(sc_session_set_main_context(s, ctx), SC_OK);
    sc_session_set_event_cb(s, count_event, &events, NULL);
    sc_session_add_gateway(s, gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    while (events < 3 && g_get_monotonic_time() < end) g_main_context_iteration(ctx, FALSE), g_usleep(1000);
    CHECK(events >= 3);  /* TRYING, FAILED, FAIL_WAIT */
    CHECK_EQ_INT(sc_session_gateway_state(s, "appctx"), SC_REG_FAIL_WAIT);
    CHECK_EQ_INT(sc_session_stop(s, 500), SC_OK);
    sc_session_free(s);
    /* the context lives on: nothing of the session's may fire in it (the
     * stop's timers once did, on the freed session, at its deadline) */
    end = g_get_monotonic_time() + 700 * 1000;
    while (g_get_monotonic_time() < end) g_main_context_iteration(ctx, FALSE), g_usleep(5000);
    sc_gateway_free(gw);
    g_main_context_unref(ctx);
}

static void calls_from_many_threads(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = unreachable_gateway("mt");
    GThread *t[4];
    sc_session_add_gateway(s, gw);
    sc_session_start(s);
    for (int i = 0; i < 4; i++)
        t[i] = g_thread_new("q", (GThreadFunc)(void *)sc_session_gateway_count, s);
    for (int i = 0; i < 4; i++) CHECK(GPOINTER_TO_INT(g_thread_join(t[i])) == 1);
    sc_session_free(s);
    sc_gateway_free(gw);
}

/* After start, an add from a thread other than the stack's is decided
 * there (name taken, session running, gateway valid) and posted without
 * waiting; what the same thread asks next sees it. */
static sc_gateway *ipauth_named(const char *name)
{
    sc_gateway *gw = sc_gateway_new(name);
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", "127.0.0.1:5999");
    return gw;
}

typedef struct racer {
    sc_session *s;
    gint ok, exists;
} racer;

static gpointer add_same_name(gpointer p)
{
    racer *r = p;
    sc_gateway *gw = ipauth_named("contested");
    int rc = sc_session_add_gateway(r->s, gw);
    if (rc == SC_OK) g_atomic_int_inc(&r->ok);
    if (rc == SC_EEXISTS) g_atomic_int_inc(&r->exists);
    sc_gateway_free(gw);
    return NULL;
}

/* THREAD mode: the callback adds a second gateway once the first is up. */
static void add_from_callback(sc_session *s, const sc_event *ev, void *user)
{
    int *rc = user;
    if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && !strcmp(sc_event_gateway(ev), "first") &&
        sc_event_state(ev) == SC_REG_NOREG) {
        sc_gateway *gw = ipauth_named("second");
        *rc = sc_session_add_gateway(s, gw);
        sc_gateway_free(gw);
    }
}

static void adds_after_start_do_not_wait(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw, *bad;
    racer r = { 0 };
    GThread *t[4];
    char name[32], *text;
    int cb_rc = 1;
    gint64 end;
    CHECK_EQ_INT(sc_session_set_event_cb(s, add_from_callback, &cb_rc, NULL), SC_OK);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    for (int i = 0; i < 300; i++) {
        g_snprintf(name, sizeof name, "ip%03d", i);
        gw = ipauth_named(name);
        CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
        sc_gateway_free(gw);
    }
    /* a second one of a name is refused at once, posted or not */
    gw = ipauth_named("ip299");
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_EEXISTS);
    CHECK_STR(sc_last_error(), "gateway 'ip299' exists already in this session");
    sc_gateway_free(gw);
    /* the adding thread's next question sees every add, in order */
    CHECK_EQ_INT(sc_session_gateway_count(s), 300);
    text = sc_session_gateway_name_at(s, 299);
    CHECK_STR(text, "ip299");
    sc_free(text);
    CHECK_EQ_INT(sc_session_gateway_status(s, "ip299"), SC_GW_UP);
    /* bad input is refused on the caller's thread, with what is wrong */
    bad = sc_gateway_new("nopass");
    sc_gateway_set(bad, "username", "bob");
    CHECK_EQ_INT(sc_session_add_gateway(s, bad), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "password");
    sc_gateway_free(bad);
    CHECK_EQ_INT(sc_session_add_gateway(s, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_gateway_count(s), 300);
    /* threads racing for one name: exactly one gets it */
    r.s = s;
    for (int i = 0; i < 4; i++) t[i] = g_thread_new("add", add_same_name, &r);
    for (int i = 0; i < 4; i++) g_thread_join(t[i]);
    CHECK_EQ_INT(r.ok, 1);
    CHECK_EQ_INT(r.exists, 3);
    /* a removed name is free again at once */
    CHECK_EQ_INT(sc_session_remove_gateway(s, "ip000"), SC_OK);
    gw = ipauth_named("ip000");
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_session_gateway_count(s), 301);
    /* from the stack thread itself (an event callback): at once */
    gw = ipauth_named("first");
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (cb_rc == 1 && g_get_monotonic_time() < end) g_usleep(2000);
    CHECK_EQ_INT(cb_rc, SC_OK);
    CHECK_EQ_INT(sc_session_gateway_status(s, "second"), SC_GW_UP);
    CHECK_EQ_INT(sc_session_stop(s, 1000), SC_OK);
    gw = ipauth_named("late");
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_ECLOSED);
    CHECK_STR(sc_last_error(), "gateway 'late': the session is stopped");
    sc_gateway_free(gw);
    sc_session_free(s);
}

/* On an application's context held by its thread, an add from another
 * thread is posted; a stop and a free that follow at once, without the
 * application iterating in between, leave nothing behind in the context. */
static gpointer add_one_ipauth(gpointer p)
{
    sc_gateway *gw = ipauth_named("posted");
    int rc = sc_session_add_gateway(p, gw);
    sc_gateway_free(gw);
    return GINT_TO_POINTER(rc);
}

static void posts_on_application_context_end_with_it(void)
{
    GMainContext *ctx = g_main_context_new();
    sc_session *s = sc_session_new();
    gint64 end;
    CHECK_EQ_INT(sc_session_set_main_context(s, ctx), SC_OK);
    CHECK(g_main_context_acquire(ctx));   /* the application's thread owns it */
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK_EQ_INT(GPOINTER_TO_INT(g_thread_join(g_thread_new("add", add_one_ipauth, s))), SC_OK);
    /* the application's own thread sees the other thread's post done */
    CHECK_EQ_INT(sc_session_gateway_count(s), 1);
    CHECK_EQ_INT(sc_session_stop(s, 200), SC_OK);
    sc_session_free(s);
    end = g_get_monotonic_time() + 400 * 1000;
    while (g_get_monotonic_time() < end) g_main_context_iteration(ctx, FALSE), g_usleep(5000);
    g_main_context_release(ctx);
    g_main_context_unref(ctx);
}

/* A start and adds from another thread, at the same moment: every add
 * lands, whether it came before the start took the pending list, while the
 * stack was coming up, or after. None may run stack work on the adding
 * thread before the stack exists. */
typedef struct start_racer {
    sc_session *s;
    gint go;
    int added, first_error;
} start_racer;

static gpointer add_while_starting(gpointer p)
{
    start_racer *r = p;
    char name[32];
    while (!g_atomic_int_get(&r->go)) { /* spin: start at the same moment */ }
    for (int i = 0; i < 60; i++) {
        sc_gateway *gw;
        g_snprintf(name, sizeof name, "race%02d", i);
        gw = ipauth_named(name);
        int rc = sc_session_add_gateway(r->s, gw);
        if (rc == SC_OK) r->added++;
        else if (!r->first_error) r->first_error = rc;
        sc_gateway_free(gw);
    }
    return NULL;
}

static void adds_during_start_all_land(void)
{
    char name[32];
    for (int round = 0; round < 20; round++) {
        start_racer r = { .s = sc_session_new() };
        GThread *t = g_thread_new("add", add_while_starting, &r);
        g_atomic_int_set(&r.go, 1);
        CHECK_EQ_INT(sc_session_start(r.s), SC_OK);
        g_thread_join(t);
        CHECK_EQ_INT(r.first_error, 0);
        CHECK_EQ_INT(r.added, 60);
        CHECK_EQ_INT(sc_session_gateway_count(r.s), 60);
        for (int i = 0; i < 60; i++) {
            g_snprintf(name, sizeof name, "race%02d", i);
            if (sc_session_gateway_status(r.s, name) != SC_GW_UP) {
                CHECK_STR(name, "every gateway up");
                break;
            }
        }
        CHECK_EQ_INT(sc_session_stop(r.s, 1000), SC_OK);
        sc_session_free(r.s);
    }
}

/* The REGISTER window: a registrar that never answers sees at most 50 of a
 * session's REGISTERs at once; the others wait their turn (TRYING,
 * "waiting_for_slot":true) and go when attempts are given up. */
static int silent_registrar(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Reads REGISTERs until `want` distinct Call-IDs were seen or the time is
 * up; returns how many distinct ones came. */
static int distinct_registers(int fd, GHashTable *ids, int want, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    char buf[4096];
    while ((int)g_hash_table_size(ids) < want && g_get_monotonic_time() < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;
        const char *id, *eol;
        if (poll(&p, 1, 50) != 1) continue;
        n = recv(fd, buf, sizeof buf - 1, 0);
        if (n <= 0) continue;
        buf[n] = 0;
        if (strncmp(buf, "REGISTER ", 9) || !(id = strstr(buf, "\r\nCall-ID: "))) continue;
        id += 11;
        if (!(eol = strstr(id, "\r\n"))) continue;
        g_hash_table_add(ids, g_strndup(id, (gsize)(eol - id)));
    }
    return (int)g_hash_table_size(ids);
}

/* Adds 80 digest gateways PREFIX000..079 registering at 127.0.0.1:port;
 * timeout_s > 0 sets their timeout-seconds. */
static void add_80_registering(sc_session *s, const char *prefix, int port, int timeout_s)
{
    char name[32], proxy[64], timeout[16];
    g_snprintf(proxy, sizeof proxy, "127.0.0.1:%d", port);
    g_snprintf(timeout, sizeof timeout, "%d", timeout_s);
    for (int i = 0; i < 80; i++) {
        sc_gateway *gw;
        g_snprintf(name, sizeof name, "%s%03d", prefix, i);
        gw = sc_gateway_new(name);
        sc_gateway_set(gw, "proxy", proxy);
        sc_gateway_set(gw, "username", name);
        sc_gateway_set(gw, "password", "Pw-never-shown-42");
        if (timeout_s > 0) sc_gateway_set(gw, "timeout-seconds", timeout);
        CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
        sc_gateway_free(gw);
    }
}

static void register_window_holds_the_rest(void)
{
    sc_session *s = sc_session_new();
    GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int port, fd = silent_registrar(&port);
    char *json;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    add_80_registering(s, "w", port, 5);
    /* the first 50 go at once; 1.5 s later (the first retransmissions of
     * the same Call-IDs included) still no other */
    CHECK_EQ_INT(distinct_registers(fd, ids, 51, 1500), 50);
    json = sc_session_gateway_json(s, "w000");
    CHECK_CONTAINS(json, "\"waiting_for_slot\":false");
    sc_free(json);
    json = sc_session_gateway_json(s, "w079");
    CHECK_CONTAINS(json, "\"state\":\"TRYING\"");
    CHECK_CONTAINS(json, "\"waiting_for_slot\":true");
    sc_free(json);
    /* a waiting gateway removed never sends */
    CHECK_EQ_INT(sc_session_remove_gateway(s, "w079"), SC_OK);
    /* the first ones time out after 5 s: the 29 left go then */
    CHECK_EQ_INT(distinct_registers(fd, ids, 80, 9000), 79);
    json = sc_session_gateway_json(s, "w078");
    CHECK_CONTAINS(json, "\"waiting_for_slot\":false");
    sc_free(json);
    CHECK_EQ_INT(sc_session_stop(s, 500), SC_OK);
    sc_session_free(s);
    g_hash_table_destroy(ids);
    close(fd);
}

/* A stop's un-REGISTERs go through the same window: a registrar that
 * answers REGISTERs at once but holds un-REGISTERs sees 50 of 80, then the
 * rest when half the stop's time is gone (nothing may stay unsent), and the
 * stop ends as soon as the held ones are answered. */
typedef struct holding_registrar {
    int fd;
    gint quit;
    GHashTable *unreg_ids;      /* Call-IDs of un-REGISTERs seen */
    gint64 first_us, fifty_first_us;   /* when the 1st and the 51st came */
} holding_registrar;

/* The line of header `name` ("\r\nName: "), from its CRLF to the line's end. */
static char *header_line(const char *msg, const char *name)
{
    const char *at = strstr(msg, name), *eol;
    if (!at || !(eol = strstr(at + 2, "\r\n"))) return NULL;
    return g_strndup(at, (gsize)(eol - at));
}

static void answer_200(int fd, const char *req, const struct sockaddr_in *to)
{
    static const char *const copied[] = { "\r\nVia: ", "\r\nFrom: ", "\r\nCall-ID: ", "\r\nCSeq: ", "\r\nContact: " };
    GString *b = g_string_new("SIP/2.0 200 OK");
    char *to_line = header_line(req, "\r\nTo: ");
    for (size_t i = 0; i < G_N_ELEMENTS(copied); i++) {
        char *line = header_line(req, copied[i]);
        if (line) g_string_append(b, line);
        g_free(line);
    }
    if (to_line) g_string_append_printf(b, "%s%s", to_line, strstr(to_line, "tag=") ? "" : ";tag=held1");
    g_string_append(b, "\r\nContent-Length: 0\r\n\r\n");
    sendto(fd, b->str, b->len, 0, (const struct sockaddr *)to, sizeof *to);
    g_string_free(b, TRUE);
    g_free(to_line);
}

typedef struct held_req {
    char *text;
    struct sockaddr_in from;
} held_req;

static gpointer holding_registrar_run(gpointer p)
{
    holding_registrar *h = p;
    GPtrArray *held = g_ptr_array_new();
    char buf[4096];
    while (!g_atomic_int_get(&h->quit)) {
        struct pollfd pf = { .fd = h->fd, .events = POLLIN };
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n;
        char *id;
        if (poll(&pf, 1, 20) != 1) continue;
        n = recvfrom(h->fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &len);
        if (n <= 0) continue;
        buf[n] = 0;
        if (strncmp(buf, "REGISTER ", 9)) continue;
        if (!strstr(buf, "\r\nExpires: 0\r\n") && !strstr(buf, "expires=0")) {
            answer_200(h->fd, buf, &from);
            continue;
        }
        id = header_line(buf, "\r\nCall-ID: ");
        if (id && !g_hash_table_contains(h->unreg_ids, id)) {
            guint seen = g_hash_table_size(h->unreg_ids);
            if (seen == 0) h->first_us = g_get_monotonic_time();
            if (seen == 50) h->fifty_first_us = g_get_monotonic_time();
            g_hash_table_add(h->unreg_ids, id);
            id = NULL;
            held_req *q = g_new(held_req, 1);
            q->text = g_strdup(buf);
            q->from = from;
            g_ptr_array_add(held, q);
        }
        g_free(id);
        if (g_hash_table_size(h->unreg_ids) == 80) {
            for (guint i = 0; i < held->len; i++) {
                held_req *q = held->pdata[i];
                answer_200(h->fd, q->text, &q->from);
                g_free(q->text);
                g_free(q);
            }
            g_ptr_array_set_size(held, 0);
        }
    }
    for (guint i = 0; i < held->len; i++) {
        held_req *q = held->pdata[i];
        g_free(q->text);
        g_free(q);
    }
    g_ptr_array_free(held, TRUE);
    return NULL;
}

/* 80 gateways REGED at a holding registrar, then a stop of timeout_ms. */
static void stop_with_held_unregisters(int timeout_ms)
{
    sc_session *s = sc_session_new();
    holding_registrar h = { .unreg_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
    int port, reged = 0;
    char name[32];
    GThread *t;
    gint64 end;
    h.fd = silent_registrar(&port);
    t = g_thread_new("registrar", holding_registrar_run, &h);
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    add_80_registering(s, "u", port, 0);
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (reged < 80 && g_get_monotonic_time() < end) {
        reged = 0;
        for (int i = 0; i < 80; i++) {
            g_snprintf(name, sizeof name, "u%03d", i);
            reged += sc_session_gateway_state(s, name) == SC_REG_REGED;
        }
        if (reged < 80) g_usleep(20000);
    }
    CHECK_EQ_INT(reged, 80);
    CHECK_EQ_INT(sc_session_stop(s, timeout_ms), SC_OK);
    if (timeout_ms == 0) {
        /* no time at all: every un-REGISTER still goes, none answered */
        end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
        while (g_hash_table_size(h.unreg_ids) < 80 && g_get_monotonic_time() < end) g_usleep(10000);
        CHECK_EQ_INT((int)g_hash_table_size(h.unreg_ids), 80);
        g_atomic_int_set(&h.quit, 1);
        g_thread_join(t);
        sc_session_free(s);
        g_hash_table_destroy(h.unreg_ids);
        close(h.fd);
        return;
    }
    /* the window's 50, then the other 30 at half the stop's time */
    CHECK_EQ_INT((int)g_hash_table_size(h.unreg_ids), 80);
    CHECK(h.fifty_first_us - h.first_us > (gint64)timeout_ms * 1000 / 4);
    /* every gateway ended DOWN on its un-REGISTER's 200, none given up */
    {
        sc_event *ev;
        int down_answered = 0, down_other = 0;
        while ((ev = sc_session_next_event(s, 0))) {
            if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == SC_REG_DOWN) {
                if (sc_event_sip_code(ev) == 200) down_answered++;
                else down_other++;
            }
            sc_event_free(ev);
        }
        CHECK_EQ_INT(down_answered, 80);
        CHECK_EQ_INT(down_other, 0);
    }
    g_atomic_int_set(&h.quit, 1);
    g_thread_join(t);
    sc_session_free(s);
    g_hash_table_destroy(h.unreg_ids);
    close(h.fd);
}

static void stop_unregisters_through_the_window(void)
{
    stop_with_held_unregisters(4000);
    stop_with_held_unregisters(0);
}

SC_TEST_MAIN(TEST(null_arguments_are_errors), TEST(bad_bind_addresses), TEST(udp_receive_buffer),
             TEST(start_stop_free),
             TEST(port_in_use_is_a_clear_error), TEST(network_failure_reported_and_retried),
             TEST(invalid_gateway_is_refused), TEST(noreg_gateway_is_up), TEST(gateway_requests_by_name),
             TEST(callback_may_stop_its_session), TEST(replacing_callback_destroys_old_user_data),
             TEST(queue_fd_and_interrupt), TEST(runs_on_application_context),
             TEST(calls_from_many_threads), TEST(adds_after_start_do_not_wait),
             TEST(adds_during_start_all_land),
             TEST(posts_on_application_context_end_with_it),
             TEST(register_window_holds_the_rest),
             TEST(stop_unregisters_through_the_window))
