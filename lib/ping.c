/* OPTIONS ping, FreeSWITCH style (sofia.c sofia_handle_sip_r_options):
 * any final answer but 408 and 503 counts as alive; the counter moves
 * between 0 and ping-max and the gateway is UP at or above ping-min.
 *
 * Unlike FreeSWITCH, a ping never waits on its own answer to schedule the
 * next: a ping still unanswered when the next is due counts as a failure and
 * is replaced, so pings cannot stop for good (signalwire/freeswitch#2489).
 * The From carries the gateway's user: some routers treat a user-less From
 * as an attack (signalwire/freeswitch#1214). */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "registration_priv.h"
#include "error_priv.h"

static void ping_result(sc_reg *r, bool alive, int status, const char *phrase)
{
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
            sc_ping_start(r);  /* keep pinging: a good answer brings it back */
        } else {
            sc_reg_set_status(r, SC_GW_DOWN, status, phrase, reason);
        }
    }
}

static void drop_ping_handle(sc_reg *r)
{
    if (r->ping_nh) {
        nua_handle_destroy(r->ping_nh);
        r->ping_nh = NULL;
    }
    r->ping_in_flight = false;
}

static void send_ping(sc_reg *r)
{
    const sc_gateway *gw = r->gw;
    r->ping_nh = nua_handle(r->s->nua, NULL,
                            SIPTAG_FROM_STR(r->sip.from),
                            SIPTAG_TO_STR(r->sip.to),
                            TAG_IF(r->sip.next_hop, NUTAG_PROXY(r->sip.next_hop)),
                            TAG_END());
    nua_options(r->ping_nh,
                NUTAG_URL(r->sip.registrar_uri),
                TAG_IF(gw->ping_user_agent, SIPTAG_USER_AGENT_STR(gw->ping_user_agent)),
                TAG_IF(gw->contact_in_ping, SIPTAG_CONTACT_STR(r->sip.contact)),
                TAG_END());
    r->ping_in_flight = true;
    r->ping_sent_at = g_get_monotonic_time();
}

static gboolean on_ping_tick(gpointer p)
{
    sc_reg *r = p;
    if (r->ping_in_flight) {
        drop_ping_handle(r);
        ping_result(r, false, 408, "Request Timeout (ping unanswered)");
    }
    if (r->ping_timer) send_ping(r);
    return r->ping_timer ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void sc_ping_start(sc_reg *r)
{
    if (!r->gw->ping || r->ping_timer) return;
    r->ping_timer = sc_reg_timer(r, r->gw->ping * 1000, on_ping_tick);
    send_ping(r);
}

void sc_ping_stop(sc_reg *r)
{
    sc_reg_timer_cancel(&r->ping_timer);
    drop_ping_handle(r);
}

bool sc_ping_owns(const sc_reg *r, nua_handle_t *nh)
{
    return nh && r->ping_nh == nh;
}

void sc_ping_on_response(sc_reg *r, int status, const char *phrase, const sip_t *sip)
{
    r->ping_ms = (int)((g_get_monotonic_time() - r->ping_sent_at) / 1000);
    drop_ping_handle(r);
    sc_nat_on_options_answer(r, sip);  /* a ping is a NAT keepalive too */
    ping_result(r, status != 408 && status != 503 && status < 700, status, phrase);
}
