/* Loading gateways from FreeSWITCH XML: where gateways may sit, what each
 * problem reports (file, line, column, gateway, param), that a file with an
 * error keeps no gateway, malformed input, and the password never leaking. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, write, unlink */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "skypeconnect/sc_config.h"
#include "gateway_priv.h"
#include "sc_test.h"

#define DATA(name) SC_TEST_DATA_DIR "/" name
#define SECRET "S3cr3t-xyz"

/* Index of the first diagnostic whose text contains @p needle, or -1. */
static int find_diag(const sc_config *cfg, const char *needle)
{
    for (size_t i = 0; i < sc_config_diag_count(cfg); i++)
        if (strstr(sc_config_diag_text(cfg, i), needle)) return (int)i;
    return -1;
}

static void check_has_diag(const sc_config *cfg, const char *text)
{
    if (find_diag(cfg, text) < 0) {
        fprintf(stderr, "  no diagnostic contains \"%s\"; there are:\n", text);
        for (size_t i = 0; i < sc_config_diag_count(cfg); i++)
            fprintf(stderr, "    %s\n", sc_config_diag_text(cfg, i));
        CHECK(!"diagnostic missing");
    }
}

static void check_no_secret(const char *text)
{
    if (text && strstr(text, SECRET)) {
        fprintf(stderr, "  password leaked in: %s\n", text);
        CHECK(!"password leaked");
    }
}

static void check_no_secret_anywhere(const sc_config *cfg)
{
    check_no_secret(sc_last_error());
    for (size_t i = 0; i < sc_config_diag_count(cfg); i++) {
        check_no_secret(sc_config_diag_text(cfg, i));
        check_no_secret(sc_config_diag_message(cfg, i));
        check_no_secret(sc_config_diag_param(cfg, i));
    }
}

/* Loads @p xml as "gw.xml" and expects @p status. */
static sc_config *load(const char *xml, int status)
{
    sc_config *cfg = sc_config_new();
    CHECK(cfg != NULL);
    CHECK_EQ_INT(sc_config_load_string(cfg, xml, "gw.xml"), status);
    return cfg;
}

/* --- files that load ----------------------------------------------------- */

static void test_skype_page(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("skype_page.xml")), SC_OK);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 0);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 1);
    const sc_gateway *gw = sc_config_find_gateway(cfg, "skype");
    CHECK(gw != NULL);
    CHECK(gw == sc_config_gateway_at(cfg, 0));
    CHECK_STR(sc_gateway_get(gw, "realm"), "127.0.0.1");
    CHECK_STR(sc_gateway_get(gw, "proxy"), "127.0.0.1");
    CHECK_STR(sc_gateway_get(gw, "from-domain"), "127.0.0.1");
    CHECK_STR(sc_gateway_get(gw, "username"), "skypeuser");
    CHECK_STR(sc_gateway_get(gw, "from-user"), "skypeuser");
    CHECK_STR(sc_gateway_get(gw, "password"), "<hidden>");
    CHECK_STR(gw->password, "skypepass");
    CHECK_STR(sc_gateway_get(gw, "contact-params"), "");
    CHECK_STR(sc_gateway_get(gw, "extension"), "skypeuser");
    CHECK(gw->extension_set);
    CHECK_STR(sc_gateway_get(gw, "extension-in-contact"), "true");
    CHECK_STR(sc_gateway_get(gw, "retry-seconds"), "30");
    CHECK_STR(sc_gateway_get(gw, "caller-id-in-from"), "false");
    CHECK_STR(sc_gateway_get(gw, "register"), "true");
    CHECK_STR(sc_gateway_get(gw, "context"), "public");
    CHECK_EQ_INT(sc_gateway_validate(gw), SC_OK);
    sc_config_free(cfg);
}

