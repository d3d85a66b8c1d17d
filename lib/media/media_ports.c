/* RTP/RTCP socket pairs from the configured port range (rtp-start-port ..
 * rtp-end-port). The sockets are ours, not udpsrc's, so one socket both
 * receives and sends: the peer sees our packets come from the port our SDP
 * names, which symmetric RTP on its side depends on. */
#include "media_priv.h"
#include "error_priv.h"

static GSocket *bind_one(GInetAddress *ia, int port, GError **err)
{
    GSocket *s = g_socket_new(g_inet_address_get_family(ia), G_SOCKET_TYPE_DATAGRAM,
                              G_SOCKET_PROTOCOL_UDP, err);
    if (!s) return NULL;
    GSocketAddress *sa = g_inet_socket_address_new(ia, (guint16)port);
    gboolean ok = g_socket_bind(s, sa, FALSE, err);
    g_object_unref(sa);
    if (!ok) {
        g_object_unref(s);
        return NULL;
    }
    return s;
}

int sc_media_bind_pair(const char *ip, int min, int max, GSocket **rtp, GSocket **rtcp, int *port)
{
    *rtp = *rtcp = NULL;
    if (min <= 0) min = 16384;
    if (max <= 0) max = 32767;
    if (min > 65534 || max > 65535 || min >= max)
        return sc_fail(SC_EINVAL, "media: RTP port range %d-%d is not a range of UDP ports", min, max);
    GInetAddress *ia = g_inet_address_new_from_string(ip);
    if (!ia) return sc_fail(SC_EINVAL, "media: local address '%s' is not an IP address", ip);
    int first = (min + 1) & ~1;   /* RTP takes even ports (RFC 3550 section 11) */
    int pairs = (max - first + 1) / 2;
    if (pairs <= 0) {
        g_object_unref(ia);
        return sc_fail(SC_EINVAL, "media: RTP port range %d-%d holds no even/odd pair", min, max);
    }
    /* Start at a random pair so consecutive calls and restarts do not reuse ports at once. */
    int start = g_random_int_range(0, pairs);
    GError *err = NULL;
    for (int i = 0; i < pairs; i++) {
        int p = first + 2 * ((start + i) % pairs);
        GSocket *a = bind_one(ia, p, &err);
        g_clear_error(&err);
        if (!a) continue;
        GSocket *b = bind_one(ia, p + 1, &err);
        g_clear_error(&err);
        if (!b) {
            g_object_unref(a);
            continue;
        }
        *rtp = a;
        *rtcp = b;
        *port = p;
        g_object_unref(ia);
        return SC_OK;
    }
    g_object_unref(ia);
    return sc_fail(SC_EIO, "media: no free RTP port pair on %s in %d-%d", ip, min, max);
}
