/* The number path as a whole (issue #11): dialled number -> dialplan
 * expansion -> the gateway's rule -> dial-format -> destination-prefix ->
 * the user part on the wire.
 *
 * - a property test: thousands of generated (rule, destination-prefix,
 *   dial-format, expansion, number) cases from a fixed seed; for every one
 *   that is allowed, the wire number is a number, is no emergency number
 *   (by an oracle written independently of emergency.c: a plain recursion
 *   over the prefixes) and the number the gateway got matches its rule.
 * - a matrix run through a session (a real dial to the loopback trunk) and
 *   through a policy: both must accept the same configurations, refuse the
 *   same numbers for the same reason, and put the same number on the wire. */
#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sc_test.h"
#include "skypeconnect/skypeconnect.h"
#include "dialplan_priv.h"
#include "gateway_rule.h"

/* ---------------------------------------------------------------------------
 * The oracle
 * ------------------------------------------------------------------------- */

static const char *const default_emergency[] = {
    "112", "911", "999", "000", "110", "118", "119", "100", "101", "102", "108", NULL,
};

static bool listed(const char *s, const char *extra)
{
    for (size_t i = 0; default_emergency[i]; i++)
        if (!strcmp(s, default_emergency[i])) return true;
    if (extra && *extra) {
        char **list = g_strsplit(extra, ",", -1);
        bool hit = false;
        for (size_t i = 0; list[i] && !hit; i++) hit = !strcmp(g_strstrip(list[i]), s);
        g_strfreev(list);
        return hit;
    }
    return false;
}

/* The documented rule, literally: a number is an emergency number when
 * some sequence of prefix strips (trunk '0'; '+', "00" or "011" then a
 * country code of 0 to 3 digits) leaves exactly a listed number. */
static bool oracle_emergency(const char *s, bool at_start, const char *extra)
{
    size_t intl = 0;
    if (*s && listed(s, extra)) return true;
    if (*s == '0' && oracle_emergency(s + 1, false, extra)) return true;
    if (at_start && *s == '+') intl = 1;
    else if (g_str_has_prefix(s, "00")) intl = 2;
    else if (g_str_has_prefix(s, "011")) intl = 3;
    for (size_t cc = 0; intl && cc <= 3 && strlen(s) > intl + cc; cc++)
        if (oracle_emergency(s + intl + cc, false, extra)) return true;
    return false;
}

static bool oracle_number(const char *s)
{
    const char *d = s + (*s == '+');
    return *d && strspn(d, "0123456789") == strlen(d) && strlen(d) <= SC_DIAL_MAX_DIGITS;
}

/* ---------------------------------------------------------------------------
 * The property test
 * ------------------------------------------------------------------------- */

typedef struct rule_case {
    const char *prefix, *pattern, *format; /* one of prefix / pattern */
    const char *anchored;                  /* the oracle's reading of the rule */
} rule_case;

static const rule_case rules[] = {
    { "00", NULL, NULL, "\\A00\\d+\\z" },
    { "44", NULL, NULL, "\\A44\\d+\\z" },
    { "+44", NULL, NULL, "\\A\\+44\\d+\\z" },
    { "004930123", NULL, NULL, "\\A004930123\\d+\\z" },
    { "1", NULL, NULL, "\\A1\\d+\\z" },
    { NULL, "^(\\d+)$", NULL, "\\A\\d+\\z" },
    { NULL, "^9(\\d+)$", "$1", "\\A9\\d+\\z" },
    { NULL, "^9(\\d+)$", "0$1", "\\A9\\d+\\z" },
    { NULL, "^(00|\\+)(\\d+)$", "00$2", "\\A(00|\\+)\\d+\\z" },
    { NULL, "^0(\\d{3,})$", "+49$1", "\\A0\\d{3,}\\z" },
    { NULL, "^(\\d)(\\d+)$", "$2$1", "\\A\\d\\d+\\z" },
};

