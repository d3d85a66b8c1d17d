/* The one constructor of a gateway's dial rule, and the number path.
 *
 * Why one: the rule used to be built twice, from struct fields for a
 * session and from strings with atoi() for a policy, and a configuration
 * the builder refused silently became "no rule" in one of them: dialplan
 * bridges then fell back to an any-number rule. Now a rule that cannot be
 * built is a configuration error (gateway.c calls this builder from its
 * checks, so `check`, `run` and the library accept the same files), and the
 * two users build it here. */
#include <string.h>
#include <glib.h>

#include "gateway_rule.h"
#include "dialrule_int.h"
#include "error_priv.h"

static bool is_set(const char *s)
{
    return s && *s;
}

/* The rule of a dialplan bridge through a gateway without its own rule: the
 * dialplan's condition chose the number, any digits may leave. */
#define ANY_NUMBER_PATTERN "^\\+?[0-9]+$"

static sc_dialrule *rule_of(const sc_gateway *gw, bool any_number, const char **bad)
{
    sc_dialrule *rule;
    if (is_set(gw->dial_prefix)) {
        *bad = "dial-prefix";
        return sc_dialrule_new_prefix(gw->dial_prefix);
    }
    if (is_set(gw->dial_pattern)) {
        const char *format = is_set(gw->dial_format) ? gw->dial_format : NULL;
        rule = sc_dialrule_new_pattern(gw->dial_pattern, format);
        if (!rule && format) {
            /* Blame the parameter that is wrong: the pattern alone builds? */
            char *why = g_strdup(sc_last_error());
            sc_dialrule *probe = sc_dialrule_new_pattern(gw->dial_pattern, NULL);
            *bad = probe ? "dial-format" : "dial-pattern";
            sc_dialrule_free(probe);
            sc_fail(SC_EINVAL, "%s", why);  /* the probe cleared it */
            g_free(why);
        } else {
            *bad = "dial-pattern";
        }
        return rule;
    }
    *bad = NULL;
    return any_number ? sc_dialrule_new_pattern(ANY_NUMBER_PATTERN, "$0") : NULL;
}

int sc_gw_rule_build(const sc_gateway *gw, bool any_number_if_none, sc_dialrule **out,
                     const char **bad_param)
{
    const char *bad = NULL, *unused;
    sc_dialrule *rule;
    *out = NULL;
    if (!bad_param) bad_param = &unused;
    *bad_param = NULL;
    rule = rule_of(gw, any_number_if_none, &bad);
    if (!rule && bad) {
        *bad_param = bad;
        return sc_fail(SC_ECONFIG, "%s", sc_last_error());   /* the same text, this status */
    }
    if (!rule) {
        sc_clear_error();
        return SC_OK;
    }
    if (is_set(gw->emergency_country) && sc_dialrule_set_emergency_country(rule, gw->emergency_country)) {
        *bad_param = "emergency-country";
    } else if (is_set(gw->emergency_numbers) && sc_dialrule_add_emergency(rule, gw->emergency_numbers)) {
        *bad_param = "emergency-numbers";
    } else {
        *out = rule;
        sc_clear_error();
        return SC_OK;
    }
    sc_dialrule_free(rule);
    return sc_fail(SC_ECONFIG, "%s", sc_last_error());   /* the same text, this status */
}

int sc_gw_rule_wire(const sc_dialrule *rule, const char *destination_prefix, const char *number,
                    char **dial_out, char **wire_out)
{
    char *dial = NULL, *wire;
    int rc;
    *wire_out = NULL;
    if (dial_out) *dial_out = NULL;
    rc = sc_dialrule_check(rule, number, &dial);
    if (rc != SC_OK) return rc;
    /* Every rewrite is done by now: what is checked below is the user part
     * of the Request-URI, byte for byte (destination-prefix "1" turns an
     * allowed "12" into "112"). */
    wire = g_strconcat(destination_prefix ? destination_prefix : "", dial, NULL);
    rc = sc_dial_check_wire(rule, number, wire);
    if (rc != SC_OK) {
        g_free(dial);
        g_free(wire);
        return rc;
    }
    if (dial_out) *dial_out = dial;
    else g_free(dial);
    *wire_out = wire;
    sc_clear_error();
    return SC_OK;
}
