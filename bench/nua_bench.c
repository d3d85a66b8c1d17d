/* nua_bench: the reference — bare Sofia-SIP nua doing the benchmarks' work
 * with no library around it (the ceiling of our stack). Same modes, options
 * and line protocol as sc_bench (bench_util.h):
 *
 *   nua_bench inbound                       answer every INVITE with 200 + BENCH_SDP
 *   nua_bench outbound --peer H:P --rate R --calls N
 *                                           on "go", INVITE sip:BENCH_NUMBER@H:P at R/s
 *   nua_bench register --peer H:P --gateways N --password P [--expires S] [--user-prefix gw]
 *                                           on "go", N REGISTER handles with digest auth
 *                                           (Sofia refreshes them itself)
 *
 *   --thread   the same, run on a thread of its own (as the library runs
 *              Sofia) instead of the process's main thread
 *
 * One thread, one su_root (threading off, as the library runs Sofia), media
 * engine off (SDP as text, as the library), Sofia's outbound engine off (no
 * OPTIONS probes or keepalives, as the library). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

typedef struct app app;
typedef struct bench_handle bench_handle;
#define SU_ROOT_MAGIC_T app
#define NUA_MAGIC_T app
#define NUA_HMAGIC_T bench_handle
#define SU_WAKEUP_ARG_T app
#define SU_TIMER_ARG_T app

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/su_glib.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg_header.h>

#include "bench_util.h"

struct bench_handle {
    int reg_index;      /* 0 for calls */
    bool answered;
    bool bye;           /* the peer hung up with BYE: a normal end, as the library counts it */
    bool reged;
    int auth_rounds;
};

struct app {
    su_root_t *root;
    GMainLoop *loop;           /* --glib: the loop that runs the root */
    int port;                  /* ours */
    int skype_headers;         /* --skype-headers: the library's INVITE headers too */
    nua_t *nua;
    su_wait_t stdin_wait;
    char inbuf[1024];
    size_t inlen;
    const char *mode, *peer, *password, *prefix;
    int expires, ngw;
    double rate;
    long calls;
    long long t0_us, t_go_us, t_all_reged_us, t_dial_done_us;
    su_timer_t *dial_timer;
    bool shutting_down;
    int incoming, answered, ended, ok, failed, dialed, reged, reg_failures;
    char first_error[256];
};

static void note_error(app *a, const char *what, const char *detail)
{
    if (!a->first_error[0]) snprintf(a->first_error, sizeof a->first_error, "%s: %s", what, detail ? detail : "");
}

static void print_stats(app *a, bool heap)
{
    double reged_s = a->t_all_reged_us && a->t_go_us ? (double)(a->t_all_reged_us - a->t_go_us) / 1e6 : -1;
    double dial_s = a->t_dial_done_us && a->t_go_us ? (double)(a->t_dial_done_us - a->t_go_us) / 1e6 : -1;
    long long user_us, sys_us;
    bench_cpu_split_us(&user_us, &sys_us);
    printf("{\"impl\":\"nua\",\"incoming\":%d,\"answered\":%d,\"ended\":%d,\"ok\":%d,\"failed\":%d,"
           "\"refused\":0,\"dialed\":%d,\"dial_errors\":0,\"answer_errors\":0,\"reged\":%d,"
           "\"reg_failures\":%d,\"all_reged_s\":%.4f,\"dial_done_s\":%.4f,\"cpu_us\":%lld,\"user_us\":%lld,"
           "\"sys_us\":%lld,\"rss_kb\":%ld,\"heap_kb\":%ld,\"first_error\":\"",
           a->incoming, a->answered, a->ended, a->ok, a->failed, a->dialed, a->reged, a->reg_failures, reged_s,
           dial_s, user_us + sys_us, user_us, sys_us, bench_rss_kb(), heap ? bench_heap_kb() : -1L);
    for (const char *p = a->first_error; *p; p++)
        if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) putchar(*p);
    printf("\"}\n");
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Calls */

