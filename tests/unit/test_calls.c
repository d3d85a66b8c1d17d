/* Calls (lib/calls/) against the loopback trunk's PSTN simulator: dial-outs
 * answered by the number's last digit, a refused password, an inbound call,
 * call control from the test's thread (posted to the stack thread: outcomes
 * as call_control events) and from an event callback (at once), dial
 * refusals, and freeing a session with calls up. Every wait is bounded. */
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

/* The next call_state event of call is state (within 5 s). */
static void expect_state(sc_session *s, sc_call *call, int state)
{
    sc_event *ev = wait_call_state(s, sc_call_id(call), state, 5000);
    CHECK(ev != NULL);
    sc_event_free(ev);
}

/* The trunk calls USER from +441234567; returns the incoming call (a
 * reference) or NULL. */
static sc_call *placed_call(sc_trunk *t, sc_session *s)
{
    sc_call *call = NULL;
    sc_event *ev;
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "+441234567"), SC_OK);
    ev = wait_incoming(s, 5000);
    CHECK(ev != NULL);
    if (ev) call = sc_call_ref(sc_event_call(ev));
    sc_event_free(ev);
    return call;
}

/* The call_control event of a control posted on call (within 5 s; other
 * events go by): its result is result and, on failure, its message holds
 * why. */
static void expect_control(sc_session *s, sc_call *call, const char *control, int result, const char *why)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == SC_EVENT_CALL_CONTROL && sc_event_call_id(ev) == sc_call_id(call) &&
            !strcmp(sc_event_control(ev), control)) {
            char *json = sc_event_to_json(ev);
            CHECK_EQ_INT(sc_event_result(ev), result);
            if (why) CHECK_CONTAINS(sc_event_message(ev), why);
            CHECK_CONTAINS(json, "\"event\":\"call_control\"");
            CHECK_CONTAINS(json, control);
            sc_free(json);
            sc_event_free(ev);
            return;
        }
        sc_event_free(ev);
    }
    fprintf(stderr, "  no call_control event for %s\n", control);
    CHECK(false);
}

