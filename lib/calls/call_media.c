/* The public media functions of a call (sc_media.h) and the engine's
 * reports, both on the stack thread. The stream and the SDP it writes are
 * call_media_stack.c's; this file decides what the application asked for. */
#include <string.h>
#include <unistd.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>

#include "calls_priv.h"
#include "error_priv.h"
#include "skypeconnect/sc_media.h"

#ifdef SC_HAVE_MEDIA
#include "media.h"

SC_API int sc_media_supported(void)
{
    return sc_media_available() == SC_OK;
}

/* The engine's reports, delivered on the stack thread (the engine posts
 * them to the session's context). The call is looked up by id: a report
 * may arrive after its call ended, and is then dropped. */
void sc_calls_media_report(const sc_media_report *r, void *user)
{
    sc_session *s = user;
    sc_call *c = sc_calls_find(s, GPOINTER_TO_INT(r->tag));
    if (!c || !c->media) return;
    switch (r->kind) {
    case SC_MEDIA_R_DTMF:
        sc_call_media_emit(c, SC_EVENT_DTMF, r);
        break;
    case SC_MEDIA_R_STATE:
        sc_call_media_emit(c, SC_EVENT_MEDIA_STATE, r);
        break;
    case SC_MEDIA_R_TIMEOUT:
        sc_call_media_emit(c, SC_EVENT_MEDIA_NOTICE, r);
        sc_log(SC_LOG_INFO, "call %d: no RTP for %d s: hanging up", c->id, r->value);
        sc_call_hangup_now(c, "MEDIA_TIMEOUT");
        break;
    case SC_MEDIA_R_ERROR:
    case SC_MEDIA_R_PLAY_DONE:
        sc_call_media_emit(c, SC_EVENT_MEDIA_NOTICE, r);
        break;
    case SC_MEDIA_R_FRAME:   /* only while sc_call_set_audio() has them on */
        sc_call_media_emit(c, SC_EVENT_AUDIO, r);
        break;
    case SC_MEDIA_R_STATS:   /* ours are sent at the call's end (sc_call_media_end) */
        break;
    }
}

/* A call with media that has not ended. */
static int media_ready(const sc_call_op *op)
{
    if (sc_call_state_of(op->c) == SC_CALL_ENDED || op->c->ending) return sc_call_op_fail(op, SC_ESTATE, "the call has ended");
    if (!op->c->media)
        return sc_call_op_fail(op, SC_ESTATE, "the call has no media (answer it with sc_call_answer_media(), "
                                              "dial with sc_session_dial_media())");
    return SC_OK;
}

/* Inbound: our SDP for the 183 or 200, or the call rejected with 488. */
static int media_sdp_for_inbound(sc_call_op *op, char **sdp)
{
    sc_call *c = op->c;
    int rc = sc_call_inbound_open(op);
    if (rc) return rc;
    if (c->media && c->local_sdp) {
        /* 183 first, now the 200: the same SDP (RFC 3264: one answer). */
        *sdp = g_strdup(c->local_sdp);
        return SC_OK;
    }
    rc = sc_call_media_local_sdp(c, sdp);
    if (rc == SC_ENOCODEC || rc == SC_EPARSE) {
        char *why = g_strdup(sc_last_error());
        sc_media_stream_free(c->media);
        c->media = NULL;
        sc_call_reject_now(c, 488, "Not Acceptable Here", "INCOMPATIBLE_DESTINATION");
        rc = sc_call_op_fail(op, rc, why);
        g_free(why);
        return rc;
    }
    if (rc) return sc_call_op_fail(op, rc, sc_last_error());
    return SC_OK;
}

/* 183 or 200 (send) with our SDP. */
static int inbound_media(sc_session *s, sc_call_op *op, sc_stack_fn send)
{
    char *sdp = NULL;
    int rc = media_sdp_for_inbound(op, &sdp);
    if (rc) return rc;
    op->text = sdp;
    rc = send(s, op);
    g_free(sdp);
    return rc;
}

static int answer_media_op(sc_session *s, void *p)
{
    return inbound_media(s, p, sc_call_answer_on_stack);
}

SC_API int sc_call_answer_media(sc_call *c)
{
    sc_call_op op = { 0 };
    return sc_call_post_op(c, "sc_call_answer_media", answer_media_op, &op, SC_CLAIM_FINAL);
}

static int progress_media_op(sc_session *s, void *p)
{
    return inbound_media(s, p, sc_call_early_on_stack);
}

SC_API int sc_call_progress_media(sc_call *c)
{
    sc_call_op op = { 0 };
    return sc_call_post_op(c, "sc_call_progress_media", progress_media_op, &op, SC_CLAIM_OPEN);
}

SC_API int sc_session_dial_media(sc_session *s, const char *gateway, const char *number,
                                 const char *caller_number, const char *caller_name, sc_call **out)
{
    return sc_dial(s, gateway, number, caller_number, caller_name, NULL, out, false, true);
}

/* The stack side of the media controls below: the call must have media
 * and not have ended; then op->on_stream works on the stream, and its
 * failure becomes the request's. */
