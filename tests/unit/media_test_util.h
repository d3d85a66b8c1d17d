/* Helpers for the media tests: audio checked as audio (Goertzel power per
 * frequency on a WAV recording), a report collector, and running the report
 * context for a while. Included by tests/unit/test_media*.c only. */
#ifndef SC_MEDIA_TEST_UTIL_H
#define SC_MEDIA_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "media.h"

/* Under ASan: full unwinding on malloc, so that tests/lsan.supp can name
 * GLib's quark block (allocated by its load-time constructor, left behind by
 * design once GStreamer's quarks outgrow it) by the frame it comes from. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

/* ---- WAV ---- */
typedef struct { int rate; size_t n; int16_t *pcm; } test_wav;

static inline int test_wav_read(const char *path, test_wav *w)
{
    memset(w, 0, sizeof *w);
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL)) return -1;
    const unsigned char *d = (const unsigned char *)data;
    if (len < 44 || memcmp(d, "RIFF", 4) || memcmp(d + 8, "WAVE", 4) || memcmp(d + 36, "data", 4)) {
        g_free(data);
        return -1;
    }
    uint32_t riff = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
    uint32_t bytes = d[40] | d[41] << 8 | d[42] << 16 | (uint32_t)d[43] << 24;
    /* the header must be finalised: its sizes match the file */
    if (bytes != len - 44 || riff != len - 8 || d[34] != 16 || d[22] != 1) {
        g_free(data);
        return -2;
    }
    w->rate = d[24] | d[25] << 8 | d[26] << 16;
    w->n = bytes / 2;
    w->pcm = g_new(int16_t, w->n + 1);
    for (size_t i = 0; i < w->n; i++) w->pcm[i] = (int16_t)(d[44 + 2 * i] | d[45 + 2 * i] << 8);
    g_free(data);
    return 0;
}

/* G.711 mu-law of one sample (ITU-T G.711), for peers built by hand. */
static inline uint8_t test_ulaw(int16_t pcm)
{
    int sign = pcm < 0 ? 0x80 : 0, v = pcm < 0 ? -pcm : pcm;
    if (v > 32635) v = 32635;
    v += 0x84;
    int exp = 7;
    for (int mask = 0x4000; !(v & mask) && exp > 0; mask >>= 1) exp--;
    return (uint8_t)~(sign | exp << 4 | ((v >> (exp + 3)) & 0x0f));
}

/* Goertzel power of one frequency over pcm[0..n). */
static inline double test_goertzel(const int16_t *pcm, size_t n, int rate, double freq)
{
    double k = 2.0 * cos(2.0 * G_PI * freq / rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = pcm[i] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* Ratio of the tone's power to the strongest of a set of other bins. */
static inline double test_dominance(const int16_t *pcm, size_t n, int rate, double freq)
{
    static const double others[] = { 300, 400, 700, 1000, 1400, 2000, 2500, 3000, 3400 };
    double tone = test_goertzel(pcm, n, rate, freq), worst = 1e-9;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        if (fabs(others[i] - freq) < 150) continue;
        double p = test_goertzel(pcm, n, rate, others[i]);
        if (p > worst) worst = p;
    }
    return tone / worst;
}

/* Seconds of audio in 20 ms blocks where @p freq dominates by @p factor and is not silence. */
static inline double test_tone_seconds(const test_wav *w, double freq, double factor)
{
    size_t block = (size_t)w->rate / 50, hits = 0;
    for (size_t off = 0; off + block <= w->n; off += block) {
        double energy = 0;
        for (size_t i = 0; i < block; i++) energy += (double)w->pcm[off + i] * w->pcm[off + i];
        if (energy / block < 1e4) continue;   /* below about -50 dBFS: silence */
        if (test_dominance(w->pcm + off, block, w->rate, freq) >= factor) hits++;
    }
    return hits * 0.02;
}

/* ---- reports ---- */
typedef struct {
    GString *digits;
    GString *methods;      /* one letter per digit: r(fc4733), i(nband) */
    int states_up, states_held, states_down;
    int timeouts, errors, play_done, frames, stats;
    size_t frame_samples;
    char last_error[256];
    sc_rtp_stats final;
    GThread *thread;       /* the thread reports arrived on */
    int wrong_thread;
} test_reports;

static inline void test_on_report(const sc_media_report *r, void *user)
{
    test_reports *t = user;
    if (t->thread && t->thread != g_thread_self()) t->wrong_thread++;
    switch (r->kind) {
    case SC_MEDIA_R_STATE:
        if (!strcmp(r->state, "up")) t->states_up++;
        else if (!strcmp(r->state, "held")) t->states_held++;
        else if (!strcmp(r->state, "down")) t->states_down++;
        break;
    case SC_MEDIA_R_DTMF:
        g_string_append_c(t->digits, r->digit);
        g_string_append_c(t->methods, r->method == SC_DTMF_RFC4733 ? 'r' : r->method == SC_DTMF_INBAND ? 'i' : '?');
        break;
    case SC_MEDIA_R_TIMEOUT: t->timeouts++; break;
    case SC_MEDIA_R_ERROR:
        t->errors++;
        g_strlcpy(t->last_error, r->text ? r->text : "", sizeof t->last_error);
        break;
    case SC_MEDIA_R_PLAY_DONE: t->play_done++; break;
    case SC_MEDIA_R_FRAME: t->frames++; t->frame_samples = r->samples; break;
    case SC_MEDIA_R_STATS: t->stats++; t->final = r->stats; break;
    }
}

static inline void test_reports_init(test_reports *t)
{
    memset(t, 0, sizeof *t);
    t->digits = g_string_new("");
    t->methods = g_string_new("");
    t->thread = g_thread_self();
}

static inline void test_reports_clear(test_reports *t)
{
    g_string_free(t->digits, TRUE);
    g_string_free(t->methods, TRUE);
}

/* Runs the (default) report context for @p ms. */
static inline void test_run(int ms)
{
    gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < until) {
        while (g_main_context_iteration(NULL, FALSE)) {}
        g_usleep(5000);
    }
}

