/* The media engine against a lossy path and on a report context of its own:
 * a relay between two streams drops every 20th packet one way (5 % loss, as
 * netem would; this machine's kernel has no netem), the call goes on and the
 * statistics show the loss. Reports are delivered only on the context given. */
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"
#include <gio/gio.h>

typedef struct {
    GSocket *to_a, *to_b;       /* the relay's two ends */
    GSocketAddress *a, *b;      /* where the streams are */
    volatile gint stop;
    int forwarded, dropped;
} relay;

static gpointer relay_run(gpointer data)
{
    relay *r = data;
    char buf[2048];
    int n_ab = 0;
    while (!g_atomic_int_get(&r->stop)) {
        GPollFD fds[2] = { { g_socket_get_fd(r->to_a), G_IO_IN, 0 }, { g_socket_get_fd(r->to_b), G_IO_IN, 0 } };
        if (g_poll(fds, 2, 50) <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (!(fds[i].revents & G_IO_IN)) continue;
            GSocket *in = i ? r->to_b : r->to_a;
            gssize len = g_socket_receive(in, buf, sizeof buf, NULL, NULL);
            if (len <= 0) continue;
            if (i == 0 && ++n_ab % 20 == 0) {   /* A to B: every 20th packet lost */
                r->dropped++;
                continue;
            }
            g_socket_send_to(i ? r->to_a : r->to_b, i ? r->a : r->b, buf, (gsize)len, NULL, NULL);
            r->forwarded++;
        }
    }
    return NULL;
}

static GSocket *bound(int *port)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    g_socket_bind(s, any, FALSE, NULL);
    GSocketAddress *local = g_socket_get_local_address(s, NULL);
    *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    g_object_unref(local);
    g_object_unref(any);
    g_object_unref(lo);
    return s;
}

static GSocketAddress *loopback(int port)
{
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *sa = g_inet_socket_address_new(lo, (guint16)port);
    g_object_unref(lo);
    return sa;
}

static char *swap_port(const char *sdp, int from, int to)
{
    char f[32], t[32];
    g_snprintf(f, sizeof f, "m=audio %d ", from);
    g_snprintf(t, sizeof t, "m=audio %d ", to);
    GString *g = g_string_new(sdp);
    g_string_replace(g, f, t, 1);
    return g_string_free(g, FALSE);
}

