/* RFC 3264 offer/answer for one audio stream: the codec by our codec-prefs,
 * telephone-event, direction, and SDES crypto (RFC 4568). Pure logic on
 * sc_media_desc, so it is tested without any network. */
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include "media_priv.h"
#include "error_priv.h"

#define SC_SUITE "AES_CM_128_HMAC_SHA1_80"

void sc_media_new_key(char out[64])
{
    guchar key[30];
    size_t got = 0;
    while (got < sizeof key) {
        ssize_t n = getrandom(key + got, sizeof key - got, 0);
        if (n > 0) got += (size_t)n;
    }
    gchar *b64 = g_base64_encode(key, sizeof key);
    g_strlcpy(out, b64, 64);
    g_free(b64);
}

static int te_pt_of(const sc_media_config *cfg)
{
    return cfg->te_pt == 0 ? 101 : cfg->te_pt;
}

/* A peer's sendonly is our recvonly. */
static sc_media_dir mirror(sc_media_dir d)
{
    return (sc_media_dir)(((d & 1) << 1) | ((d & 2) >> 1));
}

static void add_fmt(sc_media_desc *d, int pt, const char *name, int rate, int channels)
{
    if (d->nfmt >= SC_MEDIA_MAX_FMT) return;
    sc_media_fmt *f = &d->fmt[d->nfmt++];
    f->pt = pt;
    g_strlcpy(f->name, name, sizeof f->name);
    f->rate = rate;
    f->channels = channels;
}

static void base_desc(const char *ip, int port, sc_media_desc *d)
{
    memset(d, 0, sizeof *d);
    g_strlcpy(d->ip, ip, sizeof d->ip);
    d->port = port;
    d->rtcp_port = port + 1;
    d->ptime = 20;
}

void sc_media_offer_desc(const sc_media_config *cfg, const char *ip, int port, sc_media_dir dir,
                         const char *key_b64, sc_media_desc *offer)
{
    base_desc(ip, port, offer);
    offer->dir = dir;
    const sc_media_codec *list[8];
    int n = sc_media_codec_prefs(cfg->codecs, list, 8);
    for (int i = 0; i < n; i++)
        add_fmt(offer, list[i]->static_pt >= 0 ? list[i]->static_pt : list[i]->dyn_pt, list[i]->name,
                list[i]->clock_rate, list[i]->channels);
    if (cfg->te_pt >= 0) {
        add_fmt(offer, te_pt_of(cfg), "telephone-event", 8000, 0);
        /* RFC 4733 events share the audio's RTP clock: Opus needs its own */
        for (int i = 0; i < n; i++)
            if (list[i]->clock_rate == 48000) {
                int pt = te_pt_of(cfg) < 127 ? te_pt_of(cfg) + 1 : 126;
                add_fmt(offer, pt, "telephone-event", 48000, 0);
                break;
            }
    }
    if (cfg->srtp) {
        offer->savp = 1;
        offer->ncrypto = 1;
        offer->crypto[0].tag = 1;
        g_strlcpy(offer->crypto[0].suite, SC_SUITE, sizeof offer->crypto[0].suite);
        g_strlcpy(offer->crypto[0].key_b64, key_b64, sizeof offer->crypto[0].key_b64);
    }
}

static const sc_media_crypto *pick_crypto(const sc_media_desc *d, int tag)
{
    for (int i = 0; i < d->ncrypto; i++)
        if (!strcmp(d->crypto[i].suite, SC_SUITE) && (tag < 0 || d->crypto[i].tag == tag)) {
            gsize len = 0;
            guchar *raw = g_base64_decode(d->crypto[i].key_b64, &len);
            g_free(raw);
            if (len == 30) return &d->crypto[i];
        }
    return NULL;
}

static void list_formats(const sc_media_desc *d, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < d->nfmt; i++) {
        char one[48];
        g_snprintf(one, sizeof one, "%s%s/%d", i ? " " : "", d->fmt[i].name[0] ? d->fmt[i].name : "?",
                   d->fmt[i].rate);
        g_strlcat(buf, one, size);
    }
    if (!buf[0]) g_strlcpy(buf, "(none)", size);
}

static void set_remote(sc_media_neg *neg, const sc_media_desc *peer)
{
    g_strlcpy(neg->remote_ip, peer->ip, sizeof neg->remote_ip);
    neg->remote_port = peer->port;
    neg->remote_rtcp_port = peer->rtcp_port;
}

/* The telephone-event at the codec's clock rate (RFC 4733 2.1), if offered. */
static int pick_te(const sc_media_config *cfg, const sc_media_desc *d, const sc_media_codec *codec)
{
    if (cfg->te_pt < 0) return -1;
    for (int i = 0; i < d->nfmt; i++)
        if (!strcasecmp(d->fmt[i].name, "telephone-event") && d->fmt[i].rate == codec->clock_rate)
            return d->fmt[i].pt;
    return -1;
}

