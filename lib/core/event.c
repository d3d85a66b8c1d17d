/* Event objects, their names, and their JSON and text forms. */
#include <glib.h>
#include <stdio.h>

#include "event_priv.h"
#include "error_priv.h"
#include "skypeconnect/sc_call.h"

static const char *const state_names[] = {
    "UNREGED", "TRYING", "REGISTER", "REGED", "UNREGISTER", "FAILED",
    "FAIL_WAIT", "EXPIRED", "NOREG", "DOWN", "TIMEOUT"
};

static const char *const reason_names[] = {
    "none", "auth", "timeout", "network", "dns", "tls", "server", "config", "request"
};

SC_API const char *sc_reg_state_name(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(state_names)) return "UNKNOWN";
    return state_names[state];
}

SC_API const char *sc_gw_status_name(int status)
{
    return status == SC_GW_UP ? "UP" : "DOWN";
}

SC_API const char *sc_reason_name(int reason)
{
    if (reason < 0 || reason >= (int)G_N_ELEMENTS(reason_names)) return "unknown";
    return reason_names[reason];
}

SC_API const char *sc_event_type_name(int type)
{
    switch (type) {
    case SC_EVENT_GATEWAY_STATE: return "gateway_state";
    case SC_EVENT_GATEWAY_REMOVED: return "gateway_removed";
    case SC_EVENT_SESSION_STOPPED: return "stopped";
    case SC_EVENT_INCOMING_CALL: return "incoming_call";
    case SC_EVENT_CALL_STATE: return "call_state";
    case SC_EVENT_DIAL_REFUSED: return "dial_refused";
    case SC_EVENT_INBOUND_REFUSED: return "inbound_refused";
    case SC_EVENT_CALL_ROUTED: return "call_routed";
    case SC_EVENT_DTMF: return "dtmf";
    case SC_EVENT_MEDIA_STATE: return "media_state";
    case SC_EVENT_MEDIA_STATS: return "media_stats";
    case SC_EVENT_MEDIA_NOTICE: return "media_notice";
    case SC_EVENT_AUDIO: return "audio";
    case SC_EVENT_DRAIN: return "drain";
    case SC_EVENT_CALL_CONTROL: return "call_control";
    }
    return "unknown";
}

/* The text of every string field nobody set. Most fields of most events
 * stay empty (a call event uses two or three of nine): sharing one "" saves
 * an allocation and a free per field per event. Never freed. */
static char no_text[] = "";

static char *text_dup(const char *value)
{
    return value && *value ? g_strdup(value) : no_text;
}

static void text_free(char *text)
{
    if (text != no_text) g_free(text);
}

sc_event *sc_event_new(int type, const char *gateway)
{
    sc_event *ev = g_new0(sc_event, 1);
    ev->type = type;
    ev->gateway = text_dup(gateway);
    ev->phrase = no_text;
    ev->state = ev->prev_state = -1;
    ev->next_retry = -1;
    ev->call_state = -1;
    ev->time_us = g_get_real_time();
    ev->cause = ev->number = ev->refusal = ev->message = ev->source = ev->context = ev->route_json = no_text;
    ev->media_json = ev->digit = ev->dtmf_method = ev->media_state = no_text;
    ev->draining = ev->drain_calls = -1;
    ev->control = "";
    return ev;
}

static char *borrow(char *text)
{
    return text && *text ? text : no_text;
}

sc_event *sc_event_new_for_call(int type, struct sc_call *c, char *gateway, char *number, char *source)
{
    sc_event *ev = sc_event_new(type, NULL);
    ev->call = sc_call_ref(c);
    ev->call_texts = true;
    ev->gateway = borrow(gateway);
    ev->number = borrow(number);
    if (type == SC_EVENT_INCOMING_CALL) ev->source = borrow(source);
    return ev;
}

sc_event *sc_event_new_drain(bool draining, int calls)
{
    sc_event *ev = sc_event_new(SC_EVENT_DRAIN, NULL);
    ev->draining = draining;
    ev->drain_calls = calls;
    return ev;
}

void sc_event_set_text(char **field, const char *value)
{
    text_free(*field);
    *field = text_dup(value);
}

void sc_event_set_phrase(sc_event *ev, const char *phrase)
{
    sc_event_set_text(&ev->phrase, phrase);
}

