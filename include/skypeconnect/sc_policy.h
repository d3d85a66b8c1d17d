/**
 * @file sc_policy.h
 * @brief Trunk policy without a SIP stack: dial rules, emergency refusal and
 * channel count of a gateway, shared process-wide by name.
 *
 * Made for hosts that carry the SIP themselves, above all FreeSWITCH: there
 * FreeSWITCH's own `sofia/gateway/NAME` registers the trunk and bridges the
 * calls, and a per-call script (mod_lua runs every call in a fresh lua_State,
 * many at once on different threads) only asks the library what the trunk
 * allows. A policy applies exactly the rules a session applies when it dials
 * out through the same gateway (`dial-prefix`, `dial-pattern` + `dial-format`,
 * `emergency-country`, `emergency-numbers`, `max-channels`), through the same
 * ::sc_dialrule code.
 *
 * Policies live in one process-wide registry keyed by gateway name. Loading a
 * name that is registered already returns the same object with one more
 * reference, so every per-call script can call sc_policy_load() cheaply; the
 * object goes away with its last sc_policy_unref(). Every function is
 * thread-safe; a policy is immutable except for its channel counter, which is
 * atomic.
 */
#ifndef SKYPECONNECT_SC_POLICY_H
#define SKYPECONNECT_SC_POLICY_H

#include "sc_common.h"
#include "sc_gateway.h"

SC_BEGIN_DECLS

/** A gateway's trunk policy. Opaque, refcounted, shared by name. */
typedef struct sc_policy sc_policy;

/**
 * Returns the policy of gateway @p gateway_name, loading it from the gateway
 * XML at @p gateway_xml_path (any XML sc_config_load_file() accepts) unless a
 * policy of that name is registered already. Thread-safe: concurrent loads of
 * one name load the file once and all get the same object.
 * @param gateway_xml_path the XML file; NULL only looks up a registered
 *        policy (as sc_policy_get()).
 * @return a new reference (release with sc_policy_unref()), or NULL with
 *         ::SC_EINVAL (NULL name), ::SC_EIO / ::SC_EPARSE / ::SC_ECONFIG (the
 *         file; sc_last_error() gives the first error with file and line),
 *         ::SC_ENOTFOUND (no such gateway in the file, or none registered when
 *         @p gateway_xml_path is NULL), ::SC_EEXISTS (the name is registered
 *         from another source, named in sc_last_error()), ::SC_ENOMEM.
 */
SC_API sc_policy *sc_policy_load(const char *gateway_xml_path, const char *gateway_name);

/**
 * Registers the policy of a gateway built in code (its parameters are read
 * at once; @p gw is not kept) under the gateway's name.
 * @return a new reference, or NULL with ::SC_EINVAL (NULL), ::SC_ECONFIG
 *         (sc_gateway_validate() fails), ::SC_EEXISTS (a policy of that name
 *         is registered already: use sc_policy_get()), ::SC_ENOMEM.
 */
SC_API sc_policy *sc_policy_from_gateway(const sc_gateway *gw);

/**
 * The registered policy of that name.
 * @return a new reference, or NULL with ::SC_ENOTFOUND / ::SC_EINVAL.
 */
SC_API sc_policy *sc_policy_get(const char *gateway_name);

/** Adds a reference. @return @p p. NULL is fine. */
SC_API sc_policy *sc_policy_ref(sc_policy *p);

/**
 * Drops a reference; the last one unregisters and frees the policy (a later
 * sc_policy_load() of the name reads the file again). NULL is fine.
 */
SC_API void sc_policy_unref(sc_policy *p);

/** The gateway name (borrowed, valid while the reference is held). */
SC_API const char *sc_policy_name(const sc_policy *p);

/** Where the policy came from: the XML path, or "<gateway>" (borrowed). */
SC_API const char *sc_policy_source(const sc_policy *p);

/** Current number of references (for diagnostics and tests). */
SC_API int sc_policy_refcount(const sc_policy *p);

/**
 * The dial rule as text ("^(00\\d+)$ -> $1"), or "" when the gateway has no
 * dial rule (then every number is refused). Borrowed.
 */
SC_API const char *sc_policy_describe(const sc_policy *p);

/**
 * Checks a number exactly as sc_session_dial() does before sending anything:
 * the gateway's dial rule, then emergency numbers and syntax, on the number,
 * on what the rule builds, and on the number as it would go on the wire
 * (destination-prefix + what the rule builds).
 * @param[out] dial_out when allowed and not NULL: the number to dial (what
 *        the rule builds), freed by the caller with sc_free().
 * @return ::SC_OK; ::SC_EREFUSED with sc_last_error() saying which gateway
 *         and rule refused it and why ("gateway 'skype': ...") and
 *         sc_dialrule_last_refusal() the ::sc_dial_refusal; ::SC_EINVAL for a
 *         NULL argument. Does not take a channel.
 */
SC_API int sc_policy_check(const sc_policy *p, const char *number, char **dial_out);

/**
 * Takes one channel for a call (atomic). Release it with
 * sc_policy_release_channel() when the call ends.
 * @return ::SC_OK; ::SC_ECHANNELS when all `max-channels` are in use
 *         (sc_dialrule_last_refusal() is then ::SC_DIAL_CHANNELS);
 *         ::SC_EINVAL for NULL. Unlimited when max-channels is 0.
 */
SC_API int sc_policy_acquire_channel(sc_policy *p);

/**
 * Gives a channel back. @return ::SC_OK, or ::SC_ESTATE when none was taken
 * (the counter never goes below 0), ::SC_EINVAL for NULL.
 */
SC_API int sc_policy_release_channel(sc_policy *p);

/** Channels taken now (0 or more), or ::SC_EINVAL for NULL. */
SC_API int sc_policy_channels_in_use(const sc_policy *p);

/** The gateway's `max-channels` (0: unlimited), or ::SC_EINVAL for NULL. */
SC_API int sc_policy_max_channels(const sc_policy *p);

/** Number of policies registered in the process now. */
SC_API int sc_policy_registered_count(void);

SC_END_DECLS

#endif
