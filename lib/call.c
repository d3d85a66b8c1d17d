/* Call objects: references, getters, JSON, and the public control functions,
 * which run on the stack thread through sc_session_run_sync(). */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "call_priv.h"
#include "nat.h"
#include "error_priv.h"

static const char *const state_names[] = {
    "incoming", "calling", "proceeding", "ringing", "early", "answered", "held", "ended"
};

SC_API const char *sc_call_state_name(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(state_names)) return "unknown";
    return state_names[state];
}

sc_call *sc_call_new(sc_session *s, int direction, const char *gateway)
{
    sc_call *c = g_new0(sc_call, 1);
    c->kind = SC_HANDLE_CALL;
    c->refs = 1;
    g_mutex_init(&c->lock);
    c->s = s;
    g_mutex_lock(&s->lock);
    c->id = ++s->next_call_id;
    g_mutex_unlock(&s->lock);
    c->direction = direction;
    c->gateway = g_strdup(gateway);
    c->state = direction == SC_CALL_INBOUND ? SC_CALL_INCOMING : SC_CALL_CALLING;
    c->matched_by = g_strdup("");
    c->cause = g_strdup("");
    return c;
}

SC_API sc_call *sc_call_ref(sc_call *c)
{
    if (c) g_atomic_int_inc(&c->refs);
    return c;
}

SC_API void sc_call_unref(sc_call *c)
{
    if (!c || !g_atomic_int_dec_and_test(&c->refs)) return;
    g_free(c->gateway);
    g_free(c->matched_by);
    g_free(c->destination);
    g_free(c->caller_number);
    g_free(c->caller_name);
    g_free(c->sip_call_id);
    g_free(c->to);
    g_free(c->source);
    g_free(c->invite_text);
    g_free(c->cause);
    g_free(c->remote_sdp);
    g_free(c->local_sdp);
    g_free(c->final_phrase);
    g_mutex_clear(&c->lock);
    g_free(c);
}

void sc_call_detach_session(sc_call *c)
{
    g_mutex_lock(&c->lock);
    c->s = NULL;
    g_mutex_unlock(&c->lock);
}

#define STR_GETTER(fn, field) \
    SC_API const char *fn(const sc_call *c) { return c && c->field ? c->field : ""; }

STR_GETTER(sc_call_gateway, gateway)
STR_GETTER(sc_call_matched_by, matched_by)
STR_GETTER(sc_call_destination, destination)
STR_GETTER(sc_call_caller_number, caller_number)
STR_GETTER(sc_call_caller_name, caller_name)
STR_GETTER(sc_call_sip_call_id, sip_call_id)
STR_GETTER(sc_call_to, to)
STR_GETTER(sc_call_source, source)

SC_API int sc_call_id(const sc_call *c) { return c ? c->id : 0; }
SC_API int sc_call_direction_of(const sc_call *c) { return c ? c->direction : -1; }

SC_API int sc_call_state_of(const sc_call *c)
{
    int st;
    if (!c) return -1;
    g_mutex_lock((GMutex *)&c->lock);
    st = c->state;
    g_mutex_unlock((GMutex *)&c->lock);
    return st;
}

SC_API int sc_call_sip_code(const sc_call *c)
{
    int code;
    if (!c) return 0;
    g_mutex_lock((GMutex *)&c->lock);
    code = c->sip_code;
    g_mutex_unlock((GMutex *)&c->lock);
    return code;
}

SC_API const char *sc_call_cause(const sc_call *c)
{
    /* Set once, when the call ends, and never freed before the call. */
    const char *cause;
    if (!c) return "";
    g_mutex_lock((GMutex *)&c->lock);
    cause = c->cause;
    g_mutex_unlock((GMutex *)&c->lock);
    return cause;
}

SC_API int sc_call_hangup_side(const sc_call *c)
{
    int side;
    if (!c) return SC_HANGUP_NONE;
    g_mutex_lock((GMutex *)&c->lock);
    side = c->hangup_side;
    g_mutex_unlock((GMutex *)&c->lock);
    return side;
}

SC_API char *sc_call_remote_sdp(const sc_call *c)
{
    char *sdp;
    if (!c) {
        sc_fail(SC_EINVAL, "call is NULL");
        return NULL;
    }
    g_mutex_lock((GMutex *)&c->lock);
    sdp = g_strdup(c->remote_sdp);
    g_mutex_unlock((GMutex *)&c->lock);
    return sdp;
}

void sc_call_set_remote_sdp(sc_call *c, const char *sdp, size_t len)
{
    g_mutex_lock(&c->lock);
    g_free(c->remote_sdp);
    c->remote_sdp = g_strndup(sdp, len);
    g_mutex_unlock(&c->lock);
}

