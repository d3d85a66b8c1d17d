/* Expansion of $N and ${var}, and regular expressions the way FreeSWITCH
 * runs them.
 *
 * FreeSWITCH substitutes captures when it builds the extension and expands
 * ${var} later, when each application runs; captured text (the dialled
 * number, the caller's name) is then expanded again, so a caller who dials
 * "${...}" reaches the variable expander. Here both happen in one pass and
 * captured text is copied verbatim: same result for every ordinary call,
 * nothing for a caller to inject. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "dialplan_priv.h"

typedef struct expander {
    GString *out;
    char *const *captures;  /* NULL: $N is plain text */
    guint ncaptures;
    dp_lookup_fn lookup;
    void *user;
    bool cut;
    int depth;
    const char *data_safe;  /* NULL: no check; else the punctuation a value may hold */
    char *tainted;          /* the first value that held anything else */
} expander;

static void put(expander *e, const char *s, size_t n)
{
    if (e->out->len + n > DP_MAX_EXPANDED) {
        n = DP_MAX_EXPANDED - e->out->len;
        e->cut = true;
    }
    g_string_append_len(e->out, s, (gssize)n);
}

/* What a capture or a variable gives is data (a number, a name), never
 * syntax of the action it lands in: a value with a separator in it would
 * let a caller who dials "00x,sofia/gateway/skype/4930123456" add a bridge
 * target. Such a value is remembered, and the action refused. */
static void put_value(expander *e, const char *value)
{
    size_t n = strlen(value);
    if (e->data_safe && !e->tainted) {
        for (size_t i = 0; i < n; i++) {
            if (!g_ascii_isalnum(value[i]) && !strchr(e->data_safe, value[i])) {
                e->tainted = g_strdup(value);
                break;
            }
        }
    }
    put(e, value, n);
}

/* Capture number @p digits (n of them); "" when it does not exist or did not
 * take part, as pcre_get_substring gives FreeSWITCH. */
static const char *capture(const expander *e, const char *digits, size_t n)
{
    if (n > 4) return ""; /* no pattern under DP_MAX_PATTERN bytes has 10,000 groups */
    char buf[5];
    memcpy(buf, digits, n);
    buf[n] = '\0';
    guint i = (guint)atoi(buf);
    return i < e->ncaptures && e->captures[i] ? e->captures[i] : "";
}

/* The '}' closing the "${" at @p open, counting nested "${", or NULL. */
static const char *closing_brace(const char *open, const char *end)
{
    int depth = 0;
    for (const char *p = open; p < end; p++) {
        if (*p == '{') depth++;
        else if (*p == '}' && --depth == 0) return p;
    }
    return NULL;
}

static void expand_into(expander *e, const char *text, size_t len);

/* ${...} whose body is [inner, inner + n). */
static void expand_braced(expander *e, const char *inner, size_t n)
{
    if (e->captures && n > 0 && strspn(inner, "0123456789") >= n) {
        put_value(e, capture(e, inner, n));
        return;
    }
    char *name;
    if (memchr(inner, '$', n) && e->depth < DP_MAX_EXPAND_NESTING) {
        /* ${prefix_${suffix}}: the name is expanded first, as FreeSWITCH does. */
        GString *saved = e->out;
        e->out = g_string_new(NULL);
        e->depth++;
        expand_into(e, inner, n);
        e->depth--;
        name = g_string_free(e->out, FALSE);
        e->out = saved;
    } else {
        name = g_strndup(inner, n);
    }
    const char *value = e->lookup(name, e->user);
    if (value) put_value(e, value);
    g_free(name);
}

/* Handles the '$' at @p p; returns where to go on. */
static const char *expand_dollar(expander *e, const char *p, const char *end)
{
    if (p + 2 < end && p[1] == '$' && p[2] == '{') {
        /* $${name}: FreeSWITCH's preprocessor, which does not run here (the
         * loader warned). Kept as written. */
        const char *close = closing_brace(p + 2, end);
        const char *next = close ? close + 1 : end;
        put(e, p, (size_t)(next - p));
        return next;
    }
    if (e->captures && p + 1 < end && g_ascii_isdigit(p[1])) {
        const char *q = p + 1;
        while (q < end && g_ascii_isdigit(*q)) q++;
        put_value(e, capture(e, p + 1, (size_t)(q - p - 1)));
        return q;
    }
    if (p + 1 < end && p[1] == '{') {
        const char *close = closing_brace(p + 1, end);
        if (!close) {
            put(e, p, (size_t)(end - p));
            return end;
        }
        expand_braced(e, p + 2, (size_t)(close - p - 2));
        return close + 1;
    }
    put(e, p, 1);
    return p + 1;
}

