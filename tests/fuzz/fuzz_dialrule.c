/* libFuzzer target for dial rules.
 *
 * Input: one flags byte, then NUL-separated fields:
 *   RULE \0 FORMAT \0 EMERGENCY-LIST \0 NUMBER \0 NUMBER ...
 * flags bit 0: RULE is a prefix (sc_dialrule_new_prefix), else a pattern;
 *       bit 1: FORMAT is NULL (the default $1/$0);
 *       bit 2: select the built-in country list number flags >> 4;
 *       bit 3: add EMERGENCY-LIST with sc_dialrule_add_emergency.
 *
 * Besides crashes and sanitizer reports, it aborts when a check breaks the
 * module's promises: an allowed dial string that is not a clean number, is
 * too long or is an emergency number; a prefix rule that rewrites, or that
 * disagrees with the regex ^(PREFIX\d+)$ it hand-codes; a refusal without a
 * code or with raw bytes in its message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skypeconnect/sc_dialrule.h"
#include "dialrule_priv.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 12

static void expect(int cond, const char *what, const char *number)
{
    fuzz_expect("fuzz_dialrule", cond, what, number);
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) return 0;
    return 1;
}

static int clean_number(const char *s)
{
    return fuzz_clean_number(s);
}

static void check_one(const sc_dialrule *rule, int is_prefix, const char *prefix, const char *number)
{
    char *dial = NULL;
    int rc = sc_dialrule_check(rule, number, &dial);
    int refusal = sc_dialrule_last_refusal();

    if (rc == SC_OK) {
        expect(refusal == SC_DIAL_OK, "allowed but refusal code set", number);
        expect(sc_last_error()[0] == '\0', "allowed but an error text is left", number);
        expect(dial != NULL, "allowed without a dial string", number);
        expect(clean_number(number), "allowed a number that is not clean", number);
        expect(clean_number(dial), "allowed a dial string that is not clean", number);
        expect(!sc_dialrule_is_emergency(rule, number), "allowed an emergency number", number);
        expect(!sc_dialrule_is_emergency(rule, dial), "dial string is an emergency number", number);
        if (is_prefix) {
            expect(!strcmp(dial, number), "prefix rule rewrote the number", number);
            expect(!strncmp(number, prefix, strlen(prefix)) && strlen(number) > strlen(prefix),
                   "prefix rule allowed a number without the prefix", number);
        }
    } else {
        expect(rc == SC_EREFUSED, "check returned neither SC_OK nor SC_EREFUSED", number);
        expect(refusal >= SC_DIAL_NO_RULE && refusal <= SC_DIAL_TOO_LONG, "refusal code out of range", number);
        expect(dial == NULL, "refused but a dial string was returned", number);
        expect(sc_last_error()[0] != '\0', "refused without a message", number);
        expect(printable(sc_last_error()), "raw bytes in a refusal message", number);
        expect(strlen(sc_dial_refusal_name(refusal)) > 0, "refusal without a name", number);
    }
    sc_free(dial);
}

static void configure(sc_dialrule *rule, unsigned flags, const char *list)
{
    if (flags & 4) {
        const char *country = sc_emerg_country_at((flags >> 4) % 18);
        if (country) expect(sc_dialrule_set_emergency_country(rule, country) == SC_OK,
                            "a built-in country list failed", country);
        expect(sc_dialrule_set_emergency_country(rule, list) != SC_OK || sc_emerg_country_list(list),
               "an unknown country was accepted", list);
    }
    if (flags & 8) {
        int rc = sc_dialrule_add_emergency(rule, list);
        expect(rc == SC_OK || rc == SC_EINVAL, "add_emergency: unexpected status", list);
        expect(printable(sc_last_error()), "raw bytes in an add_emergency error", list);
    }
}

/* The hand-written prefix check must agree with the regex it stands for. */
static void differential(const sc_dialrule *prefix_rule, const sc_dialrule *regex_rule, const char *number)
{
    char *d1 = NULL, *d2 = NULL;
    int rc1 = sc_dialrule_check(prefix_rule, number, &d1), ref1 = sc_dialrule_last_refusal();
    int rc2 = sc_dialrule_check(regex_rule, number, &d2), ref2 = sc_dialrule_last_refusal();
    expect(rc1 == rc2 && ref1 == ref2, "prefix rule and its regex disagree", number);
    expect((!d1 && !d2) || (d1 && d2 && !strcmp(d1, d2)), "prefix rule and its regex dial differently", number);
    sc_free(d1);
    sc_free(d2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *field[MAX_FIELDS];
    size_t nfields = 0;
    unsigned flags;
    sc_dialrule *rule, *page, *twin = NULL;

    buf = fuzz_fields(data, size, &flags, field, MAX_FIELDS, 4, &nfields);
    if (!buf) return 0;

    if (flags & 1) rule = sc_dialrule_new_prefix(field[0]);
    else rule = sc_dialrule_new_pattern(field[0], (flags & 2) ? NULL : field[1]);

    if (!rule) {
        expect(sc_last_status() == SC_EINVAL, "rule refused without SC_EINVAL", field[0]);
        expect(printable(sc_last_error()), "raw bytes in a rule error", field[0]);
    } else {
        expect(printable(sc_dialrule_describe(rule)), "raw bytes in describe()", field[0]);
        configure(rule, flags, field[2]);
        if (flags & 1) {
            /* prefixes are digits or '+' digits, so this is the page's regex */
            char pattern[64];
            snprintf(pattern, sizeof pattern, "^(%s%s\\d+)$", field[0][0] == '+' ? "\\" : "", field[0]);
            twin = sc_dialrule_new_pattern(pattern, "$1");
            expect(twin != NULL, "the regex of a valid prefix does not compile", pattern);
            configure(twin, flags, field[2]);
        }
    }

    page = sc_dialrule_new_prefix("00");
    for (size_t i = 3; i < nfields; i++) {
        check_one(rule, flags & 1, field[0], field[i]);
        check_one(page, 1, "00", field[i]);
        if (twin) differential(rule, twin, field[i]);
        /* the rule text and the format as numbers, too */
        if (i == 3) {
            check_one(rule, flags & 1, field[0], field[0]);
            check_one(rule, flags & 1, field[0], field[1]);
        }
    }
    check_one(NULL, 0, "", field[nfields - 1]);
    expect(sc_dialrule_last_refusal() == SC_DIAL_NO_RULE, "no rule did not refuse with no_rule", NULL);

    sc_dialrule_free(twin);
    sc_dialrule_free(page);
    sc_dialrule_free(rule);
    free(buf);
    return 0;
}
