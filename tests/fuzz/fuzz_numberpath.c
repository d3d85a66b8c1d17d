/* libFuzzer target for the whole number path: dialled number -> dialplan
 * expansion -> the gateway's rule -> dial-format -> destination-prefix ->
 * the user part on the wire.
 *
 * Input: one flags byte, then NUL-separated fields:
 *   RULE \0 FORMAT \0 DESTINATION-PREFIX \0 EMERGENCY-NUMBERS \0 TEMPLATE \0 NUMBER \0 NUMBER ...
 * flags bit 0: RULE is dial-prefix, else dial-pattern (with FORMAT unless bit 1);
 *       bit 2: set destination-prefix; bit 3: set emergency-numbers;
 *       bit 4: route each NUMBER through a dialplan bridging it to
 *              sofia/gateway/fz/TEMPLATE (TEMPLATE holds $1 or ${...}).
 *
 * It aborts when a promise breaks:
 *  - the configuration check and the rule builder disagree (a gateway that
 *    validates must build, one that does not must not build);
 *  - a dialplan expansion adds a bridge target, changes the gateway or
 *    carries a separator without the route saying the runtime refuses it;
 *  - an allowed wire number is not a clean number, is an emergency number
 *    (for the rule's list, or by a plain recursive reading of the prefix
 *    rule), does not start with the destination-prefix, or comes from a
 *    number outside a prefix rule. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_dialrule.h"
#include "skypeconnect/sc_dialplan.h"
#include "skypeconnect/sc_gateway.h"
#include "dialplan_int.h"
#include "dialrule_int.h"
#include "fuzz_common.h"
#include "gateway_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 12

static void expect(int cond, const char *what, const char *number)
{
    fuzz_expect("fuzz_numberpath", cond, what, number);
}

static int clean_number(const char *s)
{
    return fuzz_clean_number(s);
}

/* The defaults, for the independent reading below. */
static int listed(const char *s)
{
    static const char *const d[] = { "112", "911", "999", "000", "110", "118", "119", "100", "101", "102", "108" };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (!strcmp(s, d[i])) return 1;
    return 0;
}

/* Any sequence of strips (trunk '0'; '+', "00", "011" then 0-3 digits of
 * country code) leaving a listed number. The answer for a suffix depends
 * only on where it starts (the '+' only counts at the start), so each
 * suffix is read once: memo[i] is 0 unknown, 1 no, 2 yes. Without it a
 * dialled number of 35 zeros took the fuzzer over its 10-s limit (every '0'
 * and "00" strip branches), while wire numbers are short. */
static int reading_from(const char *s, size_t i, signed char *memo)
{
    const char *t = s + i;
    size_t intl = 0;
    int yes = 0;
    if (memo[i]) return memo[i] == 2;
    if (*t && listed(t)) yes = 1;
    if (!yes && *t == '0') yes = reading_from(s, i + 1, memo);
    if (i == 0 && *t == '+') intl = 1;
    else if (!strncmp(t, "00", 2)) intl = 2;
    else if (!strncmp(t, "011", 3)) intl = 3;
    for (size_t cc = 0; !yes && intl && cc <= 3 && strlen(t) > intl + cc; cc++)
        yes = reading_from(s, i + intl + cc, memo);
    memo[i] = yes ? 2 : 1;
    return yes;
}

static int emergency_by_reading(const char *s)
{
    signed char *memo = g_new0(signed char, strlen(s) + 1);
    int yes = reading_from(s, 0, memo);
    g_free(memo);
    return yes;
}

static char *xml_escape(const char *s)
{
    return g_markup_escape_text(s, -1);
}

/* The number the dialplan hands gateway "fz", or NULL when the route's
 * runtime would refuse the action (or nothing routes). */
static char *expand(const sc_dialplan *dp, const char *dialled)
{
    sc_call_fields *f = sc_call_fields_new();
    sc_route *r = NULL;
    char *out = NULL;
    if (sc_call_fields_set(f, "destination_number", dialled) != SC_OK
        || sc_dialplan_route(dp, "t", f, &r) != SC_OK || !r) {
        sc_call_fields_free(f);
        return NULL;
    }
    sc_call_fields_free(f);
    if (sc_route_action_count(r) == 1 && !dp_route_action_problem(r, 0)) {
        const char *d = sc_route_action_data(r, 0);
        /* what the session would split into targets and gateway/number */
        expect(!strpbrk(d, ",|"), "an expansion added a bridge target", dialled);
        expect(!strncmp(d, "sofia/gateway/fz/", 17), "an expansion changed the gateway", dialled);
        expect(!strchr(d + 17, '/'), "an expansion put a '/' into the number", dialled);
        out = g_strdup(d + 17);
    }
    sc_route_free(r);
    return out;
}

