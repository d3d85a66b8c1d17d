/**
 * @file sc_dialrule.h
 * @brief Dial rules: which numbers may go out through a trunk, and as what.
 *
 * Toll fraud is a trunk user's worst day, so dialling out is refused unless a
 * rule allows the number. A rule is either the Skype Connect page's prefix
 * rule `^(PREFIX\d+)$` (sc_dialrule_new_prefix()) or a full regular
 * expression with FreeSWITCH-style `$1` substitution
 * (sc_dialrule_new_pattern()). Whatever the rule says, a number is refused
 * when it:
 * - is an emergency number (the provider forbids them): 112, 911, 999, 000,
 *   110, 118, 119, 100, 101, 102, 108 by default, plus a country's own list
 *   (sc_dialrule_set_emergency_country()) and any extra numbers. Prefixes
 *   do not hide one: the number counts as an emergency number when, after
 *   removing any number of prefixes, each a '0' (trunk prefix) or an
 *   international prefix ('+' at the start, "00", "011") optionally followed
 *   by a 1-3 digit country code, what is left is EXACTLY a listed number
 *   ("+112", "0112", "00112", "011911", "0044112", "+44999", "001911",
 *   "000000112", "00000000911", "00440999"). Longer numbers
 *   that merely contain one ("00441121234567") are fine. This refuses a
 *   few short numbers of very small numbering plans too, deliberately;
 * - contains anything but digits and one leading '+' (no '@', ';', '?',
 *   '%', ':', spaces, letters, non-ASCII digits), or is longer than
 *   ::SC_DIAL_MAX_DIGITS.
 *
 * A rule is immutable once configured and safe to use from many threads at
 * once (checking never changes it). Configure it (set_emergency_country,
 * add_emergency) before sharing it between threads.
 */
#ifndef SKYPECONNECT_SC_DIALRULE_H
#define SKYPECONNECT_SC_DIALRULE_H

#include "sc_common.h"

SC_BEGIN_DECLS

/** Longest number accepted, in digits (E.164 allows 15; some trunks take prefixes). */
#define SC_DIAL_MAX_DIGITS 32

/** A dial rule. Opaque. */
typedef struct sc_dialrule sc_dialrule;

/** Why a number was refused (sc_dialrule_check()). */
typedef enum sc_dial_refusal {
    SC_DIAL_OK = 0,            /**< Allowed. */
    SC_DIAL_NO_RULE = 1,       /**< The gateway has no dial rule: dial-out is off. */
    SC_DIAL_NO_MATCH = 2,      /**< The number does not match the rule. */
    SC_DIAL_EMERGENCY = 3,     /**< An emergency number: never through the trunk. */
    SC_DIAL_BAD_NUMBER = 4,    /**< Characters other than digits and a leading '+', or empty. */
    SC_DIAL_TOO_LONG = 5,      /**< More than ::SC_DIAL_MAX_DIGITS digits. */
    SC_DIAL_CHANNELS = 6,      /**< Every channel of the gateway is busy (sessions only). */
    SC_DIAL_GATEWAY_DOWN = 7   /**< The gateway is not UP (sessions only). */
} sc_dial_refusal;

/** "ok", "no_rule", "no_match", "emergency", "bad_number", "too_long", "channels", "gateway_down". */
SC_API const char *sc_dial_refusal_name(int refusal);

/**
 * The Skype Connect rule `^(PREFIX\d+)$`: numbers starting with @p prefix
 * (digits, or '+' then digits; e.g. "00"; at most 16 characters) followed by
 * at least one digit. The number goes out whole ($1). Checked without a
 * regular expression: this is the fast rule.
 * @return a rule, or NULL with ::SC_EINVAL (bad prefix; "" and "+" are
 *         refused, as they would allow every number) / ::SC_ENOMEM.
 */
SC_API sc_dialrule *sc_dialrule_new_prefix(const char *prefix);

