/* One call's media: ports, the offer/answer state, and the controls the
 * session layer drives (play, record, DTMF, frames, direction, stats). */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"
#include "free_all.h"

static int valid_config(const sc_media_config *c)
{
    if (c->pcm_rate && c->pcm_rate != 8000 && c->pcm_rate != 16000 && c->pcm_rate != 48000)
        return sc_fail(SC_EINVAL, "media: pcm rate %d is not 8000, 16000 or 48000", c->pcm_rate);
    if (c->timeout_s < 0 || c->hold_timeout_s < 0)
        return sc_fail(SC_EINVAL, "media: rtp-timeout-sec and rtp-hold-timeout-sec must not be negative");
    if (c->jitter_ms < 0 || c->jitter_ms > 2000)
        return sc_fail(SC_EINVAL, "media: jitter buffer of %d ms is outside 0-2000", c->jitter_ms);
    if (c->te_pt > 127 || (c->te_pt > 0 && c->te_pt < 96))
        return sc_fail(SC_EINVAL, "media: telephone-event payload type %d is not dynamic (96-127)", c->te_pt);
    return SC_OK;
}

int sc_media_stream_new(sc_media_engine *engine, const sc_media_config *config, void *tag, sc_media_stream **out)
{
    *out = NULL;
    static const sc_media_config defaults = { 0 };
    if (!engine) return sc_fail(SC_EINVAL, "media: no engine");
    if (!config) config = &defaults;
    int rc = valid_config(config);
    if (rc) return rc;
    sc_media_stream *s = g_new0(sc_media_stream, 1);
    s->engine = engine;
    s->cfg = *config;
    s->local_ip = g_strdup(config->local_ip ? config->local_ip : "127.0.0.1");
    s->sdp_ip = g_strdup(config->sdp_ip ? config->sdp_ip : s->local_ip);
    s->codecs = g_strdup(config->codecs ? config->codecs : "PCMU,PCMA");
    s->cfg.local_ip = s->local_ip;
    s->cfg.sdp_ip = s->sdp_ip;
    s->cfg.codecs = s->codecs;
    if (!s->cfg.pcm_rate) s->cfg.pcm_rate = 8000;
    if (!s->cfg.jitter_ms) s->cfg.jitter_ms = 60;
    s->tag = tag;
    s->want_dir = SC_MEDIA_SENDRECV;
    s->frame_samples = s->cfg.pcm_rate / 50;
    s->rx_frame = g_new0(int16_t, (size_t)s->frame_samples);
    s->sdp_id = g_random_int();
    s->sdp_version = 1;
    g_mutex_init(&s->lock);
    const sc_media_codec *list[8];
    if (sc_media_codec_prefs(s->codecs, list, 8) == 0) {
        rc = sc_fail(SC_ECONFIG, "media: codec-prefs '%s' names no codec available here (have %s)", s->codecs,
                     sc_media_codecs_available());
        goto fail;
    }
    rc = sc_media_bind_pair(s->local_ip, config->port_min, config->port_max, &s->rtp_sock, &s->rtcp_sock, &s->port);
    if (rc) goto fail;
    sc_media_new_key(s->key_b64);
    sc_media_engine_add(engine, s);
    *out = s;
    return SC_OK;
fail:
    g_mutex_clear(&s->lock);
    SC_FREE_ALL(s->rx_frame, s->local_ip, s->sdp_ip, s->codecs);
    g_free(s);
    return rc;
}

static void post_state(sc_media_stream *s, const char *state)
{
    sc_media_report r = { .kind = SC_MEDIA_R_STATE, .tag = s->tag, .state = state };
    sc_media_pipeline_stats(s, &r.stats);
    sc_media_post(s->engine, &r);
}

void sc_media_stream_free(sc_media_stream *s)
{
    if (!s) return;
    sc_media_engine_remove(s->engine, s);
    if (s->negotiated) {
        sc_media_report r = { .kind = SC_MEDIA_R_STATS, .tag = s->tag };
        sc_media_pipeline_stats(s, &r.stats);
        sc_media_post(s->engine, &r);
        post_state(s, "down");
    }
    sc_media_pipeline_stop(s);
    sc_media_player_free(s->player);
    sc_media_wav_close(s->wav);
    g_clear_object(&s->rtp_sock);
    g_clear_object(&s->rtcp_sock);
    g_mutex_clear(&s->lock);
    SC_FREE_ALL(s->wq, s->rx_frame, s->local_ip, s->sdp_ip, s->codecs);
    g_free(s);
}

static int same_media(const sc_media_neg *a, const sc_media_neg *b)
{
    return a->codec == b->codec && a->pt == b->pt && a->te_pt == b->te_pt && a->srtp == b->srtp
        && !strcmp(a->rx_key_b64, b->rx_key_b64) && !strcmp(a->tx_key_b64, b->tx_key_b64);
}

