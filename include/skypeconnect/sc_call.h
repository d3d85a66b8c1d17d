/**
 * @file sc_call.h
 * @brief Calls through a trunk: inbound calls handed to the application, and
 * dial-outs checked against the gateway's dial rule.
 *
 * A call is a refcounted handle. The session keeps a reference while the call
 * lives; an event about a call lends one for the callback's duration
 * (sc_event_call()); sc_call_ref() keeps it longer. Every function may be
 * called from any thread. Once a call has ended, control functions return
 * ::SC_ESTATE and getters keep answering.
 *
 * Control functions (answer, reject, redirect, ring, early media, hangup,
 * DTMF, and those of sc_media.h but sc_call_media_stats_json() and
 * sc_call_stop_media(), which wait for their result) never wait
 * for the stack's thread. On it (an event callback in SC_DISPATCH_THREAD
 * mode) they run at once and return their outcome. On another thread they
 * check what can be checked there, with the same status and text as on the
 * stack's thread: the arguments, and the call's state as the caller's
 * thread knows it (ended or hung up, not inbound, taken by the dialplan,
 * answered or rejected already: a second answer, or an answer after a
 * posted rejection, is refused at once; a second hangup does nothing). Then
 * they post the work and return ::SC_OK; the work runs on the stack's
 * thread in the order posted, and its outcome, success or failure (the call
 * ended meanwhile, no media for a hold), arrives as an
 * ::SC_EVENT_CALL_CONTROL event naming the function (sc_event_control())
 * with its status (sc_event_result()) and the reason (sc_event_message()).
 * Controls run at once send no such event.
 *
 * With the functions here, media is the application's: it passes its SDP
 * (offer or answer) as text and receives the peer's; the library never
 * rewrites either. For the library's own media (RTP, play, record, DTMF
 * events) see sc_media.h.
 */
#ifndef SKYPECONNECT_SC_CALL_H
#define SKYPECONNECT_SC_CALL_H

#include "sc_common.h"

SC_BEGIN_DECLS

/* sc_session.h declares it too; C99 forbids a typedef twice, so one guard. */
#ifndef SC_SESSION_TYPEDEF
#define SC_SESSION_TYPEDEF
typedef struct sc_session sc_session;
#endif

/** A call. Opaque, refcounted. */
typedef struct sc_call sc_call;

/** Which way a call goes. */
typedef enum sc_call_direction {
    SC_CALL_INBOUND = 0,   /**< From the trunk to the application. */
    SC_CALL_OUTBOUND = 1   /**< From the application out through a gateway. */
} sc_call_direction;

/** Call states. */
typedef enum sc_call_state {
    SC_CALL_INCOMING = 0,   /**< Inbound INVITE received; waiting for the application. */
    SC_CALL_CALLING = 1,    /**< Outbound INVITE sent. */
    SC_CALL_PROCEEDING = 2, /**< 100 Trying received. */
    SC_CALL_RINGING = 3,    /**< 180 sent (inbound) or received (outbound). */
    SC_CALL_EARLY = 4,      /**< Early media: 183 with SDP sent or received. */
    SC_CALL_ANSWERED = 5,   /**< 200 OK and ACK: the call is up. */
    SC_CALL_HELD = 6,       /**< Answered, and the peer put it on hold (re-INVITE). */
    SC_CALL_ENDED = 7       /**< Over; sc_call_sip_code(), sc_call_cause() say how. */
} sc_call_state;

/** Which side ended a call. */
typedef enum sc_hangup_side {
    SC_HANGUP_NONE = 0,    /**< Not ended. */
    SC_HANGUP_LOCAL = 1,   /**< This application (or the library on its behalf: timeouts, stop). */
    SC_HANGUP_REMOTE = 2   /**< The trunk side. */
} sc_hangup_side;

/** "incoming", "calling", "proceeding", "ringing", "early", "answered", "held", "ended". */
SC_API const char *sc_call_state_name(int state);

/** FreeSWITCH's Q.850 cause name for a SIP status (404 → "UNALLOCATED_NUMBER"). */
SC_API const char *sc_sip_cause(int sip_code);

/** Adds a reference. @return @p call. */
SC_API sc_call *sc_call_ref(sc_call *call);
/** Drops a reference. NULL is fine. */
SC_API void sc_call_unref(sc_call *call);

