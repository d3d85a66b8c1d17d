/* The loopback trunk: life cycle, its own thread and the public API.
 *
 * The trunk owns a GMainContext run by its own thread; Sofia's root is a
 * GSource on it and nua runs in that thread too (su_root_threading off), so
 * every nua call and callback happens there. Public functions post work with
 * g_main_context_invoke() and wait for it (sc_trunk_run_sync, on ctx_sync.c),
 * as the session does in its own-thread mode. The SIP side is in trunk_sip.c, the log in trunk_log.c. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "trunk_int.h"   /* first: it sets Sofia's magic types */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/tport_tag.h>

#include "ctx_sync.h"
#include "free_port.h"
#include "addr.h"
#include "sofia_stack.h"
#include "error_priv.h"
#include "free_all.h"
#include "skypeconnect/sc_version.h"

/* sc_trunk_free(): calls get this long to end properly (BYE answered),
 * and the whole stop this long, before we stop waiting for the network. */
#define SC_TRUNK_HANGUP_WAIT_US (2 * G_USEC_PER_SEC)
#define SC_TRUNK_STOP_BOUND_US (5 * G_USEC_PER_SEC)
/* nua_shutdown() answers within 30 s in any case (its own timer); nua_destroy()
 * before that answer would abort the process, so past the bound we still
 * wait for it, only longer. */
#define SC_TRUNK_SHUTDOWN_LAST_US (35 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Addresses */

/* Parses "HOST", "HOST:PORT", "[V6]", "[V6]:PORT" (numeric hosts only:
 * the trunk's address goes into URIs and gateways, and Sofia's resolver
 * ignores /etc/hosts anyway). A missing port means "any free port". */
static int parse_listen(const char *addr, char **host_out, int *port_out)
{
    /* Gateways must be able to point at it: 0.0.0.0 / :: are not addresses. */
    return sc_addr_parse(addr, "trunk address", true, host_out, port_out);
}

/* ------------------------------------------------------------------ */
/* Running work on the trunk thread */

void sc_trunk_run_sync(sc_trunk *t, void (*fn)(void *), void *data)
{
    sc_ctx_run_sync(t->ctx, &t->lock, &t->cond, fn, data);
}

void sc_trunk_changed(sc_trunk *t)
{
    sc_ctx_changed(&t->lock, &t->cond);
}

/* ------------------------------------------------------------------ */
/* The stack */

static void stack_down(sc_trunk *t)
{
    sc_sofia_stack_destroy(&t->nua, &t->su_source, &t->root);
}

static int stack_up(sc_trunk *t, int wanted_port)
{
    bool v6 = strchr(t->host, ':') != NULL;
    char *url;
    int port;

    if (!sc_sofia_root_start(t->ctx, t, &t->root, &t->su_source))
        return sc_fail(SC_ESIP, "trunk: Sofia-SIP cannot create its event root");

    port = sc_find_free_port(t->host, v6, true, wanted_port);
    if (port <= 0) {
        if (wanted_port)
            return sc_fail(SC_EIO, "trunk: cannot bind %s port %d: %s", t->host, wanted_port,
                           errno ? strerror(errno) : "in use");
        return sc_fail(SC_EIO, "trunk: no free port on %s: %s", t->host, strerror(errno));
    }
    url = g_strdup_printf("sip:%s:%d", t->uri_host, port);
    t->nua = nua_create(t->root, sc_trunk_nua_cb, t,
                        NUTAG_URL(url),
                        TPTAG_LOG(sc_sip_trace_enabled()),  /* --log sip, as the session does */
                        /* REGISTER is ours to answer: nua would refuse it (405). */
                        NUTAG_APPL_METHOD("REGISTER"),
                        NUTAG_ALLOW("REGISTER"),
                        /* SDP is plain body text, no offer/answer engine. */
                        NUTAG_MEDIA_ENABLE(0),
                        /* 180 and 200 are ours, sent when the PSTN rule says. */
                        NUTAG_AUTOANSWER(0),
                        NUTAG_AUTOALERT(0),
                        NUTAG_ENABLEMESSAGE(0),
                        NUTAG_USER_AGENT("libskypeconnect-trunk/" SC_VERSION_STRING),
                        TAG_END());
    g_free(url);
    if (!t->nua) return sc_fail(SC_EIO, "trunk: cannot bind SIP to %s port %d", t->host, port);
    t->port = port;
    return SC_OK;
}

typedef struct thread_start {
    sc_trunk *t;
    int wanted_port;
} thread_start;

