/* The call object: creation, references, getters, SIP header lookup and
 * JSON. Control (what a call does) is in calls/; this file knows nothing of
 * it, so that events (event.c) can read calls from below the calls layer. */
#include <string.h>
#include <sofia-sip/sip_header.h>

#include "call_priv.h"
#include "error_priv.h"
#include "free_all.h"

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
    /* c->cause stays NULL until the call ends: it is set once then and never
     * replaced, so a pointer the application got from sc_call_cause() lives
     * as long as its reference (a "" set here and freed at the end was read
     * freed by a `calls` listing racing the end). */
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
    SC_FREE_ALL(c->gateway, c->matched_by, c->destination, c->caller_number, c->caller_name,
                c->sip_call_id, c->to, c->source, c->invite_text, c->cause, c->remote_sdp,
                c->local_sdp, c->final_phrase, c->inv_parts, c->relayed_offer);
    g_queue_clear_full(&c->info_out, g_free);
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
STR_GETTER(sc_call_to, to)
STR_GETTER(sc_call_source, source)

SC_API int sc_call_id(const sc_call *c) { return c ? c->id : 0; }
SC_API int sc_call_direction_of(const sc_call *c) { return c ? c->direction : -1; }

/* A number the stack thread may be changing while the application reads
 * it: read under the call's lock. */
static int locked_int(const sc_call *c, const int *field)
{
    int v;
    g_mutex_lock((GMutex *)&c->lock);
    v = *field;
    g_mutex_unlock((GMutex *)&c->lock);
    return v;
}

SC_API int sc_call_state_of(const sc_call *c) { return c ? locked_int(c, &c->state) : -1; }

bool sc_call_is_answered(const sc_call *c)
{
    int st = sc_call_state_of(c);
    return st == SC_CALL_ANSWERED || st == SC_CALL_HELD;
}
SC_API int sc_call_sip_code(const sc_call *c) { return c ? locked_int(c, &c->sip_code) : 0; }

SC_API int sc_call_hangup_side(const sc_call *c)
{
    return c ? locked_int(c, &c->hangup_side) : SC_HANGUP_NONE;
}

/* A text the stack thread sets once, from NULL, while the application may
 * be reading (the cause when the call ends, the Call-ID with the first
 * answer): the pointer is read under the call's lock, and the text it points
 * to is never freed before the call. */
static const char *set_once_text(const sc_call *c, char *const *field)
{
    const char *text;
    g_mutex_lock((GMutex *)&c->lock);
    text = *field;
    g_mutex_unlock((GMutex *)&c->lock);
    return text ? text : "";
}

SC_API const char *sc_call_cause(const sc_call *c) { return c ? set_once_text(c, &c->cause) : ""; }

SC_API const char *sc_call_sip_call_id(const sc_call *c)
{
    return c ? set_once_text(c, &c->sip_call_id) : "";
}

SC_API char *sc_call_remote_sdp(const sc_call *c)
{
    char *sdp;
    if (!c) return sc_fail_null(SC_EINVAL, "call is NULL");
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
    if (!c || !name || !*name)
        return sc_fail_null(SC_EINVAL, "sc_call_header: %s is missing", c ? "header name" : "call");
    if (!c->invite_text) return sc_fail_null(SC_ENOTFOUND, "call %d: no INVITE kept", c->id);
    out = g_string_new(NULL);
    /* The header lines as received (sip/header_block.c): a line starting
     * with a space or tab continues the header before it (RFC 3261 7.3.1). */
    lines = g_strsplit(c->invite_text, "\r\n", -1);
    for (char **l = lines + 1; *l && **l; l++) {  /* skip the request line; stop at the end */
        const char *colon = strchr(*l, ':');
        if (**l == ' ' || **l == '\t' || !colon || !header_is(*l, (size_t)(colon - *l), name)) continue;
        if (out->len) g_string_append(out, ", ");
        colon++;
        while (*colon == ' ' || *colon == '\t') colon++;
        g_string_append(out, colon);
        for (; l[1] && (l[1][0] == ' ' || l[1][0] == '\t'); l++) {
            const char *more = l[1];
            while (*more == ' ' || *more == '\t') more++;
            g_string_append_c(out, ' ');
            g_string_append(out, more);
        }
        while (out->len && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
            g_string_truncate(out, out->len - 1);
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
    if (!c) return sc_fail_null(SC_EINVAL, "call is NULL");
    b = g_string_new(NULL);
    /* One snapshot under the call's lock: state, code and cause agree. */
    g_mutex_lock((GMutex *)&c->lock);
    g_string_append_printf(b, "{\"call\":%d,\"direction\":\"%s\",\"state\":\"%s\",\"gateway\":", c->id,
                           c->direction == SC_CALL_INBOUND ? "inbound" : "outbound",
                           sc_call_state_name(c->state));
    sc_json_append_string(b, c->gateway);
    sc_json_append_member(b, "destination_number", c->destination);
    sc_json_append_member(b, "caller_id_number", c->caller_number);
    sc_json_append_member(b, "caller_id_name", c->caller_name);
    sc_json_append_member(b, "matched_by", c->matched_by);
    sc_json_append_member(b, "sip_call_id", c->sip_call_id ? c->sip_call_id : "");
    g_string_append_printf(b, ",\"sip_code\":%d,\"cause\":", c->sip_code);
    sc_json_append_string(b, c->cause ? c->cause : "");
    g_mutex_unlock((GMutex *)&c->lock);
    g_string_append_c(b, '}');
    return g_string_free(b, FALSE);
}

void sc_call_answer_timer_stop(sc_call *c)
{
    if (c->answer_timer) {
        su_timer_destroy(c->answer_timer);
        c->answer_timer = NULL;
    }
}
