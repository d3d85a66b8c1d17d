/* FreeSWITCH dialplan XML: the Skype Connect page's extensions as files and
 * as a folder, FreeSWITCH's routing rules (continue, break, anti-actions,
 * several and nested conditions, captures, ${var}, inline set, regex=),
 * every load error with its file:line:col, malformed XML, folders, limits,
 * JSON, and eight threads routing on one dialplan. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_dialplan.h"
#include "dialplan_priv.h"
#include "sc_test.h"

#define DATA(name) SC_TEST_DATA_DIR "/dialplan/" name
#define CONF DATA("conf/dialplan")

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static void dump_diags(const sc_dialplan *dp)
{
    for (size_t i = 0; i < sc_dialplan_diag_count(dp); i++)
        fprintf(stderr, "    %s\n", sc_dialplan_diag_text(dp, i));
}

static int find_diag(const sc_dialplan *dp, const char *needle)
{
    for (size_t i = 0; i < sc_dialplan_diag_count(dp); i++)
        if (strstr(sc_dialplan_diag_text(dp, i), needle)) return (int)i;
    return -1;
}

static void check_has_diag(const sc_dialplan *dp, const char *text)
{
    if (find_diag(dp, text) < 0) {
        fprintf(stderr, "  no diagnostic contains \"%s\"; there are:\n", text);
        dump_diags(dp);
        CHECK(!"diagnostic missing");
    }
}

/* Loads @p xml as "dp.xml" (extensions outside a context go to "t"). */
static sc_dialplan *load(const char *xml, int status)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK(dp != NULL);
    int rc = sc_dialplan_load_string(dp, xml, "dp.xml", "t");
    if (rc != status) {
        fprintf(stderr, "  load gave %d, expected %d; diagnostics:\n", rc, status);
        dump_diags(dp);
    }
    CHECK_EQ_INT(rc, status);
    return dp;
}

/* Routes in @p ctx with NULL-terminated name, value pairs. */
static sc_route *route(const sc_dialplan *dp, const char *ctx, ...)
{
    sc_call_fields *f = sc_call_fields_new();
    va_list ap;
    va_start(ap, ctx);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);
        CHECK_EQ_INT(sc_call_fields_set(f, name, value), SC_OK);
    }
    va_end(ap);
    sc_route *r = NULL;
    int rc = sc_dialplan_route(dp, ctx, f, &r);
    CHECK_EQ_INT(rc, SC_OK);
    CHECK(r != NULL);
    sc_call_fields_free(f);
    return r;
}

/* Checks the route's actions: "app data" strings, in order. */
static void check_actions(const sc_route *r, const char *const *expected)
{
    size_t n = 0;
    while (expected[n]) n++;
    bool ok = sc_route_action_count(r) == n;
    for (size_t i = 0; ok && i < n; i++) {
        char *got = g_strdup_printf("%s %s", sc_route_action_app(r, i), sc_route_action_data(r, i));
        ok = !strcmp(got, expected[i]);
        g_free(got);
    }
    if (ok) return;
    fprintf(stderr, "  actions differ; expected:\n");
    for (size_t i = 0; i < n; i++) fprintf(stderr, "    %s\n", expected[i]);
    fprintf(stderr, "  got:\n");
    for (size_t i = 0; i < sc_route_action_count(r); i++)
        fprintf(stderr, "    %s %s\n", sc_route_action_app(r, i), sc_route_action_data(r, i));
    fprintf(stderr, "  explain:\n%s", sc_route_explain(r));
    CHECK(!"actions differ");
}

#define ACTIONS(r, ...) do { static const char *const exp_[] = { __VA_ARGS__, NULL }; \
    check_actions((r), exp_); } while (0)
#define NO_ACTIONS(r) do { static const char *const exp_[] = { NULL }; \
    check_actions((r), exp_); } while (0)

/* ---------------------------------------------------------------------------
 * A minimal JSON checker (RFC 8259 syntax), to prove sc_route_to_json's
 * output parses.
 * ------------------------------------------------------------------------- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"') return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) if (!g_ascii_isxdigit(p[i])) return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_list(const char *p, char close, bool object, int depth)
{
    p = json_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (object) {
            if (!(p = json_string(json_ws(p)))) return NULL;
            p = json_ws(p);
            if (*p++ != ':') return NULL;
        }
        if (!(p = json_value(p, depth + 1))) return NULL;
        p = json_ws(p);
        if (*p == close) return p + 1;
        if (*p++ != ',') return NULL;
    }
}

static const char *json_value(const char *p, int depth)
{
    p = json_ws(p);
    if (depth > 32) return NULL;
    if (*p == '{') return json_list(p, '}', true, depth);
    if (*p == '[') return json_list(p, ']', false, depth);
    if (*p == '"') return json_string(p);
    if (!strncmp(p, "true", 4)) return p + 4;
    if (!strncmp(p, "false", 5)) return p + 5;
    if (!strncmp(p, "null", 4)) return p + 4;
    char *end;
    g_ascii_strtod(p, &end);
    return end == p ? NULL : end;
}

static bool json_valid(const char *text)
{
    const char *end = text ? json_value(text, 0) : NULL;
    return end && *json_ws(end) == '\0' && g_utf8_validate(text, -1, NULL);
}

/* ---------------------------------------------------------------------------
 * The Skype Connect page
 * ------------------------------------------------------------------------- */

