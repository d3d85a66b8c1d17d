/* What a stream plays: a file decoded by a pipeline of its own (decodebin,
 * so any format GStreamer reads), pulled 20 ms at a time by the media clock,
 * or a generated tone. A file that fails to decode ends only this player:
 * the call's RTP pipeline never sees the error. */
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <gst/app/gstappsink.h>
#include "media_priv.h"
#include "error_priv.h"

enum { PLAY_FILE, PLAY_TONE };

struct sc_media_player {
    int kind;
    int loop;
    /* tone */
    double phase, step;
    size_t on_samples, pos;
    /* file */
    char *path;
    GstElement *pipe, *convert;
    GstAppSink *sink;
    int16_t *buf;
    size_t buf_len, buf_off;
    uint64_t since_seek;
};

static inline int16_t sat_add(int16_t a, int16_t b)
{
    int v = (int)a + (int)b;
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

sc_media_player *sc_media_player_tone(int freq_hz, int ms, int rate, int loop)
{
    sc_media_player *p = g_new0(sc_media_player, 1);
    p->kind = PLAY_TONE;
    p->loop = loop;
    p->step = 2.0 * G_PI * freq_hz / rate;
    p->on_samples = (size_t)rate * (size_t)ms / 1000;
    return p;
}

static void on_decoded_pad(GstElement *decodebin, GstPad *pad, gpointer user)
{
    (void)decodebin;
    GstElement *convert = user;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) caps = gst_pad_query_caps(pad, NULL);
    const GstStructure *st = gst_caps_get_structure(caps, 0);
    gboolean audio = st && g_str_has_prefix(gst_structure_get_name(st), "audio/");
    gst_caps_unref(caps);
    GstPad *sinkpad = gst_element_get_static_pad(convert, "sink");
    /* only the first audio stream of the file plays */
    if (audio && !gst_pad_is_linked(sinkpad)) gst_pad_link(pad, sinkpad);
    gst_object_unref(sinkpad);
}

int sc_media_player_file(const char *path, int rate, int loop, sc_media_player **out)
{
    *out = NULL;
    if (!path || !*path) return sc_fail(SC_EINVAL, "play: no file name");
    if (access(path, R_OK) != 0)
        return sc_fail(SC_EIO, "play: cannot read '%s': %s", path, g_strerror(errno));
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        return sc_fail(SC_EIO, "play: '%s' is a directory", path);
    GstElement *pipe = gst_pipeline_new("sc-play");
    GstElement *src = gst_element_factory_make("filesrc", NULL);
    GstElement *dec = gst_element_factory_make("decodebin", NULL);
    GstElement *conv = gst_element_factory_make("audioconvert", NULL);
    GstElement *res = gst_element_factory_make("audioresample", NULL);
    GstElement *caps = gst_element_factory_make("capsfilter", NULL);
    GstElement *sink = gst_element_factory_make("appsink", NULL);
    if (!pipe || !src || !dec || !conv || !res || !caps || !sink) {
        if (pipe) gst_object_unref(pipe);
        return sc_fail(SC_ENOTFOUND, "play: filesrc/decodebin/audioconvert/audioresample/appsink not installed");
    }
    GstCaps *c = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT, rate,
                                     "channels", G_TYPE_INT, 1, "layout", G_TYPE_STRING, "interleaved", NULL);
    g_object_set(caps, "caps", c, NULL);
    gst_caps_unref(c);
    g_object_set(src, "location", path, NULL);
    /* bounded read-ahead: the clock pulls 20 ms at a time */
    g_object_set(sink, "sync", FALSE, "max-buffers", 8, "emit-signals", FALSE, NULL);
    gst_bin_add_many(GST_BIN(pipe), src, dec, conv, res, caps, sink, NULL);
    gst_element_link(src, dec);
    gst_element_link_many(conv, res, caps, sink, NULL);
    g_signal_connect(dec, "pad-added", G_CALLBACK(on_decoded_pad), conv);

    sc_media_player *p = g_new0(sc_media_player, 1);
    p->kind = PLAY_FILE;
    p->loop = loop;
    p->path = g_strdup(path);
    p->pipe = pipe;
    p->convert = conv;
    p->sink = GST_APP_SINK(sink);
    if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        sc_media_player_free(p);
        return sc_fail(SC_EIO, "play: cannot start decoding '%s'", path);
    }
    *out = p;
    return SC_OK;
}

