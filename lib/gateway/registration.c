/* A gateway's registration: FreeSWITCH's states, driven by our own timers.
 *
 * REGISTER goes out through nua_method() rather than nua_register(), so that
 * the Contact is exactly FreeSWITCH's, Sofia's outbound engine never probes
 * the registrar, and every refresh is ours: announced (TRYING) before it is
 * sent and timed from the expiry the registrar granted.
 *
 *   UNREGED -> TRYING -> REGISTER -> REGED -(refresh)-> TRYING ...
 *   TRYING -> FAILED | TIMEOUT -> FAILED -> FAIL_WAIT -(backoff)-> UNREGED
 *   any -> UNREGISTER -> DOWN           register=false: NOREG
 *
 * Every state has a way out: an attempt that gets no final answer within
 * timeout-seconds becomes TIMEOUT, whatever Sofia does. */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/msg_header.h>

#include "registration_priv.h"
#include "backoff.h"
#include "digest_client.h"
#include "tls_check.h"
#include "reg_window.h"
#include "error_priv.h"
#include "timer.h"
#include "skypeconnect/sc_dialrule.h"

#define SC_MAX_INTERVAL_ROUNDS 3

/* The TLS check's verdict: a registrar that fails verification ends the
 * attempt it shadowed at once (reason tls), if that attempt still waits. */
static void on_tls_verdict(sc_reg *r, const char *failure)
{
    if (!r->in_flight || r->unregistering) return;
    r->granted = 0;
    sc_reg_fail(r, 503, failure, SC_REASON_TLS, 0);
    sc_session_changed(r->s);
}

static void send_register(sc_reg *r, bool unregister);

/* ------------------------------------------------------------------ */
/* Timers on the stack's context */

GSource *sc_reg_timer(sc_reg *r, int ms, GSourceFunc fn)
{
    return sc_ctx_timer(r->s->ctx, ms, fn, r);
}

void sc_reg_timer_cancel(GSource **t)
{
    sc_timer_cancel(t);
}

/* A REGISTER's answer came or it was given up: its slot in the session's
 * window is free (reg_window.c). Every end of in_flight goes through here. */
static void clear_in_flight(sc_reg *r)
{
    if (!r->in_flight) return;
    r->in_flight = false;
    sc_reg_window_leave(r);
}

/* ------------------------------------------------------------------ */
/* What a ping result means (the keepalive only reports it): the counter
 * moves between 0 and ping-max and the gateway is UP at or above ping-min. */

static void ping_start(sc_reg *r);

static void on_ping_result(void *owner, bool alive, int status, const char *phrase)
{
    sc_reg *r = owner;
    const sc_gateway *gw = r->gw;
    if (alive) {
        if (r->ping_count < gw->ping_max) r->ping_count++;
        if (r->ping_count >= gw->ping_min) {
            if (r->state == SC_REG_FAILED || r->state == SC_REG_FAIL_WAIT) {
                /* FreeSWITCH: a FAILED gateway whose ping succeeds retries now. */
                sc_reg_register_now(r);
                return;
            }
            if (r->state == SC_REG_NOREG || r->state == SC_REG_REGED)
                sc_reg_set_status(r, SC_GW_UP, status, phrase, SC_REASON_NONE);
        }
        return;
    }
    if (r->ping_count > 0) r->ping_count--;
    if (r->ping_count < gw->ping_min) {
        int reason = status == 408 ? SC_REASON_TIMEOUT : SC_REASON_NETWORK;
        if (r->state == SC_REG_REGED) {
            sc_reg_fail(r, status, phrase, reason, 0);
            ping_start(r);  /* keep pinging: a good answer brings it back */
        } else {
            sc_reg_set_status(r, SC_GW_DOWN, status, phrase, reason);
        }
    }
}