static void test_profile_gateways(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("profile_gateways.xml")), SC_OK);
    /* the profile's <settings>, <aliases>, <domains> and <global_settings>
     * are not gateway params: no diagnostic at all */
    CHECK_EQ_INT(sc_config_diag_count(cfg), 0);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 3);
    CHECK_STR(sc_gateway_name(sc_config_gateway_at(cfg, 0)), "skype");
    CHECK_STR(sc_gateway_name(sc_config_gateway_at(cfg, 1)), "ip-trunk");
    CHECK_STR(sc_gateway_name(sc_config_gateway_at(cfg, 2)), "backup.trunk-2");
    CHECK(sc_config_gateway_at(cfg, 3) == NULL);

    const sc_gateway *ip = sc_config_find_gateway(cfg, "ip-trunk");
    CHECK_STR(sc_gateway_get(ip, "register"), "false");
    CHECK_STR(sc_gateway_get(ip, "username"), "FreeSWITCH");
    CHECK_STR(sc_gateway_get(ip, "register-transport"), "tcp");
    CHECK_STR(sc_gateway_get(ip, "from-domain"), "192.0.2.10:5070");
    CHECK_STR(sc_gateway_get(ip, "ping"), "25");
    CHECK_STR(sc_gateway_get(ip, "max-channels"), "4");
    CHECK_STR(sc_gateway_get(sc_config_find_gateway(cfg, "skype"), "dial-prefix"), "00");
    CHECK_STR(sc_gateway_get(sc_config_find_gateway(cfg, "backup.trunk-2"), "dial-pattern"),
              "^\\+?44\\d+$");

    CHECK(sc_config_find_gateway(cfg, "nope") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_CONTAINS(sc_last_error(), "nope");
    sc_config_free(cfg);
}

static void test_include_params_variables(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("include_params.xml")), SC_OK);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 0);
    const sc_gateway *gw = sc_config_find_gateway(cfg, "skype");
    CHECK(gw != NULL);
    CHECK_STR(sc_gateway_get(gw, "retry-seconds"), "45"); /* via the retry_seconds alias */
    CHECK_STR(sc_gateway_get(gw, "context"), "skype-in");
    CHECK_STR(gw->inbound_vars[0], "verbose_sdp=true");
    CHECK_STR(gw->inbound_vars[1], "inbound_tag=from-skype");
    CHECK_STR(gw->inbound_vars[2], "both_tag=x");
    CHECK(gw->inbound_vars[3] == NULL);
    CHECK_STR(gw->outbound_vars[0], "verbose_sdp=true");
    CHECK_STR(gw->outbound_vars[1], "outbound_tag=to-skype");
    CHECK_STR(gw->outbound_vars[2], "both_tag=x");
    CHECK(gw->outbound_vars[3] == NULL);
    sc_config_free(cfg);
}

static void test_wrappers_and_passthrough(void)
{
    sc_config *cfg = load(
        "<?xml version=\"1.0\"?>\n"
        "<!-- comment -->\n"
        "<document type=\"freeswitch/xml\">\n"
        "  <section name=\"configuration\">\n"
        "    <configuration name=\"sofia.conf\">\n"
        "      <profiles><profile name=\"external\"><gateways>\n"
        "        <X-PRE-PROCESS cmd=\"include\" data=\"external/*.xml\"/>\n"
        "        <gateway name=\"a\"><!-- c --><param name=\"register\" value=\"false\"/>"
        "<variable name=\"v\" value=\"1\"/></gateway>\n"
        "      </gateways></profile></profiles>\n"
        "    </configuration>\n"
        "  </section>\n"
        "</document>\n", SC_OK);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 1);
    CHECK_EQ_INT(sc_config_error_count(cfg), 0);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_STR(sc_config_diag_text(cfg, 0), "gw.xml:7:9: warning: <X-PRE-PROCESS> not expanded: "
              "libskypeconnect does not run FreeSWITCH's preprocessor");
    CHECK_EQ_INT(sc_config_diag_severity(cfg, 0), SC_DIAG_WARNING);
    const sc_gateway *gw = sc_config_find_gateway(cfg, "a");
    CHECK_STR(gw->inbound_vars[0], "v=1");
    CHECK_STR(gw->outbound_vars[0], "v=1");
    sc_config_free(cfg);

    /* several gateways without a root element, as FreeSWITCH's own
     * includes sometimes are */
    cfg = load("<gateway name=\"a\"><param name=\"register\" value=\"false\"/></gateway>\n"
               "<gateway name=\"b\"><param name=\"register\" value=\"false\"/></gateway>\n", SC_OK);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 2);
    sc_config_free(cfg);
}

/* --- warnings ------------------------------------------------------------ */

