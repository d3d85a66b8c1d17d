/* Media load: N two-way G.711 calls through the media engine, both ends in
 * this process over loopback (2N streams), each end playing a looping tone.
 * Prints CPU per call-second, loss, jitter, RSS and the media set-up time per
 * call (ports + offer/answer + pipelines). bench/media_bench.sh runs it beside
 * the same GStreamer elements run bare with gst-launch-1.0.
 *
 *   media_bench [--calls N] [--seconds S]                                        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib.h>
#include "media.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void pump(int ms)
{
    gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < until) {
        while (g_main_context_iteration(NULL, FALSE)) {}
        g_usleep(20000);
    }
}

int main(int argc, char **argv)
{
    int calls = 50, seconds = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--calls")) calls = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atoi(argv[i + 1]);
    }
    if (calls <= 0 || seconds <= 0) {
        fprintf(stderr, "usage: media_bench [--calls N] [--seconds S]\n");
        return 2;
    }
    sc_media_engine *ea, *eb;
    if (sc_media_engine_new(NULL, NULL, NULL, NULL, &ea) || sc_media_engine_new(NULL, NULL, NULL, NULL, &eb)) {
        fprintf(stderr, "media_bench: %s\n", sc_last_error());
        return 1;
    }
    sc_media_stream **a = g_new0(sc_media_stream *, (size_t)calls), **b = g_new0(sc_media_stream *, (size_t)calls);
    sc_media_config cfg = { .codecs = "PCMU", .port_min = 20000, .port_max = 40000 };
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < calls; i++) {
        char *offer = NULL, *answer = NULL;
        if (sc_media_stream_new(ea, &cfg, NULL, &a[i]) || sc_media_stream_new(eb, &cfg, NULL, &b[i])
            || sc_media_stream_offer(a[i], &offer) || sc_media_stream_answer(b[i], offer, &answer)
            || sc_media_stream_set_answer(a[i], answer)) {
            fprintf(stderr, "media_bench: call %d: %s\n", i, sc_last_error());
            return 1;
        }
        g_free(offer);
        g_free(answer);
    }
    double setup_ms = (g_get_monotonic_time() - t0) / 1000.0 / calls;
    for (int i = 0; i < calls; i++) {
        sc_media_stream_play_tone(a[i], 1000, 1000, 1);
        sc_media_stream_play_tone(b[i], 700, 1000, 1);
    }
    pump(1000);   /* settle: jitter buffers filled, latched */
    double c0 = cpu_s();
    gint64 w0 = g_get_monotonic_time();
    pump(seconds * 1000);
    double cpu = cpu_s() - c0, wall = (g_get_monotonic_time() - w0) / 1e6;
    uint64_t sent = 0, received = 0;
    int64_t lost = 0;
    double jitter_sum = 0, jitter_max = 0;
    for (int i = 0; i < 2 * calls; i++) {
        sc_rtp_stats st;
        sc_media_stream_get_stats(i < calls ? a[i] : b[i - calls], &st);
        sent += st.packets_sent;
        received += st.packets_received;
        lost += st.packets_lost;
        jitter_sum += st.jitter_ms;
        if (st.jitter_ms > jitter_max) jitter_max = st.jitter_ms;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double loss = received + lost ? 100.0 * lost / (double)(received + lost) : 0;
    printf("media_bench calls=%d seconds=%.1f cpu_s=%.2f cpu_ms_per_call_s=%.2f cores=%.2f "
           "loss_pct=%.3f jitter_avg_ms=%.2f jitter_max_ms=%.2f packets_sent=%lu packets_received=%lu "
           "rss_mb=%.1f setup_ms_per_call=%.2f\n",
           calls, wall, cpu, 1000.0 * cpu / (calls * wall), cpu / wall, loss, jitter_sum / (2 * calls), jitter_max,
           (unsigned long)sent, (unsigned long)received, ru.ru_maxrss / 1024.0, setup_ms);
    sc_media_engine_free(ea);
    sc_media_engine_free(eb);
    g_free(a);
    g_free(b);
    return 0;
}
