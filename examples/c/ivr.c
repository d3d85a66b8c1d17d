/* An IVR with the library's own media: answers, plays a greeting, collects
 * digits until '#', then records the caller's message to a WAV file.
 *
 * usage: sc_example_ivr [--greeting FILE] [--out FILE] [GATEWAY_XML GATEWAY_NAME]
 *
 * Without a gateway file, a second session in this process calls the IVR
 * over loopback with media, presses 42# and speaks (a 1 kHz tone) for
 * 1.5 s, then hangs up. With one, the IVR serves that gateway's inbound
 * calls until interrupted. Both sessions dispatch their events on this
 * thread (queue mode). */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, access */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skypeconnect/skypeconnect.h>

typedef struct ivr {
    const char *greeting, *out;
    char digits[64];
    size_t n;
    int calls_ended;
} ivr;

/* The caller of the demo: what it does once its media is up. */
typedef struct caller {
    sc_call *call;
    double up_at;     /* when its media came up; 0 before */
    double said_at;   /* when its tone finished playing; 0 before */
    int step;         /* 0 wait, 1 digits sent, 2 speaking, 3 said, 4 hung up */
} caller;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void ivr_event(sc_session *s, const sc_event *ev, void *user)
{
    ivr *v = user;
    sc_call *c = sc_event_call(ev);
    char *json;
    (void)s;
    switch (sc_event_type_of(ev)) {
    case SC_EVENT_INCOMING_CALL:
        v->n = 0;
        if (sc_call_answer_media(c)) fprintf(stderr, "IVR: cannot answer: %s\n", sc_last_error());
        break;
    case SC_EVENT_MEDIA_STATE:
        if (strcmp(sc_event_media_state(ev), "up")) break;
        if (v->greeting ? sc_call_play(c, v->greeting, 0) : sc_call_play_tone(c, 440, 800, 0))
            fprintf(stderr, "IVR: no greeting: %s\n", sc_last_error());
        break;
    case SC_EVENT_DTMF:
        if (v->n + 1 < sizeof v->digits) v->digits[v->n++] = sc_event_dtmf_digit(ev)[0];
        v->digits[v->n] = '\0';
        if (!strcmp(sc_event_dtmf_digit(ev), "#")) {
            printf("IVR: digits %s (%s); recording the message\n", v->digits, sc_event_dtmf_method(ev));
            sc_call_stop_media(c);   /* the greeting, if it still plays */
            if (sc_call_record(c, v->out)) fprintf(stderr, "IVR: cannot record: %s\n", sc_last_error());
        }
        break;
    case SC_EVENT_MEDIA_STATS:
        json = sc_event_to_json(ev);
        printf("IVR: media ended: %s\n", json);
        sc_free(json);
        break;
    case SC_EVENT_CALL_STATE:
        if (sc_event_call_state(ev) == SC_CALL_ENDED) v->calls_ended++;
        break;
    default:
        break;
    }
    fflush(stdout);
}

static void caller_event(sc_session *s, const sc_event *ev, void *user)
{
    caller *k = user;
    (void)s;
    if (sc_event_type_of(ev) == SC_EVENT_MEDIA_STATE && !strcmp(sc_event_media_state(ev), "up") && !k->up_at)
        k->up_at = now();
    else if (sc_event_type_of(ev) == SC_EVENT_MEDIA_NOTICE && !strcmp(sc_event_media_state(ev), "play_done")
             && k->step == 2) {
        k->said_at = now();        /* the message is said */
        k->step = 3;
    }
}

/* The demo caller's script: 1 s of greeting, 42#, then 1.5 s of 1 kHz,
 * and the hangup once its last packets are on their way. */
static void caller_step(caller *k)
{
    if (!k->up_at) return;
    if (k->step == 0 && now() - k->up_at > 1.0) {
        sc_call_send_dtmf(k->call, "42#");
        k->step = 1;
    } else if (k->step == 1 && now() - k->up_at > 2.6) {   /* a digit takes about 0.45 s */
        sc_call_play_tone(k->call, 1000, 1500, 0);
        k->step = 2;
    } else if (k->step == 3 && now() - k->said_at > 0.5) {
        sc_call_hangup(k->call);
        k->step = 4;
    }
}

static sc_session *media_session(sc_event_cb cb, void *user)
{
    sc_session *s = sc_session_new();
    if (!s || sc_session_set_bind(s, "127.0.0.1:0") || sc_session_set_media(s, 1) ||
        sc_session_set_dispatch(s, SC_DISPATCH_QUEUE) || sc_session_set_event_cb(s, cb, user, NULL) ||
        sc_session_start(s)) {
        fprintf(stderr, "error: %s\n", sc_last_error());
        sc_session_free(s);
        return NULL;
    }
    return s;
}