static void ping_start(sc_reg *r)
{
    sc_keepalive *k = &r->ping;
    if (!r->gw->ping) return;
    k->nua = r->s->nua;
    k->ctx = r->s->ctx;
    k->sip = &r->sip;
    k->user_agent = r->gw->ping_user_agent;
    k->send_contact = r->gw->contact_in_ping;
    k->interval_s = r->gw->ping;
    k->report = on_ping_result;
    k->owner = r;
    sc_keepalive_start(k);
}

/* ------------------------------------------------------------------ */
/* State and events */

static int next_retry_seconds(const sc_reg *r)
{
    gint64 now;
    if (!r->next_at) return -1;
    now = g_get_monotonic_time();
    return r->next_at <= now ? 0 : (int)((r->next_at - now + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);
}

static void emit_state(sc_reg *r, int prev)
{
    sc_event *ev = sc_event_new(SC_EVENT_GATEWAY_STATE, r->gw->name);
    ev->state = r->state;
    ev->prev_state = prev;
    ev->status = r->status;
    ev->sip_code = r->sip_code;
    sc_event_set_phrase(ev, r->phrase);
    ev->reason = r->reason;
    ev->expires = r->state == SC_REG_REGED ? r->granted : 0;
    ev->next_retry = next_retry_seconds(r);
    ev->failures = r->failures;
    sc_session_emit(r->s, ev);
}

static void set_result(sc_reg *r, int sip_code, const char *phrase, int reason)
{
    r->sip_code = sip_code;
    g_free(r->phrase);
    r->phrase = g_strdup(phrase ? phrase : "");
    r->reason = reason;
}

/* The status a state implies; TRYING/REGISTER keep the current one, so that a
 * refresh does not take a registered gateway DOWN. */
static int status_for(const sc_reg *r, int state)
{
    switch (state) {
    case SC_REG_REGED: return SC_GW_UP;
    case SC_REG_NOREG: return r->gw->ping ? r->status : SC_GW_UP;
    case SC_REG_TRYING:
    case SC_REG_REGISTER: return r->status;
    default: return SC_GW_DOWN;
    }
}

/* Other threads read the status under the session lock (a dial decides
 * there whether the gateway is UP: core/gw_board.c). */
static void put_status(sc_reg *r, int status)
{
    g_mutex_lock(&r->s->lock);
    r->status = status;
    g_mutex_unlock(&r->s->lock);
}

void sc_reg_set_state(sc_reg *r, int state, int sip_code, const char *phrase, int reason)
{
    int prev = r->state;
    r->state = state;
    put_status(r, status_for(r, state));
    set_result(r, sip_code, phrase, reason);
    emit_state(r, prev);
}

void sc_reg_set_status(sc_reg *r, int status, int sip_code, const char *phrase, int reason)
{
    if (r->status == status) return;
    put_status(r, status);
    set_result(r, sip_code, phrase, reason);
    emit_state(r, r->state);
}

/* ------------------------------------------------------------------ */
/* Life */

sc_reg *sc_reg_new(sc_session *s, const sc_gateway *gw)
{
    static gint serials;
    sc_reg *r = g_new0(sc_reg, 1);
    r->serial = (guint)g_atomic_int_add(&serials, 1) + 1;
    r->kind = SC_HANDLE_REG;
    r->s = s;
    r->gw = sc_gateway_copy(gw);
    r->state = SC_REG_UNREGED;
    r->status = SC_GW_DOWN;
    r->phrase = g_strdup("");
    r->requested = r->gw->expire_seconds;
    sc_nat_init(r, sc_reg_refresh_now, sc_reg_start);
    sc_sip_texts_build(r->gw, sc_nat_contact_host(r), sc_nat_contact_port(r), &r->sip);
    sc_gw_board_put(s, r->gw->name, r);
    return r;
}

const char *sc_reg_name(const sc_reg *r)
{
    return r->gw->name;
}

static void drop_handle(sc_reg *r)
{
    sc_reg_timer_cancel(&r->timeout);
    if (r->nh) {
        nua_handle_destroy(r->nh);
        r->nh = NULL;
    }
    clear_in_flight(r);
}

void sc_reg_abandon(sc_reg *r)
{
    sc_reg_timer_cancel(&r->timer);
    sc_keepalive_stop(&r->ping);
    sc_nat_keepalive_stop(r);
    r->nat.start_waiting = false;  /* a start still waiting for the proxy's address is off too */
    sc_reg_window_forget(r);
    drop_handle(r);
    r->unregistering = false;
    r->next_at = 0;
}

void sc_reg_give_up(sc_reg *r)
{
    bool was_unregistering = sc_reg_busy(r);
    sc_reg_abandon(r);
    /* Every gateway ends a stop DOWN, answered or not. */
    if (was_unregistering) sc_reg_set_state(r, SC_REG_DOWN, 408, "Request Timeout (un-REGISTER unanswered)",
                                            r->down_reason);
    else if (r->state != SC_REG_DOWN) sc_reg_set_state(r, SC_REG_DOWN, 0, "", SC_REASON_REQUEST);
}

void sc_reg_free(sc_reg *r)
{
    if (!r) return;
    sc_gw_board_drop(r->s, r->gw->name, r);
    sc_reg_abandon(r);
    sc_tls_check_cancel(r);
    sc_nat_clear(r);
    sc_sip_texts_clear(&r->sip);
    g_free(r->call_id);
    if (r->trunk_ips) g_ptr_array_free(r->trunk_ips, TRUE);
    sc_dialrule_free(r->dialrule);
    sc_gateway_free(r->gw);
    g_free(r->phrase);
    g_free(r);
}

int sc_reg_get_state(const sc_reg *r) { return r->state; }
int sc_reg_get_status(const sc_reg *r) { return r->status; }
/* An un-REGISTER in flight, or waiting for its slot (a stop's). */
bool sc_reg_busy(const sc_reg *r) { return r->unregistering && (r->in_flight || sc_reg_window_waiting(r)); }

bool sc_reg_owns_handle(const sc_reg *r, nua_handle_t *nh)
{
    return (r->nh && r->nh == nh) || sc_keepalive_owns(&r->ping, nh) || sc_nat_owns(r, nh);
}

void sc_reg_start(sc_reg *r)
{
    if (sc_nat_defer_start(r)) return;  /* the proxy's name is being looked up (nat.c) */
    if (!r->gw->do_register) {
        r->ping_count = r->gw->ping_max;  /* UP until a ping says otherwise */
        put_status(r, SC_GW_UP);
        sc_reg_set_state(r, SC_REG_NOREG, 0, "", SC_REASON_NONE);
        ping_start(r);
        return;
    }
    send_register(r, false);
}

/* ------------------------------------------------------------------ */
/* Sending */

static gboolean on_attempt_timeout(gpointer p)
{
    sc_reg *r = p;
    bool unreg = r->unregistering;
    g_source_unref(r->timeout);
    r->timeout = NULL;
    sc_log(SC_LOG_INFO, "gateway %s: no answer to %s within %d s", r->gw->name,
           unreg ? "un-REGISTER" : "REGISTER", r->gw->timeout_seconds);
    drop_handle(r);
    if (unreg) {
        r->unregistering = false;
        sc_reg_set_state(r, SC_REG_DOWN, 408, "Request Timeout", r->down_reason);
    } else {
        sc_reg_set_state(r, SC_REG_TIMEOUT, 408, "Request Timeout", SC_REASON_TIMEOUT);
        sc_reg_fail(r, 408, "Request Timeout", SC_REASON_TIMEOUT, 0);
    }
    /* No stack event follows a request we gave up on: a stop waiting for
     * this un-REGISTER must hear it here. */
    sc_session_stop_check(r->s);
    sc_session_changed(r->s);
    return G_SOURCE_REMOVE;
}

/* One handle per registration, with the gateway's one Call-ID (RFC 3261
 * 10.2.4), kept for refreshes and the un-REGISTER: it caches the digest
 * credentials, so a refresh carries Authorization and costs one message
 * instead of a challenge and a retry. Sofia stores the registrar's To tag
 * on a handle whose non-dialog request got a 2xx (nua_method() counts as a
 * target refresh) and puts it on the next request, which Sofia-based
 * registrars (FreeSWITCH's included) refuse as 481; NUTAG_DIALOG(0) in
 * send_request() keeps the handle out of any dialog, so it stores no tag.
 * The handle is dropped only when an attempt must start clean: a failure,
 * a timeout, a request still in flight being replaced. CSeq keeps rising:
 * Sofia numbers non-dialog requests from one counter for all handles. */
static void ensure_handle(sc_reg *r)
{
    if (r->nh) return;
    if (!r->call_id) {
        char *uuid = g_uuid_string_random();
        r->call_id = g_strdup_printf("%s@%s", uuid, r->nat.local_host[0] ? r->nat.local_host
                                                                          : sc_session_contact_host(r->s));
        g_free(uuid);
    }
    /* r as the magic: the session finds r from the handle at once, not by
     * searching every gateway for each answer. */
    r->nh = nua_handle(r->s->nua, r,
                       SIPTAG_CALL_ID_STR(r->call_id),
                       SIPTAG_FROM_STR(r->sip.from),
                       SIPTAG_TO_STR(r->sip.to),
                       TAG_END());
}

/* The REGISTER (Expires 0 when un-registering) on the current handle. */
static void send_request(sc_reg *r)
{
    char expires[16];
    g_snprintf(expires, sizeof expires, "%d", r->unregistering ? 0 : r->requested);
    nua_method(r->nh,
               NUTAG_METHOD("REGISTER"),
               NUTAG_URL(r->sip.registrar_uri),
               /* register-proxy: in the request's own tags, which reach Sofia's
                * transaction as they are (and its resend with credentials);
                * on the handle, Debian's Sofia 1.12.11 ignored it */
               TAG_IF(r->sip.next_hop, NUTAG_PROXY(r->sip.next_hop)),
               SIPTAG_CONTACT_STR(sc_nat_register_contact(r)),
               SIPTAG_EXPIRES_STR(expires),
               NUTAG_DIALOG(0),  /* no To tag kept for the next request (see ensure_handle) */
               TAG_END());
}

/* The request goes out now, in a slot of the window (counted by
 * sc_reg_window_enter(), or by the window when r waited for it). */
static void start_attempt(sc_reg *r)
{
    ensure_handle(r);
    r->auth_rounds = 0;
    send_request(r);
    r->in_flight = true;
    r->timeout = sc_reg_timer(r, r->gw->timeout_seconds * 1000, on_attempt_timeout);
    if (!r->unregistering) sc_tls_check_start(r, on_tls_verdict);
}

static void send_register(sc_reg *r, bool unregister)
{
    sc_reg_timer_cancel(&r->timer);
    r->next_at = 0;
    /* A request still in flight is replaced by a clean handle; an idle one
     * (a refresh, the un-REGISTER of a binding) is reused with its
     * credentials (see ensure_handle). */
    if (r->in_flight) drop_handle(r);
    sc_reg_timer_cancel(&r->timeout);
    r->unregistering = unregister;
    if (!unregister) {
        r->interval_rounds = 0;
        sc_reg_set_state(r, SC_REG_TRYING, 0, "", SC_REASON_NONE);
    }
    /* TRYING already while it waits for a slot; its timeout-seconds count
     * from the send. An un-REGISTER waits only in a stop (reg_window.h). */
    if (sc_reg_window_enter(r, !unregister || r->s->phase == SC_PHASE_STOPPING, start_attempt)) start_attempt(r);
}

/* Sends the same request again (after 423), keeping the attempt. */
static void resend(sc_reg *r)
{
    GSource *timeout = r->timeout;
    /* A fresh handle (the 423's Expires fix is ours, not the handle's
     * cached request); the attempt's timeout carries on. */
    r->timeout = NULL;
    drop_handle(r);
    r->timeout = timeout;
    ensure_handle(r);
    sc_reg_window_enter(r, false, NULL);   /* keeps the attempt's slot */
    r->in_flight = true;
    r->auth_rounds = 0;  /* the new handle has no credentials yet */
    send_request(r);
}

static gboolean on_retry(gpointer p)
{
    sc_reg *r = p;
    g_source_unref(r->timer);
    r->timer = NULL;
    r->next_at = 0;
    sc_reg_set_state(r, SC_REG_UNREGED, 0, "", SC_REASON_NONE);
    send_register(r, false);
    sc_session_changed(r->s);
    return G_SOURCE_REMOVE;
}

void sc_reg_refresh_now(sc_reg *r)
{
    send_register(r, false);
}

static gboolean on_refresh(gpointer p)
{
    sc_reg *r = p;
    g_source_unref(r->timer);
    r->timer = NULL;
    send_register(r, false);
    sc_session_changed(r->s);
    return G_SOURCE_REMOVE;
}

static void schedule(sc_reg *r, int seconds, GSourceFunc fn)
{
    sc_reg_timer_cancel(&r->timer);
    r->next_at = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    r->timer = sc_reg_timer(r, seconds * 1000, fn);
}

void sc_reg_fail(sc_reg *r, int sip_code, const char *phrase, int reason, int retry_after)
{
    int base = r->gw->retry_seconds, wait;
    drop_handle(r);  /* the next attempt starts clean: a new handle, no stale credentials */
    r->failures++;
    sc_reg_set_state(r, SC_REG_FAILED, sip_code, phrase, reason);
    if (reason == SC_REASON_TIMEOUT && r->gw->retry_908_seconds > 0) base = r->gw->retry_908_seconds;
    wait = sc_backoff_seconds(base, r->failures, reason, retry_after, g_random_int());
    r->next_at = g_get_monotonic_time() + (gint64)wait * G_USEC_PER_SEC;
    sc_reg_set_state(r, SC_REG_FAIL_WAIT, sip_code, phrase, reason);
    schedule(r, wait, on_retry);
}

void sc_reg_register_now(sc_reg *r)
{
    r->failures = 0;
    sc_reg_timer_cancel(&r->timer);
    if (r->state != SC_REG_UNREGED) sc_reg_set_state(r, SC_REG_UNREGED, 0, "", SC_REASON_REQUEST);
    send_register(r, false);
    ping_start(r);
}

void sc_reg_unregister(sc_reg *r, int reason)
{
    bool registered = r->state == SC_REG_REGED || r->state == SC_REG_REGISTER ||
                      (r->state == SC_REG_TRYING && r->granted > 0);
    sc_reg_timer_cancel(&r->timer);
    sc_keepalive_stop(&r->ping);
    sc_nat_keepalive_stop(r);
    r->next_at = 0;
    r->down_reason = reason;
    sc_reg_window_forget(r);   /* a REGISTER still waiting for a slot never goes */
    if (r->state == SC_REG_DOWN || r->unregistering) return;
    if (registered || r->in_flight) {
        /* Also when a REGISTER is in flight: it may have been accepted. */
        send_register(r, true);
        sc_reg_set_state(r, SC_REG_UNREGISTER, 0, "", reason);
        return;
    }
    drop_handle(r);
    sc_reg_set_state(r, SC_REG_DOWN, 0, "", reason);
}

/* ------------------------------------------------------------------ */
/* Answers */

/* Answers a 401/407 with the gateway's credentials. Returns false when the
 * challenge must count as a rejection instead (digest_client.c says when). */
static bool answer_challenge(sc_reg *r, int status, const sip_t *sip)
{
    const char *why = NULL;
    if (sc_digest_authenticate(r->nh, sip, status, sc_gw_auth_username(r->gw), r->gw->password,
                               &r->auth_rounds, &why))
        return true;
    sc_log(SC_LOG_INFO, "gateway %s: not answering the %d: %s", r->gw->name, status, why);
    return false;
}

/* The lifetime granted: our Contact's expires, else Expires, else asked. */
static int granted_expiry(const sc_reg *r, const sip_t *sip)
{
    char port[8];
    g_snprintf(port, sizeof port, "%d", sc_nat_contact_port((sc_reg *)r));
    for (const sip_contact_t *m = sip ? sip->sip_contact : NULL; m; m = m->m_next) {
        const url_t *u = m->m_url;
        if (!m->m_expires || !u->url_user || strcmp(u->url_user, r->sip.contact_user)) continue;
        if (u->url_port && strcmp(u->url_port, port)) continue;
        return atoi(m->m_expires);
    }
    if (sip && sip->sip_expires) return (int)sip->sip_expires->ex_delta;
    return r->requested;
}

/* Whether a final answer came from a server rather than from Sofia itself.
 * Sofia reports transport failures as 503 (and timeouts as 408) with a
 * message of its own that looks real: To tag and all. What it lacks is what
 * only a server adds: a filled-in rport or received on our Via (RFC 3581),
 * a Server, Retry-After or Warning header. Other codes Sofia never makes up. */
static bool from_server(int status, const sip_t *sip)
{
    const sip_via_t *v;
    if (!sip) return false;
    if (status != 503 && status != 408 && status != 500 && status != 502) return true;
    v = sip->sip_via;
    return (v && ((v->v_rport && *v->v_rport) || v->v_received)) || sip->sip_server ||
           sip->sip_retry_after || sip->sip_warning;
}

static int classify(int status, const char *phrase, const sip_t *sip, sc_transport t)
{
    if (status == 401 || status == 407 || status == 403 || status == 904) return SC_REASON_AUTH;
    if (status == 408) return SC_REASON_TIMEOUT;
    if (!from_server(status, sip)) {
        /* Sofia made the answer up: the request never reached a server. */
        if (phrase && (g_strrstr(phrase, "resolv") || g_strrstr(phrase, "DNS") ||
                       g_strrstr(phrase, "Name") || g_strrstr(phrase, "host")))
            return SC_REASON_DNS;
        if (t == SC_TRANSPORT_TLS) return SC_REASON_TLS;
        return SC_REASON_NETWORK;
    }
    return SC_REASON_SERVER;
}

static void registered(sc_reg *r, int status, const char *phrase, const sip_t *sip)
{
    int granted = granted_expiry(r, sip);
    /* The handle stays: refreshes keep its Call-ID, as RFC 3261 asks. */
    sc_reg_timer_cancel(&r->timeout);
    clear_in_flight(r);
    sc_nat_stale_done(r);
    if (granted > 0 && sc_nat_on_registered(r, sip)) {
        /* behind NAT, or the NAT moved us: the Contact has changed */
        send_register(r, false);
        return;
    }
    if (granted <= 0) {
        sc_reg_fail(r, status, "registrar kept no binding (expires=0)", SC_REASON_SERVER, 0);
        return;
    }
    if (granted != r->requested)
        sc_log(SC_LOG_INFO, "gateway %s: registrar granted %d s (asked %d s)", r->gw->name, granted,
               r->requested);
    r->granted = granted;
    r->failures = 0;
    sc_reg_set_state(r, SC_REG_REGISTER, status, phrase, SC_REASON_NONE);
    schedule(r, sc_refresh_seconds(granted, g_random_int()), on_refresh);
    sc_reg_set_state(r, SC_REG_REGED, status, phrase, SC_REASON_NONE);
    if (r->gw->ping && !sc_keepalive_running(&r->ping)) {
        r->ping_count = r->gw->ping_max;
        ping_start(r);
    }
    sc_nat_keepalive_start(r);
}

static void unregistered(sc_reg *r, int status, const char *phrase)
{
    drop_handle(r);
    r->unregistering = false;
    r->granted = 0;
    sc_reg_set_state(r, SC_REG_DOWN, status, phrase, r->down_reason);
}

void sc_reg_on_response(sc_reg *r, nua_event_t event, int status, const char *phrase,
                        nua_handle_t *nh, const sip_t *sip)
{
    int reason;
    if (status >= 200) sc_nat_check_via(r, sip);
    if (sc_keepalive_owns(&r->ping, nh)) {
        if (event == nua_r_options && status >= 200) {
            sc_nat_on_options_answer(r, sip);  /* a ping is a NAT keepalive too */
            sc_keepalive_on_response(&r->ping, status, phrase);
        }
        return;
    }
    if (sc_nat_owns(r, nh)) {
        if (event == nua_r_options) sc_nat_on_keepalive_answer(r, status, sip);
        return;
    }
    if (event == nua_r_authenticate && status >= 300 && r->in_flight) {
        /* Sofia could not answer the challenge with our credentials (904:
         * unknown algorithm, a nonce it refuses): a rejection, not a wait. */
        event = nua_r_method;
        if (status == 904) phrase = "No usable challenge (904)";
    }
    if (event != nua_r_method || status < 200 || !r->in_flight) return;

    if ((status == 401 || status == 407) && answer_challenge(r, status, sip)) return;
    if (status == 423 && sip && sip->sip_min_expires && !r->unregistering &&
        r->interval_rounds < SC_MAX_INTERVAL_ROUNDS) {
        r->interval_rounds++;
        r->requested = (int)sip->sip_min_expires->me_delta;
        sc_log(SC_LOG_INFO, "gateway %s: 423 Interval Too Brief, asking %d s", r->gw->name, r->requested);
        resend(r);
        return;
    }

    if (r->unregistering) {
        unregistered(r, status, phrase);
        return;
    }
    if (status < 300) {
        registered(r, status, phrase, sip);
        return;
    }
    reason = classify(status, phrase, sip, r->gw->register_transport);
    if (reason == SC_REASON_NETWORK) phrase = sc_nat_explain_failure(r, phrase);
    r->granted = 0;
    sc_reg_fail(r, status, phrase, reason,
                from_server(status, sip) && sip->sip_retry_after ? (int)sip->sip_retry_after->af_delta : 0);
}

/* ------------------------------------------------------------------ */
/* Status as JSON */

char *sc_reg_json(const sc_reg *r)
{
    sc_gw_state_view v = {
        .state = r->state, .status = r->status, .sip_code = r->sip_code, .phrase = r->phrase,
        .reason = r->reason, .expires = r->state == SC_REG_REGED ? r->granted : 0,
        .next_retry = next_retry_seconds(r), .failures = r->failures,
    };
    GString *b = g_string_new("{\"event\":\"gateway_status\",\"gateway\":");
    sc_json_append_string(b, r->gw->name);
    sc_gw_state_json(b, &v);
    g_string_append_printf(b, ",\"ping_ms\":%d", r->gw->ping ? r->ping.rtt_ms : -1);
    sc_json_append_member(b, "contact", r->sip.contact);
    sc_json_append_member(b, "registrar", r->sip.registrar_uri);
    sc_nat_json(r, b);
    g_string_append_printf(b, ",\"waiting_for_slot\":%s", sc_reg_window_waiting(r) ? "true" : "false");
    g_string_append_c(b, '}');
    return g_string_free(b, FALSE);
}

/* The status of a gateway added to a session that has not started. */
char *sc_reg_json_not_started(const char *name)
{
    GString *b = g_string_new("{\"event\":\"gateway_status\",\"gateway\":");
    sc_json_append_string(b, name);
    g_string_append(b, ",\"state\":\"UNREGED\",\"status\":\"DOWN\",\"running\":false}");
    return g_string_free(b, FALSE);
}
