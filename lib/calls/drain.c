/* See drain.h. A drain is the polite way to take an instance out of a
 * cluster: the edge stops sending new calls (our OPTIONS answer says 503,
 * and any INVITE that still arrives gets 503, which the edge fails over),
 * while the calls in progress run to their natural end. Dial-outs stay the
 * application's choice: it knows whether its own work should stop. */
#include "calls_priv.h"   /* first: stack.h sets Sofia's magic types */
#include "drain.h"

#include <sofia-sip/sip_status.h>
#include <sofia-sip/nua_tag.h>
#include "event_priv.h"
#include "error_priv.h"   /* sc_log */

bool sc_drain_active(sc_session *s)
{
    bool on;
    g_mutex_lock(&s->lock);
    on = s->draining;
    g_mutex_unlock(&s->lock);
    return on;
}

void sc_drain_set(sc_session *s, bool on)
{
    int calls = sc_calls_count(s);
    g_mutex_lock(&s->lock);
    s->draining = on;
    g_mutex_unlock(&s->lock);
    sc_log(SC_LOG_INFO, on ? "draining: new inbound calls get 503, %d call(s) in progress"
                           : "drain off: new inbound calls are taken again (%d in progress)", calls);
    sc_session_emit(s, sc_event_new_drain(on, calls));
}

void sc_drain_call_left(sc_session *s)
{
    if (sc_calls_count(s) == 0 && sc_drain_active(s)) {
        sc_log(SC_LOG_INFO, "drained: the last call ended");
        sc_session_emit(s, sc_event_new_drain(true, 0));
    }
}

/* Every trunk gateway with a channel limit is full (and there is one). */
static bool all_channels_busy(sc_session *s)
{
    bool any = false;
    for (guint i = 0; i < s->regs->len; i++) {
        sc_reg *r = s->regs->pdata[i];
        int max = r->gw->max_channels;
        if (max <= 0) return false;   /* unlimited: never full */
        if (sc_calls_active_on(s, sc_reg_name(r)) < max) return false;
        any = true;
    }
    return any;
}

void sc_health_answer_options(sc_session *s, nua_t *nua, nua_handle_t *nh)
{
    const char *why = NULL;
    if (s->phase != SC_PHASE_RUNNING) why = "Stopping";
    else if (sc_drain_active(s)) why = "Draining";
    else if (all_channels_busy(s)) why = "All Channels Busy";
    if (why) nua_respond(nh, 503, why, NUTAG_WITH_THIS(nua), TAG_END());
    else nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(nua), TAG_END());
    nua_handle_destroy(nh);
}