/** The call's number in its session (unique, from 1), as the command line uses it. */
SC_API int sc_call_id(const sc_call *call);
/** ::sc_call_direction. */
SC_API int sc_call_direction_of(const sc_call *call);
/** Current ::sc_call_state. */
SC_API int sc_call_state_of(const sc_call *call);
/** The gateway the call came in or goes out through. Borrowed, valid while the call lives. */
SC_API const char *sc_call_gateway(const sc_call *call);
/**
 * How an inbound call was tied to its gateway: "gw_param" (the `gw=NAME`
 * Contact parameter), "gw_user" (a `gw+NAME` Contact user), "contact_user"
 * (the Request-URI user is the gateway's extension or username),
 * "source_address" (only the source address: an IP-authenticated trunk).
 * "" for outbound calls.
 */
SC_API const char *sc_call_matched_by(const sc_call *call);
/** Destination number (inbound: FreeSWITCH's destination_number; outbound: the number dialled). */
SC_API const char *sc_call_destination(const sc_call *call);
/** Caller's number (From, or P-Asserted-Identity / Remote-Party-ID when present). */
SC_API const char *sc_call_caller_number(const sc_call *call);
/** Caller's display name, or "". */
SC_API const char *sc_call_caller_name(const sc_call *call);
/** The SIP Call-ID; "" for a dial-out until its INVITE has been answered. */
SC_API const char *sc_call_sip_call_id(const sc_call *call);
/** The To header of the INVITE as received or sent. */
SC_API const char *sc_call_to(const sc_call *call);
/** Source address of an inbound INVITE ("127.0.0.1:5060"), or "". */
SC_API const char *sc_call_source(const sc_call *call);
/**
 * A header of the initial INVITE by name (case-insensitive; compact forms
 * too), all values joined with ", ". Caller frees with sc_free(). NULL with
 * ::SC_ENOTFOUND when absent.
 */
SC_API char *sc_call_header(const sc_call *call, const char *name);
/** The peer's latest SDP, or NULL when none came. Caller frees with sc_free(). */
SC_API char *sc_call_remote_sdp(const sc_call *call);
/** The SIP status that ended the call (or the last final one), 0 if none. */
SC_API int sc_call_sip_code(const sc_call *call);
/**
 * The Q.850 cause name once ended ("NORMAL_CLEARING", ...), else "". Set
 * once: the text stays valid while the caller holds a reference to the call,
 * even when the call ends on another thread meanwhile.
 */
SC_API const char *sc_call_cause(const sc_call *call);
/** ::sc_hangup_side. */
SC_API int sc_call_hangup_side(const sc_call *call);
/** The call as one JSON object (id, direction, state, gateway, numbers, codes). sc_free(). */
SC_API char *sc_call_to_json(const sc_call *call);

/** Inbound: sends 180 Ringing. ::SC_ESTATE unless INCOMING/RINGING. */
SC_API int sc_call_ring(sc_call *call);
/** Inbound: sends 183 Session Progress with the application's SDP (early media). */
SC_API int sc_call_early_media(sc_call *call, const char *sdp);
/** Inbound: answers (200 OK) with the application's SDP. ::SC_EINVAL for an empty SDP. */
SC_API int sc_call_answer(sc_call *call, const char *sdp);
/**
 * Inbound: rejects with a SIP status 400..699 (e.g. 486, 603) and an optional
 * reason phrase (NULL: the standard one). ::SC_EINVAL for a code out of range.
 */
SC_API int sc_call_reject(sc_call *call, int sip_code, const char *phrase);
/**
 * Inbound: redirects (302) to a SIP URI ("sip:1000@192.0.2.1"). ::SC_EINVAL
 * unless a sip: or sips: URI without spaces, quotes or <>, or with a %-escaped
 * user part; ::SC_EREFUSED when the user part is an emergency number (the
 * built-in list or any gateway's): the far end, often the trunk, would place
 * that call. From another thread the stack thread's refusal comes as a
 * call_control event.
 */
SC_API int sc_call_redirect(sc_call *call, const char *target);
/**
 * Hangs up at any moment: BYE when answered, CANCEL while an outbound call
 * rings, 480 for an inbound call not yet answered. Idempotent on ended calls
 * (returns ::SC_OK).
 */
