/* SIP INFO inside a call: DTMF by application/dtmf-relay or
 * application/dtmf (dtmf_info.c reads the body). The digit goes out as a
 * dtmf event with method "info" through the session's delivery, like the
 * digits the media engine hears; a body we cannot read gets 400 (415 for a
 * Content-Type we do not take) and the call goes on. INFO outside a call is
 * refused 481 before it gets here (served_methods.c).
 *
 * On a call the dialplan bridged, a digit we took also goes on to the other
 * leg, in an INFO with the same Content-Type and body: the bridge passes
 * SDP through, so RFC 4733 digits travel end to end in the RTP, and INFO
 * digits must not stop at us either. */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "calls_priv.h"
#include "dtmf_info.h"
#include "json.h"

static void emit_info_digit(sc_call *c, char digit)
{
    sc_event *ev = sc_event_new(SC_EVENT_DTMF, c->gateway);
    char d[2] = { digit, '\0' };
    /* the line the media engine writes for its digits (issue #13's names) */
    GString *g = g_string_new("{\"event\":\"dtmf\"");
    g_string_append_printf(g, ",\"call\":%d,\"digit\":", c->id);
    sc_json_append_string(g, d);
    g_string_append(g, ",\"method\":\"info\"}");
    ev->call = sc_call_ref(c);
    sc_event_set_text(&ev->media_json, g->str);
    sc_event_set_text(&ev->digit, d);
    sc_event_set_text(&ev->dtmf_method, "info");
    g_string_free(g, TRUE);
    sc_session_emit(c->s, ev);
}

/* Whether the call can carry a digit now (ours, or one relayed to it: the
 * bridged leg hears it as it was sent, in its own INFO queue). */
bool sc_call_can_carry_dtmf(const sc_call *c)
{
    int st = sc_call_state_of(c);
    return c->nh && (st == SC_CALL_ANSWERED || st == SC_CALL_HELD || st == SC_CALL_EARLY);
}

static void relay_to_peer(sc_call *c, const sip_t *sip)
{
    sc_call *peer = c->peer;
    if (!peer || peer->ending || !sc_call_can_carry_dtmf(peer)) {
        if (peer) sc_log(SC_LOG_DEBUG, "call %d: INFO digit not relayed: call %d is not up", c->id, peer->id);
        return;
    }
    sc_call_info_send(peer, sip->sip_content_type->c_type, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
}

void sc_call_on_info(sc_call *c, const sip_t *sip)
{
    char digit, why[200];
    const char *type = sip && sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
    const char *body = sip && sip->sip_payload ? sip->sip_payload->pl_data : NULL;
    size_t len = sip && sip->sip_payload ? sip->sip_payload->pl_len : 0;
    int code = sc_dtmf_info_parse(type, body, len, &digit, why, sizeof why);

    if (code == 415)
        nua_respond(c->nh, SIP_415_UNSUPPORTED_MEDIA, SIPTAG_ACCEPT_STR(SC_DTMF_INFO_TYPES),
                    NUTAG_WITH_THIS(c->nua), TAG_END());
    else
        nua_respond(c->nh, code, sip_status_phrase(code), NUTAG_WITH_THIS(c->nua), TAG_END());
    if (code != 200) {
        sc_log(SC_LOG_WARNING, "call %d: INFO refused with %d: %s", c->id, code, why);
        return;
    }
    if (!digit || c->ending) return;
    emit_info_digit(c, digit);
    relay_to_peer(c, sip);
}
