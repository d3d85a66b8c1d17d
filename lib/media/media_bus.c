/* The stream pipeline's bus, handled synchronously on the posting thread:
 * "dtmf-event" messages (rtpdtmfdepay: RFC 4733; dtmfdetect: in-band) and
 * errors become reports; nothing is left queued on the bus. */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

/* ---- bus: DTMF and errors, turned into reports on the streaming thread ---- */
static char digit_of(int number)
{
    static const char digits[] = "0123456789*#ABCD";
    return number >= 0 && number < 16 ? digits[number] : '\0';
}

static void handle(sc_media_stream *s, GstMessage *m)
{
    sc_media_report r = { .tag = s->tag };
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT) {
        const GstStructure *st = gst_message_get_structure(m);
        int number = -1;
        if (!st || !gst_structure_has_name(st, "dtmf-event") || !gst_structure_get_int(st, "number", &number))
            return;
        const char *src = GST_MESSAGE_SRC_NAME(m);
        r.kind = SC_MEDIA_R_DTMF;
        r.digit = digit_of(number);
        r.method = src && !strcmp(src, "sc-dtmfdetect") ? SC_DTMF_INBAND : SC_DTMF_RFC4733;
        if (!r.digit) return;
        gint64 now = g_get_monotonic_time();
        if (r.method == SC_DTMF_RFC4733) {
            __atomic_store_n(&s->last_rfc4733_us, now, __ATOMIC_RELAXED);
        } else if (now - __atomic_load_n(&s->last_rfc4733_us, __ATOMIC_RELAXED) < 1000000) {
            return;  /* the same key heard twice: the event already counted */
        }
        sc_media_post(s->engine, &r);
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        char text[256];
        g_snprintf(text, sizeof text, "media: %s: %s", GST_MESSAGE_SRC_NAME(m), err ? err->message : "error");
        g_clear_error(&err);
        r.kind = SC_MEDIA_R_ERROR;
        r.status = SC_EIO;
        r.text = text;
        SC_LOGW("%s", text);
        sc_media_post(s->engine, &r);
    }
}

static GstBusSyncReply on_bus(GstBus *bus, GstMessage *m, gpointer user)
{
    (void)bus;
    handle(user, m);
    /* a sync handler that drops a message owns it (GstBusSyncHandler) */
    gst_message_unref(m);
    return GST_BUS_DROP;
}

void sc_media_bus_attach(sc_media_stream *s, GstElement *pipe)
{
    GstBus *b = gst_element_get_bus(pipe);
    gst_bus_set_sync_handler(b, on_bus, s, NULL);
    gst_object_unref(b);
}