/* A completed exchange: start, update in place, or rebuild when the codec or keys changed. */
static int apply(sc_media_stream *s, const sc_media_neg *in)
{
    sc_media_neg copy = *in, *neg = &copy;
    /* RFC 2543 hold ("c=IN IP4 0.0.0.0") names no address; sending there
     * would reach this very host, so the last real destination stays. */
    if (s->negotiated && (!strcmp(neg->remote_ip, "0.0.0.0") || !strcmp(neg->remote_ip, "::"))) {
        g_strlcpy(neg->remote_ip, s->neg.remote_ip, sizeof neg->remote_ip);
        neg->remote_port = s->neg.remote_port;
        neg->remote_rtcp_port = s->neg.remote_rtcp_port;
    }
    int rebuild = !s->negotiated || !same_media(&s->neg, neg) || !s->pipe;
    int moved = !rebuild && (strcmp(s->neg.remote_ip, neg->remote_ip) || s->neg.remote_port != neg->remote_port
                             || s->neg.remote_rtcp_port != neg->remote_rtcp_port);
    int turned = !rebuild && s->neg.dir != neg->dir;
    if (rebuild) sc_media_pipeline_stop(s);
    g_mutex_lock(&s->lock);
    s->neg = *neg;
    s->negotiated = 1;
    g_mutex_unlock(&s->lock);
    int rc = rebuild ? sc_media_pipeline_start(s) : SC_OK;
    if (moved) sc_media_pipeline_update(s);
    /* the same answer again (a 200 repeating the 183's SDP) changes nothing and says nothing */
    if (rc == SC_OK && (rebuild || moved || turned)) post_state(s, neg->dir == SC_MEDIA_SENDRECV ? "up" : "held");
    return rc;
}

int sc_media_stream_offer(sc_media_stream *s, char **sdp_out)
{
    if (!s || !sdp_out) return sc_fail(SC_EINVAL, "media offer: NULL argument");
    sc_media_desc d;
    sc_media_offer_desc(&s->cfg, s->sdp_ip, s->port, s->want_dir, s->key_b64, &d);
    d.session_id = s->sdp_id;
    d.session_version = s->sdp_version++;
    int rc = sc_media_sdp_write(&d, sdp_out);
    if (rc == SC_OK) {
        s->last_offer = d;
        s->have_offer = 1;
    }
    return rc;
}

int sc_media_stream_answer(sc_media_stream *s, const char *offer, char **sdp_out)
{
    if (!s || !sdp_out) return sc_fail(SC_EINVAL, "media answer: NULL argument");
    *sdp_out = NULL;
    sc_media_desc theirs, ours;
    sc_media_neg neg;
    int rc = sc_media_sdp_read(offer, &theirs);
    if (rc) return rc;
    rc = sc_media_answer_desc(&s->cfg, s->sdp_ip, s->port, s->want_dir, s->key_b64, &theirs, &ours, &neg);
    if (rc) return rc;
    ours.session_id = s->sdp_id;
    ours.session_version = s->sdp_version++;
    rc = sc_media_sdp_write(&ours, sdp_out);
    if (rc) return rc;
    s->have_offer = 0;
    rc = apply(s, &neg);
    if (rc) {
        g_free(*sdp_out);
        *sdp_out = NULL;
    }
    return rc;
}

int sc_media_stream_set_answer(sc_media_stream *s, const char *answer)
{
    if (!s) return sc_fail(SC_EINVAL, "media answer: NULL stream");
    if (!s->have_offer) return sc_fail(SC_ESTATE, "media: an SDP answer arrived but no offer of ours is pending");
    sc_media_desc theirs;
    sc_media_neg neg;
    int rc = sc_media_sdp_read(answer, &theirs);
    if (rc) return rc;
    rc = sc_media_take_answer(&s->cfg, &s->last_offer, &theirs, &neg);
    if (rc) return rc;
    /* the offer stays open: a 183's answer may be followed by the 200's (or a forked one) */
    return apply(s, &neg);
}

int sc_media_stream_set_direction(sc_media_stream *s, sc_media_dir dir)
{
    if (!s || dir < SC_MEDIA_INACTIVE || dir > SC_MEDIA_SENDRECV)
        return sc_fail(SC_EINVAL, "media: direction %d is not inactive/sendonly/recvonly/sendrecv", (int)dir);
    s->want_dir = dir;
    return SC_OK;
}

static int set_player(sc_media_stream *s, sc_media_player *p)
{
    g_mutex_lock(&s->lock);
    sc_media_player *old = s->player;
    s->player = p;
    g_mutex_unlock(&s->lock);
    sc_media_player_free(old);
    return SC_OK;
}

