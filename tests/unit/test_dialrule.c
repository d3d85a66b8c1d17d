/* Dial rules: prefix and pattern rules, number syntax, emergency numbers,
 * per-country lists, messages, threads. Nothing here depends on timing. */
#include <stdlib.h>
#include <glib.h>

#include "sc_test.h"
#include "skypeconnect/sc_dialrule.h"
#include "dialrule_priv.h"

/* ---- helpers ------------------------------------------------------------ */

/* Every byte of a message is printable ASCII: no raw input reaches it. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return 0;
    return 1;
}

/* Checks a refusal: status, refusal code, message content (needle may be
 * NULL), printable message, no dial string. Reports the caller's line. */
static void refused_at(int line, const sc_dialrule *r, const char *num, int code, const char *needle)
{
    static char untouched[] = "untouched";      /* check() must set NULL on refusal */
    char *dial = untouched;
    int rc = sc_dialrule_check(r, num, &dial);
    int bad = 0;
    if (rc != SC_EREFUSED) bad = 1;
    if (sc_dialrule_last_refusal() != code) bad = 1;
    if (sc_last_status() != SC_EREFUSED) bad = 1;
    if (dial != NULL) bad = 1;
    if (needle && !strstr(sc_last_error(), needle)) bad = 1;
    if (!printable(sc_last_error())) bad = 1;
    if (!sc_last_error()[0]) bad = 1;
    if (bad) {
        fprintf(stderr, "  line %d: number refused wrongly: rc %d refusal %s (want %s), message \"%s\" (want \"%s\")\n",
                line, rc, sc_dial_refusal_name(sc_dialrule_last_refusal()), sc_dial_refusal_name(code),
                sc_last_error(), needle ? needle : "");
        sc_test_failures_in_case++;
    }
    if (dial != untouched) sc_free(dial);
}
#define REFUSED(r, num, code, needle) refused_at(__LINE__, r, num, code, needle)

/* Checks an allowed number and the dial string built from it. */
static void allowed_at(int line, const sc_dialrule *r, const char *num, const char *want_dial)
{
    char *dial = NULL;
    int rc = sc_dialrule_check(r, num, &dial);
    if (rc != SC_OK || sc_dialrule_last_refusal() != SC_DIAL_OK || sc_last_error()[0]
        || sc_last_status() != SC_OK || !dial || strcmp(dial, want_dial)) {
        fprintf(stderr, "  line %d: \"%s\" should give \"%s\": rc %d, refusal %s, dial \"%s\", error \"%s\"\n",
                line, num, want_dial, rc, sc_dial_refusal_name(sc_dialrule_last_refusal()),
                dial ? dial : "(null)", sc_last_error());
        sc_test_failures_in_case++;
    }
    sc_free(dial);
    /* without dial_out as well */
    if (sc_dialrule_check(r, num, NULL) != SC_OK) {
        fprintf(stderr, "  line %d: \"%s\" refused when dial_out is NULL\n", line, num);
        sc_test_failures_in_case++;
    }
}
#define ALLOWED(r, num, dial) allowed_at(__LINE__, r, num, dial)

static sc_dialrule *allow_all(void)
{
    /* Every syntactically valid number: only the emergency check refuses. */
    sc_dialrule *r = sc_dialrule_new_pattern("\\+?\\d+", "$0");
    CHECK(r != NULL);
    return r;
}

/* ---- tests -------------------------------------------------------------- */

static void refusal_names(void)
{
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_OK), "ok");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_NO_RULE), "no_rule");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_NO_MATCH), "no_match");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_EMERGENCY), "emergency");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_BAD_NUMBER), "bad_number");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_TOO_LONG), "too_long");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_CHANNELS), "channels");
    CHECK_STR(sc_dial_refusal_name(SC_DIAL_GATEWAY_DOWN), "gateway_down");
    CHECK_STR(sc_dial_refusal_name(99), "unknown");
    CHECK_STR(sc_dial_refusal_name(-1), "unknown");
    /* the private setter, for checks run on another thread */
    sc_dial_set_last_refusal(SC_DIAL_CHANNELS);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_CHANNELS);
}

static void no_rule_refuses_everything(void)
{
    static char untouched[] = "x";
    char *dial = untouched;
    CHECK_EQ_INT(sc_dialrule_check(NULL, "0044123456789", &dial), SC_EREFUSED);
    CHECK(dial == NULL);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_NO_RULE);
    CHECK_EQ_INT(sc_last_status(), SC_EREFUSED);
    CHECK_STR(sc_last_error(), "dial-out refused: the gateway has no dial rule (set dial-prefix or dial-pattern)");
    /* no rule comes first, before the number is even looked at */
    REFUSED(NULL, "112", SC_DIAL_NO_RULE, "no dial rule");
    REFUSED(NULL, "garbage@", SC_DIAL_NO_RULE, "no dial rule");
    REFUSED(NULL, NULL, SC_DIAL_NO_RULE, "no dial rule");
    CHECK_STR(sc_dialrule_describe(NULL), "no dial rule");
}

