/* Registration (lib/gateway/registration.c) against the loopback trunk's
 * registrar: REGISTER and un-REGISTER, a wrong password, and the trunk's
 * faults giving the session's expected gateway states. Every wait is
 * bounded. */
#include "trunk_fixture.h"

static void session_registers_and_unregisters(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    char *log;
    if (!t) return;
    sc_trunk_set_expires(t, 120);
    s = session_for(t, PASSWORD);
    ev = wait_state(s, SC_REG_REGED, 8000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_expires(ev), 120);   /* the trunk's grant, not the 3600 asked */
        CHECK_EQ_INT(sc_event_sip_code(ev), 200);
    }
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 1);
    CHECK_EQ_INT(sc_trunk_is_registered(t, "bob"), 0);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 2);   /* challenged, then authorised */
    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"event\":\"register\"");
    CHECK_CONTAINS(log, "\"status\":401");
    CHECK_CONTAINS(log, "\"status\":200");
    CHECK_CONTAINS(log, "gw=loop");
    CHECK_CONTAINS(log, "\"expires\":120");
    sc_free(log);
    check_log_clean(t);

    /* The un-REGISTER goes on the registration's handle with its cached
     * credentials and no To tag (NUTAG_DIALOG(0)): nua on the trunk side
     * would refuse a To tag it no longer knows with 481. One message, no
     * challenge. */
    CHECK_EQ_INT(sc_session_stop(s, 3000), SC_OK);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 0);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 3);
    sc_session_free(s);
    sc_trunk_free(t);
}

/* A refresh goes on the registration's handle with the cached credentials:
 * one REGISTER, not a challenge and a retry. The trunk grants 10 s, so the
 * refresh comes 2-5 s after the registration (backoff.c). */
static void refresh_is_one_authorised_register(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    if (!t) return;
    sc_trunk_set_expires(t, 10);
    s = session_for(t, PASSWORD);
    ev = wait_state(s, SC_REG_REGED, 8000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 2);   /* challenged, then authorised */
    ev = wait_state(s, SC_REG_REGED, 8000);           /* the refresh */
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_sip_code(ev), 200);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 3);   /* the refresh: one message */
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 1);
    check_log_clean(t);
    sc_session_free(s);
    sc_trunk_free(t);
}

static void wrong_password_fails_with_auth(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    char *log;
    if (!t) return;
    s = session_for(t, "not-the-password");
    ev = wait_state(s, SC_REG_FAILED, 8000);
    CHECK(ev != NULL);
    if (ev) {
        CHECK_EQ_INT(sc_event_reason(ev), SC_REASON_AUTH);
        CHECK_EQ_INT(sc_event_sip_code(ev), 403);
    }
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 0);
    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"note\":\"wrong password\"");
    CHECK(log && !strstr(log, "not-the-password"));
    sc_free(log);
    sc_session_free(s);
    sc_trunk_free(t);
}

/* What a fault test expects of the gateway's state event: the state, and
 * the reason, SIP code and granted expiry where they are not 0. */
typedef struct fault_want {
    int state, reason, sip_code, expires;
} fault_want;

/* Gives the trunk that fault, starts a session against it and waits up to
 * 8 s for the gateway's state event, checking what want asks. Returns the
 * session (to be freed). */
static sc_session *expect_fault(sc_trunk *t, int fault, int param, fault_want want)
{
    sc_session *s;
    sc_event *ev;
    CHECK_EQ_INT(sc_trunk_set_fault(t, fault, param), SC_OK);
    s = session_for(t, PASSWORD);
    ev = wait_state(s, want.state, 8000);
    CHECK(ev != NULL);
    if (ev && want.reason) CHECK_EQ_INT(sc_event_reason(ev), want.reason);
    if (ev && want.sip_code) CHECK_EQ_INT(sc_event_sip_code(ev), want.sip_code);
    if (ev && want.expires) CHECK_EQ_INT(sc_event_expires(ev), want.expires);
    sc_event_free(ev);
    return s;
}