static void test_corrections_become_warnings(void)
{
    sc_config *cfg = load(
        "<include>\n"
        "  <gateway name=\"skype\">\n"
        "    <param name=\"register\" value=\"false\"/>\n"
        "    <param name=\"retry-seconds\" value=\"2\"/>\n"
        "\t<param name=\"ping\" value=\"3\"/>\n"
        "    <param name=\"gw-auth-acl\" value=\"lan\"/>\n"
        "    <param name=\"realm\" value=\"$${domain}\"/>\n"
        "    <param name=\"retry-seconds\" value=\"40\"/>\n"
        "    <subscriptions><subscription event=\"message-summary\"/></subscriptions>\n"
        "  </gateway>\n"
        "  <dialplan/>\n"
        "</include>\n", SC_OK);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 1);
    CHECK_EQ_INT(sc_config_error_count(cfg), 0);
    check_has_diag(cfg, "gw.xml:4:5: warning: gateway 'skype': param 'retry-seconds': value 2 is "
                        "below 5; using 30 instead, as FreeSWITCH does");
    check_has_diag(cfg, "gw.xml:5:2: warning: gateway 'skype': param 'ping': value 3 is below 5, "
                        "which FreeSWITCH refuses; it stays off");
    check_has_diag(cfg, "gw.xml:6:5: warning: gateway 'skype': param 'gw-auth-acl': ignored");
    check_has_diag(cfg, "gw.xml:7:5: warning: gateway 'skype': param 'realm': value uses a "
                        "FreeSWITCH preprocessor variable");
    check_has_diag(cfg, "gw.xml:8:5: warning: gateway 'skype': param 'retry-seconds': set again "
                        "(first at line 4)");
    check_has_diag(cfg, "gw.xml:9:5: warning: gateway 'skype': <subscriptions> ignored");
    check_has_diag(cfg, "gw.xml:11:3: warning: element <dialplan> ignored");
    int i = find_diag(cfg, "'ping'");
    CHECK_EQ_INT(sc_config_diag_line(cfg, i), 5);
    CHECK_EQ_INT(sc_config_diag_column(cfg, i), 2);
    CHECK_STR(sc_config_diag_gateway(cfg, i), "skype");
    CHECK_STR(sc_config_diag_param(cfg, i), "ping");
    CHECK_STR(sc_config_diag_file(cfg, i), "gw.xml");
    CHECK_STR(sc_config_diag_message(cfg, i), "value 3 is below 5, which FreeSWITCH refuses; it "
                                              "stays off");
    const sc_gateway *gw = sc_config_find_gateway(cfg, "skype");
    CHECK_STR(sc_gateway_get(gw, "retry-seconds"), "40"); /* the last value wins */
    CHECK_STR(sc_gateway_get(gw, "ping"), "0");
    sc_config_free(cfg);
}

static void test_params_and_direct_params(void)
{
    sc_config *cfg = load(
        "<gateway name=\"g\">\n"
        "  <param name=\"register\" value=\"false\"/>\n"
        "  <params>\n"
        "    <param name=\"realm\" value=\"r.example\"/>\n"
        "  </params>\n"
        "</gateway>\n", SC_OK);
    check_has_diag(cfg, "gw.xml:1:1: warning: gateway 'g': has both <params> (line 3) and "
                        "<param> directly inside (line 2)");
    const sc_gateway *gw = sc_config_find_gateway(cfg, "g");
    CHECK_STR(sc_gateway_get(gw, "register"), "false");
    CHECK_STR(sc_gateway_get(gw, "realm"), "r.example");
    sc_config_free(cfg);
}

static void test_empty_and_no_gateway(void)
{
    const char *inputs[] = { "", "   \n\t ", "<!-- only a comment -->", "<include/>",
                             "<include><settings><param name=\"x\" value=\"y\"/></settings></include>" };
    for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++) {
        sc_config *cfg = load(inputs[k], SC_OK);
        CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
        CHECK_STR(sc_config_diag_text(cfg, 0), "gw.xml: warning: no <gateway> found");
        CHECK_EQ_INT(sc_config_diag_line(cfg, 0), 0);
        CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
        sc_config_free(cfg);
    }
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("empty.xml")), SC_OK);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), "empty.xml: warning: no <gateway> found");
    sc_config_free(cfg);
}

/* --- errors -------------------------------------------------------------- */

