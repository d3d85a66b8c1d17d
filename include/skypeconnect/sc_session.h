/**
 * @file sc_session.h
 * @brief A session: one SIP stack, any number of gateways, and their events.
 *
 * Life cycle: sc_session_new(), options, sc_session_start(), gateways added
 * and removed at any time, sc_session_stop() (un-REGISTERs every registered
 * gateway and shuts the stack down), sc_session_free().
 *
 * Threads. Every function may be called from any thread. The SIP stack runs
 * on the session's own thread (Sofia-SIP's native event loop, which also
 * runs the session's GLib sources when one is due), or, after
 * sc_session_set_main_context(), on a GMainContext the application
 * iterates. A function called on that thread
 * (an event callback in ::SC_DISPATCH_THREAD mode) runs at once. Called on
 * another thread, most functions post their work to it and wait; dialling
 * and call control do not wait: they decide there what can be decided
 * (arguments, the call's state, the gateway's rule, status and channels),
 * returning the same status as ever, post the SIP work and return ::SC_OK.
 * The work's outcome then arrives as an ::SC_EVENT_CALL_CONTROL event
 * (sc_event_control(), sc_event_result()), after the events the work itself
 * caused. See sc_call.h. sc_session_add_gateway() does not wait either (its
 * gateway's state events follow). Work posted from one thread runs before
 * that thread's next waiting call: an add, then sc_session_gateway_count(),
 * counts the gateway. Events are delivered:
 * - ::SC_DISPATCH_THREAD (default): the event callback runs on the stack's
 *   thread (the session thread, or the thread iterating the application's
 *   context), outside Sofia-SIP's event callback. It may call any function of
 *   this library, sc_session_stop() on its own session included; it must not
 *   call sc_session_free() on its own session.
 * - ::SC_DISPATCH_QUEUE: events wait in a queue until the application calls
 *   sc_session_dispatch() (runs the callback on the caller's thread) or
 *   sc_session_next_event() (hands the event over). sc_session_event_fd() is
 *   readable while events wait, for any main loop. Python and Lua use this.
 */
#ifndef SKYPECONNECT_SC_SESSION_H
#define SKYPECONNECT_SC_SESSION_H

#include "sc_common.h"
#include "sc_gateway.h"
#include "sc_config.h"
#include "sc_event.h"

SC_BEGIN_DECLS

#ifndef SC_SESSION_TYPEDEF
#define SC_SESSION_TYPEDEF
/** A SIP session. Opaque. */
typedef struct sc_session sc_session;
#endif

/** How events reach the application (see the file comment). */
typedef enum sc_dispatch_mode {
    SC_DISPATCH_THREAD = 0,
    SC_DISPATCH_QUEUE = 1
} sc_dispatch_mode;

/**
 * Receives an event. @p ev is borrowed for the duration of the call
 * (sc_event_copy() keeps it).
 */
typedef void (*sc_event_cb)(sc_session *session, const sc_event *ev, void *user);

/** A new, stopped session, or NULL (::SC_ENOMEM). */
SC_API sc_session *sc_session_new(void);

/**
 * Stops the session if needed (as sc_session_stop() with a 5 s bound), then
 * frees it. Callback user data is destroyed. NULL is fine. Must not be called
 * from the session's own event callback.
 */
SC_API void sc_session_free(sc_session *s);

/**
 * Local address for SIP, "HOST" or "HOST:PORT" ("[::1]:5070" for IPv6).
 * Port 0 (the default) picks a free port; sc_session_local_port() tells which.
 * Without it, the session listens on every interface (IPv4 and IPv6), and each
 * gateway's Contact carries the address the kernel routes towards its proxy;
 * it stays on 127.0.0.1 when every gateway added before start has a loopback
 * proxy, or none was added (an application that adds its gateways later binds
 * "0.0.0.0"). "0.0.0.0" or "::" also mean every interface. Before start only.
 * @return ::SC_OK; ::SC_EPARSE for a malformed address; ::SC_ESTATE when started.
 */
