/* A gateway's dial rule and emergency numbers as regular expressions, for an
 * edge proxy that must refuse what the library refuses.
 *
 * Why expressions and not a list: the proxy sees the number on the wire, with
 * whatever prefixes the dialler put in front of it, and the library counts
 * "+44999" and "00 00 112" as emergency numbers too (emergency.c). So the
 * export is the library's prefix stripping turned into a regular language:
 *
 *   ^([+][0-9]{0,3})?(0|00[0-9]{0,3}|011[0-9]{0,3})*(LIST)$
 *
 * a '+' (only at the start) with a country code of up to 3 digits, then any
 * sequence of trunk '0's and international prefixes each with its country
 * code, then exactly one listed number. The list is the built-in defaults
 * plus the rule's country and extra numbers, read from the same tables the
 * checks use. The unit test (tests/unit/test_rule_export.c) compares the
 * expression with sc_dialrule_is_emergency() over every short number, so the
 * two cannot drift apart unnoticed.
 *
 * POSIX ERE, no backslashes: Kamailio's `=~` is regcomp(REG_EXTENDED), and a
 * backslash means something different in every configuration language's
 * string literals. A dial-pattern (PCRE) is translated when it only uses the
 * regular subset both dialects share with the same meaning; anchored on both
 * ends, ERE's leftmost-longest and PCRE's backtracking accept the same
 * strings for it. Anything else (lookarounds, backreferences, lazy
 * quantifiers, classes like \w) is not translated: the edge then checks the
 * number syntax only and says so. */
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_rule_export.h"
#include "dialrule_view.h"
#include "gateway_rule.h"
#include "error_priv.h"
#include "free_all.h"

struct sc_rule_export {
    char *emergency_regex;
    char *emergency_list;
    char *dial_regex;       /* NULL: no rule */
    char *number_regex;     /* the syntax of any number on the wire */
    int dial_exact;
    char *describe;
};

/* What a valid number looks like on the wire (dialrule.c's syntax check):
 * a '+' can only lead, so after a destination-prefix there is none. */
static char *number_regex(const char *dest)
{
    return g_strdup_printf("^%s%s[0-9]{1,%d}$", dest, *dest ? "" : "[+]?", SC_DIAL_MAX_DIGITS);
}

static gint cmp_numbers(gconstpointer a, gconstpointer b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    /* by length, then digits: "15,17,18,000,100,..." reads as a list */
    if (lx != ly) return lx < ly ? -1 : 1;
    return strcmp(x, y);
}

static void add_unique(GPtrArray *list, const char *digits)
{
    for (guint i = 0; i < list->len; i++)
        if (!strcmp(list->pdata[i], digits)) return;
    g_ptr_array_add(list, (gpointer)digits);
}

static void build_emergency(sc_rule_export *x, const sc_emerg_set *extra)
{
    GPtrArray *list = g_ptr_array_new();
    GString *re = g_string_new("^([+][0-9]{0,3})?(0|00[0-9]{0,3}|011[0-9]{0,3})*(");
    for (size_t i = 0; i < sc_emerg_default_count(); i++) add_unique(list, sc_emerg_default_at(i)->digits);
    for (size_t i = 0; extra && i < extra->count; i++) add_unique(list, extra->entries[i].digits);
    g_ptr_array_sort(list, cmp_numbers);
    g_ptr_array_add(list, NULL);
    x->emergency_list = g_strjoinv(",", (char **)list->pdata);
    for (guint i = 0; list->pdata[i]; i++) g_string_append_printf(re, "%s%s", i ? "|" : "", (char *)list->pdata[i]);
    g_string_append(re, ")$");
    x->emergency_regex = g_string_free(re, FALSE);
    g_ptr_array_free(list, TRUE);
}

/* The prefix as ERE: '+' in a bracket, digits as they are. */
static void append_literal(GString *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '+') g_string_append(out, "[+]");
        else g_string_append_c(out, *s);
    }
}

/* Translates the body of a PCRE dial-pattern (no outer anchors) into ERE,
 * or returns NULL when it uses anything outside the shared subset. */
