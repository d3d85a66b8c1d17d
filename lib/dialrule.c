/* Dial rules: which numbers may leave through a trunk, and as what.
 *
 * Toll fraud is the threat: whoever can make the trunk dial an arbitrary
 * string can call premium numbers on the customer's bill, or smuggle SIP
 * syntax ("@evil.example", ";user=phone", "%40") into the Request-URI. So
 * the checks run in a fixed order, each a refusal on its own:
 *
 *   1. no rule at all            -> no_rule   (dial-out is off by default)
 *   2. number syntax             -> bad_number / too_long
 *      only ASCII digits after at most one leading '+'; everything else,
 *      including non-ASCII digits that a regex engine in Unicode mode would
 *      happily call \d, is refused before any pattern sees it
 *   3. emergency number          -> emergency (emergency.c explains which)
 *   4. the rule                  -> no_match
 *      prefix rules by hand (the hot path: no regex, no allocation),
 *      pattern rules with GRegex, always over the WHOLE number
 *   5. the dial string built from the format is checked again by 2 and 3:
 *      a rule like ^9(\d+)$ -> $1 must not turn 9112 into 112.
 *
 * A rule is configured once (new, set_emergency_country, add_emergency) and
 * read-only afterwards; checks keep their state on the stack (GRegex matching
 * allocates its own GMatchInfo per call), so many threads may check against
 * one rule at once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_dialrule.h"
#include "dialrule_priv.h"
#include "error_priv.h"
#include "rule_export_priv.h"

/* A prefix longer than this is a mistake, not a dial plan. It is the
 * gateway parameter's own limit (gateway.c): a prefix the configuration
 * accepts must be one this builder takes ("004930123" restricts a trunk to
 * one Berlin number range), or dialplan calls would lose their rule. */
#define SC_DIAL_MAX_PREFIX 16
/* Dial-plan patterns are a line; a bound keeps a hostile or corrupted
 * configuration from costing seconds of regex compilation. */
#define SC_DIAL_MAX_PATTERN 1024

/* RAW: bytes, not UTF-8 characters, so \d means the ASCII digits only (in
 * UTF mode PCRE2 may count other scripts' digits); numbers are ASCII
 * anyway, this is a second line behind the syntax check. DOLLAR_ENDONLY: '$'
 * never matches before a trailing newline. */
#define SC_DIAL_REGEX_FLAGS (G_REGEX_RAW | G_REGEX_DOLLAR_ENDONLY)

enum { RULE_PREFIX, RULE_PATTERN };

struct sc_dialrule {
    int kind;
    size_t prefix_len;
    char prefix[SC_DIAL_MAX_PREFIX + 1];
    GRegex *re;             /* pattern rules: the user's pattern, anchored */
    char *format;           /* pattern rules: validated, e.g. "$1" */
    char *text;             /* the pattern as shown in messages: "^(00\d+)$" */
    char *describe;         /* "^(00\d+)$ -> $1", "prefix 00: ^(00\d+)$" */
    sc_emerg_set emerg;
};

static _Thread_local int last_refusal = SC_DIAL_OK;

/* Sets both the refusal code and the error text; evaluates to SC_EREFUSED. */
#define REFUSE(code, ...) (last_refusal = (code), sc_fail(SC_EREFUSED, __VA_ARGS__))

SC_API const char *sc_dial_refusal_name(int refusal)
{
    switch ((sc_dial_refusal)refusal) {
    case SC_DIAL_OK: return "ok";
    case SC_DIAL_NO_RULE: return "no_rule";
    case SC_DIAL_NO_MATCH: return "no_match";
    case SC_DIAL_EMERGENCY: return "emergency";
    case SC_DIAL_BAD_NUMBER: return "bad_number";
    case SC_DIAL_TOO_LONG: return "too_long";
    case SC_DIAL_CHANNELS: return "channels";
    case SC_DIAL_GATEWAY_DOWN: return "gateway_down";
    }
    return "unknown";
}

SC_API int sc_dialrule_last_refusal(void)
{
    return last_refusal;
}

void sc_dial_set_last_refusal(int refusal)
{
    last_refusal = refusal;
}

