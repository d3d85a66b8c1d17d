/* What the session layer and the command line take from the media engine:
 * settings from gateway parameters (clear errors naming the parameter), and
 * the JSON event lines issue #13 fixes by name. */
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"
#include "skypeconnect/sc_media.h"

static const char *const *params_now;

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    for (const char *const *p = params_now; p[0]; p += 2)
        if (!strcmp(p[0], name)) return p[1];
    return NULL;
}

static int from(const char *const *params, sc_media_config *c)
{
    params_now = params;
    return sc_media_config_from_params(lookup, NULL, c);
}

static void gateway_params_make_the_settings(void)
{
    static const char *const p[] = { "codec-prefs", "PCMA@20i,PCMU", "rtp-ip", "127.0.0.1", "rtp-start-port", "20000",
                                     "rtp-end-port", "20100", "rtp-timeout-sec", "30", "rtp-hold-timeout-sec", "600",
                                     "rtp-secure-media", "mandatory", "dtmf-type", "rfc2833", "rfc2833-pt", "96",
                                     "inband-dtmf", "true", "auto-jitterbuffer-msec", "80", NULL };
    sc_media_config c;
    CHECK_EQ_INT(from(p, &c), SC_OK);
    CHECK_STR(c.codecs, "PCMA@20i,PCMU");
    CHECK_STR(c.local_ip, "127.0.0.1");
    CHECK_EQ_INT(c.port_min, 20000);
    CHECK_EQ_INT(c.port_max, 20100);
    CHECK_EQ_INT(c.timeout_s, 30);
    CHECK_EQ_INT(c.hold_timeout_s, 600);
    CHECK_EQ_INT(c.srtp, 1);
    CHECK_EQ_INT(c.te_pt, 96);
    CHECK_EQ_INT(c.inband_dtmf, 1);
    CHECK_EQ_INT(c.jitter_ms, 80);
    static const char *const info[] = { "dtmf-type", "info", NULL };
    CHECK_EQ_INT(from(info, &c), SC_OK);
    CHECK_EQ_INT(c.te_pt, -1);
    static const char *const none[] = { NULL };
    CHECK_EQ_INT(from(none, &c), SC_OK);
    CHECK(c.codecs == NULL && c.srtp == 0 && c.te_pt == 0);
}

static void bad_params_are_named(void)
{
    static const char *const p1[] = { "rtp-start-port", "abc", NULL };
    static const char *const p2[] = { "rtp-start-port", "30000", "rtp-end-port", "20000", NULL };
    static const char *const p3[] = { "codec-prefs", "G729,iLBC", NULL };
    static const char *const p4[] = { "rtp-secure-media", "sometimes", NULL };
    static const char *const p5[] = { "dtmf-type", "smoke-signals", NULL };
    static const char *const p6[] = { "rtp-ip", "example.com", NULL };
    sc_media_config c;
    CHECK_EQ_INT(from(p1, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "param 'rtp-start-port': value 'abc'");
    CHECK_EQ_INT(from(p2, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "rtp-end-port");
    CHECK_EQ_INT(from(p3, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "param 'codec-prefs': value 'G729,iLBC' names no codec libskypeconnect carries");
    CHECK_EQ_INT(from(p4, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "'sometimes'");
    CHECK_EQ_INT(from(p5, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "dtmf-type");
    CHECK_EQ_INT(from(p6, &c), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "rtp-ip");
}

static void event_lines_have_the_issue_names(void)
{
    sc_media_report r = { .kind = SC_MEDIA_R_DTMF, .digit = '5', .method = SC_DTMF_RFC4733 };
    char *j = sc_media_report_json(&r, 7);
    CHECK_STR(j, "{\"event\":\"dtmf\",\"call\":7,\"digit\":\"5\",\"method\":\"rfc4733\"}");
    g_free(j);
    r.method = SC_DTMF_INBAND;
    r.digit = '#';
    j = sc_media_report_json(&r, 7);
    CHECK_STR(j, "{\"event\":\"dtmf\",\"call\":7,\"digit\":\"#\",\"method\":\"inband\"}");
    g_free(j);
    sc_media_report st = { .kind = SC_MEDIA_R_STATE, .state = "held" };
    g_strlcpy(st.stats.codec, "PCMU/8000", sizeof st.stats.codec);
    g_strlcpy(st.stats.local, "127.0.0.1:16384", sizeof st.stats.local);
    g_strlcpy(st.stats.remote, "127.0.0.1:20000", sizeof st.stats.remote);
    j = sc_media_report_json(&st, 2);
    CHECK_STR(j, "{\"event\":\"media_state\",\"call\":2,\"state\":\"held\",\"codec\":\"PCMU/8000\","
                 "\"local\":\"127.0.0.1:16384\",\"remote\":\"127.0.0.1:20000\"}");
    g_free(j);
    st.kind = SC_MEDIA_R_STATS;
    st.stats.packets_sent = 250;
    st.stats.packets_received = 240;
    st.stats.packets_lost = 12;
    st.stats.jitter_ms = 1.5;
    j = sc_media_report_json(&st, 2);
    CHECK_CONTAINS(j, "{\"event\":\"media_stats\",\"call\":2,\"packets_sent\":250,\"packets_received\":240,"
                      "\"packets_lost\":12,");
    CHECK_CONTAINS(j, "\"jitter_ms\":1.50");
    g_free(j);
    sc_media_report e = { .kind = SC_MEDIA_R_ERROR, .status = SC_EIO, .text = "play 'a\"b.wav': no such file" };
    j = sc_media_report_json(&e, 3);
    CHECK_STR(j, "{\"event\":\"media_error\",\"call\":3,\"status\":\"SC_EIO\",\"message\":\"play 'a\\\"b.wav': no such file\"}");
    g_free(j);
    sc_media_report f = { .kind = SC_MEDIA_R_FRAME };
    CHECK(sc_media_report_json(&f, 3) == NULL);
}

/* The public stats getter refuses bad input with a clear error (the call
 * without media, and the figures themselves: test_skypeconnect.py/.lua). */
static void media_stats_bad_input(void)
{
    sc_media_stats st = { .size = sizeof st };
    CHECK_EQ_INT(sc_call_media_stats(NULL, NULL), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "out is NULL");
    CHECK_EQ_INT(sc_call_media_stats(NULL, &st), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "call is NULL");
    st.size = 8;
    CHECK_EQ_INT(sc_call_media_stats(NULL, &st), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "out->size is 8");
    st.size = 0;
    CHECK_EQ_INT(sc_call_media_stats(NULL, &st), SC_EINVAL);
}

SC_TEST_MAIN(TEST(gateway_params_make_the_settings),
             TEST(bad_params_are_named),
             TEST(event_lines_have_the_issue_names),
             TEST(media_stats_bad_input))
