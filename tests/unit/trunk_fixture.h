/* What the tests that run a session against the loopback trunk share: a
 * trunk, a gateway and a session pointed at it, and bounded waits for
 * events. Everything runs on 127.0.0.1. */
#ifndef SC_TRUNK_FIXTURE_H
#define SC_TRUNK_FIXTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "sc_test.h"
#include "skypeconnect/skypeconnect.h"
#include "skypeconnect/sc_trunk.h"
#include "digest.h"


/* Private test hook (trunk_int.h cannot be included here: Sofia magic). */
int sc_trunk_set_nonce_ttl(sc_trunk *t, int seconds);

#define USER "alice"
#define PASSWORD "Trunk-Pw-never-shown-7"
#define SDP "v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
            "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"

/* ------------------------------------------------------------------ */
/* Helpers */

static inline sc_trunk *trunk_up(void)
{
    sc_trunk *t = sc_trunk_new("127.0.0.1:0", USER, PASSWORD);
    CHECK(t != NULL);
    if (!t) fprintf(stderr, "  sc_trunk_new: %s\n", sc_last_error());
    return t;
}

static inline sc_gateway *gateway_for(sc_trunk *t, const char *password)
{
    sc_gateway *gw = sc_gateway_new("loop");
    sc_gateway_set(gw, "proxy", sc_trunk_address(t));
    sc_gateway_set(gw, "username", USER);
    sc_gateway_set(gw, "password", password);
    sc_gateway_set(gw, "dial-prefix", "00");
    sc_gateway_set(gw, "retry-seconds", "30");
    return gw;
}

static inline sc_session *session_for(sc_trunk *t, const char *password)
{
    sc_session *s = sc_session_new();
    sc_gateway *gw = gateway_for(t, password);
    sc_session_set_dispatch(s, SC_DISPATCH_QUEUE);
    CHECK_EQ_INT(sc_session_add_gateway(s, gw), SC_OK);
    CHECK_EQ_INT(sc_session_start(s), SC_OK);
    sc_gateway_free(gw);
    return s;
}

/* Waits for a gateway_state event with that state; NULL on timeout. */
static inline sc_event *wait_state(sc_session *s, int state, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && sc_event_state(ev) == state) return ev;
        sc_event_free(ev);
    }
    return NULL;
}

/* Waits for a call_state event of call id with that state. */
static inline sc_event *wait_call_state(sc_session *s, int id, int state, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == SC_EVENT_CALL_STATE && sc_event_call_id(ev) == id &&
            sc_event_call_state(ev) == state)
            return ev;
        sc_event_free(ev);
    }
    return NULL;
}

/* Waits for the next event of a type (others are dropped); NULL on timeout. */
static inline sc_event *wait_event_type(sc_session *s, int type, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    while (g_get_monotonic_time() < end) {
        sc_event *ev = sc_session_next_event(s, 100);
        if (ev && sc_event_type_of(ev) == type) return ev;
        sc_event_free(ev);
    }
    return NULL;
}

static inline sc_event *wait_incoming(sc_session *s, int timeout_ms)
{
    return wait_event_type(s, SC_EVENT_INCOMING_CALL, timeout_ms);
}

/* Polls a trunk counter until it equals want. */
static inline bool wait_count(sc_trunk *t, const char *what, int want, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;
    while (g_get_monotonic_time() < end) {
        if (sc_trunk_count(t, what) == want) return true;
        g_usleep(20000);
    }
    return sc_trunk_count(t, what) == want;
}

static inline bool registered(sc_session *s)
{
    sc_event *ev = wait_state(s, SC_REG_REGED, 8000);
    bool ok = ev != NULL;
    sc_event_free(ev);
    return ok;
}

static inline void check_log_clean(sc_trunk *t)
{
    char *log = sc_trunk_log(t);
    CHECK(log != NULL);
    CHECK(log && !strstr(log, PASSWORD));
    /* every line a JSON object */
    if (log) {
        char **lines = g_strsplit(log, "\n", -1);
        for (char **l = lines; *l && **l; l++) CHECK((*l)[0] == '{' && (*l)[strlen(*l) - 1] == '}');
        g_strfreev(lines);
    }
    sc_free(log);
}

/* ------------------------------------------------------------------ */

#endif
