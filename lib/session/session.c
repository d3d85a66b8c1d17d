/* Session life cycle: the SIP stack, its thread or GMainContext, and the
 * marshalling of public calls onto the stack's thread.
 *
 * One rule carries the design: Sofia-SIP and every sc_reg are touched only by
 * the thread that owns the session's GMainContext. A public call made on
 * another thread is posted to that context and waited for (run_sync); a call
 * made on the owning thread (an event callback, or an application iterating
 * its own context) runs at once. Waits that need the stack to progress (stop)
 * iterate the context themselves when they own it, so an event callback may
 * stop its own session without deadlock. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "stack.h"   /* first: it sets Sofia's magic types */
#include "listen.h"
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_extra.h>

#include "free_port.h"
#include "timer.h"
#include "addr.h"
#include "sofia_stack.h"
#include "served_methods.h"
#include "header_block.h"
#include "error_priv.h"
#include "calls_priv.h"
#include "drain.h"
#include "registration_priv.h"
#include "reg_window.h"
#include "skypeconnect/sc_dialplan.h"
#include "skypeconnect/sc_version.h"
#include "skypeconnect/sc_media.h"
#ifdef SC_HAVE_MEDIA
#include "media.h"
#endif

#define SC_USER_AGENT "libskypeconnect/" SC_VERSION_STRING
#define SC_FREE_STOP_MS 5000
/* Sofia answers nua_shutdown within 30 s at most; we allow a little more. */
#define SC_SHUTDOWN_BOUND_US (35 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Sofia's set-up, once per process. */

static void set_up_sofia(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        /* P-Asserted-Identity and Remote-Party-ID are "extra" headers: the
         * parser knows them only once the default message class is extended
         * (as FreeSWITCH does at start-up). */
        sip_update_default_mclass(sip_extend_mclass(NULL));
        g_once_init_leave(&once, 1);
    }
    sc_sofia_log_redirect();
}

/* ------------------------------------------------------------------ */
/* Creation and options */

SC_API sc_session *sc_session_new(void)
{
    sc_session *s;
    /* The one step that can fail comes first, so that failing frees nothing
     * else (no tables, no mutex to clear). */
    int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0) {
        sc_fail(SC_EIO, "cannot create the event descriptor: %s", strerror(errno));
        return NULL;
    }
    s = g_new0(sc_session, 1);
    s->wake_fd = wake_fd;
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->bind_host = g_strdup("127.0.0.1");
    s->regs = g_ptr_array_new();
    s->removed = g_ptr_array_new();
    s->calls = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)sc_call_unref);
    s->answer_timeout_s = 60;
    s->udp_rmem = SC_UDP_RECEIVE_BUFFER_DEFAULT;
    s->pending = g_ptr_array_new_with_free_func((GDestroyNotify)sc_gateway_free);
    s->gw_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_queue_init(&s->reg_waiting);
    s->post_fd = -1;
    set_up_sofia();
    sc_clear_error();
    return s;
}

/* Options change only before sc_session_start(). A setter checks first
 * (not_started), prepares its value without the lock (parsing, reading
 * files), then stores it with set_before_start(), which checks the phase
 * again under the lock: a start that came in between wins, and the value is
 * not stored. So the stack, once started, reads options without the lock:
 * nothing writes them any more. No helper returns holding the lock. */
static int not_started(sc_session *s, const char *what)
{
    bool fresh;
    if (!s) return sc_fail(SC_EINVAL, "%s: session is NULL", what);
    g_mutex_lock(&s->lock);
    fresh = s->phase == SC_PHASE_NEW;
    g_mutex_unlock(&s->lock);
    return fresh ? SC_OK : sc_fail(SC_ESTATE, "%s: only before sc_session_start()", what);
}

/* Runs apply(s, arg) under the lock if the session has not started. */
static int set_before_start(sc_session *s, const char *what, void (*apply)(sc_session *, void *),
                            void *arg)
{
    bool fresh;
    g_mutex_lock(&s->lock);
    fresh = s->phase == SC_PHASE_NEW;
    if (fresh) apply(s, arg);
    g_mutex_unlock(&s->lock);
    if (!fresh) return sc_fail(SC_ESTATE, "%s: only before sc_session_start()", what);
    sc_clear_error();
    return SC_OK;
}

static void apply_media(sc_session *s, void *arg)
{
    s->media_on = *(int *)arg != 0;
}

SC_API int sc_session_set_media(sc_session *s, int on)
{
    if (!s) return sc_fail(SC_EINVAL, "sc_session_set_media: session is NULL");
#ifndef SC_HAVE_MEDIA
    if (on)
        return sc_fail(SC_ENOTFOUND, "sc_session_set_media: this libskypeconnect was built without media "
                                     "(SC_WITH_MEDIA=OFF)");
#endif
    return set_before_start(s, "sc_session_set_media", apply_media, &on);
}

/* The session's listening addresses: numeric, the wildcard allowed. */
static int parse_bind(const char *addr, char **host_out, int *port_out)
{
    return sc_addr_parse(addr, "bind address", false, host_out, port_out);
}

typedef struct bind_option {
    char *host;            /* moves to the session when stored */
    int port;
} bind_option;