SC_API int sc_call_hangup(sc_call *call);
/**
 * Sends DTMF digits (0-9, *, #, A-D): by RFC 4733 in the call's RTP when it
 * has the library's media and telephone-event was negotiated, otherwise with
 * SIP INFO (application/dtmf-relay), one INFO per digit.
 */
SC_API int sc_call_send_dtmf(sc_call *call, const char *digits);

/**
 * Dials a number through a gateway. Before anything is sent the number must
 * pass the gateway's dial rule (`dial-prefix` or `dial-pattern`), must not be
 * an emergency number, and a channel must be free (`max-channels`); otherwise
 * ::SC_EREFUSED or ::SC_ECHANNELS with the reason in sc_last_error() (and
 * sc_dialrule_last_refusal()), a `dial_refused` event, and no SIP at all.
 *
 * Called on the stack's thread (an event callback) the dial runs at once.
 * On another thread, a dial that passes these checks there (the gateway's
 * rule, its UP status and its free channels, read under the session's lock;
 * a dial in flight holds its channel) returns its call at once, in state
 * "calling", and the INVITE is posted: an ::SC_EVENT_CALL_CONTROL event
 * ("sc_session_dial") says how it went. Should the stack's thread then
 * refuse it (the gateway went DOWN meanwhile), the `dial_refused` event,
 * the call's "ended" and that event with the status follow. A dial the
 * checks refuse is refused synchronously, as above.
 *
 * The INVITE is built as FreeSWITCH builds it: Request-URI
 * `sip:[destination-prefix]NUMBER@proxy`, From per `caller-id-in-from`,
 * Contact as for the gateway, next hop `outbound-proxy`.
 *
 * @param caller_number the caller ID to present (digits, '+'), or NULL/"" for
 *        the gateway's from-user.
 * @param caller_name display name, or NULL.
 * @param sdp the application's SDP offer, or NULL to offer none.
 * @param[out] out the new call (a reference the caller must sc_call_unref()),
 *        or NULL when not wanted.
 */
SC_API int sc_session_dial(sc_session *s, const char *gateway, const char *number,
                           const char *caller_number, const char *caller_name,
                           const char *sdp, sc_call **out);

/**
 * Dials like sc_session_dial() with an already-checked rule: used by the
 * dialplan engine (whose extension condition is the rule). Still refuses
 * emergency numbers, bad numbers and full channels.
 */
SC_API int sc_session_dial_checked(sc_session *s, const char *gateway, const char *number,
                                   const char *caller_number, const char *caller_name,
                                   const char *sdp, sc_call **out);

/**
 * The session's live calls, lowest id first, taken at once on the stack's
 * thread (walking ids with sc_session_find_call() races with calls ending).
 * @param[out] count number of calls in the list (may be NULL)
 * @return a NULL-terminated array of new references (empty before start or
 *         with no call), freed with sc_call_list_free(); NULL with
 *         ::SC_EINVAL for a NULL session.
 */
SC_API sc_call **sc_session_list_calls(sc_session *s, size_t *count);

/** Releases every reference of an sc_session_list_calls() array, then the array. NULL is fine. */
SC_API void sc_call_list_free(sc_call **calls);

/** The live call with that id (a new reference), or NULL with ::SC_ENOTFOUND. */
SC_API sc_call *sc_session_find_call(sc_session *s, int id);

/** Number of calls not yet ended. */
SC_API int sc_session_call_count(sc_session *s);

/**
 * Seconds an inbound call may wait for the application to answer or reject
 * it before the library rejects it (480). Default 60; 1..3600.
 */
SC_API int sc_session_set_answer_timeout(sc_session *s, int seconds);

/**
 * Source addresses allowed to call in besides each gateway's proxy,
 * register-proxy and outbound-proxy: a comma-separated list of IPv4/IPv6
 * addresses or CIDR blocks ("192.0.2.0/24, ::1"). NULL or "" clears it.
 * Default: none — only the trunk may call in (toll-fraud protection).
 */
SC_API int sc_session_set_inbound_acl(sc_session *s, const char *acl);

SC_END_DECLS

#endif