static void five_percent_loss_the_call_goes_on_and_stats_show_it(void)
{
    test_reports ra, rb;
    test_reports_init(&ra);
    test_reports_init(&rb);
    sc_media_engine *ea, *eb;
    CHECK_EQ_INT(sc_media_engine_new(NULL, test_on_report, &ra, NULL, &ea), SC_OK);
    CHECK_EQ_INT(sc_media_engine_new(NULL, test_on_report, &rb, NULL, &eb), SC_OK);
    sc_media_stream *a, *b;
    CHECK_EQ_INT(sc_media_stream_new(ea, NULL, NULL, &a), SC_OK);
    CHECK_EQ_INT(sc_media_stream_new(eb, NULL, NULL, &b), SC_OK);
    relay r = { 0 };
    int port_a, port_b;
    r.to_a = bound(&port_a);
    r.to_b = bound(&port_b);
    r.a = loopback(sc_media_stream_port(a));
    r.b = loopback(sc_media_stream_port(b));
    /* each stream is told the relay is its peer */
    char *offer = NULL, *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(a, &offer), SC_OK);
    char *offer_b = swap_port(offer, sc_media_stream_port(a), port_b);
    CHECK_EQ_INT(sc_media_stream_answer(b, offer_b, &answer), SC_OK);
    char *answer_a = swap_port(answer, sc_media_stream_port(b), port_a);
    CHECK_EQ_INT(sc_media_stream_set_answer(a, answer_a), SC_OK);
    GThread *t = g_thread_new("relay", relay_run, &r);

    char *path = test_tmp("lossy.wav");
    CHECK_EQ_INT(sc_media_stream_record(b, path), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_tone(a, 1000, 3000, 0), SC_OK);
    test_run(3600);
    CHECK_EQ_INT(sc_media_stream_stop_record(b), SC_OK);
    sc_rtp_stats sb, sa;
    sc_media_stream_get_stats(b, &sb);
    sc_media_stream_get_stats(a, &sa);
    g_atomic_int_set(&r.stop, 1);
    g_thread_join(t);
    test_wav w;
    CHECK_EQ_INT(test_wav_read(path, &w), 0);
    double secs = test_tone_seconds(&w, 1000, 100);
    double pct = 100.0 * sb.packets_lost / (double)(sb.packets_received + sb.packets_lost);
    printf("  relay dropped %d; B: received %lu lost %ld (%.1f %%), jitter %.2f ms; A lost %ld; tone %.2f s of 3\n",
           r.dropped, (unsigned long)sb.packets_received, (long)sb.packets_lost, pct, sb.jitter_ms,
           (long)sa.packets_lost, secs);
    CHECK(pct >= 3.0 && pct <= 6.5);
    CHECK(sb.packets_lost >= r.dropped - 3 && sb.packets_lost <= r.dropped);   /* the last drops may not be counted yet */
    CHECK(sa.packets_lost <= 1);          /* the other way is clean */
    CHECK(secs >= 2.6 && secs <= 3.05);   /* the call went on: about 95 % of the tone */
    char relay_addr[64];
    g_snprintf(relay_addr, sizeof relay_addr, "127.0.0.1:%d", port_b);
    CHECK_STR(sb.remote, relay_addr);     /* B latched onto where packets come from */
    g_free(w.pcm);
    unlink(path);
    g_free(path);
    g_free(offer); g_free(offer_b); g_free(answer); g_free(answer_a);
    sc_media_engine_free(ea);
    sc_media_engine_free(eb);
    g_object_unref(r.to_a); g_object_unref(r.to_b); g_object_unref(r.a); g_object_unref(r.b);
    test_reports_clear(&ra);
    test_reports_clear(&rb);
}

/* ---- reports on a context run by another thread ---- */
typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    test_reports r;
} ctx_thread;

static gpointer run_ctx(gpointer data)
{
    ctx_thread *c = data;
    g_main_context_push_thread_default(c->ctx);
    c->r.thread = g_thread_self();
    g_main_loop_run(c->loop);
    g_main_context_pop_thread_default(c->ctx);
    return NULL;
}

