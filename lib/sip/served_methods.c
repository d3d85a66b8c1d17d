/* See served_methods.h.
 *
 * Why Allow, and not an earlier hook: nua owns its nta agent and offers no
 * way to it, so nta's stateless paths (the agent callback, nta_msg_treply)
 * are out of reach for a nua application, and tport has no message hook.
 * The earliest place we control is nua's method check: nua compares a
 * request's method with the Allow list first, and a method not on it gets
 * 405 (with Allow) before any nua handle, dialog or subscription exists (no
 * event reaches us, and RSS does not grow per request). What is left is
 * nta's server transaction, kept T1x64 (8 s here, NTATAG_SIP_T1X64 in
 * session.c) to absorb retransmissions, then freed: a stranger's REFER costs
 * what a stranger's OPTIONS costs, and nothing stays (bench/strangers.py).
 *
 * SIPTAG_ALLOW_STR, not NUTAG_ALLOW: NUTAG_ALLOW adds to nua's default list
 * (which has MESSAGE, SUBSCRIBE, NOTIFY and REFER); SIPTAG_ALLOW_STR
 * replaces it. PRACK and UPDATE stay: nua answers them inside our calls
 * (reliable provisionals, session refresh), and out of a dialog with 481.
 *
 * INFO is allowed for DTMF inside calls, and is an application method
 * (NUTAG_APPL_METHOD): nua would otherwise answer every INFO 200 itself,
 * out of a dialog too. Ours answer 200, 400 or 415 by the body
 * (lib/calls/call_info.c); one outside a call gets 481 here. */
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_status.h>

#include "served_methods.h"

tagi_t *sc_served_method_tags(void)
{
    return tl_list(SIPTAG_ALLOW_STR(SC_SERVED_METHODS),
                   /* no Allow-Events: we take no subscriptions */
                   NUTAG_ALLOW_EVENTS(NULL),
                   NUTAG_APPL_METHOD("INFO"),
                   NUTAG_ENABLEMESSAGE(0),
                   NUTAG_ENABLEMESSENGER(0),
                   TAG_END());
}

bool sc_drop_stray_request(nua_t *nua, int event, nua_handle_t *nh)
{
    if (event == nua_i_info && nh)
        nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
    if (!nh || nh == nua_default(nua) || event == nua_i_invite) return false;
    if (!nua_event_is_incoming_request((nua_event_t)event)) return false;
    nua_handle_destroy(nh);
    return true;
}