SC_API int sc_event_type_of(const sc_event *ev) { return ev ? ev->type : 0; }
SC_API const char *sc_event_gateway(const sc_event *ev) { return ev ? ev->gateway : ""; }
SC_API int sc_event_state(const sc_event *ev) { return ev ? ev->state : -1; }
SC_API int sc_event_prev_state(const sc_event *ev) { return ev ? ev->prev_state : -1; }
SC_API int sc_event_status(const sc_event *ev) { return ev ? ev->status : SC_GW_DOWN; }
SC_API int sc_event_sip_code(const sc_event *ev) { return ev ? ev->sip_code : 0; }
SC_API const char *sc_event_phrase(const sc_event *ev) { return ev ? ev->phrase : ""; }
SC_API int sc_event_reason(const sc_event *ev) { return ev ? ev->reason : SC_REASON_NONE; }
SC_API int sc_event_expires(const sc_event *ev) { return ev ? ev->expires : 0; }
SC_API int sc_event_next_retry(const sc_event *ev) { return ev ? ev->next_retry : -1; }
SC_API int sc_event_failures(const sc_event *ev) { return ev ? ev->failures : 0; }
SC_API long long sc_event_time_us(const sc_event *ev) { return ev ? ev->time_us : 0; }
SC_API sc_call *sc_event_call(const sc_event *ev) { return ev ? ev->call : NULL; }
SC_API int sc_event_call_id(const sc_event *ev) { return ev && ev->call ? sc_call_id(ev->call) : 0; }
SC_API int sc_event_call_state(const sc_event *ev) { return ev ? ev->call_state : -1; }
SC_API const char *sc_event_cause(const sc_event *ev) { return ev ? ev->cause : ""; }
SC_API const char *sc_event_number(const sc_event *ev) { return ev ? ev->number : ""; }
SC_API const char *sc_event_refusal(const sc_event *ev) { return ev ? ev->refusal : ""; }
SC_API const char *sc_event_message(const sc_event *ev) { return ev ? ev->message : ""; }
SC_API const char *sc_event_source(const sc_event *ev) { return ev ? ev->source : ""; }
SC_API const char *sc_event_context(const sc_event *ev) { return ev ? ev->context : ""; }
SC_API const char *sc_event_route_json(const sc_event *ev) { return ev ? ev->route_json : ""; }
SC_API const char *sc_event_dtmf_digit(const sc_event *ev) { return ev ? ev->digit : ""; }
SC_API const char *sc_event_dtmf_method(const sc_event *ev) { return ev ? ev->dtmf_method : ""; }
SC_API const char *sc_event_media_state(const sc_event *ev) { return ev ? ev->media_state : ""; }
SC_API const char *sc_event_control(const sc_event *ev) { return ev ? ev->control : ""; }
SC_API int sc_event_result(const sc_event *ev) { return ev ? ev->result : 0; }
SC_API const short *sc_event_audio_pcm(const sc_event *ev) { return ev ? ev->pcm : NULL; }
SC_API size_t sc_event_audio_samples(const sc_event *ev) { return ev ? ev->samples : 0; }
SC_API int sc_event_draining(const sc_event *ev) { return ev ? ev->draining : -1; }
SC_API int sc_event_drain_calls(const sc_event *ev) { return ev ? ev->drain_calls : -1; }

SC_API sc_event *sc_event_copy(const sc_event *ev)
{
    sc_event *c;
    if (!ev) return sc_fail_null(SC_EINVAL, "event is NULL");
    c = g_new(sc_event, 1);
    *c = *ev;
    c->gateway = text_dup(ev->gateway);
    c->phrase = text_dup(ev->phrase);
    c->call = sc_call_ref(ev->call);
    c->call_texts = false;   /* its own copies, below */
    c->cause = text_dup(ev->cause);
    c->number = text_dup(ev->number);
    c->refusal = text_dup(ev->refusal);
    c->message = text_dup(ev->message);
    c->source = text_dup(ev->source);
    c->context = text_dup(ev->context);
    c->route_json = text_dup(ev->route_json);
    c->media_json = text_dup(ev->media_json);
    c->digit = text_dup(ev->digit);
    c->dtmf_method = text_dup(ev->dtmf_method);
    c->media_state = text_dup(ev->media_state);
    c->pcm = ev->pcm ? g_memdup2(ev->pcm, ev->samples * sizeof *ev->pcm) : NULL;
    return c;
}

SC_API void sc_event_free(sc_event *ev)
{
    if (!ev) return;
    if (!ev->call_texts) {
        text_free(ev->gateway);
        text_free(ev->number);
        text_free(ev->source);
    }
    text_free(ev->phrase);
    sc_call_unref(ev->call);
    text_free(ev->cause);
    text_free(ev->refusal);
    text_free(ev->message);
    text_free(ev->context);
    text_free(ev->route_json);
    text_free(ev->media_json);
    text_free(ev->digit);
    text_free(ev->dtmf_method);
    text_free(ev->media_state);
    g_free(ev->pcm);
    g_free(ev);
}

static void append_field(GString *b, const char *name, const char *value)
{
    g_string_append_printf(b, ",\"%s\":", name);
    sc_json_append_string(b, value);
}

