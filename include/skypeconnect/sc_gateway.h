/**
 * @file sc_gateway.h
 * @brief Gateway configuration: FreeSWITCH's `<gateway>` parameters, built in code.
 *
 * A gateway is a trunk account. Its parameters carry FreeSWITCH's names,
 * meanings and defaults (see docs/freeswitch-users.md), plus three additions of
 * ours: `dial-prefix`, `dial-pattern` and `max-channels`.
 *
 * An ::sc_gateway is a plain configuration value: it does nothing on the
 * network until it is added to a session (sc_session_add_gateway()), which
 * copies it. It is not shared between threads by the library; guard it
 * yourself if you do.
 */
#ifndef SKYPECONNECT_SC_GATEWAY_H
#define SKYPECONNECT_SC_GATEWAY_H

#include "sc_common.h"

SC_BEGIN_DECLS

/** A gateway's configuration. Opaque. */
typedef struct sc_gateway sc_gateway;

/**
 * Creates a gateway with every parameter at its default.
 * @param name the gateway name; FreeSWITCH accepts letters, digits, '_', '.'
 *        and '-' only (`^[\w.-]+$`), and so do we.
 * @return the new gateway, or NULL (::SC_EINVAL for a bad name, ::SC_ENOMEM).
 */
SC_API sc_gateway *sc_gateway_new(const char *name);

/** Copies a gateway. @return the copy or NULL (::SC_ENOMEM, ::SC_EINVAL). */
SC_API sc_gateway *sc_gateway_copy(const sc_gateway *gw);

/** Frees a gateway. NULL is fine. */
SC_API void sc_gateway_free(sc_gateway *gw);

/** The gateway's name (borrowed, valid while @p gw lives). */
SC_API const char *sc_gateway_name(const sc_gateway *gw);

/**
 * Sets one parameter, checking its name and value at once.
 * Values that FreeSWITCH silently corrects (retry-seconds below 5, ...) are
 * corrected the same way and ::SC_OK is returned; sc_gateway_warnings() then
 * says what was changed.
 * @return ::SC_OK; ::SC_ENOTFOUND for an unknown parameter; ::SC_EINVAL for a
 *         bad value (sc_last_error() names parameter and value).
 */
SC_API int sc_gateway_set(sc_gateway *gw, const char *param, const char *value);

/**
 * The effective value of a parameter as text: the value set, else the default
 * FreeSWITCH would use (e.g. `from-user` falls back to `username`). The
 * password is never returned: asking for it gives "<hidden>" when one is set.
 * @return a borrowed string valid until the next sc_gateway_set() on @p gw or
 *         its free; "" for an unset parameter without default; NULL with
 *         ::SC_ENOTFOUND for an unknown parameter name.
 */
SC_API const char *sc_gateway_get(const sc_gateway *gw, const char *param);

/**
 * Checks the parameters against each other, as a session does before it uses
 * the gateway (e.g. `register=true` needs `username` and `password`; a
 * dial-pattern must compile).
 * @return ::SC_OK or ::SC_ECONFIG with the reason in sc_last_error().
 */
SC_API int sc_gateway_validate(const sc_gateway *gw);

/**
 * Warnings collected by sc_gateway_set() (values corrected, parameters
 * FreeSWITCH ignores), one per line. Caller frees with sc_free(); NULL when
 * there are none.
 */
SC_API char *sc_gateway_warnings(const sc_gateway *gw);

/**
 * Number of parameter names this library implements (for listings and
 * bindings). Not listed, but accepted by sc_gateway_set(): FreeSWITCH's
 * spelling `retry_seconds`, and the params FreeSWITCH knows that we do not
 * implement (`rfc-5626`, `reg-id`, `gw-auth-acl`, `cid-type`, ...), which
 * only leave an "ignored" warning.
 */
SC_API size_t sc_gateway_param_count(void);

/** The i-th known parameter name, or NULL past the end. */
SC_API const char *sc_gateway_param_name(size_t i);

SC_END_DECLS

#endif