static void test_param_errors(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("broken_params.xml")), SC_ECONFIG);
    CHECK_EQ_INT(sc_last_status(), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "broken_params.xml:8:5: error: gateway 'skype': param "
                                    "'retry-seconds': value 'abc' is not a whole number "
                                    "(and 4 more errors)");
    /* a file with an error keeps none of its gateways, not even the good one */
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    CHECK_EQ_INT(sc_config_error_count(cfg), 5);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 5);
    check_has_diag(cfg, "broken_params.xml:8:5: error: gateway 'skype': param 'retry-seconds': "
                        "value 'abc' is not a whole number");
    check_has_diag(cfg, "broken_params.xml:9:5: error: gateway 'skype': unknown parameter "
                        "'retry-secnds'; did you mean 'retry-seconds'?");
    check_has_diag(cfg, "broken_params.xml:10:5: error: gateway 'skype': param "
                        "'extension-in-contact': value 'maybe' is not a boolean");
    check_has_diag(cfg, "broken_params.xml:11:5: error: gateway 'skype': param "
                        "'register-transport': value 'sctp' is not a supported transport");
    check_has_diag(cfg, "broken_params.xml:12:5: error: gateway 'skype': param 'proxy': value "
                        "'host name' contains whitespace");
    int i = find_diag(cfg, "retry-secnds");
    CHECK_STR(sc_config_diag_param(cfg, i), "retry-secnds");
    CHECK_STR(sc_config_diag_message(cfg, i), "unknown parameter 'retry-secnds'; did you mean "
                                              "'retry-seconds'?");
    CHECK_EQ_INT(sc_config_diag_severity(cfg, i), SC_DIAG_ERROR);
    CHECK_CONTAINS(sc_config_diag_file(cfg, i), "broken_params.xml");
    check_no_secret_anywhere(cfg);
    sc_config_free(cfg);
}

static void test_gateway_errors(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("broken_gateways.xml")), SC_ECONFIG);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    check_has_diag(cfg, "broken_gateways.xml:5:3: error: <gateway> has no name attribute");
    check_has_diag(cfg, "broken_gateways.xml:8:3: error: gateway 'bad name!': gateway name "
                        "'bad name!' is invalid");
    check_has_diag(cfg, "broken_gateways.xml:11:3: error: gateway 'skype': duplicate gateway "
                        "name 'skype': first defined at line 2, again at line 11");
    check_has_diag(cfg, "broken_gateways.xml:14:3: error: gateway 'nopass': param 'password': "
                        "is required when register is true");
    check_has_diag(cfg, "broken_gateways.xml:19:5: error: gateway 'odd': unknown element "
                        "<extension> inside <gateway>");
    CHECK_EQ_INT(sc_config_error_count(cfg), 5);
    sc_config_free(cfg);
}

static void test_duplicates_across_loads(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("skype_page.xml")), SC_OK);
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("skype_again.xml")), SC_ECONFIG);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 1);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), "skype_again.xml:3:3: error: gateway 'skype': "
                   "duplicate gateway name 'skype': already loaded from ");
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), "skype_page.xml:1");

    /* added in code */
    sc_gateway *gw = sc_gateway_new("skype");
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    CHECK_EQ_INT(sc_config_add_gateway(cfg, gw), SC_EEXISTS);
    CHECK_CONTAINS(sc_last_error(), "skype_page.xml:1");
    sc_gateway_free(gw);

    gw = sc_gateway_new("coded");
    CHECK_EQ_INT(sc_config_add_gateway(cfg, gw), SC_ECONFIG); /* register=true, no username */
    CHECK_CONTAINS(sc_last_error(), "param 'username': is required");
    CHECK_EQ_INT(sc_gateway_set(gw, "register", "false"), SC_OK);
    CHECK_EQ_INT(sc_config_add_gateway(cfg, gw), SC_OK);
    CHECK_EQ_INT(sc_gateway_set(gw, "realm", "changed.example"), SC_OK); /* it was copied */
    CHECK_STR(sc_gateway_get(sc_config_find_gateway(cfg, "coded"), "realm"), "coded");
    CHECK_EQ_INT(sc_config_add_gateway(cfg, gw), SC_EEXISTS);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_config_load_string(cfg, "<gateway name=\"coded\"><param name=\"register\" "
                                            "value=\"false\"/></gateway>", NULL), SC_ECONFIG);
    check_has_diag(cfg, "<string>:1:1: error: gateway 'coded': duplicate gateway name 'coded': "
                        "already added in code");
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 2);
    sc_config_free(cfg);
}

