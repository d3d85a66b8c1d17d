/* A call's own media on the stack thread: its RTP stream (lib/media), the
 * SDP the library writes for it, and the media events. Used by the SIP
 * side of calls (answer, dial, re-INVITE, ACK, the end of a call); calls
 * nothing of calls/ itself, so the SIP side and the public functions
 * (call_media.c) may both use it.
 *
 * A call has a stream only when the application asked for media: without
 * one, SDP stays the application's text, untouched, as before. */
#include <string.h>

#include "calls_priv.h"
#include "error_priv.h"

#ifdef SC_HAVE_MEDIA
#include "media.h"

/* Gateway parameters for the engine: "" (unset) is NULL to it. */
static const char *gw_param(void *gw, const char *name)
{
    const char *v = sc_gateway_get(gw, name);
    return v && *v ? v : NULL;
}

static sc_reg *reg_of(sc_call *c)
{
    for (guint i = 0; c->s && i < c->s->regs->len; i++)
        if (!strcmp(sc_reg_name(c->s->regs->pdata[i]), c->gateway)) return c->s->regs->pdata[i];
    return NULL;
}

/* The address our RTP binds: the gateway's rtp-ip, else the session's SIP
 * address unless that is a wildcard, else the address the kernel routes
 * towards the gateway's proxy (what SIP's Contact names: without --bind the
 * session listens everywhere, and loopback would reach nobody). */
static const char *default_rtp_ip(const sc_session *s, sc_reg *r)
{
    if (s->bind_host && strcmp(s->bind_host, "0.0.0.0") && strcmp(s->bind_host, "::")) return s->bind_host;
    return r && r->nat.local_host[0] ? r->nat.local_host : NULL;
}

/* The address our SDP names, as FreeSWITCH's ext-rtp-ip: an address as
 * given; "auto-nat"/"auto", and by default once NAT was detected, the
 * public address SIP learned (received/rport, STUN or ext-sip-ip). NULL:
 * the bound address. Symmetric RTP on both sides does the rest. */
static const char *sdp_rtp_ip(const char *ext, sc_reg *r)
{
    bool automatic = ext && (!strcmp(ext, "auto-nat") || !strcmp(ext, "auto"));
    if (ext && !automatic) return ext;
    if (r && (automatic || r->nat.detected) && r->nat.public_host) return r->nat.public_host;
    return NULL;
}

int sc_call_media_start(sc_call *c)
{
    sc_media_config cfg = { 0 };
    sc_reg *r;
    int rc;
    if (c->media) return SC_OK;
    if (!c->s || !c->s->media_engine)
        return sc_fail(SC_ESTATE, "media is off in this session: call sc_session_set_media(s, 1) before "
                                  "sc_session_start() (skypeconnect run --media)");
    r = reg_of(c);
    if (r && (rc = sc_media_config_from_params(gw_param, r->gw, &cfg)))
        return sc_fail(rc, "gateway '%s': %s", c->gateway, sc_last_error());
    if (!cfg.local_ip) cfg.local_ip = default_rtp_ip(c->s, r);
    cfg.sdp_ip = sdp_rtp_ip(cfg.sdp_ip, r);
    rc = sc_media_stream_new(c->s->media_engine, &cfg, GINT_TO_POINTER(c->id), &c->media);
    if (rc) return sc_fail(rc, "call %d: no media stream: %s", c->id, sc_last_error());
    c->media_wanted = true;
    return SC_OK;
}

int sc_call_media_offer(sc_call *c, char **sdp_out)
{
    int rc = sc_call_media_start(c);
    if (rc == SC_OK && (rc = sc_media_stream_offer(c->media, sdp_out))) {
        /* not yet published: no events, just the stream gone */
        sc_media_stream_free(c->media);
        c->media = NULL;
    }
    return rc;
}

int sc_call_media_local_sdp(sc_call *c, char **sdp_out)
{
    char *offer = sc_call_remote_sdp(c);
    int rc = sc_call_media_start(c);
    if (rc == SC_OK && offer) {
        rc = sc_media_stream_answer(c->media, offer, sdp_out);
    } else if (rc == SC_OK) {
        /* No offer in the INVITE: ours goes in the 200, the answer in the ACK. */
        rc = sc_media_stream_offer(c->media, sdp_out);
        c->media_offered_in_200 = rc == SC_OK;
    }
    sc_free(offer);
    return rc;
}

