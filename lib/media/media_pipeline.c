/* One stream's pipeline, built after an offer/answer exchange:
 *
 *   appsrc (PCM, pushed by the media clock) ! audioconvert ! audioresample ! enc ! pay
 *       ! rtpdtmfmux (+ rtpdtmfsrc for RFC 4733) ! rtpbin.send_rtp_sink_0
 *   rtpbin.send_rtp_src_0 ! udpsink     rtpbin.send_rtcp_src_0 ! udpsink
 *   udpsrc ! rtpbin.recv_rtp_sink_0     udpsrc ! rtpbin.recv_rtcp_sink_0
 *   rtpbin.recv_rtp_src_* ! (media_rx.c)
 *
 * udpsrc and udpsink share our sockets (media_ports.c); SRTP sits inside
 * rtpbin through its request-*-encoder/decoder signals. */
#include <stdio.h>
#include <string.h>
#include <gst/app/gstappsrc.h>
#include <gst/net/gstnetaddressmeta.h>
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
                                   8000, "encoding-name", G_TYPE_STRING, "TELEPHONE-EVENT", "payload", G_TYPE_INT,
                                   pt, NULL);
    return NULL;
}

static GstCaps *on_pt_map(GstElement *rtpbin, guint session, guint pt, gpointer user)
{
    (void)rtpbin;
    (void)session;
    return rtp_caps(user, (int)pt);
}

static GstBuffer *key_buffer(const char *b64)
{
    gsize len = 0;
    guchar *raw = g_base64_decode(b64, &len);
    return gst_buffer_new_wrapped(raw, len);
}

/* ---- SRTP inside rtpbin ----
 * rtpbin looks for the encoder's rtp_src_N pad before it requests
 * rtp_sink_N, so the sink pad is requested here, as the signal is answered.
 * One srtpenc serves RTP and RTCP; rtpbin gets a reference each time. */
static GstElement *encoder_with_pad(sc_media_stream *s, guint session, const char *kind)
{
    if (!s->srtpenc) {
        GstElement *enc = gst_element_factory_make("srtpenc", NULL);
        if (!enc) return NULL;
        s->srtpenc = gst_object_ref_sink(enc);
        GstBuffer *key = key_buffer(s->neg.tx_key_b64);
        g_object_set(enc, "key", key, NULL);
        gst_buffer_unref(key);
        gst_util_set_object_arg(G_OBJECT(enc), "rtp-cipher", "aes-128-icm");
        gst_util_set_object_arg(G_OBJECT(enc), "rtp-auth", "hmac-sha1-80");
        gst_util_set_object_arg(G_OBJECT(enc), "rtcp-cipher", "aes-128-icm");
        gst_util_set_object_arg(G_OBJECT(enc), "rtcp-auth", "hmac-sha1-80");
    }
    char name[32];
    g_snprintf(name, sizeof name, "%s_sink_%u", kind, session);
    GstPad *pad = gst_element_request_pad_simple(s->srtpenc, name);
    if (pad) gst_object_unref(pad);
    return gst_object_ref(s->srtpenc);
}

static GstElement *on_rtp_encoder(GstElement *rtpbin, guint session, gpointer user)
{
    (void)rtpbin;
    return encoder_with_pad(user, session, "rtp");
}

static GstElement *on_rtcp_encoder(GstElement *rtpbin, guint session, gpointer user)
{
    (void)rtpbin;
    return encoder_with_pad(user, session, "rtcp");
}

