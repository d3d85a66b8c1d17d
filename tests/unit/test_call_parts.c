/* The pure parts of calls: address lists, SIP-to-Q.850 causes, call API
 * argument checks that need no peer. */
#include <glib.h>
#include "sc_test.h"
#include "calls_priv.h"
#include "skypeconnect/skypeconnect.h"

static void acl_addresses_and_blocks(void)
{
    char *err = NULL;
    sc_acl *acl = sc_acl_parse(" 192.0.2.0/24, 127.0.0.1 ,::1, 2001:db8::/32", &err);
    CHECK(acl != NULL);
    CHECK(sc_acl_allows(acl, "192.0.2.77"));
    CHECK(!sc_acl_allows(acl, "192.0.3.1"));
    CHECK(sc_acl_allows(acl, "127.0.0.1"));
    CHECK(!sc_acl_allows(acl, "127.0.0.2"));
    CHECK(sc_acl_allows(acl, "::1"));
    CHECK(sc_acl_allows(acl, "2001:db8:1::5"));
    CHECK(!sc_acl_allows(acl, "2001:db9::1"));
    CHECK(!sc_acl_allows(acl, "not-an-ip"));
    CHECK(!sc_acl_allows(acl, NULL));
    sc_acl_free(acl);
    acl = sc_acl_parse("10.0.0.0/7", &err);
    CHECK(sc_acl_allows(acl, "11.255.255.255"));
    CHECK(!sc_acl_allows(acl, "12.0.0.0"));
    sc_acl_free(acl);
}

static void acl_errors_name_the_entry(void)
{
    const char *bad[] = { "192.0.2.0/33", "host.example", "1.2.3.4/", "1.2.3.4/x", "::1/129" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *err = NULL;
        CHECK(sc_acl_parse(bad[i], &err) == NULL);
        CHECK(err != NULL && strstr(err, "ACL entry"));
        g_free(err);
    }
}

static void ip_equality(void)
{
    CHECK(sc_ip_equal("127.0.0.1", "127.0.0.1"));
    CHECK(!sc_ip_equal("127.0.0.1", "127.0.0.2"));
    CHECK(sc_ip_equal("::1", "0:0:0:0:0:0:0:1"));
    CHECK(!sc_ip_equal("::1", "127.0.0.1"));
    CHECK(!sc_ip_equal(NULL, "127.0.0.1"));
}

static void freeswitch_causes(void)
{
    CHECK_STR(sc_sip_cause(404), "UNALLOCATED_NUMBER");
    CHECK_STR(sc_sip_cause(486), "USER_BUSY");
    CHECK_STR(sc_sip_cause(487), "ORIGINATOR_CANCEL");
    CHECK_STR(sc_sip_cause(484), "INVALID_NUMBER_FORMAT");
    CHECK_STR(sc_sip_cause(408), "RECOVERY_ON_TIMER_EXPIRE");
    CHECK_STR(sc_sip_cause(480), "NO_USER_RESPONSE");
    CHECK_STR(sc_sip_cause(503), "NORMAL_TEMPORARY_FAILURE");
    CHECK_STR(sc_sip_cause(603), "CALL_REJECTED");
    CHECK_STR(sc_sip_cause(200), "NORMAL_CLEARING");
    CHECK_STR(sc_sip_cause(799), "NORMAL_UNSPECIFIED");
    CHECK_STR(sc_call_state_name(SC_CALL_ENDED), "ended");
    CHECK_STR(sc_call_state_name(99), "unknown");
}

static void call_api_rejects_bad_arguments(void)
{
    sc_session *s = sc_session_new();
    sc_call *call = (sc_call *)0x1;
    CHECK_EQ_INT(sc_session_dial(NULL, "gw", "001", NULL, NULL, NULL, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_dial(s, "gw", "001", NULL, NULL, NULL, &call), SC_ECLOSED);
    CHECK(call == NULL);
    CHECK_EQ_INT(sc_session_dial(s, "gw", "001", "12a", NULL, NULL, NULL), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "caller number");
    CHECK_EQ_INT(sc_session_dial(s, "gw", "001", NULL, "Evil\"<sip:x>", NULL, NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_dial(s, "gw", "001", NULL, NULL, "not sdp", NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_answer_timeout(s, 0), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_answer_timeout(s, 30), SC_OK);
    CHECK_EQ_INT(sc_session_set_inbound_acl(s, "999.1.1.1"), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "999.1.1.1");
    CHECK_EQ_INT(sc_session_set_inbound_acl(s, "127.0.0.0/8"), SC_OK);
    CHECK_EQ_INT(sc_session_set_inbound_acl(s, NULL), SC_OK);
    CHECK(sc_session_find_call(s, 1) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_session_call_count(s), 0);
    CHECK_EQ_INT(sc_call_answer(NULL, "v=0"), SC_EINVAL);
    CHECK_EQ_INT(sc_call_hangup(NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_call_send_dtmf(NULL, "1"), SC_EINVAL);
    CHECK(sc_call_header(NULL, "From") == NULL);
    CHECK_STR(sc_call_gateway(NULL), "");
    sc_call_unref(NULL);
    sc_session_free(s);
}

static void dial_without_rule_sends_nothing(void)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = sc_gateway_new("ipauth");
    sc_call *call = NULL;
    sc_event *ev;
    int refused = 0;
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", "127.0.0.1:9");
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    sc_session_add_gateway(s, gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK_EQ_INT(sc_session_dial(s, "ipauth", "0044123456", NULL, NULL, NULL, &call), SC_EREFUSED);
    CHECK_CONTAINS(sc_last_error(), "no dial rule");
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_NO_RULE);
    CHECK(call == NULL);
    CHECK_EQ_INT(sc_session_dial(s, "nope", "0044123456", NULL, NULL, NULL, NULL), SC_ENOTFOUND);
    while ((ev = sc_session_next_event(s, 200))) {
        if (sc_event_type_of(ev) == SC_EVENT_DIAL_REFUSED) {
            char *json = sc_event_to_json(ev);
            refused++;
            CHECK_STR(sc_event_refusal(ev), "no_rule");
            CHECK_CONTAINS(json, "\"event\":\"dial_refused\"");
            CHECK_CONTAINS(json, "\"number\":\"0044123456\"");
            sc_free(json);
        }
        sc_event_free(ev);
    }
    CHECK_EQ_INT(refused, 1);
    CHECK_EQ_INT(sc_session_call_count(s), 0);
    sc_gateway_free(gw);
    sc_session_free(s);
}

SC_TEST_MAIN(TEST(acl_addresses_and_blocks), TEST(acl_errors_name_the_entry), TEST(ip_equality),
             TEST(freeswitch_causes), TEST(call_api_rejects_bad_arguments),
             TEST(dial_without_rule_sends_nothing))
