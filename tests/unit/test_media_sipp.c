/* Interop with a media stack that is not ours: SIPp answers a call set up by
 * a second SIPp and streams a G.711 tone (rtp_stream) to the address in the
 * caller's SDP, which is one of our streams. The recording is checked as
 * audio. Skipped when sipp is not installed. */
#include <sys/wait.h>
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"
#include <gio/gio.h>

static const char uas_xml[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
    "<scenario name=\"media uas\">\n"
    "  <recv request=\"INVITE\" crlf=\"true\"/>\n"
    "  <send><![CDATA[\n"
    "\n"
    "      SIP/2.0 200 OK\n"
    "      [last_Via:]\n"
    "      [last_From:]\n"
    "      [last_To:];tag=[pid]SIPpTag01[call_number]\n"
    "      [last_Call-ID:]\n"
    "      [last_CSeq:]\n"
    "      Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n"
    "      Content-Type: application/sdp\n"
    "      Content-Length: [len]\n"
    "\n"
    "      v=0\n"
    "      o=sipp 1 1 IN IP[local_ip_type] [local_ip]\n"
    "      s=-\n"
    "      c=IN IP[media_ip_type] [media_ip]\n"
    "      t=0 0\n"
    "      m=audio [media_port] RTP/AVP 0\n"
    "      a=rtpmap:0 PCMU/8000\n"
    "\n"
    "    ]]></send>\n"
    "  <recv request=\"ACK\"/>\n"
    "  <nop><action><exec rtp_stream=\"@TONE@,1,0\"/></action></nop>\n"
    "  <recv request=\"BYE\"/>\n"
    "  <send><![CDATA[\n"
    "\n"
    "      SIP/2.0 200 OK\n"
    "      [last_Via:]\n"
    "      [last_From:]\n"
    "      [last_To:]\n"
    "      [last_Call-ID:]\n"
    "      [last_CSeq:]\n"
    "      Content-Length: 0\n"
    "\n"
    "    ]]></send>\n"
    "</scenario>\n"
    "\n";

static const char uac_xml[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
    "<scenario name=\"media uac\">\n"
    "  <send><![CDATA[\n"
    "\n"
    "      INVITE sip:service@[remote_ip]:[remote_port] SIP/2.0\n"
    "      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
    "      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
    "      To: sut <sip:service@[remote_ip]:[remote_port]>\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 1 INVITE\n"
    "      Contact: sip:sipp@[local_ip]:[local_port]\n"
    "      Max-Forwards: 70\n"
    "      Content-Type: application/sdp\n"
    "      Content-Length: [len]\n"
    "\n"
    "      v=0\n"
    "      o=user1 1 1 IN IP4 127.0.0.1\n"
    "      s=-\n"
    "      c=IN IP4 127.0.0.1\n"
    "      t=0 0\n"
    "      m=audio @PORT@ RTP/AVP 0\n"
    "      a=rtpmap:0 PCMU/8000\n"
    "\n"
    "    ]]></send>\n"
    "  <recv response=\"100\" optional=\"true\"/>\n"
    "  <recv response=\"200\" rtd=\"true\"/>\n"
    "  <send><![CDATA[\n"
    "\n"
    "      ACK sip:service@[remote_ip]:[remote_port] SIP/2.0\n"
    "      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
    "      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
    "      To: sut <sip:service@[remote_ip]:[remote_port]>[peer_tag_param]\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 1 ACK\n"
    "      Contact: sip:sipp@[local_ip]:[local_port]\n"
    "      Max-Forwards: 70\n"
    "      Content-Length: 0\n"
    "\n"
    "    ]]></send>\n"
    "  <pause milliseconds=\"2600\"/>\n"
    "  <send><![CDATA[\n"
    "\n"
    "      BYE sip:service@[remote_ip]:[remote_port] SIP/2.0\n"
    "      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
    "      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]\n"
    "      To: sut <sip:service@[remote_ip]:[remote_port]>[peer_tag_param]\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 2 BYE\n"
    "      Contact: sip:sipp@[local_ip]:[local_port]\n"
    "      Max-Forwards: 70\n"
    "      Content-Length: 0\n"
    "\n"
    "    ]]></send>\n"
    "  <recv response=\"200\"/>\n"
    "</scenario>\n"
    "\n";

/* A UDP port free right now on loopback (bound and released). */
static int free_udp_port(void)
{
    GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *any = g_inet_socket_address_new(lo, 0);
    int port = -1;
    if (g_socket_bind(s, any, FALSE, NULL)) {
        GSocketAddress *a = g_socket_get_local_address(s, NULL);
        port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(a));
        g_object_unref(a);
    }
    g_object_unref(any);
    g_object_unref(lo);
    g_object_unref(s);
    return port;
}

static char *write_scenario(const char *name, const char *text, const char *key, const char *value)
{
    char *path = test_tmp(name);
    GString *g = g_string_new(text);
    g_string_replace(g, key, value, 0);
    g_file_set_contents(path, g->str, -1, NULL);
    g_string_free(g, TRUE);
    return path;
}

static GPid spawn(char **argv)
{
    GPid pid = 0;
    if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                       G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_SEARCH_PATH, NULL, NULL, &pid, NULL))
        return 0;
    return pid;
}

