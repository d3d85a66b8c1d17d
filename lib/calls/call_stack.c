/* Calls on the stack thread: inbound INVITEs, Sofia's call events, and the
 * end of every call.
 *
 * Sofia runs with media off (NUTAG_MEDIA_ENABLE(0)): SDP travels as the
 * message body, untouched, between the application and the peer. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_util.h>

#include "calls_priv.h"
#include "addr.h"
#include "registration_priv.h"
#include "error_priv.h"
#include "digest_client.h"
#include "header_block.h"
#include "drain.h"


/* The request's source as logs and events show it ("IP:PORT", the call
 * keeps it), and its bare address in ip, which the ACLs check. */
static char *source_of_request(nua_t *nua, char ip[SC_ADDR_IP_MAX])
{
    msg_t *msg = nua_current_request(nua);
    su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
    char hostport[SC_ADDR_HOSTPORT_MAX];
    if (!sc_addr_format(ai ? ai->ai_addr : NULL, ip, hostport)) g_strlcpy(hostport, ":0", sizeof hostport);
    return g_strdup(hostport);
}

static void emit_inbound_refused(sc_session *s, const char *gateway, const char *number,
                                 const char *source, int code, const char *refusal, const char *message)
{
    sc_event *ev = sc_event_new(SC_EVENT_INBOUND_REFUSED, gateway);
    ev->sip_code = code;
    sc_event_set_text(&ev->number, number);
    sc_event_set_text(&ev->source, source);
    sc_event_set_text(&ev->refusal, refusal);
    sc_event_set_text(&ev->message, message);
    sc_session_emit(s, ev);
    sc_log(SC_LOG_WARNING, "inbound call refused (%d): %s", code, message);
}


/* The call is over: record how, tell the application, let Sofia's handle go
 * and drop the session's reference. */
void sc_call_finish(sc_call *c)
{
    sc_session *s = c->s;
    g_mutex_lock(&c->lock);
    if (c->state == SC_CALL_ENDED) {
        g_mutex_unlock(&c->lock);
        return;
    }
    c->state = SC_CALL_ENDED;
    c->sip_code = c->end_code;
    /* Set once (the state check above): readers hold the pointer unlocked. */
    c->cause = g_strdup(c->end_cause ? c->end_cause : sc_sip_cause(c->end_code ? c->end_code : 200));
    c->hangup_side = c->end_side;
    g_mutex_unlock(&c->lock);
    sc_call_answer_timer_stop(c);
    if (c->nh) {
        nua_handle_bind(c->nh, NULL);
        nua_handle_destroy(c->nh);
        c->nh = NULL;
    }
    sc_call_media_end(c);  /* media_stats and media_state "down" come before "ended" */
    sc_call_emit(c, SC_EVENT_CALL_STATE);
    if (c->peer) sc_bridge_leg_ended(c);
    g_strfreev(c->bridge_targets);
    c->bridge_targets = NULL;
    /* An ended call outlives its session in the application's hands. */
    sc_call_detach_session(c);
    sc_calls_forget(s, c);  /* drops the session's reference */
    sc_drain_call_left(s);
}

/* Caller ID: P-Asserted-Identity, else Remote-Party-ID, else From. */
static void take_caller(sc_call *c, const sip_t *sip)
{
    const sip_p_asserted_identity_t *pai = sip_p_asserted_identity(sip);
    const sip_remote_party_id_t *rpid = sip_remote_party_id(sip);
    const url_t *url = NULL;
    const char *display = NULL;
    if (pai) {
        url = pai->paid_url;
        display = pai->paid_display;
    } else if (rpid) {
        url = rpid->rpid_url;
        display = rpid->rpid_display;
    } else if (sip->sip_from) {
        url = sip->sip_from->a_url;
        display = sip->sip_from->a_display;
    }
    c->caller_number = g_strdup(url && url->url_user ? url->url_user : "");
    if (display) {
        char *d = g_strdup(display);
        size_t n = strlen(d);
        if (n >= 2 && d[0] == '"' && d[n - 1] == '"') {
            memmove(d, d + 1, n - 2);
            d[n - 2] = '\0';
        }
        c->caller_name = d;
    } else {
        c->caller_name = g_strdup("");
    }
}

