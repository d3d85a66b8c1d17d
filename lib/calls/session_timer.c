/* Session timers (RFC 4028) per gateway: FreeSWITCH's session-timeout and
 * minimum-session-expires, which FreeSWITCH sets per SIP profile and we per
 * gateway, given to Sofia in the tags of the request or answer that opens
 * the call (they set that handle's parameters as it is sent).
 *
 * A dial-out offers the gateway's Session-Expires (1800 s by default, as
 * FreeSWITCH does, set once on the trunk's stack: Sofia left alone offers
 * none) and Min-SE. When the far
 * end does not do timers we refresh, by sending our INVITE again, offer and
 * all. Our answer to the trunk's call takes the gateway's Session-Expires
 * only when the caller offered timers: a caller that does not would make us
 * the refresher, and Sofia's refresh of a call we did not open is a
 * re-INVITE without an offer, whose answer it cannot give in the ACK. Nor
 * does our answer carry the gateway's Min-SE: Sofia checked the INVITE (422)
 * against the stack's as it arrived, and a larger one now would raise the
 * interval the caller asked for, which a UAS must not.
 *
 * Sofia then does the rest: it takes the far end's choice of refresher,
 * refreshes at half the interval, or sends a BYE before the interval runs
 * out when the far end was to refresh and did not. A refresh that fails is
 * call_stack.c's (on_refresh_response). */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_util.h>

#include "calls_priv.h"
#include "gateway_priv.h"

/* Sofia's own Min-SE (nua_params.c), FreeSWITCH's default too: no tag. */
#define SOFIA_MIN_SE 120

/* The trunk's stack offers SC_SESSION_TIMEOUT_DEFAULT itself (session.c):
 * only another value is a tag of the call's. */
void sc_call_take_session_timers(sc_call *c, const sc_gateway *gw)
{
    c->timers_set = gw->session_timeout != SC_SESSION_TIMEOUT_DEFAULT;
    c->session_timeout = gw->session_timeout;
    c->min_se = gw->minimum_session_expires;
}

void sc_call_take_caller_session_timers(sc_call *c, const sc_gateway *gw, const sip_t *invite)
{
    bool offered = invite->sip_session_expires || sip_has_feature(invite->sip_supported, "timer");
    /* Not offered: 0, or the stack's default would make us the refresher. */
    c->session_timeout = offered ? gw->session_timeout : 0;
    c->timers_set = c->session_timeout != SC_SESSION_TIMEOUT_DEFAULT;
    c->min_se = 0;
}

int sc_call_session_timer_tags(const sc_call *c, tagi_t *tags)
{
    int n = 0;
    if (c->timers_set) tags[n++] = (tagi_t){ NUTAG_SESSION_TIMER((unsigned)c->session_timeout) };
    if (c->min_se && c->min_se != SOFIA_MIN_SE) tags[n++] = (tagi_t){ NUTAG_MIN_SE((unsigned)c->min_se) };
    tags[n] = (tagi_t){ TAG_END() };
    return n;
}