SC_API int sc_session_set_bind(sc_session *s, const char *addr);

/**
 * Enables TLS: @p cert_dir holds agent.pem (certificate and key) and, to
 * verify the registrar, cafile.pem. @p verify nonzero requires the peer's
 * certificate to verify. Before start only.
 */
SC_API int sc_session_set_tls(sc_session *s, const char *cert_dir, int verify);

/** Chooses event delivery (::sc_dispatch_mode). Before start only. */
SC_API int sc_session_set_dispatch(sc_session *s, int mode);

/** The SIP UDP receive buffer a session asks for unless told otherwise (1 MiB). */
#define SC_UDP_RECEIVE_BUFFER_DEFAULT (1024 * 1024)
/** The smallest and largest values sc_session_set_udp_receive_buffer() takes. */
#define SC_UDP_RECEIVE_BUFFER_MIN (64 * 1024)
#define SC_UDP_RECEIVE_BUFFER_MAX (64 * 1024 * 1024)

/**
 * Sets the receive buffer of the SIP UDP sockets (the trunk side and the
 * internal side), in bytes (SO_RCVBUF; Linux keeps twice the value for its
 * bookkeeping). Datagrams that arrive while the stack is busy wait there;
 * when it is full the kernel drops them and the sender retransmits 500 ms
 * or more later. The kernel's usual default
 * (net.core.rmem_default, often 208 KiB) holds only 100-170 SIP messages,
 * so a session asks for ::SC_UDP_RECEIVE_BUFFER_DEFAULT. The kernel caps the
 * value at net.core.rmem_max unless the process has CAP_NET_ADMIN.
 * @p bytes 0 keeps the system's default. Before start only.
 * @return ::SC_OK; ::SC_EINVAL for a value outside 0 or
 *         ::SC_UDP_RECEIVE_BUFFER_MIN..::SC_UDP_RECEIVE_BUFFER_MAX;
 *         ::SC_ESTATE when started.
 */
SC_API int sc_session_set_udp_receive_buffer(sc_session *s, int bytes);

/**
 * Runs the SIP stack on the application's GMainContext (passed as void* so
 * that GLib stays out of this header) instead of the session's own thread.
 * The application must iterate that context. Before start only.
 */
SC_API int sc_session_set_main_context(sc_session *s, void *gmain_context);

/**
 * Opens the internal side: a second SIP listener on @p addr ("HOST:PORT",
 * port 0 for a free one; sc_session_local_port(s, "internal") tells) where
 * local phones and PBXes send calls, as to FreeSWITCH's internal profile.
 * Their calls run through the dialplan's "default" context (so 00... goes
 * out through the trunk when the dialplan says so). Only addresses on
 * @p acl may call ("CIDR, CIDR"; NULL: loopback only). NULL @p addr turns
 * it off. Before start only.
 */
SC_API int sc_session_set_internal(sc_session *s, const char *addr, const char *acl);

/**
 * Loads FreeSWITCH dialplan XML (a folder laid out as conf/dialplan, or one
 * file) that routes the session's calls: trunk calls through their gateway's
 * `context` (FreeSWITCH's default "public"), internal calls through
 * "default". `transfer` re-routes, `bridge sofia/gateway/NAME/NUMBER` dials
 * out through that gateway with all its dial-out checks, `bridge
 * sofia/internal/USER@HOST:PORT` (or a sip: URI) calls a local endpoint; the
 * library then relays signalling between the two legs (SDP passes through
 * untouched). A call the dialplan leaves without a bridge, respond or hangup
 * reaches the application as an ::SC_EVENT_INCOMING_CALL; a call it does not
 * match at all gets 404. Before start only.
 * @return ::SC_OK, or ::SC_ECONFIG / ::SC_EPARSE / ::SC_EIO with every
 *         diagnostic (file:line) in sc_last_error().
 */
SC_API int sc_session_load_dialplan(sc_session *s, const char *path);

/**
 * Sets the event callback. cb = NULL clears it. The previous user data's
 * destroy runs once no delivery uses it. On failure destroy(user) runs at once.
 */