static void store_bind(sc_session *s, void *p)
{
    bind_option *o = p;
    g_free(s->bind_host);
    s->bind_host = o->host;
    s->bind_port = o->port;
    s->bind_explicit = true;
    o->host = NULL;
}

SC_API int sc_session_set_bind(sc_session *s, const char *addr)
{
    bind_option o = { 0 };
    int rc = not_started(s, "sc_session_set_bind");
    if (rc) return rc;
    rc = parse_bind(addr, &o.host, &o.port);
    if (rc == SC_OK) rc = set_before_start(s, "sc_session_set_bind", store_bind, &o);
    g_free(o.host);
    return rc;
}

static void store_udp_rmem(sc_session *s, void *p)
{
    s->udp_rmem = *(const int *)p;
}

SC_API int sc_session_set_udp_receive_buffer(sc_session *s, int bytes)
{
    int rc = not_started(s, "sc_session_set_udp_receive_buffer");
    if (rc) return rc;
    if (bytes != 0 && (bytes < SC_UDP_RECEIVE_BUFFER_MIN || bytes > SC_UDP_RECEIVE_BUFFER_MAX))
        return sc_fail(SC_EINVAL, "sc_session_set_udp_receive_buffer: bytes %d is out of range "
                                  "(0 for the system's default, or %d to %d)",
                       bytes, SC_UDP_RECEIVE_BUFFER_MIN, SC_UDP_RECEIVE_BUFFER_MAX);
    return set_before_start(s, "sc_session_set_udp_receive_buffer", store_udp_rmem, &bytes);
}

typedef struct tls_option {
    char *dir;             /* moves to the session when stored */
    bool verify;
} tls_option;

static void store_tls(sc_session *s, void *p)
{
    tls_option *o = p;
    g_free(s->tls_dir);
    s->tls_dir = o->dir;
    s->tls_verify = o->verify;
    o->dir = NULL;
}

SC_API int sc_session_set_tls(sc_session *s, const char *cert_dir, int verify)
{
    tls_option o = { 0 };
    char *agent;
    int rc = not_started(s, "sc_session_set_tls");
    if (rc) return rc;
    if (!cert_dir || !*cert_dir)
        return sc_fail(SC_EINVAL, "sc_session_set_tls: certificate directory is empty");
    agent = g_build_filename(cert_dir, "agent.pem", NULL);
    if (!g_file_test(agent, G_FILE_TEST_IS_REGULAR)) {
        rc = sc_fail(SC_EIO, "TLS: '%s' does not exist (the certificate and key, PEM)", agent);
    } else {
        o.dir = g_strdup(cert_dir);
        o.verify = verify != 0;
        rc = set_before_start(s, "sc_session_set_tls", store_tls, &o);
        g_free(o.dir);
    }
    g_free(agent);
    return rc;
}

static void store_dispatch(sc_session *s, void *p)
{
    s->dispatch_mode = *(const int *)p;
}

SC_API int sc_session_set_dispatch(sc_session *s, int mode)
{
    int rc = not_started(s, "sc_session_set_dispatch");
    if (rc) return rc;
    if (mode != SC_DISPATCH_THREAD && mode != SC_DISPATCH_QUEUE)
        return sc_fail(SC_EINVAL, "dispatch mode %d: use SC_DISPATCH_THREAD or SC_DISPATCH_QUEUE", mode);
    return set_before_start(s, "sc_session_set_dispatch", store_dispatch, &mode);
}

static void store_main_context(sc_session *s, void *ctx)
{
    if (s->app_ctx) g_main_context_unref(s->app_ctx);
    s->app_ctx = ctx ? g_main_context_ref(ctx) : NULL;
}

SC_API int sc_session_set_main_context(sc_session *s, void *gmain_context)
{
    int rc = not_started(s, "sc_session_set_main_context");
    if (rc) return rc;
    return set_before_start(s, "sc_session_set_main_context", store_main_context, gmain_context);
}

/* ------------------------------------------------------------------ */
/* The stack */

/* A REGISTER handle carries its gateway as magic; the pings' and NAT
 * keepalives' handles are found by a search. */
static sc_reg *reg_for_handle(sc_session *s, nua_handle_t *nh, void *hmagic)
{
    if (hmagic && ((sc_reg *)hmagic)->kind == SC_HANDLE_REG) return hmagic;
    for (guint i = 0; nh && i < s->regs->len; i++)
        if (sc_reg_owns_handle(s->regs->pdata[i], nh)) return s->regs->pdata[i];
    for (guint i = 0; nh && i < s->removed->len; i++)
        if (sc_reg_owns_handle(s->removed->pdata[i], nh)) return s->removed->pdata[i];
    return NULL;
}

/* Frees removed gateways whose un-REGISTER is answered. */
static void reap_removed(sc_session *s)
{
    for (guint i = s->removed->len; i-- > 0;)
        if (!sc_reg_busy(s->removed->pdata[i])) {
            sc_reg_free(s->removed->pdata[i]);
            g_ptr_array_remove_index(s->removed, i);
        }
}

static void stop_progress(sc_session *s);
static void schedule_teardown(sc_session *s);