static char *escape(char *buf, size_t cap, const char *s, size_t len, int keep_backslash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (!cap) return buf;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = c >= 0x20 && c < 0x7f && (c != '\\' || keep_backslash);
        size_t need = plain ? 1 : 4;
        /* keep room for this byte, and for "..." + NUL should more follow */
        size_t reserve = (i + 1 < len) ? 4 : 1;
        if (o + need + reserve > cap) {
            if (o + 4 <= cap) memcpy(buf + o, "...", 3), o += 3;
            break;
        }
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return buf;
}

char *sc_dial_escape(char *buf, size_t cap, const char *s, size_t len)
{
    return escape(buf, cap, s, len, 0);
}

char *sc_dial_escape_pattern(char *buf, size_t cap, const char *s, size_t len)
{
    return escape(buf, cap, s, len, 1);
}

/* --- number syntax ------------------------------------------------------ */

/* Incremental, so that a dial string can be checked while it is built. */
typedef struct num_scan {
    size_t pos;             /* characters seen */
    size_t digits;
    size_t bad_pos;         /* 1-based position of the first bad byte, 0: none */
    unsigned char bad;
} num_scan;

static inline void scan_feed(num_scan *s, unsigned char c)
{
    s->pos++;
    if (s->bad_pos) return;
    if (c >= '0' && c <= '9') s->digits++;
    else if (!(c == '+' && s->pos == 1)) { s->bad_pos = s->pos; s->bad = c; }
}

/* 0 when the scanned text is a valid number, else the refusal code; the
 * reason goes to @p why ("'@' at position 8 is not allowed ..."). */
static int scan_verdict(const num_scan *s, char *why, size_t cap)
{
    if (s->bad_pos) {
        if (s->bad >= 0x20 && s->bad < 0x7f && s->bad != '\\')
            snprintf(why, cap, "'%c' at position %zu is not allowed (only digits and one leading '+')",
                     s->bad, s->bad_pos);
        else
            snprintf(why, cap, "byte \\x%02X at position %zu is not allowed (only digits and one leading '+')",
                     s->bad, s->bad_pos);
        return SC_DIAL_BAD_NUMBER;
    }
    if (s->pos == 0) { snprintf(why, cap, "it is empty"); return SC_DIAL_BAD_NUMBER; }
    if (s->digits == 0) { snprintf(why, cap, "it has no digits"); return SC_DIAL_BAD_NUMBER; }
    if (s->digits > SC_DIAL_MAX_DIGITS) {
        snprintf(why, cap, "it has %zu digits, more than %d", s->digits, SC_DIAL_MAX_DIGITS);
        return SC_DIAL_TOO_LONG;
    }
    return 0;
}

/* The fast path: one pass over the digits, no formatting. Returns 1 and
 * the length for a valid number; else 0, with @p s describing the first
 * problem (scan_verdict() says which). */
static inline int number_ok(const char *number, size_t *len, num_scan *s)
{
    const char *digits = number + (number[0] == '+'), *p = digits;
    while (*p >= '0' && *p <= '9') p++;
    if (!*p && p > digits && (size_t)(p - digits) <= SC_DIAL_MAX_DIGITS) {
        *len = (size_t)(p - number);
        return 1;
    }
    /* Slow path: find the first offending byte, or count all the digits. */
    memset(s, 0, sizeof *s);
    for (p = number; *p && !s->bad_pos; p++) scan_feed(s, (unsigned char)*p);
    return 0;
}

static int refuse_number(const char *number, const num_scan *s)
{
    char why[160], show[SC_DIAL_SHOW_SIZE];
    int code = scan_verdict(s, why, sizeof why);
    return REFUSE(code, "number '%s' refused: %s",
                  sc_dial_escape(show, sizeof show, number, strnlen(number, sizeof show)), why);
}

/* --- construction ------------------------------------------------------- */

static sc_dialrule *rule_alloc(int kind)
{
    sc_dialrule *r = g_new0(sc_dialrule, 1);
    r->kind = kind;
    sc_emerg_set_init(&r->emerg);
    return r;
}