static void skype_page_prefix_rule(void)
{
    /* ^(YOURPREFIX\d+)$ -> sofia/gateway/skype/$1, with the page's "00" */
    sc_dialrule *r = sc_dialrule_new_prefix("00");
    CHECK(r != NULL);
    CHECK_STR(sc_dialrule_describe(r), "prefix 00: ^(00\\d+)$");
    ALLOWED(r, "0044123456789", "0044123456789");
    ALLOWED(r, "001", "001");
    REFUSED(r, "44123456789", SC_DIAL_NO_MATCH, NULL);
    CHECK_STR(sc_last_error(), "number 44123456789 does not match the dial rule ^(00\\d+)$");
    REFUSED(r, "00", SC_DIAL_NO_MATCH, "does not match the dial rule ^(00\\d+)$");
    REFUSED(r, "0", SC_DIAL_NO_MATCH, "does not match");
    REFUSED(r, "+0044123456789", SC_DIAL_NO_MATCH, "does not match");
    REFUSED(r, "0144123456789", SC_DIAL_NO_MATCH, "does not match");
    REFUSED(r, "00abc", SC_DIAL_BAD_NUMBER, "'a' at position 3 is not allowed");
    /* success clears the previous refusal */
    ALLOWED(r, "0033123456789", "0033123456789");
    CHECK_STR(sc_last_error(), "");
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_OK);
    sc_dialrule_free(r);
}