static void test_skype_page_folder(void)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, CONF), SC_OK);
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 0);
    if (sc_dialplan_diag_count(dp)) dump_diags(dp);
    CHECK_EQ_INT(sc_dialplan_diag_count(dp), 0);
    CHECK(sc_dialplan_has_context(dp, "public"));
    CHECK(sc_dialplan_has_context(dp, "default"));
    CHECK(!sc_dialplan_has_context(dp, "skype"));

    /* Inbound: the SIP username is the destination; transfer to 1000. */
    sc_route *r = route(dp, "public", "destination_number", "skypeuser", NULL);
    ACTIONS(r, "transfer 1000 XML default");
    CHECK_STR(sc_route_action_extension(r, 0), "skype_inbound");
    CHECK_STR(sc_route_action_origin(r, 0), CONF "/public/01_skype.xml:4");
    CHECK_CONTAINS(sc_route_explain(r), "extension 'skype_inbound' (" CONF
                   "/public/01_skype.xml:2): condition destination_number 'skypeuser' "
                   "=~ /skypeuser/ matched; 1 action(s) => matched\n");
    sc_route_free(r);

    /* Outbound: prefix 00 goes out through the skype gateway. */
    r = route(dp, "default", "destination_number", "0044123456", NULL);
    ACTIONS(r, "bridge sofia/gateway/skype/0044123456");
    CHECK_STR(sc_route_action_extension(r, 0), "skype_outbound");
    CHECK_CONTAINS(sc_route_explain(r), "01_skype.xml:2): condition destination_number "
                   "'0044123456' =~ /^(00\\d+)$/ matched");
    sc_route_free(r);

    /* No prefix: nothing matches, FreeSWITCH would give 404. */
    r = route(dp, "default", "destination_number", "44123", NULL);
    NO_ACTIONS(r);
    CHECK_CONTAINS(sc_route_explain(r), "'44123' =~ /^(00\\d+)$/ did not match => no match");
    CHECK_CONTAINS(sc_route_explain(r), "extension '1000' (" CONF "/default.xml:5)");
    CHECK_CONTAINS(sc_route_explain(r), "NO_ROUTE_DESTINATION");
    sc_route_free(r);

    /* Where the inbound transfer lands: default.xml's extension 1000,
     * after the default/ folder's files (name order: "default" < "default.xml",
     * as FreeSWITCH's include at the top of the context puts them first). */
    r = route(dp, "default", "destination_number", "1000", NULL);
    ACTIONS(r, "bridge sofia/internal/1000@127.0.0.1:5090");
    CHECK_STR(sc_route_action_extension(r, 0), "1000");
    const char *explain = sc_route_explain(r);
    CHECK(strstr(explain, "skype_outbound") < strstr(explain, "extension '1000'"));
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static void test_skype_page_files(void)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_file(dp, CONF "/public/01_skype.xml", "public"), SC_OK);
    CHECK_EQ_INT(sc_dialplan_load_file(dp, CONF "/default/01_skype.xml", NULL), SC_OK);
    CHECK(sc_dialplan_has_context(dp, "public"));
    CHECK(sc_dialplan_has_context(dp, "default"));
    sc_route *r = route(dp, "public", "destination_number", "skypeuser", NULL);
    ACTIONS(r, "transfer 1000 XML default");
    sc_route_free(r);
    r = route(dp, "default", "destination_number", "00441234", NULL);
    ACTIONS(r, "bridge sofia/gateway/skype/00441234");
    sc_route_free(r);
    /* The inbound expression is not anchored (the page writes it so): like
     * FreeSWITCH, a longer number holding the username matches too. */
    r = route(dp, "public", "destination_number", "+skypeuser2", NULL);
    ACTIONS(r, "transfer 1000 XML default");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

/* ---------------------------------------------------------------------------
 * Routing rules
 * ------------------------------------------------------------------------- */

static void test_unknown_context(void)
{
    sc_dialplan *dp = load("<extension name='a'><condition><action application='answer'/>"
                           "</condition></extension>", SC_OK);
    sc_call_fields *f = sc_call_fields_new();
    sc_route *r = (sc_route *)1;
    CHECK_EQ_INT(sc_dialplan_route(dp, "nowhere", f, &r), SC_ENOTFOUND);
    CHECK(r == NULL);
    CHECK_CONTAINS(sc_last_error(), "no context named 'nowhere'");
    CHECK_EQ_INT(sc_dialplan_route(NULL, "t", f, &r), SC_EINVAL);
    CHECK_EQ_INT(sc_dialplan_route(dp, NULL, f, &r), SC_EINVAL);
    CHECK_EQ_INT(sc_dialplan_route(dp, "t", NULL, &r), SC_EINVAL);
    CHECK_EQ_INT(sc_dialplan_route(dp, "t", f, NULL), SC_EINVAL);

    /* FreeSWITCH falls back to a context named "global". */
    CHECK_EQ_INT(sc_dialplan_load_string(dp, "<context name='global'><extension name='g'>"
                                         "<condition><action application='hangup'/></condition>"
                                         "</extension></context>", "g.xml", NULL), SC_OK);
    CHECK_EQ_INT(sc_dialplan_route(dp, "nowhere", f, &r), SC_OK);
    ACTIONS(r, "hangup ");
    CHECK_CONTAINS(sc_route_explain(r), "context 'nowhere' not found: using 'global'");
    char *json = sc_route_to_json(r);
    CHECK_CONTAINS(json, "\"context\":\"global\"");
    sc_free(json);
    sc_route_free(r);
    sc_call_fields_free(f);
    sc_dialplan_free(dp);
}