int sc_media_answer_desc(const sc_media_config *cfg, const char *ip, int port, sc_media_dir want,
                         const char *key_b64, const sc_media_desc *offer, sc_media_desc *answer,
                         sc_media_neg *neg)
{
    memset(neg, 0, sizeof *neg);
    if (offer->port == 0) return sc_fail(SC_ENOCODEC, "SDP offer: the audio stream is disabled (port 0)");
    const sc_media_crypto *cr = NULL;
    if (offer->savp) {
        cr = pick_crypto(offer, -1);
        if (!cr) return sc_fail(SC_ENOCODEC, "SDP offer: RTP/SAVP without a usable a=crypto " SC_SUITE);
    } else if (cfg->srtp) {
        return sc_fail(SC_ENOCODEC, "SDP offer: plain RTP/AVP, but this gateway requires SRTP");
    }
    const sc_media_codec *list[8];
    int n = sc_media_codec_prefs(cfg->codecs, list, 8);
    for (int i = 0; i < n && !neg->codec; i++)
        for (int j = 0; j < offer->nfmt; j++)
            if (!strcasecmp(offer->fmt[j].name, list[i]->name) && offer->fmt[j].rate == list[i]->clock_rate) {
                neg->codec = list[i];
                neg->pt = offer->fmt[j].pt;
                break;
            }
    if (!neg->codec) {
        char theirs[256];
        list_formats(offer, theirs, sizeof theirs);
        return sc_fail(SC_ENOCODEC, "SDP offer: no common codec: offered %s; we take %s", theirs,
                       cfg->codecs ? cfg->codecs : "PCMU,PCMA");
    }
    neg->te_pt = pick_te(cfg, offer, neg->codec);
    neg->dir = (sc_media_dir)(want & mirror(offer->dir));
    set_remote(neg, offer);

    base_desc(ip, port, answer);
    answer->dir = neg->dir;
    add_fmt(answer, neg->pt, neg->codec->name, neg->codec->clock_rate, neg->codec->channels);
    if (neg->te_pt >= 0) add_fmt(answer, neg->te_pt, "telephone-event", neg->codec->clock_rate, 0);
    if (cr) {
        neg->srtp = 1;
        neg->crypto_tag = cr->tag;
        g_strlcpy(neg->rx_key_b64, cr->key_b64, sizeof neg->rx_key_b64);
        g_strlcpy(neg->tx_key_b64, key_b64, sizeof neg->tx_key_b64);
        answer->savp = 1;
        answer->ncrypto = 1;
        answer->crypto[0].tag = cr->tag;
        g_strlcpy(answer->crypto[0].suite, SC_SUITE, sizeof answer->crypto[0].suite);
        g_strlcpy(answer->crypto[0].key_b64, key_b64, sizeof answer->crypto[0].key_b64);
    }
    answer->other_media = offer->other_media;
    memcpy(answer->other_mlines, offer->other_mlines, sizeof answer->other_mlines);
    answer->session_id = 0;
    return SC_OK;
}

int sc_media_take_answer(const sc_media_config *cfg, const sc_media_desc *offer,
                         const sc_media_desc *answer, sc_media_neg *neg)
{
    memset(neg, 0, sizeof *neg);
    if (answer->port == 0) return sc_fail(SC_ENOCODEC, "SDP answer: the peer rejected the audio stream (port 0)");
    for (int j = 0; j < answer->nfmt && !neg->codec; j++)
        for (int i = 0; i < offer->nfmt; i++)
            if (!strcasecmp(offer->fmt[i].name, answer->fmt[j].name) && offer->fmt[i].rate == answer->fmt[j].rate
                && strcasecmp(answer->fmt[j].name, "telephone-event")) {
                neg->codec = sc_media_codec_find(answer->fmt[j].name, answer->fmt[j].rate);
                neg->pt = answer->fmt[j].pt;
                if (neg->codec) break;
            }
    if (!neg->codec) {
        char theirs[256];
        list_formats(answer, theirs, sizeof theirs);
        return sc_fail(SC_ENOCODEC, "SDP answer: no codec we offered: answered %s", theirs);
    }
    neg->te_pt = pick_te(cfg, answer, neg->codec);
    if (offer->savp) {
        const sc_media_crypto *cr = answer->savp ? pick_crypto(answer, offer->crypto[0].tag) : NULL;
        if (!cr) return sc_fail(SC_ENOCODEC, "SDP answer: SRTP was offered but the answer has no matching a=crypto");
        neg->srtp = 1;
        neg->crypto_tag = cr->tag;
        g_strlcpy(neg->rx_key_b64, cr->key_b64, sizeof neg->rx_key_b64);
        g_strlcpy(neg->tx_key_b64, offer->crypto[0].key_b64, sizeof neg->tx_key_b64);
    } else if (answer->savp) {
        return sc_fail(SC_EPARSE, "SDP answer: RTP/SAVP in answer to a plain RTP/AVP offer");
    }
    neg->dir = (sc_media_dir)(offer->dir & mirror(answer->dir));
    set_remote(neg, answer);
    return SC_OK;
}