int sc_media_stream_play_file(sc_media_stream *s, const char *path, int loop)
{
    if (!s) return sc_fail(SC_EINVAL, "play: NULL stream");
    sc_media_player *p;
    int rc = sc_media_player_file(path, s->cfg.pcm_rate, loop, &p);
    return rc ? rc : set_player(s, p);
}

int sc_media_stream_play_tone(sc_media_stream *s, int freq_hz, int ms, int loop)
{
    if (!s) return sc_fail(SC_EINVAL, "play tone: NULL stream");
    if (freq_hz <= 0 || freq_hz >= s->cfg.pcm_rate / 2)
        return sc_fail(SC_EINVAL, "play tone: %d Hz is outside 1..%d Hz", freq_hz, s->cfg.pcm_rate / 2 - 1);
    if (ms <= 0 || ms > 3600000) return sc_fail(SC_EINVAL, "play tone: %d ms is outside 1..3600000", ms);
    return set_player(s, sc_media_player_tone(freq_hz, ms, s->cfg.pcm_rate, loop));
}

int sc_media_stream_stop_play(sc_media_stream *s)
{
    if (!s) return sc_fail(SC_EINVAL, "stop: NULL stream");
    return set_player(s, NULL);
}

int sc_media_stream_record(sc_media_stream *s, const char *path)
{
    if (!s || !path || !*path) return sc_fail(SC_EINVAL, "record: no file name");
    sc_media_wav *w;
    int rc = sc_media_wav_open(path, s->cfg.pcm_rate, &w);
    if (rc) return rc;
    g_mutex_lock(&s->lock);
    sc_media_wav *old = s->wav;
    s->wav = w;
    g_mutex_unlock(&s->lock);
    return sc_media_wav_close(old);
}

int sc_media_stream_stop_record(sc_media_stream *s)
{
    if (!s) return sc_fail(SC_EINVAL, "stop record: NULL stream");
    g_mutex_lock(&s->lock);
    sc_media_wav *old = s->wav;
    s->wav = NULL;
    g_mutex_unlock(&s->lock);
    return sc_media_wav_close(old);
}

int sc_media_stream_send_dtmf(sc_media_stream *s, const char *digits)
{
    if (!s || !digits || !*digits) return sc_fail(SC_EINVAL, "DTMF: no digits");
    for (const char *d = digits; *d; d++)
        if (!strchr("0123456789*#ABCDabcd", *d))
            return sc_fail(SC_EINVAL, "DTMF: '%c' is not a DTMF digit (0-9, *, #, A-D)", *d);
    int rc = SC_OK;
    g_mutex_lock(&s->lock);
    if (!s->negotiated || s->neg.te_pt < 0 || !s->dtmfsrc)
        rc = sc_fail(SC_ESTATE, "DTMF: telephone-event was not negotiated (send SIP INFO instead)");
    else if (strlen(s->dtmf_queue) + strlen(digits) >= sizeof s->dtmf_queue)
        rc = sc_fail(SC_EINVAL, "DTMF: at most %zu digits may wait to be sent", sizeof s->dtmf_queue - 1);
    else
        g_strlcat(s->dtmf_queue, digits, sizeof s->dtmf_queue);
    g_mutex_unlock(&s->lock);
    return rc;
}

int sc_media_stream_set_frames(sc_media_stream *s, int on)
{
    if (!s) return sc_fail(SC_EINVAL, "frames: NULL stream");
    g_mutex_lock(&s->lock);
    s->frames_on = on != 0;
    g_mutex_unlock(&s->lock);
    return SC_OK;
}

int sc_media_stream_write(sc_media_stream *s, const int16_t *pcm, size_t samples)
{
    if (!s || (!pcm && samples)) return sc_fail(SC_EINVAL, "write: NULL argument");
    /* at most 2 s queued: a writer faster than real time is told so */
    size_t cap = (size_t)s->cfg.pcm_rate * 2;
    int rc = SC_OK;
    g_mutex_lock(&s->lock);
    if (s->wq_len + samples > cap) {
        rc = sc_fail(SC_EINVAL, "write: more than 2 s of audio queued; write in real time");
    } else {
        if (s->wq_len + samples > s->wq_cap) {
            s->wq_cap = cap;
            s->wq = g_renew(int16_t, s->wq, s->wq_cap);
        }
        memcpy(s->wq + s->wq_len, pcm, samples * sizeof *pcm);
        s->wq_len += samples;
    }
    g_mutex_unlock(&s->lock);
    return rc;
}

int sc_media_stream_get_stats(sc_media_stream *s, sc_rtp_stats *out)
{
    if (!s || !out) return sc_fail(SC_EINVAL, "stats: NULL argument");
    sc_media_pipeline_stats(s, out);
    return SC_OK;
}

int sc_media_stream_port(const sc_media_stream *s)
{
    return s ? s->port : 0;
}