/* Compact header names of RFC 3261 7.3.3 and the long ones they stand for. */
static const char *long_header_name(const char *name)
{
    static const char *const compact[][2] = {
        { "i", "Call-ID" }, { "m", "Contact" }, { "e", "Content-Encoding" },
        { "l", "Content-Length" }, { "c", "Content-Type" }, { "f", "From" },
        { "s", "Subject" }, { "k", "Supported" }, { "t", "To" }, { "v", "Via" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(compact); i++)
        if (!g_ascii_strcasecmp(name, compact[i][0])) return compact[i][1];
    return name;
}

static bool header_is(const char *line, size_t name_len, const char *want)
{
    char name[64];
    if (name_len == 0 || name_len >= sizeof name) return false;
    memcpy(name, line, name_len);
    name[name_len] = '\0';
    g_strstrip(name);
    return !g_ascii_strcasecmp(long_header_name(name), long_header_name(want));
}

SC_API char *sc_call_header(const sc_call *c, const char *name)
{
    GString *out;
    char **lines;
    if (!c || !name || !*name) {
        sc_fail(SC_EINVAL, "sc_call_header: %s is missing", c ? "header name" : "call");
        return NULL;
    }
    if (!c->invite_text) {
        sc_fail(SC_ENOTFOUND, "call %d: no INVITE kept", c->id);
        return NULL;
    }
    out = g_string_new(NULL);
    lines = g_strsplit(c->invite_text, "\r\n", -1);
    for (char **l = lines + 1; *l && **l; l++) {  /* skip the request line; stop at the body */
        const char *colon = strchr(*l, ':');
        if (!colon || !header_is(*l, (size_t)(colon - *l), name)) continue;
        if (out->len) g_string_append(out, ", ");
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        g_string_append(out, colon);
    }
    g_strfreev(lines);
    if (!out->len) {
        g_string_free(out, TRUE);
        sc_fail(SC_ENOTFOUND, "call %d: the INVITE has no '%s' header", c->id, name);
        return NULL;
    }
    sc_clear_error();
    return g_string_free(out, FALSE);
}

SC_API char *sc_call_to_json(const sc_call *c)
{
    GString *b;
    if (!c) {
        sc_fail(SC_EINVAL, "call is NULL");
        return NULL;
    }
    b = g_string_new(NULL);
    g_string_append_printf(b, "{\"call\":%d,\"direction\":\"%s\",\"state\":\"%s\",\"gateway\":", c->id,
                           c->direction == SC_CALL_INBOUND ? "inbound" : "outbound",
                           sc_call_state_name(sc_call_state_of(c)));
    sc_json_append_string(b, c->gateway);
    g_string_append(b, ",\"destination_number\":");
    sc_json_append_string(b, c->destination);
    g_string_append(b, ",\"caller_id_number\":");
    sc_json_append_string(b, c->caller_number);
    g_string_append(b, ",\"caller_id_name\":");
    sc_json_append_string(b, c->caller_name);
    g_string_append(b, ",\"matched_by\":");
    sc_json_append_string(b, c->matched_by);
    g_string_append(b, ",\"sip_call_id\":");
    sc_json_append_string(b, c->sip_call_id);
    g_string_append_printf(b, ",\"sip_code\":%d,\"cause\":", sc_call_sip_code(c));
    sc_json_append_string(b, sc_call_cause(c));
    g_string_append_c(b, '}');
    return g_string_free(b, FALSE);
}

/* ------------------------------------------------------------------ */
/* State changes (stack thread) */

static sc_event *call_event(sc_call *c, int type)
{
    sc_event *ev = sc_event_new(type, c->gateway);
    ev->call = sc_call_ref(c);
    ev->call_state = sc_call_state_of(c);
    g_mutex_lock(&c->lock);
    ev->sip_code = c->sip_code;
    sc_event_set_text(&ev->cause, c->cause);
    g_mutex_unlock(&c->lock);
    sc_event_set_text(&ev->number, c->destination);
    if (type == SC_EVENT_INCOMING_CALL) sc_event_set_text(&ev->source, c->source);
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
    g_free(c->cause);
    c->cause = g_strdup(c->end_cause ? c->end_cause : sc_sip_cause(c->end_code ? c->end_code : 200));
    c->hangup_side = c->end_side;
    g_mutex_unlock(&c->lock);
    if (c->answer_timer) {
        g_source_destroy(c->answer_timer);
        g_source_unref(c->answer_timer);
        c->answer_timer = NULL;
    }
    if (c->nh) {
        nua_handle_bind(c->nh, NULL);
        nua_handle_destroy(c->nh);
        c->nh = NULL;
    }
    sc_session_emit(s, call_event(c, SC_EVENT_CALL_STATE));
    if (c->peer) sc_bridge_leg_ended(c);
    g_strfreev(c->bridge_targets);
    c->bridge_targets = NULL;
    /* An ended call outlives its session in the application's hands. */
    sc_call_detach_session(c);
    g_hash_table_remove(s->calls, GINT_TO_POINTER(c->id));  /* drops the session's reference */
}

/* ------------------------------------------------------------------ */
/* Control from any thread */

typedef struct call_op {
    sc_call *c;
    int code;
    const char *text;
    int rc;
    char err[256];
} call_op;

/* Runs op on the stack thread with the call's session, if it still has one. */
static int run_call_op(sc_call *c, const char *what, void (*fn)(void *), call_op *op)
{
    sc_session *s;
    if (!c) return sc_fail(SC_EINVAL, "%s: call is NULL", what);
    g_mutex_lock(&c->lock);
    s = c->s;
    if (c->state == SC_CALL_ENDED) s = NULL;
    g_mutex_unlock(&c->lock);
    if (!s && sc_call_state_of(c) == SC_CALL_ENDED)
        return sc_fail(SC_ESTATE, "%s: call %d has ended", what, c->id);
    if (!s || !s->ctx) return sc_fail(SC_ECLOSED, "%s: call %d: its session is gone", what, c->id);
    op->c = c;
    op->rc = SC_OK;
    sc_session_run_sync(s, fn, op);
    if (op->rc) return sc_fail(op->rc, "%s: call %d: %s", what, c->id, op->err);
    sc_clear_error();
    return SC_OK;
}

static bool op_fail(call_op *op, int rc, const char *msg)
{
    op->rc = rc;
    g_strlcpy(op->err, msg, sizeof op->err);
    return false;
}

/* Inbound, no final answer sent yet, not ended. */
static bool inbound_open(call_op *op)
{
    sc_call *c = op->c;
    if (c->direction != SC_CALL_INBOUND) return op_fail(op, SC_ESTATE, "not an inbound call");
    if (c->routed) return op_fail(op, SC_ESTATE, "the dialplan is handling this call");
    if (c->state == SC_CALL_ENDED || c->ending || !c->nh) return op_fail(op, SC_ESTATE, "the call has ended");
    if (c->final_sent) return op_fail(op, SC_ESTATE, "the call was answered or rejected already");
    return true;
}

static void ring_op(void *p)
{
    call_op *op = p;
    if (!inbound_open(op)) return;
    nua_respond(op->c->nh, SIP_180_RINGING, TAG_END());
    sc_call_set_state(op->c, SC_CALL_RINGING);
}

SC_API int sc_call_ring(sc_call *c)
{
    call_op op = { 0 };
    return run_call_op(c, "sc_call_ring", ring_op, &op);
}

static bool sdp_ok(call_op *op)
{
    if (!op->text || !*op->text) return op_fail(op, SC_EINVAL, "the SDP is empty");
    if (strncmp(op->text, "v=", 2)) return op_fail(op, SC_EINVAL, "the SDP must start with \"v=\"");
    return true;
}

static void early_op(void *p)
{
    call_op *op = p;
    if (!sdp_ok(op) || !inbound_open(op)) return;
    g_free(op->c->local_sdp);
    op->c->local_sdp = g_strdup(op->text);
    nua_respond(op->c->nh, SIP_183_SESSION_PROGRESS, SC_NAT_CONTACT_TAG(op->c),
                SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(op->text), TAG_END());
    sc_call_set_state(op->c, SC_CALL_EARLY);
}

SC_API int sc_call_early_media(sc_call *c, const char *sdp)
{
    call_op op = { .text = sdp };
    return run_call_op(c, "sc_call_early_media", early_op, &op);
}

static void answer_op(void *p)
{
    call_op *op = p;
    if (!sdp_ok(op) || !inbound_open(op)) return;
    g_free(op->c->local_sdp);
    op->c->local_sdp = g_strdup(op->text);
    op->c->final_sent = true;
    g_mutex_lock(&op->c->lock);
    op->c->sip_code = 200;
    g_mutex_unlock(&op->c->lock);
    if (op->c->answer_timer) {
        g_source_destroy(op->c->answer_timer);
        g_source_unref(op->c->answer_timer);
        op->c->answer_timer = NULL;
    }
    nua_respond(op->c->nh, SIP_200_OK, SC_NAT_CONTACT_TAG(op->c),
                SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(op->text), TAG_END());
}

SC_API int sc_call_answer(sc_call *c, const char *sdp)
{
    call_op op = { .text = sdp };
    return run_call_op(c, "sc_call_answer", answer_op, &op);
}

/* Ends an inbound call with a final error response (stack thread). */
void sc_call_reject_now(sc_call *c, int code, const char *phrase, const char *cause)
{
    c->final_sent = true;
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

static void reject_op(void *p)
{
    call_op *op = p;
    if (op->code < 400 || op->code > 699) {
        op_fail(op, SC_EINVAL, "a rejection needs a SIP status from 400 to 699");
        return;
    }
    if (!inbound_open(op)) return;
    sc_call_reject_now(op->c, op->code, op->text && *op->text ? op->text : NULL, NULL);
}

SC_API int sc_call_reject(sc_call *c, int sip_code, const char *phrase)
{
    call_op op = { .code = sip_code, .text = phrase };
    if (phrase && (strchr(phrase, '\r') || strchr(phrase, '\n')))
        return sc_fail(SC_EINVAL, "sc_call_reject: the reason phrase must be one line");
    return run_call_op(c, "sc_call_reject", reject_op, &op);
}

static void redirect_op(void *p)
{
    call_op *op = p;
    char *contact;
    if (!op->text || (g_ascii_strncasecmp(op->text, "sip:", 4) && g_ascii_strncasecmp(op->text, "sips:", 5)) ||
        strpbrk(op->text, "<>\"\r\n \t")) {
        op_fail(op, SC_EINVAL, "the redirect target must be a sip: or sips: URI without spaces or <>");
        return;
    }
    if (!inbound_open(op)) return;
    contact = g_strdup_printf("<%s>", op->text);
    op->c->final_sent = true;
    op->c->ending = true;
    op->c->end_code = 302;
    op->c->end_cause = "REDIRECTION_TO_NEW_DESTINATION";
    op->c->end_side = SC_HANGUP_LOCAL;
    nua_respond(op->c->nh, SIP_302_MOVED_TEMPORARILY, SIPTAG_CONTACT_STR(contact), TAG_END());
    g_free(contact);
}

SC_API int sc_call_redirect(sc_call *c, const char *target)
{
    call_op op = { .text = target };
    return run_call_op(c, "sc_call_redirect", redirect_op, &op);
}

/* Hangs up whatever the state (stack thread). */
void sc_call_hangup_now(sc_call *c, const char *cause)
{
    int st = sc_call_state_of(c);
    if (st == SC_CALL_ENDED || c->ending || !c->nh) return;
    c->ending = true;
    c->end_side = SC_HANGUP_LOCAL;
    c->end_cause = cause;
    if (st == SC_CALL_ANSWERED || st == SC_CALL_HELD) {
        c->end_code = 200;
        nua_bye(c->nh, TAG_END());
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
        nua_bye(c->nh, TAG_END());
    }
}

static void hangup_op(void *p)
{
    call_op *op = p;
    sc_call_hangup_now(op->c, NULL);
}

SC_API int sc_call_hangup(sc_call *c)
{
    call_op op = { 0 };
    if (c && sc_call_state_of(c) == SC_CALL_ENDED) {
        sc_clear_error();
        return SC_OK;
    }
    return run_call_op(c, "sc_call_hangup", hangup_op, &op);
}

static void dtmf_op(void *p)
{
    call_op *op = p;
    int st = sc_call_state_of(op->c);
    if (!op->c->nh || (st != SC_CALL_ANSWERED && st != SC_CALL_HELD && st != SC_CALL_EARLY)) {
        op_fail(op, SC_ESTATE, "DTMF needs an answered call (or early media)");
        return;
    }
    for (const char *d = op->text; *d; d++) {
        char body[64];
        g_snprintf(body, sizeof body, "Signal=%c\r\nDuration=160\r\n", *d);
        nua_info(op->c->nh, SIPTAG_CONTENT_TYPE_STR("application/dtmf-relay"), SIPTAG_PAYLOAD_STR(body),
                 TAG_END());
    }
}

SC_API int sc_call_send_dtmf(sc_call *c, const char *digits)
{
    call_op op = { .text = digits };
    if (!digits || !*digits) return sc_fail(SC_EINVAL, "sc_call_send_dtmf: no digits");
    for (const char *d = digits; *d; d++)
        if (!strchr("0123456789*#ABCDabcd", *d))
            return sc_fail(SC_EINVAL, "sc_call_send_dtmf: '%c' is not a DTMF digit (0-9, *, #, A-D)",
                           g_ascii_isprint(*d) ? *d : '?');
    if (strlen(digits) > 64) return sc_fail(SC_EINVAL, "sc_call_send_dtmf: at most 64 digits at once");
    return run_call_op(c, "sc_call_send_dtmf", dtmf_op, &op);
}