/* A Sofia timer, not a GSource: it lives in Sofia's own loop, where a
 * GSource would wake the GLib context twice per call (set, then removed). */
static void on_answer_timeout(sc_session *s, su_timer_t *t, void *p)
{
    sc_call *c = p;
    (void)s;
    su_timer_destroy(t);   /* one-shot: Sofia no longer touches it */
    c->answer_timer = NULL;
    if (!c->final_sent && sc_call_state_of(c) != SC_CALL_ENDED) {
        sc_log(SC_LOG_INFO, "call %d: not answered in time; rejecting with 480", c->id);
        sc_call_reject_now(c, 480, "No Answer", "NO_ANSWER");
    }
}


/* Refuses an INVITE before any call object exists. */
static void refuse_invite(sc_session *s, nua_handle_t *nh, int code, const char *gateway, const char *number,
                          const char *source, const char *refusal, const char *message)
{
    nua_respond(nh, code, sip_status_phrase(code), TAG_END());
    nua_handle_destroy(nh);
    emit_inbound_refused(s, gateway, number, source, code, refusal, message);
}

/* Who an INVITE is from and for, decided before the call exists. */
typedef struct admission {
    const char *gateway;      /* "" for the internal side */
    const char *matched_by;
    char *destination;
    const char *context;
    bool channel_taken;       /* one of the gateway's channels is held for the call */
    const sc_gateway *gw;     /* its session timers; NULL for the internal side */
} admission;

static bool admit_from_trunk(sc_session *s, nua_handle_t *nh, const sip_t *sip, const char *ip,
                             const char *source, const char *ruri_user, admission *a)
{
    sc_inbound_match m;
    bool acl_ok;
    /* Only the ACL is shared with other threads; the match may resolve a
     * proxy's name, which must not happen under the lock. */
    g_mutex_lock(&s->lock);
    acl_ok = s->inbound_acl && sc_acl_allows(s->inbound_acl, ip);
    g_mutex_unlock(&s->lock);
    sc_inbound_match_request(s, sip, ip, acl_ok, &m);
    if (m.refusal) {
        refuse_invite(s, nh, 403, m.reg ? sc_reg_name(m.reg) : "", ruri_user, source, m.refusal, m.message);
        sc_inbound_match_clear(&m);
        return false;
    }
    if (!sc_calls_take_channel(s, sc_reg_name(m.reg), m.reg->gw->max_channels)) {
        char *message = g_strdup_printf("gateway '%s': all %d channels are busy", sc_reg_name(m.reg),
                                        m.reg->gw->max_channels);
        refuse_invite(s, nh, m.reg->gw->channels_busy_code, sc_reg_name(m.reg), m.destination, source,
                      "channels", message);
        g_free(message);
        sc_inbound_match_clear(&m);
        return false;
    }
    a->channel_taken = true;
    a->gateway = sc_reg_name(m.reg);
    a->matched_by = m.matched_by;
    a->destination = m.destination;
    a->context = m.reg->gw->context ? m.reg->gw->context : "public";
    a->gw = m.reg->gw;
    m.destination = NULL;
    sc_inbound_match_clear(&m);
    return true;
}

/* The internal side: local phones and PBXes, allowed by address only. */
static bool admit_from_internal(sc_session *s, nua_handle_t *nh, const char *ip, const char *source,
                                const char *ruri_user, admission *a)
{
    bool allowed;
    g_mutex_lock(&s->lock);
    allowed = sc_acl_allows(s->internal_acl, ip);
    g_mutex_unlock(&s->lock);
    if (!allowed) {
        char *message = g_strdup_printf("internal call for '%s' from %s: address not on the internal ACL",
                                        ruri_user, source);
        refuse_invite(s, nh, 403, "", ruri_user, source, "not_internal", message);
        g_free(message);
        return false;
    }
    a->gateway = "";
    a->matched_by = "internal";
    a->destination = g_strdup(ruri_user);
    a->context = "default";
    return true;
}

