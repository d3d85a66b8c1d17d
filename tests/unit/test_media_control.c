/* Call control on the media engine over loopback: DTMF (RFC 4733 and
 * in-band), hold/unhold by offer/answer, the media timeout, SRTP, and an RTP
 * flood from a stranger. Audio is checked as audio (Goertzel). */
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"
#include <gio/gio.h>

static void dtmf_159hash_arrives_in_order_as_rfc4733(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    test_run(300);
    CHECK_EQ_INT(sc_media_stream_send_dtmf(p.a, "159#"), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.rb.digits->len >= 4, 3000));
    test_run(300);   /* and no duplicates afterwards (end packets are sent three times) */
    CHECK_STR(p.rb.digits->str, "159#");
    CHECK_STR(p.rb.methods->str, "rrrr");
    CHECK_EQ_INT(sc_media_stream_send_dtmf(p.a, "12x"), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "'x'");
    test_pair_close(&p);
}

static void dtmf_rides_opus_at_48khz(void)
{
    if (!sc_media_codec_find("opus", 48000)) {
        printf("  opus not installed: skipped\n");
        return;
    }
    sc_media_config opus = { .codecs = "opus" };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, &opus, &opus), SC_OK);
    test_run(300);
    CHECK_EQ_INT(sc_media_stream_send_dtmf(p.b, "*0"), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.ra.digits->len >= 2, 3000));
    test_run(300);
    CHECK_STR(p.ra.digits->str, "*0");
    CHECK_STR(p.ra.methods->str, "rr");
    test_pair_close(&p);
}

static void without_telephone_event_dtmf_is_refused_for_info(void)
{
    sc_media_config none = { .te_pt = -1 };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, &none, NULL), SC_OK);
    CHECK_EQ_INT(sc_media_stream_send_dtmf(p.a, "1"), SC_ESTATE);
    CHECK_CONTAINS(sc_last_error(), "SIP INFO");
    test_pair_close(&p);
}

/* Dual tones written as PCM: the receiver's dtmfdetect hears them. */
static void inband_dtmf_is_detected(void)
{
    if (!sc_media_element_exists("dtmfdetect")) {
        printf("  dtmfdetect not installed: skipped\n");
        return;
    }
    sc_media_config none = { .te_pt = -1 }, inband = { .inband_dtmf = 1, .te_pt = -1 };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, &none, &inband), SC_OK);
    static const int low[] = { 697, 770, 852, 941 }, high[] = { 1209, 1336, 1477, 1633 };
    const char *keys = "123A456B789C*0#D", *send = "73#";
    int16_t pcm[8000 * 2] = { 0 };
    size_t n = 0;
    for (const char *d = send; *d; d++) {
        int k = (int)(strchr(keys, *d) - keys);
        for (int i = 0; i < 800; i++, n++)   /* 100 ms tone, 100 ms silence */
            pcm[n] = (int16_t)(6000 * sin(2 * G_PI * low[k / 4] * i / 8000.0)
                               + 6000 * sin(2 * G_PI * high[k % 4] * i / 8000.0));
        n += 800;
    }
    test_run(200);
    CHECK_EQ_INT(sc_media_stream_write(p.a, pcm, n), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.rb.digits->len >= 3, 3000));
    test_run(200);
    CHECK_STR(p.rb.digits->str, "73#");
    CHECK_STR(p.rb.methods->str, "iii");
    test_pair_close(&p);
}