static int mix_tone(sc_media_player *p, int16_t *mix, size_t n)
{
    size_t period = p->loop ? 2 * p->on_samples : p->on_samples;
    for (size_t i = 0; i < n; i++, p->pos++) {
        if (p->pos >= period) {
            if (!p->loop) return 0;
            p->pos = 0;
        }
        if (p->pos < p->on_samples) {
            mix[i] = sat_add(mix[i], (int16_t)(13000.0 * sin(p->phase)));
            p->phase += p->step;
            if (p->phase > 2 * G_PI) p->phase -= 2 * G_PI;
        }
    }
    return p->pos < period || p->loop;
}

/* Why the decoder stopped, if it did. Every other message is discarded, so
 * a file looping for hours does not pile messages up on its bus. */
static int bus_error(sc_media_player *p, char *text, size_t size)
{
    GstBus *bus = gst_element_get_bus(p->pipe);
    GstMessage *m;
    int failed = 0;
    while (!failed && (m = gst_bus_pop(bus))) {
        if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
            GError *err = NULL;
            gst_message_parse_error(m, &err, NULL);
            g_snprintf(text, size, "play '%s': %s", p->path, err ? err->message : "decoding failed");
            g_clear_error(&err);
            failed = 1;
        }
        gst_message_unref(m);
    }
    gst_object_unref(bus);
    return failed;
}

static int mix_file(sc_media_player *p, int16_t *mix, size_t n, char *text, size_t size)
{
    size_t done = 0;
    while (done < n) {
        if (p->buf_off < p->buf_len) {
            size_t k = MIN(n - done, p->buf_len - p->buf_off);
            for (size_t i = 0; i < k; i++) mix[done + i] = sat_add(mix[done + i], p->buf[p->buf_off + i]);
            p->buf_off += k;
            done += k;
            continue;
        }
        if (bus_error(p, text, size)) return -1;
        GstSample *s = gst_app_sink_try_pull_sample(p->sink, 0);
        if (s) {
            GstBuffer *b = gst_sample_get_buffer(s);
            GstMapInfo mi;
            if (b && gst_buffer_map(b, &mi, GST_MAP_READ)) {
                p->buf_len = mi.size / 2;
                p->buf = g_realloc(p->buf, MAX(p->buf_len, 1) * 2);
                memcpy(p->buf, mi.data, p->buf_len * 2);
                p->buf_off = 0;
                p->since_seek += p->buf_len;
                gst_buffer_unmap(b, &mi);
            }
            gst_sample_unref(s);
            continue;
        }
        if (!gst_app_sink_is_eos(p->sink)) return 1;   /* decoder not ready: silence this frame */
        if (!p->loop || p->since_seek == 0) return 0;
        p->since_seek = 0;
        if (!gst_element_seek_simple(p->pipe, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, 0)) {
            g_snprintf(text, size, "play '%s': cannot loop (seek failed)", p->path);
            return -1;
        }
        return 1;
    }
    return 1;
}

int sc_media_player_mix(sc_media_player *p, int16_t *mix, size_t n, char *text, size_t text_size)
{
    return p->kind == PLAY_TONE ? mix_tone(p, mix, n) : mix_file(p, mix, n, text, text_size);
}

void sc_media_player_free(sc_media_player *p)
{
    if (!p) return;
    if (p->pipe) {
        gst_element_set_state(p->pipe, GST_STATE_NULL);
        gst_object_unref(p->pipe);
    }
    g_free(p->buf);
    g_free(p->path);
    g_free(p);
}
