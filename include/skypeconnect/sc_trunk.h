/**
 * @file sc_trunk.h
 * @brief The built-in loopback trunk: a small SIP provider for demos and tests.
 *
 * Nobody needs an account at a provider to see the whole system work: the
 * loopback trunk is a registrar with digest authentication and a PSTN that
 * answers dial-outs, all on a local address. Point a gateway (or a phone, a
 * PBX, FreeSWITCH) at it.
 *
 * What it does:
 * - REGISTER: digest (MD5, qop=auth; realm = the trunk's host; nonces live
 *   5 minutes, then earn a new challenge with stale=true) against its one
 *   account; a wrong digest or another username gets 403. 200 carries the
 *   granted expiry in the Contact (;expires=N) and in Expires; un-REGISTER
 *   (Expires: 0, ;expires=0, Contact: *) honoured. One binding per AOR (the
 *   To user), the latest REGISTER wins. The bindings it holds are where its
 *   inbound calls go.
 * - INVITE to any other NUMBER (a dial-out through it): digest-challenged with 407,
 *   then answered as a PSTN would, by the number's last digit:
 *   0-5 ringing (180) then answered (200 with SDP) after a short ring;
 *   6 busy (486); 7 rings and is never answered (the caller must CANCEL or
 *   time out); 8 not found (404); 9 address incomplete (484).
 *   Any other ending (no digit) is 404. An answered call stays up until
 *   either side hangs up (sc_trunk_hangup_all() hangs up from the PSTN side).
 * - INVITE to a registered AOR's user (sip:USER@trunk) or to the account's
 *   online number (::SC_TRUNK_ONLINE_NUMBER): a call from a PSTN caller to
 *   that account. It is checked before the dial-out rule and is NOT
 *   digest-challenged (the PSTN side does not authenticate; anyone who can
 *   reach the trunk can ring the account, as anyone can dial a phone
 *   number). The trunk relays it back to back to the Contact the AOR
 *   registered (as sc_trunk_place_call()): the caller's SDP goes out
 *   untouched; 18x and 200 come back with the callee's SDP; ACK is the
 *   trunk's own on each leg; BYE from either side, CANCEL from the caller
 *   and the callee's failure status are passed on (a 200 racing a CANCEL
 *   gets a BYE). The account not registered: 480; an INVITE without an SDP
 *   offer: 488; re-INVITEs in such a call: 488 (the call goes on with the
 *   media it has). Log: "invite" (note "a call from the PSTN", with "aor"
 *   and "contact"), "progress" for the callee's answers, "hangup" for a
 *   failure passed on, "bye"/"cancel", "end". Counted once in "active" and
 *   "answered".
 * - sc_trunk_place_call(): an inbound call from the "PSTN" to a registered
 *   account, sent to the Contact it registered (with its gw= parameter).
 * - Faults on request (sc_trunk_set_fault()): reject passwords (403),
 *   503 with Retry-After, silence (answer nothing), 423 Interval Too Brief.
 *
 * The trunk runs on its own thread; every function is thread-safe.
 *
 * Known limit with Sofia-SIP clients: a REGISTER that carries a To tag but
 * matches no dialog is refused 481 by the trunk's SIP stack before the
 * registrar sees it (RFC 3261 12.2.2); clients must not reuse the To tag of
 * an earlier answer outside a dialog.
 */
#ifndef SKYPECONNECT_SC_TRUNK_H
#define SKYPECONNECT_SC_TRUNK_H

#include "sc_common.h"

SC_BEGIN_DECLS

/**
 * The account's online number (a DID, fictional: +49 30 555 00100): an
 * INVITE to it, with or without the '+', is a call from the PSTN to the
 * account (relayed to the Contact it registered). Callers whose numbers
 * must be digits (a gateway's dial rule) dial this.
 */
#define SC_TRUNK_ONLINE_NUMBER "493055500100"

/** A loopback trunk. Opaque. */
typedef struct sc_trunk sc_trunk;

/** Faults the trunk can play (sc_trunk_set_fault()). */
typedef enum sc_trunk_fault {
    SC_TRUNK_FAULT_NONE = 0,         /**< Behave. */
    SC_TRUNK_FAULT_WRONG_PASSWORD = 1, /**< Refuse every REGISTER with 403 as if the password were wrong (after the 401 challenge, as a real registrar would). */
    SC_TRUNK_FAULT_UNAVAILABLE = 2,  /**< Answer REGISTER and INVITE with 503 and Retry-After: param seconds. */
    SC_TRUNK_FAULT_SILENT = 3,       /**< Answer nothing at all (an INVITE still gets Sofia's 100 Trying; the caller must CANCEL). */
    SC_TRUNK_FAULT_INTERVAL = 4      /**< Answer REGISTER with 423 and Min-Expires: param seconds (once per registration attempt, then accept): the first REGISTER of each Contact since the fault was set, and any asking less than param; never an un-REGISTER. */
} sc_trunk_fault;

