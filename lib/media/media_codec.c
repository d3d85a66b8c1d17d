/* The codecs media can carry, and which of them this GStreamer has: the
 * optional ones (G.722 from gstreamer1.0-libav, Opus) are probed at run time
 * so a missing plugin means "not offered", never a crash. */
#include <string.h>
#include <strings.h>
#include "media_priv.h"
#include "error_priv.h"

static const sc_media_codec codecs[] = {
    { "PCMU", 0, 0, 8000, 0, 8000, "mulawenc", "rtppcmupay", "rtppcmudepay", "mulawdec" },
    { "PCMA", 8, 8, 8000, 0, 8000, "alawenc", "rtppcmapay", "rtppcmadepay", "alawdec" },
    /* G.722's RTP clock is 8000 by RFC 3551's historical error; it samples at 16 kHz. */
    { "G722", 9, 9, 8000, 0, 16000, "avenc_g722", "rtpg722pay", "rtpg722depay", "avdec_g722" },
    { "opus", -1, 111, 48000, 2, 48000, "opusenc", "rtpopuspay", "rtpopusdepay", "opusdec" },
};

/* Elements every stream needs, whatever the codec. */
static const char *const required[] = {
    "rtpbin", "udpsrc", "udpsink", "appsink", "audioconvert", "audioresample",
    "capsfilter", "rtpdtmfsrc", "rtpdtmfdepay", "rtpdtmfmux", "fakesink", NULL
};

int sc_media_element_exists(const char *factory)
{
    GstElementFactory *f = gst_element_factory_find(factory);
    if (!f) return 0;
    gst_object_unref(f);
    return 1;
}

static gsize init_once;
static char available[64];

static void init_gst(void)
{
    if (g_once_init_enter(&init_once)) {
        gst_init(NULL, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(codecs); i++) {
            if (!sc_media_codec_usable(&codecs[i])) continue;
            if (available[0]) g_strlcat(available, ",", sizeof available);
            g_strlcat(available, codecs[i].name, sizeof available);
        }
        g_once_init_leave(&init_once, 1);
    }
}

int sc_media_available(void)
{
    init_gst();
    for (int i = 0; required[i]; i++)
        if (!sc_media_element_exists(required[i]))
            return sc_fail(SC_ENOTFOUND, "media: GStreamer element '%s' is not installed", required[i]);
    if (!available[0])
        return sc_fail(SC_ENOTFOUND, "media: no audio codec installed (need mulawenc/rtppcmupay)");
    return SC_OK;
}

const char *sc_media_codecs_available(void)
{
    init_gst();
    return available;
}

int sc_media_codec_usable(const sc_media_codec *c)
{
    return sc_media_element_exists(c->enc) && sc_media_element_exists(c->pay)
        && sc_media_element_exists(c->depay) && sc_media_element_exists(c->dec);
}

const sc_media_codec *sc_media_codec_find(const char *name, int clock_rate)
{
    init_gst();
    for (size_t i = 0; i < G_N_ELEMENTS(codecs); i++) {
        if (strcasecmp(codecs[i].name, name)) continue;
        if (clock_rate && clock_rate != codecs[i].clock_rate) continue;
        return sc_media_codec_usable(&codecs[i]) ? &codecs[i] : NULL;
    }
    return NULL;
}

int sc_media_codec_prefs(const char *prefs, const sc_media_codec **out, int max)
{
    int n = 0;
    char **names = g_strsplit(prefs && *prefs ? prefs : "PCMU,PCMA", ",", -1);
    for (int i = 0; names[i] && n < max; i++) {
        /* FreeSWITCH writes "PCMU@20i" or "opus@48000h@20i": the name is the part before '@'. */
        char *at = strchr(names[i], '@');
        if (at) *at = '\0';
        g_strstrip(names[i]);
        const sc_media_codec *c = sc_media_codec_find(names[i], 0);
        if (!c) {
            if (*names[i]) SC_LOGI("media: codec '%s' in codec-prefs is not available here; skipped", names[i]);
            continue;
        }
        int dup = 0;
        for (int j = 0; j < n; j++) dup |= out[j] == c;
        if (!dup) out[n++] = c;
    }
    g_strfreev(names);
    return n;
}

const char *sc_media_dir_name(sc_media_dir dir)
{
    switch (dir) {
    case SC_MEDIA_INACTIVE: return "inactive";
    case SC_MEDIA_SENDONLY: return "sendonly";
    case SC_MEDIA_RECVONLY: return "recvonly";
    case SC_MEDIA_SENDRECV: return "sendrecv";
    }
    return "?";
}

const char *sc_media_dtmf_method_name(sc_media_dtmf_method m)
{
    switch (m) {
    case SC_DTMF_RFC4733: return "rfc4733";
    case SC_DTMF_INFO: return "info";
    case SC_DTMF_INBAND: return "inband";
    }
    return "?";
}