static const char *const dest_prefixes[] = { NULL, "+", "1", "0", "00", "+1", "011", "9" };
static const char *const extras[] = { NULL, "15,17", "1616", "0" };
/* What the dialplan hands the gateway: "$1" of ^(.*)$, or with digits. */
static const char *const templates[] = {
    "$1", "0$1", "00$1", "1$1", "9$1", "${destination_number}", "+$1", "1${destination_number}",
};

/* Numbers built from the pieces that matter: prefixes, zeros, emergency
 * numbers, country codes, and random digits; now and then a separator. */
static char *gen_number(GRand *g)
{
    static const char *const pieces[] = {
        "0", "00", "000", "011", "+", "1", "44", "49", "9", "112", "911", "999", "000", "110",
        "15", "17", "1616", "4930123", "12", "2", ",", "|", "/", "x",
    };
    GString *n = g_string_new(NULL);
    int parts = g_rand_int_range(g, 1, 6);
    for (int i = 0; i < parts; i++) {
        if (g_rand_int_range(g, 0, 3) == 0) {
            int digits = g_rand_int_range(g, 1, 9);
            for (int d = 0; d < digits; d++) g_string_append_c(n, (char)('0' + g_rand_int_range(g, 0, 10)));
        } else {
            /* separators rarely: most cases should reach the rule */
            size_t np = G_N_ELEMENTS(pieces) - (g_rand_int_range(g, 0, 20) ? 4 : 0);
            g_string_append(n, pieces[g_rand_int_range(g, 0, (gint32)np)]);
        }
    }
    return g_string_free(n, FALSE);
}

static sc_gateway *gateway_of(const rule_case *rc, const char *dest, const char *extra)
{
    sc_gateway *gw = sc_gateway_new("prop");
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "proxy", "127.0.0.1:5999"), SC_OK);
    if (rc->prefix) CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", rc->prefix), SC_OK);
    if (rc->pattern) CHECK_EQ_INT(sc_gateway_set(gw, "dial-pattern", rc->pattern), SC_OK);
    if (rc->format) CHECK_EQ_INT(sc_gateway_set(gw, "dial-format", rc->format), SC_OK);
    if (dest) CHECK_EQ_INT(sc_gateway_set(gw, "destination-prefix", dest), SC_OK);
    if (extra) CHECK_EQ_INT(sc_gateway_set(gw, "emergency-numbers", extra), SC_OK);
    return gw;
}

static sc_dialplan *dialplan_of(const char *template)
{
    char *xml = g_strdup_printf("<extension name='out'>\n"
                                "  <condition field='destination_number' expression='^(.*)$'>\n"
                                "    <action application='bridge' data='sofia/gateway/prop/%s'/>\n"
                                "  </condition>\n"
                                "</extension>\n", template);
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_string(dp, xml, "prop.xml", "t"), SC_OK);
    g_free(xml);
    return dp;
}

/* The dialplan's part: the number the bridge hands gateway "prop", or NULL
 * when the runtime would refuse the action. Exactly one target, through
 * that gateway, whatever the number held. */
static char *expand(const sc_dialplan *dp, const char *dialled)
{
    sc_call_fields *f = sc_call_fields_new();
    sc_route *r = NULL;
    char *out = NULL;
    sc_call_fields_set(f, "destination_number", dialled);
    CHECK_EQ_INT(sc_dialplan_route(dp, "t", f, &r), SC_OK);
    sc_call_fields_free(f);
    if (!r) return NULL;
    CHECK_EQ_INT(sc_route_action_count(r), 1);
    if (sc_route_action_count(r) == 1 && !dp_route_action_problem(r, 0)) {
        const char *data = sc_route_action_data(r, 0);
        CHECK(!strpbrk(data, ",|"));
        CHECK(g_str_has_prefix(data, "sofia/gateway/prop/"));
        if (g_str_has_prefix(data, "sofia/gateway/prop/") && !strpbrk(data, ",|"))
            out = g_strdup(data + strlen("sofia/gateway/prop/"));
        CHECK(out == NULL || !strchr(out, '/'));
    }
    sc_route_free(r);
    return out;
}