/**
 * Creates and starts a trunk on @p listen ("127.0.0.1:0" picks a free port,
 * as does a missing port; IPv6 as "[::1]:0"; numeric addresses only, not the
 * wildcard), with one account @p user / @p password. The port serves UDP
 * and TCP.
 * @return the trunk, or NULL (::SC_EPARSE bad address, ::SC_EIO cannot bind,
 *         ::SC_EINVAL empty user or password, a user with spaces, quotes or
 *         URI separators, a password of several lines or over 256 bytes).
 */
SC_API sc_trunk *sc_trunk_new(const char *listen, const char *user, const char *password);

/**
 * Stops the trunk and frees it. NULL is fine. Calls are hung up first (BYE,
 * CANCEL, or 503 to an INVITE still ringing) and get up to 2 s to end; the
 * whole stop takes at most about 5 s.
 */
SC_API void sc_trunk_free(sc_trunk *t);

/** The port the trunk listens on (UDP and TCP). */
SC_API int sc_trunk_port(const sc_trunk *t);

/** "HOST:PORT" to put in a gateway's proxy/realm (borrowed). */
SC_API const char *sc_trunk_address(const sc_trunk *t);

/** Sets a fault (::sc_trunk_fault) with its parameter (seconds), or clears it with ::SC_TRUNK_FAULT_NONE. */
SC_API int sc_trunk_set_fault(sc_trunk *t, int fault, int param);

/**
 * Sets the longest expiry the registrar grants (default 3600; 10..86400):
 * a REGISTER asking more gets this, one asking less gets what it asked.
 */
SC_API int sc_trunk_set_expires(sc_trunk *t, int seconds);

/** Seconds a ringing dial-out rings before it is answered (default 1; 0..60). */
SC_API int sc_trunk_set_ring_seconds(sc_trunk *t, int seconds);

/** Whether @p user is registered now (1/0). */
SC_API int sc_trunk_is_registered(sc_trunk *t, const char *user);

/**
 * Places an inbound call from @p caller_number to the registered @p user
 * (the Contact it registered). The call stays up until the callee hangs up,
 * or sc_trunk_hangup_all().
 * @return ::SC_OK once the INVITE is sent; ::SC_ENOTFOUND when @p user is not registered.
 */
SC_API int sc_trunk_place_call(sc_trunk *t, const char *user, const char *caller_number);

/**
 * Hangs up every call from the PSTN side: BYE when answered, CANCEL for an
 * inbound call still ringing, 480 Temporarily Unavailable for a dial-out
 * still ringing.
 */
SC_API int sc_trunk_hangup_all(sc_trunk *t);

/**
 * What the trunk has seen, one JSON object per line ("register", "invite",
 * "bye", "cancel" entries with method, request URI, From, To, P-Asserted-Identity,
 * the answer it gave), for tests and demos. Caller frees with sc_free().
 *
 * Every object starts with "seq" (1, 2, ...: a reader polling the log
 * prints what is newer than the last seq it saw) and "ms" (since start),
 * then "event" and "direction" ("in": a request the trunk received; "out":
 * one it sent). Events: "register", "invite", "reinvite", "bye", "cancel"
 * (received or sent), "answer" (the PSTN answered a dial-out), "hangup"
 * (the PSTN refused a ringing dial-out), "place" (sc_trunk_place_call()),
 * "progress" (an answer to it), "end" (a call is over). Fields as they apply:
 * "method", "ruri", "from", "to", "pai", "call_id", "source", "number",
 * "aor", "contact", "expires", "status" (0: no answer), "phrase", "note"
 * ("challenged", "wrong password", "fault unavailable", ...). Never the
 * password nor anything of an Authorization header. The last 10000 entries
 * are kept.
 */
SC_API char *sc_trunk_log(sc_trunk *t);

/**
 * Counters: "register" REGISTERs received and "invite" initial INVITEs
 * received (challenged ones included: a dial-out through the 407 counts 2),
 * "answered" calls answered (dial-outs the PSTN answered, and placed calls
 * and calls from the PSTN the callee answered), "active" calls ringing or
 * up, either way (a call from the PSTN counts once, not per leg).
 * @return the count, or ::SC_EINVAL for another name.
 */
SC_API int sc_trunk_count(sc_trunk *t, const char *what);

SC_END_DECLS

#endif
