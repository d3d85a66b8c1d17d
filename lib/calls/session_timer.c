/* Session timers (RFC 4028) per gateway: FreeSWITCH's session-timeout and
 * minimum-session-expires, which FreeSWITCH sets per SIP profile and we per
 * gateway, given to Sofia in the tags of the request or answer that opens
 * the call (they set that handle's parameters as it is sent).
 *
 * Sofia then does the rest: it offers Session-Expires, takes the far end's
 * choice of refresher, refreshes by re-INVITE at half the interval, or sends
 * a BYE before the interval runs out when the far end was to refresh and
 * did not. A refresh that fails is call_stack.c's: only 408 and 481 end the
 * call. */
#include <sofia-sip/nua_tag.h>

#include "calls_priv.h"
#include "gateway_priv.h"

/* Sofia's own defaults (nua_params.c), which are FreeSWITCH's too: a call
 * with them needs no tag (each tag costs Sofia a filtering pass). */
#define SOFIA_SESSION_TIMER 1800
#define SOFIA_MIN_SE 120

void sc_call_take_session_timers(sc_call *c, const sc_gateway *gw)
{
    c->session_timeout = gw->session_timeout;
    c->min_se = gw->minimum_session_expires;
}

int sc_call_session_timer_tags(const sc_call *c, tagi_t *tags)
{
    int n = 0;
    /* 0 0: an internal call, which keeps the stack's defaults */
    if (c->min_se && c->session_timeout != SOFIA_SESSION_TIMER)
        tags[n++] = (tagi_t){ NUTAG_SESSION_TIMER((unsigned)c->session_timeout) };
    if (c->min_se && c->min_se != SOFIA_MIN_SE)
        tags[n++] = (tagi_t){ NUTAG_MIN_SE((unsigned)c->min_se) };
    tags[n] = (tagi_t){ TAG_END() };
    return n;
}