/**
 * A full regular expression (PCRE syntax, as FreeSWITCH's dialplan) that the
 * whole number must match, and the text to dial built from it: @p format with
 * `$0`..`$9` replaced by the captures (NULL: "$1" when the pattern has a
 * capture group, else "$0"). The result must itself be a valid number.
 *
 * The pattern is anchored for you: "00\d+" allows only numbers that are 00
 * and digits, never numbers that merely contain such a run. It works on
 * bytes, so `\d` is an ASCII digit. A group that did not take part in the
 * match substitutes as empty; "$10" is $1 then '0'. The format may contain
 * only digits, '+' and `$N` references ('$$' would be a literal '$', which
 * no number contains, so it is refused like any other character), and may
 * not name a group the pattern lacks. The result is checked again like the
 * dialled number (syntax, length, emergency): ^9(\d+)$ -> $1 cannot turn
 * 9112 into 112. Patterns must be valid UTF-8, at most 1024 bytes, and may
 * not use extended-mode comments or leading (*VERB)s.
 * @return a rule, or NULL with ::SC_EINVAL naming the regex or format error.
 */
SC_API sc_dialrule *sc_dialrule_new_pattern(const char *pattern, const char *format);

/** Frees a rule. NULL is fine. */
SC_API void sc_dialrule_free(sc_dialrule *rule);

/**
 * Selects a country's emergency numbers on top of the defaults, by ISO 3166
 * alpha-2 code, any case ("GB", "US", "DE", "FR", "IN", "AU", "NZ", "JP",
 * "BR", ...; "UK" is taken for GB). Lists only ever grow: selecting a second
 * country adds its numbers too.
 * @return ::SC_OK, ::SC_EINVAL for a NULL argument, or ::SC_ENOTFOUND for a
 *         country we have no list for (the message lists the known ones).
 */
SC_API int sc_dialrule_set_emergency_country(sc_dialrule *rule, const char *country);

/**
 * Adds emergency numbers, comma-separated ("15,17,18"; spaces around entries
 * are fine). All or nothing: ::SC_EINVAL, and nothing added, for an empty
 * entry, an entry with anything but digits, or one of more than 15 digits.
 */
SC_API int sc_dialrule_add_emergency(sc_dialrule *rule, const char *numbers);

/**
 * Checks a number against the rule.
 * @param rule the rule; NULL means "no rule" and refuses with ::SC_DIAL_NO_RULE.
 * @param[out] dial_out when allowed and not NULL: the number to dial (the
 *        substitution's result), freed by the caller with sc_free().
 * @return ::SC_OK, or ::SC_EREFUSED with sc_last_error() saying which rule
 *         refused it and why, and ::sc_dial_refusal from sc_dialrule_last_refusal().
 *
 * The checks run in this order, the first failing one deciding: no rule
 * (::SC_DIAL_NO_RULE); the number's syntax (::SC_DIAL_BAD_NUMBER, naming the
 * first offending byte and its 1-based position, non-printable bytes shown
 * as \xNN) and length (::SC_DIAL_TOO_LONG); emergency numbers
 * (::SC_DIAL_EMERGENCY); the rule (::SC_DIAL_NO_MATCH); then syntax, length
 * and emergency again on the dial string the rule builds. On success the
 * calling thread's last error is cleared and the refusal is ::SC_DIAL_OK.
 */
SC_API int sc_dialrule_check(const sc_dialrule *rule, const char *number, char **dial_out);

/** The ::sc_dial_refusal of the calling thread's last sc_dialrule_check(). */
SC_API int sc_dialrule_last_refusal(void);

/**
 * Whether a number is an emergency number for this rule's lists (1/0), with
 * the prefix rules above. NULL rule: the defaults. A string that is not a
 * valid number ('+'? digits, at most ::SC_DIAL_MAX_DIGITS) gives 0:
 * sc_dialrule_check() refuses those for their syntax.
 */
SC_API int sc_dialrule_is_emergency(const sc_dialrule *rule, const char *number);

/** The rule as text, e.g. "^(00\\d+)$ -> $1" (borrowed, valid while the rule lives). */
SC_API const char *sc_dialrule_describe(const sc_dialrule *rule);

SC_END_DECLS

#endif
