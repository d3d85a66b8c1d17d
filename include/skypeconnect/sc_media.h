/**
 * @file sc_media.h
 * @brief Calls with audio: the library does the SDP offer/answer and runs
 * the RTP itself (GStreamer), so an application can play, record and hear
 * DTMF without writing SDP.
 *
 * A call has media only when asked: the session is started with
 * sc_session_set_media(s, 1), and the call is answered with
 * sc_call_answer_media() or dialled with sc_session_dial_media(). Calls
 * answered or dialled with the application's own SDP (sc_call_answer(),
 * sc_session_dial()) keep working exactly as before, and dialplan bridges
 * pass SDP through untouched (media flows end to end, as FreeSWITCH's
 * `bypass_media`).
 *
 * Codecs, ports, timeouts and SRTP come from the gateway's parameters, with
 * FreeSWITCH's names: `codec-prefs`, `rtp-ip`, `rtp-start-port`,
 * `rtp-end-port`, `rtp-timeout-sec`, `rtp-hold-timeout-sec`,
 * `auto-jitterbuffer-msec`, `rtp-secure-media`, `dtmf-type`, `rfc2833-pt`,
 * `inband-dtmf` (docs/media.md).
 *
 * Media news arrives as events through the session's usual delivery, never
 * from a media thread: ::SC_EVENT_DTMF, ::SC_EVENT_MEDIA_STATE,
 * ::SC_EVENT_MEDIA_STATS (when a call's media ends, before its "ended"
 * state) and ::SC_EVENT_MEDIA_NOTICE (media_timeout, media_error,
 * play_done). A media timeout hangs the call up with cause MEDIA_TIMEOUT.
 *
 * Every function may be called from any thread. As the controls of
 * sc_call.h, those that act on a call do not wait for the stack's thread
 * when called on another one: they check their arguments and the call's
 * state there, post the work and return; its outcome is an
 * ::SC_EVENT_CALL_CONTROL event. sc_call_stop_media(), sc_call_set_audio(),
 * sc_call_media_stats() and sc_call_media_stats_json() wait (a file to
 * finish, a call without media to refuse at once, figures to return).
 * A library built without media (SC_WITH_MEDIA=OFF) has them all; they
 * fail with ::SC_ENOTFOUND.
 */
#ifndef SKYPECONNECT_SC_MEDIA_H
#define SKYPECONNECT_SC_MEDIA_H

#include "sc_common.h"
#include "sc_call.h"   /* sc_call and sc_session, each declared once (C99) */

SC_BEGIN_DECLS

/** 1 when this library was built with media and GStreamer has the elements it needs, else 0. */
SC_API int sc_media_supported(void);

/**
 * Lets calls of this session have media (before sc_session_start()). The
 * media engine starts with the session. ::SC_ENOTFOUND when the library was
 * built without media; the start fails when GStreamer lacks an element.
 */
SC_API int sc_session_set_media(sc_session *s, int on);

/**
 * Inbound: answers (200 OK) with the library's own SDP and starts media.
 * With an SDP offer in the INVITE, it is answered (first codec of the
 * gateway's `codec-prefs` that the offer has); without one, the 200 carries
 * our offer and the ACK the answer. When nothing offered is acceptable the
 * call is rejected with 488 and this returns ::SC_ENOCODEC (::SC_EPARSE for
 * a malformed offer), the reason in sc_last_error().
 */
SC_API int sc_call_answer_media(sc_call *call);

/**
 * Inbound: sends 183 Session Progress with the library's SDP (early media):
 * what sc_call_play() plays reaches the caller before the answer. A later
 * sc_call_answer_media() answers with the same SDP. Errors as sc_call_answer_media().
 */
SC_API int sc_call_progress_media(sc_call *call);

/**
 * Dials like sc_session_dial(), with the library's SDP offer; media starts
 * with the first 18x or 2xx carrying an answer. An answer with no codec we
 * offered hangs the call up (cause INCOMPATIBLE_DESTINATION) with a
 * media_error event.
 */