static int stream_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    int rc = media_ready(op);
    (void)s;
    if (rc) return rc;
    rc = op->on_stream(op);
    return rc ? sc_call_op_fail(op, rc, sc_last_error()) : SC_OK;
}

static int stream_play(sc_call_op *op)
{
    return op->text ? sc_media_stream_play_file(op->c->media, op->text, op->code)
                    : sc_media_stream_play_tone(op->c->media, op->hz, op->ms, op->code);
}

SC_API int sc_call_play(sc_call *c, const char *path, int loop)
{
    sc_call_op op = { .text = path, .code = loop != 0, .on_stream = stream_play };
    if (!path || !*path) return sc_fail(SC_EINVAL, "sc_call_play: no file named");
    /* Checked here, on the caller's thread, so the reason is the file's. */
    if (access(path, R_OK))
        return sc_fail(SC_EIO, "sc_call_play: cannot read '%s': %s", path, g_strerror(errno));
    return sc_call_post_op(c, "sc_call_play", stream_op, &op, SC_CLAIM_NONE);
}

SC_API int sc_call_play_tone(sc_call *c, int hz, int ms, int loop)
{
    sc_call_op op = { .hz = hz, .ms = ms, .code = loop != 0, .on_stream = stream_play };
    if (hz < 50 || hz > 4000) return sc_fail(SC_EINVAL, "sc_call_play_tone: %d Hz: use 50 to 4000", hz);
    if (ms < 20 || ms > 600000) return sc_fail(SC_EINVAL, "sc_call_play_tone: %d ms: use 20 to 600000", ms);
    return sc_call_post_op(c, "sc_call_play_tone", stream_op, &op, SC_CLAIM_NONE);
}

static int hold_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    sc_call *c = op->c;
    char *sdp = NULL;
    int st = sc_call_state_of(c), rc = media_ready(op);
    (void)s;
    if (rc) return rc;
    if ((st != SC_CALL_ANSWERED && st != SC_CALL_HELD) || !c->nh)
        return sc_call_op_fail(op, SC_ESTATE, "hold needs an answered call");
    if (c->media_reinvite || c->relaying_reinvite || c->media_offered_in_200)
        return sc_call_op_fail(op, SC_ESTATE, "a re-INVITE is in progress");
    sc_media_stream_set_direction(c->media, op->code ? SC_MEDIA_SENDONLY : SC_MEDIA_SENDRECV);
    if ((rc = sc_media_stream_offer(c->media, &sdp))) return sc_call_op_fail(op, rc, sc_last_error());
    c->media_reinvite = true;
    g_free(c->local_sdp);
    c->local_sdp = sdp;
    nua_invite(c->nh, SC_CALL_NO_RESTARTS, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(c->local_sdp), TAG_END());
    return SC_OK;
}

SC_API int sc_call_hold(sc_call *c, int on)
{
    sc_call_op op = { .code = on != 0 };
    return sc_call_post_op(c, "sc_call_hold", hold_op, &op, SC_CLAIM_ANSWERED);
}

static int stream_record(sc_call_op *op)
{
    return sc_media_stream_record(op->c->media, op->text);
}

SC_API int sc_call_record(sc_call *c, const char *path)
{
    sc_call_op op = { .text = path, .on_stream = stream_record };
    if (!path || !*path) return sc_fail(SC_EINVAL, "sc_call_record: no file named");
    return sc_call_post_op(c, "sc_call_record", stream_op, &op, SC_CLAIM_NONE);
}

static int stream_stop(sc_call_op *op)
{
    sc_media_stream_stop_play(op->c->media);
    sc_media_stream_stop_record(op->c->media);
    return SC_OK;
}

SC_API int sc_call_stop_media(sc_call *c)
{
    sc_call_op op = { .on_stream = stream_stop };
    /* Waits: when it returns, a recording's file is complete. */
    return sc_call_run_op(c, "sc_call_stop_media", stream_op, &op);
}

static int stream_audio(sc_call_op *op)
{
    return op->pcm ? sc_media_stream_write(op->c->media, op->pcm, op->samples)
                   : sc_media_stream_set_frames(op->c->media, op->code);
}

SC_API int sc_call_set_audio(sc_call *c, int on)
{
    sc_call_op op = { .code = on != 0, .on_stream = stream_audio };
    /* Waits: a switch made once per call, and a call without media must
     * hear so at once (an audio iterator would otherwise wait for frames
     * that never come). sc_call_write_audio(), per frame, is posted. */
    return sc_call_run_op(c, "sc_call_set_audio", stream_op, &op);
}

SC_API int sc_call_write_audio(sc_call *c, const short *pcm, size_t samples)
{
    sc_call_op op = { .pcm = pcm, .samples = samples, .on_stream = stream_audio };
    if (!pcm || !samples) return sc_fail(SC_EINVAL, "sc_call_write_audio: no samples");
    if (samples > 80000) return sc_fail(SC_EINVAL, "sc_call_write_audio: %zu samples: at most 80000 (10 s) at once", samples);
    return sc_call_post_op(c, "sc_call_write_audio", stream_op, &op, SC_CLAIM_NONE);
}

