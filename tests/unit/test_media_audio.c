/* Audio through two media engines over loopback, checked as audio: the
 * recorded tone's frequency dominates other bins and lasts as long as played. */
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"

static void tone_played_one_way_is_recorded_with_its_frequency_and_duration(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.ra.states_up && p.rb.states_up, 2000));
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 1000, 1800, "tone.wav", &w), 0);
    CHECK_EQ_INT(w.rate, 8000);
    double whole = test_dominance(w.pcm, w.n, w.rate, 1000);
    double secs = test_tone_seconds(&w, 1000, 100);
    printf("  1 kHz: %.1f s recorded, tone %.2f s, dominance %.0fx\n", w.n / 8000.0, secs, whole);
    CHECK(whole > 1000);
    CHECK(secs >= 0.9 && secs <= 1.1);
    CHECK(test_tone_seconds(&w, 2000, 100) < 0.05);   /* and nothing else */
    CHECK_EQ_INT(p.rb.play_done + p.rb.errors, 0);
    CHECK(TEST_RUN_UNTIL(p.ra.play_done == 1, 1000));
    sc_rtp_stats st;
    CHECK_EQ_INT(sc_media_stream_get_stats(p.b, &st), SC_OK);
    printf("  B: sent %lu received %lu lost %ld jitter %.2f ms codec %s local %s remote %s\n",
           (unsigned long)st.packets_sent, (unsigned long)st.packets_received, (long)st.packets_lost, st.jitter_ms,
           st.codec, st.local, st.remote);
    CHECK(st.packets_received >= 80);      /* 50 packets a second, both ways, all the time */
    CHECK(st.packets_sent >= 80);
    CHECK_EQ_INT(st.packets_lost, 0);
    CHECK_STR(st.codec, "PCMU/8000");
    char want[64];
    g_snprintf(want, sizeof want, "127.0.0.1:%d", sc_media_stream_port(p.a));
    CHECK_STR(st.remote, want);            /* latched on A's packets */
    CHECK_EQ_INT(p.ra.wrong_thread + p.rb.wrong_thread, 0);
    g_free(w.pcm);
    /* freeing a stream posts its final figures and "down" */
    sc_media_stream_free(p.b);
    CHECK(TEST_RUN_UNTIL(p.rb.stats == 1 && p.rb.states_down == 1, 1000));
    CHECK(p.rb.final.packets_received >= 80);
    test_pair_close(&p);
}

static void each_available_codec_carries_the_tone(void)
{
    const char *codecs[] = { "PCMA", "G722", "opus" };
    for (size_t i = 0; i < G_N_ELEMENTS(codecs); i++) {
        if (!sc_media_codec_find(codecs[i], 0)) {
            printf("  %s not installed here: skipped\n", codecs[i]);
            continue;
        }
        sc_media_config c = { .codecs = codecs[i] };
        test_pair p;
        CHECK_EQ_INT(test_pair_open(&p, &c, &c), SC_OK);
        test_wav w = { 0 };
        CHECK_EQ_INT(test_tone_through(p.a, p.b, 700, 800, 1500, "codec.wav", &w), 0);
        double secs = test_tone_seconds(&w, 700, 30), dom = test_dominance(w.pcm, w.n, w.rate, 700);
        printf("  %s: 700 Hz for %.2f s, dominance %.0fx\n", codecs[i], secs, dom);
        CHECK(secs >= 0.6 && secs <= 0.9);
        CHECK(dom > 100);
        sc_rtp_stats st;
        sc_media_stream_get_stats(p.b, &st);
        CHECK(!g_ascii_strncasecmp(st.codec, codecs[i], strlen(codecs[i])));
        g_free(w.pcm);
        test_pair_close(&p);
    }
}

static void a_file_in_any_format_plays_and_loops(void)
{
    /* the file: 0.4 s of 1.4 kHz, written as a WAV and decoded by decodebin */
    char *file = test_tmp("greeting.wav");
    sc_media_wav *fw;
    CHECK_EQ_INT(sc_media_wav_open(file, 16000, &fw), SC_OK);
    int16_t pcm[6400];
    for (int i = 0; i < 6400; i++) pcm[i] = (int16_t)(12000 * sin(2 * G_PI * 1400 * i / 16000.0));
    sc_media_wav_write(fw, pcm, 6400);
    CHECK_EQ_INT(sc_media_wav_close(fw), SC_OK);

    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    char *rec = test_tmp("rec.wav");
    CHECK_EQ_INT(sc_media_stream_record(p.b, rec), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_file(p.a, file, 0), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.ra.play_done == 1, 3000));
    test_run(300);
    test_wav w;
    double once = test_stop_and_measure(p.b, rec, 1400, &w);
    printf("  file once: 1.4 kHz for %.2f s\n", once);
    CHECK(once >= 0.32 && once <= 0.44);
    g_free(w.pcm);

    /* looping: plays on until stopped */
    CHECK_EQ_INT(sc_media_stream_record(p.b, rec), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_file(p.a, file, 1), SC_OK);
    test_run(1500);
    CHECK_EQ_INT(sc_media_stream_stop_play(p.a), SC_OK);
    test_run(400);
    double looped = test_stop_and_measure(p.b, rec, 1400, &w);
    printf("  file looped for 1.5 s: 1.4 kHz for %.2f s\n", looped);
    CHECK(looped >= 1.2 && looped <= 1.6);
    CHECK_EQ_INT(p.ra.play_done, 1);   /* stopping is not "done" */
    g_free(w.pcm);
    unlink(file);
    unlink(rec);
    g_free(file);
    g_free(rec);
    test_pair_close(&p);
}