void sc_calls_on_incoming(sc_session *s, nua_t *nua, nua_handle_t *nh, const sip_t *sip)
{
    char ip[SC_ADDR_IP_MAX], *source = source_of_request(nua, ip);
    const char *ruri_user = sip->sip_request->rq_url->url_user ? sip->sip_request->rq_url->url_user : "";
    bool internal = nua == s->nua_internal;
    admission a = { 0 };
    sc_call *c;
    msg_t *msg;
    int timeout_s;

    if (s->phase != SC_PHASE_RUNNING) {
        refuse_invite(s, nh, 503, "", ruri_user, source, "stopping", "the session is stopping");
        g_free(source);
        return;
    }
    if (!(internal ? admit_from_internal(s, nh, ip, source, ruri_user, &a)
                   : admit_from_trunk(s, nh, sip, ip, source, ruri_user, &a))) {
        g_free(source);
        return;
    }
    /* After admission: a stranger gets the 403 it always gets, whatever
     * our state; only a caller we would serve learns that we drain. */
    if (sc_drain_active(s)) {
        refuse_invite(s, nh, 503, a.gateway, a.destination, source, "draining",
                      "the session is draining: new calls go to another instance");
        if (a.channel_taken) sc_calls_give_channel(s, a.gateway);
        g_free(a.destination);
        g_free(source);
        return;
    }
    g_mutex_lock(&s->lock);
    timeout_s = s->answer_timeout_s;
    g_mutex_unlock(&s->lock);

    c = sc_call_new(s, SC_CALL_INBOUND, a.gateway);
    c->channel_counted = a.channel_taken;  /* sc_calls_add() counts the others */
    if (a.gw) sc_call_take_caller_session_timers(c, a.gw, sip);
    c->nua = nua;
    g_free(c->matched_by);
    c->matched_by = g_strdup(a.matched_by);
    c->destination = a.destination;
    c->source = source;
    take_caller(c, sip);
    c->sip_call_id = g_strdup(sip->sip_call_id ? sip->sip_call_id->i_id : "");
    msg = nua_current_request(nua);
    c->invite_text = sc_sip_header_block(msg);  /* the received header bytes, no body, no re-encoding */
    sc_call_note_remote_target(c, sip);
    if (sip->sip_payload && sip->sip_payload->pl_len)
        sc_call_set_remote_sdp(c, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    c->nh = nh;
    nua_handle_bind(nh, c);
    sc_calls_add(s, c);  /* the session's reference */
    c->answer_timer = su_timer_create(su_root_task(s->root), 0);
    if (!c->answer_timer || su_timer_set_interval(c->answer_timer, on_answer_timeout, c,
                                                  (su_duration_t)timeout_s * 1000) < 0)
        sc_log(SC_LOG_ERROR, "call %d: no answer timer (out of memory): it waits for the caller", c->id);

    if (s->dialplan) sc_route_incoming(s, c, a.context);
    else sc_call_emit(c, SC_EVENT_INCOMING_CALL);
}

/* The SDP direction of an offer, as hold detection needs it. */
static bool sdp_is_hold(const char *sdp)
{
    return strstr(sdp, "a=sendonly") || strstr(sdp, "a=inactive") || strstr(sdp, "c=IN IP4 0.0.0.0");
}

/* Our answer to a re-INVITE: the application's SDP with the direction that
 * mirrors the offer's (sendonly -> recvonly, inactive -> inactive). */
static char *answer_for_reinvite(const char *local, bool offer_sendonly, bool offer_inactive)
{
    GString *out = g_string_new(NULL);
    char **lines = g_strsplit(local ? local : "", "\r\n", -1);
    const char *dir = offer_inactive ? "a=inactive" : offer_sendonly ? "a=recvonly" : "a=sendrecv";
    bool wrote = false;
    for (char **l = lines; *l && **l; l++) {
        if (!strcmp(*l, "a=sendrecv") || !strcmp(*l, "a=sendonly") || !strcmp(*l, "a=recvonly") ||
            !strcmp(*l, "a=inactive")) {
            g_string_append_printf(out, "%s\r\n", dir);
            wrote = true;
        } else {
            g_string_append_printf(out, "%s\r\n", *l);
        }
    }
    if (!wrote && (offer_sendonly || offer_inactive)) g_string_append_printf(out, "%s\r\n", dir);
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

/* RFC 3264 8: an SDP that changes must carry a higher o= version. */
static char *with_next_version(const char *sdp)
{
    char **lines = g_strsplit(sdp, "\r\n", -1);
    GString *out = g_string_new(NULL);
    for (char **l = lines; *l && **l; l++) {
        char **f = g_str_has_prefix(*l, "o=") ? g_strsplit(*l, " ", 6) : NULL;
        if (f && g_strv_length(f) == 6) {
            guint64 version = g_ascii_strtoull(f[2], NULL, 10) + 1;
            g_string_append_printf(out, "%s %s %" G_GUINT64_FORMAT " %s %s %s\r\n", f[0], f[1], version, f[3],
                                   f[4], f[5]);
        } else {
            g_string_append_printf(out, "%s\r\n", *l);
        }
        g_strfreev(f);
    }
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

/* Hold or resume as the offer says; else tell the application of the new SDP. */
static void note_offer(sc_call *c, const char *offer)
{
    bool hold = sdp_is_hold(offer);
    sc_call_set_remote_sdp(c, offer, strlen(offer));
    if (hold && sc_call_state_of(c) != SC_CALL_HELD) sc_call_set_state(c, SC_CALL_HELD);
    else if (!hold && sc_call_state_of(c) == SC_CALL_HELD) sc_call_set_state(c, SC_CALL_ANSWERED);
    else sc_call_emit(c, SC_EVENT_CALL_STATE);
}

static bool answered(const sc_call *c)
{
    int st = sc_call_state_of(c);
    return st == SC_CALL_ANSWERED || st == SC_CALL_HELD;
}

/* A re-INVITE on a bridged call goes to the other leg, so that a move or a
 * hold reaches the endpoint whose media it is; its answer comes back. */
static bool relay_reinvite(sc_call *c, const char *offer)
{
    sc_call *peer = c->peer;
    if (!peer || !peer->nh || peer->ending || !answered(peer) || peer->relaying_reinvite) return false;
    peer->relaying_reinvite = true;
    g_free(peer->relayed_offer);
    peer->relayed_offer = g_strdup(offer);   /* sent again if challenged */
    c->awaiting_reinvite_answer = true;
    nua_invite(peer->nh, SC_CALL_NO_RESTARTS, TAG_IF(offer, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
               TAG_IF(offer, SIPTAG_PAYLOAD_STR(offer)), TAG_END());
    return true;
}

/* 200 to a re-INVITE with our SDP, which becomes the call's own. */
static void accept_reinvite(sc_call *c, nua_handle_t *nh, const char *answer)
{
    g_free(c->local_sdp);
    c->local_sdp = g_strdup(answer);
    nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(answer), TAG_END());
}

/* A re-INVITE on a call with our own media: the engine answers (hold,
 * unhold, a move). An offer it cannot take gets 488 and the call stays up
 * with the media it had (RFC 3264 and RFC 3261 14.2). */
static void on_media_reinvite(sc_call *c, nua_handle_t *nh, char *offer)
{
    char *answer = NULL;
    int rc = sc_call_media_reinvite(c, offer, &answer);
    if (rc) {
        sc_log(SC_LOG_WARNING, "call %d: re-INVITE refused with 488: %s", c->id, sc_last_error());
        sc_call_media_notice(c, "media_error", rc, sc_last_error());
        nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
    } else {
        accept_reinvite(c, nh, answer);
    }
    g_free(answer);
    g_free(offer);
}

static void on_reinvite(sc_call *c, nua_handle_t *nh, const sip_t *sip)
{
    sc_call_note_remote_target(c, sip);   /* a target refresh */
    char *offer = sip->sip_payload && sip->sip_payload->pl_len
                      ? g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len) : NULL;
    if (offer) note_offer(c, offer);
    if (c->media) {
        on_media_reinvite(c, nh, offer);
        return;
    }
    if (relay_reinvite(c, offer)) {
        g_free(offer);
        return;
    }
    if (offer) {
        char *answer = answer_for_reinvite(c->local_sdp, strstr(offer, "a=sendonly") != NULL,
                                           strstr(offer, "a=inactive") != NULL);
        if (c->local_sdp && strcmp(answer, c->local_sdp)) {
            char *versioned = with_next_version(answer);
            g_free(answer);
            answer = versioned;
        }
        accept_reinvite(c, nh, answer);
        g_free(answer);
        g_free(offer);
    } else {
        /* An offerless re-INVITE: offer our SDP again. */
        nua_respond(nh, SIP_200_OK,
                    TAG_IF(c->local_sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
                    TAG_IF(c->local_sdp, SIPTAG_PAYLOAD_STR(c->local_sdp)), TAG_END());
    }
}

/* The answer to a re-INVITE we relayed: back to the leg that asked. */
static void relayed_reinvite_answered(sc_call *c, int status, const char *phrase, const sip_t *sip)
{
    sc_call *asker = c->peer;
    char *sdp = sip && sip->sip_payload && sip->sip_payload->pl_len
                    ? g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len) : NULL;
    c->relaying_reinvite = false;
    g_clear_pointer(&c->relayed_offer, g_free);
    if (sdp && status < 300) note_offer(c, sdp);
    if (asker && asker->awaiting_reinvite_answer && asker->nh) {
        asker->awaiting_reinvite_answer = false;
        if (sdp && status < 300) {
            g_free(asker->local_sdp);
            asker->local_sdp = g_strdup(sdp);
        }
        /* The phrase must outlive this callback (nua_respond() sends later). */
        g_free(asker->final_phrase);
        asker->final_phrase = g_strdup(phrase && *phrase ? phrase : sip_status_phrase(status));
        nua_respond(asker->nh, status, asker->final_phrase,
                    TAG_IF(sdp && status < 300, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
                    TAG_IF(sdp && status < 300, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
    }
    g_free(sdp);
}

/* The final answer to our BYE: a challenge is answered (a BYE left
 * unanswered would leave the call up, and billed); one we refuse would leave
 * Sofia holding the BYE for ever, so the call ends here. */
static void bye_response(sc_call *c, int status, const sip_t *sip)
{
    if ((status != 401 && status != 407) || sc_call_answer_bye_challenge(c, status, sip)) return;
    sc_call_finish(c);
}

static bool answer_call_challenge(sc_call *c, int status, const sip_t *sip)
{
    sc_reg *r = sc_call_gateway_reg(c);
    if (!r) return false;
    /* The credentials of this call's own gateway only (signalwire/freeswitch#2171).
     * Sent anew by us: Sofia restarts none of our INVITEs (SC_CALL_NO_RESTARTS). */
    return sc_dial_invite_with_credentials(c, status, sip, sc_gw_auth_username(r->gw), r->gw->password);
}

/* The far end ended the call (a final failure, CANCEL, BYE): how the
 * ended event will tell it. NULL cause: from the SIP status. */
static void remote_ends(sc_call *c, int code, const char *cause)
{
    c->ending = true;
    c->end_side = SC_HANGUP_REMOTE;
    c->end_code = code;
    c->end_cause = cause;
}

/* A 3xx to our INVITE ends the call: say where it pointed, for the operator. */
static void note_redirect(const sc_call *c, int status, const sip_t *sip)
{
    const url_t *to = sip && sip->sip_contact ? sip->sip_contact->m_url : NULL;
    sc_log(SC_LOG_INFO, "call %d: the far end answered %d%s%s%s%s; not followed: a new number is placed "
           "only by a new dial, through the dial rule", c->id, status, to ? " pointing at " : "",
           to && to->url_user ? to->url_user : "", to && to->url_user ? "@" : "",
           to && to->url_host ? to->url_host : "");
}

/* The answer to Sofia's own re-INVITE of an answered call (its session
 * refresh). Never the call's own INVITE: neither its state (a 1xx would take
 * an answered call back to ringing) nor its end. A 2xx may move the far
 * end's media. A failure ends the call only when it ends the dialog (RFC
 * 3261 14.1, RFC 4028 10: a 408 or 481, and the codes Sofia treats so, after
 * which Sofia ends the session and tells us by its state); after any other
 * the call goes on until the session expires, which a later re-INVITE (a
 * hold) renews. Not a bridged leg's failure either: its caller stays. */
static void on_refresh_response(sc_call *c, int status, const char *phrase, const sip_t *sip)
{
    int graceful = 0;
    if (status < 200) return;
    if (status < 300) {
        if (sip && sip->sip_payload && sip->sip_payload->pl_len) {
            sc_call_set_remote_sdp(c, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
            if (c->media) {
                char *answer = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
                sc_call_media_take_answer(c, answer);   /* a media_error when it cannot */
                g_free(answer);
            }
        }
        return;
    }
    if (sip_response_terminates_dialog(status, sip_method_invite, &graceful) || graceful) {
        if (!c->ending) remote_ends(c, status, NULL);
        return;
    }
    sc_log(SC_LOG_INFO, "call %d: the session refresh got %d %s: the call goes on", c->id, status,
           phrase ? phrase : "");
}

static void on_invite_response(sc_call *c, int status, const char *phrase, const sip_t *sip)
{
    bool has_sdp = sip && sip->sip_payload && sip->sip_payload->pl_len;
    bool challenge = status == 401 || status == 407;
    if (status >= 200 && status < 300) {
        /* the far end's Contact (a target refresh too); the next request's
         * challenges get a round of their own */
        sc_call_note_remote_target(c, sip);
        c->dialog_auth_rounds = 0;
    }
    if (!c->relaying_reinvite && !c->media_reinvite && sc_call_is_answered(c) && challenge) {
        /* A re-INVITE Sofia sent itself (a session refresh), challenged: sent
         * again by us with our SDP; never our INVITE's challenge (that would
         * dial the number again). Not answered, it failed alone (no restarts):
         * the call goes on. */
        if (!sc_call_answer_reinvite_challenge(c, status, sip, c->local_sdp))
            sc_log(SC_LOG_INFO, "call %d: a re-INVITE inside the call got %d: not answered, the call goes on",
                   c->id, status);
        return;
    }
    if (!c->relaying_reinvite && !c->media_reinvite && sc_call_is_answered(c)) {
        on_refresh_response(c, status, phrase, sip);
        return;
    }
    if (c->relaying_reinvite) {
        /* Not the call's own INVITE: a re-INVITE relayed for the other leg.
         * Its failure does not end the call (RFC 3261 14.1). */
        if (challenge && sc_call_answer_reinvite_challenge(c, status, sip, c->relayed_offer)) return;
        if (status >= 200) relayed_reinvite_answered(c, status, phrase, sip);
        return;
    }
    if (c->media_reinvite) {
        /* Our hold/unhold re-INVITE: its failure does not end the call
         * (RFC 3261 14.1); the media stays as it was. */
        if (status < 200) return;
        if (challenge && sc_call_answer_reinvite_challenge(c, status, sip, c->local_sdp)) return;
        c->media_reinvite = false;
        if (status < 300 && has_sdp) {
            char *answer = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
            sc_call_set_remote_sdp(c, answer, strlen(answer));
            sc_call_media_take_answer(c, answer);
            g_free(answer);
        } else if (status >= 300) {
            char *why = g_strdup_printf("the peer refused our re-INVITE: %d %s", status, phrase ? phrase : "");
            sc_call_media_notice(c, "media_error", SC_ESIP, why);
            g_free(why);
        }
        return;
    }
    sc_log(SC_LOG_DEBUG, "call %d: INVITE answered %d %s", c->id, status, phrase ? phrase : "");
    if (!c->sip_call_id && sip && sip->sip_call_id) {
        g_mutex_lock(&c->lock);
        c->sip_call_id = g_strdup(sip->sip_call_id->i_id);
        g_mutex_unlock(&c->lock);
    }
    if (has_sdp) sc_call_set_remote_sdp(c, sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    if (has_sdp && c->media && status >= 180 && status < 300 && !c->ending) {
        /* Our offer's answer, in a 183 (early media) or the 200: an answer
         * the engine cannot take ends the call. */
        char *answer = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
        int rc = sc_call_media_take_answer(c, answer);
        g_free(answer);
        if (rc) {
            sc_log(SC_LOG_WARNING, "call %d: the answer's SDP is unusable: %s", c->id, sc_last_error());
            if (status >= 200) sc_call_set_state(c, SC_CALL_ANSWERED);
            sc_call_hangup_now(c, "INCOMPATIBLE_DESTINATION");
            return;
        }
    }
    if (status == 100) {
        sc_call_set_state(c, SC_CALL_PROCEEDING);
    } else if (status >= 180 && status < 200) {
        sc_call_set_state(c, has_sdp ? SC_CALL_EARLY : status == 183 ? SC_CALL_PROCEEDING : SC_CALL_RINGING);
    } else if (status >= 200 && status < 300) {
        g_mutex_lock(&c->lock);
        c->sip_code = status;
        g_mutex_unlock(&c->lock);
        sc_call_set_state(c, SC_CALL_ANSWERED);
    } else if (status >= 300) {
        if ((status == 401 || status == 407) && !c->ending && answer_call_challenge(c, status, sip)) return;
        if (status < 400) note_redirect(c, status, sip);
        if (!c->ending) {
            remote_ends(c, status, NULL);
        } else if (c->end_code == 487 && status != 487) {
            c->end_code = status;
        }
        if (status == 401 || status == 407) {
            /* A challenge we will not answer: Sofia would hold the request,
             * waiting for credentials, for ever. The call is over. */
            if (c->peer) sc_bridge_b_response(c, status, phrase, sip);
            sc_call_finish(c);
            return;
        }
    }
    if (c->peer) sc_bridge_b_response(c, status, phrase, sip);
}

void sc_calls_on_event(sc_session *s, sc_call *c, nua_event_t event, int status,
                       const char *phrase, const sip_t *sip, tagi_t tags[])
{
    int callstate = -1;
    tagi_t const *t;
    (void)s;
    switch (event) {
    case nua_i_invite:  /* a re-INVITE within the call */
        on_reinvite(c, c->nh, sip);
        break;
    case nua_r_invite:
        on_invite_response(c, status, phrase, sip);
        break;
    case nua_r_authenticate:
        /* Sofia could not use our credentials on the challenge (904): end a
         * call not answered yet (an answered one ends by its BYE's answer). */
        if (status >= 300 && !c->ending && !sc_call_is_answered(c)) {
            remote_ends(c, status, "CALL_REJECTED");
            /* the INVITE already had its final 401/407: nothing to cancel */
            sc_call_finish(c);
        }
        break;
    case nua_i_ack:
        /* Our offer went in the 200 (an INVITE without SDP): the ACK answers. */
        if (c->media && c->media_offered_in_200 && sip && sip->sip_payload && sip->sip_payload->pl_len) {
            char *answer = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
            sc_call_set_remote_sdp(c, answer, strlen(answer));
            if (sc_call_media_take_answer(c, answer)) sc_call_hangup_now(c, "INCOMPATIBLE_DESTINATION");
            g_free(answer);
        }
        break;
    case nua_r_bye:
        if (status >= 300) bye_response(c, status, sip);
        break;
    case nua_r_info:
        sc_call_info_answered(c, status, phrase, sip);
        break;
    case nua_i_info:   /* DTMF by SIP INFO */
        sc_call_on_info(c, sip);
        break;
    case nua_i_cancel:
        remote_ends(c, 487, "ORIGINATOR_CANCEL");
        break;
    case nua_i_bye:
        if (!c->ending) remote_ends(c, 200, "NORMAL_CLEARING");
        break;
    case nua_i_state:
        /* tl_find, not tl_gets: one tag wanted, three times per call */
        if ((t = tl_find(tags, nutag_callstate))) callstate = (int)t->t_value;
        if (callstate == nua_callstate_ready) {
            /* "ready" comes again after every re-INVITE: hold is ours to say. */
            if (sc_call_state_of(c) != SC_CALL_HELD) sc_call_set_state(c, SC_CALL_ANSWERED);
        } else if (callstate == nua_callstate_terminated) {
            if (!c->ending) {
                /* Sofia ended it without a message we saw (timeout, error). */
                c->end_side = SC_HANGUP_REMOTE;
                c->end_code = status >= 300 ? status : 408;
            }
            sc_call_finish(c);
        }
        break;
    default:
        break;
    }
}
