/**
 * @file sc_rule_export.h
 * @brief A gateway's dial rule and emergency numbers as data, for enforcement
 * outside the library (an edge SIP proxy in front of several instances).
 *
 * A proxy such as Kamailio sees a number as it arrives on the wire, the user
 * part of the Request-URI, and cannot call into the library. These functions
 * give it the library's own rules as POSIX extended regular expressions
 * (which are also valid PCRE), built from the same tables and the same
 * gateway parameters the library checks with (`dial-prefix`, `dial-pattern`,
 * `dial-format`, `destination-prefix`, `emergency-country`,
 * `emergency-numbers`), so an edge never carries a second hand-written list.
 * The expressions use no backslash, so they can be pasted into any
 * configuration language's string literals unchanged.
 */
#ifndef SKYPECONNECT_SC_RULE_EXPORT_H
#define SKYPECONNECT_SC_RULE_EXPORT_H

#include "sc_common.h"
#include "sc_dialrule.h"
#include "sc_gateway.h"

SC_BEGIN_DECLS

/** A gateway's rules, exported. Opaque, immutable. */
typedef struct sc_rule_export sc_rule_export;

/**
 * Exports the rules of @p rule (NULL: no dial rule, so dial-out is off and
 * only the default emergency numbers are known), for numbers that go on the
 * wire with @p destination_prefix (digits; NULL or "" for none) in front of
 * what the rule builds.
 * @return the export (free with sc_rule_export_free()), or NULL with
 *         ::SC_EINVAL (a destination prefix that is not digits) / ::SC_ENOMEM.
 */
SC_API sc_rule_export *sc_rule_export_dialrule(const sc_dialrule *rule, const char *destination_prefix);

/**
 * Exports the rules of gateway @p gw exactly as a session dialling through it
 * builds them: its dial rule, emergency country and numbers, and
 * destination-prefix.
 * @return the export, or NULL with ::SC_EINVAL (NULL) / ::SC_ECONFIG (the
 *         gateway's rule parameters are invalid; sc_last_error() names the
 *         parameter and why).
 */
SC_API sc_rule_export *sc_rule_export_gateway(const sc_gateway *gw);

/** Frees an export. NULL is fine. */
SC_API void sc_rule_export_free(sc_rule_export *x);

/**
 * An expression matching exactly the user parts the library refuses as
 * emergency numbers: an entry of the list, after any sequence of the prefixes
 * the library strips (a leading '+' with a 1-3 digit country code, "00" or
 * "011" with one, a trunk '0'). It matches whole strings (it is anchored).
 * Borrowed, valid while @p x lives.
 */
SC_API const char *sc_rule_export_emergency_regex(const sc_rule_export *x);

/** The emergency numbers, sorted, comma-separated ("000,100,101,..."). Borrowed. */
SC_API const char *sc_rule_export_emergency_list(const sc_rule_export *x);

/**
 * An expression for the user parts the dial rule lets go on the wire
 * (destination-prefix included), anchored; NULL when the gateway has no dial
 * rule (every dial-out is refused). When sc_rule_export_dial_exact() is 0 the
 * rule rewrites numbers in a way no expression over the result can express,
 * and this is only the syntax of a number ("+"? and at most
 * ::SC_DIAL_MAX_DIGITS digits): the library's own check stays the authority.
 * Borrowed.
 */
SC_API const char *sc_rule_export_dial_regex(const sc_rule_export *x);

/**
 * An expression for the syntax of any number the library lets go on the wire:
 * destination-prefix, an optional '+', 1 to ::SC_DIAL_MAX_DIGITS digits
 * (dial rules do not bound length; this does). Borrowed.
 */
SC_API const char *sc_rule_export_number_regex(const sc_rule_export *x);

/** 1 when sc_rule_export_dial_regex() is exactly the dial rule, else 0. */
SC_API int sc_rule_export_dial_exact(const sc_rule_export *x);

/** The rule in words, for a comment: "prefix 00: ^(00\\d+)$" or "no dial rule". Borrowed. */
SC_API const char *sc_rule_export_describe(const sc_rule_export *x);

SC_END_DECLS

#endif