static void no_wire_number_is_emergency_or_outside_the_rule(void)
{
    enum { CASES = 6000 };
    GRand *g = g_rand_new_with_seed(11);   /* the issue's number: reproducible */
    sc_dialplan *dps[G_N_ELEMENTS(templates)];
    GRegex *oracle_rule[G_N_ELEMENTS(rules)];
    int allowed = 0, refused = 0, emergency_refusals = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(templates); i++) dps[i] = dialplan_of(templates[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(rules); i++)
        oracle_rule[i] = g_regex_new(rules[i].anchored, G_REGEX_RAW, 0, NULL);

    for (int c = 0; c < CASES && !sc_test_failures_in_case; c++) {
        size_t ri = (size_t)g_rand_int_range(g, 0, G_N_ELEMENTS(rules));
        const char *dest = dest_prefixes[g_rand_int_range(g, 0, G_N_ELEMENTS(dest_prefixes))];
        const char *extra = extras[g_rand_int_range(g, 0, G_N_ELEMENTS(extras))];
        size_t ti = (size_t)g_rand_int_range(g, 0, G_N_ELEMENTS(templates));
        char *dialled = gen_number(g), *number = expand(dps[ti], dialled), *wire = NULL, *dial = NULL;
        sc_gateway *gw = gateway_of(&rules[ri], dest, extra);
        sc_dialrule *rule = NULL;
        CHECK_EQ_INT(sc_gw_rule_build(gw, false, &rule, NULL), SC_OK);
        if (!number) {
            refused++;
        } else if (sc_gw_rule_wire(rule, dest, number, &dial, &wire) == SC_OK) {
            allowed++;
            bool bad = !oracle_number(wire) || oracle_emergency(wire, true, extra)
                       || oracle_emergency(number, true, extra)
                       || !g_regex_match(oracle_rule[ri], number, 0, NULL)
                       || strcmp(wire + strlen(dest ? dest : ""), dial)
                       || strncmp(wire, dest ? dest : "", strlen(dest ? dest : ""));
            if (bad)
                fprintf(stderr, "  case %d: rule %s -> %s, destination-prefix %s, extra %s, template %s: "
                        "'%s' -> '%s' went out as '%s'\n", c, sc_dialrule_describe(rule),
                        rules[ri].format ? rules[ri].format : "-", dest ? dest : "-", extra ? extra : "-",
                        templates[ti], dialled, number, wire);
            CHECK(!bad);
        } else {
            refused++;
            if (sc_dialrule_last_refusal() == SC_DIAL_EMERGENCY) emergency_refusals++;
        }
        g_free(dialled);
        g_free(number);
        g_free(dial);
        g_free(wire);
        sc_dialrule_free(rule);
        sc_gateway_free(gw);
    }
    /* A generator that never reaches the interesting cases proves nothing. */
    CHECK(allowed > CASES / 10);
    CHECK(emergency_refusals > CASES / 20);
    printf("     %d allowed, %d refused (%d as emergency numbers)\n", allowed, refused, emergency_refusals);
    for (size_t i = 0; i < G_N_ELEMENTS(templates); i++) sc_dialplan_free(dps[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(rules); i++) g_regex_unref(oracle_rule[i]);
    g_rand_free(g);
}

/* The cases the issue names, through the same path. */
static void issue_examples_refused(void)
{
    static const struct { rule_case rc; const char *dest, *number; } cases[] = {
        { { "44", NULL, NULL, NULL }, "+", "44999" },
        { { NULL, "^(\\d+)$", NULL, NULL }, "1", "12" },
        { { "00", NULL, NULL, NULL }, NULL, "000000112" },
        { { "00", NULL, NULL, NULL }, NULL, "00000000911" },
        { { NULL, "^9(\\d+)$", "0$1", NULL }, "0", "9112" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sc_gateway *gw = gateway_of(&cases[i].rc, cases[i].dest, NULL);
        sc_dialrule *rule = NULL;
        char *wire = NULL;
        CHECK_EQ_INT(sc_gw_rule_build(gw, false, &rule, NULL), SC_OK);
        CHECK_EQ_INT(sc_gw_rule_wire(rule, cases[i].dest, cases[i].number, NULL, &wire), SC_EREFUSED);
        CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_EMERGENCY);
        CHECK(wire == NULL);
        sc_dialrule_free(rule);
        sc_gateway_free(gw);
    }
}

/* ---------------------------------------------------------------------------
 * Session and policy: one builder, the same answers
 * ------------------------------------------------------------------------- */

typedef struct matrix_row {
    const char *params[12];   /* name, value pairs, NULL-terminated */
} matrix_row;

static const matrix_row matrix[] = {
    { { "dial-prefix", "00", NULL } },
    { { "dial-prefix", "+44", "destination-prefix", "1", NULL } },
    { { "dial-prefix", "44", "destination-prefix", "+", NULL } },
    { { "dial-prefix", "004930123", NULL } },
    { { "dial-prefix", "0049301234567890", NULL } },
    { { "dial-prefix", "00", "emergency-country", "FR", "emergency-numbers", "1616", NULL } },
    { { "dial-pattern", "^9(\\d+)$", "dial-format", "$1", NULL } },
    { { "dial-pattern", "^9(\\d+)$", "dial-format", "0$1", "destination-prefix", "0", NULL } },
    { { "dial-pattern", "^(\\d+)$", "destination-prefix", "1", "emergency-country", "NZ", NULL } },
    { { "dial-pattern", "^9(\\d+)$", "dial-format", "+$1", NULL } },
    { { "dial-pattern", "^9(\\d+)$", "dial-format", "abc$1", NULL } },        /* cannot build */
    { { "dial-pattern", "^9(\\d+)$", "dial-format", "$2", NULL } },           /* cannot build */
    { { "dial-prefix", "00", "destination-prefix", "sip", NULL } },          /* not a number prefix */
    { { "dial-prefix", "00", "emergency-country", "XX", NULL } },            /* unknown country */
    { { NULL } },                                                            /* no rule */
    { { "dial-prefix", "00", "max-channels", "1", NULL } },                  /* CHANNEL_ROW */
};
enum { CHANNEL_ROW = 15 };

static const char *const matrix_numbers[] = {
    "004930123456", "0044201234567", "+441234567", "44999", "441234567", "12", "112", "0112",
    "000000112", "00000000911", "9112", "94930123456", "9004930123456", "90112", "0017", "001616",
    "11", "0090555123456", "00493012345678", "0049301234567890", "+44999", "9+44", "00a1", "",
};

static sc_event *next_event(sc_session *s, int type, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 50);
        if (ev && (type < 0 || sc_event_type_of(ev) == type)) return ev;
        sc_event_free(ev);
    }
    return NULL;
}