/* Two sessions over loopback: the IVR's trunk is the caller, and back. */
static int demo(sc_session *ivr_s, ivr *v)
{
    caller k = { 0 };
    sc_session *cs = media_session(caller_event, &k);
    sc_gateway *to_caller = sc_gateway_new("trunk"), *to_ivr = sc_gateway_new("out");
    char addr[64];
    int rc = cs ? SC_OK : SC_EIO;
    if (rc == SC_OK) {
        snprintf(addr, sizeof addr, "127.0.0.1:%d", sc_session_local_port(cs, "udp"));
        sc_gateway_set(to_caller, "register", "false");
        sc_gateway_set(to_caller, "proxy", addr);
        snprintf(addr, sizeof addr, "127.0.0.1:%d", sc_session_local_port(ivr_s, "udp"));
        sc_gateway_set(to_ivr, "register", "false");
        sc_gateway_set(to_ivr, "proxy", addr);
        sc_gateway_set(to_ivr, "dial-prefix", "00");
        rc = sc_session_add_gateway(ivr_s, to_caller);
    }
    if (rc == SC_OK) rc = sc_session_add_gateway(cs, to_ivr);
    if (rc == SC_OK) rc = sc_session_dial_media(cs, "out", "0049301234567", NULL, NULL, &k.call);
    if (rc) fprintf(stderr, "error: %s\n", sc_last_error());
    for (int i = 0; rc == SC_OK && i < 1000 && v->calls_ended == 0; i++) {
        sc_session_dispatch(ivr_s, 10);
        sc_session_dispatch(cs, 10);
        caller_step(&k);
    }
    if (rc == SC_OK && !v->calls_ended) {
        fprintf(stderr, "error: the demo call did not end in 20 s\n");
        rc = SC_ETIMEOUT;
    }
    if (rc == SC_OK) {
        FILE *f = fopen(v->out, "rb");
        long size = f && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
        if (f) fclose(f);
        printf("recorded a %.1f s message in %s\n", size > 44 ? (size - 44) / 16000.0 : 0.0, v->out);
    }
    sc_call_unref(k.call);
    sc_session_free(cs);
    sc_gateway_free(to_caller);
    sc_gateway_free(to_ivr);
    return rc;
}

/* A real trunk: the gateway from the file, inbound calls until interrupted. */
static int serve(sc_session *s, const char *file, const char *name)
{
    sc_config *cfg = sc_config_new();
    sc_gateway *gw = NULL;
    int rc = sc_config_load_file(cfg, file);
    if (rc == SC_OK && !(gw = sc_gateway_copy(sc_config_find_gateway(cfg, name))))
        rc = SC_ENOTFOUND;
    if (rc == SC_OK) rc = sc_session_add_gateway(s, gw);
    if (rc) fprintf(stderr, "error: %s: gateway '%s': %s\n", file, name, sc_last_error());
    for (;;) {
        if (rc) break;
        sc_session_dispatch(s, 1000);
    }
    sc_gateway_free(gw);
    sc_config_free(cfg);
    return rc;
}

static int usage(FILE *to, int status)
{
    fprintf(to, "usage: sc_example_ivr [--greeting FILE] [--out FILE] [GATEWAY_XML GATEWAY_NAME]\n"
                "  Answers, plays the greeting (a beep without one), collects digits until '#',\n"
                "  records the message to --out (default ivr-message.wav). Without a gateway\n"
                "  file, a demo caller in this process calls it over loopback.\n");
    return status;
}

int main(int argc, char **argv)
{
    ivr v = { .out = "ivr-message.wav" };
    const char *file = NULL, *name = NULL;
    sc_session *s;
    int rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return usage(stdout, 0);
        if ((!strcmp(argv[i], "--greeting") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
            *(argv[i][2] == 'g' ? &v.greeting : &v.out) = argv[i + 1];
            i++;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "sc_example_ivr: unknown option or missing value: '%s'\n", argv[i]);
            return usage(stderr, 2);
        } else if (!file) {
            file = argv[i];
        } else if (!name) {
            name = argv[i];
        } else {
            fprintf(stderr, "sc_example_ivr: one gateway file and one gateway name at most ('%s')\n", argv[i]);
            return usage(stderr, 2);
        }
    }
    if (file && !name) {
        fprintf(stderr, "sc_example_ivr: '%s' needs a gateway name after it\n", file);
        return usage(stderr, 2);
    }
    if (v.greeting && access(v.greeting, R_OK)) {
        fprintf(stderr, "sc_example_ivr: cannot read the greeting '%s'\n", v.greeting);
        return 2;
    }
    if (!sc_media_supported()) {
        fprintf(stderr, "sc_example_ivr: this libskypeconnect has no media (GStreamer)\n");
        return 1;
    }
    if (!(s = media_session(ivr_event, &v))) return 1;
    rc = file ? serve(s, file, name) : demo(s, &v);
    sc_session_free(s);
    return rc ? 1 : 0;
}
