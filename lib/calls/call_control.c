/* Call control: state changes and the events they make, and the public
 * control functions. Their work runs on the stack thread: at once when
 * called there, else posted without waiting (call_post.c). The arguments
 * are checked on the caller's thread first. The call object itself is
 * core/call_object.c. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "calls_priv.h"
#include "nat.h"
#include "error_priv.h"

/* ------------------------------------------------------------------ */
/* State changes (stack thread) */

static sc_event *call_event(sc_call *c, int type)
{
    sc_event *ev = sc_event_new_for_call(type, c, c->gateway, c->destination, c->source);
    ev->call_state = sc_call_state_of(c);
    g_mutex_lock(&c->lock);
    ev->sip_code = c->sip_code;
    sc_event_set_text(&ev->cause, c->cause);
    g_mutex_unlock(&c->lock);
    return ev;
}

void sc_call_emit(sc_call *c, int type)
{
    sc_session_emit(c->s, call_event(c, type));
}

void sc_call_set_state(sc_call *c, int state)
{
    g_mutex_lock(&c->lock);
    if (c->state == state || c->state == SC_CALL_ENDED) {
        g_mutex_unlock(&c->lock);
        return;
    }
    c->state = state;
    g_mutex_unlock(&c->lock);
    if (state == SC_CALL_INCOMING) return;
    sc_session_emit(c->s, call_event(c, SC_EVENT_CALL_STATE));
}

/* ------------------------------------------------------------------ */
/* Control from any thread */

/* Inbound, no final answer sent yet, not ended. */
int sc_call_inbound_open(const sc_call_op *op)
{
    sc_call *c = op->c;
    if (c->direction != SC_CALL_INBOUND) return sc_call_op_fail(op, SC_ESTATE, "not an inbound call");
    if (c->routed) return sc_call_op_fail(op, SC_ESTATE, "the dialplan is handling this call");
    if (c->state == SC_CALL_ENDED || c->ending || !c->nh) return sc_call_op_fail(op, SC_ESTATE, "the call has ended");
    if (c->final_sent) return sc_call_op_fail(op, SC_ESTATE, "the call was answered or rejected already");
    return SC_OK;
}

static int ring_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    int rc = sc_call_inbound_open(op);
    (void)s;
    if (rc) return rc;
    nua_respond(op->c->nh, SIP_180_RINGING, TAG_END());
    sc_call_set_state(op->c, SC_CALL_RINGING);
    return SC_OK;
}

SC_API int sc_call_ring(sc_call *c)
{
    sc_call_op op = { 0 };
    return sc_call_post_op(c, "sc_call_ring", ring_op, &op, SC_CLAIM_OPEN);
}

static int sdp_ok(const sc_call_op *op)
{
    if (!op->text || !*op->text) return sc_call_op_fail(op, SC_EINVAL, "the SDP is empty");
    if (strncmp(op->text, "v=", 2)) return sc_call_op_fail(op, SC_EINVAL, "the SDP must start with \"v=\"");
    return SC_OK;
}

/* An inbound call still open and an SDP that looks like one: the SDP
 * becomes the call's own (early media and the answer). */
static int take_local_sdp(const sc_call_op *op)
{
    int rc = sdp_ok(op);
    if (!rc) rc = sc_call_inbound_open(op);
    if (rc) return rc;
    g_free(op->c->local_sdp);
    op->c->local_sdp = g_strdup(op->text);
    return SC_OK;
}

int sc_call_early_on_stack(sc_session *s, void *p)
{
    sc_call_op *op = p;
    int rc = take_local_sdp(op);
    (void)s;
    if (rc) return rc;
    nua_respond(op->c->nh, SIP_183_SESSION_PROGRESS, SC_NAT_CONTACT_TAG(op->c),
                SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(op->text), TAG_END());
    sc_call_set_state(op->c, SC_CALL_EARLY);
    return SC_OK;
}

SC_API int sc_call_early_media(sc_call *c, const char *sdp)
{
    sc_call_op op = { .c = c, .what = "sc_call_early_media", .text = sdp };
    int rc = c ? sdp_ok(&op) : SC_OK;
    return rc ? rc : sc_call_post_op(c, op.what, sc_call_early_on_stack, &op, SC_CLAIM_OPEN);
}

int sc_call_answer_on_stack(sc_session *s, void *p)
{
    sc_call_op *op = p;
    tagi_t timers[SC_CALL_SESSION_TIMER_TAGS];
    int rc = take_local_sdp(op);
    (void)s;
    if (rc) return rc;
    sc_call_take_final(op->c);
    g_mutex_lock(&op->c->lock);
    op->c->sip_code = 200;
    g_mutex_unlock(&op->c->lock);
    sc_call_answer_timer_stop(op->c);
    sc_call_session_timer_tags(op->c, timers);
    nua_respond(op->c->nh, SIP_200_OK, SC_NAT_CONTACT_TAG(op->c),
                SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(op->text), TAG_NEXT(timers));
    return SC_OK;
}

SC_API int sc_call_answer(sc_call *c, const char *sdp)
{
    sc_call_op op = { .c = c, .what = "sc_call_answer", .text = sdp };
    int rc = c ? sdp_ok(&op) : SC_OK;
    return rc ? rc : sc_call_post_op(c, op.what, sc_call_answer_on_stack, &op, SC_CLAIM_FINAL);
}

