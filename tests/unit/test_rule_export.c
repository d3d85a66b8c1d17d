/* Rule export: the expressions an edge proxy enforces must agree with the
 * library's own checks. Compared number by number with regexec(), the way
 * Kamailio's `=~` evaluates them (regcomp, REG_EXTENDED). */
#include <regex.h>
#include <stdlib.h>
#include <glib.h>

#include "sc_test.h"
#include "skypeconnect/sc_dialrule.h"
#include "skypeconnect/sc_gateway.h"
#include "skypeconnect/sc_rule_export.h"

typedef struct {
    regex_t re;
    int ok;
} ere;

static void ere_compile(ere *e, const char *pattern)
{
    e->ok = pattern && regcomp(&e->re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
    if (!e->ok) fprintf(stderr, "  does not compile as ERE: %s\n", pattern ? pattern : "(null)");
}

static int ere_match(const ere *e, const char *s)
{
    return e->ok && regexec(&e->re, s, 0, NULL, 0) == 0;
}

/* Calls fn for every number: '+'? then @p maxlen or fewer characters of
 * @p alphabet. */
static void each_number(const char *alphabet, int maxlen, void (*fn)(const char *, void *), void *user)
{
    size_t k = strlen(alphabet);
    char buf[40];
    for (int len = 1; len <= maxlen; len++) {
        int idx[32] = { 0 };
        for (;;) {
            for (int i = 0; i < len; i++) buf[i + 1] = alphabet[idx[i]];
            buf[len + 1] = '\0';
            buf[0] = '+';
            fn(buf, user);
            fn(buf + 1, user);
            int i = len - 1;
            while (i >= 0 && ++idx[i] == (int)k) idx[i--] = 0;
            if (i < 0) break;
        }
    }
}

typedef struct {
    const sc_dialrule *rule;
    ere re;
    long checked, missed, extra;
} emerg_cmp;

static void cmp_emergency(const char *number, void *user)
{
    emerg_cmp *c = user;
    int lib = sc_dialrule_is_emergency(c->rule, number), edge = ere_match(&c->re, number);
    c->checked++;
    if (lib && !edge) {
        /* an emergency number the edge would let through: never */
        if (c->missed++ < 5) fprintf(stderr, "  %s: the library refuses it, the edge expression does not\n", number);
    } else if (edge && !lib) {
        /* one the edge refuses that the library allows: the expression drifted */
        if (c->extra++ < 5) fprintf(stderr, "  %s: the edge expression refuses it, the library does not\n", number);
    }
}

static void emergency_regex_matches_the_library(void)
{
    sc_dialrule *rule = sc_dialrule_new_prefix("00");
    sc_rule_export *x;
    emerg_cmp c = { 0 };
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(rule, "FR"), SC_OK);
    CHECK_EQ_INT(sc_dialrule_add_emergency(rule, "10111"), SC_OK);
    x = sc_rule_export_dialrule(rule, NULL);
    CHECK(x != NULL);
    c.rule = rule;
    ere_compile(&c.re, sc_rule_export_emergency_regex(x));
    CHECK(c.re.ok);
    /* the same set both ways, any number of prefixes included */
    CHECK(sc_dialrule_is_emergency(rule, "000000112"));
    each_number("0123456789", 5, cmp_emergency, &c);
    each_number("01249", 8, cmp_emergency, &c);
    each_number("0157", 9, cmp_emergency, &c);
    CHECK(c.checked > 1000000);
    CHECK_EQ_INT(c.missed, 0);
    CHECK_EQ_INT(c.extra, 0);

    /* numbers that merely contain one are not emergency numbers at the edge */
    CHECK(!ere_match(&c.re, "00441121234567"));
    CHECK(!ere_match(&c.re, "4930112"));
    CHECK(!ere_match(&c.re, "9112"));
    CHECK(!ere_match(&c.re, "1120"));
    CHECK(ere_match(&c.re, "+44999"));
    CHECK(ere_match(&c.re, "011911"));
    CHECK(ere_match(&c.re, "0000000015"));
    CHECK(ere_match(&c.re, "10111"));
    CHECK_CONTAINS(sc_rule_export_emergency_list(x), "15,17,18,");
    CHECK_CONTAINS(sc_rule_export_emergency_list(x), ",10111");
    if (c.re.ok) regfree(&c.re.re);
    sc_rule_export_free(x);
    sc_dialrule_free(rule);
}

typedef struct {
    const sc_dialrule *rule;
    ere dial, number;
    long checked, wrong;
} dial_cmp;

/* For an exact export: the edge lets a number through (dial rule and syntax)
 * exactly when the library does, emergency numbers aside (those have their
 * own expression). */
