/* sc_bench: the library side of the benchmarks (bench/run drives it).
 *
 *   sc_bench inbound  --peer 127.0.0.1:PORT [--dispatch thread|queue]
 *       one gateway (register=false) whose proxy is the SIPp UAC's address;
 *       every incoming call is answered at once with BENCH_SDP. SIPp hangs up.
 *   sc_bench outbound --peer 127.0.0.1:PORT --rate R --calls N [--dispatch ...]
 *       on "go", dials N calls at R calls/s through one gateway (dial-prefix 49)
 *       whose proxy is a SIPp UAS, which answers and hangs up after its hold.
 *   sc_bench register --peer 127.0.0.1:KAMAILIO --gateways N --password P
 *                     [--expires S] [--user-prefix gw]
 *       on "go", adds N gateways (users PREFIX00001...) that register with
 *       digest auth; the time until every one is REGED is reported.
 *
 * Line protocol: see bench_util.h. Stats are one JSON object per line. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <glib.h>
#include <skypeconnect/skypeconnect.h>

#include "bench_util.h"

typedef struct counters {
    gint incoming, answered, ended, ok, failed, refused;
    gint dialed, dial_errors, answer_errors;
    gint reged, reg_failures;
    gint64 t_go_us, t_all_reged_us, t_dial_done_us;
    unsigned char *reged_flags;
    int ngw;
    char first_error[256];
} counters;

static counters C;
static GMutex err_lock;
static sc_session *S;
static volatile gint stopping;

static void note_error(const char *what, const char *detail)
{
    g_mutex_lock(&err_lock);
    if (!C.first_error[0]) g_snprintf(C.first_error, sizeof C.first_error, "%s: %s", what, detail);
    g_mutex_unlock(&err_lock);
}

static int gateway_index(const char *name)
{
    const char *p = name;
    while (*p && !g_ascii_isdigit(*p)) p++;
    return *p ? atoi(p) : -1;
}

static void on_event(sc_session *s, const sc_event *ev, void *user)
{
    (void)s;
    (void)user;
    switch (sc_event_type_of(ev)) {
    case SC_EVENT_INCOMING_CALL:
        g_atomic_int_inc(&C.incoming);
        if (sc_call_answer(sc_event_call(ev), BENCH_SDP) != SC_OK) {
            g_atomic_int_inc(&C.answer_errors);
            note_error("answer", sc_last_error());
        }
        break;
    case SC_EVENT_CALL_STATE:
        if (sc_event_call_state(ev) == SC_CALL_ANSWERED) {
            g_atomic_int_inc(&C.answered);
        } else if (sc_event_call_state(ev) == SC_CALL_ENDED) {
            g_atomic_int_inc(&C.ended);
            if (!strcmp(sc_event_cause(ev), "NORMAL_CLEARING")) {
                g_atomic_int_inc(&C.ok);
            } else {
                g_atomic_int_inc(&C.failed);
                note_error("call ended", sc_event_cause(ev));
            }
        }
        break;
    case SC_EVENT_INBOUND_REFUSED:
    case SC_EVENT_DIAL_REFUSED:
        g_atomic_int_inc(&C.refused);
        note_error("refused", sc_event_message(ev));
        break;
    case SC_EVENT_GATEWAY_STATE: {
        int i = gateway_index(sc_event_gateway(ev));
        if (sc_event_state(ev) == SC_REG_REGED && i >= 1 && i <= C.ngw && !C.reged_flags[i]) {
            C.reged_flags[i] = 1;
            if (g_atomic_int_add(&C.reged, 1) + 1 == C.ngw) C.t_all_reged_us = bench_now_us();
        } else if (sc_event_state(ev) == SC_REG_FAILED) {
            g_atomic_int_inc(&C.reg_failures);
            note_error("registration failed", sc_event_phrase(ev));
        }
        break;
    }
    default:
        break;
    }
}

/* SC_DISPATCH_QUEUE: the application's own thread runs the callbacks. */
static gpointer dispatch_thread(gpointer p)
{
    (void)p;
    while (!g_atomic_int_get(&stopping)) sc_session_dispatch(S, 200);
    return NULL;
}