static void test_structure_errors(void)
{
    sc_config *cfg = load(
        "<include>\n"
        "  <gateway name=\"g\">\n"
        "    <param value=\"x\"/>\n"
        "    <params><variable name=\"a\" value=\"b\"/></params>\n"
        "    <variables><param name=\"realm\" value=\"x\"/></variables>\n"
        "    <variables><variable value=\"b\"/><variable name=\"n\"/>"
        "<variable name=\"d\" value=\"1\" direction=\"sideways\"/></variables>\n"
        "    <param name=\"register\" value=\"false\"><child/></param>\n"
        "    <gateway name=\"nested\"/>\n"
        "  </gateway>\n"
        "</include>\n", SC_ECONFIG);
    check_has_diag(cfg, "gw.xml:3:5: error: gateway 'g': <param> has no name attribute");
    check_has_diag(cfg, "gw.xml:4:13: error: gateway 'g': unknown element <variable> inside <params>");
    check_has_diag(cfg, "gw.xml:5:16: error: gateway 'g': unknown element <param> inside <variables>");
    check_has_diag(cfg, "gw.xml:6:16: error: gateway 'g': <variable> has no name attribute");
    check_has_diag(cfg, "gw.xml:6:37: error: gateway 'g': <variable name='n'> has no value attribute");
    check_has_diag(cfg, "error: gateway 'g': <variable name='d'>: direction 'sideways' is not "
                        "inbound, outbound or both");
    check_has_diag(cfg, "gw.xml:7:42: error: gateway 'g': unknown element <child> inside <param>");
    check_has_diag(cfg, "gw.xml:8:5: error: gateway 'g': unknown element <gateway> inside <gateway>");
    CHECK_EQ_INT(sc_config_error_count(cfg), 8);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    sc_config_free(cfg);
}

static void test_io_errors(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("does-not-exist.xml")), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "does-not-exist.xml");
    CHECK_CONTAINS(sc_last_error(), "No such file or directory");
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_EQ_INT(sc_config_diag_severity(cfg, 0), SC_DIAG_ERROR);
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), "does-not-exist.xml: error: cannot read '");
    CHECK_EQ_INT(sc_config_load_file(cfg, SC_TEST_DATA_DIR), SC_EIO); /* a directory */
    CHECK_CONTAINS(sc_last_error(), "Is a directory");
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    sc_config_free(cfg);
}

static void test_bad_arguments(void)
{
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(NULL, "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_config_load_file(cfg, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_config_load_string(cfg, NULL, "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_config_load_string(NULL, "<a/>", "x"), SC_EINVAL);
    CHECK_EQ_INT(sc_config_add_gateway(cfg, NULL), SC_EINVAL);
    CHECK(sc_config_find_gateway(cfg, NULL) == NULL);
    CHECK(sc_config_find_gateway(NULL, "x") == NULL);
    CHECK_EQ_INT(sc_config_gateway_count(NULL), 0);
    CHECK(sc_config_gateway_at(NULL, 0) == NULL);
    CHECK_EQ_INT(sc_config_diag_count(NULL), 0);
    CHECK_EQ_INT(sc_config_error_count(NULL), 0);
    CHECK_EQ_INT(sc_config_diag_severity(cfg, 0), SC_EINVAL);
    CHECK(sc_config_diag_file(cfg, 0) == NULL);
    CHECK_EQ_INT(sc_config_diag_line(cfg, 0), 0);
    CHECK_EQ_INT(sc_config_diag_column(cfg, 0), 0);
    CHECK_STR(sc_config_diag_gateway(cfg, 0), "");
    CHECK_STR(sc_config_diag_param(cfg, 0), "");
    CHECK(sc_config_diag_message(cfg, 0) == NULL);
    CHECK(sc_config_diag_text(cfg, 0) == NULL);
    sc_config_free(cfg);
    sc_config_free(NULL);
}

/* --- malformed XML ------------------------------------------------------- */

/* Must fail with SC_EPARSE, one error diagnostic, no gateway kept. */
static sc_config *check_malformed(const char *xml)
{
    sc_config *cfg = load(xml, SC_EPARSE);
    CHECK_EQ_INT(sc_last_status(), SC_EPARSE);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_EQ_INT(sc_config_error_count(cfg), 1);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    CHECK(sc_config_diag_line(cfg, 0) >= 1);
    CHECK(strlen(sc_config_diag_message(cfg, 0)) > 0);
    return cfg;
}