static void an_unreadable_file_errors_and_the_stream_goes_on(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_file(p.a, "/nonexistent/greeting.wav", 0), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "/nonexistent/greeting.wav");
    /* readable but not audio: decodebin fails later, reported as an error event */
    char *junk = test_tmp("junk.wav");
    g_file_set_contents(junk, "this is not audio at all, just text\n", -1, NULL);
    CHECK_EQ_INT(sc_media_stream_play_file(p.a, junk, 0), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.ra.errors == 1, 3000));
    CHECK_CONTAINS(p.ra.last_error, junk);
    printf("  error event: %s\n", p.ra.last_error);
    /* the call's audio goes on */
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 500, 1000, "after.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.4);
    g_free(w.pcm);
    unlink(junk);
    g_free(junk);
    /* recording where it cannot be written */
    CHECK_EQ_INT(sc_media_stream_record(p.b, "/nonexistent/rec.wav"), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "/nonexistent/rec.wav");
    CHECK_EQ_INT(sc_media_stream_play_tone(p.a, 0, 100, 0), SC_EINVAL);
    CHECK_EQ_INT(sc_media_stream_play_tone(p.a, 5000, 100, 0), SC_EINVAL);   /* above Nyquist at 8 kHz */
    test_pair_close(&p);
}

static void pcm_frames_come_out_and_written_frames_go_in(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_frames(p.b, 1), SC_OK);
    test_run(1000);
    printf("  %d frames of %zu samples in 1 s\n", p.rb.frames, p.rb.frame_samples);
    CHECK(p.rb.frames >= 40 && p.rb.frames <= 60);
    CHECK_EQ_INT(p.rb.frame_samples, 160);
    CHECK_EQ_INT(sc_media_stream_set_frames(p.b, 0), SC_OK);
    /* 1 s of 600 Hz written by the application */
    int16_t pcm[8000];
    for (int i = 0; i < 8000; i++) pcm[i] = (int16_t)(10000 * sin(2 * G_PI * 600 * i / 8000.0));
    char *rec = test_tmp("written.wav");
    CHECK_EQ_INT(sc_media_stream_record(p.b, rec), SC_OK);
    CHECK_EQ_INT(sc_media_stream_write(p.a, pcm, 8000), SC_OK);
    test_run(1500);
    test_wav w;
    double secs = test_stop_and_measure(p.b, rec, 600, &w);
    printf("  written 600 Hz heard for %.2f s\n", secs);
    CHECK(secs >= 0.9 && secs <= 1.1);
    /* faster than real time is refused, clearly */
    int16_t *big = g_new0(int16_t, 20000);
    CHECK_EQ_INT(sc_media_stream_write(p.a, big, 20000), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "real time");
    g_free(big);
    g_free(w.pcm);
    unlink(rec);
    g_free(rec);
    test_pair_close(&p);
}

static void ipv6_loopback_carries_the_tone(void)
{
    sc_media_config v6 = { .local_ip = "::1" };
    test_pair p;
    if (test_pair_open(&p, &v6, &v6) != SC_OK) {
        printf("  no IPv6 loopback here (%s): skipped\n", sc_last_error());
        test_pair_close(&p);
        return;
    }
    char *offer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(p.a, &offer), SC_OK);
    CHECK_CONTAINS(offer, "c=IN IP6 ::1");
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 500, 1000, "v6.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.45);
    sc_rtp_stats st;
    sc_media_stream_get_stats(p.b, &st);
    printf("  IPv6: local %s remote %s\n", st.local, st.remote);
    CHECK(g_str_has_prefix(st.local, "[::1]:") && g_str_has_prefix(st.remote, "[::1]:"));
    g_free(w.pcm);
    g_free(offer);
    test_pair_close(&p);
}

SC_TEST_MAIN(TEST(tone_played_one_way_is_recorded_with_its_frequency_and_duration),
             TEST(each_available_codec_carries_the_tone),
             TEST(a_file_in_any_format_plays_and_loops),
             TEST(an_unreadable_file_errors_and_the_stream_goes_on),
             TEST(pcm_frames_come_out_and_written_frames_go_in),
             TEST(ipv6_loopback_carries_the_tone))
