/* One stream's pipeline, built after an offer/answer exchange:
 *
 *   [feed pad: PCM pushed by the media clock] ! audioconvert ! audioresample ! enc ! pay
 *       ! rtpdtmfmux (+ rtpdtmfsrc for RFC 4733) ! rtpbin.send_rtp_sink_0
 *   rtpbin.send_rtp_src_0 ! udpsink     rtpbin.send_rtcp_src_0 ! udpsink
 *   udpsrc ! rtpbin.recv_rtp_sink_0     udpsrc ! rtpbin.recv_rtcp_sink_0
 *   rtpbin.recv_rtp_src_* ! (media_rx.c)
 *
 * udpsrc and udpsink share our sockets (media_ports.c); SRTP sits inside
 * rtpbin through its request-*-encoder/decoder signals. */
#include <stdio.h>
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

static GstCaps *rtp_caps(const sc_media_stream *s, int pt)
{
    const sc_media_neg *n = &s->neg;
    if (pt == n->pt)
        return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "clock-rate", G_TYPE_INT,
                                   n->codec->clock_rate, "encoding-name", G_TYPE_STRING, n->codec->name[0] == 'o'
                                   ? "OPUS" : n->codec->name, "payload", G_TYPE_INT, pt, NULL);
    if (pt == n->te_pt)
        return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio", "clock-rate", G_TYPE_INT,
                                   n->codec->clock_rate, "encoding-name", G_TYPE_STRING, "TELEPHONE-EVENT",
                                   "payload", G_TYPE_INT, pt, NULL);
    return NULL;
}

static GstCaps *on_pt_map(GstElement *rtpbin, guint session, guint pt, gpointer user)
{
    (void)rtpbin;
    (void)session;
    return rtp_caps(user, (int)pt);
}

/* ---- the send side's source: a pad of ours ----
 * The media thread pushes each frame through encoder, payloader, rtpbin and
 * udpsink itself: no appsrc queue and no extra thread (and wake-up) per
 * stream, which is most of the cost at a few hundred calls. */
static gboolean feed_query(GstPad *pad, GstObject *parent, GstQuery *q)
{
    if (GST_QUERY_TYPE(q) == GST_QUERY_LATENCY) {
        gst_query_set_latency(q, TRUE, 0, GST_CLOCK_TIME_NONE);   /* live, as the clock pushes in real time */
        return TRUE;
    }
    return gst_pad_query_default(pad, parent, q);
}

static GstPad *feed_pad(sc_media_stream *s, GstElement *first)
{
    GstPad *feed = gst_object_ref_sink(gst_pad_new("sc-feed", GST_PAD_SRC));
    gst_pad_set_query_function(feed, feed_query);
    gst_pad_set_active(feed, TRUE);
    GstPad *in = gst_element_get_static_pad(first, "sink");
    GstPadLinkReturn linked = gst_pad_link(feed, in);
    gst_object_unref(in);
    if (linked != GST_PAD_LINK_OK) {
        gst_object_unref(feed);
        return NULL;
    }
    /* sticky: kept on our pad and sent along with the first buffer */
    char id[32];
    g_snprintf(id, sizeof id, "sc-media-%d", s->port);
    gst_pad_push_event(feed, gst_event_new_stream_start(id));
    GstCaps *pcm = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT,
                                       s->cfg.pcm_rate, "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING,
                                       "interleaved", NULL);
    gst_pad_push_event(feed, gst_event_new_caps(pcm));
    gst_caps_unref(pcm);
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    gst_pad_push_event(feed, gst_event_new_segment(&seg));
    return feed;
}

/* ---- building ---- */
#define MAKE(var, factory, name) do { var = gst_element_factory_make(factory, name); \
    if (!var) { missing = factory; goto fail; } gst_bin_add(GST_BIN(pipe), var); } while (0)

static GstElement *udp_sink(GSocket *sock, const char *host, int port)
{
    GstElement *e = gst_element_factory_make("udpsink", NULL);
    if (e) g_object_set(e, "socket", sock, "close-socket", FALSE, "host", host, "port", port, "sync", FALSE,
                        "async", FALSE, NULL);
    return e;
}

