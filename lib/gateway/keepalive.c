/* OPTIONS keepalive, FreeSWITCH style (sofia.c sofia_handle_sip_r_options):
 * any final answer but 408 and 503 counts as alive.
 *
 * Unlike FreeSWITCH, a ping never waits on its own answer to schedule the
 * next: a ping still unanswered when the next is due counts as a failure and
 * is replaced, so pings cannot stop for good (signalwire/freeswitch#2489).
 * The From carries the gateway's user: some routers treat a user-less From
 * as an attack (signalwire/freeswitch#1214). */
#include "keepalive.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

static void drop_handle(sc_keepalive *k)
{
    if (k->nh) {
        nua_handle_destroy(k->nh);
        k->nh = NULL;
    }
    k->in_flight = false;
}

static void send_ping(sc_keepalive *k)
{
    k->nh = nua_handle(k->nua, NULL,
                       SIPTAG_FROM_STR(k->sip->from),
                       SIPTAG_TO_STR(k->sip->to),
                       TAG_END());
    nua_options(k->nh,
                NUTAG_URL(k->sip->registrar_uri),
                /* the next hop in the request's own tags, as for the REGISTER (registration.c) */
                TAG_IF(k->sip->next_hop, NUTAG_PROXY(k->sip->next_hop)),
                TAG_IF(k->user_agent, SIPTAG_USER_AGENT_STR(k->user_agent)),
                TAG_IF(k->send_contact, SIPTAG_CONTACT_STR(k->sip->contact)),
                TAG_END());
    k->in_flight = true;
    k->sent_at = g_get_monotonic_time();
}

static gboolean on_tick(gpointer p)
{
    sc_keepalive *k = p;
    if (k->in_flight) {
        drop_handle(k);
        /* the handler may stop or restart us */
        k->report(k->owner, false, 408, "Request Timeout (ping unanswered)");
    }
    if (k->timer) send_ping(k);
    return k->timer ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void sc_keepalive_start(sc_keepalive *k)
{
    if (k->timer) return;
    k->timer = g_timeout_source_new((guint)k->interval_s * 1000);
    g_source_set_callback(k->timer, on_tick, k, NULL);
    g_source_attach(k->timer, k->ctx);
    send_ping(k);
}

void sc_keepalive_stop(sc_keepalive *k)
{
    if (k->timer) {
        g_source_destroy(k->timer);
        g_source_unref(k->timer);
        k->timer = NULL;
    }
    drop_handle(k);
}

bool sc_keepalive_running(const sc_keepalive *k)
{
    return k->timer != NULL;
}

bool sc_keepalive_owns(const sc_keepalive *k, nua_handle_t *nh)
{
    return nh && k->nh == nh;
}

void sc_keepalive_on_response(sc_keepalive *k, int status, const char *phrase)
{
    k->rtt_ms = (int)((g_get_monotonic_time() - k->sent_at) / 1000);
    drop_handle(k);
    k->report(k->owner, status != 408 && status != 503 && status < 700, status, phrase);
}
