/* Dial a number out; a refused number never leaves the machine.
 * usage: sc_example_dial_out NUMBER [GATEWAY_XML GATEWAY_NAME]
 * Without a file it dials through the loopback trunk (dial-prefix 00). */
#include <stdio.h>
#include <skypeconnect/skypeconnect.h>
#include <skypeconnect/sc_trunk.h>

int main(int argc, char **argv)
{
    const char *number = argc > 1 ? argv[1] : "0044201234561";
    sc_trunk *trunk = NULL;
    sc_gateway *gw = NULL;
    sc_session *s = sc_session_new();
    sc_config *cfg = sc_config_new();
    sc_call *call = NULL;
    sc_event *ev;
    int up = 0, rc;

    if (argc > 2) {
        if (sc_config_load_file(cfg, argv[2]) == SC_OK)
            gw = sc_gateway_copy(sc_config_find_gateway(cfg, argc > 3 ? argv[3] : "skype"));
    } else {
        trunk = sc_trunk_new("127.0.0.1:0", "alice", "secret");
        gw = sc_gateway_new("skype");
        sc_gateway_set(gw, "proxy", trunk ? sc_trunk_address(trunk) : "127.0.0.1");
        sc_gateway_set(gw, "username", "alice");
        sc_gateway_set(gw, "password", "secret");
        sc_gateway_set(gw, "dial-prefix", "00");
        sc_gateway_set(gw, "emergency-country", "GB");
    }
    if (!gw || sc_session_set_dispatch(s, SC_DISPATCH_QUEUE) || sc_session_add_gateway(s, gw) || sc_session_start(s)) {
        fprintf(stderr, "error: %s\n", sc_last_error());
        return 1;
    }
    for (int i = 0; i < 100 && !up; i++) {
        if ((ev = sc_session_next_event(s, 100))) {
            int st = sc_event_state(ev);
            up = sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE && (st == SC_REG_REGED || st == SC_REG_NOREG);
            sc_event_free(ev);
        }
    }
    rc = sc_session_dial(s, sc_gateway_name(gw), number, NULL, NULL, NULL, &call);
    if (rc != SC_OK) {
        printf("refused (%s, %s): %s\n", sc_status_name(rc), sc_dial_refusal_name(sc_dialrule_last_refusal()),
               sc_last_error());
    } else {
        for (int i = 0; i < 150; i++) {
            int st = sc_call_state_of(call);
            if (st == SC_CALL_ANSWERED || st == SC_CALL_ENDED) break;
            sc_event_free(sc_session_next_event(s, 100));
        }
        printf("call %d: %s %s\n", sc_call_id(call), sc_call_state_name(sc_call_state_of(call)), sc_call_cause(call));
        sc_call_hangup(call);
        sc_call_unref(call);
    }
    sc_session_free(s);
    sc_gateway_free(gw);
    sc_config_free(cfg);
    sc_trunk_free(trunk);
    return 0;
}
