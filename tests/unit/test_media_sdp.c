/* SDP offer/answer of the media engine: what is offered, how an answer is
 * chosen, and the clear errors for malformed SDP and no common codec. */
#include "sc_test.h"
#include "media_test_util.h"
#include "media_priv.h"

static const char *offer_fmt =
    "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP %s\r\n%s";

static char *make_offer(const char *pts, const char *attrs)
{
    return g_strdup_printf(offer_fmt, pts, attrs);
}

/* Answers an offer text with @p cfg: SC_OK or the negotiation's status. */
static int answer_text(const sc_media_config *cfg, const char *pts, const char *attrs, sc_media_desc *answer,
                       sc_media_neg *neg)
{
    sc_media_desc offer;
    char *text = make_offer(pts, attrs);
    int rc = sc_media_sdp_read(text, &offer);
    g_free(text);
    return rc ? rc : sc_media_answer_desc(cfg, "127.0.0.1", 20000, SC_MEDIA_SENDRECV, "", &offer, answer, neg);
}

static void our_offer_lists_codecs_events_ptime_and_direction(void)
{
    sc_media_engine *e;
    CHECK_EQ_INT(sc_media_engine_new(NULL, NULL, NULL, NULL, &e), SC_OK);
    sc_media_config cfg = { .port_min = 30000, .port_max = 30099 };
    sc_media_stream *s;
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &s), SC_OK);
    int port = sc_media_stream_port(s);
    CHECK(port >= 30000 && port <= 30098 && port % 2 == 0);
    char *sdp = NULL;
    CHECK_EQ_INT(sc_media_stream_offer(s, &sdp), SC_OK);
    char mline[64];
    g_snprintf(mline, sizeof mline, "m=audio %d RTP/AVP 0 8 101", port);
    CHECK_CONTAINS(sdp, mline);
    CHECK_CONTAINS(sdp, "a=rtpmap:0 PCMU/8000");
    CHECK_CONTAINS(sdp, "a=rtpmap:8 PCMA/8000");
    CHECK_CONTAINS(sdp, "a=rtpmap:101 telephone-event/8000");
    CHECK_CONTAINS(sdp, "a=fmtp:101 0-16");
    CHECK_CONTAINS(sdp, "a=ptime:20");
    CHECK_CONTAINS(sdp, "a=sendrecv");
    CHECK_CONTAINS(sdp, "c=IN IP4 127.0.0.1");
    /* what we print, Sofia reads back */
    sc_media_desc d;
    CHECK_EQ_INT(sc_media_sdp_read(sdp, &d), SC_OK);
    CHECK_EQ_INT(d.port, port);
    CHECK_EQ_INT(d.nfmt, 3);
    g_free(sdp);
    /* hold: the next offer says sendonly */
    CHECK_EQ_INT(sc_media_stream_set_direction(s, SC_MEDIA_SENDONLY), SC_OK);
    CHECK_EQ_INT(sc_media_stream_offer(s, &sdp), SC_OK);
    CHECK_CONTAINS(sdp, "a=sendonly");
    g_free(sdp);
    sc_media_stream_free(s);
    sc_media_engine_free(e);
}

static void answer_takes_our_preference_and_mirrors_direction(void)
{
    sc_media_config cfg = { .codecs = "PCMA,PCMU" };
    sc_media_desc offer, answer;
    sc_media_neg neg;
    char *text = make_offer("0 8 101", "a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n");
    CHECK_EQ_INT(sc_media_sdp_read(text, &offer), SC_OK);
    CHECK_EQ_INT(offer.dir, SC_MEDIA_SENDONLY);
    CHECK_EQ_INT(sc_media_answer_desc(&cfg, "127.0.0.1", 20000, SC_MEDIA_SENDRECV, "", &offer, &answer, &neg), SC_OK);
    CHECK_STR(neg.codec->name, "PCMA");
    CHECK_EQ_INT(neg.pt, 8);
    CHECK_EQ_INT(neg.te_pt, 101);
    CHECK_EQ_INT(neg.dir, SC_MEDIA_RECVONLY);
    CHECK_EQ_INT(neg.remote_port, 40000);
    CHECK_EQ_INT(neg.remote_rtcp_port, 40001);
    char *out = NULL;
    CHECK_EQ_INT(sc_media_sdp_write(&answer, &out), SC_OK);
    CHECK_CONTAINS(out, "m=audio 20000 RTP/AVP 8 101");
    CHECK_CONTAINS(out, "a=recvonly");
    g_free(out);
    g_free(text);
}