static void dial_one(app *a)
{
    char to[160], ruri[128];
    bench_handle *h = calloc(1, sizeof *h);
    nua_handle_t *nh;
    snprintf(ruri, sizeof ruri, "sip:%s@%s", BENCH_NUMBER, a->peer);
    snprintf(to, sizeof to, "<%s>", ruri);
    nh = nua_handle(a->nua, h, SIPTAG_TO_STR(to), SIPTAG_FROM_STR("<sip:bench@127.0.0.1>"), TAG_END());
    if (a->skype_headers) {
        /* What the library's dial-out adds with caller-id-in-from false (a
         * Skype Connect gateway): its own Contact, and the caller in
         * P-Asserted-Identity and Remote-Party-ID. */
        char contact[128];
        snprintf(contact, sizeof contact, "<sip:gw+bench@127.0.0.1:%d;transport=udp;gw=bench>", a->port);
        nua_invite(nh, NUTAG_URL(ruri), SIPTAG_CONTACT_STR(contact),
                   SIPTAG_P_ASSERTED_IDENTITY_STR("<sip:bench@127.0.0.1>"),
                   SIPTAG_REMOTE_PARTY_ID_STR("<sip:bench@127.0.0.1>;party=calling;screen=yes;privacy=off"),
                   SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(BENCH_SDP), TAG_END());
    } else {
        nua_invite(nh, NUTAG_URL(ruri), SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(BENCH_SDP),
                   TAG_END());
    }
    a->dialed++;
}

/* Call i is due at t_go + i/rate: dial what is due, then sleep until the
 * next one (at least BENCH_TICK_MS), as sc_bench's dialing thread does. */
static void on_dial_tick(app *a, su_timer_t *t, su_timer_arg_t *arg)
{
    long due = (long)((double)(bench_now_us() - a->t_go_us) * a->rate / 1e6) + 1;
    long long next;
    (void)t;
    (void)arg;
    if (due > a->calls) due = a->calls;
    while (a->dialed < due) dial_one(a);
    if (a->dialed >= a->calls && !a->t_dial_done_us) a->t_dial_done_us = bench_now_us();
    if (a->dialed >= a->calls || a->shutting_down) return;
    next = (a->t_go_us + (long long)((double)a->dialed * 1e6 / a->rate) - bench_now_us() + 999) / 1000;
    su_timer_set_interval(a->dial_timer, on_dial_tick, NULL, next > BENCH_TICK_MS ? (su_duration_t)next : BENCH_TICK_MS);
}

static void call_event(app *a, nua_event_t event, int status, const char *phrase, nua_handle_t *nh,
                       bench_handle *h, tagi_t tags[])
{
    int callstate = -1;
    if (event == nua_r_invite && status >= 300) note_error(a, "INVITE answered", phrase);
    if (event == nua_i_bye) h->bye = true;
    if (event != nua_i_state) return;
    tl_gets(tags, NUTAG_CALLSTATE_REF(callstate), TAG_END());
    if (callstate == nua_callstate_ready && !h->answered) {
        h->answered = true;
        a->answered++;
    } else if (callstate == nua_callstate_terminated) {
        a->ended++;
        /* as sc_bench counts: a call the peer ended with BYE is a normal end.
         * Under load the BYE may overtake the ACK: Sofia then never says
         * "ready" and ends the call with 200 "to BYE" (no nua_i_bye). */
        if (h->bye || status < 300) {
            a->ok++;
        } else {
            a->failed++;
            note_error(a, "call ended", phrase);
        }
        nua_handle_bind(nh, NULL);
        nua_handle_destroy(nh);
        free(h);
    }
}

/* ------------------------------------------------------------------ */
/* Registrations */

static void start_registrations(app *a)
{
    char registrar[128];
    snprintf(registrar, sizeof registrar, "sip:%s", a->peer);
    for (int i = 1; i <= a->ngw; i++) {
        char user[64], aor[192], expires[16];
        bench_handle *h = calloc(1, sizeof *h);
        nua_handle_t *nh;
        h->reg_index = i;
        snprintf(user, sizeof user, "%s%05d", a->prefix, i);
        snprintf(aor, sizeof aor, "<sip:%s@%s>", user, a->peer);
        snprintf(expires, sizeof expires, "%d", a->expires);
        nh = nua_handle(a->nua, h, SIPTAG_TO_STR(aor), SIPTAG_FROM_STR(aor), TAG_END());
        nua_register(nh, NUTAG_REGISTRAR(registrar), NUTAG_M_USERNAME(user), SIPTAG_EXPIRES_STR(expires),
                     TAG_END());
    }
}