/* Ends an inbound call with a final error response (stack thread). */
void sc_call_reject_now(sc_call *c, int code, const char *phrase, const char *cause)
{
    sc_call_take_final(c);
    c->ending = true;
    c->end_code = code;
    c->end_cause = cause;
    c->end_side = SC_HANGUP_LOCAL;
    /* nua_respond() sends later, from its own queue, and keeps the phrase
     * pointer: it must outlive this call (the caller's string does not). */
    g_free(c->final_phrase);
    c->final_phrase = g_strdup(phrase ? phrase : sip_status_phrase(code) ? sip_status_phrase(code) : "Error");
    nua_respond(c->nh, code, c->final_phrase, TAG_END());
}

static int reject_code_ok(const sc_call_op *op)
{
    if (op->code < 400 || op->code > 699)
        return sc_call_op_fail(op, SC_EINVAL, "a rejection needs a SIP status from 400 to 699");
    return SC_OK;
}

static int reject_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    int rc;
    (void)s;
    if ((rc = reject_code_ok(op)) || (rc = sc_call_inbound_open(op))) return rc;
    sc_call_reject_now(op->c, op->code, op->text && *op->text ? op->text : NULL, NULL);
    return SC_OK;
}

SC_API int sc_call_reject(sc_call *c, int sip_code, const char *phrase)
{
    sc_call_op op = { .c = c, .what = "sc_call_reject", .code = sip_code, .text = phrase };
    int rc;
    if (phrase && (strchr(phrase, '\r') || strchr(phrase, '\n')))
        return sc_fail(SC_EINVAL, "sc_call_reject: the reason phrase must be one line");
    if (c && (rc = reject_code_ok(&op))) return rc;
    return sc_call_post_op(c, op.what, reject_op, &op, SC_CLAIM_FINAL);
}

/* Hangs up whatever the state (stack thread). */
void sc_call_hangup_now(sc_call *c, const char *cause)
{
    int st = sc_call_state_of(c);
    if (st == SC_CALL_ENDED || c->ending || !c->nh) return;
    sc_call_take_hangup(c);
    c->ending = true;
    c->end_side = SC_HANGUP_LOCAL;
    c->end_cause = cause;
    /* the BYE's challenges get rounds of their own, whatever a re-INVITE
     * before it used (dialog_auth.c) */
    c->dialog_auth_rounds = 0;
    if (st == SC_CALL_ANSWERED || st == SC_CALL_HELD) {
        c->end_code = 200;
        nua_bye(c->nh, SC_CALL_BYE_RESTARTS(c), TAG_END());
    } else if (c->direction == SC_CALL_OUTBOUND) {
        c->end_code = 487;
        if (!c->end_cause) c->end_cause = "ORIGINATOR_CANCEL";
        nua_cancel(c->nh, TAG_END());
    } else if (!c->final_sent) {
        c->ending = false;  /* sc_call_reject_now sets it again */
        sc_call_reject_now(c, 480, NULL, cause ? cause : "NORMAL_CLEARING");
    } else {
        /* 200 sent, ACK not yet seen: BYE once the dialog is confirmed. */
        c->end_code = 200;
        nua_bye(c->nh, SC_CALL_BYE_RESTARTS(c), TAG_END());
    }
}

static int hangup_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    (void)s;
    sc_call_hangup_now(op->c, NULL);
    return SC_OK;
}

SC_API int sc_call_hangup(sc_call *c)
{
    sc_call_op op = { 0 };
    if (c && sc_call_state_of(c) == SC_CALL_ENDED) {
        sc_clear_error();
        return SC_OK;
    }
    return sc_call_post_op(c, "sc_call_hangup", hangup_op, &op, SC_CLAIM_HANGUP);
}

static int dtmf_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    (void)s;
    if (!sc_call_can_carry_dtmf(op->c))
        return sc_call_op_fail(op, SC_ESTATE, "DTMF needs an answered call (or early media)");
    /* RFC 4733 in the call's own RTP when telephone-event was negotiated;
     * SIP INFO otherwise (SC_ESTATE from the stream says it was not). */
    if (op->c->media) {
        int rc = sc_call_media_send_dtmf(op->c, op->text);
        if (rc != SC_ESTATE) return rc ? sc_call_op_fail(op, rc, sc_last_error()) : SC_OK;
    }
    for (const char *d = op->text; *d; d++) {
        char body[64];
        int n = g_snprintf(body, sizeof body, "Signal=%c\r\nDuration=160\r\n", *d);
        sc_call_info_send(op->c, "application/dtmf-relay", body, (size_t)n);
    }
    return SC_OK;
}

SC_API int sc_call_send_dtmf(sc_call *c, const char *digits)
{
    sc_call_op op = { .text = digits };
    if (!digits || !*digits) return sc_fail(SC_EINVAL, "sc_call_send_dtmf: no digits");
    for (const char *d = digits; *d; d++)
        if (!strchr("0123456789*#ABCDabcd", *d))
            return sc_fail(SC_EINVAL, "sc_call_send_dtmf: '%c' is not a DTMF digit (0-9, *, #, A-D)",
                           g_ascii_isprint(*d) ? *d : '?');
    if (strlen(digits) > 64) return sc_fail(SC_EINVAL, "sc_call_send_dtmf: at most 64 digits at once");
    return sc_call_post_op(c, "sc_call_send_dtmf", dtmf_op, &op, SC_CLAIM_MEDIA);
}