static void dynamic_payload_types_follow_the_offer(void)
{
    if (!sc_media_codec_find("opus", 48000)) {
        printf("  (opus not installed: skipped)\n");
        return;
    }
    sc_media_config cfg = { .codecs = "opus,PCMU" };
    sc_media_desc offer, answer;
    sc_media_neg neg;
    char *text = make_offer("0 96 97", "a=rtpmap:96 opus/48000/2\r\na=rtpmap:97 telephone-event/8000\r\n"
                                       "a=rtcp:40005\r\n");
    CHECK_EQ_INT(sc_media_sdp_read(text, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_answer_desc(&cfg, "127.0.0.1", 20000, SC_MEDIA_SENDRECV, "", &offer, &answer, &neg), SC_OK);
    CHECK_STR(neg.codec->name, "opus");
    CHECK_EQ_INT(neg.pt, 96);
    CHECK_EQ_INT(neg.te_pt, -1);             /* telephone-event/8000 cannot ride a 48 kHz clock */
    CHECK_EQ_INT(neg.remote_rtcp_port, 40005);
    g_free(text);
    text = make_offer("96 97 98", "a=rtpmap:96 opus/48000/2\r\na=rtpmap:97 telephone-event/8000\r\n"
                                  "a=rtpmap:98 telephone-event/48000\r\n");
    CHECK_EQ_INT(sc_media_sdp_read(text, &offer), SC_OK);
    CHECK_EQ_INT(sc_media_answer_desc(&cfg, "127.0.0.1", 20000, SC_MEDIA_SENDRECV, "", &offer, &answer, &neg), SC_OK);
    CHECK_EQ_INT(neg.te_pt, 98);             /* ... telephone-event/48000 can */
    g_free(text);
}

static void no_common_codec_is_enocodec_naming_both_sides(void)
{
    sc_media_config cfg = { 0 };
    sc_media_desc answer;
    sc_media_neg neg;
    CHECK_EQ_INT(answer_text(&cfg, "18 3", "a=rtpmap:18 G729/8000\r\n", &answer, &neg), SC_ENOCODEC);
    CHECK_CONTAINS(sc_last_error(), "no common codec");
    CHECK_CONTAINS(sc_last_error(), "G729/8000");
    CHECK_CONTAINS(sc_last_error(), "PCMU,PCMA");
    CHECK_STR(sc_strerror(SC_ENOCODEC), "no common codec");
}

static void malformed_sdp_is_eparse_with_the_reason(void)
{
    sc_media_desc d;
    CHECK_EQ_INT(sc_media_sdp_read("hello world", &d), SC_EPARSE);
    CHECK_CONTAINS(sc_last_error(), "SDP: malformed");
    CHECK_EQ_INT(sc_media_sdp_read("", &d), SC_EPARSE);
    CHECK_EQ_INT(sc_media_sdp_read(NULL, &d), SC_EPARSE);
    /* an m-line whose port is not a number */
    CHECK_EQ_INT(sc_media_sdp_read("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
                                   "m=audio abc RTP/AVP 0\r\n", &d), SC_EPARSE);
    /* no address anywhere */
    CHECK_EQ_INT(sc_media_sdp_read("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", &d),
                 SC_EPARSE);
    /* video only: no audio to take */
    CHECK_EQ_INT(sc_media_sdp_read("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
                                   "m=video 4000 RTP/AVP 31\r\n", &d), SC_ENOCODEC);
}

static void other_media_lines_are_rejected_in_place(void)
{
    sc_media_config cfg = { 0 };
    sc_media_desc answer;
    sc_media_neg neg;
    CHECK_EQ_INT(answer_text(&cfg, "0", "m=video 40002 RTP/AVP 31\r\n", &answer, &neg), SC_OK);
    char *out = NULL;
    CHECK_EQ_INT(sc_media_sdp_write(&answer, &out), SC_OK);
    CHECK_CONTAINS(out, "m=audio 20000 RTP/AVP 0");
    CHECK_CONTAINS(out, "m=video 0 RTP/AVP 31");
    g_free(out);
}

static void srtp_offers_crypto_and_requires_it(void)
{
    sc_media_config srtp = { .srtp = 1 }, plain = { 0 };
    char key[64];
    sc_media_new_key(key);
    CHECK_EQ_INT(strlen(key), 40);   /* 30 bytes in base64 */
    sc_media_desc offer, answer;
    sc_media_neg neg;
    sc_media_offer_desc(&srtp, "127.0.0.1", 20000, SC_MEDIA_SENDRECV, key, &offer);
    char *text = NULL;
    CHECK_EQ_INT(sc_media_sdp_write(&offer, &text), SC_OK);
    CHECK_CONTAINS(text, "RTP/SAVP");
    CHECK_CONTAINS(text, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:");
    sc_media_desc back;
    CHECK_EQ_INT(sc_media_sdp_read(text, &back), SC_OK);
    CHECK_EQ_INT(back.ncrypto, 1);
    CHECK_STR(back.crypto[0].key_b64, key);
    char key2[64];
    sc_media_new_key(key2);
    CHECK_EQ_INT(sc_media_answer_desc(&plain, "127.0.0.1", 20002, SC_MEDIA_SENDRECV, key2, &back, &answer, &neg), SC_OK);
    CHECK_EQ_INT(neg.srtp, 1);
    CHECK_STR(neg.rx_key_b64, key);
    CHECK_STR(neg.tx_key_b64, key2);
    CHECK_EQ_INT(answer.savp, 1);
    /* a plain offer to a gateway that requires SRTP */
    char *plain_offer = make_offer("0", "");
    CHECK_EQ_INT(sc_media_sdp_read(plain_offer, &back), SC_OK);
    CHECK_EQ_INT(sc_media_answer_desc(&srtp, "127.0.0.1", 20002, SC_MEDIA_SENDRECV, key2, &back, &answer, &neg),
                 SC_ENOCODEC);
    CHECK_CONTAINS(sc_last_error(), "requires SRTP");
    /* SAVP with an unknown suite only */
    char *bad = g_strdup_printf("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"
                                "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:%s\r\n", key);
    CHECK_EQ_INT(sc_media_sdp_read(bad, &back), SC_OK);
    CHECK_EQ_INT(sc_media_answer_desc(&plain, "127.0.0.1", 20002, SC_MEDIA_SENDRECV, key2, &back, &answer, &neg),
                 SC_ENOCODEC);
    CHECK_CONTAINS(sc_last_error(), "AES_CM_128_HMAC_SHA1_80");
    g_free(bad);
    g_free(plain_offer);
    g_free(text);
}

static void bad_config_is_named(void)
{
    sc_media_engine *e;
    CHECK_EQ_INT(sc_media_engine_new(NULL, NULL, NULL, NULL, &e), SC_OK);
    sc_media_stream *s = NULL;
    sc_media_config c1 = { .codecs = "G729,iLBC" };
    CHECK_EQ_INT(sc_media_stream_new(e, &c1, NULL, &s), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "G729,iLBC");
    sc_media_config c2 = { .port_min = 5000, .port_max = 4000 };
    CHECK_EQ_INT(sc_media_stream_new(e, &c2, NULL, &s), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "5000-4000");
    sc_media_config c3 = { .local_ip = "not-an-ip" };
    CHECK_EQ_INT(sc_media_stream_new(e, &c3, NULL, &s), SC_EINVAL);
    CHECK_CONTAINS(sc_last_error(), "not-an-ip");
    sc_media_config c4 = { .te_pt = 13 };
    CHECK_EQ_INT(sc_media_stream_new(e, &c4, NULL, &s), SC_EINVAL);
    CHECK(s == NULL);
    sc_media_engine_free(e);
}

static void port_range_is_honoured_until_full(void)
{
    sc_media_engine *e;
    CHECK_EQ_INT(sc_media_engine_new(NULL, NULL, NULL, NULL, &e), SC_OK);
    sc_media_config cfg = { .port_min = 31000, .port_max = 31003 };   /* two pairs */
    sc_media_stream *a = NULL, *b = NULL, *c = NULL;
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &a), SC_OK);
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &b), SC_OK);
    CHECK(a && b && sc_media_stream_port(a) != sc_media_stream_port(b));
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &c), SC_EIO);
    CHECK_CONTAINS(sc_last_error(), "no free RTP port pair");
    sc_media_stream_free(a);
    CHECK_EQ_INT(sc_media_stream_new(e, &cfg, NULL, &c), SC_OK);
    sc_media_engine_free(e);   /* frees b and c too */
}

SC_TEST_MAIN(TEST(our_offer_lists_codecs_events_ptime_and_direction),
             TEST(answer_takes_our_preference_and_mirrors_direction),
             TEST(dynamic_payload_types_follow_the_offer),
             TEST(no_common_codec_is_enocodec_naming_both_sides),
             TEST(malformed_sdp_is_eparse_with_the_reason),
             TEST(other_media_lines_are_rejected_in_place),
             TEST(srtp_offers_crypto_and_requires_it),
             TEST(bad_config_is_named),
             TEST(port_range_is_honoured_until_full))