static void nua_cb(nua_event_t event, int status, char const *phrase, nua_t *nua,
                   sc_session *s, nua_handle_t *nh, void *hmagic, sip_t const *sip,
                   tagi_t tags[])
{
    sc_reg *r;

    if (hmagic && ((sc_call *)hmagic)->kind == SC_HANDLE_CALL) {
        sc_call *c = sc_call_ref(hmagic);  /* the call may end inside */
        sc_calls_on_event(s, c, event, status, phrase, sip, tags);
        sc_call_unref(c);
        if (s->phase == SC_PHASE_STOPPING) stop_progress(s);
        sc_session_changed(s);
        return;
    }
    switch (event) {
    case nua_r_shutdown:
        if (status >= 200 && --s->shutdowns_pending == 0) {
            s->shutdown_done = true;
            /* nua_destroy() must not run inside this callback. */
            schedule_teardown(s);
        }
        break;
    case nua_i_invite:
        if (sip && sip->sip_request) sc_calls_on_incoming(s, nua, nh, sip);
        else nua_handle_destroy(nh);
        break;
    case nua_i_options:
        /* Ours to answer (NUTAG_APPL_METHOD): the answer says our health. */
        if (nh && nh != nua_default(nua)) sc_health_answer_options(s, nua, nh);
        break;
    default:
        r = reg_for_handle(s, nh, hmagic);
        if (r) {
            sc_reg_on_response(r, event, status, phrase, nh, sip);
        } else if (sc_drop_stray_request(nua, event, nh)) {
            sc_log(SC_LOG_DEBUG, "ignoring %s (%d %s)", nua_event_name(event), status, phrase);
        }
        break;
    }
    reap_removed(s);
    if (s->phase == SC_PHASE_STOPPING) stop_progress(s);
    sc_session_changed(s);
}

static char *sip_host(const char *host)
{
    return strchr(host, ':') ? g_strdup_printf("[%s]", host) : g_strdup(host);
}

/* The internal side: a second SIP listener on the same thread, where local
 * phones and PBXes send their calls (FreeSWITCH's "internal" profile). */
static int internal_up(sc_session *s)
{
    char *host = NULL, *url, *shost;
    tagi_t *methods;
    int port = 0, rc = parse_bind(s->internal_bind, &host, &port);
    if (rc) return rc;
    port = sc_find_free_port(host, strchr(host, ':') != NULL, true, port);
    if (port <= 0) {
        rc = sc_fail(SC_EIO, "internal side: cannot bind %s: %s", s->internal_bind,
                     errno ? strerror(errno) : "in use");
        g_free(host);
        return rc;
    }
    shost = sip_host(host);
    url = g_strdup_printf("sip:%s:%d", shost, port);
    methods = sc_served_method_tags();
    s->nua_internal = nua_create(s->root, nua_cb, s, NUTAG_URL(url),
                                 NUTAG_OUTBOUND("no-options-keepalive no-validate no-natify no-use-rport"),
                                 NUTAG_KEEPALIVE(0), NUTAG_USER_AGENT(SC_USER_AGENT),
                                 TPTAG_LOG(sc_sip_trace_enabled()),
                                 NUTAG_AUTOANSWER(0), NUTAG_MEDIA_ENABLE(0),
                                 NTATAG_SIPFLAGS(SC_SIP_FLAGS),
                                 /* the edge proxy's traffic comes in bursts too (stack_up) */
                                 TAG_IF(s->udp_rmem > 0, TPTAG_UDP_RMEM((unsigned)s->udp_rmem)),
                                 NUTAG_APPL_METHOD("OPTIONS"),  /* health: calls/drain.c */
                                 TAG_NEXT(methods));
    tl_vfree(methods);
    s->internal_port = port;
    g_free(g_steal_pointer(&s->internal_host));
    s->internal_host = host;
    g_free(url);
    g_free(shost);
    if (!s->nua_internal) return sc_fail(SC_EIO, "internal side: cannot bind SIP to %s", s->internal_bind);
    return SC_OK;
}

/* Why the listening address could not be bound, in words to act on. An
 * address that is not this host's (a configuration copied from another
 * machine, an interface that is down, a typo) is the usual case: it is a
 * network failure, not a busy port, and the message says so. */
static int bind_failed(sc_session *s, int err)
{
    if (err == EADDRNOTAVAIL)
        return sc_fail(SC_EIO, "cannot listen on %s: address not bindable, it is not an address of this "
                       "host (%s); reason network", s->bind_host, strerror(err));
    if (s->bind_port)
        return sc_fail(SC_EIO, "cannot bind SIP to %s port %d: %s", s->bind_host, s->bind_port,
                       err ? strerror(err) : "in use");
    return sc_fail(SC_EIO, "no free port on %s: %s", s->bind_host, err ? strerror(err) : "all in use");
}