SC_API int sc_session_set_event_cb(sc_session *s, sc_event_cb cb, void *user, sc_destroy_fn destroy);

/**
 * Starts the SIP stack and registers the gateways added so far.
 * While it runs, another thread may add gateways (every one lands, before
 * or after the start takes the list); a call from another thread that needs
 * the stack waits until the start is over.
 * @return ::SC_OK; ::SC_ESTATE if started already or stopped; ::SC_EIO when
 *         the address cannot be bound; ::SC_ESIP when Sofia-SIP fails.
 */
SC_API int sc_session_start(sc_session *s);

/**
 * Un-REGISTERs every registered gateway, waiting at most @p timeout_ms for the
 * answers (answering a challenge to the un-REGISTER), then shuts the stack
 * down. The un-REGISTERs go at most 50 at a time, like REGISTERs; those still
 * waiting when half of @p timeout_ms is gone go at once, so none stays
 * unsent. Safe from the event callback. Idempotent.
 * @return ::SC_OK, or ::SC_ETIMEOUT when answers were still missing (the stack
 *         is shut down all the same).
 */
SC_API int sc_session_stop(sc_session *s, int timeout_ms);

/** Whether the session is started and not stopped (1 or 0). */
SC_API int sc_session_is_running(sc_session *s);

/**
 * Drains the session (@p on 1), or ends a drain (@p on 0): the way to take an
 * instance out of a cluster without dropping a call. While draining:
 * - a new inbound INVITE that would have been taken gets 503 (reason
 *   "draining" in its ::SC_EVENT_INBOUND_REFUSED event), which a proxy in
 *   front fails over to another instance; a caller not from the trunk still
 *   gets its 403;
 * - an out-of-dialog OPTIONS gets 503 "Draining", so a health probe (Kamailio
 *   dispatcher) marks the instance inactive. (Without a drain, OPTIONS gets
 *   503 "All Channels Busy" while every gateway's max-channels is in use,
 *   and 503 "Stopping" during sc_session_stop().)
 * - calls in progress run to their end; dial-outs stay allowed (the
 *   application decides whether its own work stops).
 * Every call emits an ::SC_EVENT_DRAIN event with the calls in progress, and
 * a drain's last call ending emits one with sc_event_drain_calls() 0: from
 * then on the instance can stop without dropping anything.
 * Thread-safe; safe from the event callback.
 * @return ::SC_OK; ::SC_EINVAL for a NULL session or @p on not 0 or 1;
 *         ::SC_ESTATE when the session is not running.
 */
SC_API int sc_session_set_draining(sc_session *s, int on);

/** Whether the session drains (1) or not (0); ::SC_EINVAL for NULL. Thread-safe. */
SC_API int sc_session_is_draining(sc_session *s);

/**
 * The address the session listens on after start: the bound address, or
 * "0.0.0.0" when it listens on every interface (IPv4 and IPv6). Valid until
 * the session is freed; NULL with ::SC_ESTATE before start.
 */
SC_API const char *sc_session_listen_host(sc_session *s);

/**
 * The local port in use for a transport ("udp", "tcp", "tls") after start.
 * @return the port, or ::SC_ESTATE before start, ::SC_ENOTFOUND for a
 *         transport not enabled.
 */
SC_API int sc_session_local_port(sc_session *s, const char *transport);

/**
 * Adds a gateway (copied) and, when the session runs, starts registering it
 * (or marks it NOREG for register=false). Every refusal below is decided on
 * the caller's thread; after start, from a thread other than the stack's,
 * the registration itself is posted to the stack thread and not waited for
 * (a thousand gateways cost no thousand round trips): its progress arrives
 * as ::SC_EVENT_GATEWAY_STATE events.
 * @return ::SC_OK; ::SC_EEXISTS for a name added and not removed (also
 *         when that add is still on its way to the stack thread; of threads
 *         racing for one name exactly one gets it); ::SC_ECONFIG when
 *         sc_gateway_validate() fails; ::SC_ECLOSED when stopping or
 *         stopped; ::SC_EINVAL for NULL.
 */
