/* Statistics: our own counters (media_latch.c) plus RFC 3550 loss and
 * jitter from rtpbin's session. */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

/* "127.0.0.1:4000", "[::1]:4000" */
static void host_port(char *out, size_t size, const char *ip, int port)
{
    g_snprintf(out, size, strchr(ip, ':') ? "[%s]:%d" : "%s:%d", ip, port);
}

void sc_media_pipeline_stats(sc_media_stream *s, sc_rtp_stats *st)
{
    memset(st, 0, sizeof *st);
    st->packets_sent = __atomic_load_n(&s->tx_packets, __ATOMIC_RELAXED);
    st->packets_received = __atomic_load_n(&s->rx_packets, __ATOMIC_RELAXED);
    st->packets_dropped = __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
    host_port(st->local, sizeof st->local, s->local_ip, s->port);
    g_mutex_lock(&s->lock);
    GstElement *rtpbin = s->rtpbin ? gst_object_ref(s->rtpbin) : NULL;
    if (s->negotiated) {
        g_snprintf(st->codec, sizeof st->codec, "%s/%d", s->neg.codec->name, s->neg.codec->clock_rate);
        if (s->latched_rtp) {
            char *ip = g_inet_address_to_string(g_inet_socket_address_get_address(s->latched_rtp));
            host_port(st->remote, sizeof st->remote, ip, g_inet_socket_address_get_port(s->latched_rtp));
            g_free(ip);
        } else {
            host_port(st->remote, sizeof st->remote, s->neg.remote_ip, s->neg.remote_port);
        }
    }
    int clock = s->negotiated ? s->neg.codec->clock_rate : 8000;
    g_mutex_unlock(&s->lock);
    if (!rtpbin) return;
    GObject *session = NULL;
    g_signal_emit_by_name(rtpbin, "get-internal-session", 0u, &session);
    gst_object_unref(rtpbin);
    if (!session) return;
    GstStructure *stats = NULL;
    g_object_get(session, "stats", &stats, NULL);
    g_object_unref(session);
    if (!stats) return;
    const GValue *v = gst_structure_get_value(stats, "source-stats");
    /* The peer's source with the most packets received carries loss and jitter. */
    guint64 best = 0;
    if (v && G_VALUE_HOLDS_BOXED(v)) {
        G_GNUC_BEGIN_IGNORE_DEPRECATIONS
        GValueArray *arr = g_value_get_boxed(v);
        for (guint i = 0; arr && i < arr->n_values; i++) {
            const GstStructure *src = gst_value_get_structure(g_value_array_get_nth(arr, i));
            gboolean internal = FALSE;
            guint64 received = 0;
            gst_structure_get_boolean(src, "internal", &internal);
            gst_structure_get_uint64(src, "packets-received", &received);
            if (internal || received < best) continue;
            best = received;
            gint lost = 0;
            guint jitter = 0;
            gst_structure_get_int(src, "packets-lost", &lost);
            gst_structure_get_uint(src, "jitter", &jitter);
            /* RFC 3550 lets duplicates make it negative; a report of loss does not */
            st->packets_lost = lost > 0 ? lost : 0;
            st->jitter_ms = jitter * 1000.0 / clock;
        }
        G_GNUC_END_IGNORE_DEPRECATIONS
    }
    gst_structure_free(stats);
}