static void register_event(app *a, int status, const char *phrase, nua_handle_t *nh, bench_handle *h,
                           const sip_t *sip)
{
    if (status < 200) return;
    if ((status == 401 || status == 407) && sip && h->auth_rounds < 2) {
        const msg_auth_t *au = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
        const char *realm = au ? msg_params_find(au->au_params, "realm=") : NULL;
        if (realm) {
            char cred[256], user[64];
            snprintf(user, sizeof user, "%s%05d", a->prefix, h->reg_index);
            snprintf(cred, sizeof cred, "%s:%s:%s:%s", au->au_scheme, realm, user, a->password);
            h->auth_rounds++;
            nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
            return;
        }
    }
    if (status >= 200 && status < 300) {
        h->auth_rounds = 0;  /* a refresh may be challenged again */
        if (!h->reged) {
            h->reged = true;
            if (++a->reged == a->ngw) a->t_all_reged_us = bench_now_us();
        }
        return;
    }
    a->reg_failures++;
    note_error(a, "REGISTER", phrase);
}

/* ------------------------------------------------------------------ */

static void nua_cb(nua_event_t event, int status, char const *phrase, nua_t *nua, app *a, nua_handle_t *nh,
                   bench_handle *h, sip_t const *sip, tagi_t tags[])
{
    (void)nua;
    switch (event) {
    case nua_i_invite:
        if (!h) {
            h = calloc(1, sizeof *h);
            nua_handle_bind(nh, h);
            a->incoming++;
            /* as the library answers a caller that offered no session
             * timer: none (the stack's 1800 would make us the refresher) */
            nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(BENCH_SDP),
                        TAG_IF(!(sip && (sip->sip_session_expires || sip_has_feature(sip->sip_supported, "timer"))),
                               NUTAG_SESSION_TIMER(0)),
                        TAG_END());
        }
        break;
    case nua_r_register:
        if (h) register_event(a, status, phrase, nh, h, sip);
        break;
    case nua_r_shutdown:
        if (status >= 200) {
            su_root_break(a->root);
            if (a->loop) g_main_loop_quit(a->loop);
        }
        break;
    default:
        if (h && !h->reg_index) call_event(a, event, status, phrase, nh, h, tags);
        break;
    }
}

static void command(app *a, const char *line)
{
    bool heap;
    if (bench_stats_cmd(line, &heap)) {
        print_stats(a, heap);
    } else if (!strcmp(line, "zero")) {
        BENCH_CG_ZERO();
        printf("OK\n");
        fflush(stdout);
    } else if (!strcmp(line, "dump")) {
        BENCH_CG_DUMP();
        printf("OK\n");
        fflush(stdout);
    } else if (!strcmp(line, "go")) {
        a->t_go_us = bench_now_us();
        if (!strcmp(a->mode, "outbound") && !a->dial_timer) {
            /* a one-shot timer re-armed every tick (su_timer_run() spins) */
            a->dial_timer = su_timer_create(su_root_task(a->root), 1);
            su_timer_set_interval(a->dial_timer, on_dial_tick, NULL, BENCH_TICK_MS);
        } else if (!strcmp(a->mode, "register")) {
            start_registrations(a);
        }
        printf("OK\n");
        fflush(stdout);
    } else if (!strcmp(line, "quit") && !a->shutting_down) {
        a->shutting_down = true;
        if (a->dial_timer) su_timer_reset(a->dial_timer);
        nua_shutdown(a->nua);
    }
}

static int on_stdin(app *a, su_wait_t *w, su_wakeup_arg_t *arg)
{
    ssize_t n;
    (void)w;
    (void)arg;
    n = read(0, a->inbuf + a->inlen, sizeof a->inbuf - 1 - a->inlen);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN) return 0;
        su_root_unregister(a->root, &a->stdin_wait, on_stdin, NULL);
        command(a, "quit");
        return 0;
    }
    a->inlen += (size_t)n;
    for (;;) {
        char *nl = memchr(a->inbuf, '\n', a->inlen);
        size_t len;
        if (!nl) break;
        *nl = '\0';
        len = (size_t)(nl - a->inbuf) + 1;
        if (nl > a->inbuf && nl[-1] == '\r') nl[-1] = '\0';
        command(a, a->inbuf);
        memmove(a->inbuf, a->inbuf + len, a->inlen - len);
        a->inlen -= len;
    }
    if (a->inlen >= sizeof a->inbuf - 1) a->inlen = 0;
    return 0;
}

typedef struct bench_args {
    int argc;
    char **argv;
    int status;
} bench_args;

/* The benchmark itself: on the main thread, or with --thread on a thread of
 * its own, as the library runs Sofia (glibc then gives the stack a heap
 * arena of its own, which grows differently from the main heap). */
