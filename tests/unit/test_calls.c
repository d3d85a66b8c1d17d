/* Calls (lib/calls/) against the loopback trunk's PSTN simulator: dial-outs
 * answered by the number's last digit, a refused password, an inbound call,
 * and freeing a session with calls up. Every wait is bounded. */
#include "trunk_fixture.h"

/* Dials number; returns the call (a reference) or NULL. */
static sc_call *dial(sc_session *s, const char *number)
{
    sc_call *call = NULL;
    int rc = sc_session_dial(s, "loop", number, NULL, NULL, SDP, &call);
    CHECK_EQ_INT(rc, SC_OK);
    if (rc) fprintf(stderr, "  dial %s: %s\n", number, sc_last_error());
    return call;
}

static void expect_ended(sc_session *s, sc_call *call, int code)
{
    sc_event *ev;
    if (!call) return;
    ev = wait_call_state(s, sc_call_id(call), SC_CALL_ENDED, 8000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_call_sip_code(call), code);
}

static void dial_outs_by_last_digit(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_call *call;
    sc_event *ev;
    char *log;
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 1);
    s = session_for(t, PASSWORD);
    CHECK(registered(s));

    /* ...0: rings, then answered with SDP */
    call = dial(s, "00441234560");
    if (call) {
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_RINGING, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_ANSWERED, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        {
            char *sdp = sc_call_remote_sdp(call);
            CHECK_CONTAINS(sdp, "m=audio");
            sc_free(sdp);
        }
        CHECK(wait_count(t, "active", 1, 2000));
        CHECK_EQ_INT(sc_trunk_count(t, "answered"), 1);
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_ENDED, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        CHECK_EQ_INT(sc_call_hangup_side(call), SC_HANGUP_LOCAL);
        CHECK(wait_count(t, "active", 0, 2000));
        sc_call_unref(call);
    }

    call = dial(s, "00441234566");
    expect_ended(s, call, 486);
    sc_call_unref(call);
    call = dial(s, "00441234568");
    expect_ended(s, call, 404);
    sc_call_unref(call);
    call = dial(s, "00441234569");
    expect_ended(s, call, 484);
    sc_call_unref(call);

    /* ...7 rings for ever: the caller cancels */
    call = dial(s, "00441234567");
    if (call) {
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_RINGING, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        expect_ended(s, call, 487);
        sc_call_unref(call);
    }
    CHECK(wait_count(t, "active", 0, 2000));
    CHECK_EQ_INT(sc_trunk_count(t, "invite"), 10);   /* each challenged once */
    CHECK_EQ_INT(sc_trunk_count(t, "answered"), 1);
    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"status\":407");
    CHECK_CONTAINS(log, "\"status\":486");
    CHECK_CONTAINS(log, "\"event\":\"bye\"");
    CHECK_CONTAINS(log, "\"event\":\"cancel\"");
    CHECK_CONTAINS(log, "\"ruri\":\"sip:00441234567@");
    sc_free(log);
    check_log_clean(t);
    sc_session_free(s);
    sc_trunk_free(t);
}

static void dial_out_with_wrong_password_is_forbidden(void)
{
    /* An IP-auth gateway (register=false) with a wrong password: the INVITE
     * is challenged with 407, answered with a wrong digest, refused 403. */
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_gateway *gw;
    sc_event *ev;
    sc_call *call;
    if (!t) return;
    s = sc_session_new();
    gw = gateway_for(t, "wrong");
    sc_gateway_set(gw, "register", "false");
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    ev = wait_state(s, SC_REG_NOREG, 3000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    call = dial(s, "00441234560");
    expect_ended(s, call, 403);
    sc_call_unref(call);
    CHECK_EQ_INT(sc_trunk_count(t, "answered"), 0);
    sc_session_free(s);
    sc_trunk_free(t);
}

static void inbound_call_answered_then_hung_up(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    sc_call *call = NULL;
    char *log;
    if (!t) return;
    s = session_for(t, PASSWORD);
    CHECK(registered(s));
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "+441234567"), SC_OK);
    ev = wait_incoming(s, 5000);
    CHECK(ev != NULL);
    if (ev) {
        call = sc_call_ref(sc_event_call(ev));
        CHECK_STR(sc_call_destination(call), USER);
        CHECK_STR(sc_call_gateway(call), "loop");
        CHECK_STR(sc_call_matched_by(call), "gw_user");
        CHECK_STR(sc_call_caller_number(call), "+441234567");
    }
    sc_event_free(ev);
    if (call) {
        CHECK_EQ_INT(sc_call_answer(call, SDP), SC_OK);
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_ANSWERED, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        CHECK(wait_count(t, "answered", 1, 3000));
        CHECK_EQ_INT(sc_trunk_count(t, "active"), 1);
        CHECK_EQ_INT(sc_trunk_hangup_all(t), SC_OK);
        ev = wait_call_state(s, sc_call_id(call), SC_CALL_ENDED, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
        CHECK_EQ_INT(sc_call_hangup_side(call), SC_HANGUP_REMOTE);
        CHECK(wait_count(t, "active", 0, 3000));
        sc_call_unref(call);
    }
    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"event\":\"place\"");
    CHECK_CONTAINS(log, "\"event\":\"progress\"");
    CHECK_CONTAINS(log, "\"event\":\"bye\",\"direction\":\"out\"");
    sc_free(log);
    sc_session_free(s);
    sc_trunk_free(t);
}

static void free_with_calls_up_is_bounded(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    sc_call *out, *in = NULL;
    gint64 start;
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 0);
    s = session_for(t, PASSWORD);
    CHECK(registered(s));
    out = dial(s, "00441234560");
    if (out) {
        ev = wait_call_state(s, sc_call_id(out), SC_CALL_ANSWERED, 5000);
        CHECK(ev != NULL);
        sc_event_free(ev);
    }
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "123"), SC_OK);
    ev = wait_incoming(s, 5000);
    CHECK(ev != NULL);
    if (ev) in = sc_call_ref(sc_event_call(ev));
    sc_event_free(ev);
    /* the inbound call stays unanswered (ringing at the session) */
    CHECK(wait_count(t, "active", 2, 3000));
    start = g_get_monotonic_time();
    sc_trunk_free(t);
    CHECK(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
    /* both calls end at the session, in either order */
    {
        bool out_ended = !out, in_ended = !in;
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while ((!out_ended || !in_ended) && g_get_monotonic_time() < end) {
            ev = sc_session_next_event(s, 100);
            if (ev && sc_event_type_of(ev) == SC_EVENT_CALL_STATE && sc_event_call_state(ev) == SC_CALL_ENDED) {
                if (out && sc_event_call_id(ev) == sc_call_id(out)) out_ended = true;
                if (in && sc_event_call_id(ev) == sc_call_id(in)) in_ended = true;
            }
            sc_event_free(ev);
        }
        CHECK(out_ended);
        CHECK(in_ended);
    }
    if (out) CHECK_EQ_INT(sc_call_hangup_side(out), SC_HANGUP_REMOTE);
    if (in) CHECK_EQ_INT(sc_call_hangup_side(in), SC_HANGUP_REMOTE);
    sc_call_unref(out);
    sc_call_unref(in);
    sc_session_free(s);
}

SC_TEST_MAIN(TEST(dial_outs_by_last_digit), TEST(dial_out_with_wrong_password_is_forbidden), TEST(inbound_call_answered_then_hung_up), TEST(free_with_calls_up_is_bounded))
