/* The receive side: rtpbin hands out one pad per SSRC and payload type.
 * The codec's pad feeds depay ! decoder ! PCM at the frame rate (! dtmfdetect)
 * ! appsink, whose samples become 20 ms frames for the recording and the
 * frame reports; telephone-event pads feed rtpdtmfdepay, whose "dtmf-event"
 * messages the bus handler turns into DTMF reports. */
#include <stdio.h>
#include <string.h>
#include <gst/app/gstappsink.h>
#include "media_priv.h"
#include "error_priv.h"

static void frames_in(sc_media_stream *s, const int16_t *pcm, size_t n)
{
    size_t fs = (size_t)s->frame_samples;
    while (n) {
        size_t k = MIN(n, fs - s->rx_fill);
        memcpy(s->rx_frame + s->rx_fill, pcm, k * sizeof *pcm);
        s->rx_fill += k;
        pcm += k;
        n -= k;
        if (s->rx_fill < fs) break;
        s->rx_fill = 0;
        if (s->wav && sc_media_wav_write(s->wav, s->rx_frame, fs) != SC_OK) {
            sc_media_report r = { .kind = SC_MEDIA_R_ERROR, .tag = s->tag, .status = SC_EIO,
                                  .text = "record: write failed (disk full?); recording stopped" };
            sc_media_post(s->engine, &r);
            sc_media_wav_close(s->wav);
            s->wav = NULL;
        }
        if (s->frames_on) {
            sc_media_report r = { .kind = SC_MEDIA_R_FRAME, .tag = s->tag, .pcm = s->rx_frame, .samples = fs };
            sc_media_post(s->engine, &r);
        }
    }
}

static GstFlowReturn on_sample(GstAppSink *sink, gpointer user)
{
    sc_media_stream *s = user;
    GstSample *sample = gst_app_sink_pull_sample(sink);
    if (!sample) return GST_FLOW_EOS;
    GstBuffer *b = gst_sample_get_buffer(sample);
    GstMapInfo mi;
    if (b && gst_buffer_map(b, &mi, GST_MAP_READ)) {
        g_mutex_lock(&s->lock);
        frames_in(s, (const int16_t *)mi.data, mi.size / 2);
        g_mutex_unlock(&s->lock);
        gst_buffer_unmap(b, &mi);
    }
    gst_sample_unref(sample);
    return GST_FLOW_OK;
}

#define ADD(var, factory, name) do { var = gst_element_factory_make(factory, name); \
    if (!var) { SC_LOGW("media: element '%s' missing", factory); gst_object_unref(bin); return SC_ENOTFOUND; } \
    gst_bin_add(GST_BIN(bin), var); } while (0)

int sc_media_rx_build(sc_media_stream *s)
{
    /* No packet-loss concealment for G.711: spanplc (spandsp 0.0.6) copies
     * overlapping memory in plc_fillin (AddressSanitizer: memcpy-param-overlap). */
    GstElement *bin = gst_bin_new("sc-rx"), *depay, *dec, *conv, *res, *caps, *detect = NULL, *sink;
    ADD(depay, s->neg.codec->depay, NULL);
    ADD(dec, s->neg.codec->dec, NULL);
    ADD(conv, "audioconvert", NULL);
    ADD(res, "audioresample", NULL);
    ADD(caps, "capsfilter", NULL);
    GstCaps *pcm = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT,
                                       s->cfg.pcm_rate, "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING,
                                       "interleaved", NULL);
    g_object_set(caps, "caps", pcm, NULL);
    gst_caps_unref(pcm);
    /* dtmfdetect (spandsp, plugins-bad) works on 8 kHz only */
    if (s->cfg.inband_dtmf && s->cfg.pcm_rate == 8000 && sc_media_element_exists("dtmfdetect"))
        ADD(detect, "dtmfdetect", "sc-dtmfdetect");
    ADD(sink, "appsink", NULL);
    g_object_set(sink, "sync", FALSE, "async", FALSE, "emit-signals", FALSE, "max-buffers", 50, "drop", TRUE, NULL);
    GstAppSinkCallbacks cbs = { .new_sample = on_sample };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, s, NULL);
    gboolean ok = gst_element_link_many(depay, dec, conv, res, caps, NULL)
        && (detect ? gst_element_link_many(caps, detect, sink, NULL) : gst_element_link(caps, sink));
    if (!ok) {
        gst_object_unref(bin);
        return SC_EINTERNAL;
    }
    GstPad *in = gst_element_get_static_pad(depay, "sink");
    gst_element_add_pad(bin, gst_ghost_pad_new("sink", in));
    gst_object_unref(in);
    gst_bin_add(GST_BIN(s->pipe), bin);
    s->rx_bin = bin;
    return SC_OK;
}

static void add_dtmf_depay(sc_media_stream *s, GstPad *pad)
{
    GstElement *depay = gst_element_factory_make("rtpdtmfdepay", NULL);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    if (!depay || !sink) {
        if (depay) gst_object_unref(depay);
        if (sink) gst_object_unref(sink);
        return;
    }
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add_many(GST_BIN(s->pipe), depay, sink, NULL);
    gst_element_link(depay, sink);
    gst_element_sync_state_with_parent(sink);
    gst_element_sync_state_with_parent(depay);
    GstPad *in = gst_element_get_static_pad(depay, "sink");
    gst_pad_link(pad, in);
    gst_object_unref(in);
}

void sc_media_rx_pad_added(GstElement *rtpbin, GstPad *pad, gpointer user)
{
    (void)rtpbin;
    sc_media_stream *s = user;
    unsigned session, ssrc, pt;
    if (sscanf(GST_PAD_NAME(pad), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3) return;
    if ((int)pt == s->neg.te_pt) {
        add_dtmf_depay(s, pad);
        return;
    }
    if ((int)pt != s->neg.pt || !s->rx_bin) return;
    /* The newest SSRC wins: a peer that restarts its stream (or a media
     * server taking over) keeps being heard. */
    GstPad *in = gst_element_get_static_pad(s->rx_bin, "sink");
    GstPad *old = gst_pad_get_peer(in);
    if (old) {
        gst_pad_unlink(old, in);
        gst_object_unref(old);
    }
    if (gst_pad_link(pad, in) != GST_PAD_LINK_OK) SC_LOGW("media: could not link %s", GST_PAD_NAME(pad));
    gst_object_unref(in);
    g_mutex_lock(&s->lock);
    s->rx_linked = pad;
    g_mutex_unlock(&s->lock);
}