SC_API sc_dialrule *sc_dialrule_new_prefix(const char *prefix)
{
    char show[SC_DIAL_SHOW_SIZE];
    sc_dialrule *r;
    size_t len, i;

    if (!prefix) { sc_fail(SC_EINVAL, "dial prefix: none given"); return NULL; }
    len = strlen(prefix);
    if (len == 0) {
        sc_fail(SC_EINVAL, "dial prefix is empty: that rule would allow every number");
        return NULL;
    }
    for (i = 0; i < len; i++) {
        char c = prefix[i];
        if (!((c >= '0' && c <= '9') || (c == '+' && i == 0))) {
            sc_fail(SC_EINVAL, "dial prefix '%s': character %zu is not a digit (a prefix is digits, or '+' then digits)",
                    sc_dial_escape(show, sizeof show, prefix, len), i + 1);
            return NULL;
        }
    }
    if (!strcmp(prefix, "+")) {
        sc_fail(SC_EINVAL, "dial prefix '+' alone would allow every international number: add the digits that follow");
        return NULL;
    }
    if (len > SC_DIAL_MAX_PREFIX) {
        sc_fail(SC_EINVAL, "dial prefix '%s' is longer than %d characters",
                sc_dial_escape(show, sizeof show, prefix, len), SC_DIAL_MAX_PREFIX);
        return NULL;
    }

    r = rule_alloc(RULE_PREFIX);
    memcpy(r->prefix, prefix, len + 1);
    r->prefix_len = len;
    /* The regex this rule stands for, as on the Skype Connect page. */
    r->text = g_strdup_printf("^(%s%s\\d+)$", prefix[0] == '+' ? "\\" : "", prefix);
    r->describe = g_strdup_printf("prefix %s: %s", prefix, r->text);
    sc_clear_error();
    return r;
}

/* GLib's compile error reads "Error while compiling regular expression 'P'
 * at char N: REASON"; P is the raw pattern (any bytes), so keep only what
 * follows "at char", escaped. */
static void regex_reason(const GError *err, char *out, size_t cap)
{
    const char *m = err->message, *at = strstr(m, " at char ");
    if (at) m = at + 1;
    sc_dial_escape(out, cap, m, strlen(m));
}

static int check_format(const char *format, int ncap, const char *shown_pattern)
{
    char show[SC_DIAL_SHOW_SIZE];
    size_t flen = strlen(format);
    if (!flen) return sc_fail(SC_EINVAL, "dial format for %s is empty", shown_pattern);
    for (size_t i = 0; i < flen; i++) {
        char c = format[i];
        if (c == '$') {
            char n = format[i + 1];
            if (n >= '0' && n <= '9') {
                if (n - '0' > ncap)
                    return sc_fail(SC_EINVAL, "dial format '%s' refers to $%c but %s has %d capture group%s",
                                   sc_dial_escape(show, sizeof show, format, flen), n, shown_pattern,
                                   ncap, ncap == 1 ? "" : "s");
                i++;
                continue;
            }
            if (n == '$')
                /* '$$' is a literal '$' (FreeSWITCH's escape), and a '$'
                 * can never be part of a number to dial. */
                return sc_fail(SC_EINVAL, "dial format '%s': '$$' at position %zu is a literal '$', "
                               "which can never be part of a number",
                               sc_dial_escape(show, sizeof show, format, flen), i + 1);
            return sc_fail(SC_EINVAL, "dial format '%s': '$' at position %zu must be followed by a digit 0-9 (or '$')",
                           sc_dial_escape(show, sizeof show, format, flen), i + 1);
        }
        /* Anything but digits and '+' would make every result an invalid
         * number: say so now rather than refuse every call later. */
        if (!((c >= '0' && c <= '9') || c == '+'))
            return sc_fail(SC_EINVAL, "dial format '%s': character %zu is not a digit, '+' or a $N reference "
                           "(the result must be a number)",
                           sc_dial_escape(show, sizeof show, format, flen), i + 1);
    }
    return SC_OK;
}

