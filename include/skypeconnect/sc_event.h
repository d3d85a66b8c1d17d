/**
 * @file sc_event.h
 * @brief Events a session reports: gateway state changes (more kinds come with calls).
 *
 * An ::sc_event is read-only. In a callback it is borrowed for the duration of
 * the call; from sc_session_next_event() it is the caller's, freed with
 * sc_event_free(). Getters on the wrong kind of event return 0, -1 or "".
 */
#ifndef SKYPECONNECT_SC_EVENT_H
#define SKYPECONNECT_SC_EVENT_H

#include "sc_common.h"

SC_BEGIN_DECLS

/** One event. Opaque. */
typedef struct sc_event sc_event;

/** Kinds of events. */
typedef enum sc_event_type {
    SC_EVENT_GATEWAY_STATE = 1,   /**< A gateway changed registration state or UP/DOWN status. */
    SC_EVENT_GATEWAY_REMOVED = 2, /**< A gateway was removed from the session. */
    SC_EVENT_SESSION_STOPPED = 3, /**< The session finished stopping; the last event it sends. */
    SC_EVENT_INCOMING_CALL = 4,   /**< A call came in from the trunk (sc_event_call()). */
    SC_EVENT_CALL_STATE = 5,      /**< A call changed state (sc_event_call(), sc_event_call_state()). */
    SC_EVENT_DIAL_REFUSED = 6,    /**< A dial-out was refused before any SIP was sent. */
    SC_EVENT_INBOUND_REFUSED = 7, /**< An INVITE was refused: not from the trunk, no gateway, no channel. */
    SC_EVENT_CALL_ROUTED = 8,     /**< The dialplan decided what to do with a call (sc_event_route_json()). */
    SC_EVENT_DTMF = 9,            /**< A DTMF digit arrived (sc_event_dtmf_digit(), sc_event_dtmf_method()). */
    SC_EVENT_MEDIA_STATE = 10,    /**< A call's media went "up", "held" or "down" (sc_event_media_state()). */
    SC_EVENT_MEDIA_STATS = 11,    /**< A call's media ended: its final statistics (in sc_event_to_json()). */
    SC_EVENT_MEDIA_NOTICE = 12,   /**< Media news: "media_timeout", "media_error", "play_done" (the JSON's "event"). */
    SC_EVENT_AUDIO = 13,          /**< 20 ms of received audio, when sc_call_set_audio() turned it on (sc_event_audio_pcm()). */
    SC_EVENT_DRAIN = 14,          /**< Draining began or ended, or a drain's last call ended (sc_event_draining(), sc_event_drain_calls()). */
    SC_EVENT_CALL_CONTROL = 15    /**< The outcome of a call control posted from another thread (sc_event_control(), sc_event_result()). */
} sc_event_type;

/** Registration states, with FreeSWITCH's names and meanings. */
typedef enum sc_reg_state {
    SC_REG_UNREGED = 0,    /**< Not registered; a REGISTER is about to be sent. */
    SC_REG_TRYING = 1,     /**< A REGISTER is in flight. */
    SC_REG_REGISTER = 2,   /**< The registrar accepted; becoming REGED. */
    SC_REG_REGED = 3,      /**< Registered; refreshed before it lapses. */
    SC_REG_UNREGISTER = 4, /**< An un-REGISTER is in flight. */
    SC_REG_FAILED = 5,     /**< The attempt failed (see the reason). */
    SC_REG_FAIL_WAIT = 6,  /**< Waiting to retry (see next_retry). */
    SC_REG_EXPIRED = 7,    /**< The registration lapsed without a refresh. */
    SC_REG_NOREG = 8,      /**< Not registering (register=false: IP authentication). */
    SC_REG_DOWN = 9,       /**< Unregistered on request; nothing more is sent. */
    SC_REG_TIMEOUT = 10    /**< No answer within timeout-seconds. */
} sc_reg_state;

/** A gateway's usability for calls, as FreeSWITCH's gateway status. */
typedef enum sc_gw_status {
    SC_GW_DOWN = 0,
    SC_GW_UP = 1
} sc_gw_status;