static void expand_into(expander *e, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end && !e->cut) {
        const char *dollar = memchr(p, '$', (size_t)(end - p));
        if (!dollar) {
            put(e, p, (size_t)(end - p));
            break;
        }
        put(e, p, (size_t)(dollar - p));
        p = expand_dollar(e, dollar, end);
    }
}

char *dp_expand_data(const char *text, char *const *captures, dp_lookup_fn lookup, void *user,
                     bool *cut, const char *data_safe, char **tainted)
{
    expander e = {
        .out = g_string_new(NULL), .captures = captures,
        .ncaptures = captures ? g_strv_length((char **)captures) : 0,
        .lookup = lookup, .user = user, .data_safe = data_safe,
    };
    expand_into(&e, text, strlen(text));
    if (cut) *cut = e.cut;
    if (tainted) *tainted = e.tainted;
    else g_free(e.tainted);
    return g_string_free(e.out, FALSE);
}

char *dp_expand(const char *text, char *const *captures, dp_lookup_fn lookup, void *user,
                bool *cut)
{
    return dp_expand_data(text, captures, lookup, user, cut, NULL, NULL);
}

/* ---------------------------------------------------------------------------
 * Load-time checks of ${...}
 * ------------------------------------------------------------------------- */

static bool is_plain_name(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && !strchr("_.-$", s[i])) return false;
    return n > 0;
}

char *dp_expand_check(const char *text)
{
    const char *end = text + strlen(text);
    /* One pass: after a closed ${...} the scan goes on behind it, so that
     * "${${${..." costs linear time. */
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
        if (p[1] == '$' && p[2] == '{')
            return g_strdup("'$${...}' is a FreeSWITCH preprocessor variable, which "
                            "libskypeconnect does not expand: it stays as written");
        if (p[1] != '{') continue;
        const char *close = closing_brace(p + 1, end);
        if (!close) break; /* expanded as written: nothing to say */
        const char *inner = p + 2;
        size_t n = (size_t)(close - inner);
        /* Nested ${a${b}} passes: its inner names are plain or not checked. */
        if (!is_plain_name(inner, n) && !memchr(inner, '{', n))
            return g_strdup_printf("'${%.*s}' is not a plain variable: libskypeconnect expands "
                                   "only ${name} (no API calls, no substrings), so it expands "
                                   "to \"\"", (int)MIN(n, 60), inner);
        p = close;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Regular expressions
 * ------------------------------------------------------------------------- */

GRegex *dp_regex_compile(const char *pattern, GRegexCompileFlags flags, char **error)
{
    if (strlen(pattern) > DP_MAX_PATTERN) {
        *error = g_strdup_printf("regular expression longer than %d bytes (GRegex cannot "
                                 "bound a match's time, so long patterns are refused)",
                                 DP_MAX_PATTERN);
        return NULL;
    }
    GError *gerr = NULL;
    /* RAW: bytes, not UTF-8, like FreeSWITCH's pcre_compile(expr, 0, ...);
     * a caller's name need not be valid UTF-8. */
    GRegex *re = g_regex_new(pattern, flags | G_REGEX_RAW, 0, &gerr);
    if (!re) {
        *error = g_strdup_printf("regular expression '%s' does not compile: %s", pattern,
                                 gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    *error = NULL;
    return re;
}

/* FreeSWITCH's "/re/flags": i caseless, s dot matches newline. */
static char *split_slashes(dp_match *m)
{
    const char *body = m->expression + 1;
    const char *last = strrchr(body, '/');
    if (!last)
        return g_strdup_printf("expression '%s' starts with '/' but has no closing '/' "
                               "(FreeSWITCH never matches it)", m->expression);
    m->pattern = g_strndup(body, (gsize)(last - body));
    if (strchr(last + 1, 'i')) m->flags |= G_REGEX_CASELESS;
    if (strchr(last + 1, 's')) m->flags |= G_REGEX_DOTALL;
    return NULL;
}

char *dp_match_prepare(dp_match *m)
{
    m->flags = 0;
    m->has_group = strchr(m->expression, '(') != NULL;
    if (m->expression[0] == '_')
        return g_strdup_printf("expression '%s' is an Asterisk-style pattern (leading '_'), "
                               "which FreeSWITCH converts and libskypeconnect does not: write "
                               "a regular expression", m->expression);
    if (m->expression[0] == '/') {
        char *error = split_slashes(m);
        if (error) return error;
    } else {
        m->pattern = g_strdup(m->expression);
    }
    if (strstr(m->pattern, "${")) {
        /* Depends on the call: compiled when routing. Only the length is
         * known now. */
        return strlen(m->pattern) > DP_MAX_PATTERN
                   ? g_strdup_printf("regular expression longer than %d bytes", DP_MAX_PATTERN)
                   : NULL;
    }
    char *error = NULL;
    m->re = dp_regex_compile(m->pattern, m->flags, &error);
    return error;
}