SC_API sc_dialrule *sc_dialrule_new_pattern(const char *pattern, const char *format)
{
    char reason[SC_DIAL_SHOW_SIZE];
    GError *err = NULL;
    GRegex *plain, *re;
    char *anchored, *shown;
    size_t plen;
    int ncap;
    sc_dialrule *r;

    if (!pattern) { sc_fail(SC_EINVAL, "dial pattern: none given"); return NULL; }
    plen = strlen(pattern);
    if (!plen) { sc_fail(SC_EINVAL, "dial pattern is empty"); return NULL; }
    if (plen > SC_DIAL_MAX_PATTERN) {
        sc_fail(SC_EINVAL, "dial pattern is %zu bytes long, more than %d", plen, SC_DIAL_MAX_PATTERN);
        return NULL;
    }
    shown = g_malloc(plen * 4 + 1);
    sc_dial_escape_pattern(shown, plen * 4 + 1, pattern, plen);

    /* GLib hands patterns to PCRE2 without checking their UTF-8, and PCRE2
     * then reads past a broken sequence: refuse those here. Configuration
     * is text; a pattern that is not is corrupted. */
    if (!g_utf8_validate(pattern, (gssize)plen, NULL)) {
        sc_fail(SC_EINVAL, "dial pattern '%s' is not valid UTF-8 text", shown);
        g_free(shown);
        return NULL;
    }

    /* Compile the pattern alone first: its own errors are the ones to
     * report, and a pattern that is not well-formed on its own could
     * escape the anchoring group below ("a)|(b"). */
    plain = g_regex_new(pattern, SC_DIAL_REGEX_FLAGS, 0, &err);
    if (!plain) {
        regex_reason(err, reason, sizeof reason);
        sc_fail(SC_EINVAL, "dial pattern '%s' is not a valid regular expression: %s", shown, reason);
        g_error_free(err);
        g_free(shown);
        return NULL;
    }
    ncap = g_regex_get_capture_count(plain);
    g_regex_unref(plain);

    /* The rule allows only numbers the pattern matches ENTIRELY, whether or
     * not the user wrote ^ and $ (FreeSWITCH would accept "00\d+" as a match
     * anywhere: "1900 00 1" would pass). \A and \z rather than ^ and $,
     * which also match before a final newline; the \E closes a \Q the
     * pattern may leave open (a lone \E is ignored). (?:...) keeps the
     * user's group numbers. check() additionally insists that the match
     * spans the whole number, in case a construct such as \K or (*ACCEPT)
     * ends a match early. */
    anchored = g_strdup_printf("\\A(?:%s\\E)\\z", pattern);
    re = g_regex_new(anchored, SC_DIAL_REGEX_FLAGS | G_REGEX_OPTIMIZE, 0, &err);
    g_free(anchored);
    if (!re || g_regex_get_capture_count(re) != ncap) {
        if (err) regex_reason(err, reason, sizeof reason);
        else g_strlcpy(reason, "its groups change when anchored", sizeof reason);
        sc_fail(SC_EINVAL, "dial pattern '%s' cannot be anchored to the whole number: %s "
                "(extended-mode comments and leading (*VERB)s are not supported)", shown, reason);
        if (err) g_error_free(err);
        if (re) g_regex_unref(re);
        g_free(shown);
        return NULL;
    }

    if (!format) format = ncap >= 1 ? "$1" : "$0";
    if (check_format(format, ncap, shown) != SC_OK) {
        g_regex_unref(re);
        g_free(shown);
        return NULL;
    }

    r = rule_alloc(RULE_PATTERN);
    r->re = re;
    r->format = g_strdup(format);
    r->text = shown;
    r->describe = g_strdup_printf("%s -> %s", shown, format);
    sc_clear_error();
    return r;
}

SC_API void sc_dialrule_free(sc_dialrule *rule)
{
    if (!rule) return;
    if (rule->re) g_regex_unref(rule->re);
    g_free(rule->format);
    g_free(rule->text);
    g_free(rule->describe);
    sc_emerg_set_clear(&rule->emerg);
    g_free(rule);
}

SC_API int sc_dialrule_set_emergency_country(sc_dialrule *rule, const char *country)
{
    char show[SC_DIAL_SHOW_SIZE], known[128], what[32];
    const char *list;
    int rc;

    if (!rule) return sc_fail(SC_EINVAL, "emergency country: no dial rule given");
    if (!country) return sc_fail(SC_EINVAL, "emergency country: none given");
    list = sc_emerg_country_list(country);
    if (!list)
        return sc_fail(SC_ENOTFOUND, "no emergency-number list for country '%s' (known: %s)",
                       sc_dial_escape(show, sizeof show, country, strlen(country)),
                       sc_emerg_known_countries(known, sizeof known));
    snprintf(what, sizeof what, "country %s", country);
    rc = sc_emerg_set_add_list(&rule->emerg, list, what);
    if (rc == SC_OK) sc_clear_error();
    return rc;
}