/* Brings the stack up on the stack thread. Returns a status. */
static int stack_up(sc_session *s)
{
    bool v6;
    char *host, *url, *sips_url = NULL;
    tagi_t *methods;
    int port = s->bind_port;

    sc_listen_choose(s);
    v6 = strchr(s->bind_host, ':') != NULL;
    /* "sip:*": Sofia binds every local address, IPv4 and IPv6 (listen.c) */
    host = s->listen_any && !s->bind_explicit ? g_strdup("*") : sip_host(s->bind_host);

    /* Our own thread runs Sofia's native loop, with the context inside it;
     * the application's context runs Sofia's GLib source. */
    if (!(s->app_ctx ? sc_sofia_root_start(s->ctx, s, &s->root, &s->su_source)
                     : sc_sofia_native_root_start(s->ctx, s, &s->root, &s->bridge))) {
        g_free(host);
        return sc_fail(SC_ESIP, "Sofia-SIP: cannot create the event root");
    }
    sc_session_deliver_on_root(s, true);
    if (s->bridge) sc_session_post_on_root(s, true);

    port = sc_find_free_port(s->bind_host, v6, true, port);
    if (port <= 0) {
        int err = errno;
        g_free(host);
        return bind_failed(s, err);
    }
    s->udp_port = s->tcp_port = port;
    url = g_strdup_printf("sip:%s:%d", host, port);
    if (s->tls_dir) {
        s->tls_port = sc_find_free_port(s->bind_host, v6, false, 0);
        if (s->tls_port <= 0) {
            g_free(host);
            g_free(url);
            return sc_fail(SC_EIO, "no free TLS port on %s", s->bind_host);
        }
        sips_url = g_strdup_printf("sips:%s:%d", host, s->tls_port);
    }

    methods = sc_served_method_tags();
    s->nua = nua_create(s->root, nua_cb, s,
                        NUTAG_URL(url),
                        TAG_IF(sips_url, NUTAG_SIPS_URL(sips_url)),
                        TAG_IF(sips_url, NUTAG_CERTIFICATE_DIR(s->tls_dir)),
                        TAG_IF(sips_url && s->tls_verify, TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUTGOING)),
                        /* Our own Contact, refresh and ping: Sofia's outbound
                         * engine would probe the registrar and keep alive on
                         * its own. */
                        NUTAG_OUTBOUND("no-options-keepalive no-validate no-natify no-use-rport"),
                        NUTAG_KEEPALIVE(0),
                        /* Session timers as FreeSWITCH's profile has them:
                         * 1800 s offered (Sofia's own default offers none).
                         * Set once here, a dial-out with the default needs
                         * no tag of its own (calls/session_timer.c). */
                        NUTAG_SESSION_TIMER(SC_SESSION_TIMEOUT_DEFAULT),
                        /* rport on TCP/TLS too: behind NAT the answer's
                         * received/rport name the connection's public end,
                         * which the Contact needs (nat.c). */
                        NTATAG_TCP_RPORT(1),
                        NTATAG_TLS_RPORT(1),
                        /* A 503 with Retry-After is ours to handle (FAILED,
                         * FAIL_WAIT, back-off): Sofia must not quietly resend. */
                        NUTAG_MAX_RETRY_AFTER(0),
                        /* A transaction nobody answers ends after 8 s, not
                         * 32 (64 x T1): our own timeout-seconds governs
                         * registrations, a trunk answers INVITEs with 100 at
                         * once, and shutdown and failed TLS handshakes
                         * no longer hang for half a minute. */
                        NTATAG_SIP_T1X64(8000),
                        /* A burst (a trunk's INVITEs after its own outage,
                         * retransmissions, a busy second) must wait in the
                         * socket, not be dropped by the kernel: each drop
                         * costs a retransmission 500 ms later and more work
                         * than the datagram itself (docs/sofia-sip.md). */
                        TAG_IF(s->udp_rmem > 0, TPTAG_UDP_RMEM((unsigned)s->udp_rmem)),
                        /* Sofia keeps each received header's bytes (it
                         * parses a copy): an inbound INVITE's header lines
                         * for sc_call_header() are then copied, not printed
                         * again (sip/header_block.c). */
                        NTATAG_SIPFLAGS(SC_SIP_FLAGS),
                        NUTAG_USER_AGENT(SC_USER_AGENT),
                        TPTAG_LOG(sc_sip_trace_enabled()),  /* sip_trace.c */
                        NUTAG_AUTOANSWER(0),
                        /* SDP is the application's: Sofia's offer/answer engine stays out. */
                        NUTAG_MEDIA_ENABLE(0),
                        /* OPTIONS is ours to answer: 503 while draining,
                         * stopping or full, so that a proxy's health probe
                         * takes us out (calls/drain.c) */
                        NUTAG_APPL_METHOD("OPTIONS"),
                        /* calls only: no REFER, SUBSCRIBE, NOTIFY, MESSAGE */
                        TAG_NEXT(methods));
    tl_vfree(methods);
    g_free(url);
    g_free(sips_url);
    g_free(host);
    if (!s->nua)
        return sc_fail(SC_EIO, "cannot bind SIP to %s port %d (in use, or not a local address?)",
                       s->bind_host, port);
    return s->internal_bind ? internal_up(s) : SC_OK;
}

/* The media engine, when the application asked for media: its reports
 * come to the stack's context, so they reach calls on the stack thread. */
static int media_up(sc_session *s)
{
#ifdef SC_HAVE_MEDIA
    if (!s->media_on) return SC_OK;
    int rc = sc_media_engine_new(s->ctx, sc_calls_media_report, s, NULL, &s->media_engine);
    if (rc) return sc_fail(rc, "media: %s", sc_last_error());
#else
    (void)s;
#endif
    return SC_OK;
}

