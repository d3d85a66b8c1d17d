/* A gateway's dial rule, built in one place from its configuration, and the
 * whole number path a dial takes through it: dialled number -> rule ->
 * dial-format -> destination-prefix -> the user part on the wire.
 * The session (call_dial.c), the policy (policy.c) and the configuration
 * check (gateway.c) all use these, so they can never disagree about which
 * configurations work and which numbers may leave. */
#ifndef SC_GATEWAY_RULE_H
#define SC_GATEWAY_RULE_H

#include <stdbool.h>
#include "gateway_priv.h"
#include "skypeconnect/sc_dialrule.h"

/* Builds @p gw's rule: dial-prefix, or dial-pattern with dial-format, plus
 * emergency-country and emergency-numbers. *out is NULL when the gateway
 * sets neither dial-prefix nor dial-pattern (dial-out is then refused), or,
 * with @p any_number_if_none, the rule "any number" with the gateway's
 * emergency list (for dialplan bridges, whose condition is the rule).
 * On failure returns SC_ECONFIG, sc_last_error() says why and *bad_param
 * (when not NULL) names the parameter at fault ("dial-format"). */
int sc_gw_rule_build(const sc_gateway *gw, bool any_number_if_none, sc_dialrule **out,
                     const char **bad_param);

/* The number path: @p number must pass @p rule (syntax, emergency, the
 * rule; the rule's result is checked again), and destination-prefix +
 * result, the user part exactly as it goes on the wire, must be a valid
 * number that is not an emergency number. On SC_OK *wire_out (g_free) is
 * that user part and *dial_out (g_free, may be NULL) what the rule built;
 * else SC_EREFUSED, sc_dialrule_last_refusal() says why. */
int sc_gw_rule_wire(const sc_dialrule *rule, const char *destination_prefix, const char *number,
                    char **dial_out, char **wire_out);

#endif