static gpointer trunk_thread_main(gpointer p)
{
    thread_start *ts = p;
    sc_trunk *t = ts->t;
    int rc;
    g_main_context_push_thread_default(t->ctx);
    rc = stack_up(t, ts->wanted_port);
    g_mutex_lock(&t->lock);
    t->start_status = rc;
    /* The failure is this thread's: hand it to the creating thread. */
    if (rc) sc_error_save(&t->start_error);
    t->start_done = true;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    if (rc == SC_OK) g_main_loop_run(t->loop);   /* until sc_trunk_free() */
    /* Outside every Sofia callback, as nua_destroy() requires. */
    sc_trunk_drop_all(t);
    if (t->nua && !t->shutdown_done) {
        /* nua_destroy() before the shutdown answer aborts the process
         * (Debian's Sofia asserts): leaking the stack is the lesser evil. */
        sc_log(SC_LOG_ERROR, "trunk: the SIP stack never finished shutting down; leaking it");
    } else {
        stack_down(t);
    }
    g_main_context_pop_thread_default(t->ctx);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Creation and destruction */

static void binding_free(gpointer p)
{
    trunk_binding *b = p;
    g_free(b->contact);
    g_free(b);
}

static void release(sc_trunk *t)
{
    g_hash_table_destroy(t->bindings);
    g_hash_table_destroy(t->interval_done);
    g_hash_table_destroy(t->reg_handles);
    g_queue_clear_full(&t->log, g_free);
    if (t->loop) g_main_loop_unref(t->loop);
    if (t->ctx) g_main_context_unref(t->ctx);
    SC_FREE_ALL(t->host, t->uri_host, t->address, t->realm, t->user, t->sdp);
    if (t->password) memset(t->password, 0, strlen(t->password));
    g_free(t->password);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->cond);
    g_free(t);
}

static bool user_ok(const char *u)
{
    /* A SIP URI user and a digest username: no separators or quotes. */
    for (; *u; u++)
        if ((unsigned char)*u <= 0x20 || strchr("@:;<>\"\\,/?", *u) || (unsigned char)*u >= 0x7f) return false;
    return true;
}

SC_API sc_trunk *sc_trunk_new(const char *listen, const char *user, const char *password)
{
    sc_trunk *t;
    char *host = NULL;
    int port = 0, rc;
    bool v6;
    thread_start ts;

    if (!user || !*user || !password || !*password)
        return sc_fail_null(SC_EINVAL, "sc_trunk_new: the %s is empty", !user || !*user ? "user" : "password");
    if (!user_ok(user) || strlen(user) > 64)
        return sc_fail_null(SC_EINVAL, "sc_trunk_new: user '%.64s' must be up to 64 characters without spaces, "
                            "quotes or URI separators", user);
    if (strlen(password) > 256 || strchr(password, '\n') || strchr(password, '\r'))
        return sc_fail_null(SC_EINVAL, "sc_trunk_new: the password must be one line of at most 256 characters");
    if (parse_listen(listen, &host, &port)) return NULL;
    sc_sofia_log_redirect();

    t = g_new0(sc_trunk, 1);
    g_mutex_init(&t->lock);
    g_cond_init(&t->cond);
    v6 = strchr(host, ':') != NULL;
    t->host = host;
    t->uri_host = v6 ? g_strdup_printf("[%s]", host) : g_strdup(host);
    t->realm = g_strdup(host);
    t->user = g_strdup(user);
    t->password = g_strdup(password);
    g_snprintf(t->secret, sizeof t->secret, "%08x%08x%08x%08x", g_random_int(), g_random_int(), g_random_int(),
               g_random_int());
    t->sdp = g_strdup_printf("v=0\r\no=trunk %u 1 IN %s %s\r\ns=skypeconnect loopback trunk\r\n"
                             "c=IN %s %s\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0 8 101\r\n"
                             "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                             "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n",
                             g_random_int_range(1, 1000000), v6 ? "IP6" : "IP4", host, v6 ? "IP6" : "IP4", host);
    t->started_us = g_get_monotonic_time();
    t->expires = 3600;
    t->ring_seconds = 1;
    t->nonce_ttl_s = SC_TRUNK_NONCE_TTL_S;
    t->bindings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, binding_free);
    t->interval_done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_queue_init(&t->log);
    g_queue_init(&t->parked);
    t->reg_handles = g_hash_table_new(g_str_hash, g_str_equal);   /* values freed on the trunk thread */

    t->ctx = g_main_context_new();
    t->loop = g_main_loop_new(t->ctx, FALSE);
    ts.t = t;
    ts.wanted_port = port;
    t->thread = g_thread_new("sc-trunk", trunk_thread_main, &ts);
    g_mutex_lock(&t->lock);
    while (!t->start_done) g_cond_wait(&t->cond, &t->lock);
    rc = t->start_status;
    g_mutex_unlock(&t->lock);
    if (rc) {
        g_thread_join(t->thread);
        sc_error_restore(&t->start_error);
        release(t);
        return NULL;
    }
    t->address = v6 ? g_strdup_printf("[%s]:%d", host, t->port) : g_strdup_printf("%s:%d", host, t->port);
    sc_log(SC_LOG_INFO, "trunk listening on %s (user %s)", t->address, t->user);
    sc_clear_error();
    return t;
}

