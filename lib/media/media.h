/* The media engine: one RTP stream per call on GStreamer (rtpbin with RTCP
 * and a jitter buffer), SDP offer/answer on Sofia-SIP's SDP parser/printer.
 *
 * Internal to the library: no GStreamer or Sofia type appears here, so the
 * session layer can include it without pulling either in.
 *
 * Threads: the engine runs one media thread (its 20 ms clock pushes the
 * audio every stream sends) and GStreamer's streaming threads. Neither ever
 * calls the report callback directly: every report is posted to the
 * GMainContext given to sc_media_engine_new() and delivered there. The stream
 * functions may be called from any thread, but one stream's functions must
 * not run concurrently with its sc_media_stream_free(). */
#ifndef SC_MEDIA_H
#define SC_MEDIA_H

#include <stddef.h>
#include <stdint.h>
#include "skypeconnect/sc_common.h"

typedef struct _GMainContext sc_media_context; /* a GMainContext */

typedef struct sc_media_engine sc_media_engine;
typedef struct sc_media_stream sc_media_stream;

/** Which way audio flows, as in SDP (a=sendrecv, ...). Bit 1 = we send, bit 2 = we receive. */
typedef enum sc_media_dir {
    SC_MEDIA_INACTIVE = 0,
    SC_MEDIA_SENDONLY = 1,
    SC_MEDIA_RECVONLY = 2,
    SC_MEDIA_SENDRECV = 3
} sc_media_dir;

/** How a DTMF digit travelled. */
typedef enum sc_media_dtmf_method {
    SC_DTMF_RFC4733 = 1,
    SC_DTMF_INFO = 2,   /* SIP INFO: the session layer's, never the engine's */
    SC_DTMF_INBAND = 3
} sc_media_dtmf_method;

/** Per-stream settings (FreeSWITCH's gateway/profile parameter names in comments). */
typedef struct sc_media_config {
    const char *local_ip;   /* address bound (and written in SDP unless sdp_ip); NULL = "127.0.0.1" */
    const char *sdp_ip;     /* address written in SDP when it is not local_ip: ext-rtp-ip, or a
                             * NAT's public address; NULL = local_ip. Symmetric RTP then finds the
                             * peer from its packets, whatever the NAT did to our port. */
    int port_min;           /* rtp-start-port; 0 = 16384 */
    int port_max;           /* rtp-end-port (inclusive); 0 = 32767 */
    const char *codecs;     /* codec-prefs, e.g. "PCMU,PCMA,opus,G722"; NULL = "PCMU,PCMA" */
    int te_pt;              /* telephone-event payload type; 0 = 101; -1 = do not offer */
    int srtp;               /* 1: offer RTP/SAVP with SDES and require it in answers */
    int timeout_s;          /* rtp-timeout-sec: report after this long without RTP; 0 = off */
    int hold_timeout_s;     /* rtp-hold-timeout-sec: the same while on hold; 0 = off */
    int jitter_ms;          /* jitter buffer latency; 0 = 60 */
    int inband_dtmf;        /* 1: also detect DTMF tones in the received audio */
    int pcm_rate;           /* rate of PCM frames (callback, write, recording); 0 = 8000 */
} sc_media_config;

/** Statistics of one stream. */
typedef struct sc_rtp_stats {
    uint64_t packets_sent;
    uint64_t packets_received;   /* accepted from the latched peer */
    int64_t packets_lost;        /* RFC 3550 cumulative loss, from rtpbin */
    uint64_t packets_dropped;    /* from strangers once latched, or while not receiving */
    double jitter_ms;            /* RFC 3550 interarrival jitter */
    char codec[32];              /* "PCMU/8000" */
    char local[64];              /* "127.0.0.1:16384" */
    char remote[64];             /* where we send: the latched address, else the SDP's */
} sc_rtp_stats;

typedef enum sc_media_report_kind {
    SC_MEDIA_R_STATE = 1,     /* state: "up", "held" (not receiving or not sending), "down" */
    SC_MEDIA_R_DTMF = 2,      /* digit, method */
    SC_MEDIA_R_TIMEOUT = 3,   /* no RTP for the configured time (seconds in value) */
    SC_MEDIA_R_ERROR = 4,     /* status, text; the stream goes on */
    SC_MEDIA_R_PLAY_DONE = 5, /* a file or tone played to its end (not when stopped) */
    SC_MEDIA_R_FRAME = 6,     /* pcm, samples: 20 ms received, when frames are on */
    SC_MEDIA_R_STATS = 7      /* stats: final figures, once, when the stream is freed */
} sc_media_report_kind;

typedef struct sc_media_report {
    sc_media_report_kind kind;
    void *tag;                /* the stream's tag (e.g. the call) */
    const char *state;
    char digit;
    sc_media_dtmf_method method;
    int status;
    int value;
    const char *text;
    const int16_t *pcm;
    size_t samples;
    sc_rtp_stats stats;     /* for STATE and STATS */
} sc_media_report;

