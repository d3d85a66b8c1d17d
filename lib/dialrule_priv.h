/* Emergency-number sets shared by dialrule.c and emergency.c, and the wire
 * check of the number path (gateway_rule.c). */
#ifndef SC_DIALRULE_PRIV_H
#define SC_DIALRULE_PRIV_H

#include <stddef.h>
#include <stdint.h>

struct sc_dialrule;

/* Longest emergency number we accept in a list. Real ones have 2 to 5 digits;
 * the cap keeps entries fixed-size so a lookup never allocates. */
#define SC_EMERG_MAX_DIGITS 15

typedef struct sc_emerg_entry {
    uint8_t len;
    char digits[SC_EMERG_MAX_DIGITS + 1];
} sc_emerg_entry;

/* Extra emergency numbers of one rule, on top of the built-in defaults.
 * Filled while the rule is configured, read-only afterwards. */
typedef struct sc_emerg_set {
    sc_emerg_entry *entries;
    size_t count, cap;
    uint32_t lenmask;   /* bit n set: some entry (default or extra) has n digits */
} sc_emerg_set;

/* Starts an empty extra set; its lenmask already covers the defaults. */
void sc_emerg_set_init(sc_emerg_set *set);
void sc_emerg_set_clear(sc_emerg_set *set);

/* Parses "15, 17,18" and adds every entry, or adds nothing and fails with
 * SC_EINVAL (sc_fail) naming the first bad entry. @p what names the source in
 * messages ("emergency numbers", "country FR"). */
int sc_emerg_set_add_list(sc_emerg_set *set, const char *list, const char *what);

/* The built-in list of a country (ISO 3166 alpha-2, any case), or NULL. */
const char *sc_emerg_country_list(const char *country);

/* The i-th country code with a built-in list, or NULL past the end. */
const char *sc_emerg_country_at(size_t i);

/* "AU, BR, CA, ..." into @p buf, for messages. Returns buf. */
char *sc_emerg_known_countries(char *buf, size_t cap);

/* Whether the @p len digits at @p digits are exactly a listed emergency
 * number (defaults, or @p set's extras; @p set may be NULL). */
int sc_emerg_lookup(const sc_emerg_set *set, const char *digits, size_t len);

/* Whether a syntactically valid number ('+'? digits+) counts as an emergency
 * number under the prefix-stripping rule documented in emergency.c. Returns
 * the offset of the suffix that matched (so callers can say "112 after the
 * prefix 0044"), or -1. */
int sc_emerg_match(const sc_emerg_set *set, const char *number, size_t len);

/* Checks @p wire, the user part exactly as it goes into the Request-URI
 * (what the rule built from the dialled number, after destination-prefix
 * and any later rewrite): valid number syntax, and no emergency number under
 * @p rule's list (the defaults when @p rule is NULL). @p dial names the
 * number in messages. SC_OK, or SC_EREFUSED with the refusal set. */
int sc_dial_check_wire(const struct sc_dialrule *rule, const char *dial, const char *wire);

/* Sets the calling thread's sc_dialrule_last_refusal(). For code that runs
 * sc_dialrule_check() on one thread (the SIP stack's) on behalf of a caller
 * on another: the refusal is thread-local, so the caller's thread must be
 * told, as it is told sc_last_error() through sc_fail(). */
void sc_dial_set_last_refusal(int refusal);

/* Writes @p s (@p len bytes) into @p buf for a message: printable ASCII as
 * is, anything else (control bytes, UTF-8, '\\') as \xNN, so that no input
 * can put raw bytes into a message or a log line. Writes at most @p cap
 * bytes (NUL included); when the input does not fit it is cut and ends in
 * "...". Returns buf. SC_DIAL_SHOW_SIZE shows at least 48 input bytes:
 * enough for any valid number, bounded for a hostile one. */
#define SC_DIAL_SHOW_SIZE 200
char *sc_dial_escape(char *buf, size_t cap, const char *s, size_t len);
/* The same, but a backslash stays itself: for regular expressions, where
 * "\\d" reads better than "\x5Cd". */
char *sc_dial_escape_pattern(char *buf, size_t cap, const char *s, size_t len);

#endif