static void plus_prefix_rule(void)
{
    sc_dialrule *r = sc_dialrule_new_prefix("+44");
    CHECK(r != NULL);
    CHECK_STR(sc_dialrule_describe(r), "prefix +44: ^(\\+44\\d+)$");
    ALLOWED(r, "+442071234567", "+442071234567");
    REFUSED(r, "+44", SC_DIAL_NO_MATCH, "does not match the dial rule ^(\\+44\\d+)$");
    REFUSED(r, "442071234567", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "00442071234567", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "+332071234567", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    r = sc_dialrule_new_prefix("12345678");      /* 8 characters: the most */
    CHECK(r != NULL);
    ALLOWED(r, "123456789", "123456789");
    sc_dialrule_free(r);
    r = sc_dialrule_new_prefix("+1234567");
    CHECK(r != NULL);
    sc_dialrule_free(r);
}

static void bad_prefixes(void)
{
    static const struct { const char *prefix; const char *needle; } bad[] = {
        { "", "would allow every number" },
        { "+", "would allow every international number" },
        { "0a", "character 2 is not a digit" },
        { "00+", "character 3 is not a digit" },
        { "++1", "character 2 is not a digit" },
        { " 00", "character 1 is not a digit" },
        { "00\n", "'00\\x0A'" },
        { "\xd9\xa0", "'\\xD9\\xA0'" },
        /* the gateway parameter's limit: one the configuration accepts builds */
        { "12345678901234567", "longer than 16" },
        { "+1234567890123456", "longer than 16" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc_dialrule *r = sc_dialrule_new_prefix(bad[i].prefix);
        CHECK(r == NULL);
        CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), bad[i].needle);
        CHECK(printable(sc_last_error()));
        sc_dialrule_free(r);
    }
    CHECK(sc_dialrule_new_prefix(NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
}

static void injection_attempts(void)
{
    sc_dialrule *r = sc_dialrule_new_prefix("00");
    static const struct { const char *num; const char *needle; } bad[] = {
        { "0044123@evil.com", "'@' at position 8 is not allowed" },
        { "00441;user=phone", "';' at position 6" },
        { "0044%40", "'%' at position 5" },
        { "00 44", "' ' at position 3" },
        { " 0044", "' ' at position 1" },
        { "0044 ", "' ' at position 5" },
        { "0044\n", "byte \\x0A at position 5" },
        { "0044\r\nVia: x", "byte \\x0D at position 5" },
        { "0044?x=1", "'?' at position 5" },
        { "0044:5060", "':' at position 5" },
        { "0044#", "'#' at position 5" },
        { "*0044", "'*' at position 1" },
        { "0044*21", "'*' at position 5" },
        { "sip:0044", "'s' at position 1" },
        { "tel:+44", "'t' at position 1" },
        { "00-44", "'-' at position 3" },
        { "00.44", "'.' at position 3" },
        { "0044\\x", "byte \\x5C at position 5" },
        { "0044\t", "byte \\x09 at position 5" },
        { "0044\x1b[2J", "byte \\x1B at position 5" },
        { "0044\x7f", "byte \\x7F at position 5" },
        { "++44123", "'+' at position 2" },
        { "0044+1", "'+' at position 5" },
        { "0044123+", "'+' at position 8" },
        /* Arabic-Indic digits: a Unicode \d, not an ASCII digit */
        { "\xd9\xa0\xd9\xa0\xd9\xa4\xd9\xa4", "byte \\xD9 at position 1" },
        { "00\xd9\xa3", "byte \\xD9 at position 3" },
        /* fullwidth digits */
        { "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x94\xef\xbc\x94", "byte \\xEF at position 1" },
        { "00\xef\xbc\x91", "byte \\xEF at position 3" },
        { "0044\xc2\xa0", "byte \\xC2 at position 5" },          /* no-break space */
        { "0044\xe2\x80\x8b", "byte \\xE2 at position 5" },      /* zero-width space */
        { "", "it is empty" },
        { "+", "it has no digits" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        REFUSED(r, bad[i].num, SC_DIAL_BAD_NUMBER, bad[i].needle);
        CHECK_CONTAINS(sc_last_error(), "number '");
    }
    REFUSED(r, "0044\n", SC_DIAL_BAD_NUMBER, "number '0044\\x0A' refused");
    REFUSED(r, NULL, SC_DIAL_BAD_NUMBER, "no number given");
    /* '+' then the prefix is a valid number, just not this rule's */
    REFUSED(r, "+0044123456789", SC_DIAL_NO_MATCH, "does not match");
    sc_dialrule_free(r);
}

static void length_limits(void)
{
    sc_dialrule *r = sc_dialrule_new_prefix("00");
    char num[64], *huge;
    size_t n = 1000000;

    memset(num, '1', sizeof num);
    memcpy(num, "00", 2);
    num[SC_DIAL_MAX_DIGITS] = '\0';
    ALLOWED(r, num, num);                          /* 32 digits */
    num[SC_DIAL_MAX_DIGITS] = '1';
    num[SC_DIAL_MAX_DIGITS + 1] = '\0';
    REFUSED(r, num, SC_DIAL_TOO_LONG, "it has 33 digits, more than 32");

    sc_dialrule_free(r);
    r = sc_dialrule_new_prefix("+");
    CHECK(r == NULL);
    r = sc_dialrule_new_prefix("+4");
    num[0] = '+';
    num[1] = '4';
    memset(num + 2, '5', 31);
    num[33] = '\0';
    ALLOWED(r, num, num);                          /* '+' and 32 digits */
    num[33] = '5';
    num[34] = '\0';
    REFUSED(r, num, SC_DIAL_TOO_LONG, "it has 33 digits");

    /* a megabyte of digits: refused, and the message stays short */
    huge = malloc(n + 2);
    memset(huge, '0', n);
    huge[n] = '\0';
    REFUSED(r, huge, SC_DIAL_TOO_LONG, "it has 1000000 digits");
    CHECK(strlen(sc_last_error()) < 400);
    CHECK_CONTAINS(sc_last_error(), "...'");
    /* syntax comes before length */
    huge[n] = '@';
    huge[n + 1] = '\0';
    REFUSED(r, huge, SC_DIAL_BAD_NUMBER, "'@' at position 1000001");
    CHECK(strlen(sc_last_error()) < 400);
    free(huge);
    sc_dialrule_free(r);
}

static void emergency_defaults(void)
{
    sc_dialrule *r = allow_all();
    static const char *refused[] = {
        "112", "911", "999", "000", "110", "118", "119", "100", "101", "102", "108",
        "+112", "+911", "00112", "011911", "011112", "00999",
        /* international prefix + country code + emergency number */
        "0044112", "0044999", "+44999", "+44112", "001911", "+1911", "0049110",
        "+49110", "00353112", "+353112", "0111911",
        /* national trunk prefix '0' */
        "0112", "0999", "0911", "+0112",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        REFUSED(r, refused[i], SC_DIAL_EMERGENCY, "is an emergency number");
        CHECK_CONTAINS(sc_last_error(), "the trunk provider forbids emergency calls");
        CHECK_EQ_INT(sc_dialrule_is_emergency(r, refused[i]), 1);
        CHECK_EQ_INT(sc_dialrule_is_emergency(NULL, refused[i]), 1);
    }
    REFUSED(r, "112", SC_DIAL_EMERGENCY, NULL);
    CHECK_STR(sc_last_error(), "112 is an emergency number: the trunk provider forbids emergency calls");
    REFUSED(r, "0044112", SC_DIAL_EMERGENCY, NULL);
    CHECK_STR(sc_last_error(), "0044112 is an emergency number (112 after the prefix 0044): "
                               "the trunk provider forbids emergency calls");
    REFUSED(r, "+112", SC_DIAL_EMERGENCY, "(112 after the prefix +)");
    REFUSED(r, "011911", SC_DIAL_EMERGENCY, "(911 after the prefix 011)");

    /* Numbers that merely contain an emergency number are fine. */
    static const char *fine[] = {
        "00441121234567", "+441121234567", "1120", "11200", "1121", "9112", "21120",
        "0044123456789", "01121234567", "0049110123456", "+4999123", "4112",
        "00441", "0044", "911911", "1129", "0001234567", "12", "1", "15", "17",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fine); i++) {
        ALLOWED(r, fine[i], fine[i]);
        CHECK_EQ_INT(sc_dialrule_is_emergency(r, fine[i]), 0);
    }
    /* not numbers at all: is_emergency says no, check() refuses the syntax */
    CHECK_EQ_INT(sc_dialrule_is_emergency(NULL, "112 "), 0);
    CHECK_EQ_INT(sc_dialrule_is_emergency(NULL, ""), 0);
    CHECK_EQ_INT(sc_dialrule_is_emergency(NULL, NULL), 0);
    REFUSED(r, "112 ", SC_DIAL_BAD_NUMBER, NULL);
    sc_dialrule_free(r);
}

static void emergency_comes_before_the_rule(void)
{
    /* 112 does not match ^(00\d+)$, but the refusal must say why it really
     * cannot go out; 00112 matches the rule and must still be refused. */
    sc_dialrule *r = sc_dialrule_new_prefix("00");
    REFUSED(r, "112", SC_DIAL_EMERGENCY, "112 is an emergency number");
    REFUSED(r, "00112", SC_DIAL_EMERGENCY, "00112 is an emergency number (112 after the prefix 00)");
    REFUSED(r, "0044999", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "001911", SC_DIAL_EMERGENCY, NULL);
    ALLOWED(r, "00441121234567", "00441121234567");
    sc_dialrule_free(r);

    /* a prefix rule for national numbers */
    r = sc_dialrule_new_prefix("0");
    REFUSED(r, "0112", SC_DIAL_EMERGENCY, "(112 after the prefix 0)");
    REFUSED(r, "0999", SC_DIAL_EMERGENCY, NULL);
    ALLOWED(r, "02071234567", "02071234567");
    sc_dialrule_free(r);
}

static void emergency_countries(void)
{
    char known[256];
    /* every built-in list parses and can be selected, in any case */
    for (size_t i = 0; sc_emerg_country_at(i); i++) {
        const char *code = sc_emerg_country_at(i);
        char lower[3] = { (char)g_ascii_tolower(code[0]), (char)g_ascii_tolower(code[1]), 0 };
        sc_dialrule *r = sc_dialrule_new_prefix("00");
        CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, code), SC_OK);
        CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, lower), SC_OK);
        CHECK_STR(sc_last_error(), "");
        CHECK(strstr(sc_emerg_known_countries(known, sizeof known), code) != NULL);
        sc_dialrule_free(r);
    }
    CHECK_STR(sc_emerg_known_countries(known, sizeof known),
              "AU, BR, CA, CH, CN, DE, ES, FR, GB, IN, IT, JP, NL, NZ, RU, UK, US, ZA");

    static const struct { const char *country; const char *numbers[10]; } lists[] = {
        { "GB", { "999", "112" } },
        { "US", { "911", "933" } },
        { "CA", { "911", "933" } },
        { "DE", { "110", "112" } },
        { "FR", { "15", "17", "18", "112", "114", "115", "119", "196", "197" } },
        { "IN", { "100", "101", "102", "108", "112" } },
        { "AU", { "000", "112", "106" } },
        { "NZ", { "111" } },
        { "JP", { "110", "118", "119" } },
        { "BR", { "190", "192", "193" } },
        { "IT", { "112", "113", "115", "118" } },
        { "ES", { "112", "091", "092", "061", "080", "085" } },
        { "NL", { "112" } },
        { "CH", { "112", "117", "118", "144" } },
        { "CN", { "110", "119", "120", "122" } },
        { "RU", { "101", "102", "103", "112" } },
        { "ZA", { "10111", "10177", "112" } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        sc_dialrule *r = allow_all();
        CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, lists[i].country), SC_OK);
        for (size_t j = 0; j < 10 && lists[i].numbers[j]; j++) {
            char intl[32];
            REFUSED(r, lists[i].numbers[j], SC_DIAL_EMERGENCY, lists[i].numbers[j]);
            snprintf(intl, sizeof intl, "+99%s", lists[i].numbers[j]);
            REFUSED(r, intl, SC_DIAL_EMERGENCY, NULL);
        }
        sc_dialrule_free(r);
    }

    /* the country's numbers only count once it is selected */
    sc_dialrule *r = allow_all();
    ALLOWED(r, "15", "15");
    ALLOWED(r, "111", "111");
    ALLOWED(r, "10111", "10111");
    ALLOWED(r, "091", "091");
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, "fr"), SC_OK);
    REFUSED(r, "15", SC_DIAL_EMERGENCY, "15 is an emergency number");
    REFUSED(r, "+3317", SC_DIAL_EMERGENCY, "(17 after the prefix +33)");
    REFUSED(r, "0018", SC_DIAL_EMERGENCY, NULL);
    ALLOWED(r, "0033145678901", "0033145678901");
    ALLOWED(r, "111", "111");
    /* selecting another country adds to the lists, never replaces them */
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, "NZ"), SC_OK);
    REFUSED(r, "111", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "+64111", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "15", SC_DIAL_EMERGENCY, NULL);
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, "ES"), SC_OK);
    REFUSED(r, "091", SC_DIAL_EMERGENCY, NULL);          /* leading zero kept */
    ALLOWED(r, "91", "91");
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, "ZA"), SC_OK);
    REFUSED(r, "10111", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "002710111", SC_DIAL_EMERGENCY, "(10111 after the prefix 0027)");
    ALLOWED(r, "0027101112345", "0027101112345");
    /* the defaults stay */
    REFUSED(r, "112", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "999", SC_DIAL_EMERGENCY, NULL);

    /* unknown countries */
    static const char *unknown[] = { "XX", "", "G", "GBR", "gb ", "\xc3\x9f\xc3\x9f", "\n" };
    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, unknown[i]), SC_ENOTFOUND);
        CHECK_CONTAINS(sc_last_error(), "no emergency-number list for country");
        CHECK_CONTAINS(sc_last_error(), "known: AU, BR, CA, CH, CN, DE, ES, FR, GB, IN");
        CHECK(printable(sc_last_error()));
    }
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, "XX"), SC_ENOTFOUND);
    CHECK_CONTAINS(sc_last_error(), "'XX'");
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(r, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_dialrule_set_emergency_country(NULL, "GB"), SC_EINVAL);
    sc_dialrule_free(r);
}