typedef struct dial_plan {
    double rate;
    long calls;
} dial_plan;

/* Dials at the given rate: call i is due at t0 + i/rate; the thread sleeps
 * until the next one is due (at least BENCH_TICK_MS), then dials all that are. */
static gpointer dial_thread(gpointer p)
{
    dial_plan *d = p;
    long long t0 = bench_now_us();
    long i = 0;
    while (i < d->calls && !g_atomic_int_get(&stopping)) {
        long long now = bench_now_us(), next;
        long due = (long)((double)(now - t0) * d->rate / 1e6) + 1;
        if (due > d->calls) due = d->calls;
        for (; i < due; i++) {
            if (sc_session_dial(S, "bench", BENCH_NUMBER, NULL, NULL, BENCH_SDP, NULL) == SC_OK) {
                g_atomic_int_inc(&C.dialed);
            } else {
                g_atomic_int_inc(&C.dial_errors);
                note_error("dial", sc_last_error());
            }
        }
        if (i >= d->calls) break;
        next = t0 + (long long)((double)i * 1e6 / d->rate) - bench_now_us();
        g_usleep((gulong)(next > BENCH_TICK_MS * 1000 ? next : BENCH_TICK_MS * 1000));
    }
    C.t_dial_done_us = bench_now_us();
    return NULL;
}

static sc_gateway *make_gateway(const char *name, const char *peer, const char *user, const char *password,
                                int expires)
{
    sc_gateway *gw = sc_gateway_new(name);
    char buf[16];
    int rc = 0;
    rc |= sc_gateway_set(gw, "proxy", peer);
    rc |= sc_gateway_set(gw, "realm", peer);
    if (user) {
        rc |= sc_gateway_set(gw, "register", "true");
        rc |= sc_gateway_set(gw, "username", user);
        rc |= sc_gateway_set(gw, "password", password);
        g_snprintf(buf, sizeof buf, "%d", expires);
        rc |= sc_gateway_set(gw, "expire-seconds", buf);
        rc |= sc_gateway_set(gw, "retry-seconds", "5");
    } else {
        rc |= sc_gateway_set(gw, "register", "false");
        rc |= sc_gateway_set(gw, "dial-prefix", "49");
    }
    if (rc) {
        fprintf(stderr, "sc_bench: gateway %s: %s\n", name, sc_last_error());
        exit(2);
    }
    return gw;
}

