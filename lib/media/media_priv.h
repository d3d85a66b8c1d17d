/* Shared between the media engine's files; GStreamer types allowed here. */
#ifndef SC_MEDIA_PRIV_H
#define SC_MEDIA_PRIV_H

#include <gst/gst.h>
#include <gio/gio.h>
#include "media.h"

/* ---- codecs (media_codec.c) ---- */
typedef struct sc_media_codec {
    const char *name;        /* SDP encoding name */
    int static_pt;           /* -1: dynamic */
    int dyn_pt;              /* payload type we offer when dynamic */
    int clock_rate;          /* RTP clock rate */
    int channels;            /* SDP channel count (0: not written) */
    int audio_rate;          /* the encoder's sample rate */
    const char *enc, *pay, *depay, *dec;
} sc_media_codec;

/* The codec by SDP name (case-insensitive) and RTP clock rate (0 = any), if GStreamer has it. */
const sc_media_codec *sc_media_codec_find(const char *name, int clock_rate);
/* Whether every element of a codec is installed (probed once). */
int sc_media_codec_usable(const sc_media_codec *c);
int sc_media_element_exists(const char *factory);

/* ---- SDP descriptions (media_sdp.c): Sofia's parser/printer on one side,
 * plain C structs for the negotiation on the other. ---- */
#define SC_MEDIA_MAX_FMT 24
#define SC_MEDIA_MAX_CRYPTO 6
typedef struct sc_media_fmt {
    int pt;
    char name[32];
    int rate;
    int channels;
} sc_media_fmt;

typedef struct sc_media_crypto {
    int tag;
    char suite[40];
    char key_b64[64];        /* the inline: key without lifetime/MKI */
} sc_media_crypto;

typedef struct sc_media_desc {
    char ip[64];
    int port;
    int rtcp_port;           /* a=rtcp, else port + 1 */
    int savp;                /* RTP/SAVP */
    sc_media_dir dir;
    int ptime;
    int nfmt;
    sc_media_fmt fmt[SC_MEDIA_MAX_FMT];
    int ncrypto;
    sc_media_crypto crypto[SC_MEDIA_MAX_CRYPTO];
    int other_media;         /* m-lines besides the first audio one (answered with port 0) */
    char other_mlines[4][96];
    uint64_t session_id, session_version;
} sc_media_desc;

/* Parses the first audio m-line of an SDP. SC_EPARSE (with the parser's
 * words) for malformed text, SC_ENOCODEC when there is no usable audio. */
int sc_media_sdp_read(const char *text, sc_media_desc *out);
/* Prints a description (one audio m-line, plus rejected copies of others). */
int sc_media_sdp_write(const sc_media_desc *d, char **out);

/* ---- negotiation (media_negotiate.c) ---- */
typedef struct sc_media_neg {
    const sc_media_codec *codec;
    int pt;
    int te_pt;               /* -1: no telephone-event */
    sc_media_dir dir;        /* ours */
    int srtp;
    int crypto_tag;
    char tx_key_b64[64];     /* our key (in our SDP) */
    char rx_key_b64[64];     /* the peer's */
    char remote_ip[64];
    int remote_port, remote_rtcp_port;
} sc_media_neg;

/* Fills our offer from the config. */
void sc_media_offer_desc(const sc_media_config *cfg, const char *ip, int port, sc_media_dir dir,
                         const char *key_b64, sc_media_desc *offer);
/* Answers a peer's offer: picks the codec by our preference, the direction, the crypto. */
int sc_media_answer_desc(const sc_media_config *cfg, const char *ip, int port, sc_media_dir want,
                         const char *key_b64, const sc_media_desc *offer, sc_media_desc *answer,
                         sc_media_neg *neg);
/* Reads the peer's answer to our offer. */
int sc_media_take_answer(const sc_media_config *cfg, const sc_media_desc *offer,
                         const sc_media_desc *answer, sc_media_neg *neg);
/* Codec list from codec-prefs, filtered by what is installed; returns the count. */
int sc_media_codec_prefs(const char *prefs, const sc_media_codec **out, int max);
/* 30 random bytes (AES-CM-128 key and salt) in base64. */
void sc_media_new_key(char out[64]);

/* ---- ports (media_ports.c) ---- */
/* Binds an even RTP port and the next odd one for RTCP inside [min, max]. */
int sc_media_bind_pair(const char *ip, int min, int max, GSocket **rtp, GSocket **rtcp, int *port);

/* ---- WAV writer (media_wav.c) ---- */
typedef struct sc_media_wav sc_media_wav;
int sc_media_wav_open(const char *path, int rate, sc_media_wav **out);
int sc_media_wav_write(sc_media_wav *w, const int16_t *pcm, size_t samples);
/* Writes the final sizes into the header and closes. NULL is fine. */
int sc_media_wav_close(sc_media_wav *w);