static void reoffer(sc_media_stream *from, sc_media_stream *to)
{
    char *offer = NULL, *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(from, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_answer(to, offer, &answer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_answer(from, answer), SC_OK);
    g_free(offer);
    g_free(answer);
}

static void hold_and_unhold_by_offer_answer(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    CHECK(TEST_RUN_UNTIL(p.rb.states_up == 1, 1000));
    /* A holds: sendonly; B answers recvonly */
    CHECK_EQ_INT(sc_media_stream_set_direction(p.a, SC_MEDIA_SENDONLY), SC_OK);
    reoffer(p.a, p.b);
    CHECK(TEST_RUN_UNTIL(p.ra.states_held == 1 && p.rb.states_held == 1, 1000));
    /* music on hold from A still reaches B; B's audio does not reach A */
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 600, 1000, "moh.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.5);
    g_free(w.pcm);
    sc_rtp_stats before;
    sc_media_stream_get_stats(p.b, &before);
    CHECK_EQ_INT(test_tone_through(p.b, p.a, 2000, 600, 1000, "held.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 2000, 10) < 0.05);
    g_free(w.pcm);
    sc_rtp_stats after;
    sc_media_stream_get_stats(p.b, &after);
    CHECK(after.packets_sent - before.packets_sent < 5);   /* recvonly: B sends nothing */
    /* an old-style hold (c=0.0.0.0) from B keeps A's destination: nothing is sent to this host's port */
    char *b_offer = NULL, *a_answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(p.b, &b_offer), SC_OK);
    GString *old_hold = g_string_new(b_offer);
    g_string_replace(old_hold, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 0);
    CHECK_EQ_INT(sc_media_stream_answer(p.a, old_hold->str, &a_answer), SC_OK);
    CHECK_CONTAINS(a_answer, "a=inactive");   /* A was sendonly already; B offers no address */
    sc_rtp_stats held;
    sc_media_stream_get_stats(p.a, &held);
    char b_addr[64];
    g_snprintf(b_addr, sizeof b_addr, "127.0.0.1:%d", sc_media_stream_port(p.b));
    CHECK_STR(held.remote, b_addr);
    g_string_free(old_hold, TRUE);
    g_free(b_offer);
    g_free(a_answer);
    /* unhold */
    CHECK_EQ_INT(sc_media_stream_set_direction(p.a, SC_MEDIA_SENDRECV), SC_OK);
    reoffer(p.a, p.b);
    CHECK(TEST_RUN_UNTIL(p.ra.states_up == 2 && p.rb.states_up == 2, 1000));
    CHECK_EQ_INT(test_tone_through(p.b, p.a, 2000, 600, 1000, "unheld.wav", &w), 0);
    double secs = test_tone_seconds(&w, 2000, 100);
    printf("  after unhold A hears B for %.2f s\n", secs);
    CHECK(secs >= 0.5);
    g_free(w.pcm);
    test_pair_close(&p);
}

static void a_codec_change_by_reoffer_rebuilds_the_stream(void)
{
    sc_media_config b_cfg = { .codecs = "PCMA,PCMU" };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, &b_cfg), SC_OK);   /* B answers A's offer by B's preference */
    sc_rtp_stats st;
    sc_media_stream_get_stats(p.a, &st);
    CHECK_STR(st.codec, "PCMA/8000");
    reoffer(p.b, p.a);                                         /* A answers B's offer by A's: PCMU */
    sc_media_stream_get_stats(p.a, &st);
    CHECK_STR(st.codec, "PCMU/8000");
    sc_media_stream_get_stats(p.b, &st);
    CHECK_STR(st.codec, "PCMU/8000");
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.b, p.a, 1000, 500, 1000, "changed.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.4);
    g_free(w.pcm);
    CHECK_EQ_INT(sc_media_stream_send_dtmf(p.a, "7"), SC_OK);   /* the rebuilt stream still has DTMF */
    CHECK(TEST_RUN_UNTIL(p.rb.digits->len == 1, 2000));
    CHECK_STR(p.rb.digits->str, "7");
    test_pair_close(&p);
}

static void media_timeout_is_reported_once(void)
{
    sc_media_config watch = { .timeout_s = 1 };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, &watch), SC_OK);
    test_run(1500);
    CHECK_EQ_INT(p.rb.timeouts, 0);            /* RTP flows: no timeout */
    sc_media_stream_free(p.a);                 /* the peer goes silent */
    gint64 t0 = g_get_monotonic_time();
    CHECK(TEST_RUN_UNTIL(p.rb.timeouts == 1, 3000));
    double after = (g_get_monotonic_time() - t0) / 1e6;
    printf("  timeout reported %.2f s after the peer stopped\n", after);
    CHECK(after >= 0.8);
    test_run(1500);
    CHECK_EQ_INT(p.rb.timeouts, 1);
    test_pair_close(&p);
}