static void append_call_fields(GString *b, const sc_event *ev)
{
    const sc_call *c = ev->call;
    switch (ev->type) {
    case SC_EVENT_INCOMING_CALL:
        append_field(b, "destination_number", sc_call_destination(c));
        append_field(b, "caller_id_number", sc_call_caller_number(c));
        append_field(b, "caller_id_name", sc_call_caller_name(c));
        append_field(b, "matched_by", sc_call_matched_by(c));
        append_field(b, "source", sc_call_source(c));
        append_field(b, "sip_call_id", sc_call_sip_call_id(c));
        break;
    case SC_EVENT_CALL_STATE:
        append_field(b, "direction", sc_call_direction_of(c) == SC_CALL_INBOUND ? "inbound" : "outbound");
        append_field(b, "state", sc_call_state_name(ev->call_state));
        g_string_append_printf(b, ",\"sip_code\":%d", ev->sip_code);
        append_field(b, "cause", ev->cause);
        if (ev->call_state == SC_CALL_ENDED)
            append_field(b, "hangup", sc_call_hangup_side(c) == SC_HANGUP_REMOTE ? "remote" : "local");
        append_field(b, "destination_number", sc_call_destination(c));
        break;
    case SC_EVENT_DIAL_REFUSED:
        append_field(b, "number", ev->number);
        append_field(b, "reason", ev->refusal);
        append_field(b, "message", ev->message);
        break;
    case SC_EVENT_CALL_ROUTED:
        append_field(b, "context", ev->context);
        append_field(b, "destination_number", ev->number);
        g_string_append_printf(b, ",\"route\":%s", ev->route_json[0] ? ev->route_json : "null");
        break;
    case SC_EVENT_AUDIO:
        g_string_append_printf(b, ",\"samples\":%zu", ev->samples);
        break;
    case SC_EVENT_CALL_CONTROL:
        append_field(b, "control", ev->control);
        g_string_append_printf(b, ",\"result\":%d", ev->result);
        append_field(b, "error", ev->result ? sc_strerror(ev->result) : "");
        append_field(b, "message", ev->message);
        break;
    case SC_EVENT_INBOUND_REFUSED:
        append_field(b, "destination_number", ev->number);
        append_field(b, "source", ev->source);
        g_string_append_printf(b, ",\"sip_code\":%d", ev->sip_code);
        append_field(b, "reason", ev->refusal);
        append_field(b, "message", ev->message);
        break;
    default:
        break;
    }
}

SC_API char *sc_event_to_json(const sc_event *ev)
{
    GString *b;
    if (!ev) return sc_fail_null(SC_EINVAL, "event is NULL");
    /* Media events keep the engine's exact line (issue #13's names). */
    if (ev->media_json && ev->media_json[0]) return g_strdup(ev->media_json);
    b = g_string_new("{\"event\":");
    sc_json_append_string(b, sc_event_type_name(ev->type));
    if (ev->type == SC_EVENT_DRAIN)
        g_string_append_printf(b, ",\"draining\":%s,\"calls\":%d", ev->draining ? "true" : "false",
                               ev->drain_calls);
    if (ev->type == SC_EVENT_SESSION_STOPPED || ev->type == SC_EVENT_DRAIN) {
        g_string_append_printf(b, ",\"time\":%.3f}", ev->time_us / 1e6);
        return g_string_free(b, FALSE);
    }
    if (ev->call) g_string_append_printf(b, ",\"call\":%d", sc_call_id(ev->call));
    sc_json_append_member(b, "gateway", ev->gateway);
    append_call_fields(b, ev);
    if (ev->type == SC_EVENT_GATEWAY_STATE) {
        sc_gw_state_view v = {
            .state = ev->state, .has_prev = true, .prev_state = ev->prev_state,
            .status = ev->status, .sip_code = ev->sip_code, .phrase = ev->phrase,
            .reason = ev->reason, .expires = ev->expires, .next_retry = ev->next_retry,
            .failures = ev->failures,
        };
        sc_gw_state_json(b, &v);
    }
    g_string_append_printf(b, ",\"time\":%.3f}", ev->time_us / 1e6);
    return g_string_free(b, FALSE);
}

void sc_gw_state_json(GString *b, const sc_gw_state_view *v)
{
    sc_json_append_member(b, "state", sc_reg_state_name(v->state));
    if (v->has_prev) {
        sc_json_append_member(b, "prev", sc_reg_state_name(v->prev_state));
    }
    sc_json_append_member(b, "status", sc_gw_status_name(v->status));
    g_string_append_printf(b, ",\"sip_code\":%d,\"phrase\":", v->sip_code);
    sc_json_append_string(b, v->phrase);
    sc_json_append_member(b, "reason", sc_reason_name(v->reason));
    g_string_append_printf(b, ",\"expires\":%d,\"next_retry\":%d,\"failures\":%d",
                           v->expires, v->next_retry, v->failures);
}