static void start_pending_gateways(sc_session *s)
{
    GPtrArray *pending;
    g_mutex_lock(&s->lock);
    pending = s->pending;
    s->pending = g_ptr_array_new_with_free_func((GDestroyNotify)sc_gateway_free);
    g_mutex_unlock(&s->lock);
    for (guint i = 0; i < pending->len; i++) {
        sc_reg *r = sc_reg_new(s, pending->pdata[i]);
        g_ptr_array_add(s->regs, r);
        sc_reg_start(r);
    }
    g_ptr_array_free(pending, TRUE);
}

/* Releases what stack_up made. Not from inside a Sofia callback. */
static void stack_down(sc_session *s)
{
    /* On an application's context they would outlive the session. */
    sc_timer_cancel(&s->stop_flush_timer);
    sc_timer_cancel(&s->stop_deadline_timer);
    sc_session_post_on_root(s, false);   /* what waits runs now, while the stack is whole */
    for (guint i = 0; i < s->regs->len; i++) sc_reg_free(s->regs->pdata[i]);
    g_ptr_array_set_size(s->regs, 0);
    for (guint i = 0; i < s->removed->len; i++) sc_reg_free(s->removed->pdata[i]);
    g_ptr_array_set_size(s->removed, 0);
    if (s->nua_internal) {
        nua_destroy(s->nua_internal);
        s->nua_internal = NULL;
    }
    sc_session_deliver_on_root(s, false);
    if (s->su_running) {
        /* Inside the root's own loop: the root and its bridge go when
         * su_root_run() has returned (stack_thread_main). */
        if (s->nua) nua_destroy(s->nua);
        s->nua = NULL;
        su_root_break(s->root);
    } else if (s->bridge) {
        sc_sofia_native_stack_destroy(&s->nua, &s->bridge, &s->root);
    } else {
        sc_sofia_stack_destroy(&s->nua, &s->su_source, &s->root);
    }
#ifdef SC_HAVE_MEDIA
    /* every call has ended (and freed its stream) by now */
    sc_media_engine_free(s->media_engine);
    s->media_engine = NULL;
#endif
}

static gboolean teardown_idle(gpointer p)
{
    sc_session *s = p;
    if (s->torn_down) return G_SOURCE_REMOVE;
    s->torn_down = true;
    stack_down(s);
    sc_session_emit(s, sc_event_new(SC_EVENT_SESSION_STOPPED, NULL));
    if (s->dispatch_mode == SC_DISPATCH_THREAD) sc_session_deliver_queued(s);
    g_mutex_lock(&s->lock);
    s->phase = SC_PHASE_STOPPED;
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
    /* Our own thread keeps iterating until sc_session_free(): calls made
     * after the stop still find a thread to run them. */
    return G_SOURCE_REMOVE;
}

static void schedule_teardown(sc_session *s)
{
    GSource *idle = g_idle_source_new();
    g_source_set_callback(idle, teardown_idle, s, NULL);
    g_source_attach(idle, s->ctx);
    g_source_unref(idle);
}

/* Sofia's loop, until the teardown or sc_session_free() breaks it; after a
 * teardown the root and the bridge go, outside the loop. Freed without a
 * finished stop (it timed out), the stack stays as it is: destroying a nua
 * whose shutdown has not completed aborts the process (docs/sofia-sip.md). */
static void run_native_loop(sc_session *s)
{
    s->su_running = true;
    su_root_run(s->root);
    s->su_running = false;
    if (s->torn_down) sc_sofia_native_stack_destroy(&s->nua, &s->bridge, &s->root);
}

static gpointer stack_thread_main(gpointer p)
{
    sc_session *s = p;
    int rc;
    /* Held for the thread's life: other threads see the context owned and
     * post their work to it (ctx_sync.c, call_post.c). */
    g_main_context_acquire(s->ctx);
    g_main_context_push_thread_default(s->ctx);
    /* The starter stores s->thread under the lock: once past it, this
     * thread knows itself (sc_session_on_stack_thread()). */
    g_mutex_lock(&s->lock);
    g_mutex_unlock(&s->lock);
    rc = stack_up(s);
    if (rc == SC_OK) rc = media_up(s);
    if (rc == SC_OK) start_pending_gateways(s);
    g_mutex_lock(&s->lock);
    s->start_status = rc;
    s->start_done = true;
    /* The detail text is thread-local: hand it to the starting thread. */
    if (rc != SC_OK) sc_error_save(&s->start_error);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
    if (rc == SC_OK) {
        run_native_loop(s);
        /* After the stop, the context alone, until sc_session_free(). */
        if (!s->quit) g_main_loop_run(s->loop);
    } else {
        stack_down(s);
    }
    g_main_context_pop_thread_default(s->ctx);
    g_main_context_release(s->ctx);
    return NULL;
}

static bool start_finished(sc_session *s)
{
    return s->start_done;
}

static int start_on_app_context(sc_session *s, void *unused)
{
    sc_error_state failure;
    int rc = stack_up(s);
    (void)unused;
    if (rc == SC_OK) rc = media_up(s);
    if (rc == SC_OK) {
        start_pending_gateways(s);
        return SC_OK;
    }
    sc_error_save(&failure);   /* the failure is the start's, not the teardown's */
    stack_down(s);
    return sc_error_restore(&failure);
}