static void dial_outs_by_last_digit(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_call *call;
    char *log;
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 1);
    s = session_for(t, PASSWORD);
    CHECK(registered(s));

    /* ...0: rings, then answered with SDP */
    call = dial(s, "00441234560");
    if (call) {
        expect_state(s, call, SC_CALL_RINGING);
        expect_state(s, call, SC_CALL_ANSWERED);
        {
            char *sdp = sc_call_remote_sdp(call);
            CHECK_CONTAINS(sdp, "m=audio");
            sc_free(sdp);
        }
        CHECK(wait_count(t, "active", 1, 2000));
        CHECK_EQ_INT(sc_trunk_count(t, "answered"), 1);
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        expect_state(s, call, SC_CALL_ENDED);
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
        expect_state(s, call, SC_CALL_RINGING);
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
    sc_call *call = NULL;
    char *log;
    if (!t) return;
    s = session_for(t, PASSWORD);
    CHECK(registered(s));
    call = placed_call(t, s);
    if (call) {
        CHECK_STR(sc_call_destination(call), USER);
        CHECK_STR(sc_call_gateway(call), "loop");
        CHECK_STR(sc_call_matched_by(call), "gw_user");
        CHECK_STR(sc_call_caller_number(call), "+441234567");
        CHECK_EQ_INT(sc_call_answer(call, SDP), SC_OK);
        expect_state(s, call, SC_CALL_ANSWERED);
        CHECK(wait_count(t, "answered", 1, 3000));
        CHECK_EQ_INT(sc_trunk_count(t, "active"), 1);
        CHECK_EQ_INT(sc_trunk_hangup_all(t), SC_OK);
        expect_state(s, call, SC_CALL_ENDED);
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

/* Control from a thread that is not the stack's (this test's, QUEUE mode):
 * what can be decided here is refused here with the usual status; the rest
 * is posted and its outcome, success or failure, is a call_control event. */
static void control_from_another_thread_posts(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_call *call;
    int rc;
    if (!t) return;
    s = session_for(t, PASSWORD);
    CHECK(registered(s));
    call = placed_call(t, s);
    if (call) {
        CHECK_EQ_INT(sc_call_send_dtmf(call, "1"), SC_ESTATE);       /* not answered: refused here */
        CHECK_EQ_INT(sc_call_hold(call, 1), SC_ESTATE);
        CHECK_EQ_INT(sc_call_answer(call, "no sdp"), SC_EINVAL);    /* the arguments: checked here */
        CHECK_EQ_INT(sc_call_reject(call, 200, NULL), SC_EINVAL);
        CHECK_EQ_INT(sc_call_redirect(call, "tel:123"), SC_EINVAL);
        /* the target's number is checked on the stack thread: the refusal comes as an event */
        CHECK_EQ_INT(sc_call_redirect(call, "sip:1-1-2;phone-context=x@127.0.0.1"), SC_OK);
        expect_control(s, call, "sc_call_redirect", SC_EREFUSED, "emergency number");
        CHECK_EQ_INT(sc_call_redirect(call, "sip:(112)@127.0.0.1"), SC_OK);
        expect_control(s, call, "sc_call_redirect", SC_EREFUSED, "emergency number");
        CHECK_EQ_INT(sc_call_redirect(call, "sips:%31%31%32@127.0.0.1"), SC_OK);
        expect_control(s, call, "sc_call_redirect", SC_EINVAL, "%-escaped");
        /* Media is off in this session: the stack thread fails the posted
         * answer, and gives the final answer back to take. */
        rc = sc_call_answer_media(call);
        if (rc == SC_OK) expect_control(s, call, "sc_call_answer_media", SC_ESTATE, "sc_session_set_media");
        else CHECK_EQ_INT(rc, SC_ENOTFOUND);                          /* built without media */
        CHECK_EQ_INT(sc_call_ring(call), SC_OK);
        expect_state(s, call, SC_CALL_RINGING);
        expect_control(s, call, "sc_call_ring", SC_OK, NULL);
        CHECK_EQ_INT(sc_call_answer(call, SDP), SC_OK);              /* posted: takes the final answer */
        CHECK_EQ_INT(sc_call_answer(call, SDP), SC_ESTATE);          /* ... so these are refused now */
        CHECK_CONTAINS(sc_last_error(), "answered or rejected already");
        CHECK_EQ_INT(sc_call_reject(call, 486, NULL), SC_ESTATE);
        CHECK_EQ_INT(sc_call_redirect(call, "sip:bob@127.0.0.1"), SC_ESTATE);
        CHECK_EQ_INT(sc_call_ring(call), SC_ESTATE);
        expect_control(s, call, "sc_call_answer", SC_OK, NULL);
        expect_state(s, call, SC_CALL_ANSWERED);
        CHECK(wait_count(t, "answered", 1, 3000));
        CHECK_EQ_INT(sc_call_send_dtmf(call, "12"), SC_OK);
        expect_control(s, call, "sc_call_send_dtmf", SC_OK, NULL);
        /* answered, but without the library's media: the stack thread says no */
        rc = sc_call_hold(call, 1);
        if (rc == SC_OK) expect_control(s, call, "sc_call_hold", SC_ESTATE, "no media");
        else CHECK_EQ_INT(rc, SC_ENOTFOUND);
        /* a double hangup: the second does nothing */
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        CHECK_EQ_INT(sc_call_send_dtmf(call, "3"), SC_ESTATE);       /* hung up: refused here */
        CHECK_CONTAINS(sc_last_error(), "has ended");
        expect_control(s, call, "sc_call_hangup", SC_OK, NULL);
        expect_state(s, call, SC_CALL_ENDED);
        CHECK_EQ_INT(sc_call_hangup_side(call), SC_HANGUP_LOCAL);
        CHECK(wait_count(t, "active", 0, 3000));
        {
            char *log = sc_trunk_log(t);
            const char *bye = strstr(log, "\"event\":\"bye\"");
            CHECK(bye != NULL);
            if (bye) CHECK(strstr(bye + 1, "\"event\":\"bye\"") == NULL);   /* one BYE */
            sc_free(log);
        }
        /* a finished call: the same codes as ever, at once */
        CHECK_EQ_INT(sc_call_answer(call, SDP), SC_ESTATE);
        CHECK_EQ_INT(sc_call_ring(call), SC_ESTATE);
        CHECK_EQ_INT(sc_call_send_dtmf(call, "1"), SC_ESTATE);
        CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
        sc_call_unref(call);
    }
    CHECK_EQ_INT(sc_call_hangup(NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_call_answer(NULL, SDP), SC_EINVAL);
    sc_session_free(s);
    sc_trunk_free(t);
}

/* The next dial_refused event's refusal is refusal (within 5 s). */
static void expect_refused(sc_session *s, const char *refusal)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == SC_EVENT_DIAL_REFUSED) {
            CHECK_STR(sc_event_refusal(ev), refusal);
            sc_event_free(ev);
            return;
        }
        sc_event_free(ev);
    }
    CHECK(false);
}