/* Text for a terminal or a log: what a peer wrote (a caller name) can hold
 * invalid UTF-8 or control characters (escape sequences): neither passes. */
static char *safe_text(char *text)
{
    char *valid = g_utf8_make_valid(text, -1);
    for (char *p = valid; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    g_free(text);
    return valid;
}

SC_API char *sc_event_to_text(const sc_event *ev)
{
    GString *b;
    if (!ev) return sc_fail_null(SC_EINVAL, "event is NULL");
    b = g_string_new(NULL);
    switch (ev->type) {
    case SC_EVENT_GATEWAY_STATE:
        g_string_append_printf(b, "gateway %s: %s -> %s, status %s", ev->gateway,
                               sc_reg_state_name(ev->prev_state), sc_reg_state_name(ev->state),
                               sc_gw_status_name(ev->status));
        if (ev->sip_code)
            g_string_append_printf(b, ", SIP %d %s", ev->sip_code, ev->phrase);
        if (ev->reason != SC_REASON_NONE)
            g_string_append_printf(b, ", reason %s", sc_reason_name(ev->reason));
        if (ev->expires > 0)
            g_string_append_printf(b, ", expires in %d s", ev->expires);
        if (ev->next_retry >= 0)
            g_string_append_printf(b, ", next %s in %d s",
                                   ev->state == SC_REG_REGED ? "refresh" : "attempt", ev->next_retry);
        break;
    case SC_EVENT_GATEWAY_REMOVED:
        g_string_append_printf(b, "gateway %s: removed", ev->gateway);
        break;
    case SC_EVENT_SESSION_STOPPED:
        g_string_append(b, "session stopped");
        break;
    case SC_EVENT_DRAIN:
        if (!ev->draining) g_string_append(b, "drain off: new inbound calls are taken again");
        else if (ev->drain_calls == 0) g_string_append(b, "drained: no call in progress, safe to stop");
        else g_string_append_printf(b, "draining: new inbound calls refused, %d in progress", ev->drain_calls);
        break;
    case SC_EVENT_INCOMING_CALL:
        g_string_append_printf(b, "call %d: incoming on gateway %s to %s from %s (matched by %s, source %s)",
                               sc_call_id(ev->call), ev->gateway, sc_call_destination(ev->call),
                               sc_call_caller_number(ev->call), sc_call_matched_by(ev->call),
                               sc_call_source(ev->call));
        break;
    case SC_EVENT_CALL_STATE:
        g_string_append_printf(b, "call %d: %s", sc_call_id(ev->call), sc_call_state_name(ev->call_state));
        if (ev->call_state == SC_CALL_ENDED)
            g_string_append_printf(b, " (SIP %d, %s, hung up by %s)", ev->sip_code, ev->cause,
                                   sc_call_hangup_side(ev->call) == SC_HANGUP_REMOTE ? "remote" : "local");
        break;
    case SC_EVENT_DIAL_REFUSED:
        g_string_append_printf(b, "dial-out refused (%s): %s", ev->refusal, ev->message);
        break;
    case SC_EVENT_CALL_ROUTED:
        g_string_append_printf(b, "call %d: dialplan context %s for %s", sc_call_id(ev->call), ev->context, ev->number);
        break;
    case SC_EVENT_INBOUND_REFUSED:
        g_string_append_printf(b, "inbound call refused with %d (%s): %s", ev->sip_code, ev->refusal, ev->message);
        break;
    case SC_EVENT_DTMF:
        g_string_append_printf(b, "call %d: DTMF %s (%s)", sc_event_call_id(ev), ev->digit, ev->dtmf_method);
        break;
    case SC_EVENT_AUDIO:
        g_string_append_printf(b, "call %d: %zu samples of audio", sc_event_call_id(ev), ev->samples);
        break;
    case SC_EVENT_CALL_CONTROL:
        if (ev->result)
            g_string_append_printf(b, "call %d: %s failed (%s): %s", sc_event_call_id(ev), ev->control,
                                   sc_strerror(ev->result), ev->message);
        else
            g_string_append_printf(b, "call %d: %s done", sc_event_call_id(ev), ev->control);
        break;
    case SC_EVENT_MEDIA_STATE:
    case SC_EVENT_MEDIA_STATS:
    case SC_EVENT_MEDIA_NOTICE:
        g_string_append_printf(b, "call %d: %s", sc_event_call_id(ev), ev->media_json);
        break;
    default:
        g_string_append(b, "unknown event");
    }
    return safe_text(g_string_free(b, FALSE));
}