SC_API int sc_session_add_gateway(sc_session *s, const sc_gateway *gw);

/** Adds every gateway of a configuration; stops at the first failure. */
SC_API int sc_session_add_config(sc_session *s, const sc_config *cfg);

/**
 * Removes a gateway: un-REGISTERs it if registered (without waiting), then
 * forgets it. An ::SC_EVENT_GATEWAY_REMOVED event follows.
 */
SC_API int sc_session_remove_gateway(sc_session *s, const char *name);

/** Number of gateways in the session. */
SC_API int sc_session_gateway_count(sc_session *s);

/**
 * Name of the i-th gateway, in the order added, copied into a new string
 * (sc_free()); NULL past the end.
 */
SC_API char *sc_session_gateway_name_at(sc_session *s, int i);

/** A gateway's ::sc_reg_state, or ::SC_ENOTFOUND. */
SC_API int sc_session_gateway_state(sc_session *s, const char *name);

/** A gateway's ::sc_gw_status, or ::SC_ENOTFOUND. */
SC_API int sc_session_gateway_status(sc_session *s, const char *name);

/**
 * A gateway's full status as one JSON object (no newline):
 * {"event":"gateway_status","gateway":…,"state":…,"status":…,"sip_code":…,"phrase":…,
 *  "reason":…,"expires":…,"next_retry":…,"failures":…,"ping_ms":…,"contact":…,"registrar":…,
 *  "local_address":…,"public_address":…,"via_address":…,"nat":…,"keepalive":…,"keepalive_method":…,
 *  "waiting_for_slot":…}.
 * local_address: "HOST:PORT" this host sends from towards the gateway (null while a proxy
 * given by name is still being looked up: its first REGISTER waits for it); public_address: where
 * the registrar sees us from (learned from received/rport, or ext-sip-ip), null when unknown;
 * via_address: where our requests say they come from (Via), when listening on every
 * interface and known (else null): another address than local_address means the route to
 * the gateway leaves through another interface than Sofia-SIP sends from (bind that one);
 * nat: true when the two differ; keepalive: seconds between keepalives, 0 when none;
 * keepalive_method: "options", "crlf" (the gateway's tcp-keepalive), or null when none;
 * waiting_for_slot: true while its REGISTER (state TRYING) waits because the session already
 * has 50 REGISTERs waiting for answers (docs/recovery.md).
 * Caller frees with sc_free(); NULL with ::SC_ENOTFOUND.
 */
SC_API char *sc_session_gateway_json(sc_session *s, const char *name);

/** Registers a gateway now (FreeSWITCH `sofia profile P register GW`): back to UNREGED, backoff reset. */
SC_API int sc_session_gateway_register(sc_session *s, const char *name);

/** Un-REGISTERs a gateway and leaves it DOWN (FreeSWITCH `unregister GW`). */
SC_API int sc_session_gateway_unregister(sc_session *s, const char *name);

/**
 * ::SC_DISPATCH_QUEUE: runs the callback for waiting events on the calling
 * thread, waiting up to @p timeout_ms (0: don't wait; -1: forever) for the
 * first. @return the number of events dispatched (0 on timeout or
 * interrupt), or a negative status.
 */
SC_API int sc_session_dispatch(sc_session *s, int timeout_ms);

/**
 * ::SC_DISPATCH_QUEUE: takes the next event, waiting up to @p timeout_ms.
 * @return an event the caller frees with sc_event_free(), or NULL on timeout,
 *         interrupt (sc_last_status() ::SC_OK) or error.
 */
SC_API sc_event *sc_session_next_event(sc_session *s, int timeout_ms);

/** A file descriptor that is readable while events wait (::SC_DISPATCH_QUEUE). */
SC_API int sc_session_event_fd(sc_session *s);

/** Wakes a thread blocked in sc_session_dispatch() or sc_session_next_event(). */
SC_API void sc_session_interrupt(sc_session *s);

SC_END_DECLS

#endif