static void test_malformed(void)
{
    const char *ok_gw = "<gateway name=\"a\"><param name=\"register\" value=\"false\"/></gateway>";
    const char *inputs[] = {
        "<include><gateway name=\"a\"><param name=\"register\" value=\"fal",   /* truncated */
        "<include><gateway name=\"a\">",                                       /* unclosed */
        "<include><gateway name=\"a\"></include>",                             /* mismatched */
        "\x01\x02garbage\xff\xfe",                                             /* garbage bytes */
        "<include>\xc3\x28</include>",                                         /* bad UTF-8 */
        "<include>&bogus;</include>",                                          /* entity */
        "not xml at all",
        "<",
        "</include>",
    };
    for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++) {
        char *xml = g_strconcat(ok_gw, "\n", inputs[k], NULL);
        sc_config_free(check_malformed(xml));
        g_free(xml);
    }

    sc_config *cfg = check_malformed("<include>\n  <gateway name=\"a\">\n</include>\n");
    CHECK_EQ_INT(sc_config_diag_line(cfg, 0), 3);
    CHECK(sc_config_diag_column(cfg, 0) >= 1);
    /* GMarkup's own "Error on line N char M:" prefix is not repeated */
    CHECK(!strstr(sc_config_diag_message(cfg, 0), "Error on line"));
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), "gw.xml:3:");
    CHECK_CONTAINS(sc_config_diag_text(cfg, 0), ": error: ");
    sc_config_free(cfg);

    /* GMarkup quotes invalid UTF-8 bytes; the diagnostic stays valid UTF-8 */
    cfg = check_malformed("<include>\xc3\x28</include>");
    CHECK(g_utf8_validate(sc_config_diag_text(cfg, 0), -1, NULL));
    sc_config_free(cfg);
    /* quoted element names stay; other quoted input is withheld */
    cfg = check_malformed("<include>\n<gateway name=\"a\">\n</include>");
    CHECK_STR(sc_config_diag_message(cfg, 0), "Element \u201cinclude\u201d was closed, but the "
              "currently open element is \u201cgateway\u201d");
    sc_config_free(cfg);
    cfg = check_malformed("<include>&skypepass;</include>");
    CHECK(!strstr(sc_config_diag_message(cfg, 0), "skypepass"));
    sc_config_free(cfg);

    cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, DATA("broken_malformed.xml")), SC_EPARSE);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_EQ_INT(sc_config_diag_line(cfg, 0), 5);
    CHECK_CONTAINS(sc_config_diag_message(cfg, 0), "gateway");
    sc_config_free(cfg);

    /* param errors before the malformation are dropped: one diagnostic */
    cfg = check_malformed("<gateway name=\"a\"><param name=\"bogus\" value=\"1\"/>\n<oops");
    sc_config_free(cfg);
}

static void test_nul_in_file(void)
{
    char path[] = "/tmp/sc_test_nul_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    static const char xml[] = "<include><gateway name=\"a\">\0<param name=\"register\" "
                              "value=\"false\"/></gateway></include>";
    CHECK_EQ_INT(write(fd, xml, sizeof xml - 1), (long long)(sizeof xml - 1));
    close(fd);
    sc_config *cfg = sc_config_new();
    CHECK_EQ_INT(sc_config_load_file(cfg, path), SC_EPARSE);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 0);
    sc_config_free(cfg);
    unlink(path);

    /* load_string takes a C string: it stops at the NUL, leaving an unclosed element */
    cfg = load("<include><gateway name=\"a\">\0<param/></gateway></include>", SC_EPARSE);
    sc_config_free(cfg);
}

static void test_deep_nesting_is_bounded(void)
{
    const int depth = 100000;
    GString *xml = g_string_new(NULL);
    for (int i = 0; i < depth; i++) g_string_append(xml, "<include>");
    for (int i = 0; i < depth; i++) g_string_append(xml, "</include>");
    sc_config *cfg = load(xml->str, SC_EPARSE);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
    CHECK_CONTAINS(sc_config_diag_message(cfg, 0), "nested deeper than 256");
    sc_config_free(cfg);

    /* just under the limit still loads */
    g_string_truncate(xml, 0);
    for (int i = 0; i < 200; i++) g_string_append(xml, "<include>");
    g_string_append(xml, "<gateway name=\"deep\"><param name=\"register\" value=\"false\"/></gateway>");
    for (int i = 0; i < 200; i++) g_string_append(xml, "</include>");
    cfg = load(xml->str, SC_OK);
    CHECK_EQ_INT(sc_config_gateway_count(cfg), 1);
    sc_config_free(cfg);
    g_string_free(xml, TRUE);
}