static const char continue_xml[] =
    "<context name='c'>\n"
    "  <extension name='a' continue='true'>\n"
    "    <condition field='destination_number' expression='^1'>\n"
    "      <action application='set' data='x=from_a'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='b'>\n"
    "    <condition field='destination_number' expression='^1'>\n"
    "      <action application='log' data='INFO b sees ${x}'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='c'>\n"
    "    <condition>\n"
    "      <action application='log' data='c'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_continue(void)
{
    sc_dialplan *dp = load(continue_xml, SC_OK);
    /* a matches and continues; b matches and stops: c never runs. A plain
     * set runs before b's log, so b's data sees x (run-time expansion). */
    sc_route *r = route(dp, "c", "destination_number", "12", NULL);
    ACTIONS(r, "set x=from_a", "log INFO b sees from_a");
    CHECK_STR(sc_route_action_extension(r, 0), "a");
    CHECK_STR(sc_route_action_extension(r, 1), "b");
    CHECK_STR(sc_route_action_origin(r, 1), "dp.xml:9");
    CHECK_CONTAINS(sc_route_explain(r), "=> matched, continue\n");
    sc_route_free(r);
    /* Neither a nor b: only c. */
    r = route(dp, "c", "destination_number", "2", NULL);
    ACTIONS(r, "log c");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char break_xml[] =
    "<include>\n"
    " <context name='on-false'>\n"
    "  <extension name='x'>\n"
    "   <condition field='destination_number' expression='^1$'/>\n"
    "   <condition><action application='log' data='c2'/></condition>\n"
    "  </extension>\n"
    " </context>\n"
    " <context name='never'>\n"
    "  <extension name='x'>\n"
    "   <condition field='destination_number' expression='^1$' break='never'>\n"
    "    <action application='log' data='c1'/>\n"
    "   </condition>\n"
    "   <condition><action application='log' data='c2'/></condition>\n"
    "  </extension>\n"
    " </context>\n"
    " <context name='on-true'>\n"
    "  <extension name='x'>\n"
    "   <condition field='destination_number' expression='^1$' break='on-true'>\n"
    "    <action application='log' data='c1'/>\n"
    "   </condition>\n"
    "   <condition><action application='log' data='c2'/></condition>\n"
    "  </extension>\n"
    " </context>\n"
    " <context name='always'>\n"
    "  <extension name='x'>\n"
    "   <condition field='destination_number' expression='^1$' break='always'>\n"
    "    <action application='log' data='c1'/>\n"
    "    <anti-action application='log' data='a1'/>\n"
    "   </condition>\n"
    "   <condition><action application='log' data='c2'/></condition>\n"
    "  </extension>\n"
    " </context>\n"
    "</include>\n";

static void test_break(void)
{
    sc_dialplan *dp = load(break_xml, SC_OK);
    sc_route *r;
    /* on-false (the default): a failing condition ends the extension. */
    r = route(dp, "on-false", "destination_number", "2", NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    r = route(dp, "on-false", "destination_number", "1", NULL);
    ACTIONS(r, "log c2");
    sc_route_free(r);
    /* never: the next condition is tried either way. */
    r = route(dp, "never", "destination_number", "2", NULL);
    ACTIONS(r, "log c2");
    sc_route_free(r);
    r = route(dp, "never", "destination_number", "1", NULL);
    ACTIONS(r, "log c1", "log c2");
    sc_route_free(r);
    /* on-true: stops after a pass, goes on after a failure. */
    r = route(dp, "on-true", "destination_number", "1", NULL);
    ACTIONS(r, "log c1");
    CHECK_CONTAINS(sc_route_explain(r), "; break => matched");
    sc_route_free(r);
    r = route(dp, "on-true", "destination_number", "2", NULL);
    ACTIONS(r, "log c2");
    sc_route_free(r);
    /* always: stops after the first condition whatever it gave. */
    r = route(dp, "always", "destination_number", "1", NULL);
    ACTIONS(r, "log c1");
    sc_route_free(r);
    r = route(dp, "always", "destination_number", "2", NULL);
    ACTIONS(r, "log a1");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char anti_xml[] =
    "<context name='anti'>\n"
    "  <extension name='a'>\n"
    "    <condition field='destination_number' expression='^1$'>\n"
    "      <action application='log' data='yes'/>\n"
    "      <anti-action application='respond' data='404 Not here $1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='b'>\n"
    "    <condition field='destination_number' expression='^3$'/>\n"
    "  </extension>\n"
    "  <extension name='c'>\n"
    "    <condition><action application='log' data='c'/></condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_anti_actions(void)
{
    sc_dialplan *dp = load(anti_xml, SC_OK);
    /* '$1' in an anti-action gets no capture: a warning at load. */
    check_has_diag(dp, "dp.xml:5:7: warning: '$N' stays as written: anti-actions");
    sc_route *r = route(dp, "anti", "destination_number", "1", NULL);
    ACTIONS(r, "log yes");
    sc_route_free(r);
    /* FreeSWITCH: a condition that fails and has anti-actions makes its
     * extension count as matched, so the hunt stops at 'a'. */
    r = route(dp, "anti", "destination_number", "2", NULL);
    ACTIONS(r, "respond 404 Not here $1");
    CHECK_CONTAINS(sc_route_explain(r), "1 anti-action(s) => matched");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char multi_xml[] =
    "<context name='m'>\n"
    "  <extension name='both'>\n"
    "    <condition field='destination_number' expression='^(00\\d+)$'>\n"
    "      <action application='log' data='first $1'/>\n"
    "    </condition>\n"
    "    <condition field='caller_id_number' expression='^(\\d+)$'>\n"
    "      <action application='bridge' data='sofia/gateway/skype/$1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='fallback'>\n"
    "    <condition><action application='hangup' data='NO_ROUTE_DESTINATION'/></condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_multiple_conditions(void)
{
    sc_dialplan *dp = load(multi_xml, SC_OK);
    /* Both pass: each condition's actions, each with its own captures. */
    sc_route *r = route(dp, "m", "destination_number", "0044", "caller_id_number", "123", NULL);
    ACTIONS(r, "log first 0044", "bridge sofia/gateway/skype/123");
    sc_route_free(r);
    /* The second fails: the extension does not match and the hunt goes on,
     * but the first condition's action stays collected (FreeSWITCH adds a
     * condition's actions as soon as it passes). */
    r = route(dp, "m", "destination_number", "0044", "caller_id_number", "anonymous", NULL);
    ACTIONS(r, "log first 0044", "hangup NO_ROUTE_DESTINATION");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char captures_xml[] =
    "<context name='cap'>\n"
    "  <extension name='groups'>\n"
    "    <condition field='destination_number' expression='^(\\d{2})(\\d+)(x)?$'>\n"
    "      <action application='log' data='cc=$1 rest=$2 all=$0 brace=${1} none=[$3][$7] $$ $x'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='nogroup'>\n"
    "    <condition field='destination_number' expression='^\\*\\d+$'>\n"
    "      <action application='log' data='n=$1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='later'>\n"
    "    <condition field='destination_number' expression='^#(\\d+)$'/>\n"
    "    <condition field='caller_id_name' expression='^Bob$'>\n"
    "      <action application='log' data='later=$1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='caseless'>\n"
    "    <condition field='caller_id_name' expression='/^(alice)$/i'>\n"
    "      <action application='log' data='hi $1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_captures(void)
{
    sc_dialplan *dp = load(captures_xml, SC_OK);
    /* Warnings for both '$1' with no group to fill them. */
    check_has_diag(dp, "dp.xml:9:7: warning: '$N' stays as written: FreeSWITCH substitutes");
    check_has_diag(dp, "dp.xml:15:7: warning: '$N' stays as written");
    sc_route *r = route(dp, "cap", "destination_number", "44123", NULL);
    ACTIONS(r, "log cc=44 rest=123 all=44123 brace=44 none=[][] $$ $x");
    sc_route_free(r);
    /* No group in the expression: FreeSWITCH leaves "$1" as it is. */
    r = route(dp, "cap", "destination_number", "*55", NULL);
    ACTIONS(r, "log n=$1");
    sc_route_free(r);
    /* Captures belong to the condition that made them: the second
     * condition has no group, so "$1" stays (FreeSWITCH does the same). */
    r = route(dp, "cap", "destination_number", "#77", "caller_id_name", "Bob", NULL);
    ACTIONS(r, "log later=$1");
    sc_route_free(r);
    /* "/re/i": FreeSWITCH's caseless form. */
    r = route(dp, "cap", "destination_number", "x", "caller_id_name", "ALICE", NULL);
    ACTIONS(r, "log hi ALICE");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char vars_xml[] =
    "<context name='v'>\n"
    "  <extension name='gw'>\n"
    "    <condition field='${sip_gateway}' expression='^skype$'/>\n"
    "    <condition field='destination_number' expression='^${prefix}(\\d+)$'>\n"
    "      <action application='log' data='from ${caller_id_number} &lt;${caller_id_name}&gt; "
    "in ${context} to $1 [${nope}] ${a${b}}'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='echo'>\n"
    "    <condition field='destination_number' expression='^(.*)$'>\n"
    "      <action application='log' data='dialled $1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_variables(void)
{
    sc_dialplan *dp = load(vars_xml, SC_OK);
    sc_route *r = route(dp, "v", "sip_gateway", "skype", "prefix", "00", "destination_number",
                        "0044", "caller_id_number", "123", "caller_id_name", "Ann", "b", "1",
                        "a1", "nested", NULL);
    ACTIONS(r, "log from 123 <Ann> in v to 44 [] nested");
    sc_route_free(r);
    /* Another gateway: the first condition fails. */
    r = route(dp, "v", "sip_gateway", "other", "destination_number", "0044", NULL);
    ACTIONS(r, "log dialled 0044");
    sc_route_free(r);
    /* Captured text is copied, never expanded again: a caller dialling
     * "${secret}" does not read a variable. */
    r = route(dp, "v", "destination_number", "${secret}", "secret", "hunter2", NULL);
    ACTIONS(r, "log dialled ${secret}");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char inline_xml[] =
    "<include>\n"
    "<context name='inline'>\n"
    "  <extension name='first' continue='true'>\n"
    "    <condition>\n"
    "      <action application='set' data='routed=yes' inline='true'/>\n"
    "      <action application='set' data='later=1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='uses_later'>\n"
    "    <condition field='${later}' expression='^1$'>\n"
    "      <action application='log' data='never: plain set is not seen by conditions'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='uses_routed'>\n"
    "    <condition field='${routed}' expression='^yes$'>\n"
    "      <action application='log' data='routed=${routed} later=${later}'/>\n"
    "      <action application='set' data='later='/>\n"
    "      <action application='log' data='later=[${later}]'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n"
    "</include>\n";

static void test_inline_set(void)
{
    sc_dialplan *dp = load(inline_xml, SC_OK);
    sc_route *r = route(dp, "inline", "destination_number", "1", NULL);
    /* The inline set ran while routing: not an action, but seen by the
     * condition of 'uses_routed'. The plain set is an action: conditions do
     * not see it, the data of later actions does; "later=" unsets. */
    ACTIONS(r, "set later=1", "log routed=yes later=1", "set later=", "log later=[]");
    CHECK_CONTAINS(sc_route_explain(r), "inline set routed=yes");
    CHECK_CONTAINS(sc_route_explain(r), "extension 'uses_later' (dp.xml:9): condition "
                   "${later} '' =~ /^1$/ did not match => no match");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char nested_xml[] =
    "<context name='n'>\n"
    "  <extension name='outer'>\n"
    "    <condition field='destination_number' expression='^1$'>\n"
    "      <action application='log' data='outer'/>\n"
    "      <condition field='caller_id_number' expression='^2$'>\n"
    "        <action application='log' data='inner'/>\n"
    "      </condition>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='optional'>\n"
    "    <condition field='destination_number' expression='^5$' require-nested='false'>\n"
    "      <action application='log' data='five'/>\n"
    "      <condition field='caller_id_number' expression='^2$'>\n"
    "        <action application='log' data='five inner'/>\n"
    "      </condition>\n"
    "    </condition>\n"
    "  </extension>\n"
    "  <extension name='after'>\n"
    "    <condition><action application='log' data='after'/></condition>\n"
    "  </extension>\n"
    "</context>\n";

static void test_nested_conditions(void)
{
    sc_dialplan *dp = load(nested_xml, SC_OK);
    sc_route *r = route(dp, "n", "destination_number", "1", "caller_id_number", "2", NULL);
    ACTIONS(r, "log outer", "log inner");
    CHECK_CONTAINS(sc_route_explain(r), "nested { condition caller_id_number '2'");
    sc_route_free(r);
    /* The nested condition fails: the extension does not match. */
    r = route(dp, "n", "destination_number", "1", "caller_id_number", "3", NULL);
    ACTIONS(r, "log outer", "log after");
    sc_route_free(r);
    /* require-nested="false": the nested result does not decide. */
    r = route(dp, "n", "destination_number", "5", "caller_id_number", "3", NULL);
    ACTIONS(r, "log five");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static const char regex_xml[] =
    "<include>\n"
    "<context name='any'>\n"
    "  <extension name='any'>\n"
    "    <condition regex='any'>\n"
    "      <regex field='destination_number' expression='^1$'/>\n"
    "      <regex field='caller_id_number' expression='^(5\\d+)$'/>\n"
    "      <action application='log' data='any $1'/>\n"
    "      <anti-action application='log' data='none'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n"
    "<context name='all'>\n"
    "  <extension name='all'>\n"
    "    <condition regex='all'>\n"
    "      <regex field='destination_number' expression='^(\\d)$'/>\n"
    "      <regex field='caller_id_number'><expression><![CDATA[^(5\\d+)$]]></expression></regex>\n"
    "      <action application='log' data='all $1'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n"
    "<context name='xor'>\n"
    "  <extension name='xor'>\n"
    "    <condition regex='xor'>\n"
    "      <regex field='destination_number' expression='^1$'/>\n"
    "      <regex field='caller_id_number' expression='^5'/>\n"
    "      <action application='log' data='one'/>\n"
    "    </condition>\n"
    "  </extension>\n"
    "</context>\n"
    "</include>\n";

static void test_regex_rules(void)
{
    sc_dialplan *dp = load(regex_xml, SC_OK);
    sc_route *r = route(dp, "any", "destination_number", "9", "caller_id_number", "555", NULL);
    ACTIONS(r, "log any 555");
    sc_route_free(r);
    r = route(dp, "any", "destination_number", "9", "caller_id_number", "4", NULL);
    ACTIONS(r, "log none");
    sc_route_free(r);
    r = route(dp, "all", "destination_number", "7", "caller_id_number", "555", NULL);
    ACTIONS(r, "log all 555"); /* the last <regex> with a group gives the captures */
    sc_route_free(r);
    r = route(dp, "all", "destination_number", "77", "caller_id_number", "555", NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    r = route(dp, "xor", "destination_number", "1", "caller_id_number", "4", NULL);
    ACTIONS(r, "log one");
    sc_route_free(r);
    r = route(dp, "xor", "destination_number", "1", "caller_id_number", "5", NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    sc_dialplan_free(dp);
}

/* Issue #11 item 4: what ${destination_number} expands to is data. The old
 * router kept the expanded "...,sofia/gateway/skype/4930123456" as two
 * targets, and the session dialled the second. */
static void test_expansion_is_data_not_bridge_syntax(void)
{
    sc_dialplan *dp = load("<extension name='out'>\n"
                           "  <condition field='destination_number' expression='^00'>\n"
                           "    <action application='set' data='dom=127.0.0.1:5090'/>\n"
                           "    <action application='bridge' data='sofia/gateway/skype/${destination_number}'/>\n"
                           "    <action application='transfer' data='${destination_number} XML default'/>\n"
                           "    <action application='bridge' data='sofia/internal/${destination_number}@${dom}'/>\n"
                           "  </condition>\n"
                           "</extension>\n", SC_OK);
    static const char *hostile[] = {
        "00x,sofia/gateway/skype/4930123456", "00x|sofia/gateway/skype/4930123456",
        "00/../other/4930123456", "00 XML admin", "001@evil.example", "00\t1", "00{x=y}1",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++) {
        sc_route *r = route(dp, "t", "destination_number", hostile[i], NULL);
        CHECK_EQ_INT(sc_route_action_count(r), 4);
        CHECK(dp_route_action_problem(r, 0) == NULL);                 /* set */
        for (size_t a = 1; a < 4; a++) {
            CHECK(dp_route_action_problem(r, a) != NULL);
            CHECK_CONTAINS(dp_route_action_problem(r, a), "must be data");
        }
        sc_route_free(r);
    }
    /* An ordinary number, and a host:port from a variable, are fine. */
    sc_route *r = route(dp, "t", "destination_number", "0049301234", NULL);
    for (size_t a = 0; a < 4; a++) CHECK(dp_route_action_problem(r, a) == NULL);
    ACTIONS(r, "set dom=127.0.0.1:5090", "bridge sofia/gateway/skype/0049301234",
            "transfer 0049301234 XML default", "bridge sofia/internal/0049301234@127.0.0.1:5090");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static void test_bridge_checked_after_expansion(void)
{
    sc_dialplan *dp = load("<extension name='out'>\n"
                           "  <condition field='destination_number' expression='^(.*)$'>\n"
                           "    <action application='bridge' data='sofia/gateway/skype/$1'/>\n"
                           "  </condition>\n"
                           "</extension>\n", SC_OK);
    sc_route *r = route(dp, "t", "destination_number", "0044", NULL);
    ACTIONS(r, "bridge sofia/gateway/skype/0044");
    CHECK(!strstr(sc_route_explain(r), "refuses"));
    sc_route_free(r);
    /* A space and a comma from the caller: kept (the route shows what
     * FreeSWITCH would try), and explained: the runtime refuses it. */
    r = route(dp, "t", "destination_number", "12 34,sip:x", NULL);
    ACTIONS(r, "bridge sofia/gateway/skype/12 34,sip:x");
    CHECK_CONTAINS(sc_route_explain(r), "action bridge (dp.xml:3): a value put '12 34,sip:x' "
                   "into the bridge data, but what a variable or $N expands to must be data");
    CHECK_CONTAINS(sc_route_explain(r), "the runtime refuses it");
    sc_route_free(r);
    r = route(dp, "t", "destination_number", "", NULL);
    CHECK_CONTAINS(sc_route_explain(r), "the runtime refuses it");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static void test_applications_accepted(void)
{
    sc_dialplan *dp = load(
        "<extension name='apps'>\n"
        "  <condition>\n"
        "    <action application='answer'/>\n"
        "    <action application='respond' data='486 Busy Here'/>\n"
        "    <action application='hangup'/>\n"
        "    <action application='hangup' data='user_busy'/>\n"
        "    <action application='hangup' data='17'/>\n"
        "    <action application='log' data='ERR something'/>\n"
        "    <action application='log'>text content wins</action>\n"
        "    <action application='set' data='sip_h_X-Foo=a=b'/>\n"
        "    <action application='transfer' data='1000'/>\n"
        "    <action application='transfer' data='1000 XML public'/>\n"
        "    <action application='BRIDGE' data='sofia/gateway/skype/+44123|sofia/external/"
        "bob@example.com:5070,sip:alice@10.0.0.1;transport=tcp,sips:[2001:db8::1]:5061'/>\n"
        "    <action application='log' data='twice' loop='2'/>\n"
        "  </condition>\n"
        "</extension>\n", SC_OK);
    CHECK_EQ_INT(sc_dialplan_diag_count(dp), 0);
    sc_route *r = route(dp, "t", NULL);
    ACTIONS(r, "answer ", "respond 486 Busy Here", "hangup ", "hangup user_busy", "hangup 17",
            "log ERR something", "log text content wins", "set sip_h_X-Foo=a=b", "transfer 1000",
            "transfer 1000 XML public",
            "bridge sofia/gateway/skype/+44123|sofia/external/bob@example.com:5070,"
            "sip:alice@10.0.0.1;transport=tcp,sips:[2001:db8::1]:5061",
            "log twice", "log twice");
    CHECK(!strstr(sc_route_explain(r), "refuses"));
    sc_route_free(r);
    sc_dialplan_free(dp);
}

/* ---------------------------------------------------------------------------
 * Load errors: each with its exact place
 * ------------------------------------------------------------------------- */

#define COND(x) "<extension name='e'>\n  <condition field='destination_number' expression='^1$'>\n" \
                "    " x "\n  </condition>\n</extension>\n"

typedef struct load_error_case {
    const char *xml;
    const char *diag;
} load_error_case;

static const load_error_case load_errors[] = {
    { COND("<action application='playback' data='hello.wav'/>"),
      "dp.xml:3:5: error: application 'playback' is not supported by libskypeconnect "
      "(supported: transfer, bridge, answer, hangup, respond, set, log)" },
    { COND("<action application='lua' data='x.lua'/>"),
      "dp.xml:3:5: error: application 'lua' is not supported by libskypeconnect" },
    { COND("<anti-action data='x'/>"), "dp.xml:3:5: error: <anti-action> has no application attribute" },
    { COND("<foo/>"), "dp.xml:3:5: error: unknown element <foo> inside <condition>" },
    { COND("<action application='bridge' data='sofia/gateway/skype'/>"),
      "dp.xml:3:5: error: bridge endpoint 'sofia/gateway/skype' is not sofia/gateway/NAME/NUMBER" },
    { COND("<action application='bridge' data='{ignore_early_media=true}sofia/gateway/skype/1'/>"),
      "dp.xml:3:5: error: bridge endpoint '{ignore_early_media=true}sofia/gateway/skype/1': "
      "channel variables" },
    { COND("<action application='bridge' data='sofia/internal/1000@'/>"),
      "dp.xml:3:5: error: bridge endpoint 'sofia/internal/1000@' is not sofia/PROFILE/USER@HOST[:PORT]" },
    { COND("<action application='bridge' data='sofia/internal/1000@host:70000'/>"),
      "dp.xml:3:5: error: bridge endpoint 'sofia/internal/1000@host:70000'" },
    { COND("<action application='bridge' data='user/1000'/>"),
      "dp.xml:3:5: error: bridge endpoint 'user/1000' is not sofia/gateway/NAME/NUMBER, " },
    { COND("<action application='bridge' data=''/>"),
      "dp.xml:3:5: error: bridge needs at least one endpoint" },
    { COND("<action application='transfer' data='1000 YAML default'/>"),
      "dp.xml:3:5: error: transfer to dialplan 'YAML': only XML is supported" },
    { COND("<action application='transfer' data='1000 XML default extra'/>"),
      "dp.xml:3:5: error: transfer data '1000 XML default extra' is not "
      "'EXTENSION [XML [CONTEXT]]'" },
    { COND("<action application='transfer'/>"), "dp.xml:3:5: error: transfer data '' is not" },
    { COND("<action application='transfer' data='-bleg 1000'/>"),
      "dp.xml:3:5: error: transfer option '-bleg' is not supported" },
    { COND("<action application='respond' data='99 Odd'/>"),
      "dp.xml:3:5: error: respond data '99 Odd' is not 'CODE [reason]' with CODE 100 to 699" },
    { COND("<action application='respond' data='700'/>"), "dp.xml:3:5: error: respond data '700'" },
    { COND("<action application='hangup' data='NOT_A_CAUSE'/>"),
      "dp.xml:3:5: error: hangup cause 'NOT_A_CAUSE' is not a FreeSWITCH cause name" },
    { COND("<action application='set' data='novalue'/>"),
      "dp.xml:3:5: error: set data 'novalue' is not 'name=value'" },
    { COND("<action application='set' data='a b=c'/>"),
      "dp.xml:3:5: error: set: variable name 'a b' has characters" },
    { COND("<action application='bridge' data='sofia/gateway/skype/1' inline='true'/>"),
      "dp.xml:3:5: error: application 'bridge' cannot run inline" },
    { COND("<action application='log' data='x' loop='0'/>"),
      "dp.xml:3:5: error: loop='0' is not a whole number from 1 to 100" },
    { COND("<regex field='a' expression='b'/>"),
      "dp.xml:3:5: error: <regex> inside a condition without regex=\"all|any|xor\"" },
    { COND("<condition wday='2-6'/>"),
      "dp.xml:3:5: error: <condition wday=...>: time-of-day conditions are not supported" },
    { "<extension name='e'>\n  <condition field='destination_number' expression='^(1$'/>\n</extension>\n",
      "dp.xml:2:3: error: regular expression '^(1$' does not compile: " },
    { "<extension name='e'>\n  <condition field='destination_number'/>\n</extension>\n",
      "dp.xml:2:3: error: <condition field='destination_number'> has no expression" },
    { "<extension name='e'>\n  <condition expression='^1$'/>\n</extension>\n",
      "dp.xml:2:3: error: <condition> has an expression but no field" },
    { "<extension name='e'>\n  <condition field='destination_number' expression='_1XXX'/>\n</extension>\n",
      "dp.xml:2:3: error: expression '_1XXX' is an Asterisk-style pattern" },
    { "<extension name='e'>\n  <condition field='destination_number' expression='/^1$'/>\n</extension>\n",
      "dp.xml:2:3: error: expression '/^1$' starts with '/' but has no closing '/'" },
    { "<extension name='e'>\n  <condition regex='most'/>\n</extension>\n",
      "dp.xml:2:3: error: regex='most' is not all, any or xor" },
    { "<extension name='e'>\n  <condition regex='all'>\n    <regex field='a'/>\n  </condition>\n</extension>\n",
      "dp.xml:3:5: error: <regex field='a'> has no expression" },
    { "<extension name='e'>\n  <condition wday='1' field='a' expression='b'/>\n</extension>\n",
      "dp.xml:2:3: error: <condition wday=...>: time-of-day conditions are not supported" },
    { "<include>\n  <extension>\n    <condition/>\n  </extension>\n</include>\n",
      "dp.xml:2:3: error: <extension> has no name attribute" },
    { "<include>\n  <context>\n  </context>\n</include>\n", "dp.xml:2:3: error: <context> has no name attribute" },
    { "<context name='a'>\n  <context name='b'/>\n</context>\n",
      "dp.xml:2:3: error: unknown element <context> inside <context>" },
    { "<extension name='e'>\n  <action application='answer'/>\n</extension>\n",
      "dp.xml:2:3: error: unknown element <action> inside <extension>" },
    { "<extension name='e'>\n  <condition field='a' field='b' expression='c'/>\n</extension>\n",
      "dp.xml:2:3: error: <condition> has the attribute 'field' twice" },
    { COND("<action application='log'><x/></action>"), "dp.xml:3:31: error: unknown element <x> inside <action>" },
};

static void test_load_errors(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(load_errors); i++) {
        sc_dialplan *dp = sc_dialplan_new();
        int rc = sc_dialplan_load_string(dp, load_errors[i].xml, "dp.xml", "t");
        if (rc != SC_ECONFIG) fprintf(stderr, "  case %zu: status %d\n", i, rc);
        CHECK_EQ_INT(rc, SC_ECONFIG);
        CHECK(sc_dialplan_error_count(dp) >= 1);
        check_has_diag(dp, load_errors[i].diag);
        /* The detail names the same first error. */
        CHECK_CONTAINS(sc_last_error(), "dp.xml:");
        CHECK_CONTAINS(sc_last_error(), "the file's extensions are not loaded");
        /* A file with an error keeps nothing. */
        CHECK(!sc_dialplan_has_context(dp, "t"));
        sc_dialplan_free(dp);
    }
}

static void test_load_warnings(void)
{
    sc_dialplan *dp = load(
        "<?xml version='1.0'?>\n"
        "<document type='freeswitch/xml'>\n"
        "  <section name='dialplan' description='Regex/XML Dialplan'>\n"
        "    <context name='default'>\n"
        "      <X-PRE-PROCESS cmd='include' data='default/*.xml'/>\n"
        "      <extension name='w'>\n"
        "        <condition field='sip_gateway' expression='^skype$' break='sometimes'>\n"
        "          <action application='log' data='${sofia_contact(1000)} $${domain}'/>\n"
        "        </condition>\n"
        "      </extension>\n"
        "    </context>\n"
        "  </section>\n"
        "  <section name='configuration'/>\n"
        "</document>\n", SC_OK);
    check_has_diag(dp, "dp.xml:5:7: warning: <X-PRE-PROCESS> not expanded");
    check_has_diag(dp, "dp.xml:7:9: warning: break='sometimes' is not on-false, on-true, always "
                   "or never; FreeSWITCH treats it as on-false");
    check_has_diag(dp, "dp.xml:7:9: warning: field 'sip_gateway' is not a caller-profile field");
    check_has_diag(dp, "dp.xml:8:11: warning: log data: '${sofia_contact(1000)}' is not a plain variable");
    check_has_diag(dp, "dp.xml:13:3: warning: element <section> ignored");
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 0);
    /* Warnings do not stop the file: a bare sip_gateway reads the call field. */
    sc_route *r = route(dp, "default", "sip_gateway", "skype", NULL);
    ACTIONS(r, "log  $${domain}");
    sc_route_free(r);
    sc_dialplan_free(dp);

    dp = load("", SC_OK);
    check_has_diag(dp, "dp.xml: warning: empty file");
    sc_dialplan_free(dp);
    dp = load("<include><!-- nothing yet --></include>", SC_OK);
    check_has_diag(dp, "dp.xml: warning: no <context> or <extension> found");
    sc_dialplan_free(dp);
}

static void test_all_errors_reported(void)
{
    /* Loading goes on after an error, to report all of them; the file then
     * contributes nothing, not even its good extension. */
    sc_dialplan *dp = load("<context name='x'>\n"
                           "  <extension name='good'><condition/></extension>\n"
                           "  <extension name='a'>\n"
                           "    <condition field='destination_number' expression='^(1$'>\n"
                           "      <action application='playback' data='x'/>\n"
                           "    </condition>\n"
                           "  </extension>\n"
                           "</context>\n", SC_ECONFIG);
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 2);
    check_has_diag(dp, "dp.xml:4:5: error: regular expression");
    check_has_diag(dp, "dp.xml:5:7: error: application 'playback'");
    CHECK_CONTAINS(sc_last_error(), "(and 1 more errors;");
    CHECK(!sc_dialplan_has_context(dp, "x"));
    /* The same dialplan still takes a good file afterwards. */
    CHECK_EQ_INT(sc_dialplan_load_string(dp, "<context name='x'/>", "ok.xml", NULL), SC_OK);
    CHECK(sc_dialplan_has_context(dp, "x"));
    CHECK_STR(sc_last_error(), "");
    sc_dialplan_free(dp);
}

static void test_malformed_xml(void)
{
    sc_dialplan *dp = load("<extension name='e'>\n"
                           "  <condition field='destination_number' expression='^1$'>\n"
                           "    <action application='playback'/>\n"
                           "  </extension>\n", SC_EPARSE);
    /* One diagnostic where GMarkup stopped; the errors before it are dropped. */
    CHECK_EQ_INT(sc_dialplan_diag_count(dp), 1);
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 1);
    check_has_diag(dp, "dp.xml:4:");
    check_has_diag(dp, "error: malformed XML: ");
    CHECK_CONTAINS(sc_last_error(), "malformed XML");
    sc_dialplan_free(dp);

    dp = load("<extension name='e'>\n  <condition field=\"a\" expression='1'\n", SC_EPARSE);
    check_has_diag(dp, "dp.xml:");
    sc_dialplan_free(dp);
    dp = load("<extension name='e' continue='&bogus;'/>", SC_EPARSE);
    check_has_diag(dp, "dp.xml:1:");
    sc_dialplan_free(dp);
    dp = load("just text", SC_EPARSE);
    sc_dialplan_free(dp);
    /* A warning whose text quotes ": error: " is still a warning when the
     * malformed XML drops the diagnostics before it (found by the fuzzer). */
    dp = load("<extension name='e'><condition field=': error: x' expression='1'/></extension>\n"
              "</oops>", SC_EPARSE);
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 1);
    CHECK_EQ_INT(sc_dialplan_diag_count(dp), 1);
    sc_dialplan_free(dp);
}

static void test_fuzz_seed_loads(void)
{
    /* The fuzzer's richest seed must itself be a clean dialplan. */
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_file(dp, DATA("fuzz/everything.xml"), NULL), SC_OK);
    if (sc_dialplan_diag_count(dp)) dump_diags(dp);
    CHECK_EQ_INT(sc_dialplan_diag_count(dp), 0);
    sc_route *r = route(dp, "t", "destination_number", "00441", "caller_id_number", "+4930",
                        "sip_gateway", "skype", "gw", "skype", NULL);
    ACTIONS(r, "log INFO 441 00", "log INFO 441 00", "bridge sofia/gateway/skype/441",
            "transfer 1000 XML default", "hangup USER_BUSY");
    sc_route_free(r);
    sc_dialplan_free(dp);
}

/* ---------------------------------------------------------------------------
 * Files and folders
 * ------------------------------------------------------------------------- */

static void test_folder_with_a_broken_file(void)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, DATA("mixed")), SC_ECONFIG);
    /* The detail is the first failing file's first error. */
    CHECK_CONTAINS(sc_last_error(), "10_bad.xml:5:9: error: application 'playback'");
    check_has_diag(dp, DATA("mixed") "/10_bad.xml:5:9: error: application 'playback' is not "
                   "supported by libskypeconnect");
    check_has_diag(dp, DATA("mixed") "/10_bad.xml:9:7: error: regular expression '^(2$' does "
                   "not compile");
    CHECK_EQ_INT(sc_dialplan_error_count(dp), 2);
    /* The good files are loaded; the bad one contributes nothing. */
    sc_route *r = route(dp, "mixed", "destination_number", "1", NULL);
    ACTIONS(r, "answer ");
    sc_route_free(r);
    r = route(dp, "mixed", "destination_number", "2", NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    /* A sub-folder's files go into the context named like it. */
    r = route(dp, "extra", "destination_number", "3", NULL);
    ACTIONS(r, "hangup USER_BUSY");
    CHECK_STR(sc_route_action_origin(r, 0), DATA("mixed") "/extra/01_extra.xml:4");
    sc_route_free(r);
    /* Deeper folders are not read, with a word. */
    check_has_diag(dp, DATA("mixed") "/extra/deeper: warning: folder not loaded");
    CHECK(!sc_dialplan_has_context(dp, "deeper"));
    r = route(dp, "extra", "destination_number", "4", NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    sc_dialplan_free(dp);
}

static void test_io_errors(void)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_file(dp, DATA("missing.xml"), NULL), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "cannot read '");
    check_has_diag(dp, "missing.xml: error: cannot read");
    CHECK_EQ_INT(sc_dialplan_load_file(dp, DATA("conf"), NULL), SC_EIO); /* a folder */
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, DATA("nowhere")), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "cannot read folder");
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, CONF "/default.xml"), SC_EIO);
    CHECK_EQ_INT(sc_dialplan_load_file(NULL, "x", NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_dialplan_load_string(dp, NULL, "x", NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, NULL), SC_EINVAL);
    CHECK(sc_dialplan_diag_text(dp, 1000) == NULL);
    CHECK_EQ_INT(sc_dialplan_diag_count(NULL), 0);
    sc_dialplan_free(dp);
    sc_dialplan_free(NULL);
}

static void test_call_fields(void)
{
    sc_call_fields *f = sc_call_fields_new();
    CHECK(sc_call_fields_get(f, "destination_number") == NULL);
    CHECK_EQ_INT(sc_call_fields_set(f, "destination_number", "0044"), SC_OK);
    CHECK_STR(sc_call_fields_get(f, "destination_number"), "0044");
    CHECK_EQ_INT(sc_call_fields_set(f, "destination_number", "1"), SC_OK);
    CHECK_STR(sc_call_fields_get(f, "destination_number"), "1");
    CHECK_EQ_INT(sc_call_fields_set(f, "destination_number", NULL), SC_OK);
    CHECK(sc_call_fields_get(f, "destination_number") == NULL);
    CHECK_EQ_INT(sc_call_fields_set(f, "", "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_call_fields_set(NULL, "a", "x"), SC_EINVAL);
    char *big = g_strnfill(70000, 'x');
    CHECK_EQ_INT(sc_call_fields_set(f, "a", big), SC_EINVAL);
    g_free(big);
    sc_call_fields_free(f);
    sc_call_fields_free(NULL);
    sc_route_free(NULL);
    CHECK_EQ_INT(sc_route_action_count(NULL), 0);
    CHECK(sc_route_action_app(NULL, 0) == NULL);
}

/* ---------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------- */

static void test_json(void)
{
    sc_dialplan *dp = load("<extension name='q\"uote'>\n"
                           "  <condition field='caller_id_name' expression='/^(.*)$/s'>\n"
                           "    <action application='log' data='name=$1'/>\n"
                           "  </condition>\n"
                           "</extension>\n", SC_OK);
    sc_route *r = route(dp, "t", "caller_id_name", "A \"B\"\\\n\t\x01\xff end", NULL);
    char *json = sc_route_to_json(r);
    CHECK(json_valid(json));
    if (!json_valid(json)) fprintf(stderr, "  invalid JSON: %s\n", json);
    CHECK_CONTAINS(json, "{\"context\":\"t\",\"actions\":[{\"app\":\"log\",\"data\":"
                         "\"name=A \\\"B\\\"\\\\\\n\\t\\u0001\xef\xbf\xbd end\",\"extension\":"
                         "\"q\\\"uote\",\"origin\":\"dp.xml:3\"}],\"explain\":[\"extension");
    /* The explanation stays one line per extension whatever the caller sent. */
    CHECK(strchr(sc_route_explain(r), '\n') == sc_route_explain(r) + strlen(sc_route_explain(r)) - 1);
    sc_free(json);
    sc_route_free(r);

    r = route(dp, "t", NULL);
    json = sc_route_to_json(r);
    CHECK(json_valid(json));
    sc_free(json);
    sc_route_free(r);
    CHECK(sc_route_to_json(NULL) == NULL);
    sc_dialplan_free(dp);
}

/* ---------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------- */

static void test_limits(void)
{
    /* 1001 extensions: the last one is refused, and with it the file. */
    GString *x = g_string_new("<context name='big'>\n");
    for (int i = 0; i <= 1000; i++)
        g_string_append_printf(x, "<extension name='e%d'><condition field='destination_number' "
                               "expression='^%d$'/></extension>\n", i, i);
    g_string_append(x, "</context>\n");
    sc_dialplan *dp = load(x->str, SC_ECONFIG);
    check_has_diag(dp, "dp.xml:1002:1: error: more than 1000 extensions");
    sc_dialplan_free(dp);
    g_string_free(x, TRUE);

    /* A pattern over 1,000 bytes. */
    char *pattern = g_strnfill(1001, 'a');
    char *xml = g_strdup_printf("<extension name='e'><condition field='destination_number' "
                                "expression='%s'/></extension>", pattern);
    dp = load(xml, SC_ECONFIG);
    check_has_diag(dp, "dp.xml:1:21: error: regular expression longer than 1000 bytes");
    sc_dialplan_free(dp);
    g_free(xml);
    g_free(pattern);

    /* Deep element nesting stops the parse, deep conditions are refused. */
    x = g_string_new(NULL);
    for (int i = 0; i < 100; i++) g_string_append(x, "<include>");
    dp = load(x->str, SC_EPARSE);
    check_has_diag(dp, "nested deeper than 64 levels");
    sc_dialplan_free(dp);
    g_string_assign(x, "<extension name='deep'>");
    for (int i = 0; i < 20; i++) g_string_append(x, "<condition>");
    for (int i = 0; i < 20; i++) g_string_append(x, "</condition>");
    g_string_append(x, "</extension>");
    dp = load(x->str, SC_ECONFIG);
    check_has_diag(dp, "error: conditions nested deeper than 16 levels");
    sc_dialplan_free(dp);
    g_string_free(x, TRUE);

    /* Action data: at most 64 KiB each, 1 MiB for a whole route. */
    char *big = g_strnfill(70000, 'x');
    xml = g_strdup_printf("<extension name='e'><condition><action application='log' data='%s'/>"
                          "</condition></extension>", big);
    dp = load(xml, SC_ECONFIG);
    check_has_diag(dp, "dp.xml:1:32: error: data longer than 65536 bytes");
    sc_dialplan_free(dp);
    g_free(xml);
    big[60000] = '\0';
    xml = g_strdup_printf("<extension name='e'><condition><action application='log' data='%s' "
                          "loop='30'/></condition></extension>", big);
    dp = load(xml, SC_OK);
    sc_route *r = route(dp, "t", NULL);
    CHECK_EQ_INT(sc_route_action_count(r), 18);
    CHECK_CONTAINS(sc_route_explain(r), "exceed 1048576 bytes: the last 12 actions were dropped");
    sc_route_free(r);
    sc_dialplan_free(dp);
    g_free(xml);
    g_free(big);

    /* "${${${..." must not take quadratic time, at load or when routing. */
    x = g_string_new("<extension name='e'><condition><action application='log' data='");
    for (int i = 0; i < 20000; i++) g_string_append(x, "${");
    g_string_append(x, "'/></condition></extension>");
    dp = load(x->str, SC_OK);
    r = route(dp, "t", NULL);
    CHECK_EQ_INT(sc_route_action_count(r), 1);
    sc_route_free(r);
    sc_dialplan_free(dp);
    g_string_free(x, TRUE);

    /* A catastrophic pattern and a long subject: GRegex's match limit stops
     * it; the route says so instead of hanging. */
    dp = load("<extension name='slow'><condition field='destination_number' "
              "expression='^(a+)+$'><action application='answer'/></condition></extension>", SC_OK);
    char *subject = g_strnfill(5000, 'a');
    subject[4999] = 'b';
    r = route(dp, "t", "destination_number", subject, NULL);
    NO_ACTIONS(r);
    sc_route_free(r);
    g_free(subject);
    sc_dialplan_free(dp);
}

/* ---------------------------------------------------------------------------
 * Threads
 * ------------------------------------------------------------------------- */

typedef struct thread_arg {
    const sc_dialplan *dp;
    int id;
    int failures;
} thread_arg;

static gpointer route_many(gpointer p)
{
    thread_arg *a = p;
    sc_call_fields *f = sc_call_fields_new();
    for (int i = 0; i < 300; i++) {
        char number[32];
        snprintf(number, sizeof number, "00%d%d", a->id, i);
        sc_call_fields_set(f, "destination_number", number);
        sc_route *r = NULL;
        char *want = g_strdup_printf("sofia/gateway/skype/%s", number);
        if (sc_dialplan_route(a->dp, "default", f, &r) != SC_OK || sc_route_action_count(r) != 1
            || strcmp(sc_route_action_data(r, 0), want))
            a->failures++;
        g_free(want);
        char *json = sc_route_to_json(r);
        if (!json_valid(json)) a->failures++;
        sc_free(json);
        sc_route_free(r);
        sc_call_fields_set(f, "destination_number", "skypeuser");
        if (sc_dialplan_route(a->dp, "public", f, &r) != SC_OK
            || strcmp(sc_route_action_data(r, 0), "1000 XML default"))
            a->failures++;
        sc_route_free(r);
    }
    sc_call_fields_free(f);
    return NULL;
}

static void test_threads(void)
{
    sc_dialplan *dp = sc_dialplan_new();
    CHECK_EQ_INT(sc_dialplan_load_dir(dp, CONF), SC_OK);
    thread_arg args[8];
    GThread *threads[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (thread_arg){ .dp = dp, .id = i };
        threads[i] = g_thread_new("route", route_many, &args[i]);
    }
    for (int i = 0; i < 8; i++) {
        g_thread_join(threads[i]);
        CHECK_EQ_INT(args[i].failures, 0);
    }
    sc_dialplan_free(dp);
}

SC_TEST_MAIN(TEST(test_skype_page_folder), TEST(test_skype_page_files),
             TEST(test_unknown_context), TEST(test_continue), TEST(test_break),
             TEST(test_anti_actions), TEST(test_multiple_conditions), TEST(test_captures),
             TEST(test_variables), TEST(test_inline_set), TEST(test_nested_conditions),
             TEST(test_regex_rules), TEST(test_bridge_checked_after_expansion), TEST(test_expansion_is_data_not_bridge_syntax),
             TEST(test_applications_accepted), TEST(test_load_errors), TEST(test_load_warnings),
             TEST(test_all_errors_reported), TEST(test_malformed_xml), TEST(test_fuzz_seed_loads),
             TEST(test_folder_with_a_broken_file), TEST(test_io_errors), TEST(test_call_fields),
             TEST(test_json), TEST(test_limits), TEST(test_threads))