int sc_call_media_reinvite(sc_call *c, const char *offer, char **sdp_out)
{
    if (!offer) {
        /* An offerless re-INVITE: we offer, the ACK answers. */
        int rc = sc_media_stream_offer(c->media, sdp_out);
        c->media_offered_in_200 = rc == SC_OK;
        return rc;
    }
    return sc_media_stream_answer(c->media, offer, sdp_out);
}

int sc_call_media_take_answer(sc_call *c, const char *answer)
{
    int rc = sc_media_stream_set_answer(c->media, answer);
    c->media_offered_in_200 = false;
    if (rc) sc_call_media_notice(c, "media_error", rc, sc_last_error());
    return rc;
}

int sc_call_media_send_dtmf(sc_call *c, const char *digits)
{
    return sc_media_stream_send_dtmf(c->media, digits);
}

/* An event about the call's media carrying the engine's JSON line. */
void sc_call_media_emit(sc_call *c, int type, const sc_media_report *r)
{
    sc_event *ev = sc_event_new(type, c->gateway);
    char digit[2] = { r->digit, '\0' };
    char *json = sc_media_report_json(r, c->id);
    ev->call = sc_call_ref(c);   /* call_state stays -1: not a call_state event */
    sc_event_set_text(&ev->media_json, json);
    g_free(json);
    if (r->kind == SC_MEDIA_R_DTMF) {
        sc_event_set_text(&ev->digit, digit);
        sc_event_set_text(&ev->dtmf_method, sc_media_dtmf_method_name(r->method));
    } else if (r->kind == SC_MEDIA_R_STATE) {
        sc_event_set_text(&ev->media_state, r->state);
    } else if (r->kind == SC_MEDIA_R_FRAME && r->pcm) {
        ev->pcm = g_memdup2(r->pcm, r->samples * sizeof *r->pcm);
        ev->samples = r->samples;
    } else if (type == SC_EVENT_MEDIA_NOTICE) {
        sc_event_set_text(&ev->media_state, r->kind == SC_MEDIA_R_TIMEOUT ? "media_timeout"
                                            : r->kind == SC_MEDIA_R_ERROR ? "media_error" : "play_done");
        if (r->text) sc_event_set_text(&ev->message, r->text);
    }
    sc_session_emit(c->s, ev);
}

void sc_call_media_notice(sc_call *c, const char *what, int status, const char *text)
{
    sc_media_report r = { .kind = SC_MEDIA_R_ERROR, .status = status, .text = text };
    (void)what; /* only media_error so far */
    sc_call_media_emit(c, SC_EVENT_MEDIA_NOTICE, &r);
}

/* The end of a call's media: its final figures and "down" go out before the
 * call's "ended" (the engine's own final reports would come after, when
 * the call is no longer there to be named). */
void sc_call_media_end(sc_call *c)
{
    sc_media_report r = { 0 };
    if (!c->media) return;
    if (sc_media_stream_get_stats(c->media, &r.stats) == SC_OK) {
        r.kind = SC_MEDIA_R_STATS;
        sc_call_media_emit(c, SC_EVENT_MEDIA_STATS, &r);
        r.kind = SC_MEDIA_R_STATE;
        r.state = "down";
        sc_call_media_emit(c, SC_EVENT_MEDIA_STATE, &r);
    }
    sc_media_stream_free(c->media);
    c->media = NULL;
}

#else /* signalling-only build: no call ever has a stream */

int sc_call_media_start(sc_call *c)
{
    (void)c;
    return sc_fail(SC_ENOTFOUND, "this libskypeconnect was built without media (SC_WITH_MEDIA=OFF)");
}
int sc_call_media_offer(sc_call *c, char **sdp_out) { *sdp_out = NULL; return sc_call_media_start(c); }
int sc_call_media_local_sdp(sc_call *c, char **sdp_out) { *sdp_out = NULL; return sc_call_media_start(c); }
int sc_call_media_reinvite(sc_call *c, const char *offer, char **sdp_out)
{
    (void)offer;
    *sdp_out = NULL;
    return sc_call_media_start(c);
}
int sc_call_media_take_answer(sc_call *c, const char *answer) { (void)answer; return sc_call_media_start(c); }
int sc_call_media_send_dtmf(sc_call *c, const char *digits) { (void)digits; return sc_call_media_start(c); }
void sc_call_media_notice(sc_call *c, const char *what, int status, const char *text)
{
    (void)c, (void)what, (void)status, (void)text;
}
void sc_call_media_end(sc_call *c) { (void)c; }

#endif