static void cmp_dial(const char *number, void *user)
{
    dial_cmp *c = user;
    int rc = sc_dialrule_check(c->rule, number, NULL);
    int lib = rc == SC_OK, edge;
    /* emergency numbers are refused before the rule is looked at, and by
     * the emergency expression at the edge */
    if (sc_dialrule_last_refusal() == SC_DIAL_EMERGENCY) return;
    edge = ere_match(&c->dial, number) && ere_match(&c->number, number);
    c->checked++;
    if (lib != edge && c->wrong++ < 5)
        fprintf(stderr, "  %s: library %s, edge %s (%s)\n", number, lib ? "allows" : "refuses",
                edge ? "allows" : "refuses", sc_dialrule_describe(c->rule));
}

static void check_exact(sc_dialrule *rule, const char *alphabet, int maxlen)
{
    sc_rule_export *x = sc_rule_export_dialrule(rule, NULL);
    dial_cmp c = { .rule = rule };
    CHECK(x != NULL);
    CHECK_EQ_INT(sc_rule_export_dial_exact(x), 1);
    ere_compile(&c.dial, sc_rule_export_dial_regex(x));
    ere_compile(&c.number, sc_rule_export_number_regex(x));
    each_number(alphabet, maxlen, cmp_dial, &c);
    CHECK(c.checked > 1000);
    CHECK_EQ_INT(c.wrong, 0);
    if (c.dial.ok) regfree(&c.dial.re);
    if (c.number.ok) regfree(&c.number.re);
    sc_rule_export_free(x);
    sc_dialrule_free(rule);
}

static void dial_regex_matches_the_library(void)
{
    check_exact(sc_dialrule_new_prefix("00"), "0149", 7);
    check_exact(sc_dialrule_new_prefix("+44"), "0149", 7);
    check_exact(sc_dialrule_new_pattern("^(00\\d+)$", NULL), "0149", 7);
    check_exact(sc_dialrule_new_pattern("00[1-9]\\d{2,4}|\\+4[49]\\d*", "$0"), "0149", 7);
    check_exact(sc_dialrule_new_pattern("(?:0044|\\+44)[0-9]+", NULL), "0149+", 6);
}

static void rewriting_rules_are_not_exact(void)
{
    const char *patterns[][2] = {
        { "^9(\\d+)$", NULL },              /* strips an access code */
        { "^(\\d+)$", "00$1" },             /* adds a prefix */
        { "^(\\d+?)$", "$0" },              /* lazy: not in the shared subset */
        { "^(\\w+)$", "$0" },               /* \w: not a number class */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(patterns); i++) {
        sc_dialrule *rule = sc_dialrule_new_pattern(patterns[i][0], patterns[i][1]);
        sc_rule_export *x = sc_rule_export_dialrule(rule, NULL);
        CHECK(rule && x);
        CHECK_EQ_INT(sc_rule_export_dial_exact(x), 0);
        /* the fallback is the number syntax, never "anything" */
        CHECK_STR(sc_rule_export_dial_regex(x), "^[+]?[0-9]{1,32}$");
        sc_rule_export_free(x);
        sc_dialrule_free(rule);
    }
}

static void from_gateway(void)
{
    sc_gateway *gw = sc_gateway_new("skype");
    sc_rule_export *x;
    CHECK_EQ_INT(sc_gateway_set(gw, "dial-prefix", "00"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-country", "FR"), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "destination-prefix", "9"), SC_OK);
    x = sc_rule_export_gateway(gw);
    CHECK(x != NULL);
    CHECK_STR(sc_rule_export_dial_regex(x), "^9(00[0-9]+)$");
    CHECK_STR(sc_rule_export_number_regex(x), "^9[0-9]{1,32}$");
    CHECK_CONTAINS(sc_rule_export_emergency_list(x), "15,17,18");
    CHECK_CONTAINS(sc_rule_export_describe(x), "destination-prefix 9");
    sc_rule_export_free(x);

    /* no rule: dial-out off, the emergency list still exported */
    sc_gateway_free(gw);
    gw = sc_gateway_new("skype");
    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-country", "FR"), SC_OK);
    x = sc_rule_export_gateway(gw);
    CHECK(x != NULL);
    CHECK(sc_rule_export_dial_regex(x) == NULL);
    CHECK_CONTAINS(sc_rule_export_emergency_list(x), "15,17,18");
    sc_rule_export_free(x);

    CHECK_EQ_INT(sc_gateway_set(gw, "emergency-country", "XX"), SC_OK);
    x = sc_rule_export_gateway(gw);
    CHECK(x == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ECONFIG);
    /* the gateway, the parameter and the rule's own reason, all readable */
    CHECK(g_str_has_prefix(sc_last_error(), "gateway 'skype': emergency-country: "
                                            "no emergency-number list for country 'XX'"));
    sc_gateway_free(gw);

    CHECK(sc_rule_export_gateway(NULL) == NULL);
    CHECK(sc_rule_export_dialrule(NULL, "1a") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
}

SC_TEST_MAIN(TEST(emergency_regex_matches_the_library), TEST(dial_regex_matches_the_library),
             TEST(rewriting_rules_are_not_exact), TEST(from_gateway))