/** Why a state was entered: the class of the failure behind it, if any. */
typedef enum sc_reason {
    SC_REASON_NONE = 0,     /**< Not a failure. */
    SC_REASON_AUTH = 1,     /**< Credentials rejected (403, repeated 401/407, no usable challenge). */
    SC_REASON_TIMEOUT = 2,  /**< No answer (408, our timeout-seconds). */
    SC_REASON_NETWORK = 3,  /**< The transport failed (connection refused or reset, unreachable). */
    SC_REASON_DNS = 4,      /**< The registrar's name did not resolve. */
    SC_REASON_TLS = 5,      /**< The TLS handshake or certificate check failed. */
    SC_REASON_SERVER = 6,   /**< The registrar refused for another reason (4xx/5xx/6xx). */
    SC_REASON_CONFIG = 7,   /**< Our configuration cannot work (e.g. bad proxy URI). */
    SC_REASON_REQUEST = 8   /**< Requested by the application (register/unregister/stop). */
} sc_reason;

/** "UNREGED", "TRYING", ... (FreeSWITCH's spelling); "UNKNOWN" out of range. */
SC_API const char *sc_reg_state_name(int state);
/** "UP" or "DOWN". */
SC_API const char *sc_gw_status_name(int status);
/** "none", "auth", "timeout", "network", "dns", "tls", "server", "config", "request". */
SC_API const char *sc_reason_name(int reason);

/** The event's ::sc_event_type. */
SC_API int sc_event_type_of(const sc_event *ev);
/** Name of the event type as used in JSON: "gateway_state", "gateway_status", ... */
SC_API const char *sc_event_type_name(int type);
/** The gateway the event is about, or "". */
SC_API const char *sc_event_gateway(const sc_event *ev);
/** New registration state (::sc_reg_state), or -1. */
SC_API int sc_event_state(const sc_event *ev);
/** Previous registration state (::sc_reg_state), or -1. */
SC_API int sc_event_prev_state(const sc_event *ev);
/** Gateway status after the event (::sc_gw_status). */
SC_API int sc_event_status(const sc_event *ev);
/** SIP status code behind the event (0 when none; 408 for our own timeouts). */
SC_API int sc_event_sip_code(const sc_event *ev);
/** SIP reason phrase behind the event, or "". */
SC_API const char *sc_event_phrase(const sc_event *ev);
/** ::sc_reason class behind the event. */
SC_API int sc_event_reason(const sc_event *ev);
/** Lifetime granted by the registrar in seconds (REGED), else 0. */
SC_API int sc_event_expires(const sc_event *ev);
/** Seconds until the next retry or refresh is sent, or -1 when none is planned. */
SC_API int sc_event_next_retry(const sc_event *ev);
/** Consecutive failures so far (0 after a success). */
SC_API int sc_event_failures(const sc_event *ev);
/**
 * The call an ::SC_EVENT_INCOMING_CALL, ::SC_EVENT_CALL_STATE,
 * ::SC_EVENT_CALL_CONTROL or media event is about, borrowed for the event's lifetime (sc_call_ref() to keep it); NULL
 * for other events. The type is declared in sc_call.h.
 */
SC_API struct sc_call *sc_event_call(const sc_event *ev);
/** The call's id, or 0. */
SC_API int sc_event_call_id(const sc_event *ev);
/** The call's new ::sc_call_state (::SC_EVENT_CALL_STATE), or -1. */
SC_API int sc_event_call_state(const sc_event *ev);
/** Q.850 cause name of an ended call, or "". */
SC_API const char *sc_event_cause(const sc_event *ev);
/** The number of a refused dial-out or inbound call, or "". */
SC_API const char *sc_event_number(const sc_event *ev);
/** Why it was refused: ::sc_dial_refusal name for dial_refused ("emergency", ...), or for inbound_refused "not_trunk", "no_gateway", "channels", "stopping". */
SC_API const char *sc_event_refusal(const sc_event *ev);
/** A sentence explaining a refusal or a failed call control, or "". */
SC_API const char *sc_event_message(const sc_event *ev);
/** Source address of a refused inbound INVITE, or "". */
SC_API const char *sc_event_source(const sc_event *ev);
/** The dialplan context of an ::SC_EVENT_CALL_ROUTED event, or "". */
SC_API const char *sc_event_context(const sc_event *ev);
/** The routing decision of an ::SC_EVENT_CALL_ROUTED event as JSON (see sc_route_to_json()), or "". */
SC_API const char *sc_event_route_json(const sc_event *ev);