static void begin_stop(void *p)
{
    sc_trunk *t = p;
    t->stopping = true;
    sc_trunk_hangup_now(t, 503, "Service Unavailable");
}

static void shutdown_stack(void *p)
{
    sc_trunk *t = p;
    /* Calls that did not end in time go without more SIP: nua_shutdown()
     * would otherwise wait up to 30 s for their transactions. */
    sc_trunk_drop_all(t);
    if (!t->shutdown_sent) {
        t->shutdown_sent = true;
        nua_shutdown(t->nua);
    }
}

/* Sleeps on the condition only (no context: the trunk's own thread always
 * runs its loop, and sc_trunk_free() refuses to run there). */
static bool wait_for(sc_trunk *t, bool (*pred)(void *trunk), gint64 deadline)
{
    return sc_ctx_wait_until(NULL, &t->lock, &t->cond, pred, t, deadline);
}

static bool no_calls(void *t) { return ((const sc_trunk *)t)->n_calls == 0; }
static bool shut_down(void *t) { return ((const sc_trunk *)t)->shutdown_done; }

SC_API void sc_trunk_free(sc_trunk *t)
{
    gint64 start;
    if (!t) return;
    if (g_thread_self() == t->thread) {
        sc_log(SC_LOG_ERROR, "sc_trunk_free() called on the trunk's own thread: ignored (leaks the trunk)");
        return;
    }
    start = g_get_monotonic_time();
    sc_trunk_run_sync(t, begin_stop, t);
    wait_for(t, no_calls, start + SC_TRUNK_HANGUP_WAIT_US);
    sc_trunk_run_sync(t, shutdown_stack, t);
    if (!wait_for(t, shut_down, start + SC_TRUNK_STOP_BOUND_US)) {
        sc_log(SC_LOG_WARNING, "trunk %s: the SIP stack is slow to shut down", t->address);
        wait_for(t, shut_down, start + SC_TRUNK_SHUTDOWN_LAST_US);
    }
    g_main_loop_quit(t->loop);
    g_thread_join(t->thread);
    release(t);
}

/* ------------------------------------------------------------------ */
/* Settings and queries */

SC_API int sc_trunk_port(const sc_trunk *t)
{
    if (!t) return sc_fail(SC_EINVAL, "sc_trunk_port: trunk is NULL");
    return t->port;
}

SC_API const char *sc_trunk_address(const sc_trunk *t)
{
    if (!t) return sc_fail_null(SC_EINVAL, "sc_trunk_address: trunk is NULL");
    return t->address;
}

SC_API int sc_trunk_set_fault(sc_trunk *t, int fault, int param)
{
    if (!t) return sc_fail(SC_EINVAL, "sc_trunk_set_fault: trunk is NULL");
    if (fault < SC_TRUNK_FAULT_NONE || fault > SC_TRUNK_FAULT_INTERVAL)
        return sc_fail(SC_EINVAL, "sc_trunk_set_fault: no fault %d (0..4)", fault);
    if (param < 0 || param > 86400)
        return sc_fail(SC_EINVAL, "sc_trunk_set_fault: parameter %d s is not 0..86400", param);
    if (fault == SC_TRUNK_FAULT_INTERVAL && param < 1)
        return sc_fail(SC_EINVAL, "sc_trunk_set_fault: 423 needs a Min-Expires of at least 1 s");
    g_mutex_lock(&t->lock);
    t->fault = fault;
    t->fault_param = param;
    /* A new fault starts every registration attempt afresh. */
    g_hash_table_remove_all(t->interval_done);
    g_mutex_unlock(&t->lock);
    sc_clear_error();
    return SC_OK;
}

