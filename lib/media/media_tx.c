/* The send side, run by the engine's clock: every 20 ms of wall time one
 * frame is mixed (what plays + what the application wrote) and pushed with a
 * counted timestamp, so RTP timestamps advance exactly by the frame however
 * late the clock fires. Also here: RFC 4733 digits and the media timeout. */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

#define FRAME_US 20000
#define DTMF_ON_US 100000    /* tone length per digit */
#define DTMF_GAP_US 60000    /* pause between digits */

static void dtmf_event(GstElement *src, int number, gboolean start)
{
    GstStructure *st = gst_structure_new("dtmf-event", "type", G_TYPE_INT, 1, "number", G_TYPE_INT, number,
                                         "volume", G_TYPE_INT, 10, "start", G_TYPE_BOOLEAN, start, NULL);
    if (!start) gst_structure_remove_fields(st, "number", "volume", NULL);
    /* into the source pad, as if from downstream: GstBaseSrc's send_event
     * does not pass custom upstream events on to rtpdtmfsrc */
    GstPad *pad = gst_element_get_static_pad(src, "src");
    gst_pad_send_event(pad, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, st));
    gst_object_unref(pad);
}

static int event_number(char d)
{
    static const char digits[] = "0123456789*#ABCD";
    const char *p = strchr(digits, g_ascii_toupper(d));
    return p && d ? (int)(p - digits) : -1;
}

static void dtmf_step(sc_media_stream *s, gint64 now)
{
    if (!s->dtmfsrc) return;
    switch (s->dtmf_phase) {
    case SC_DTMF_IDLE:
        if (!s->dtmf_queue[s->dtmf_pos]) return;
        dtmf_event(s->dtmfsrc, event_number(s->dtmf_queue[s->dtmf_pos]), TRUE);
        s->dtmf_phase = SC_DTMF_ON;
        s->dtmf_until_us = now + DTMF_ON_US;
        return;
    case SC_DTMF_ON:
        if (now < s->dtmf_until_us) return;
        dtmf_event(s->dtmfsrc, 0, FALSE);
        s->dtmf_phase = SC_DTMF_GAP;
        s->dtmf_until_us = now + DTMF_GAP_US;
        return;
    case SC_DTMF_GAP:
        if (now < s->dtmf_until_us) return;
        s->dtmf_pos++;
        s->dtmf_phase = SC_DTMF_IDLE;
        if (!s->dtmf_queue[s->dtmf_pos]) {
            s->dtmf_queue[0] = '\0';
            s->dtmf_pos = 0;
        }
        return;
    }
}

static void check_timeout(sc_media_stream *s, gint64 now)
{
    int limit = s->neg.dir == SC_MEDIA_SENDRECV ? s->cfg.timeout_s : s->cfg.hold_timeout_s;
    gint64 last = __atomic_load_n(&s->last_rx_us, __ATOMIC_RELAXED);
    if (limit <= 0 || now - last < (gint64)limit * G_USEC_PER_SEC) {
        s->timed_out = 0;
        return;
    }
    if (s->timed_out) return;
    s->timed_out = 1;
    sc_media_report r = { .kind = SC_MEDIA_R_TIMEOUT, .tag = s->tag, .value = limit };
    sc_media_post(s->engine, &r);
}

/* One frame: what plays, plus what the application queued. */
static void mix_frame(sc_media_stream *s, int16_t *frame, size_t n)
{
    memset(frame, 0, n * sizeof *frame);
    if (s->player) {
        char why[256] = "";
        int rc = sc_media_player_mix(s->player, frame, n, why, sizeof why);
        if (rc <= 0) {
            sc_media_report r = { .tag = s->tag };
            if (rc < 0) {
                r.kind = SC_MEDIA_R_ERROR;
                r.status = SC_EIO;
                r.text = why;
                SC_LOGW("%s", why);
            } else {
                r.kind = SC_MEDIA_R_PLAY_DONE;
            }
            sc_media_post(s->engine, &r);
            sc_media_player_free(s->player);
            s->player = NULL;
        }
    }
    size_t k = MIN(n, s->wq_len);
    for (size_t i = 0; i < k; i++) {
        int v = frame[i] + s->wq[i];
        frame[i] = (int16_t)CLAMP(v, -32768, 32767);
    }
    if (k) {
        memmove(s->wq, s->wq + k, (s->wq_len - k) * sizeof *s->wq);
        s->wq_len -= k;
    }
}

void sc_media_tx_tick(sc_media_stream *s, gint64 now)
{
    g_mutex_lock(&s->lock);
    if (!s->feed) {
        g_mutex_unlock(&s->lock);
        return;
    }
    check_timeout(s, now);
    if (!s->tx_start_us) {
        /* Timestamps in running time, the clock rtpdtmfsrc stamps its
         * packets with too, so rtpdtmfmux keeps both on one RTP timeline. */
        GstClockTime rt = gst_element_get_current_running_time(s->pipe);
        s->tx_start_us = now;
        s->pts_base = GST_CLOCK_TIME_IS_VALID(rt) ? rt : 0;
    }
    uint64_t due = (uint64_t)((now - s->tx_start_us) / FRAME_US) + 1;
    /* Far behind (machine stalled): skip ahead rather than burst old audio. */
    if (due > s->frames_pushed + 10) s->frames_pushed = due - 1;
    size_t n = (size_t)s->frame_samples;
    int sending = (s->neg.dir & SC_MEDIA_SENDONLY) != 0;
    while (s->frames_pushed < due) {
        GstBuffer *b = gst_buffer_new_allocate(NULL, n * 2, NULL);
        GstMapInfo mi;
        gst_buffer_map(b, &mi, GST_MAP_WRITE);
        mix_frame(s, (int16_t *)mi.data, n);
        gst_buffer_unmap(b, &mi);
        GST_BUFFER_PTS(b) = s->pts_base + s->frames_pushed * 20 * GST_MSECOND;
        GST_BUFFER_DURATION(b) = 20 * GST_MSECOND;
        if (s->frames_pushed == 0) GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DISCONT);
        s->frames_pushed++;
        if (sending) gst_pad_push(s->feed, b);   /* FLUSHING while stopping: nothing to do */
        else gst_buffer_unref(b);
    }
    if (sending) dtmf_step(s, now);
    g_mutex_unlock(&s->lock);
}