static gboolean quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void reports_arrive_only_on_the_given_context(void)
{
    ctx_thread c;
    test_reports_init(&c.r);
    c.ctx = g_main_context_new();
    c.loop = g_main_loop_new(c.ctx, FALSE);
    c.r.thread = NULL;
    sc_media_engine *ea, *eb;
    test_reports rb;
    test_reports_init(&rb);
    CHECK_EQ_INT(sc_media_engine_new(c.ctx, test_on_report, &c.r, NULL, &ea), SC_OK);
    CHECK_EQ_INT(sc_media_engine_new(NULL, test_on_report, &rb, NULL, &eb), SC_OK);
    sc_media_stream *a, *b;
    CHECK_EQ_INT(sc_media_stream_new(ea, NULL, NULL, &a), SC_OK);
    CHECK_EQ_INT(sc_media_stream_new(eb, NULL, NULL, &b), SC_OK);
    char *offer = NULL, *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(b, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_answer(a, offer, &answer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_answer(b, answer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_frames(a, 1), SC_OK);
    CHECK_EQ_INT(sc_media_stream_send_dtmf(b, "42"), SC_OK);
    test_run(1500);
    /* nothing ran: nobody iterates A's context yet */
    CHECK_EQ_INT(c.r.frames + c.r.states_up + (int)c.r.digits->len, 0);
    GThread *t = g_thread_new("ctx", run_ctx, &c);
    test_run(500);
    CHECK(c.r.frames >= 50);
    CHECK_EQ_INT(c.r.states_up, 1);
    CHECK_STR(c.r.digits->str, "42");
    CHECK_EQ_INT(c.r.wrong_thread, 0);
    sc_media_engine_free(ea);   /* undelivered reports are dropped, not run later */
    GSource *q = g_idle_source_new();
    g_source_set_callback(q, quit, c.loop, NULL);
    g_source_attach(q, c.ctx);
    g_source_unref(q);
    g_thread_join(t);
    sc_media_engine_free(eb);
    while (g_main_context_iteration(NULL, FALSE)) {}
    g_free(offer);
    g_free(answer);
    g_main_loop_unref(c.loop);
    g_main_context_unref(c.ctx);
    test_reports_clear(&c.r);
    test_reports_clear(&rb);
}

static void hold_timeout_applies_while_held(void)
{
    sc_media_config watch = { .timeout_s = 1, .hold_timeout_s = 3 };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, &watch), SC_OK);
    /* B puts A on hold (sendonly): A answers recvonly and stops sending */
    CHECK_EQ_INT(sc_media_stream_set_direction(p.b, SC_MEDIA_SENDONLY), SC_OK);
    char *offer = NULL, *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(p.b, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_answer(p.a, offer, &answer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_answer(p.b, answer), SC_OK);
    test_run(2000);
    CHECK_EQ_INT(p.rb.timeouts, 0);    /* rtp-timeout-sec (1 s) does not apply on hold */
    CHECK(TEST_RUN_UNTIL(p.rb.timeouts == 1, 2500));   /* rtp-hold-timeout-sec (3 s) does */
    g_free(offer);
    g_free(answer);
    test_pair_close(&p);
}

static int open_fds(void)
{
    int n = 0;
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    if (!d) return -1;
    while (g_dir_read_name(d)) n++;
    g_dir_close(d);
    return n;
}

static int threads(void)
{
    gchar *status = NULL;
    int n = -1;
    if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        const char *t = strstr(status, "Threads:");
        if (t) n = atoi(t + 8);
    }
    g_free(status);
    return n;
}

/* Calls come and go for as long as the process lives: nothing may pile up. */
static void many_calls_leave_no_sockets_or_threads_behind(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);   /* engines and GStreamer warmed up */
    test_run(200);
    sc_media_stream_free(p.a);
    sc_media_stream_free(p.b);
    test_run(300);
    int fds0 = open_fds(), th0 = threads();
    for (int round = 0; round < 20; round++) {
        sc_media_stream *a, *b;
        char *offer = NULL, *answer = NULL;
        CHECK_EQ_INT(sc_media_stream_new(p.ea, NULL, NULL, &a), SC_OK);
        CHECK_EQ_INT(sc_media_stream_new(p.eb, NULL, NULL, &b), SC_OK);
        CHECK_EQ_INT(sc_media_stream_offer(a, &offer), SC_OK);
        CHECK_EQ_INT(sc_media_stream_answer(b, offer, &answer), SC_OK);
        CHECK_EQ_INT(sc_media_stream_set_answer(a, answer), SC_OK);
        sc_media_stream_send_dtmf(a, "1");
        sc_media_stream_play_tone(b, 500, 100, 0);
        test_run(60);
        sc_media_stream_free(a);
        sc_media_stream_free(b);
        g_free(offer);
        g_free(answer);
    }
    test_run(500);
    int fds1 = open_fds(), th1 = threads();
    printf("  after 20 calls: descriptors %d -> %d, threads %d -> %d\n", fds0, fds1, th0, th1);
    CHECK(fds1 <= fds0 + 2);
    CHECK(th1 <= th0 + 4);
    test_pair_close(&p);
}

SC_TEST_MAIN(TEST(five_percent_loss_the_call_goes_on_and_stats_show_it),
             TEST(reports_arrive_only_on_the_given_context),
             TEST(hold_timeout_applies_while_held),
             TEST(many_calls_leave_no_sockets_or_threads_behind))