static int reap(GPid pid, int *status)
{
    return pid && waitpid(pid, status, WNOHANG) == pid;
}

static void a_sipp_rtp_stream_is_recorded_as_a_tone(void)
{
    char *sipp = g_find_program_in_path("sipp");
    if (!sipp) {
        printf("  sipp not installed: skipped\n");
        return;
    }
    g_free(sipp);
    test_reports r;
    sc_media_engine *e;
    sc_media_stream *s;
    CHECK_EQ_INT(test_solo_open(&r, &e, &s), SC_OK);
    /* 2 s of 1 kHz as raw mu-law, the format rtp_stream sends for payload 0 */
    char *tone = test_tmp("tone.ulaw");
    guint8 *raw = g_new(guint8, 16000);
    for (int i = 0; i < 16000; i++) raw[i] = test_ulaw((int16_t)(12000 * sin(2 * G_PI * 1000 * i / 8000.0)));
    g_file_set_contents(tone, (const char *)raw, 16000, NULL);
    g_free(raw);
    char port[16];
    g_snprintf(port, sizeof port, "%d", sc_media_stream_port(s));
    char *uas = write_scenario("uas.xml", uas_xml, "@TONE@", tone);
    char *uac = write_scenario("uac.xml", uac_xml, "@PORT@", port);
    int sip_uas = free_udp_port(), sip_uac = free_udp_port(), media = free_udp_port() & ~1;
    char p_uas[16], p_uac[16], p_media[16], target[32];
    g_snprintf(p_uas, sizeof p_uas, "%d", sip_uas);
    g_snprintf(p_uac, sizeof p_uac, "%d", sip_uac);
    g_snprintf(p_media, sizeof p_media, "%d", media);
    g_snprintf(target, sizeof target, "127.0.0.1:%d", sip_uas);

    /* our side of the call: the SIPp answerer's media port is the peer */
    char *offer = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(s, &offer), SC_OK);
    char *answer = g_strdup_printf("v=0\r\no=sipp 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                   "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n", media);
    CHECK_EQ_INT(sc_media_stream_set_answer(s, answer), SC_OK);
    char *rec = test_tmp("sipp.wav");
    CHECK_EQ_INT(sc_media_stream_record(s, rec), SC_OK);

    char *uas_argv[] = { "sipp", "-sf", uas, "-i", "127.0.0.1", "-p", p_uas, "-mp", p_media, "-m", "1", "-nd",
                         "-timeout", "15s", NULL };
    char *uac_argv[] = { "sipp", target, "-sf", uac, "-i", "127.0.0.1", "-p", p_uac, "-m", "1", "-nd",
                         "-timeout", "15s", NULL };
    GPid pid_uas = spawn(uas_argv);
    test_run(500);
    GPid pid_uac = spawn(uac_argv);
    CHECK(pid_uas && pid_uac);
    int st_uas = -1, st_uac = -1, done_uas = 0, done_uac = 0;
    gint64 until = g_get_monotonic_time() + 12 * G_USEC_PER_SEC;
    while ((!done_uas || !done_uac) && g_get_monotonic_time() < until) {
        done_uas = done_uas || reap(pid_uas, &st_uas);
        done_uac = done_uac || reap(pid_uac, &st_uac);
        test_run(50);
    }
    if (!done_uas && pid_uas) { kill(pid_uas, SIGKILL); waitpid(pid_uas, NULL, 0); }
    if (!done_uac && pid_uac) { kill(pid_uac, SIGKILL); waitpid(pid_uac, NULL, 0); }
    CHECK(done_uas && WIFEXITED(st_uas) && WEXITSTATUS(st_uas) == 0);
    CHECK(done_uac && WIFEXITED(st_uac) && WEXITSTATUS(st_uac) == 0);

    test_wav w;
    double secs = test_stop_and_measure(s, rec, 1000, &w);
    sc_rtp_stats st;
    sc_media_stream_get_stats(s, &st);
    printf("  SIPp rtp_stream: %lu packets from %s, 1 kHz for %.2f s, dominance %.0fx\n",
           (unsigned long)st.packets_received, st.remote, secs, test_dominance(w.pcm, w.n, w.rate, 1000));
    CHECK(secs >= 1.9 && secs <= 2.05);
    CHECK(st.packets_received >= 98 && st.packets_received <= 100);
    char want[32];
    g_snprintf(want, sizeof want, "127.0.0.1:%d", media);
    CHECK_STR(st.remote, want);
    g_free(w.pcm);
    unlink(tone); unlink(uas); unlink(uac); unlink(rec);
    g_free(tone); g_free(uas); g_free(uac); g_free(rec);
    g_free(offer);
    g_free(answer);
    sc_media_engine_free(e);
    test_reports_clear(&r);
}

SC_TEST_MAIN(TEST(a_sipp_rtp_stream_is_recorded_as_a_tone))