static void srtp_carries_audio_and_a_plain_receiver_hears_noise(void)
{
    sc_media_config srtp = { .srtp = 1 };
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, &srtp, &srtp), SC_OK);
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 800, 1400, "srtp.wav", &w), 0);
    double secs = test_tone_seconds(&w, 1000, 100);
    printf("  SRTP: 1 kHz for %.2f s\n", secs);
    CHECK(secs >= 0.7 && secs <= 0.9);
    g_free(w.pcm);

    /* An eavesdropper: a plain RTP/AVP stream that receives A's SRTP packets. */
    sc_media_engine *ec;
    test_reports rc;
    sc_media_stream *c;
    CHECK_EQ_INT(test_solo_open(&rc, &ec, &c), SC_OK);
    char *c_offer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(c, &c_offer), SC_OK);
    /* C believes A speaks plain RTP at A's port */
    char *a_plain = g_strdup_printf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                    "m=audio %d RTP/AVP 0\r\n", sc_media_stream_port(p.a));
    CHECK_EQ_INT(sc_media_stream_set_answer(c, a_plain), SC_OK);
    /* and A is told (re-offer answered by hand) to send to C, with B's key */
    char *a_offer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(p.a, &a_offer), SC_OK);
    char *b_answer = NULL;
    CHECK_EQ_INT(sc_media_stream_answer(p.b, a_offer, &b_answer), SC_OK);
    char from[32], to[32];
    g_snprintf(from, sizeof from, "m=audio %d ", sc_media_stream_port(p.b));
    /* B leaves, or A's symmetric RTP would latch back onto B's packets */
    sc_media_stream_free(p.b);
    g_snprintf(to, sizeof to, "m=audio %d ", sc_media_stream_port(c));
    GString *redirected = g_string_new(b_answer);
    g_string_replace(redirected, from, to, 1);
    CHECK_EQ_INT(sc_media_stream_set_answer(p.a, redirected->str), SC_OK);
    char *path = test_tmp("eavesdrop.wav");
    CHECK_EQ_INT(sc_media_stream_record(c, path), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_tone(p.a, 1000, 800, 0), SC_OK);
    test_run(1400);
    CHECK_EQ_INT(sc_media_stream_stop_record(c), SC_OK);
    sc_rtp_stats cs;
    sc_media_stream_get_stats(c, &cs);
    CHECK(cs.packets_received >= 40);           /* the packets arrived ... */
    CHECK_EQ_INT(test_wav_read(path, &w), 0);
    double heard = test_tone_seconds(&w, 1000, 100);
    printf("  plain receiver: %lu packets, 1 kHz recognisable for %.2f s\n", (unsigned long)cs.packets_received, heard);
    CHECK(heard < 0.05);                        /* ... but decode to noise */
    g_free(w.pcm);
    unlink(path);
    g_free(path);
    g_string_free(redirected, TRUE);
    g_free(a_offer);
    g_free(b_answer);
    g_free(a_plain);
    g_free(c_offer);
    sc_media_engine_free(ec);
    test_reports_clear(&rc);
    test_pair_close(&p);
}

/* One RTP packet (RFC 3550 header, PT 0) carrying 20 ms of a mu-law tone;
 * the tone's phase follows the timestamp, so packets join up. */
static void rtp_tone_packet(uint8_t buf[12 + 160], uint16_t seq, uint32_t ts, uint32_t ssrc, int marker, int freq,
                            int amplitude)
{
    buf[0] = 0x80;
    buf[1] = marker ? 0x80 : 0x00;
    buf[2] = (uint8_t)(seq >> 8); buf[3] = (uint8_t)seq;
    buf[4] = (uint8_t)(ts >> 24); buf[5] = (uint8_t)(ts >> 16); buf[6] = (uint8_t)(ts >> 8); buf[7] = (uint8_t)ts;
    buf[8] = (uint8_t)(ssrc >> 24); buf[9] = (uint8_t)(ssrc >> 16); buf[10] = (uint8_t)(ssrc >> 8); buf[11] = (uint8_t)ssrc;
    for (int i = 0; i < 160; i++)
        buf[12 + i] = test_ulaw((int16_t)(amplitude * sin(2 * G_PI * freq * (double)(ts + (uint32_t)i) / 8000.0)));
}