static void one_number(const sc_dialrule *rule, const char *rule_text, int is_prefix, const char *dest,
                       const char *number)
{
    char *dial = NULL, *wire = NULL;
    int rc = sc_gw_rule_wire(rule, dest, number, &dial, &wire);
    if (rc != SC_OK) {
        expect(rc == SC_EREFUSED, "refused without SC_EREFUSED", number);
        expect(wire == NULL && dial == NULL, "refused with a result", number);
        return;
    }
    expect(clean_number(wire), "the wire number is not a clean number", number);
    expect(!sc_dialrule_is_emergency(rule, wire), "the wire number is an emergency number", number);
    expect(!emergency_by_reading(wire), "the wire number is an emergency number (by reading)", number);
    expect(!emergency_by_reading(number), "the dialled number is an emergency number", number);
    expect(!strncmp(wire, dest ? dest : "", strlen(dest ? dest : "")), "the wire lost the destination-prefix",
           number);
    expect(!strcmp(wire + strlen(dest ? dest : ""), dial), "the wire is not prefix + dial string", number);
    if (is_prefix)
        expect(!strncmp(number, rule_text, strlen(rule_text)) && strlen(number) > strlen(rule_text),
               "a number outside the prefix rule went out", number);
    g_free(wire);
    g_free(dial);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned flags = 0;
    size_t nfields = 0;
    char *field[MAX_FIELDS], *buf = fuzz_fields(data, size, &flags, field, MAX_FIELDS, 6, &nfields);
    sc_dialrule *rule = NULL;
    sc_dialplan *dp = NULL;
    sc_gateway *gw;
    int valid, built;
    const char *dest;
    if (!buf) return 0;

    gw = sc_gateway_new("fz");
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", "127.0.0.1:5999");
    sc_gateway_set(gw, (flags & 1) ? "dial-prefix" : "dial-pattern", field[0]);
    if (!(flags & 1) && !(flags & 2)) sc_gateway_set(gw, "dial-format", field[1]);
    if (flags & 4) sc_gateway_set(gw, "destination-prefix", field[2]);
    if (flags & 8) sc_gateway_set(gw, "emergency-numbers", field[3]);
    dest = sc_gateway_get(gw, "destination-prefix");
    if (dest && !*dest) dest = NULL;

    /* one builder: what validates builds, what does not, does not */
    valid = sc_gateway_validate(gw) == SC_OK;
    built = sc_gw_rule_build(gw, 0, &rule, NULL) == SC_OK;
    if (valid) expect(built, "a configuration that validates does not build its rule", field[0]);
    if (!valid || !built || !rule) goto out;

    /* The template is the administrator's text: a separator or '/' written
     * there is configuration, not an expansion, and proves nothing about
     * what a caller's number can do. Only expansions are under test. */
    if ((flags & 16) && !strpbrk(field[4], ",|/")) {
        char *t = xml_escape(field[4]);
        char *xml = g_strdup_printf("<extension name='out'><condition field='destination_number' "
                                    "expression='^(.*)$'><action application='bridge' "
                                    "data='sofia/gateway/fz/%s'/></condition></extension>", t);
        dp = sc_dialplan_new();
        if (sc_dialplan_load_string(dp, xml, "fz.xml", "t") != SC_OK) g_clear_pointer(&dp, sc_dialplan_free);
        g_free(xml);
        g_free(t);
    }
    for (size_t i = 5; i < nfields; i++) {
        if (dp) {
            char *number = expand(dp, field[i]);
            if (number) one_number(rule, sc_gateway_get(gw, "dial-prefix"), flags & 1, dest, number);
            g_free(number);
        } else {
            one_number(rule, sc_gateway_get(gw, "dial-prefix"), flags & 1, dest, field[i]);
        }
    }
out:
    sc_dialplan_free(dp);
    sc_dialrule_free(rule);
    sc_gateway_free(gw);
    free(buf);
    return 0;
}
