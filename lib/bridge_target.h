/* Direct bridge targets (sofia/internal/..., sofia/external/..., sip:):
 * whether one is really a gateway's trunk, and the emergency refusal every
 * target gets. Stack thread. */
#ifndef SC_BRIDGE_TARGET_H
#define SC_BRIDGE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include "registration_priv.h"

/* The gateway whose trunk @p uri ("sip:USER@HOST[:PORT][;params]") points
 * at: HOST resolves to an address of the gateway's proxy, register-proxy or
 * outbound-proxy, on the same port (5060, or 5061 for sips: and TLS, when
 * none is written). NULL when none does. */
sc_reg *sc_bridge_target_trunk(sc_session *s, const char *uri);

/* Whether @p user, the user part of a direct target, is an emergency number
 * under the built-in list or any gateway's: visual separators ('-', '.',
 * '_', '~') dropped, and also the digits after a last '*' or '#' (a
 * "*31#112" service code). Fills @p why for the log. */
bool sc_bridge_target_emergency(sc_session *s, const char *user, char *why, size_t cap);

#endif