/* The start is over, whichever way: threads held back by
 * sc_session_acquire_stack() or sc_session_run_sync() go on. */
static int start_over(sc_session *s, sc_phase phase, int rc)
{
    g_mutex_lock(&s->lock);
    s->phase = phase;
    s->starting = false;
    s->starter = NULL;
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
    return rc;
}

SC_API int sc_session_start(sc_session *s)
{
    int rc;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_start: session is NULL");
    g_mutex_lock(&s->lock);
    if (s->phase != SC_PHASE_NEW) {
        g_mutex_unlock(&s->lock);
        return sc_fail(SC_ESTATE, "sc_session_start: the session was started already");
    }
    /* The context exists before anyone can see the phase RUNNING; until the
     * start is over, other threads that would use it wait (stack.c). */
    if (s->app_ctx) {
        s->ctx = g_main_context_ref(s->app_ctx);
    } else {
        /* Ownerless polling: a source attached on the stack thread itself
         * wakes Sofia's loop too (sip/glib_bridge.h). */
        s->ctx = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
        s->loop = g_main_loop_new(s->ctx, FALSE);
    }
    s->phase = SC_PHASE_RUNNING;
    s->starting = true;
    s->starter = g_thread_self();
    g_mutex_unlock(&s->lock);

    if (s->app_ctx) {
        rc = sc_session_call_on_stack(s, start_on_app_context, NULL);
        if (rc) return start_over(s, SC_PHASE_STOPPED, rc);   /* the last error is the stack's */
        sc_clear_error();
        return start_over(s, SC_PHASE_RUNNING, SC_OK);
    }

    /* Not wait_until(): it would acquire the context before the thread does. */
    g_mutex_lock(&s->lock);
    g_atomic_pointer_set(&s->thread, g_thread_new("skypeconnect", stack_thread_main, s));
    while (!start_finished(s)) g_cond_wait(&s->cond, &s->lock);
    g_mutex_unlock(&s->lock);
    rc = s->start_status;
    if (rc) {
        g_thread_join(s->thread);
        g_atomic_pointer_set(&s->thread, NULL);
        return start_over(s, SC_PHASE_STOPPED, sc_error_restore(&s->start_error));
    }
    sc_clear_error();
    return start_over(s, SC_PHASE_RUNNING, SC_OK);
}

/* ------------------------------------------------------------------ */
/* Stopping */

static bool regs_idle(sc_session *s)
{
    for (guint i = 0; i < s->regs->len; i++)
        if (sc_reg_busy(s->regs->pdata[i])) return false;
    for (guint i = 0; i < s->removed->len; i++)
        if (sc_reg_busy(s->removed->pdata[i])) return false;
    return sc_calls_count(s) == 0;
}

/* Calls still not over at the stop's deadline end here, by our word. */
static void end_remaining_calls(sc_session *s)
{
    GList *calls = sc_calls_list(s);
    for (GList *l = calls; l; l = l->next) {
        sc_call *c = l->data;
        c->ending = true;
        c->end_side = SC_HANGUP_LOCAL;
        if (!c->end_code) c->end_code = 503;
        c->end_cause = "SYSTEM_SHUTDOWN";
        sc_call_finish(c);
    }
    g_list_free(calls);
}

/* Called after every stack event while stopping, when a registration
 * settles on its own timer, and at the deadline (force): once every
 * un-REGISTER is answered or given up on, shut Sofia down. The deadline's
 * timer forces, because GLib may fire it a fraction of a millisecond before
 * stop_deadline and nothing would call again. */
static void stop_progress_at(sc_session *s, bool force)
{
    if (s->shutdown_sent || s->stopping_now) return;
    if (!force && !regs_idle(s) && g_get_monotonic_time() < s->stop_deadline) return;
    s->stopping_now = true;  /* ending calls emits events; no re-entry */
    sc_reg_window_flush(s);  /* no un-REGISTER stays unsent */
    end_remaining_calls(s);
    for (guint i = 0; i < s->regs->len; i++) sc_reg_give_up(s->regs->pdata[i]);
    for (guint i = 0; i < s->removed->len; i++) sc_reg_abandon(s->removed->pdata[i]);
    s->shutdown_sent = true;
    s->shutdowns_pending = s->nua_internal ? 2 : 1;
    nua_shutdown(s->nua);
    if (s->nua_internal) nua_shutdown(s->nua_internal);
    s->stopping_now = false;
}

static void stop_progress(sc_session *s)
{
    stop_progress_at(s, false);
}

static void stop_check(sc_session *s)
{
    if (s->phase == SC_PHASE_STOPPING) stop_progress(s);
}

static gboolean stop_deadline_cb(gpointer p)
{
    sc_session *s = p;
    if (s->phase == SC_PHASE_STOPPING) stop_progress_at(s, true);
    sc_session_changed(s);
    return G_SOURCE_REMOVE;
}

/* Half the stop's time is gone: the un-REGISTERs still waiting for a slot
 * of the window go now, so that each has time left for its answer. */
static gboolean stop_flush_cb(gpointer p)
{
    sc_session *s = p;
    if (s->phase == SC_PHASE_STOPPING && !s->shutdown_sent) sc_reg_window_flush(s);
    return G_SOURCE_REMOVE;
}

