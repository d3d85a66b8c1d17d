/* Symmetric RTP (FreeSWITCH's auto-adjust): the first packet fixes where
 * we send; packets from anyone else are dropped and counted. Also counts
 * what is received and sent, and notes the time of the last packet for the
 * media timeout. Pad probes, so this runs on the streaming threads. */
#include <gst/net/gstnetaddressmeta.h>
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

/* ---- symmetric RTP: latch onto the peer's source address, drop strangers ---- */
static int same_addr(GInetSocketAddress *a, GInetSocketAddress *b)
{
    return g_inet_socket_address_get_port(a) == g_inet_socket_address_get_port(b)
        && g_inet_address_equal(g_inet_socket_address_get_address(a), g_inet_socket_address_get_address(b));
}

static GstPadProbeReturn latch(sc_media_stream *s, GstBuffer *buf, int rtcp)
{
    GstNetAddressMeta *meta = gst_buffer_get_net_address_meta(buf);
    if (!meta || !G_IS_INET_SOCKET_ADDRESS(meta->addr)) return GST_PAD_PROBE_OK;
    GInetSocketAddress *from = G_INET_SOCKET_ADDRESS(meta->addr);
    GInetSocketAddress **latched = rtcp ? &s->latched_rtcp : &s->latched_rtp;
    GstElement *sink = NULL;
    char *ip = NULL;
    int port = 0, drop = 0;
    g_mutex_lock(&s->lock);
    if (!*latched) {
        *latched = g_object_ref(from);
        sink = rtcp ? s->rtcp_sink : s->rtp_sink;
        if (sink) gst_object_ref(sink);
        ip = g_inet_address_to_string(g_inet_socket_address_get_address(from));
        port = g_inet_socket_address_get_port(from);
    } else if (!same_addr(*latched, from)) {
        drop = 1;
    }
    int receiving = (s->neg.dir & SC_MEDIA_RECVONLY) != 0;
    g_mutex_unlock(&s->lock);
    if (sink) {
        /* FreeSWITCH's auto-adjust: answer to where the packets really come from (NAT). */
        g_object_set(sink, "host", ip, "port", port, NULL);
        if (!rtcp) SC_LOGI("media: RTP from %s:%d; sending there", ip, port);
        gst_object_unref(sink);
    }
    g_free(ip);
    if (drop) {
        __atomic_fetch_add(&s->dropped, 1, __ATOMIC_RELAXED);
        return GST_PAD_PROBE_DROP;
    }
    if (rtcp) return GST_PAD_PROBE_OK;
    __atomic_store_n(&s->last_rx_us, g_get_monotonic_time(), __ATOMIC_RELAXED);
    if (!receiving) {
        __atomic_fetch_add(&s->dropped, 1, __ATOMIC_RELAXED);
        return GST_PAD_PROBE_DROP;
    }
    __atomic_fetch_add(&s->rx_packets, 1, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn rtp_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    return latch(user, GST_PAD_PROBE_INFO_BUFFER(info), 0);
}

static GstPadProbeReturn rtcp_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    return latch(user, GST_PAD_PROBE_INFO_BUFFER(info), 1);
}

static GstPadProbeReturn rtp_out(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    (void)info;
    sc_media_stream *s = user;
    __atomic_fetch_add(&s->tx_packets, 1, __ATOMIC_RELAXED);
    return GST_PAD_PROBE_OK;
}

static void probe(GstElement *e, const char *pad, GstPadProbeCallback cb, sc_media_stream *s)
{
    GstPad *p = gst_element_get_static_pad(e, pad);
    gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, cb, s, NULL);
    gst_object_unref(p);
}

void sc_media_latch_attach(sc_media_stream *s, GstElement *rtp_src, GstElement *rtcp_src, GstElement *rtp_sink)
{
    probe(rtp_src, "src", rtp_in, s);
    probe(rtcp_src, "src", rtcp_in, s);
    probe(rtp_sink, "sink", rtp_out, s);
}
