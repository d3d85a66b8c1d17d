/* Emergency numbers: the built-in lists and the prefix-stripping match.
 *
 * Skype Connect (like most SIP trunk providers) forbids emergency calls in its
 * terms: the trunk carries no caller location and no call-back number, so an
 * emergency call through it may fail or reach the wrong centre, and a caller
 * who believes they got through is worse off than one who was told "no".
 * So dial rules refuse emergency numbers whatever the pattern says.
 *
 * WHICH NUMBERS COUNT. Users and dialplans put prefixes in front of numbers,
 * so comparing the number with the list is not enough: "+112", "00112" or
 * "0044999" all reach an emergency centre on some networks. A number is an
 * emergency number when one of these suffixes of it is exactly a listed
 * number (sc_emerg_match()):
 *
 *   1. the digits themselves, without a leading '+'       112, +112
 *   2. the digits without one leading '0': a national     0112, 0999
 *      trunk prefix (or a PBX "0 for an outside line")
 *   3. after an international prefix ('+', "00" or        00112, 011911
 *      "011"), the rest as is
 *   4. after an international prefix, the rest minus its   0044112, +44999,
 *      first 1, 2 or 3 digits (a country code; we do not   001911, +1911
 *      know its length, so we try all three)
 *
 * Only EXACT equality counts: a long number that merely contains 112
 * (00441121234567) is allowed, because after any of these strips it is still
 * much longer than an emergency number. Because every candidate is a suffix
 * at most 6 characters shorter than the number ("011" + a 3-digit country
 * code), a number longer than the longest listed emergency number + 6 can
 * never match, and the lookup first checks the candidate's length against a
 * bit mask, so ordinary numbers cost a handful of comparisons.
 *
 * THE PRICE. Rule 4 also refuses a few short numbers that might be real:
 * a country whose subscriber numbers are 3 to 5 digits long (a few island
 * states) and whose code followed by such a number happens to end in a
 * listed emergency number, e.g. "+<3-digit code>112". We accept that: such a
 * number is a rare, short, failed call the administrator can route another
 * way, while missing "+44 999" is a provider's terms broken and a person in
 * an emergency talking to a trunk that cannot locate them. When in doubt we
 * refuse.
 *
 * WHAT WE DO NOT STRIP. A "9 for an outside line" access code (the US "9911"
 * problem) is not stripped: the trunk receives "9911" as dialled, which is
 * not an emergency number to it. A dial rule that removes such a code
 * (^9(\d+)$ -> $1) has its RESULT checked again (dialrule.c), which is where
 * the 112 inside 9112 is caught. Nor do we strip a trunk '0' after a country
 * code ("+44 0 999"): that is not a valid way to write a number, and each
 * extra strip is more legitimate numbers refused.
 */
#include <string.h>
#include <glib.h>

#include "dialrule_priv.h"
#include "error_priv.h"
#include "rule_export_priv.h"

#define E(s) { sizeof(s) - 1, s }

/* The defaults apply to every rule, whatever the country: they are the
 * numbers a traveller or a misconfigured phone is most likely to dial. */
static const sc_emerg_entry defaults[] = {
    E("112"), E("911"), E("999"), E("000"), E("110"), E("118"),
    E("119"), E("100"), E("101"), E("102"), E("108"),
};

/* Per-country lists, sorted by code. Parsed by the same code as
 * sc_dialrule_add_emergency() (a unit test checks each one parses). Sources:
 * the national emergency (and emergency-adjacent: fire, ambulance, police,
 * mountain/sea rescue, child/abuse helplines that dispatch help) numbers as
 * published by each country's regulator. */
static const struct {
    const char *code;
    const char *numbers;
} countries[] = {
    { "AU", "000,112,106" },
    { "BR", "190,192,193" },
    { "CA", "911,933" },
    { "CH", "112,117,118,144" },
    { "CN", "110,119,120,122" },
    { "DE", "110,112" },
    { "ES", "112,091,092,061,080,085" },
    { "FR", "15,17,18,112,114,115,119,196,197" },
    { "GB", "999,112" },
    { "IN", "100,101,102,108,112" },
    { "IT", "112,113,115,118" },
    { "JP", "110,118,119" },
    { "NL", "112" },
    { "NZ", "111" },
    { "RU", "101,102,103,112" },
    { "UK", "999,112" },        /* not ISO, but what people write for GB */
    { "US", "911,933" },        /* 933: the 911 address test line */
    { "ZA", "10111,10177,112" },
};

size_t sc_emerg_default_count(void)
{
    return G_N_ELEMENTS(defaults);
}

const sc_emerg_entry *sc_emerg_default_at(size_t i)
{
    return i < G_N_ELEMENTS(defaults) ? &defaults[i] : NULL;
}

static uint32_t defaults_lenmask(void)
{
    uint32_t m = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++) m |= 1u << defaults[i].len;
    return m;
}

void sc_emerg_set_init(sc_emerg_set *set)
{
    set->entries = NULL;
    set->count = set->cap = 0;
    set->lenmask = defaults_lenmask();
}