static void session_and_policy_agree(void)
{
    sc_trunk *t = sc_trunk_new("127.0.0.1:0", "skype", "secret");
    sc_session *s = sc_session_new();
    sc_policy *pol[G_N_ELEMENTS(matrix)] = { 0 };
    bool in_session[G_N_ELEMENTS(matrix)] = { 0 };
    char names[G_N_ELEMENTS(matrix)][16];
    int placed = 0;
    CHECK(t != NULL);
    if (!t) return;
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
        sc_gateway *gw;
        g_snprintf(names[i], sizeof names[i], "m%zu", i);
        gw = sc_gateway_new(names[i]);
        sc_gateway_set(gw, "register", "false");
        sc_gateway_set(gw, "proxy", sc_trunk_address(t));
        sc_gateway_set(gw, "username", "skype");
        sc_gateway_set(gw, "password", "secret");
        for (size_t p = 0; matrix[i].params[p]; p += 2)
            sc_gateway_set(gw, matrix[i].params[p], matrix[i].params[p + 1]);
        in_session[i] = sc_session_add_gateway(s, gw) == SC_OK;
        pol[i] = sc_policy_from_gateway(gw);
        /* the same configurations are accepted, whoever asks */
        if (in_session[i] != (pol[i] != NULL))
            fprintf(stderr, "  row %zu: session %s it, policy %s it\n", i, in_session[i] ? "took" : "refused",
                    pol[i] ? "took" : "refused");
        CHECK_EQ_INT(in_session[i], pol[i] != NULL);
        sc_gateway_free(gw);
    }
    /* the four rows that cannot work are refused by both */
    CHECK(!in_session[10] && !in_session[11] && !in_session[12] && !in_session[13]);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);

    for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) {
        /* the channel row's calls would outlive their hangup: below */
        if (!in_session[i] || !pol[i] || i == CHANNEL_ROW) continue;
        const char *dest = NULL;
        for (size_t p = 0; matrix[i].params[p]; p += 2)
            if (!strcmp(matrix[i].params[p], "destination-prefix")) dest = matrix[i].params[p + 1];
        for (size_t n = 0; n < G_N_ELEMENTS(matrix_numbers); n++) {
            const char *number = matrix_numbers[n];
            char *dial = NULL;
            sc_call *call = NULL;
            int prc = sc_policy_check(pol[i], number, &dial);
            int prefusal = prc == SC_OK ? SC_DIAL_OK : sc_dialrule_last_refusal();
            int src = sc_session_dial(s, names[i], number, NULL, NULL, NULL, &call);
            int srefusal = src == SC_OK ? SC_DIAL_OK : sc_dialrule_last_refusal();
            if (prc != src || prefusal != srefusal)
                fprintf(stderr, "  gateway %s, number '%s': policy %d/%s, session %d/%s (%s)\n", names[i], number,
                        prc, sc_dial_refusal_name(prefusal), src, sc_dial_refusal_name(srefusal), sc_last_error());
            CHECK_EQ_INT(prc, src);
            CHECK_EQ_INT(prefusal, srefusal);
            if (call) {
                /* the same number on the wire: the policy's dial string
                 * after destination-prefix is the session's To user */
                char *want = g_strdup_printf("<sip:%s%s@", dest ? dest : "", dial ? dial : "?");
                CHECK(g_str_has_prefix(sc_call_to(call), want));
                if (!g_str_has_prefix(sc_call_to(call), want))
                    fprintf(stderr, "  %s '%s': To %s, expected %s...\n", names[i], number, sc_call_to(call), want);
                g_free(want);
                sc_call_hangup(call);
                sc_call_unref(call);
                placed++;
            }
            sc_free(dial);
        }
    }
    CHECK(placed > 10);

    /* Channels: the same count from the same configuration. One call up
     * (the session's) / one channel taken (the policy's), the next is
     * refused by both with the same reason. */
    if (in_session[CHANNEL_ROW] && pol[CHANNEL_ROW]) {
        sc_call *first = NULL, *second = NULL;
        CHECK_EQ_INT(sc_policy_max_channels(pol[CHANNEL_ROW]), 1);
        CHECK_EQ_INT(sc_session_dial(s, names[CHANNEL_ROW], "004930123456", NULL, NULL, NULL, &first), SC_OK);
        CHECK_EQ_INT(sc_policy_acquire_channel(pol[CHANNEL_ROW]), SC_OK);
        CHECK_EQ_INT(sc_session_dial(s, names[CHANNEL_ROW], "004930123457", NULL, NULL, NULL, &second), SC_ECHANNELS);
        CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_CHANNELS);
        CHECK_EQ_INT(sc_policy_acquire_channel(pol[CHANNEL_ROW]), SC_ECHANNELS);
        CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_CHANNELS);
        CHECK(second == NULL);
        CHECK_EQ_INT(sc_policy_release_channel(pol[CHANNEL_ROW]), SC_OK);
        if (first) {
            sc_call_hangup(first);
            sc_call_unref(first);
        }
    }
    sc_event_free(next_event(s, -1, 200));
    sc_session_free(s);
    for (size_t i = 0; i < G_N_ELEMENTS(matrix); i++) sc_policy_unref(pol[i]);
    sc_trunk_free(t);
}

SC_TEST_MAIN(TEST(issue_examples_refused), TEST(no_wire_number_is_emergency_or_outside_the_rule),
             TEST(session_and_policy_agree))
