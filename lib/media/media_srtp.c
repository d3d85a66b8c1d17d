/* SRTP (SDES keys, AES_CM_128_HMAC_SHA1_80) inside rtpbin: srtpenc and
 * srtpdec handed over through rtpbin's request-*-encoder/decoder signals. */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

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

void sc_media_srtp_attach(sc_media_stream *s, GstElement *rtpbin)
{
    g_signal_connect(rtpbin, "request-rtp-encoder", G_CALLBACK(on_rtp_encoder), s);
    g_signal_connect(rtpbin, "request-rtcp-encoder", G_CALLBACK(on_rtcp_encoder), s);
    g_signal_connect(rtpbin, "request-rtp-decoder", G_CALLBACK(on_decoder), s);
    g_signal_connect(rtpbin, "request-rtcp-decoder", G_CALLBACK(on_decoder), s);
}

void sc_media_srtp_release(sc_media_stream *s)
{
    if (s->srtpenc) gst_clear_object(&s->srtpenc);
    if (s->srtpdec) gst_clear_object(&s->srtpdec);
}