/* A setting in seconds: checked against lo..hi, stored under the lock.
 * field is NULL when t is. */
static int set_seconds(sc_trunk *t, const char *fn, int *field, int seconds, int lo, int hi)
{
    if (!t) return sc_fail(SC_EINVAL, "%s: trunk is NULL", fn);
    if (seconds < lo || seconds > hi)
        return sc_fail(SC_EINVAL, "%s: %d s is not %d..%d", fn, seconds, lo, hi);
    g_mutex_lock(&t->lock);
    *field = seconds;
    g_mutex_unlock(&t->lock);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_trunk_set_expires(sc_trunk *t, int seconds)
{
    return set_seconds(t, "sc_trunk_set_expires", t ? &t->expires : NULL, seconds, 10, 86400);
}

SC_API int sc_trunk_set_ring_seconds(sc_trunk *t, int seconds)
{
    return set_seconds(t, "sc_trunk_set_ring_seconds", t ? &t->ring_seconds : NULL, seconds, 0, 60);
}

int sc_trunk_set_nonce_ttl(sc_trunk *t, int seconds)
{
    return set_seconds(t, "sc_trunk_set_nonce_ttl", t ? &t->nonce_ttl_s : NULL, seconds, 0, INT_MAX);
}

SC_API int sc_trunk_is_registered(sc_trunk *t, const char *user)
{
    trunk_binding *b;
    int yes;
    if (!t || !user) {
        sc_fail(SC_EINVAL, "sc_trunk_is_registered: %s is NULL", !t ? "trunk" : "user");
        return 0;
    }
    g_mutex_lock(&t->lock);
    b = g_hash_table_lookup(t->bindings, user);
    yes = b && b->expires_at > g_get_monotonic_time();
    g_mutex_unlock(&t->lock);
    sc_clear_error();
    return yes;
}

typedef struct place_op {
    sc_trunk *t;
    const char *user, *caller;
    int rc;
    char err[256];
} place_op;

static void place_on_thread(void *p)
{
    place_op *op = p;
    op->rc = sc_trunk_place_now(op->t, op->user, op->caller);
    if (op->rc) g_strlcpy(op->err, sc_last_error(), sizeof op->err);
}

static bool caller_ok(const char *n)
{
    if (*n == '+') n++;
    if (!*n || strlen(n) > 32) return false;
    for (; *n; n++)
        if (!g_ascii_isdigit(*n)) return false;
    return true;
}

SC_API int sc_trunk_place_call(sc_trunk *t, const char *user, const char *caller_number)
{
    place_op op = { t, user, caller_number, SC_OK, "" };
    if (!t || !user || !*user)
        return sc_fail(SC_EINVAL, "sc_trunk_place_call: %s", !t ? "trunk is NULL" : "user is empty");
    if (!caller_number || !*caller_number) op.caller = "anonymous";
    else if (!caller_ok(caller_number))
        return sc_fail(SC_EINVAL, "sc_trunk_place_call: caller number '%.40s' must be digits with an "
                                  "optional leading '+'", caller_number);
    sc_trunk_run_sync(t, place_on_thread, &op);
    if (op.rc) return sc_fail(op.rc, "%s", op.err);
    sc_clear_error();
    return SC_OK;
}

static void hangup_on_thread(void *p)
{
    sc_trunk_hangup_now(p, 480, "Temporarily Unavailable");
}

SC_API int sc_trunk_hangup_all(sc_trunk *t)
{
    if (!t) return sc_fail(SC_EINVAL, "sc_trunk_hangup_all: trunk is NULL");
    sc_trunk_run_sync(t, hangup_on_thread, t);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_trunk_count(sc_trunk *t, const char *what)
{
    int n;
    if (!t || !what) return sc_fail(SC_EINVAL, "sc_trunk_count: %s is NULL", !t ? "trunk" : "counter name");
    g_mutex_lock(&t->lock);
    if (!strcmp(what, "register")) n = t->n_register;
    else if (!strcmp(what, "invite")) n = t->n_invite;
    else if (!strcmp(what, "answered")) n = t->n_answered;
    else if (!strcmp(what, "active")) n = t->n_active;
    else n = -1;
    g_mutex_unlock(&t->lock);
    if (n < 0)
        return sc_fail(SC_EINVAL, "sc_trunk_count: no counter '%.32s' (register, invite, answered, active)", what);
    sc_clear_error();
    return n;
}
