/* Register a gateway and print its state changes.
 * usage: sc_example_register [GATEWAY_XML GATEWAY_NAME]
 * Without a file it registers against the built-in loopback trunk. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>
#include <skypeconnect/skypeconnect.h>
#include <skypeconnect/sc_trunk.h>

static void on_event(sc_session *s, const sc_event *ev, void *user)
{
    (void)s;
    (void)user;
    if (sc_event_type_of(ev) == SC_EVENT_GATEWAY_STATE)   /* on the session's thread */
        printf("%-10s %s -> %s (%s) %d %s\n", sc_event_gateway(ev), sc_reg_state_name(sc_event_prev_state(ev)),
               sc_reg_state_name(sc_event_state(ev)), sc_gw_status_name(sc_event_status(ev)),
               sc_event_sip_code(ev), sc_event_phrase(ev));
}

int main(int argc, char **argv)
{
    sc_trunk *trunk = NULL;
    sc_gateway *gw;
    sc_session *s = sc_session_new();
    sc_config *cfg = sc_config_new();
    int rc = 1;

    if (argc > 1) {
        if (sc_config_load_file(cfg, argv[1]) != SC_OK) goto out;
        gw = sc_gateway_copy(sc_config_find_gateway(cfg, argc > 2 ? argv[2] : "skype"));
    } else {
        trunk = sc_trunk_new("127.0.0.1:0", "alice", "secret");
        gw = sc_gateway_new("skype");
        sc_gateway_set(gw, "proxy", trunk ? sc_trunk_address(trunk) : "127.0.0.1");
        sc_gateway_set(gw, "username", "alice");
        sc_gateway_set(gw, "password", "secret");
    }
    if (!gw) goto out;
    sc_session_set_event_cb(s, on_event, NULL, NULL);
    if (sc_session_add_gateway(s, gw) != SC_OK || sc_session_start(s) != SC_OK) goto out;
    for (int i = 0; i < 100; i++) {
        int st = sc_session_gateway_state(s, sc_gateway_name(gw));
        if (st == SC_REG_REGED || st == SC_REG_NOREG) { rc = 0; break; }
        struct timespec ts = { 0, 100000000 };
        nanosleep(&ts, NULL);
    }
    printf("%s\n", rc ? "not registered" : "registered");
    sc_gateway_free(gw);
out:
    if (rc && *sc_last_error()) fprintf(stderr, "error: %s\n", sc_last_error());
    sc_session_free(s);
    sc_config_free(cfg);
    sc_trunk_free(trunk);
    return rc;
}