/* The stream's figures now, copied on the stack thread. */
typedef struct stats_req {
    sc_call_op op;   /* first: the op stream_op hands to stream_stats */
    sc_rtp_stats st;
} stats_req;

static int stream_stats(sc_call_op *op)
{
    stats_req *r = (stats_req *)op;
    return sc_media_stream_get_stats(op->c->media, &r->st);
}

SC_API char *sc_call_media_stats_json(sc_call *c)
{
    stats_req req = { .op.on_stream = stream_stats };
    sc_media_report r = { .kind = SC_MEDIA_R_STATS };
    if (sc_call_run_op(c, "sc_call_media_stats_json", stream_op, &req.op)) return NULL;
    r.stats = req.st;
    char *line = sc_media_report_json(&r, c->id);
    /* The event line's members, plus where the audio goes, as one object. */
    GString *g = g_string_new("{");
    const char *members = strstr(line, ",\"packets_sent\"");
    g_string_append_printf(g, "\"call\":%d%.*s", c->id, (int)(strlen(members) - 1), members);
    g_string_append(g, ",\"local\":");
    sc_json_append_string(g, r.stats.local);
    g_string_append(g, ",\"remote\":");
    sc_json_append_string(g, r.stats.remote);
    g_string_append_c(g, '}');
    g_free(line);
    return g_string_free(g, FALSE);
}

SC_API int sc_call_media_stats(sc_call *c, sc_media_stats *out)
{
    stats_req req = { .op.on_stream = stream_stats };
    sc_media_stats full = { .size = sizeof full };
    int rc;
    if (!out) return sc_fail(SC_EINVAL, "sc_call_media_stats: out is NULL");
    if (out->size < sizeof full)
        return sc_fail(SC_EINVAL, "sc_call_media_stats: out->size is %zu: set it to sizeof(sc_media_stats) (%zu)",
                       out->size, sizeof full);
    if ((rc = sc_call_run_op(c, "sc_call_media_stats", stream_op, &req.op))) return rc;
    full.packets_sent = req.st.packets_sent;
    full.packets_received = req.st.packets_received;
    full.packets_lost = req.st.packets_lost;
    full.packets_dropped = req.st.packets_dropped;
    full.jitter_ms = req.st.jitter_ms;
    g_strlcpy(full.codec, req.st.codec, sizeof full.codec);
    g_strlcpy(full.local, req.st.local, sizeof full.local);
    g_strlcpy(full.remote, req.st.remote, sizeof full.remote);
    memcpy(out, &full, sizeof full);   /* a later, larger struct keeps its tail */
    out->size = sizeof full;
    return SC_OK;
}

#else /* signalling-only build */

#define NO_MEDIA(what) sc_fail(SC_ENOTFOUND, "%s: this libskypeconnect was built without media (SC_WITH_MEDIA=OFF)", what)

SC_API int sc_media_supported(void) { return 0; }
SC_API int sc_call_answer_media(sc_call *c) { (void)c; return NO_MEDIA("sc_call_answer_media"); }
SC_API int sc_call_progress_media(sc_call *c) { (void)c; return NO_MEDIA("sc_call_progress_media"); }
SC_API int sc_session_dial_media(sc_session *s, const char *gateway, const char *number,
                                 const char *caller_number, const char *caller_name, sc_call **out)
{
    (void)s, (void)gateway, (void)number, (void)caller_number, (void)caller_name;
    if (out) *out = NULL;
    return NO_MEDIA("sc_session_dial_media");
}
SC_API int sc_call_play(sc_call *c, const char *path, int loop)
{
    (void)c, (void)path, (void)loop;
    return NO_MEDIA("sc_call_play");
}
SC_API int sc_call_play_tone(sc_call *c, int hz, int ms, int loop)
{
    (void)c, (void)hz, (void)ms, (void)loop;
    return NO_MEDIA("sc_call_play_tone");
}
SC_API int sc_call_record(sc_call *c, const char *path) { (void)c, (void)path; return NO_MEDIA("sc_call_record"); }
SC_API int sc_call_stop_media(sc_call *c) { (void)c; return NO_MEDIA("sc_call_stop_media"); }
SC_API int sc_call_hold(sc_call *c, int on) { (void)c, (void)on; return NO_MEDIA("sc_call_hold"); }
SC_API int sc_call_set_audio(sc_call *c, int on) { (void)c, (void)on; return NO_MEDIA("sc_call_set_audio"); }
SC_API int sc_call_write_audio(sc_call *c, const short *pcm, size_t samples)
{
    (void)c, (void)pcm, (void)samples;
    return NO_MEDIA("sc_call_write_audio");
}
SC_API char *sc_call_media_stats_json(sc_call *c)
{
    (void)c;
    NO_MEDIA("sc_call_media_stats_json");
    return NULL;
}
SC_API int sc_call_media_stats(sc_call *c, sc_media_stats *out)
{
    (void)c, (void)out;
    return NO_MEDIA("sc_call_media_stats");
}

#endif