SC_API int sc_dialrule_add_emergency(sc_dialrule *rule, const char *numbers)
{
    int rc;
    if (!rule) return sc_fail(SC_EINVAL, "emergency numbers: no dial rule given");
    rc = sc_emerg_set_add_list(&rule->emerg, numbers, "emergency numbers");
    if (rc == SC_OK) sc_clear_error();
    return rc;
}

SC_API const char *sc_dialrule_describe(const sc_dialrule *rule)
{
    return rule ? rule->describe : "no dial rule";
}

void sc_dialrule_get_parts(const sc_dialrule *rule, sc_dialrule_parts *out)
{
    out->is_prefix = rule->kind == RULE_PREFIX;
    out->prefix = rule->prefix;
    out->pattern = rule->re ? g_regex_get_pattern(rule->re) : NULL;
    out->format = rule->format;
    out->emerg = &rule->emerg;
}

/* --- checking ----------------------------------------------------------- */

static int refuse_emergency(const char *number, int off)
{
    if (off == 0)
        return REFUSE(SC_DIAL_EMERGENCY,
                      "%s is an emergency number: the trunk provider forbids emergency calls", number);
    return REFUSE(SC_DIAL_EMERGENCY,
                  "%s is an emergency number (%s after the prefix %.*s): the trunk provider forbids emergency calls",
                  number, number + off, off, number);
}

/* Pattern rules: match, then build the dial string into @p out (a valid,
 * non-emergency number on success). */
static int check_pattern(const sc_dialrule *rule, const char *number, size_t len,
                         char *out, size_t cap, size_t *out_len)
{
    GMatchInfo *mi = NULL;
    GError *err = NULL;
    gint start = -1, end = -1;
    num_scan s;
    size_t o = 0;
    int off, code;
    char why[160];

    if (!g_regex_match_full(rule->re, number, (gssize)len, 0, 0, &mi, &err)
        || !g_match_info_fetch_pos(mi, 0, &start, &end) || start != 0 || (size_t)end != len) {
        int rc;
        if (err) {
            /* GLib's text is "Error while matching regular expression P:
             * REASON", P being our anchored form: keep the REASON. */
            char reason[SC_DIAL_SHOW_SIZE];
            const char *m = strrchr(err->message, ':');
            m = (m && m[1] == ' ') ? m + 2 : err->message;
            sc_dial_escape_pattern(reason, sizeof reason, m, strlen(m));
            /* e.g. the backtracking limit: not a match, so refuse */
            rc = REFUSE(SC_DIAL_NO_MATCH, "number %s: the dial rule %s could not be evaluated (%s)",
                        number, rule->text, reason);
            g_error_free(err);
        } else {
            rc = REFUSE(SC_DIAL_NO_MATCH, "number %s does not match the dial rule %s", number, rule->text);
        }
        g_match_info_free(mi);
        return rc;
    }

    /* Substitute, checking the result as it is written: the output buffer
     * keeps what fits (any acceptable number does), the scan sees it all. */
    memset(&s, 0, sizeof s);
    for (const char *f = rule->format; *f; f++) {
        if (*f == '$' && f[1] >= '0' && f[1] <= '9') {
            gint gs = -1, ge = -1;
            /* A group that did not take part has no position: empty. */
            if (g_match_info_fetch_pos(mi, f[1] - '0', &gs, &ge) && gs >= 0 && ge > gs) {
                for (gint i = gs; i < ge; i++) {
                    if (o + 1 < cap) out[o++] = number[i];
                    scan_feed(&s, (unsigned char)number[i]);
                }
            }
            f++;
        } else {
            /* '$$' cannot reach here (refused when the rule was made) but
             * would mean one '$', which the scan then refuses. */
            if (*f == '$' && f[1] == '$') f++;
            if (o + 1 < cap) out[o++] = *f;
            scan_feed(&s, (unsigned char)*f);
        }
    }
    out[o] = '\0';
    g_match_info_free(mi);

    code = scan_verdict(&s, why, sizeof why);
    if (code) {
        char show[SC_DIAL_SHOW_SIZE];
        return REFUSE(code, "the dial rule %s turns %s into '%s', which is refused: %s",
                      rule->describe, number, sc_dial_escape(show, sizeof show, out, o), why);
    }
    off = sc_emerg_match(&rule->emerg, out, o);
    if (off >= 0) {
        if (off == 0)
            return REFUSE(SC_DIAL_EMERGENCY, "the dial rule %s turns %s into %s, an emergency number: "
                          "the trunk provider forbids emergency calls", rule->describe, number, out);
        return REFUSE(SC_DIAL_EMERGENCY, "the dial rule %s turns %s into %s, an emergency number "
                      "(%s after the prefix %.*s): the trunk provider forbids emergency calls",
                      rule->describe, number, out, out + off, off, out);
    }
    *out_len = o;
    return SC_OK;
}