/* A dial from the test's thread is posted once it passes the checks made
 * here; what these refuse is refused at once with the usual status and
 * dial_refused event, the channels of dials still in flight included. */
static void dial_refusals_are_synchronous(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_gateway *gw;
    sc_event *ev;
    sc_call *first = NULL, *call = NULL;
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 1);
    s = sc_session_new();
    gw = gateway_for(t, PASSWORD);
    sc_gateway_set(gw, "max-channels", "1");
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    CHECK(registered(s));
    /* the first dial (...7 rings for ever) is posted: its outcome is an event */
    CHECK_EQ_INT(sc_session_dial(s, "loop", "00441234567", NULL, NULL, SDP, &first), SC_OK);
    /* at once, before the stack thread has sent the first INVITE */
    CHECK_EQ_INT(sc_session_dial(s, "loop", "00441234560", NULL, NULL, SDP, &call), SC_ECHANNELS);
    CHECK(call == NULL);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_CHANNELS);
    if (first) expect_control(s, first, "sc_session_dial", SC_OK, NULL);   /* ran before the refusal */
    expect_refused(s, "channels");
    CHECK_EQ_INT(sc_session_dial(s, "loop", "112", NULL, NULL, SDP, &call), SC_EREFUSED);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_EMERGENCY);
    expect_refused(s, "emergency");
    CHECK_EQ_INT(sc_session_dial(s, "loop", "441234560", NULL, NULL, SDP, &call), SC_EREFUSED);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_NO_MATCH);
    CHECK_EQ_INT(sc_session_dial(s, "nowhere", "00441234560", NULL, NULL, SDP, &call), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_session_dial(s, "loop", "00441234560", "abc", NULL, SDP, &call), SC_EINVAL);
    if (first) {
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        CHECK_STR(sc_call_destination(first), "00441234567");
        CHECK_CONTAINS(sc_call_to(first), "<sip:00441234567@");
        /* ringing (its events went by above): a CANCEL now gets 487 */
        while (sc_call_state_of(first) != SC_CALL_RINGING && g_get_monotonic_time() < end) g_usleep(10000);
        CHECK_EQ_INT(sc_call_state_of(first), SC_CALL_RINGING);
        CHECK_EQ_INT(sc_call_hangup(first), SC_OK);
        expect_state(s, first, SC_CALL_ENDED);
        CHECK_EQ_INT(sc_call_sip_code(first), 487);
        /* its channel is free again */
        CHECK_EQ_INT(sc_session_dial(s, "loop", "00441234560", NULL, NULL, SDP, &call), SC_OK);
        if (call) {
            ev = wait_call_state(s, sc_call_id(call), SC_CALL_ANSWERED, 5000);
            CHECK(ev != NULL);
            sc_event_free(ev);
            CHECK_EQ_INT(sc_call_hangup(call), SC_OK);
            expect_state(s, call, SC_CALL_ENDED);
        }
    }
    sc_call_unref(first);
    sc_call_unref(call);
    sc_session_free(s);
    sc_trunk_free(t);
}