/** Called on the report context's thread only. The report is valid during the call. */
typedef void (*sc_media_report_fn)(const sc_media_report *report, void *user);

/** Initialises GStreamer (once per process) and tells whether the elements
 * media needs are installed. @return SC_OK or SC_ENOTFOUND naming the missing element. */
int sc_media_available(void);

/** Comma-separated codecs this GStreamer can carry ("PCMU,PCMA,G722,opus"), probed at run time. Static. */
const char *sc_media_codecs_available(void);

/** Starts an engine and its media thread. Reports are posted to @p ctx (a
 * GMainContext; NULL = the global default). @p destroy(user) runs after the engine is freed. */
int sc_media_engine_new(sc_media_context *ctx, sc_media_report_fn cb, void *user,
                        sc_destroy_fn destroy, sc_media_engine **out);
/** Frees every stream left and the engine; undelivered reports are dropped. */
void sc_media_engine_free(sc_media_engine *engine);

/** A stream with its RTP/RTCP ports bound from the configured range. No
 * audio flows before an offer/answer exchange completes. */
int sc_media_stream_new(sc_media_engine *engine, const sc_media_config *config, void *tag,
                        sc_media_stream **out);
/** Stops the stream, posts its final STATS and a "down" STATE, frees it. NULL is fine. */
void sc_media_stream_free(sc_media_stream *stream);

/** Builds our SDP offer (caller frees with g_free). */
int sc_media_stream_offer(sc_media_stream *stream, char **sdp_out);
/** Takes the peer's offer, starts or updates media, builds our answer (g_free).
 * SC_ENOCODEC when nothing offered is acceptable (answer 488), SC_EPARSE for malformed SDP. */
int sc_media_stream_answer(sc_media_stream *stream, const char *offer, char **sdp_out);
/** Takes the peer's answer to our last offer and starts or updates media. May
 * be called again for the same offer (183 then 200, forked answers): an
 * identical answer changes nothing. SC_ESTATE before any offer of ours. */
int sc_media_stream_set_answer(sc_media_stream *stream, const char *answer);
/** Direction we want (hold = SENDONLY); applies to the next offer or answer. */
int sc_media_stream_set_direction(sc_media_stream *stream, sc_media_dir dir);

/** Plays a file GStreamer can decode; replaces what was playing. */
int sc_media_stream_play_file(sc_media_stream *stream, const char *path, int loop);
/** Plays a sine tone of @p freq_hz for @p ms (loop: repeated after as long a silence). */
int sc_media_stream_play_tone(sc_media_stream *stream, int freq_hz, int ms, int loop);
/** Stops playing. Not an error when nothing plays. */
int sc_media_stream_stop_play(sc_media_stream *stream);
/** Records what the peer sends to a 16-bit PCM mono WAV at the PCM rate. */
int sc_media_stream_record(sc_media_stream *stream, const char *path);
/** Stops recording and finalises the WAV header. */
int sc_media_stream_stop_record(sc_media_stream *stream);
/** Sends digits by RFC 4733. SC_ESTATE when telephone-event was not negotiated. */
int sc_media_stream_send_dtmf(sc_media_stream *stream, const char *digits);
/** Turns FRAME reports (20 ms of received PCM) on or off. */
int sc_media_stream_set_frames(sc_media_stream *stream, int on);
/** Queues PCM (signed 16-bit at the PCM rate) to send, mixed with what plays. */
int sc_media_stream_write(sc_media_stream *stream, const int16_t *pcm, size_t samples);
/** Current statistics. */
int sc_media_stream_get_stats(sc_media_stream *stream, sc_rtp_stats *out);
/** Local RTP port. */
int sc_media_stream_port(const sc_media_stream *stream);

/** Looks a gateway parameter up by name; NULL when unset. */
typedef const char *(*sc_media_param_fn)(void *ctx, const char *name);
/** Settings from gateway parameters (FreeSWITCH's names: codec-prefs, rtp-ip,
 * rtp-start-port, rtp-end-port, rtp-timeout-sec, rtp-hold-timeout-sec,
 * auto-jitterbuffer-msec, rtp-secure-media, dtmf-type, rfc2833-pt, inband-dtmf).
 * The strings in @p out are the lookup's. SC_ECONFIG naming the parameter and value. */
int sc_media_config_from_params(sc_media_param_fn get, void *ctx, sc_media_config *out);

/** The command line's JSON line for a report (dtmf, media_state, media_stats,
 * media_timeout, media_error, play_done); NULL for frames. g_free() it. */
char *sc_media_report_json(const sc_media_report *report, int call_id);

/** "sendrecv", "sendonly", "recvonly", "inactive". */
const char *sc_media_dir_name(sc_media_dir dir);
/** "rfc4733", "info", "inband". */
const char *sc_media_dtmf_method_name(sc_media_dtmf_method method);

#endif