static char *pcre_to_ere(const char *p, size_t len)
{
    GString *out = g_string_new(NULL);
    int depth = 0, in_class = 0, after_quant = 0, after_atom = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        int quant = 0;
        if (in_class) {
            if (c == ']') in_class = 0, after_atom = 1;
            else if (c == '\\' && i + 1 < len && p[i + 1] == 'd') { g_string_append(out, "0-9"); i++; continue; }
            else if (c == '\\' && i + 1 < len && p[i + 1] == '+') { g_string_append_c(out, '+'); i++; continue; }
            else if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || (c == '^' && p[i - 1] == '['))) goto fail;
            g_string_append_c(out, c);
            continue;
        }
        if (c >= '0' && c <= '9') { g_string_append_c(out, c); after_atom = 1; after_quant = 0; continue; }
        switch (c) {
        case '\\':
            if (i + 1 >= len) goto fail;
            if (p[i + 1] == 'd') g_string_append(out, "[0-9]");
            else if (p[i + 1] == '+') g_string_append(out, "[+]");
            else goto fail;
            i++;
            after_atom = 1;
            break;
        case '[':
            if (i + 1 < len && p[i + 1] == ']') goto fail;
            in_class = 1;
            g_string_append_c(out, c);
            break;
        case '(':
            if (i + 1 < len && p[i + 1] == '?') {
                /* (?:...) is a group in ERE too */
                if (i + 2 < len && p[i + 2] == ':') i += 2;
                else goto fail;
            }
            depth++;
            g_string_append_c(out, '(');
            after_atom = 0;
            break;
        case ')':
            if (--depth < 0) goto fail;
            g_string_append_c(out, c);
            after_atom = 1;
            break;
        case '|':
            g_string_append_c(out, c);
            after_atom = 0;
            break;
        case '?': case '*': case '+':
            quant = 1;
            break;
        case '{': {
            size_t j = i + 1;
            while (j < len && ((p[j] >= '0' && p[j] <= '9') || p[j] == ',')) j++;
            if (j >= len || p[j] != '}' || j == i + 1) goto fail;
            quant = 2;
            g_string_append_len(out, p + i, (gssize)(j - i + 1));
            i = j;
            break;
        }
        default:
            goto fail;
        }
        if (quant) {
            /* a quantifier must follow an atom, and lazy or possessive
             * forms ("+?", "*+") mean something else in ERE */
            if (!after_atom || after_quant) goto fail;
            if (quant == 1) g_string_append_c(out, c);
            after_quant = 1;
        } else {
            after_quant = 0;
        }
    }
    if (depth || in_class) goto fail;
    return g_string_free(out, FALSE);
fail:
    g_string_free(out, TRUE);
    return NULL;
}

/* Whether group 1 of @p body spans all of it: "(...)" with the first '('
 * closed by the last character. */
static int group1_is_whole(const char *body, size_t len)
{
    int depth = 0, in_class = 0;
    if (len < 2 || body[0] != '(' || body[len - 1] != ')' || (len > 1 && body[1] == '?')) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (c == '\\') { i++; continue; }
        if (in_class) { if (c == ']') in_class = 0; continue; }
        if (c == '[') in_class = 1;
        else if (c == '(') depth++;
        else if (c == ')' && --depth == 0) return i == len - 1;
    }
    return 0;
}

/* The dial-pattern rule as ERE over the wire number, when its format sends
 * the matched number unchanged ("$0", or "$1" of a group around everything). */
static char *pattern_regex(const sc_dialrule_parts *parts, const char *dest)
{
    /* dialrule.c compiles "\A(?:" PATTERN "\E)\z" */
    const char *p = parts->pattern;
    size_t len = strlen(p);
    char *body, *ere, *out = NULL;
    if (len < 10 || strncmp(p, "\\A(?:", 5) || strcmp(p + len - 5, "\\E)\\z")) return NULL;
    p += 5;
    len -= 10;
    /* the user's own anchors are redundant (the rule is anchored anyway) */
    if (len && p[0] == '^') p++, len--;
    if (len && p[len - 1] == '$' && (len < 2 || p[len - 2] != '\\')) len--;
    body = g_strndup(p, len);
    if (strcmp(parts->format, "$0") && !(!strcmp(parts->format, "$1") && group1_is_whole(body, len))) {
        g_free(body);
        return NULL;
    }
    ere = pcre_to_ere(body, len);
    if (ere) {
        GString *s = g_string_new("^");
        append_literal(s, dest);
        g_string_append_printf(s, "(%s)$", ere);
        out = g_string_free(s, FALSE);
    }
    g_free(ere);
    g_free(body);
    return out;
}