/* What an event callback (the stack's own thread, THREAD mode) saw. */
typedef struct in_callback {
    GMutex lock;
    int dial_rc;
    sc_call *call;               /* dialled in the callback */
    bool answered, ended;
    int dial_controls;           /* call_control events of sc_session_dial */
} in_callback;

static void dial_in_callback(sc_session *s, const sc_event *ev, void *user)
{
    in_callback *cb = user;
    g_mutex_lock(&cb->lock);
    if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == SC_REG_REGED && !cb->call) {
        cb->dial_rc = sc_session_dial(s, "loop", "00441234560", NULL, NULL, SDP, &cb->call);
        /* run at once: the INVITE is out and the call is "calling" */
        if (cb->call) CHECK(sc_call_state_of(cb->call) == SC_CALL_CALLING);
    } else if (sc_event_type_of(ev) == SC_EVENT_CALL_CONTROL && !strcmp(sc_event_control(ev), "sc_session_dial")) {
        cb->dial_controls++;
    } else if (cb->call && sc_event_call_id(ev) == sc_call_id(cb->call) &&
               sc_event_type_of(ev) == SC_EVENT_CALL_STATE) {
        if (sc_event_call_state(ev) == SC_CALL_ANSWERED) {
            cb->answered = true;
            CHECK_EQ_INT(sc_call_hangup(cb->call), SC_OK);   /* at once too */
        }
        if (sc_event_call_state(ev) == SC_CALL_ENDED) cb->ended = true;
    }
    g_mutex_unlock(&cb->lock);
}

/* A dial from an event callback runs at once, with no hop: no call_control
 * event follows it (a posted dial has one). */
static void dial_from_event_callback_runs_at_once(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_gateway *gw;
    in_callback cb = { .dial_rc = 1 };
    bool ended = false;
    gint64 end;
    if (!t) return;
    sc_trunk_set_ring_seconds(t, 0);
    g_mutex_init(&cb.lock);
    s = sc_session_new();
    gw = gateway_for(t, PASSWORD);
    CHECK_EQ_INT(sc_session_set_dispatch(s, SC_DISPATCH_THREAD), SC_OK);
    CHECK_EQ_INT(sc_session_set_event_cb(s, dial_in_callback, &cb, NULL), SC_OK);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    end = g_get_monotonic_time() + 8 * G_USEC_PER_SEC;
    while (!ended && g_get_monotonic_time() < end) {
        g_usleep(20000);
        g_mutex_lock(&cb.lock);
        ended = cb.ended;
        g_mutex_unlock(&cb.lock);
    }
    CHECK(ended);
    sc_session_stop(s, 2000);
    CHECK_EQ_INT(cb.dial_rc, SC_OK);
    CHECK(cb.answered);
    CHECK_EQ_INT(cb.dial_controls, 0);
    CHECK_EQ_INT(sc_trunk_count(t, "answered"), 1);
    sc_session_free(s);
    sc_call_unref(cb.call);
    g_mutex_clear(&cb.lock);
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
        expect_state(s, out, SC_CALL_ANSWERED);
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

SC_TEST_MAIN(TEST(dial_outs_by_last_digit), TEST(dial_out_with_wrong_password_is_forbidden), TEST(inbound_call_answered_then_hung_up),
             TEST(control_from_another_thread_posts), TEST(dial_refusals_are_synchronous),
             TEST(dial_from_event_callback_runs_at_once), TEST(free_with_calls_up_is_bounded))