static void test_many_errors_are_capped(void)
{
    GString *xml = g_string_new("<gateway name=\"g\">\n");
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(xml, "<param name=\"unknown%d\" value=\"1\"/>\n", i);
    g_string_append(xml, "</gateway>\n");
    sc_config *cfg = load(xml->str, SC_ECONFIG);
    CHECK(sc_config_diag_count(cfg) <= 1001);
    CHECK_CONTAINS(sc_config_diag_text(cfg, sc_config_diag_count(cfg) - 1), "more diagnostics not shown");
    CHECK_CONTAINS(sc_last_error(), "(and 5001 more errors)"); /* + username and password */
    sc_config_free(cfg);
    g_string_free(xml, TRUE);
}

static void test_columns_count_characters(void)
{
    /* "é" is two bytes but one column */
    sc_config *cfg = load("<!-- é --><gateway name=\"a\"><param name=\"ping\" value=\"x\"/></gateway>",
                          SC_ECONFIG);
    CHECK_EQ_INT(sc_config_diag_count(cfg), 3); /* ping, username, password */
    check_has_diag(cfg, "gw.xml:1:29: error: gateway 'a': param 'ping': value 'x' is not a whole "
                        "number");
    sc_config_free(cfg);
}

/* Everything on one line: n gateways, each with a comment holding a
 * two-byte character, and an error in the last one. */
static GString *one_line_gateways(int n)
{
    GString *xml = g_string_new("<include>");
    for (int i = 0; i < n; i++)
        g_string_append_printf(xml, "<!-- \xc3\xa9 --><gateway name=\"g%d\"><param name=\"username\" value=\"u\"/>"
                               "<param name=\"password\" value=\"p\"/><param name=\"ping\" value=\"%s\"/></gateway>",
                               i, i == n - 1 ? "x" : "30");
    g_string_append(xml, "</include>");
    return xml;
}

static double seconds_to_load(const GString *xml, int reps)
{
    double best = 1e9;
    for (int r = 0; r < reps; r++) {
        sc_config *cfg = sc_config_new();
        gint64 t0 = g_get_monotonic_time();
        sc_config_load_string(cfg, xml->str, "one.xml");
        double dt = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
        sc_config_free(cfg);
        if (dt < best) best = dt;
    }
    return best;
}

static void test_one_line_file_is_linear(void)
{
    /* Columns were counted from the start of the line for every element:
     * 5,000 gateways on one line took a minute. Compare 10x the input in
     * the same run, with a wide bound (linear is ~10x, quadratic ~100x). */
    GString *small = one_line_gateways(500), *big = one_line_gateways(5000);
    sc_config *cfg = sc_config_new();
    char want[128];
    double t_small = seconds_to_load(small, 3), t_big = seconds_to_load(big, 2);
    if (t_small < 0.002) t_small = 0.002;   /* timer granularity */
    fprintf(stderr, "  500 gateways on one line: %.4f s, 5000: %.4f s\n", t_small, t_big);
    CHECK(t_big / t_small <= 40);
    /* The columns are still right: the last gateway's ping, counted in
     * characters (each comment's é is two bytes, one column). */
    CHECK_EQ_INT(sc_config_load_string(cfg, big->str, "one.xml"), SC_ECONFIG);
    const char *ping = g_strrstr(big->str, "<param name=\"ping\" value=\"x\"");
    long col = g_utf8_strlen(big->str, ping - big->str) + 1;
    g_snprintf(want, sizeof want, "one.xml:1:%ld: error: gateway 'g4999': param 'ping'", col);
    bool found = false;
    for (size_t i = 0; i < sc_config_diag_count(cfg); i++)
        if (g_str_has_prefix(sc_config_diag_text(cfg, i), want)) found = true;
    if (!found && sc_config_diag_count(cfg)) fprintf(stderr, "  want %s, got %s\n", want, sc_config_diag_text(cfg, 0));
    CHECK(found);
    sc_config_free(cfg);
    g_string_free(small, TRUE);
    g_string_free(big, TRUE);
}