static GstCaps *on_request_key(GstElement *dec, guint ssrc, gpointer user)
{
    (void)dec;
    (void)ssrc;
    sc_media_stream *s = user;
    GstBuffer *key = key_buffer(s->neg.rx_key_b64);
    GstCaps *caps = gst_caps_new_simple("application/x-srtp", "srtp-key", GST_TYPE_BUFFER, key,
                                        "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                                        "srtp-auth", G_TYPE_STRING, "hmac-sha1-80",
                                        "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                                        "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80", NULL);
    gst_buffer_unref(key);
    return caps;
}

static GstElement *on_decoder(GstElement *rtpbin, guint session, gpointer user)
{
    (void)rtpbin;
    (void)session;
    sc_media_stream *s = user;
    if (!s->srtpdec) {
        GstElement *dec = gst_element_factory_make("srtpdec", NULL);
        if (!dec) return NULL;
        s->srtpdec = gst_object_ref_sink(dec);
        g_signal_connect(dec, "request-key", G_CALLBACK(on_request_key), s);
    }
    return gst_object_ref(s->srtpdec);
}

/* ---- symmetric RTP: latch onto the peer's source address, drop strangers ---- */
static int same_addr(GInetSocketAddress *a, GInetSocketAddress *b)
{
    return g_inet_socket_address_get_port(a) == g_inet_socket_address_get_port(b)
        && g_inet_address_equal(g_inet_socket_address_get_address(a), g_inet_socket_address_get_address(b));
}

static GstPadProbeReturn latch(sc_media_stream *s, GstBuffer *buf, int rtcp)
{
    GstNetAddressMeta *meta = gst_buffer_get_net_address_meta(buf);
    if (!meta || !G_IS_INET_SOCKET_ADDRESS(meta->addr)) return GST_PAD_PROBE_OK;
    GInetSocketAddress *from = G_INET_SOCKET_ADDRESS(meta->addr);
    GInetSocketAddress **latched = rtcp ? &s->latched_rtcp : &s->latched_rtp;
    GstElement *sink = NULL;
    char *ip = NULL;
    int port = 0, drop = 0;
    g_mutex_lock(&s->lock);
    if (!*latched) {
        *latched = g_object_ref(from);
        sink = rtcp ? s->rtcp_sink : s->rtp_sink;
        if (sink) gst_object_ref(sink);
        ip = g_inet_address_to_string(g_inet_socket_address_get_address(from));
        port = g_inet_socket_address_get_port(from);
    } else if (!same_addr(*latched, from)) {
        drop = 1;
    }
    int receiving = (s->neg.dir & SC_MEDIA_RECVONLY) != 0;
    g_mutex_unlock(&s->lock);
    if (sink) {
        /* FreeSWITCH's auto-adjust: answer to where the packets really come from (NAT). */
        g_object_set(sink, "host", ip, "port", port, NULL);
        if (!rtcp) SC_LOGI("media: RTP from %s:%d; sending there", ip, port);
        gst_object_unref(sink);
    }
    g_free(ip);
    if (drop) {
        __atomic_fetch_add(&s->dropped, 1, __ATOMIC_RELAXED);
        return GST_PAD_PROBE_DROP;
    }
    if (rtcp) return GST_PAD_PROBE_OK;
    __atomic_store_n(&s->last_rx_us, g_get_monotonic_time(), __ATOMIC_RELAXED);
    if (!receiving) {
        __atomic_fetch_add(&s->dropped, 1, __ATOMIC_RELAXED);
        return GST_PAD_PROBE_DROP;
    }
    __atomic_fetch_add(&s->rx_packets, 1, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn rtp_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    return latch(user, GST_PAD_PROBE_INFO_BUFFER(info), 0);
}

static GstPadProbeReturn rtcp_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    return latch(user, GST_PAD_PROBE_INFO_BUFFER(info), 1);
}

static GstPadProbeReturn rtp_out(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    (void)info;
    sc_media_stream *s = user;
    __atomic_fetch_add(&s->tx_packets, 1, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_OK;
}

/* ---- bus: DTMF and errors, turned into reports on the streaming thread ---- */
static char digit_of(int number)
{
    static const char digits[] = "0123456789*#ABCD";
    return number >= 0 && number < 16 ? digits[number] : '\0';
}

static GstBusSyncReply on_bus(GstBus *bus, GstMessage *m, gpointer user)
{
    (void)bus;
    sc_media_stream *s = user;
    sc_media_report r = { .tag = s->tag };
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT) {
        const GstStructure *st = gst_message_get_structure(m);
        int number = -1;
        if (!st || !gst_structure_has_name(st, "dtmf-event") || !gst_structure_get_int(st, "number", &number))
            return GST_BUS_DROP;
        const char *src = GST_MESSAGE_SRC_NAME(m);
        r.kind = SC_MEDIA_R_DTMF;
        r.digit = digit_of(number);
        r.method = src && !strcmp(src, "sc-dtmfdetect") ? SC_DTMF_INBAND : SC_DTMF_RFC4733;
        if (!r.digit) return GST_BUS_DROP;
        gint64 now = g_get_monotonic_time();
        if (r.method == SC_DTMF_RFC4733) {
            __atomic_store_n(&s->last_rfc4733_us, now, __ATOMIC_RELAXED);
        } else if (now - __atomic_load_n(&s->last_rfc4733_us, __ATOMIC_RELAXED) < 1000000) {
            return GST_BUS_DROP;  /* the same key heard twice: the event already counted */
        }
        sc_media_post(s->engine, &r);
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        char text[256];
        g_snprintf(text, sizeof text, "media: %s: %s", GST_MESSAGE_SRC_NAME(m), err ? err->message : "error");
        g_clear_error(&err);
        r.kind = SC_MEDIA_R_ERROR;
        r.status = SC_EIO;
        r.text = text;
        SC_LOGW("%s", text);
        sc_media_post(s->engine, &r);
    }
    return GST_BUS_DROP;
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
    GstElement *rtpbin, *src, *conv, *res, *caps, *enc, *pay, *mux, *dtmf = NULL, *rtp_snk, *rtcp_snk, *rtp_src,
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
        g_signal_connect(rtpbin, "request-rtp-encoder", G_CALLBACK(on_rtp_encoder), s);
        g_signal_connect(rtpbin, "request-rtcp-encoder", G_CALLBACK(on_rtcp_encoder), s);
        g_signal_connect(rtpbin, "request-rtp-decoder", G_CALLBACK(on_decoder), s);
        g_signal_connect(rtpbin, "request-rtcp-decoder", G_CALLBACK(on_decoder), s);
    }
    s->pipe = pipe;

    /* send */
    MAKE(src, "appsrc", NULL);
    GstCaps *pcm = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT,
                                       s->cfg.pcm_rate, "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING,
                                       "interleaved", NULL);
    g_object_set(src, "caps", pcm, "format", GST_FORMAT_TIME, "is-live", TRUE, "do-timestamp", FALSE, NULL);
    gst_caps_unref(pcm);
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
    if (!gst_element_link_many(src, conv, res, caps, enc, pay, NULL) || !link_pads(pay, "src", mux, "sink_%u"))
        goto link_fail;
    if (n->te_pt >= 0) {
        MAKE(dtmf, "rtpdtmfsrc", NULL);
        g_object_set(dtmf, "pt", (guint)n->te_pt, "clock-rate", 8000u, NULL);
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
    GstPad *p = gst_element_get_static_pad(rtp_src, "src");
    gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, rtp_in, s, NULL);
    gst_object_unref(p);
    p = gst_element_get_static_pad(rtcp_src, "src");
    gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, rtcp_in, s, NULL);
    gst_object_unref(p);
    p = gst_element_get_static_pad(rtp_snk, "sink");
    gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, rtp_out, s, NULL);
    gst_object_unref(p);
    if (sc_media_rx_build(s) != SC_OK) goto link_fail;

    GstBus *bus = gst_element_get_bus(pipe);
    gst_bus_set_sync_handler(bus, on_bus, s, NULL);
    gst_object_unref(bus);

    g_mutex_lock(&s->lock);
    s->rtpbin = rtpbin;
    s->appsrc = src;
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
    if (s->srtpenc) gst_clear_object(&s->srtpenc);
    if (s->srtpdec) gst_clear_object(&s->srtpdec);
    if (missing) return sc_fail(SC_ENOTFOUND, "media: GStreamer element '%s' is not installed", missing);
    return sc_fail(SC_EINTERNAL, "media: could not link the %s pipeline", n->codec->name);
}