static void *run_bench(void *p)
{
    bench_args *args = p;
    int argc = args->argc;
    char **argv = args->argv;
    static app A;
    app *a = &A;
    char url[64];
    int port = 0;
    args->status = 2;
    a->mode = argc > 1 ? argv[1] : "";
    a->peer = bench_opt(argc, argv, "--peer", "127.0.0.1:5060");
    a->password = bench_opt(argc, argv, "--password", "benchpw");
    a->prefix = bench_opt(argc, argv, "--user-prefix", "gw");
    a->expires = (int)bench_opt_long(argc, argv, "--expires", 3600);
    a->ngw = (int)bench_opt_long(argc, argv, "--gateways", 0);
    a->rate = bench_opt_double(argc, argv, "--rate", 100);
    a->calls = bench_opt_long(argc, argv, "--calls", 1000);
    if (strcmp(a->mode, "inbound") && strcmp(a->mode, "outbound") && strcmp(a->mode, "register")) {
        fprintf(stderr, "usage: nua_bench inbound|outbound|register [--peer H:P] [--rate R --calls N] "
                        "[--gateways N --password P --expires S] [--glib] [--skype-headers] [--thread]\n");
        return NULL;
    }

    a->skype_headers = bench_flag(argc, argv, "--skype-headers");
    /* P-Asserted-Identity and Remote-Party-ID are known to the parser only
     * in the extended message class, as the library sets it up */
    if (a->skype_headers) sip_update_default_mclass(sip_extend_mclass(NULL));
    /* --glib: the same nua on Sofia's GLib port (a GMainContext, as the
     * library runs it), to tell the loop's cost from the library's own */
    if (bench_flag(argc, argv, "--glib")) {
        a->root = su_glib_root_create(a);
        g_source_attach(su_glib_root_gsource(a->root), NULL);
        a->loop = g_main_loop_new(NULL, FALSE);
    } else {
        a->root = su_root_create(a);
    }
    su_root_threading(a->root, 0);
    /* A free port: the kernel picks one for UDP; nua also binds TCP on it,
     * which may be taken: then try another. */
    for (int attempt = 0; attempt < 20 && !a->nua; attempt++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &len)) {
            perror("nua_bench: port");
            return NULL;
        }
        port = ntohs(sa.sin_port);
        close(fd);
        snprintf(url, sizeof url, "sip:127.0.0.1:%d", port);
        a->nua = nua_create(a->root, nua_cb, a, NUTAG_URL(url),
                            NUTAG_OUTBOUND("no-options-keepalive no-validate no-natify no-use-rport"),
                            NUTAG_KEEPALIVE(0), NUTAG_AUTOANSWER(0), NUTAG_MEDIA_ENABLE(0), NUTAG_ENABLEMESSAGE(0),
                            NTATAG_SIP_T1X64(8000),
                            /* session timers as the library's trunk stack has
                             * them (FreeSWITCH's 1800 s, offered: Sofia's
                             * unset default offers none): the same work */
                            NUTAG_SESSION_TIMER(1800),
                            /* the SIP socket's receive buffer the library asks
                             * for by default (SC_UDP_RECEIVE_BUFFER_DEFAULT):
                             * both stacks queue a burst alike */
                            TPTAG_UDP_RMEM(1024 * 1024), TAG_END());
    }
    if (!a->nua) {
        fprintf(stderr, "nua_bench: cannot bind %s\n", url);
        return NULL;
    }
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    su_wait_create(&a->stdin_wait, 0, SU_WAIT_IN);
    su_root_register(a->root, &a->stdin_wait, on_stdin, NULL, 0);
    a->port = port;
    printf("READY port=%d\n", port);
    fflush(stdout);

    if (a->loop) g_main_loop_run(a->loop);
    else su_root_run(a->root);

    if (a->dial_timer) su_timer_destroy(a->dial_timer);
    nua_destroy(a->nua);
    su_root_destroy(a->root);
    args->status = 0;
    return NULL;
}

int main(int argc, char **argv)
{
    bench_args args = { argc, argv, 2 };
    su_init();
    if (bench_flag(argc, argv, "--thread")) {
        pthread_t t;
        if (pthread_create(&t, NULL, run_bench, &args)) {
            perror("nua_bench: thread");
            return 2;
        }
        pthread_join(t, NULL);
    } else {
        run_bench(&args);
    }
    su_deinit();
    return args.status;
}