static GSource *stop_timer_at(sc_session *s, gint64 when, GSourceFunc fn)
{
    return sc_ctx_timer(s->ctx, (int)((when - g_get_monotonic_time() + 999) / 1000), fn, s);
}

static void begin_stop(void *p)
{
    sc_session *s = p;
    gint64 now = g_get_monotonic_time();
    if (s->phase != SC_PHASE_RUNNING || !s->nua) return;
    g_mutex_lock(&s->lock);
    s->phase = SC_PHASE_STOPPING;
    g_mutex_unlock(&s->lock);
    s->stop_check = stop_check;
    sc_calls_hangup_all(s);
    /* The un-REGISTERs go through the window like REGISTERs: a thousand at
     * once would overrun the registrar as a thousand REGISTERs would. */
    for (guint i = 0; i < s->regs->len; i++) sc_reg_unregister(s->regs->pdata[i], SC_REASON_REQUEST);
    s->stop_flush_timer = stop_timer_at(s, now + (s->stop_deadline - now) / 2, stop_flush_cb);
    s->stop_deadline_timer = stop_timer_at(s, s->stop_deadline, stop_deadline_cb);
    stop_progress(s);
}

static bool unregistered_or_stopped(void *p)
{
    const sc_session *s = p;
    return s->shutdown_sent || s->phase == SC_PHASE_STOPPED;
}

static bool stopped(void *p)
{
    const sc_session *s = p;
    return s->phase == SC_PHASE_STOPPED;
}