void sc_media_pipeline_stop(sc_media_stream *s)
{
    g_mutex_lock(&s->lock);
    GstElement *pipe = s->pipe;
    s->pipe = s->rtpbin = s->appsrc = s->dtmfsrc = s->rtp_sink = s->rtcp_sink = NULL;
    s->rx_linked = NULL;
    g_clear_object(&s->latched_rtp);
    g_clear_object(&s->latched_rtcp);
    g_mutex_unlock(&s->lock);
    if (!pipe) return;
    /* no stream lock held here: streaming threads take it while draining */
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
    if (s->srtpenc) gst_clear_object(&s->srtpenc);
    if (s->srtpdec) gst_clear_object(&s->srtpdec);
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

void sc_media_pipeline_stats(sc_media_stream *s, sc_media_stats *st)
{
    memset(st, 0, sizeof *st);
    st->packets_sent = __atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED);
    st->packets_received = __atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED);
    st->packets_dropped = __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
    g_snprintf(st->local, sizeof st->local, "%s:%d", s->local_ip, s->port);
    g_mutex_lock(&s->lock);
    GstElement *rtpbin = s->rtpbin ? gst_object_ref(s->rtpbin) : NULL;
    if (s->negotiated) {
        g_snprintf(st->codec, sizeof st->codec, "%s/%d", s->neg.codec->name, s->neg.codec->clock_rate);
        if (s->latched_rtp) {
            char *ip = g_inet_address_to_string(g_inet_socket_address_get_address(s->latched_rtp));
            g_snprintf(st->remote, sizeof st->remote, "%s:%u", ip, g_inet_socket_address_get_port(s->latched_rtp));
            g_free(ip);
        } else {
            g_snprintf(st->remote, sizeof st->remote, "%s:%d", s->neg.remote_ip, s->neg.remote_port);
        }
    }
    int clock = s->negotiated ? s->neg.codec->clock_rate : 8000;
    g_mutex_unlock(&s->lock);
    if (!rtpbin) return;
    GObject *session = NULL;
    g_signal_emit_by_name(rtpbin, "get-internal-session", 0u, &session);
    gst_object_unref(rtpbin);
    if (!session) return;
    GstStructure *stats = NULL;
    g_object_get(session, "stats", &stats, NULL);
    g_object_unref(session);
    if (!stats) return;
    const GValue *v = gst_structure_get_value(stats, "source-stats");
    /* The peer's source with the most packets received carries loss and jitter. */
    guint64 best = 0;
    if (v && G_VALUE_HOLDS_BOXED(v)) {
        G_GNUC_BEGIN_IGNORE_DEPRECATIONS
        GValueArray *arr = g_value_get_boxed(v);
        for (guint i = 0; arr && i < arr->n_values; i++) {
            const GstStructure *src = gst_value_get_structure(g_value_array_get_nth(arr, i));
            gboolean internal = FALSE;
            guint64 received = 0;
            gst_structure_get_boolean(src, "internal", &internal);
            gst_structure_get_uint64(src, "packets-received", &received);
            if (internal || received < best) continue;
            best = received;
            gint lost = 0;
            guint jitter = 0;
            gst_structure_get_int(src, "packets-lost", &lost);
            gst_structure_get_uint(src, "jitter", &jitter);
            /* RFC 3550 lets duplicates make it negative; a report of loss does not */
            st->packets_lost = lost > 0 ? lost : 0;
            st->jitter_ms = jitter * 1000.0 / clock;
        }
        G_GNUC_END_IGNORE_DEPRECATIONS
    }
    gst_structure_free(stats);
}