static void fault_wrong_password(void)
{
    sc_trunk *t = trunk_up();
    if (!t) return;
    sc_session_free(expect_fault(t, SC_TRUNK_FAULT_WRONG_PASSWORD, 0,
                                 (fault_want){ SC_REG_FAILED, SC_REASON_AUTH, 403, 0 }));
    sc_trunk_free(t);
}

static void fault_unavailable_retry_after(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    if (!t) return;
    s = expect_fault(t, SC_TRUNK_FAULT_UNAVAILABLE, 40,
                     (fault_want){ SC_REG_FAILED, SC_REASON_SERVER, 503, 0 });
    ev = wait_state(s, SC_REG_FAIL_WAIT, 2000);
    CHECK(ev != NULL);
    /* Retry-After: 40 rules the next attempt (plus up to 10% jitter) */
    if (ev) CHECK(sc_event_next_retry(ev) >= 39 && sc_event_next_retry(ev) <= 45);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 1);
    sc_session_free(s);
    sc_trunk_free(t);
}

static void fault_interval_too_brief(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    char *log;
    if (!t) return;
    /* asked again with Min-Expires: granted 300 */
    s = expect_fault(t, SC_TRUNK_FAULT_INTERVAL, 300, (fault_want){ .state = SC_REG_REGED, .expires = 300 });
    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"status\":423");
    CHECK_CONTAINS(log, "\"min_expires\":300");
    sc_free(log);
    sc_session_free(s);
    sc_trunk_free(t);
}

/* A session whose gateway registers at a registrar that never answers (the
 * silent fault) and gives up after 5 s. *started (if not NULL) is when the
 * session was started. */
static sc_session *silent_session(sc_trunk *t, gint64 *started)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = gateway_for(t, PASSWORD);
    CHECK_EQ_INT(sc_trunk_set_fault(t, SC_TRUNK_FAULT_SILENT, 0), SC_OK);
    sc_gateway_set(gw, "timeout-seconds", "5");
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    sc_gateway_free(gw);
    if (started) *started = g_get_monotonic_time();
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    return s;
}

static void fault_silent_times_out(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    gint64 start;
    if (!t) return;
    s = silent_session(t, &start);
    ev = wait_state(s, SC_REG_TIMEOUT, 9000);
    CHECK(ev != NULL);
    if (ev) CHECK(g_get_monotonic_time() - start >= 4 * G_USEC_PER_SEC);
    sc_event_free(ev);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 1);
    sc_session_free(s);
    start = g_get_monotonic_time();
    sc_trunk_free(t);   /* with an unanswered request parked */
    CHECK(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
}

/* quit while a REGISTER is in flight to a silent registrar: the
 * un-REGISTER is given up on by its own timer (timeout-seconds, 5 s), and
 * no stack event follows. The stop must end then, DOWN and stopped, not at
 * the stop's own deadline (12 s here), nor at Sofia's 30 s shutdown bound
 * when the deadline's timer fires a fraction of a millisecond early. */
static void stop_with_unregister_unanswered(void)
{
    sc_trunk *t = trunk_up();
    sc_session *s;
    sc_event *ev;
    gint64 stop_began;
    if (!t) return;
    s = silent_session(t, NULL);
    ev = wait_state(s, SC_REG_TRYING, 3000);
    CHECK(ev != NULL);
    sc_event_free(ev);
    stop_began = g_get_monotonic_time();
    CHECK_EQ_INT(sc_session_stop(s, 12000), SC_OK);
    CHECK(g_get_monotonic_time() - stop_began < 9 * G_USEC_PER_SEC);
    ev = wait_state(s, SC_REG_DOWN, 1000);
    CHECK(ev != NULL);
    if (ev) CHECK_EQ_INT(sc_event_reason(ev), SC_REASON_REQUEST);
    sc_event_free(ev);
    sc_session_free(s);
    sc_trunk_free(t);
}

SC_TEST_MAIN(TEST(session_registers_and_unregisters), TEST(refresh_is_one_authorised_register), TEST(wrong_password_fails_with_auth), TEST(fault_wrong_password), TEST(fault_unavailable_retry_after), TEST(fault_interval_too_brief), TEST(fault_silent_times_out),
             TEST(stop_with_unregister_unanswered))