/** Whether the session drains, for an ::SC_EVENT_DRAIN event: 1 draining, 0 not (any other event: -1). */
SC_API int sc_event_draining(const sc_event *ev);
/** The calls still in progress when an ::SC_EVENT_DRAIN event was made (0: a
 * drain is complete, the instance may stop without dropping a call); any other event: -1. */
SC_API int sc_event_drain_calls(const sc_event *ev);

/** The digit of an ::SC_EVENT_DTMF event ("5", "#"), or "". */
SC_API const char *sc_event_dtmf_digit(const sc_event *ev);
/** How the digit came: "rfc4733", "info" or "inband"; "" for other events. */
SC_API const char *sc_event_dtmf_method(const sc_event *ev);
/** The state of an ::SC_EVENT_MEDIA_STATE event ("up", "held", "down"), or the
 * event name of an ::SC_EVENT_MEDIA_NOTICE ("media_timeout", "media_error",
 * "play_done"); "" for other events. */
SC_API const char *sc_event_media_state(const sc_event *ev);

/** The control an ::SC_EVENT_CALL_CONTROL event reports: the public
 * function's name ("sc_call_answer", "sc_call_hangup", "sc_session_dial",
 * ...); "" for other events. */
SC_API const char *sc_event_control(const sc_event *ev);
/** The outcome of an ::SC_EVENT_CALL_CONTROL event: ::SC_OK, or the
 * negative ::sc_status the function would have returned on the stack's
 * thread (sc_event_message() says why); 0 for other events. */
SC_API int sc_event_result(const sc_event *ev);

/** The PCM of an ::SC_EVENT_AUDIO event: signed 16-bit mono at 8 kHz, valid as long as the event; else NULL. */
SC_API const short *sc_event_audio_pcm(const sc_event *ev);
/** How many samples sc_event_audio_pcm() holds (160 for 20 ms); 0 for other events. */
SC_API size_t sc_event_audio_samples(const sc_event *ev);

/** Wall-clock time of the event, microseconds since the Unix epoch. */
SC_API long long sc_event_time_us(const sc_event *ev);

/**
 * The event as one line of JSON (no newline), e.g.
 * {"event":"gateway_state","gateway":"skype","state":"REGED","prev":"TRYING","status":"UP",
 *  "sip_code":200,"phrase":"OK","reason":"none","expires":3600,"next_retry":1785,"failures":0}
 * Caller frees with sc_free(). NULL only on ::SC_ENOMEM or a NULL event.
 */
SC_API char *sc_event_to_json(const sc_event *ev);

/**
 * @p s as a JSON string literal, quotes included, whatever bytes it holds:
 * quotes, backslashes and control bytes are escaped and invalid UTF-8
 * becomes U+FFFD, exactly as in sc_event_to_json(). For applications that
 * print their own JSON next to the library's. NULL is the empty string.
 * Caller frees with sc_free(). Never NULL (GLib aborts when memory runs out).
 */
SC_API char *sc_json_quote(const char *s);

/** One readable line describing the event. Caller frees with sc_free(). */
SC_API char *sc_event_to_text(const sc_event *ev);

/** A copy of an event (free with sc_event_free()), or NULL. */
SC_API sc_event *sc_event_copy(const sc_event *ev);

/** Frees an event the caller owns. NULL is fine. */
SC_API void sc_event_free(sc_event *ev);

SC_END_DECLS

#endif