static void print_stats(bool heap)
{
    double reged_s = C.t_all_reged_us && C.t_go_us ? (double)(C.t_all_reged_us - C.t_go_us) / 1e6 : -1;
    double dial_s = C.t_dial_done_us && C.t_go_us ? (double)(C.t_dial_done_us - C.t_go_us) / 1e6 : -1;
    long long user_us, sys_us;
    bench_cpu_split_us(&user_us, &sys_us);
    g_mutex_lock(&err_lock);
    printf("{\"impl\":\"lib\",\"incoming\":%d,\"answered\":%d,\"ended\":%d,\"ok\":%d,\"failed\":%d,"
           "\"refused\":%d,\"dialed\":%d,\"dial_errors\":%d,\"answer_errors\":%d,\"reged\":%d,"
           "\"reg_failures\":%d,\"all_reged_s\":%.4f,\"dial_done_s\":%.4f,\"cpu_us\":%lld,\"user_us\":%lld,"
           "\"sys_us\":%lld,\"rss_kb\":%ld,\"heap_kb\":%ld,\"first_error\":\"",
           g_atomic_int_get(&C.incoming), g_atomic_int_get(&C.answered), g_atomic_int_get(&C.ended),
           g_atomic_int_get(&C.ok), g_atomic_int_get(&C.failed), g_atomic_int_get(&C.refused),
           g_atomic_int_get(&C.dialed), g_atomic_int_get(&C.dial_errors), g_atomic_int_get(&C.answer_errors),
           g_atomic_int_get(&C.reged), g_atomic_int_get(&C.reg_failures), reged_s, dial_s, user_us + sys_us,
           user_us, sys_us, bench_rss_kb(), heap ? bench_heap_kb() : -1L);
    for (const char *p = C.first_error; *p; p++)
        if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) putchar(*p);
    g_mutex_unlock(&err_lock);
    printf("\"}\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *peer = bench_opt(argc, argv, "--peer", "127.0.0.1:5060");
    const char *dispatch = bench_opt(argc, argv, "--dispatch", "thread");
    const char *password = bench_opt(argc, argv, "--password", "benchpw");
    const char *prefix = bench_opt(argc, argv, "--user-prefix", "gw");
    int expires = (int)bench_opt_long(argc, argv, "--expires", 3600);
    int stop_ms = (int)bench_opt_long(argc, argv, "--stop-ms", 2000);
    dial_plan plan = { bench_opt_double(argc, argv, "--rate", 100), bench_opt_long(argc, argv, "--calls", 1000) };
    bool queue = !strcmp(dispatch, "queue");
    GThread *dispatcher = NULL, *dialer = NULL;
    char line[128];
    bool heap;

    if (strcmp(mode, "inbound") && strcmp(mode, "outbound") && strcmp(mode, "register")) {
        fprintf(stderr, "usage: sc_bench inbound|outbound|register [--peer H:P] [--dispatch thread|queue] "
                        "[--rate R --calls N] [--gateways N --password P --expires S]\n");
        return 2;
    }
    C.ngw = (int)bench_opt_long(argc, argv, "--gateways", 0);
    C.reged_flags = g_malloc0((size_t)C.ngw + 1);

    S = sc_session_new();
    if (sc_session_set_bind(S, "127.0.0.1:0") || sc_session_set_dispatch(S, queue ? SC_DISPATCH_QUEUE : SC_DISPATCH_THREAD) ||
        sc_session_set_event_cb(S, on_event, NULL, NULL)) {
        fprintf(stderr, "sc_bench: %s\n", sc_last_error());
        return 2;
    }
    if (strcmp(mode, "register")) {
        sc_gateway *gw = make_gateway("bench", peer, NULL, NULL, 0);
        sc_session_add_gateway(S, gw);
        sc_gateway_free(gw);
    }
    if (sc_session_start(S) != SC_OK) {
        fprintf(stderr, "sc_bench: start: %s\n", sc_last_error());
        return 2;
    }
    if (queue) dispatcher = g_thread_new("dispatch", dispatch_thread, NULL);
    printf("READY port=%d\n", sc_session_local_port(S, "udp"));
    fflush(stdout);

    while (fgets(line, sizeof line, stdin)) {
        g_strstrip(line);
        if (!strcmp(line, "quit")) break;
        if (bench_stats_cmd(line, &heap)) {
            print_stats(heap);
        } else if (!strcmp(line, "zero")) {
            BENCH_CG_ZERO();
            printf("OK\n");
            fflush(stdout);
        } else if (!strcmp(line, "dump")) {
            BENCH_CG_DUMP();
            printf("OK\n");
            fflush(stdout);
        } else if (!strcmp(line, "go")) {
            C.t_go_us = bench_now_us();
            if (!strcmp(mode, "outbound") && !dialer) {
                dialer = g_thread_new("dialer", dial_thread, &plan);
            } else if (!strcmp(mode, "register")) {
                for (int i = 1; i <= C.ngw; i++) {
                    char name[64], user[64];
                    sc_gateway *gw;
                    g_snprintf(name, sizeof name, "gw%05d", i);
                    g_snprintf(user, sizeof user, "%s%05d", prefix, i);
                    gw = make_gateway(name, peer, user, password, expires);
                    if (sc_session_add_gateway(S, gw) != SC_OK) note_error("add gateway", sc_last_error());
                    sc_gateway_free(gw);
                }
            }
            printf("OK\n");
            fflush(stdout);
        }
    }
    g_atomic_int_set(&stopping, 1);
    if (dialer) g_thread_join(dialer);
    sc_session_stop(S, stop_ms);
    if (dispatcher) {
        sc_session_interrupt(S);
        g_thread_join(dispatcher);
    }
    sc_session_free(S);
    g_free(C.reged_flags);
    return 0;
}