static void a_strangers_rtp_flood_is_dropped(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    test_run(300);   /* B has latched on A */
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *b = g_inet_socket_address_new(lo, (guint16)sc_media_stream_port(p.b));
    char *path = test_tmp("flood.wav");
    CHECK_EQ_INT(sc_media_stream_record(p.b, path), SC_OK);
    CHECK_EQ_INT(sc_media_stream_play_tone(p.a, 1000, 1000, 0), SC_OK);
    /* 1 s of a loud 3 kHz tone at 5 packets per 20 ms from another port */
    int sent = 0;
    for (int pkt = 0; pkt < 250; pkt++) {
        uint8_t buf[12 + 160];
        rtp_tone_packet(buf, (uint16_t)pkt, (uint32_t)pkt * 160, 0x12345678u, 0, 3000, 20000);
        if (g_socket_send_to(sock, b, (const gchar *)buf, sizeof buf, NULL, NULL) == sizeof buf) sent++;
        if (pkt % 5 == 4) test_run(20);
    }
    test_run(500);
    CHECK_EQ_INT(sc_media_stream_stop_record(p.b), SC_OK);
    test_wav w;
    CHECK_EQ_INT(test_wav_read(path, &w), 0);
    double tone = test_tone_seconds(&w, 1000, 100), flood = test_tone_seconds(&w, 3000, 10);
    sc_rtp_stats st;
    sc_media_stream_get_stats(p.b, &st);
    printf("  flood of %d packets: %lu dropped; 1 kHz %.2f s, 3 kHz %.2f s\n", sent, (unsigned long)st.packets_dropped,
           tone, flood);
    CHECK(tone >= 0.9);
    CHECK(flood < 0.05);
    CHECK(st.packets_dropped >= (uint64_t)sent - 5);
    char want[64];
    g_snprintf(want, sizeof want, "127.0.0.1:%d", sc_media_stream_port(p.a));
    CHECK_STR(st.remote, want);   /* still sending to A */
    g_free(w.pcm);
    unlink(path);
    g_free(path);
    g_object_unref(b);
    g_object_unref(lo);
    g_object_unref(sock);
    test_pair_close(&p);
}

/* A peer that is not GStreamer: RTP packets built by hand (RFC 3550 header,
 * G.711 mu-law payload), sent from its own socket with its own SSRC. */
static void a_hand_built_rtp_peer_is_heard(void)
{
    sc_media_engine *e;
    test_reports r;
    sc_media_stream *s;
    CHECK_EQ_INT(test_solo_open(&r, &e, &s), SC_OK);
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    g_socket_bind(sock, any, FALSE, NULL);
    GSocketAddress *mine = g_socket_get_local_address(sock, NULL);
    int port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(mine));
    char *offer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(s, &offer), SC_OK);
    char *answer = g_strdup_printf("v=0\r\no=peer 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                   "m=audio %d RTP/AVP 0\r\na=ptime:20\r\n", port);
    CHECK_EQ_INT(sc_media_stream_set_answer(s, answer), SC_OK);
    GSocketAddress *to = g_inet_socket_address_new(lo, (guint16)sc_media_stream_port(s));
    char *path = test_tmp("foreign.wav");
    CHECK_EQ_INT(sc_media_stream_record(s, path), SC_OK);
    gint64 start = g_get_monotonic_time();
    for (int pkt = 0; pkt < 60; pkt++) {   /* 1.2 s of 1 kHz, paced at 20 ms */
        uint8_t buf[12 + 160];
        rtp_tone_packet(buf, (uint16_t)(pkt + 1000), 90000u + (uint32_t)pkt * 160, 0xcafebabeu, pkt == 0, 1000, 12000);
        g_socket_send_to(sock, to, (const gchar *)buf, sizeof buf, NULL, NULL);
        gint64 next = start + (gint64)(pkt + 1) * 20000;
        while (g_get_monotonic_time() < next) { while (g_main_context_iteration(NULL, FALSE)) {} g_usleep(2000); }
    }
    test_run(400);
    test_wav w;
    double secs = test_stop_and_measure(s, path, 1000, &w);
    sc_rtp_stats st;
    sc_media_stream_get_stats(s, &st);
    printf("  hand-built peer: %lu packets, 1 kHz for %.2f s, remote %s\n", (unsigned long)st.packets_received, secs,
           st.remote);
    CHECK(secs >= 1.1 && secs <= 1.25);
    CHECK_EQ_INT(st.packets_received, 60);
    /* and our packets went to it (symmetric: to its source port) */
    char buf[256];
    gssize got = g_socket_receive_with_blocking(sock, buf, sizeof buf, FALSE, NULL, NULL);
    CHECK(got == 12 + 160 && (buf[1] & 0x7f) == 0);
    g_free(w.pcm);
    unlink(path);
    g_free(path);
    g_free(offer);
    g_free(answer);
    g_object_unref(to);
    g_object_unref(mine);
    g_object_unref(any);
    g_object_unref(lo);
    g_object_unref(sock);
    sc_media_engine_free(e);
    test_reports_clear(&r);
}

/* Early media: the 183's answer starts audio, the 200 repeats it (nothing
 * restarts), a forked 200 from elsewhere moves it. */