static GstElement *udp_src(GSocket *sock, GstCaps *caps)
{
    GstElement *e = gst_element_factory_make("udpsrc", NULL);
    if (e) g_object_set(e, "socket", sock, "close-socket", FALSE, "caps", caps, NULL);
    gst_caps_unref(caps);
    return e;
}

static int link_pads(GstElement *a, const char *pa, GstElement *b, const char *pb)
{
    GstPad *src = gst_element_get_static_pad(a, pa);
    if (!src) src = gst_element_request_pad_simple(a, pa);
    GstPad *sink = gst_element_get_static_pad(b, pb);
    if (!sink) sink = gst_element_request_pad_simple(b, pb);
    int ok = src && sink && gst_pad_link(src, sink) == GST_PAD_LINK_OK;
    if (src) gst_object_unref(src);
    if (sink) gst_object_unref(sink);
    return ok;
}

int sc_media_pipeline_start(sc_media_stream *s)
{
    const sc_media_neg *n = &s->neg;
    const char *missing = NULL;
    GstElement *pipe = gst_pipeline_new("sc-media");
    GstElement *rtpbin, *conv, *res, *caps, *enc, *pay, *mux, *dtmf = NULL, *rtp_snk, *rtcp_snk, *rtp_src,
               *rtcp_src;
    MAKE(rtpbin, "rtpbin", NULL);
    g_object_set(rtpbin, "latency", (guint)s->cfg.jitter_ms, "do-lost", TRUE, NULL);
    g_signal_connect(rtpbin, "request-pt-map", G_CALLBACK(on_pt_map), s);
    g_signal_connect(rtpbin, "pad-added", G_CALLBACK(sc_media_rx_pad_added), s);
    if (n->srtp) {
        if (!sc_media_element_exists("srtpenc") || !sc_media_element_exists("srtpdec")) {
            missing = "srtpenc/srtpdec (gstreamer1.0-plugins-bad)";
            goto fail;
        }
        sc_media_srtp_attach(s, rtpbin);
    }
    s->pipe = pipe;

    /* send */
    MAKE(conv, "audioconvert", NULL);
    MAKE(res, "audioresample", NULL);
    MAKE(caps, "capsfilter", NULL);
    GstCaps *ec = gst_caps_new_simple("audio/x-raw", "rate", G_TYPE_INT, n->codec->audio_rate, "channels",
                                      G_TYPE_INT, 1, NULL);
    g_object_set(caps, "caps", ec, NULL);
    gst_caps_unref(ec);
    MAKE(enc, n->codec->enc, NULL);
    MAKE(pay, n->codec->pay, NULL);
    g_object_set(pay, "pt", (guint)n->pt, NULL);
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(pay), "max-ptime"))
        g_object_set(pay, "min-ptime", (gint64)20 * GST_MSECOND, "max-ptime", (gint64)20 * GST_MSECOND, NULL);
    MAKE(mux, "rtpdtmfmux", NULL);
    if (!gst_element_link_many(conv, res, caps, enc, pay, NULL) || !link_pads(pay, "src", mux, "sink_%u"))
        goto link_fail;
    if (n->te_pt >= 0) {
        MAKE(dtmf, "rtpdtmfsrc", NULL);
        g_object_set(dtmf, "pt", (guint)n->te_pt, "clock-rate", (guint)n->codec->clock_rate, NULL);
        if (!link_pads(dtmf, "src", mux, "priority_sink_%u")) goto link_fail;
    }
    if (!link_pads(mux, "src", rtpbin, "send_rtp_sink_0")) goto link_fail;
    rtp_snk = udp_sink(s->rtp_sock, n->remote_ip, n->remote_port);
    rtcp_snk = udp_sink(s->rtcp_sock, n->remote_ip, n->remote_rtcp_port);
    if (!rtp_snk || !rtcp_snk) {
        missing = "udpsink";
        goto fail;
    }
    gst_bin_add_many(GST_BIN(pipe), rtp_snk, rtcp_snk, NULL);
    if (!link_pads(rtpbin, "send_rtp_src_0", rtp_snk, "sink") || !link_pads(rtpbin, "send_rtcp_src_0", rtcp_snk, "sink"))
        goto link_fail;

    /* receive */
    GstCaps *rc = rtp_caps(s, n->pt);
    if (n->srtp) gst_structure_set_name(gst_caps_get_structure(rc, 0), "application/x-srtp");
    rtp_src = udp_src(s->rtp_sock, rc);
    rtcp_src = udp_src(s->rtcp_sock, gst_caps_new_empty_simple(n->srtp ? "application/x-srtcp" : "application/x-rtcp"));
    if (!rtp_src || !rtcp_src) {
        missing = "udpsrc";
        goto fail;
    }
    gst_bin_add_many(GST_BIN(pipe), rtp_src, rtcp_src, NULL);
    if (!link_pads(rtp_src, "src", rtpbin, "recv_rtp_sink_0") || !link_pads(rtcp_src, "src", rtpbin, "recv_rtcp_sink_0"))
        goto link_fail;
    sc_media_latch_attach(s, rtp_src, rtcp_src, rtp_snk);
    if (sc_media_rx_build(s) != SC_OK) goto link_fail;

    sc_media_bus_attach(s, pipe);
    GstPad *feed = feed_pad(s, conv);
    if (!feed) goto link_fail;

    g_mutex_lock(&s->lock);
    s->rtpbin = rtpbin;
    s->feed = feed;
    s->dtmfsrc = dtmf;
    s->rtp_sink = rtp_snk;
    s->rtcp_sink = rtcp_snk;
    s->frames_pushed = 0;
    s->tx_start_us = 0;
    s->dtmf_phase = SC_DTMF_IDLE;
    s->last_rx_us = g_get_monotonic_time();
    g_mutex_unlock(&s->lock);
    if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        sc_media_pipeline_stop(s);
        return sc_fail(SC_EIO, "media: the RTP pipeline did not start");
    }
    return SC_OK;