/* Runs until cond becomes true or @p ms pass; returns cond. */
#define TEST_RUN_UNTIL(cond, ms) ({ gint64 u_ = g_get_monotonic_time() + (gint64)(ms) * 1000; \
    while (!(cond) && g_get_monotonic_time() < u_) { while (g_main_context_iteration(NULL, FALSE)) {} g_usleep(5000); } \
    (cond); })

#endif

/* ---- two streams talking over loopback ---- */
typedef struct {
    sc_media_engine *ea, *eb;
    sc_media_stream *a, *b;
    test_reports ra, rb;
} test_pair;

/* A offers, B answers, A takes the answer. */
static inline int test_pair_open(test_pair *p, const sc_media_config *ca, const sc_media_config *cb)
{
    memset(p, 0, sizeof *p);
    test_reports_init(&p->ra);
    test_reports_init(&p->rb);
    int rc;
    if ((rc = sc_media_engine_new(NULL, test_on_report, &p->ra, NULL, &p->ea))) return rc;
    if ((rc = sc_media_engine_new(NULL, test_on_report, &p->rb, NULL, &p->eb))) return rc;
    if ((rc = sc_media_stream_new(p->ea, ca, NULL, &p->a))) return rc;
    if ((rc = sc_media_stream_new(p->eb, cb, NULL, &p->b))) return rc;
    char *offer = NULL, *answer = NULL;
    if ((rc = sc_media_stream_offer(p->a, &offer))) return rc;
    rc = sc_media_stream_answer(p->b, offer, &answer);
    if (!rc) rc = sc_media_stream_set_answer(p->a, answer);
    g_free(offer);
    g_free(answer);
    return rc;
}

static inline void test_pair_close(test_pair *p)
{
    sc_media_engine_free(p->ea);   /* frees the streams left */
    sc_media_engine_free(p->eb);
    while (g_main_context_iteration(NULL, FALSE)) {}
    test_reports_clear(&p->ra);
    test_reports_clear(&p->rb);
}

static inline char *test_tmp(const char *name)
{
    return g_strdup_printf("%s/sc-media-%d-%s", g_get_tmp_dir(), (int)getpid(), name);
}

/* One stream on an engine of its own, reporting into @p r. */
static inline int test_solo_open(test_reports *r, sc_media_engine **e, sc_media_stream **s)
{
    test_reports_init(r);
    int rc = sc_media_engine_new(NULL, test_on_report, r, NULL, e);
    return rc ? rc : sc_media_stream_new(*e, NULL, NULL, s);
}

/* Stops recording on @p rec and reads the WAV back; the tone's seconds at 100x dominance. */
static inline double test_stop_and_measure(sc_media_stream *rec, const char *path, double freq, test_wav *w)
{
    memset(w, 0, sizeof *w);
    if (sc_media_stream_stop_record(rec) != SC_OK || test_wav_read(path, w) != 0) return -1;
    return test_tone_seconds(w, freq, 100);
}

/* Records @p ms on @p rec while @p play plays a @p freq tone of @p tone_ms; returns the WAV. */
static inline int test_tone_through(sc_media_stream *play, sc_media_stream *rec, int freq, int tone_ms, int ms,
                                    const char *name, test_wav *w)
{
    char *path = test_tmp(name);
    int rc = sc_media_stream_record(rec, path);
    if (!rc) rc = sc_media_stream_play_tone(play, freq, tone_ms, 0);
    test_run(ms);
    if (!rc) rc = sc_media_stream_stop_record(rec);
    if (!rc) rc = test_wav_read(path, w);
    unlink(path);
    g_free(path);
    return rc;
}