static void provisional_then_final_answers(void)
{
    test_reports ra;
    sc_media_engine *ea;
    sc_media_stream *a;
    CHECK_EQ_INT(test_solo_open(&ra, &ea, &a), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_answer(a, "v=0\r\n"), SC_ESTATE);   /* nothing offered yet */
    CHECK_CONTAINS(sc_last_error(), "no offer of ours");
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    sc_media_stream_free(p.a);   /* B answers our stream alone: its first peer must not be heard */
    char *offer = NULL, *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(a, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_answer(p.b, offer, &answer), SC_OK);
    CHECK_EQ_INT(sc_media_stream_set_answer(a, answer), SC_OK);    /* B's answer, as in a 183 */
    CHECK(TEST_RUN_UNTIL(ra.states_up == 1, 1000));
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.b, a, 1000, 400, 700, "early.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.35);                /* the announcement is heard before answer */
    g_free(w.pcm);
    CHECK_EQ_INT(sc_media_stream_set_answer(a, answer), SC_OK);    /* 200 with the same SDP */
    test_run(200);
    CHECK_EQ_INT(ra.states_up, 1);
    CHECK_EQ_INT(test_tone_through(p.b, a, 1000, 400, 700, "answered.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.35);
    g_free(w.pcm);
    g_free(offer);
    g_free(answer);
    sc_media_engine_free(ea);
    test_reports_clear(&ra);
    test_pair_close(&p);
}

static void malformed_sdp_mid_call_leaves_the_stream_working(void)
{
    test_pair p;
    CHECK_EQ_INT(test_pair_open(&p, NULL, NULL), SC_OK);
    char *answer = NULL;
    CHECK_EQ_INT(sc_media_stream_answer(p.b, "v=0\r\nthis is not SDP\r\n", &answer), SC_EPARSE);
    CHECK(answer == NULL);
    CHECK_CONTAINS(sc_last_error(), "SDP");
    CHECK_EQ_INT(sc_media_stream_set_answer(p.a, "garbage"), SC_EPARSE);   /* a later answer, malformed */
    test_wav w;
    CHECK_EQ_INT(test_tone_through(p.a, p.b, 1000, 500, 1000, "after-bad-sdp.wav", &w), 0);
    CHECK(test_tone_seconds(&w, 1000, 100) >= 0.4);
    g_free(w.pcm);
    test_pair_close(&p);
}

/* ext-rtp-ip / a NAT's public address: the SDP names it in c= (offer and
 * answer) while the socket stays bound to the local address. */
static void sdp_names_the_public_address(void)
{
    test_reports r;
    sc_media_engine *e;
    sc_media_stream *s;
    sc_media_config cfg = { .local_ip = "127.0.0.1", .sdp_ip = "203.0.113.9" };
    char *offer = NULL, *answer = NULL, *peer;
    test_reports_init(&r);
    CHECK_EQ_INT(sc_media_engine_new(NULL, test_on_report, &r, NULL, &e), SC_OK);
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &s), SC_OK);
    CHECK_EQ_INT(sc_media_stream_offer(s, &offer), SC_OK);
    CHECK_CONTAINS(offer, "c=IN IP4 203.0.113.9\r\n");
    CHECK(strstr(offer, "127.0.0.1") == NULL);
    peer = g_strdup_printf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                           "m=audio %d RTP/AVP 0\r\n", sc_media_stream_port(s) + 2);
    sc_media_stream_free(s);
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &s), SC_OK);
    CHECK_EQ_INT(sc_media_stream_answer(s, peer, &answer), SC_OK);
    CHECK_CONTAINS(answer, "c=IN IP4 203.0.113.9\r\n");
    g_free(peer);
    g_free(offer);
    g_free(answer);
    sc_media_stream_free(s);
    sc_media_engine_free(e);
    test_reports_clear(&r);
}

SC_TEST_MAIN(TEST(sdp_names_the_public_address), TEST(dtmf_159hash_arrives_in_order_as_rfc4733),
             TEST(dtmf_rides_opus_at_48khz),
             TEST(without_telephone_event_dtmf_is_refused_for_info),
             TEST(inband_dtmf_is_detected),
             TEST(hold_and_unhold_by_offer_answer),
             TEST(a_codec_change_by_reoffer_rebuilds_the_stream),
             TEST(media_timeout_is_reported_once),
             TEST(srtp_carries_audio_and_a_plain_receiver_hears_noise),
             TEST(a_strangers_rtp_flood_is_dropped),
             TEST(a_hand_built_rtp_peer_is_heard),
             TEST(provisional_then_final_answers),
             TEST(malformed_sdp_mid_call_leaves_the_stream_working))