/* ---- what plays (media_play.c): a file decoded by its own pipeline, or a tone ---- */
typedef struct sc_media_player sc_media_player;
int sc_media_player_file(const char *path, int rate, int loop, sc_media_player **out);
sc_media_player *sc_media_player_tone(int freq_hz, int ms, int rate, int loop);
/* Mixes the next @p n samples into @p mix. Returns 1 while playing, 0 at the
 * end, negative on a decoding error (text set to the reason). */
int sc_media_player_mix(sc_media_player *p, int16_t *mix, size_t n, char *text, size_t text_size);
void sc_media_player_free(sc_media_player *p);

/* ---- the engine (media_engine.c) ---- */
typedef struct sc_media_sink sc_media_sink;
struct sc_media_engine {
    GMainContext *report_ctx;
    sc_media_sink *sink;
    GMainContext *ctx;   /* the media thread's */
    GMainLoop *loop;
    GThread *thread;
    GMutex lock;         /* guards streams */
    GList *streams;      /* what the clock serves */
};

/* ---- reports (media_reports.c) ---- */
sc_media_sink *sc_media_sink_new(sc_media_report_fn cb, void *user, sc_destroy_fn destroy);
/* Late reports become no-ops; the sink's destroy runs when the last is gone. */
void sc_media_sink_close(sc_media_sink *k);
void sc_media_post(sc_media_engine *e, const sc_media_report *r);

/* ---- one stream ---- */
enum { SC_DTMF_IDLE, SC_DTMF_ON, SC_DTMF_GAP };

struct sc_media_stream {
    sc_media_engine *engine;
    sc_media_config cfg;
    char *local_ip, *sdp_ip, *codecs;
    void *tag;
    GMutex lock;

    GSocket *rtp_sock, *rtcp_sock;
    int port;
    char key_b64[64];         /* our SRTP key for the whole stream */
    sc_media_dir want_dir;
    sc_media_desc last_offer; /* ours, until answered */
    int have_offer;
    uint64_t sdp_version;
    uint64_t sdp_id;

    sc_media_neg neg;
    int negotiated;

    /* the pipeline */
    GstElement *pipe, *rtpbin, *rtp_sink, *rtcp_sink, *dtmfsrc, *rx_bin;
    GstPad *feed;             /* ours, linked to audioconvert: the media thread pushes here */
    GstElement *srtpenc, *srtpdec;   /* our references, handed to rtpbin for RTP and RTCP */
    GstPad *rx_linked;        /* rtpbin pad feeding the audio receive chain */
    int frame_samples;
    uint64_t frames_pushed;
    gint64 tx_start_us;
    guint64 pts_base;

    /* symmetric RTP (streaming threads) */
    GInetSocketAddress *latched_rtp, *latched_rtcp;
    gint64 last_rx_us;
    int timed_out;
    uint64_t rx_packets, tx_packets, dropped;

    /* send side (media thread under lock) */
    sc_media_player *player;
    int16_t *wq;              /* written by the application */
    size_t wq_len, wq_cap;
    char dtmf_queue[65];
    size_t dtmf_pos;
    int dtmf_phase;
    gint64 dtmf_until_us;

    /* receive side (streaming thread under lock) */
    int16_t *rx_frame;
    size_t rx_fill;
    sc_media_wav *wav;
    int frames_on;
    gint64 last_rfc4733_us;
    char last_rfc4733_digit;
};

/* media_pipeline.c */
int sc_media_pipeline_start(sc_media_stream *s);
void sc_media_pipeline_stop(sc_media_stream *s);
/* New peer address or direction without rebuilding. */
void sc_media_pipeline_update(sc_media_stream *s);
void sc_media_pipeline_stats(sc_media_stream *s, sc_rtp_stats *st);
/* media_srtp.c: srtpenc/srtpdec through rtpbin's signals; release drops our references */
void sc_media_srtp_attach(sc_media_stream *s, GstElement *rtpbin);
void sc_media_srtp_release(sc_media_stream *s);
/* media_latch.c: symmetric RTP, counters, last packet time */
void sc_media_latch_attach(sc_media_stream *s, GstElement *rtp_src, GstElement *rtcp_src, GstElement *rtp_sink);
/* media_bus.c: DTMF messages and errors into reports */
void sc_media_bus_attach(sc_media_stream *s, GstElement *pipe);
/* media_rx.c: the receive chain (depay ! dec ! PCM ! appsink) and rtpbin's new pads */
int sc_media_rx_build(sc_media_stream *s);
void sc_media_rx_pad_added(GstElement *rtpbin, GstPad *pad, gpointer user);
/* media_tx.c: called by the media thread's clock for each stream */
void sc_media_tx_tick(sc_media_stream *s, gint64 now_us);
/* media_clock.c: the media thread's tick and the list of streams it serves */
gboolean sc_media_clock_tick(gpointer engine);
void sc_media_engine_add(sc_media_engine *e, sc_media_stream *s);
void sc_media_engine_remove(sc_media_engine *e, sc_media_stream *s);

#endif
