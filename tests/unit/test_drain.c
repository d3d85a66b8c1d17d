/* Drain (lib/calls/drain.c, sc_session_set_draining) against the loopback
 * trunk: a drained session refuses a new inbound call with 503 while the
 * call in progress runs on, says "drained" when that call ends, and takes
 * calls again after the drain is ended. Bad input first. */
#include "trunk_fixture.h"

static void bad_input_is_refused(void)
{
    sc_session *s = sc_session_new();
    sc_event *other;
    CHECK_EQ_INT(sc_session_set_draining(NULL, 1), SC_EINVAL);
    CHECK_EQ_INT(sc_session_is_draining(NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_draining(s, 2), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "0 or 1");
    CHECK_EQ_INT(sc_session_set_draining(s, -1), SC_EINVAL);
    CHECK_EQ_INT(sc_session_set_draining(s, 1), SC_ESTATE);   /* not started */
    CHECK_CONTAINS(sc_last_error(), "not running");
    CHECK_EQ_INT(sc_session_is_draining(s), 0);
    CHECK_EQ_INT(sc_event_draining(NULL), -1);
    CHECK_EQ_INT(sc_event_drain_calls(NULL), -1);
    sc_session_free(s);
    /* another kind of event has no drain fields */
    s = sc_session_new();
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK_EQ_INT(sc_session_stop(s, 1000), SC_OK);
    other = wait_event_type(s, SC_EVENT_SESSION_STOPPED, 3000);
    CHECK(other != NULL);
    CHECK_EQ_INT(sc_event_draining(other), -1);
    CHECK_EQ_INT(sc_event_drain_calls(other), -1);
    sc_event_free(other);
    CHECK_EQ_INT(sc_session_set_draining(s, 1), SC_ESTATE);   /* stopped */
    sc_session_free(s);
}

static sc_call *answered_inbound(sc_session *s, sc_trunk *t)
{
    sc_event *ev;
    sc_call *call = NULL;
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "+441234567"), SC_OK);
    ev = wait_incoming(s, 5000);
    CHECK(ev != NULL);
    if (ev) call = sc_call_ref(sc_event_call(ev));
    sc_event_free(ev);
    if (!call) return NULL;
    CHECK_EQ_INT(sc_call_answer(call, SDP), SC_OK);
    ev = wait_call_state(s, sc_call_id(call), SC_CALL_ANSWERED, 5000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    return call;
}

static void drain_refuses_new_calls_and_keeps_the_running_one(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_call *first;
    sc_event *ev;
    char *json, *log;
    if (!t) return;
    s = session_for(t, PASSWORD);
    CHECK(registered(s));
    first = answered_inbound(s, t);
    CHECK(first != NULL);

    CHECK_EQ_INT(sc_session_set_draining(s, 1), SC_OK);
    CHECK_EQ_INT(sc_session_is_draining(s), 1);
    ev = wait_event_type(s, SC_EVENT_DRAIN, 3000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_draining(ev), 1);
        CHECK_EQ_INT(sc_event_drain_calls(ev), 1);
        json = sc_event_to_json(ev);
        CHECK_CONTAINS(json, "\"event\":\"drain\",\"draining\":true,\"calls\":1");
        sc_free(json);
    }
    sc_event_free(ev);

    /* a new call: 503 at once, with its refusal event */
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "+442222222"), SC_OK);
    ev = wait_event_type(s, SC_EVENT_INBOUND_REFUSED, 5000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_sip_code(ev), 503);
        CHECK_STR(sc_event_refusal(ev), "draining");
    }
    sc_event_free(ev);
    /* the trunk saw the 503 (its log line follows the answer's arrival) */
    for (int i = 0; i < 100; i++) {
        log = sc_trunk_log(t);
        if (strstr(log, "\"status\":503")) break;
        sc_free(log);
        log = NULL;
        g_usleep(20000);
    }
    CHECK(log != NULL);
    sc_free(log);
    /* the first call is still up at both ends */
    CHECK_EQ_INT(sc_call_state_of(first), SC_CALL_ANSWERED);
    CHECK(wait_count(t, "active", 1, 3000));

    /* its end completes the drain */
    CHECK_EQ_INT(sc_trunk_hangup_all(t), SC_OK);
    ev = wait_event_type(s, SC_EVENT_DRAIN, 5000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_draining(ev), 1);
        CHECK_EQ_INT(sc_event_drain_calls(ev), 0);
    }
    sc_event_free(ev);
    CHECK_EQ_INT(sc_call_state_of(first), SC_CALL_ENDED);
    CHECK_EQ_INT(sc_call_hangup_side(first), SC_HANGUP_REMOTE);
    sc_call_unref(first);

    /* ending the drain takes calls again */
    CHECK_EQ_INT(sc_session_set_draining(s, 0), SC_OK);
    CHECK_EQ_INT(sc_session_is_draining(s), 0);
    ev = wait_event_type(s, SC_EVENT_DRAIN, 3000);
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_draining(ev), 0);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "+443333333"), SC_OK);
    ev = wait_incoming(s, 5000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    sc_session_free(s);
    sc_trunk_free(t);
}

SC_TEST_MAIN(TEST(bad_input_is_refused), TEST(drain_refuses_new_calls_and_keeps_the_running_one))