link_fail:
    missing = NULL;
fail:
    s->pipe = NULL;
    gst_object_unref(pipe);
    sc_media_srtp_release(s);
    if (missing) return sc_fail(SC_ENOTFOUND, "media: GStreamer element '%s' is not installed", missing);
    return sc_fail(SC_EINTERNAL, "media: could not link the %s pipeline", n->codec->name);
}

void sc_media_pipeline_stop(sc_media_stream *s)
{
    g_mutex_lock(&s->lock);
    GstElement *pipe = s->pipe;
    GstPad *feed = s->feed;
    s->feed = NULL;
    s->pipe = s->rtpbin = s->dtmfsrc = s->rtp_sink = s->rtcp_sink = NULL;
    s->rx_linked = NULL;
    g_clear_object(&s->latched_rtp);
    g_clear_object(&s->latched_rtcp);
    g_mutex_unlock(&s->lock);
    /* no stream lock held here: streaming threads take it while draining */
    if (pipe) gst_element_set_state(pipe, GST_STATE_NULL);
    if (feed) {
        /* peers do not hold references: unlink before our pad goes */
        GstPad *peer = gst_pad_get_peer(feed);
        if (peer) {
            gst_pad_unlink(feed, peer);
            gst_object_unref(peer);
        }
        gst_pad_set_active(feed, FALSE);
        gst_object_unref(feed);
    }
    if (!pipe) return;
    gst_object_unref(pipe);
    sc_media_srtp_release(s);
}

void sc_media_pipeline_update(sc_media_stream *s)
{
    g_mutex_lock(&s->lock);
    GstElement *rtp = s->rtp_sink ? gst_object_ref(s->rtp_sink) : NULL;
    GstElement *rtcp = s->rtcp_sink ? gst_object_ref(s->rtcp_sink) : NULL;
    /* a new address from the peer: latch again on its next packet */
    g_clear_object(&s->latched_rtp);
    g_clear_object(&s->latched_rtcp);
    s->last_rx_us = g_get_monotonic_time();
    s->timed_out = 0;
    g_mutex_unlock(&s->lock);
    if (rtp) {
        g_object_set(rtp, "host", s->neg.remote_ip, "port", s->neg.remote_port, NULL);
        gst_object_unref(rtp);
    }
    if (rtcp) {
        g_object_set(rtcp, "host", s->neg.remote_ip, "port", s->neg.remote_rtcp_port, NULL);
        gst_object_unref(rtcp);
    }
}