SC_API sc_rule_export *sc_rule_export_dialrule(const sc_dialrule *rule, const char *destination_prefix)
{
    sc_dialrule_parts parts = { 0 };
    sc_rule_export *x;
    const char *dest = destination_prefix ? destination_prefix : "";
    for (const char *c = dest; *c; c++)
        if (*c < '0' || *c > '9')
            return sc_fail_null(SC_EINVAL, "destination-prefix '%s' is not digits: no expression can stand for it", dest);
    x = g_new0(sc_rule_export, 1);
    x->number_regex = number_regex(dest);
    if (rule) sc_dialrule_get_parts(rule, &parts);
    build_emergency(x, rule ? parts.emerg : NULL);
    if (!rule) {
        x->describe = g_strdup("no dial rule (dial-out is off)");
    } else if (parts.is_prefix) {
        GString *s = g_string_new("^");
        append_literal(s, dest);
        g_string_append_c(s, '(');
        append_literal(s, parts.prefix);
        g_string_append(s, "[0-9]+)$");
        x->dial_regex = g_string_free(s, FALSE);
        x->dial_exact = 1;
    } else {
        x->dial_regex = pattern_regex(&parts, dest);
        x->dial_exact = x->dial_regex != NULL;
        if (!x->dial_regex) x->dial_regex = number_regex(dest);
    }
    if (rule)
        x->describe = *dest ? g_strdup_printf("%s, destination-prefix %s", sc_dialrule_describe(rule), dest)
                            : g_strdup(sc_dialrule_describe(rule));
    sc_clear_error();
    return x;
}

SC_API sc_rule_export *sc_rule_export_gateway(const sc_gateway *gw)
{
    const char *bad = NULL;
    sc_dialrule *rule = NULL;
    sc_rule_export *x;
    bool has_rule;
    if (!gw) { sc_fail(SC_EINVAL, "rule export: no gateway given"); return NULL; }
    /* The one builder the session, the policy and the configuration check
     * use (gateway_rule.c). Without a dial rule it builds "any number" with
     * the gateway's emergency list: the list is still what the edge refuses,
     * while dial-out itself is off. */
    has_rule = (gw->dial_prefix && *gw->dial_prefix) || (gw->dial_pattern && *gw->dial_pattern);
    if (sc_gw_rule_build(gw, true, &rule, &bad) != SC_OK)
        return sc_fail_null(SC_ECONFIG, "gateway '%s': %s: %s", sc_gateway_name(gw), bad ? bad : "dial rule", sc_last_error());
    x = sc_rule_export_dialrule(rule, gw->destination_prefix);
    if (x && !has_rule) {
        g_free(x->dial_regex);
        g_free(x->describe);
        x->dial_regex = NULL;
        x->dial_exact = 0;
        x->describe = g_strdup("no dial rule (dial-out is off)");
    }
    sc_dialrule_free(rule);
    if (!x) sc_fail(SC_ECONFIG, "gateway '%s': %s", sc_gateway_name(gw), sc_last_error());
    return x;
}

SC_API void sc_rule_export_free(sc_rule_export *x)
{
    if (!x) return;
    SC_FREE_ALL(x->emergency_regex, x->emergency_list, x->dial_regex, x->number_regex, x->describe);
    g_free(x);
}

SC_API const char *sc_rule_export_emergency_regex(const sc_rule_export *x)
{
    return x ? x->emergency_regex : NULL;
}

SC_API const char *sc_rule_export_emergency_list(const sc_rule_export *x)
{
    return x ? x->emergency_list : NULL;
}

SC_API const char *sc_rule_export_dial_regex(const sc_rule_export *x)
{
    return x ? x->dial_regex : NULL;
}

SC_API const char *sc_rule_export_number_regex(const sc_rule_export *x)
{
    return x ? x->number_regex : NULL;
}

SC_API int sc_rule_export_dial_exact(const sc_rule_export *x)
{
    return x ? x->dial_exact : 0;
}

SC_API const char *sc_rule_export_describe(const sc_rule_export *x)
{
    return x ? x->describe : "no dial rule";
}