static void add_emergency_numbers(void)
{
    sc_dialrule *r = allow_all();
    CHECK_EQ_INT(sc_dialrule_add_emergency(r, "4242,5151"), SC_OK);
    CHECK_STR(sc_last_error(), "");
    REFUSED(r, "4242", SC_DIAL_EMERGENCY, "4242 is an emergency number");
    REFUSED(r, "+494242", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "5151", SC_DIAL_EMERGENCY, NULL);
    CHECK_EQ_INT(sc_dialrule_add_emergency(r, " 6161 ,\t7171"), SC_OK);   /* spaces around entries */
    REFUSED(r, "6161", SC_DIAL_EMERGENCY, NULL);
    REFUSED(r, "7171", SC_DIAL_EMERGENCY, NULL);
    CHECK_EQ_INT(sc_dialrule_add_emergency(r, "4242"), SC_OK);           /* again: harmless */
    CHECK_EQ_INT(sc_dialrule_add_emergency(r, "123456789012345"), SC_OK);  /* 15 digits */
    REFUSED(r, "123456789012345", SC_DIAL_EMERGENCY, NULL);

    static const struct { const char *list; const char *needle; } bad[] = {
        { "", "entry 1 is empty" },
        { ",", "entry 1 is empty" },
        { "8282,", "entry 2 is empty" },
        { "8282,,9393", "entry 2 is empty" },
        { "8282, ,9393", "entry 2 is empty" },
        { "8282,1a", "entry 2 '1a' is not a number" },
        { "+8282", "entry 1 '+8282' is not a number" },
        { "82 82", "entry 1 '82 82' is not a number" },
        { "8282;9393", "entry 1 '8282;9393' is not a number" },
        { "8282,\xd9\xa3", "entry 2 '\\xD9\\xA3' is not a number" },
        { "8282,\n", "entry 2 '\\x0A' is not a number" },
        { "1234567890123456", "more than 15 digits" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        CHECK_EQ_INT(sc_dialrule_add_emergency(r, bad[i].list), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), bad[i].needle);
        CHECK(printable(sc_last_error()));
    }
    /* a list with an error adds nothing, not even its good entries */
    ALLOWED(r, "8282", "8282");
    ALLOWED(r, "9393", "9393");
    CHECK_EQ_INT(sc_dialrule_add_emergency(r, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_dialrule_add_emergency(NULL, "15"), SC_EINVAL);
    sc_dialrule_free(r);
}

static void pattern_rules_and_formats(void)
{
    sc_dialrule *r = sc_dialrule_new_pattern("^(00\\d+)$", NULL);
    CHECK(r != NULL);
    CHECK_STR(sc_dialrule_describe(r), "^(00\\d+)$ -> $1");
    ALLOWED(r, "0044123456789", "0044123456789");
    REFUSED(r, "44123456789", SC_DIAL_NO_MATCH, NULL);
    CHECK_STR(sc_last_error(), "number 44123456789 does not match the dial rule ^(00\\d+)$");
    REFUSED(r, "00", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* an outside-line digit stripped by the rule */
    r = sc_dialrule_new_pattern("^9(\\d+)$", "$1");
    ALLOWED(r, "90044123456789", "0044123456789");
    ALLOWED(r, "92071234567", "2071234567");
    /* the RESULT is checked again: 9112 must not go out as 112 */
    REFUSED(r, "9112", SC_DIAL_EMERGENCY, NULL);
    CHECK_STR(sc_last_error(), "the dial rule ^9(\\d+)$ -> $1 turns 9112 into 112, an emergency number: "
                               "the trunk provider forbids emergency calls");
    REFUSED(r, "9999", SC_DIAL_EMERGENCY, "turns 9999 into 999");
    REFUSED(r, "90112", SC_DIAL_EMERGENCY, "turns 90112 into 0112, an emergency number (112 after the prefix 0)");
    REFUSED(r, "90044112", SC_DIAL_EMERGENCY, "into 0044112");
    REFUSED(r, "9", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* national numbers rewritten to E.164 */
    r = sc_dialrule_new_pattern("^0(\\d{10})$", "+44$1");
    CHECK_STR(sc_dialrule_describe(r), "^0(\\d{10})$ -> +44$1");
    ALLOWED(r, "02071234567", "+442071234567");
    REFUSED(r, "0207123456", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "002071234567", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* groups reordered, $0, and "$10" meaning $1 then '0' */
    r = sc_dialrule_new_pattern("^(\\d\\d)(\\d+)$", "$2$1");
    ALLOWED(r, "1234567", "3456712");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^00(\\d+)$", "00$0");
    ALLOWED(r, "0044123", "000044123");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(\\d+)$", "$10");
    ALLOWED(r, "0044123", "00441230");
    sc_dialrule_free(r);

    /* no group: the default format is $0, the whole number */
    r = sc_dialrule_new_pattern("00\\d+", NULL);
    CHECK_STR(sc_dialrule_describe(r), "00\\d+ -> $0");
    ALLOWED(r, "0044123456789", "0044123456789");
    sc_dialrule_free(r);

    /* a group that did not take part is empty */
    r = sc_dialrule_new_pattern("^(?:\\+|(00))(\\d{6,})$", "$1$2");
    ALLOWED(r, "+44123456", "44123456");
    ALLOWED(r, "0044123456", "0044123456");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(?:\\+|(00))(\\d{6,})$", "00$2");
    ALLOWED(r, "+44123456", "0044123456");
    ALLOWED(r, "0044123456", "0044123456");
    sc_dialrule_free(r);

    /* results that are not numbers */
    r = sc_dialrule_new_pattern("^(\\d+)$", "$1+");
    REFUSED(r, "0044123", SC_DIAL_BAD_NUMBER, "turns 0044123 into '0044123+', which is refused: "
                                              "'+' at position 8 is not allowed");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(\\d+)$", "$1$1");
    ALLOWED(r, "0044123", "00441230044123");
    REFUSED(r, "00441234567890123", SC_DIAL_TOO_LONG, "it has 34 digits, more than 32");
    REFUSED(r, "00441234567890123456789012345678", SC_DIAL_TOO_LONG, "64 digits");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(0*)(\\d+)$", "$1");
    REFUSED(r, "123", SC_DIAL_BAD_NUMBER, "into '', which is refused: it is empty");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(\\+?)(\\d+)$", "$1");
    REFUSED(r, "+44", SC_DIAL_BAD_NUMBER, "into '+', which is refused: it has no digits");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("^(\\+?\\d+)$", "00$1");
    REFUSED(r, "+44123", SC_DIAL_BAD_NUMBER, "into '00+44123', which is refused: '+' at position 3");
    sc_dialrule_free(r);
}

static void patterns_match_the_whole_number(void)
{
    sc_dialrule *r = sc_dialrule_new_pattern("1234", NULL);
    ALLOWED(r, "1234", "1234");
    REFUSED(r, "12345", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "01234", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "0012345", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* unanchored: FreeSWITCH would accept any number containing 00 + digits */
    r = sc_dialrule_new_pattern("00\\d+", NULL);
    REFUSED(r, "1900001", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "+4400123", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* half-anchored */
    r = sc_dialrule_new_pattern("^00\\d+", NULL);
    REFUSED(r, "1900001", SC_DIAL_NO_MATCH, NULL);
    ALLOWED(r, "00123", "00123");
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("00\\d+$", NULL);
    REFUSED(r, "1900001", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* the user's anchors bind tighter than '|': the whole thing is anchored */
    r = sc_dialrule_new_pattern("^0044|0033$", NULL);
    ALLOWED(r, "0044", "0044");
    ALLOWED(r, "0033", "0033");
    REFUSED(r, "00441234", SC_DIAL_NO_MATCH, NULL);
    REFUSED(r, "12340033", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("0044\\d+|0033\\d+", NULL);
    ALLOWED(r, "00331234", "00331234");
    REFUSED(r, "1230033123", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);

    /* the first alternative that matches a prefix must not win */
    r = sc_dialrule_new_pattern("00|0044\\d+", NULL);
    ALLOWED(r, "0044123", "0044123");
    sc_dialrule_free(r);

    /* attempts to get out of the anchoring */
    r = sc_dialrule_new_pattern("00\\d+)|(.*", NULL);
    CHECK(r == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "is not a valid regular expression");
    r = sc_dialrule_new_pattern("00\\K\\d+", NULL);
    CHECK(r != NULL);
    REFUSED(r, "0044123", SC_DIAL_NO_MATCH, NULL);   /* \K: match does not start at 0 */
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("00(*ACCEPT)\\d+", NULL);
    if (r) REFUSED(r, "0044123", SC_DIAL_NO_MATCH, NULL);  /* ends early */
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("\\Q0044", NULL);     /* an open \Q */
    CHECK(r != NULL);
    ALLOWED(r, "0044", "0044");
    REFUSED(r, "00441", SC_DIAL_NO_MATCH, NULL);
    sc_dialrule_free(r);
    r = sc_dialrule_new_pattern("(?x) 00 \\d+  # a comment", NULL);
    CHECK(r == NULL);
    CHECK_CONTAINS(sc_last_error(), "cannot be anchored to the whole number");

    /* Unicode digits never reach the pattern: \d would match them */
    r = sc_dialrule_new_pattern("^(\\d+)$", NULL);
    REFUSED(r, "\xd9\xa3\xd9\xa3\xd9\xa3", SC_DIAL_BAD_NUMBER, "byte \\xD9 at position 1");
    REFUSED(r, "\xef\xbc\x91\xef\xbc\x91", SC_DIAL_BAD_NUMBER, NULL);
    sc_dialrule_free(r);

    /* even a pattern that allows anything cannot let these through */
    r = sc_dialrule_new_pattern(".*", NULL);
    REFUSED(r, "0044123@evil.com", SC_DIAL_BAD_NUMBER, NULL);
    REFUSED(r, "112", SC_DIAL_EMERGENCY, NULL);
    ALLOWED(r, "0044123", "0044123");
    sc_dialrule_free(r);
}

static void bad_patterns_and_formats(void)
{
    static const struct { const char *pattern, *format, *needle; } bad[] = {
        { "", NULL, "dial pattern is empty" },
        { "^(00\\d+$", NULL, "is not a valid regular expression" },
        { "[0-9", NULL, "is not a valid regular expression" },
        { "00\\", NULL, "is not a valid regular expression" },
        { "(?<", NULL, "is not a valid regular expression" },
        { "\xff\xfe", NULL, "'\\xFF\\xFE' is not valid UTF-8 text" },
        { "00\xc3", NULL, "'00\\xC3' is not valid UTF-8 text" },
        { "^(00\\d+)$", "", "dial format for ^(00\\d+)$ is empty" },
        { "^(00\\d+)$", "$2", "refers to $2 but ^(00\\d+)$ has 1 capture group" },
        { "00\\d+", "$1", "refers to $1 but 00\\d+ has 0 capture groups" },
        { "^(00\\d+)$", "$", "'$' at position 1 must be followed by a digit" },
        { "^(00\\d+)$", "$1$", "'$' at position 3 must be followed by a digit" },
        { "^(00\\d+)$", "$x", "'$' at position 1 must be followed" },
        { "^(00\\d+)$", "$$1", "'$$' at position 1 is a literal '$'" },
        { "^(00\\d+)$", "$1@sip.example", "character 3 is not a digit, '+' or a $N reference" },
        { "^(00\\d+)$", "sofia/gateway/skype/$1", "character 1 is not a digit" },
        { "^(00\\d+)$", "$1\n", "'$1\\x0A'" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        sc_dialrule *r = sc_dialrule_new_pattern(bad[i].pattern, bad[i].format);
        CHECK(r == NULL);
        CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
        CHECK_CONTAINS(sc_last_error(), bad[i].needle);
        CHECK(printable(sc_last_error()));
        sc_dialrule_free(r);
    }
    CHECK(sc_dialrule_new_pattern(NULL, "$1") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);

    char big[2000];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(sc_dialrule_new_pattern(big, NULL) == NULL);
    CHECK_CONTAINS(sc_last_error(), "1999 bytes long, more than 1024");

    /* control bytes in a valid pattern are shown escaped */
    sc_dialrule *r = sc_dialrule_new_pattern("00\\d+\x01?", NULL);
    CHECK(r != NULL);
    CHECK_STR(sc_dialrule_describe(r), "00\\d+\\x01? -> $0");
    REFUSED(r, "44", SC_DIAL_NO_MATCH, "does not match the dial rule 00\\d+\\x01?");
    sc_dialrule_free(r);
    sc_dialrule_free(NULL);
}

/* Regressions: inputs once found by fuzzing or review. */
static void regressions(void)
{
    /* an empty match of an optional group, then $1 of it */
    sc_dialrule *r = sc_dialrule_new_pattern("^(x)?(\\d+)$", "$1$2");
    ALLOWED(r, "0044123", "0044123");
    sc_dialrule_free(r);

    /* catastrophic backtracking: PCRE2 gives up, and so the number is refused */
    r = sc_dialrule_new_pattern("(\\d|\\d)*(?!)", "$0");
    REFUSED(r, "00441234567890123456789012345678", SC_DIAL_NO_MATCH, "could not be evaluated (");
    CHECK(strstr(sc_last_error(), "\\A(?:") == NULL);     /* our anchoring is not shown */
    sc_dialrule_free(r);
}

/* ---- threads ------------------------------------------------------------ */

typedef struct { const char *num; int code; const char *dial; int pattern; } case_t;

static const case_t thread_cases[] = {
    { "0044123456789", SC_DIAL_OK, "0044123456789", 0 },
    { "44123456789", SC_DIAL_NO_MATCH, NULL, 0 },
    { "112", SC_DIAL_EMERGENCY, NULL, 0 },
    { "0044112", SC_DIAL_EMERGENCY, NULL, 0 },
    { "0044123@evil.com", SC_DIAL_BAD_NUMBER, NULL, 0 },
    { "001234567890123456789012345678901", SC_DIAL_TOO_LONG, NULL, 0 },
    { "00441121234567", SC_DIAL_OK, "00441121234567", 0 },
    { "90044123456789", SC_DIAL_OK, "0044123456789", 1 },
    { "9112", SC_DIAL_EMERGENCY, NULL, 1 },
    { "8123", SC_DIAL_NO_MATCH, NULL, 1 },
};

typedef struct {
    const sc_dialrule *prefix, *pattern;
    unsigned seed;
    int iterations;
    int wrong;
} worker_t;

static gpointer worker(gpointer data)
{
    worker_t *w = data;
    unsigned x = w->seed;
    for (int i = 0; i < w->iterations; i++) {
        const case_t *c;
        char *dial = NULL;
        int rc;
        x = x * 1103515245u + 12345u;
        c = &thread_cases[(x >> 16) % G_N_ELEMENTS(thread_cases)];
        /* pattern rules cost a regex match each: keep them a tenth of the load */
        if (c->pattern && (x >> 8) % 10) c = &thread_cases[0];
        rc = sc_dialrule_check(c->pattern ? w->pattern : w->prefix, c->num, (i & 1) ? &dial : NULL);
        if (rc != (c->code ? SC_EREFUSED : SC_OK) || sc_dialrule_last_refusal() != c->code
            || (c->code == SC_DIAL_OK) != (sc_last_error()[0] == '\0')) {
            w->wrong++;
        } else if (c->code == SC_DIAL_EMERGENCY && !strstr(sc_last_error(), "emergency number")) {
            w->wrong++;     /* the message is this thread's, not another's */
        } else if (c->code == SC_DIAL_BAD_NUMBER && !strstr(sc_last_error(), "'@' at position 8")) {
            w->wrong++;
        } else if ((i & 1) && c->dial && (!dial || strcmp(dial, c->dial))) {
            w->wrong++;
        } else if ((i & 1) && !c->dial && dial) {
            w->wrong++;
        }
        sc_free(dial);
    }
    return NULL;
}

/* Issue #11 item 5: any number of international and trunk prefixes. The
 * old normalisation stripped one of each and let these go out. */
static void emergency_after_many_prefixes(void)
{
    sc_dialrule *r = allow_all();
    static const char *refused[] = {
        "000000112", "00000000911", "0000999", "00000112", "0000000000000112",
        "00112", "000112", "0000112", "+00112", "+0000911", "0044000999", "00440999",
        "+440999", "0011911", "0110112", "000044112", "00440044112",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        REFUSED(r, refused[i], SC_DIAL_EMERGENCY, "is an emergency number");
        CHECK_EQ_INT(sc_dialrule_is_emergency(NULL, refused[i]), 1);
    }
    /* Long numbers stay allowed however many zeros they start with. */
    static const char *fine[] = { "0000441234567", "000049301234567", "00000012345", "0001121234" };
    for (size_t i = 0; i < G_N_ELEMENTS(fine); i++) ALLOWED(r, fine[i], fine[i]);
    sc_dialrule_free(r);
}

static void many_threads_one_rule(void)
{
    enum { THREADS = 8 };
    sc_dialrule *prefix = sc_dialrule_new_prefix("00");
    sc_dialrule *pattern = sc_dialrule_new_pattern("^9(\\d+)$", "$1");
    GThread *t[THREADS];
    worker_t w[THREADS];
    const char *iters = getenv("SC_DIALRULE_THREAD_ITERATIONS");   /* lower under valgrind */
    int n = iters ? atoi(iters) : 100000;

    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){ prefix, pattern, 0x9e3779b9u * (unsigned)(i + 1), n, 0 };
        t[i] = g_thread_new("dialrule", worker, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        g_thread_join(t[i]);
        CHECK_EQ_INT(w[i].wrong, 0);
    }
    sc_dialrule_free(prefix);
    sc_dialrule_free(pattern);
}

SC_TEST_MAIN(TEST(refusal_names), TEST(no_rule_refuses_everything), TEST(skype_page_prefix_rule),
             TEST(plus_prefix_rule), TEST(bad_prefixes), TEST(injection_attempts), TEST(length_limits),
             TEST(emergency_defaults), TEST(emergency_after_many_prefixes), TEST(emergency_comes_before_the_rule), TEST(emergency_countries),
             TEST(add_emergency_numbers), TEST(pattern_rules_and_formats),
             TEST(patterns_match_the_whole_number), TEST(bad_patterns_and_formats), TEST(regressions),
             TEST(many_threads_one_rule))