void sc_emerg_set_clear(sc_emerg_set *set)
{
    g_free(set->entries);
    sc_emerg_set_init(set);
}

static int in_entries(const sc_emerg_entry *e, size_t n, const char *digits, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].len == len && !memcmp(e[i].digits, digits, len)) return 1;
    return 0;
}

int sc_emerg_lookup(const sc_emerg_set *set, const char *digits, size_t len)
{
    uint32_t mask = set ? set->lenmask : defaults_lenmask();
    if (len == 0 || len > SC_EMERG_MAX_DIGITS || !(mask & (1u << len))) return 0;
    if (in_entries(defaults, G_N_ELEMENTS(defaults), digits, len)) return 1;
    return set && in_entries(set->entries, set->count, digits, len);
}

int sc_emerg_match(const sc_emerg_set *set, const char *number, size_t len)
{
    /* Candidate suffixes, in the order of the rules above; duplicates are
     * harmless (a failed lookup is a bit test). */
    size_t cand[7], n = 0;
    size_t d = (len > 0 && number[0] == '+') ? 1 : 0;
    size_t intl = 0;

    cand[n++] = d;                                              /* rule 1 */
    if (len > d && number[d] == '0') cand[n++] = d + 1;         /* rule 2 */
    if (d == 1) intl = 1;
    else if (len >= 3 && !memcmp(number, "011", 3)) intl = 3;
    else if (len >= 2 && !memcmp(number, "00", 2)) intl = 2;
    if (intl) {
        if (intl != d) cand[n++] = intl;                        /* rule 3 */
        for (size_t cc = 1; cc <= 3; cc++) cand[n++] = intl + cc;   /* rule 4 */
    }
    for (size_t i = 0; i < n; i++)
        if (cand[i] < len && sc_emerg_lookup(set, number + cand[i], len - cand[i]))
            return (int)cand[i];
    return -1;
}

int sc_emerg_set_add_list(sc_emerg_set *set, const char *list, const char *what)
{
    char show[SC_DIAL_SHOW_SIZE];
    sc_emerg_entry *fresh;
    size_t nfresh = 0, max = 1;
    const char *p;
    int index = 0;

    if (!list) return sc_fail(SC_EINVAL, "%s: no numbers given", what);
    for (p = list; *p; p++) if (*p == ',') max++;
    fresh = g_new(sc_emerg_entry, max);

    /* Parse everything before adding anything, so that a typo never leaves
     * a half-applied list behind. */
    p = list;
    for (;;) {
        const char *end = strchr(p, ','), *a = p, *b;
        if (!end) end = p + strlen(p);
        b = end;
        index++;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (a == b) {
            g_free(fresh);
            return sc_fail(SC_EINVAL, "%s '%s': entry %d is empty", what,
                           sc_dial_escape(show, sizeof show, list, strlen(list)), index);
        }
        for (const char *c = a; c < b; c++) {
            if (*c < '0' || *c > '9') {
                g_free(fresh);
                return sc_fail(SC_EINVAL, "%s: entry %d '%s' is not a number (digits only)", what,
                               index, sc_dial_escape(show, sizeof show, a, (size_t)(b - a)));
            }
        }
        if ((size_t)(b - a) > SC_EMERG_MAX_DIGITS) {
            g_free(fresh);
            return sc_fail(SC_EINVAL, "%s: entry %d '%s' has more than %d digits", what, index,
                           sc_dial_escape(show, sizeof show, a, (size_t)(b - a)), SC_EMERG_MAX_DIGITS);
        }
        if (!sc_emerg_lookup(set, a, (size_t)(b - a)) && !in_entries(fresh, nfresh, a, (size_t)(b - a))) {
            fresh[nfresh].len = (uint8_t)(b - a);
            memcpy(fresh[nfresh].digits, a, (size_t)(b - a));
            fresh[nfresh].digits[b - a] = '\0';
            nfresh++;
        }
        if (!*end) break;
        p = end + 1;
    }

    if (set->count + nfresh > set->cap) {
        set->cap = set->count + nfresh + 8;
        set->entries = g_renew(sc_emerg_entry, set->entries, set->cap);
    }
    for (size_t i = 0; i < nfresh; i++) {
        set->entries[set->count++] = fresh[i];
        set->lenmask |= 1u << fresh[i].len;
    }
    g_free(fresh);
    return SC_OK;
}

const char *sc_emerg_country_list(const char *country)
{
    if (!country) return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(countries); i++)
        if (!g_ascii_strcasecmp(countries[i].code, country)) return countries[i].numbers;
    return NULL;
}

const char *sc_emerg_country_at(size_t i)
{
    return i < G_N_ELEMENTS(countries) ? countries[i].code : NULL;
}

char *sc_emerg_known_countries(char *buf, size_t cap)
{
    size_t used = 0;
    if (cap) buf[0] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(countries) && used + 5 < cap; i++) {
        memcpy(buf + used, countries[i].code, 2);
        used += 2;
        if (i + 1 < G_N_ELEMENTS(countries)) { buf[used++] = ','; buf[used++] = ' '; }
        buf[used] = '\0';
    }
    return buf;
}