SC_API int sc_dialrule_check(const sc_dialrule *rule, const char *number, char **dial_out)
{
    /* Room for the longest valid number: '+', SC_DIAL_MAX_DIGITS digits, NUL. */
    char built[SC_DIAL_MAX_DIGITS + 2];
    const char *dial;
    size_t len, dial_len = 0;
    num_scan s;
    int off;

    if (dial_out) *dial_out = NULL;
    if (!rule)
        return REFUSE(SC_DIAL_NO_RULE,
                      "dial-out refused: the gateway has no dial rule (set dial-prefix or dial-pattern)");
    if (!number) return REFUSE(SC_DIAL_BAD_NUMBER, "no number given");
    if (!number_ok(number, &len, &s)) return refuse_number(number, &s);

    off = sc_emerg_match(&rule->emerg, number, len);
    if (off >= 0) return refuse_emergency(number, off);

    if (rule->kind == RULE_PREFIX) {
        /* ^(PREFIX\d+)$ by hand. The number is already '+'? digits, and the
         * prefix is too, so "starts with the prefix and is longer" is the
         * whole test: what follows can only be digits. */
        if (len <= rule->prefix_len || memcmp(number, rule->prefix, rule->prefix_len))
            return REFUSE(SC_DIAL_NO_MATCH, "number %s does not match the dial rule %s", number, rule->text);
        dial = number;          /* $1 is the whole number: nothing to re-check */
        dial_len = len;
    } else {
        int rc = check_pattern(rule, number, len, built, sizeof built, &dial_len);
        if (rc != SC_OK) return rc;
        dial = built;
    }

    if (dial_out) *dial_out = g_strndup(dial, dial_len);
    last_refusal = SC_DIAL_OK;
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_dialrule_is_emergency(const sc_dialrule *rule, const char *number)
{
    num_scan s;
    size_t len;
    /* Not a number, or too long to be one: not an emergency number (check()
     * refuses such strings anyway, for their syntax). */
    if (!number || !number_ok(number, &len, &s)) return 0;
    return sc_emerg_match(rule ? &rule->emerg : NULL, number, len) >= 0;
}

int sc_dial_check_wire(const sc_dialrule *rule, const char *dial, const char *wire)
{
    char why[160], show[SC_DIAL_SHOW_SIZE];
    num_scan s;
    size_t len;
    int off;
    if (!wire || !number_ok(wire, &len, &s)) {
        int code;
        if (!wire) return REFUSE(SC_DIAL_BAD_NUMBER, "no number to send");
        code = scan_verdict(&s, why, sizeof why);
        return REFUSE(code, "%s would go on the wire as '%s', which is refused: %s", dial,
                      sc_dial_escape(show, sizeof show, wire, strnlen(wire, sizeof show)), why);
    }
    off = sc_emerg_match(rule ? &rule->emerg : NULL, wire, len);
    if (off == 0)
        return REFUSE(SC_DIAL_EMERGENCY, "%s would go on the wire as %s, an emergency number: "
                      "the trunk provider forbids emergency calls", dial, wire);
    if (off > 0)
        return REFUSE(SC_DIAL_EMERGENCY, "%s would go on the wire as %s, an emergency number (%s after "
                      "the prefix %.*s): the trunk provider forbids emergency calls",
                      dial, wire, wire + off, off, wire);
    last_refusal = SC_DIAL_OK;
    return SC_OK;
}