static void test_what_gmarkup_tolerates(void)
{
    /* GMarkup takes '<' in an attribute value and repeated attributes; the
     * first still gets the right column, the second is an error of ours. */
    sc_config *cfg = load("<gateway name=\"a\"><param name=\"realm\" value=\"x<y\"/>"
                          "<param name=\"register\" value=\"false\" value=\"true\"/></gateway>",
                          SC_ECONFIG);
    check_has_diag(cfg, "gw.xml:1:19: error: gateway 'a': param 'realm': value 'x<y' contains "
                        "'<', which is not allowed here");
    check_has_diag(cfg, "gw.xml:1:52: error: gateway 'a': <param> has the attribute 'value' twice");
    sc_config_free(cfg);
}

/* --- the password never leaks ------------------------------------------- */

static GString *log_lines;

static void capture_log(int level, const char *message, void *user)
{
    (void)level;
    (void)user;
    g_string_append(log_lines, message);
    g_string_append_c(log_lines, '\n');
}

static void test_password_never_leaks(void)
{
    log_lines = g_string_new(NULL);
    CHECK_EQ_INT(sc_set_log_cb(capture_log, SC_LOG_DEBUG, NULL, NULL), SC_OK);
    sc_config *cfg = load(
        "<include>\n"
        "  <gateway name=\"skype\">\n"
        "    <param name=\"password\" value=\"" SECRET "\"/>\n"
        "    <param name=\"password\" value=\"" SECRET "\"/>\n"
        "    <param name=\"passwd\" value=\"" SECRET "\"/>\n"
        "    <param name=\"gw-auth-acl\" value=\"" SECRET "\"/>\n"
        "    <param name=\"expire-seconds\" value=\"1\"/>\n"
        "    <param name=\"password\" value=\"$${" SECRET "}\"/>\n"
        "    <variables><variable name=\"x\" value=\"" SECRET "\" direction=\"up\"/></variables>\n"
        "  </gateway>\n"
        "</include>\n", SC_ECONFIG);
    CHECK(sc_config_error_count(cfg) >= 3); /* passwd, direction, username missing */
    check_has_diag(cfg, "param 'username': is required");
    check_no_secret_anywhere(cfg);
    sc_config_free(cfg);

    /* GMarkup quotes an unknown entity's name: inside a password it is withheld */
    const char *malformed[] = {
        "<gateway name=\"a\">\n  <param name=\"password\" value=\"&" SECRET ";\"/>\n</gateway>",
        "<gateway name=\"a\">\n  <param value=\"&" SECRET ";\" name=\"PASSWORD\"/>\n</gateway>",
        "<gateway name=\"a\">\n  <param name=\"password\" value=\"" SECRET "\n",
        /* GMarkup quotes a whole run of text here, the password tag included */
        "<include>\n  <param name=\"password\" value=\"" SECRET "\"/>\xff    \n</include>",
    };
    for (size_t k = 0; k < sizeof malformed / sizeof *malformed; k++) {
        cfg = load(malformed[k], SC_EPARSE);
        CHECK_EQ_INT(sc_config_diag_count(cfg), 1);
        CHECK(sc_config_diag_line(cfg, 0) >= 2);
        check_no_secret_anywhere(cfg);
        sc_config_free(cfg);
    }
    check_no_secret(log_lines->str);
    CHECK_EQ_INT(sc_set_log_cb(NULL, SC_LOG_WARNING, NULL, NULL), SC_OK);
    g_string_free(log_lines, TRUE);
}

SC_TEST_MAIN(TEST(test_skype_page), TEST(test_profile_gateways),
             TEST(test_include_params_variables), TEST(test_wrappers_and_passthrough),
             TEST(test_corrections_become_warnings), TEST(test_params_and_direct_params),
             TEST(test_empty_and_no_gateway), TEST(test_param_errors), TEST(test_gateway_errors),
             TEST(test_duplicates_across_loads), TEST(test_structure_errors),
             TEST(test_io_errors), TEST(test_bad_arguments), TEST(test_malformed),
             TEST(test_nul_in_file), TEST(test_deep_nesting_is_bounded),
             TEST(test_many_errors_are_capped), TEST(test_columns_count_characters), TEST(test_what_gmarkup_tolerates),
             TEST(test_one_line_file_is_linear),
             TEST(test_password_never_leaks))
