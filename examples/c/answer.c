/* Answer inbound calls, dispatching events on this thread (queue mode).
 * usage: sc_example_answer [GATEWAY_XML GATEWAY_NAME]
 * Without a file, the loopback trunk registers us and places one call. */
#include <stdio.h>
#include <skypeconnect/skypeconnect.h>
#include <skypeconnect/sc_trunk.h>

static const char *SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                         "m=audio 40000 RTP/AVP 0\r\n";

typedef struct { sc_trunk *trunk; int answered; } app;

static void on_event(sc_session *s, const sc_event *ev, void *user)
{
    app *a = user;
    (void)s;
    switch (sc_event_type_of(ev)) {
    case SC_EVENT_GATEWAY_STATE:
        if (a->trunk && sc_event_state(ev) == SC_REG_REGED) sc_trunk_place_call(a->trunk, "alice", "+4930123456");
        break;
    case SC_EVENT_INCOMING_CALL:
        printf("incoming call %d from %s to %s\n", sc_event_call_id(ev), sc_call_caller_number(sc_event_call(ev)),
               sc_call_destination(sc_event_call(ev)));
        sc_call_answer(sc_event_call(ev), SDP);
        break;
    case SC_EVENT_CALL_STATE:
        printf("call %d: %s\n", sc_event_call_id(ev), sc_call_state_name(sc_event_call_state(ev)));
        if (sc_event_call_state(ev) == SC_CALL_ANSWERED) {
            a->answered++;
            if (a->trunk) sc_call_hangup(sc_event_call(ev));
        }
        break;
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    app a = { NULL, 0 };
    sc_gateway *gw = NULL;
    sc_session *s = sc_session_new();
    sc_config *cfg = sc_config_new();

    if (argc > 1) {
        if (sc_config_load_file(cfg, argv[1]) == SC_OK)
            gw = sc_gateway_copy(sc_config_find_gateway(cfg, argc > 2 ? argv[2] : "skype"));
    } else {
        a.trunk = sc_trunk_new("127.0.0.1:0", "alice", "secret");
        gw = sc_gateway_new("skype");
        sc_gateway_set(gw, "proxy", a.trunk ? sc_trunk_address(a.trunk) : "127.0.0.1");
        sc_gateway_set(gw, "username", "alice");
        sc_gateway_set(gw, "password", "secret");
    }
    if (!gw || sc_session_set_dispatch(s, SC_DISPATCH_QUEUE) || sc_session_set_event_cb(s, on_event, &a, NULL) ||
        sc_session_add_gateway(s, gw) || sc_session_start(s)) {
        fprintf(stderr, "error: %s\n", sc_last_error());
        return 1;
    }
    for (int i = 0; i < (a.trunk ? 100 : 36000) && !(a.trunk && a.answered); i++) sc_session_dispatch(s, 100);
    printf("answered %d call(s)\n", a.answered);
    sc_session_free(s);
    sc_gateway_free(gw);
    sc_config_free(cfg);
    sc_trunk_free(a.trunk);
    return a.trunk && !a.answered;
}