SC_API int sc_session_dial_media(sc_session *s, const char *gateway, const char *number,
                                 const char *caller_number, const char *caller_name, sc_call **out);

/**
 * Plays a file (any format GStreamer decodes) to the far end, once or
 * looping; replaces what was playing. A file that cannot be opened is
 * ::SC_EIO with the reason, and the call goes on. A play_done notice
 * follows when it ends by itself.
 */
SC_API int sc_call_play(sc_call *call, const char *path, int loop);

/** Plays a sine tone of @p hz (50..4000) for @p ms (20..600000), once or looping (after as long a silence). */
SC_API int sc_call_play_tone(sc_call *call, int hz, int ms, int loop);

/**
 * Puts the call on hold (re-INVITE offering sendonly: we stop hearing the
 * far end, it stops sending) or takes it off hold (sendrecv). The
 * media_state event says "held" or "up" once the peer answered. A refusal
 * of the re-INVITE leaves the call up with the media it had (a media_error
 * notice says so). ::SC_ESTATE while a re-INVITE is in progress.
 */
SC_API int sc_call_hold(sc_call *call, int on);

/** Records what the far end sends to a 16-bit PCM mono WAV file (8 kHz), until stopped or the call ends. */
SC_API int sc_call_record(sc_call *call, const char *path);

/** Stops playing and recording (finishing the WAV file: complete when this returns). Not an error when nothing plays. */
SC_API int sc_call_stop_media(sc_call *call);

/**
 * Turns ::SC_EVENT_AUDIO events on or off: every 20 ms of audio the far end
 * sends, as signed 16-bit mono PCM at 8 kHz (speech bots, analysis). They
 * come through the session's usual delivery; a slow application only
 * delays its own events.
 */
SC_API int sc_call_set_audio(sc_call *call, int on);

/**
 * Queues audio to send: signed 16-bit mono PCM at 8 kHz (160 samples are
 * 20 ms), mixed with what plays. At most 10 s may wait at once.
 */
SC_API int sc_call_write_audio(sc_call *call, const short *pcm, size_t samples);

/**
 * The call's media statistics as one JSON object: packets_sent,
 * packets_received, packets_lost, packets_dropped, jitter_ms, codec, local,
 * remote. sc_free() it. NULL with ::SC_ESTATE when the call has no media.
 */
SC_API char *sc_call_media_stats_json(sc_call *call);

/**
 * A call's media statistics, filled by sc_call_media_stats(). The caller
 * owns it and sets @c size to `sizeof(sc_media_stats)` first: fields added
 * in later versions go at the end, and the library fills only what @c size
 * holds (an application built against an older header keeps working).
 */
typedef struct sc_media_stats {
    size_t size;                          /**< in: sizeof(sc_media_stats) */
    unsigned long long packets_sent;      /**< RTP packets we sent */
    unsigned long long packets_received;  /**< accepted from the peer */
    long long packets_lost;               /**< RFC 3550 cumulative loss (negative with duplicates) */
    unsigned long long packets_dropped;   /**< from strangers once the peer is known, or while not receiving */
    double jitter_ms;                     /**< RFC 3550 interarrival jitter, milliseconds */
    char codec[32];                       /**< "PCMU/8000"; "" before the offer/answer completes */
    char local[64];                       /**< our RTP address, "127.0.0.1:16384" */
    char remote[64];                      /**< where we send: the peer's latched address, else its SDP's */
} sc_media_stats;

/**
 * Fills @p out with the call's media statistics now (the same figures as
 * sc_call_media_stats_json() and the media_stats event). On success
 * `out->size` says how much was filled (this version's size).
 * @return ::SC_OK; ::SC_EINVAL when @p call or @p out is NULL or
 * `out->size` is smaller than this version's first struct (the message
 * names the size); ::SC_ESTATE when the call has no media or has ended;
 * ::SC_ENOTFOUND in a library built without media.
 */
SC_API int sc_call_media_stats(sc_call *call, sc_media_stats *out);

SC_END_DECLS

#endif
