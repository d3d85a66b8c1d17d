/* sc_session_list_calls: the live calls, whatever ids ended in between
 * (the `calls` command walks this list instead of probing ids), and
 * sc_json_quote, which the command's --json error lines are built with. */
#include <stdbool.h>
#include <string.h>
#include <glib.h>

#include "sc_test.h"
#include "skypeconnect/skypeconnect.h"
#include "skypeconnect/sc_trunk.h"

#define SDP "v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
            "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

static bool wait_ended(sc_session *s, int id)
{
    gint64 end = g_get_monotonic_time() + 8 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        bool hit = ev && sc_event_type_of(ev) == SC_EVENT_CALL_STATE && sc_event_call_id(ev) == id &&
                   sc_event_call_state(ev) == SC_CALL_ENDED;
        sc_event_free(ev);
        if (hit) return true;
    }
    return false;
}

static void test_list_skips_ended_calls(void)
{
    sc_trunk *t = sc_trunk_new("127.0.0.1:0", "alice", "pw");
    sc_session *s = sc_session_new();
    sc_gateway *gw = sc_gateway_new("loop");
    sc_call *calls[3] = { NULL, NULL, NULL }, **list;
    size_t n = 99;
    CHECK(t != NULL);
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 60);   /* calls stay live while the test looks */
    sc_gateway_set(gw, "proxy", sc_trunk_address(t));
    sc_gateway_set(gw, "username", "alice");
    sc_gateway_set(gw, "password", "pw");
    sc_gateway_set(gw, "dial-prefix", "00");
    sc_gateway_set(gw, "register", "false");
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);

    list = sc_session_list_calls(s, &n);   /* before start: empty, not an error */
    CHECK(list != NULL && list[0] == NULL);
    CHECK_EQ_INT(n, 0);
    sc_call_list_free(list);

    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(sc_session_dial(s, "loop", "0044123", NULL, NULL, SDP, &calls[i]), SC_OK);
    if (calls[1]) {
        /* Texts read from a live call stay valid after it ends on the stack
         * thread (a `calls` listing racing a call's end read a freed cause). */
        const char *cause = sc_call_cause(calls[1]);
        char *json;
        CHECK_EQ_INT(sc_call_hangup(calls[1]), SC_OK);
        CHECK(wait_ended(s, sc_call_id(calls[1])));
        CHECK_STR(cause, "");
        CHECK(*sc_call_cause(calls[1]) != '\0');
        json = sc_call_to_json(calls[1]);
        CHECK(json && strstr(json, "\"state\":\"ended\"") && strstr(json, sc_call_cause(calls[1])));
        sc_free(json);
    }
    list = sc_session_list_calls(s, &n);
    CHECK_EQ_INT(n, 2);
    if (list && n == 2 && calls[0] && calls[2]) {
        CHECK_EQ_INT(sc_call_id(list[0]), sc_call_id(calls[0]));
        CHECK_EQ_INT(sc_call_id(list[1]), sc_call_id(calls[2]));
        CHECK(list[2] == NULL);
    }
    sc_call_list_free(list);
    CHECK(sc_session_list_calls(NULL, &n) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    sc_call_list_free(NULL);
    for (int i = 0; i < 3; i++) sc_call_unref(calls[i]);
    sc_session_stop(s, 2000);
    sc_session_free(s);
    sc_gateway_free(gw);
    sc_trunk_free(t);
}

static void test_json_quote_any_bytes(void)
{
    char *q = sc_json_quote("a\"b\\c\x01\x1b\x7f\xff\xc3(\xe2\x82\xac\n");
    CHECK_STR(q, "\"a\\\"b\\\\c\\u0001\\u001b\\u007f\\ufffd\\ufffd(\xe2\x82\xac\\n\"");
    sc_free(q);
    q = sc_json_quote(NULL);
    CHECK_STR(q, "\"\"");
    sc_free(q);
}

SC_TEST_MAIN(TEST(test_list_skips_ended_calls), TEST(test_json_quote_any_bytes))
