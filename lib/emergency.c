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
 * much longer than an emergency number. The lookup first checks the
 * candidate's length against a bit mask, and strips only start at zeros (or
 * a leading '+'), so ordinary numbers cost a handful of comparisons.
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
 * ANY NUMBER OF PREFIXES. The strips above repeat, in any order: networks
 * and PBXs forgive extra zeros, so "000000112", "00000000911", "0044 0 999"
 * and "00 00 112" are emergency numbers too (sc_emerg_match() walks every
 * position a sequence of strips reaches; it is still only exact equality of
 * a suffix, so long numbers stay allowed).
 *
 * WHAT WE DO NOT STRIP. A "9 for an outside line" access code (the US "9911"
 * problem) is not stripped: the trunk receives "9911" as dialled, which is
 * not an emergency number to it. A dial rule that removes such a code
 * (^9(\d+)$ -> $1) has its RESULT checked again (dialrule.c), and so is the
 * number as it goes on the wire (after destination-prefix), which is where
 * the 112 inside 9112 is caught.
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

/* Marks in @p reach every position of @p number that stripping prefixes
 * reaches, any number of them in any order: a trunk '0', an international
 * prefix ('+' at the very start, "00", "011") and, after an international
 * prefix, a country code of 1 to 3 digits. @p len < 64 (the mask's size). */
static void reach_positions(const char *number, size_t len, uint64_t *reach)
{
    size_t todo[64], n = 0;
    todo[n++] = 0;
    *reach = 1;
    while (n) {
        size_t p = todo[--n], next[5], k = 0, intl = 0;
        if (number[p] == '0') next[k++] = p + 1;                       /* trunk */
        if (p == 0 && number[0] == '+') intl = 1;
        else if (p + 2 <= len && !memcmp(number + p, "00", 2)) intl = p + 2;
        else if (p + 3 <= len && !memcmp(number + p, "011", 3)) intl = p + 3;
        if (intl)
            for (size_t cc = 0; cc <= 3; cc++) next[k++] = intl + cc;  /* country code */
        for (size_t i = 0; i < k; i++) {
            uint64_t bit = UINT64_C(1) << next[i];
            if (next[i] >= len || (*reach & bit)) continue;
            *reach |= bit;
            todo[n++] = next[i];  /* each position enters once: n < 64 */
        }
    }
}

int sc_emerg_match(const sc_emerg_set *set, const char *number, size_t len)
{
    /* Every suffix some sequence of strips reaches is a candidate: rules 1
     * to 4 above are the one-strip cases; "000000112" (six zeros, each a
     * trunk or international prefix) and "0044 0 999" take several. */
    uint64_t reach;
    /* 64 bytes and more is no valid number (callers refuse those first),
     * and the positions would not fit the mask. */
    if (len == 0 || len >= 64) return -1;
    reach_positions(number, len, &reach);
    for (size_t p = 0; p < len; p++)
        if ((reach & (UINT64_C(1) << p)) && number[p] != '+' && sc_emerg_lookup(set, number + p, len - p))
            return (int)p;
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