SC_API int sc_session_stop(sc_session *s, int timeout_ms)
{
    sc_phase phase;
    bool done;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_stop: session is NULL");
    if (timeout_ms < 0) timeout_ms = 0;
    g_mutex_lock(&s->lock);
    phase = s->phase;
    if (phase == SC_PHASE_NEW) s->phase = SC_PHASE_STOPPED;
    g_mutex_unlock(&s->lock);
    if (phase == SC_PHASE_NEW || phase == SC_PHASE_STOPPED) {
        sc_clear_error();
        return SC_OK;
    }
    if (phase == SC_PHASE_RUNNING) {
        s->stop_deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
        sc_session_run_sync(s, begin_stop, s);
    }
    sc_session_wait_until(s, unregistered_or_stopped, s->stop_deadline + G_USEC_PER_SEC);
    done = sc_session_wait_until(s, stopped, g_get_monotonic_time() + SC_SHUTDOWN_BOUND_US);
    if (!done)
        return sc_fail(SC_ETIMEOUT, "the SIP stack did not finish shutting down in time");
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_session_is_running(sc_session *s)
{
    int running;
    if (!s) return 0;
    g_mutex_lock(&s->lock);
    running = s->phase == SC_PHASE_RUNNING;
    g_mutex_unlock(&s->lock);
    return running;
}

/* Ends our own thread's loop, whichever runs: Sofia's or the context's. */
static gboolean quit_thread(gpointer p)
{
    sc_session *s = p;
    s->quit = true;
    if (s->su_running) su_root_break(s->root);
    g_main_loop_quit(s->loop);
    return G_SOURCE_REMOVE;
}

SC_API void sc_session_free(sc_session *s)
{
    if (!s) return;
    if (g_atomic_pointer_get(&s->thread) == g_thread_self()) {
        sc_log(SC_LOG_ERROR, "sc_session_free() called from the session's own callback: ignored (leaks the session)");
        return;
    }
    sc_session_stop(s, SC_FREE_STOP_MS);
    if (s->thread) {
        GSource *quit = g_idle_source_new();
        g_source_set_callback(quit, quit_thread, s, NULL);
        g_source_attach(quit, s->ctx);
        g_source_unref(quit);
        g_thread_join(s->thread);
        g_atomic_pointer_set(&s->thread, NULL);
    }
    if (s->deliver_source && s->ctx) {
        GSource *src = g_main_context_find_source_by_id(s->ctx, s->deliver_source);
        if (src) g_source_destroy(src);
    }
    sc_session_posts_drop(s);
    sc_session_events_drop(s);
    sc_cb_slot_unref(s->slot);
    sc_reg_window_close(s);
    g_ptr_array_free(s->regs, TRUE);
    g_ptr_array_free(s->removed, TRUE);
    g_ptr_array_free(s->pending, TRUE);
    g_hash_table_destroy(s->gw_names);
    g_hash_table_destroy(s->calls);
    if (s->gw_board) g_hash_table_destroy(s->gw_board);   /* after the gateways (they leave it) */
    if (s->channels) g_hash_table_destroy(s->channels);
    sc_acl_free(s->inbound_acl);
    sc_acl_free(s->internal_acl);
    sc_dialplan_free(s->dialplan);
    g_free(s->internal_bind);
    g_free(s->internal_host);
    if (s->loop) g_main_loop_unref(s->loop);
    if (s->ctx) g_main_context_unref(s->ctx);
    if (s->app_ctx) g_main_context_unref(s->app_ctx);
    close(s->wake_fd);
    g_free(s->bind_host);
    g_free(s->tls_dir);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
    g_free(s);
}

SC_API const char *sc_session_listen_host(sc_session *s)
{
    bool started;
    if (!s) {
        sc_fail(SC_EINVAL, "sc_session_listen_host: session is NULL");
        return NULL;
    }
    g_mutex_lock(&s->lock);
    started = s->phase == SC_PHASE_RUNNING || s->phase == SC_PHASE_STOPPING;
    g_mutex_unlock(&s->lock);
    if (!started) {
        sc_fail(SC_ESTATE, "sc_session_listen_host: the session is not running");
        return NULL;
    }
    /* set once by the stack's start, before the session runs */
    return s->listen_any ? "0.0.0.0" : s->bind_host;
}

SC_API int sc_session_local_port(sc_session *s, const char *transport)
{
    int port;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_local_port: session is NULL");
    if (!transport) transport = "udp";
    if (!strcmp(transport, "internal")) {
        g_mutex_lock(&s->lock);
        port = (s->phase == SC_PHASE_RUNNING || s->phase == SC_PHASE_STOPPING) ? s->internal_port : -1;
        g_mutex_unlock(&s->lock);
        if (port < 0) return sc_fail(SC_ESTATE, "sc_session_local_port: the session is not running");
        if (port == 0) return sc_fail(SC_ENOTFOUND, "the internal side is not enabled");
        return port;
    }
    g_mutex_lock(&s->lock);
    if (s->phase != SC_PHASE_RUNNING && s->phase != SC_PHASE_STOPPING) {
        g_mutex_unlock(&s->lock);
        return sc_fail(SC_ESTATE, "sc_session_local_port: the session is not running");
    }
    if (!g_ascii_strcasecmp(transport, "udp")) port = s->udp_port;
    else if (!g_ascii_strcasecmp(transport, "tcp")) port = s->tcp_port;
    else if (!g_ascii_strcasecmp(transport, "tls")) port = s->tls_port;
    else port = -1;
    g_mutex_unlock(&s->lock);
    if (port < 0) return sc_fail(SC_EINVAL, "transport '%s': use udp, tcp or tls", transport);
    if (port == 0) return sc_fail(SC_ENOTFOUND, "transport '%s' is not enabled", transport);
    sc_clear_error();
    return port;
}

/* ------------------------------------------------------------------ */
/* The internal side and the dialplan */

typedef struct internal_option {
    char *bind;            /* "HOST:PORT", or NULL for no internal side; moves when stored */
    sc_acl *acl;           /* moves when stored */
} internal_option;

static void store_internal(sc_session *s, void *p)
{
    internal_option *o = p;
    g_free(s->internal_bind);
    s->internal_bind = o->bind;
    o->bind = NULL;
    if (o->acl) {
        sc_acl_free(s->internal_acl);
        s->internal_acl = o->acl;
        o->acl = NULL;
    }
}

SC_API int sc_session_set_internal(sc_session *s, const char *addr, const char *acl_text)
{
    internal_option o = { 0 };
    char *host = NULL, *error = NULL;
    int port, rc = not_started(s, "sc_session_set_internal");
    if (rc) return rc;
    if (addr && *addr) {
        rc = parse_bind(addr, &host, &port);
        if (rc) return rc;
        g_free(host);
        o.acl = sc_acl_parse(acl_text && *acl_text ? acl_text : "127.0.0.0/8, ::1", &error);
        if (!o.acl) {
            rc = sc_fail(SC_EINVAL, "internal ACL: %s", error);
            g_free(error);
            return rc;
        }
        o.bind = g_strdup(addr);
    }
    rc = set_before_start(s, "sc_session_set_internal", store_internal, &o);
    g_free(o.bind);
    sc_acl_free(o.acl);
    return rc;
}

/* Stores *p and hands the old dialplan back in *p, to be freed outside the lock. */
static void swap_dialplan(sc_session *s, void *p)
{
    sc_dialplan **dp = p, *old = s->dialplan;
    s->dialplan = *dp;
    *dp = old;
}

SC_API int sc_session_load_dialplan(sc_session *s, const char *path)
{
    sc_dialplan *dp;
    int rc = not_started(s, "sc_session_load_dialplan");
    if (rc) return rc;
    if (!path || !*path) return sc_fail(SC_EINVAL, "sc_session_load_dialplan: path is empty");
    dp = sc_dialplan_new();
    rc = g_file_test(path, G_FILE_TEST_IS_DIR) ? sc_dialplan_load_dir(dp, path)
                                               : sc_dialplan_load_file(dp, path, NULL);
    if (rc == SC_OK && sc_dialplan_error_count(dp) == 0) {
        /* Loaded without the lock (it may read many files); stored only if
         * the session has still not started: the stack thread reads
         * s->dialplan without the lock, which is safe only because nothing
         * changes it after the start. */
        rc = set_before_start(s, "sc_session_load_dialplan", swap_dialplan, &dp);
        sc_dialplan_free(dp);   /* the old one, or the new one when too late */
        return rc;
    }
    {
        GString *all = g_string_new(NULL);
        for (size_t i = 0; i < sc_dialplan_diag_count(dp); i++)
            g_string_append_printf(all, "%s%s", i ? "\n" : "", sc_dialplan_diag_text(dp, i));
        rc = sc_fail(rc ? rc : SC_ECONFIG, "dialplan %s: %s", path, all->len ? all->str : sc_last_error());
        g_string_free(all, TRUE);
    }
    sc_dialplan_free(dp);
    return rc;
}
