/* The engine's reports: each is posted as an idle source on the report
 * context, so application code only ever runs on that context's thread,
 * never on the media thread or a GStreamer streaming thread. Its own file
 * (below the stream, the clock and the receive chain, which all post) so
 * that no two files of the engine call each other. */
#include <string.h>
#include "media_priv.h"

/* Outlives the engine while reports are queued; "closed" makes late ones no-ops. */
struct sc_media_sink {
    gint refs;
    gint closed;
    sc_media_report_fn cb;
    void *user;
    sc_destroy_fn destroy;
};

typedef struct queued {
    sc_media_sink *sink;
    sc_media_report r;
    char *text;
    int16_t *pcm;
} queued;

sc_media_sink *sc_media_sink_new(sc_media_report_fn cb, void *user, sc_destroy_fn destroy)
{
    sc_media_sink *k = g_new0(sc_media_sink, 1);
    k->refs = 1;
    k->cb = cb;
    k->user = user;
    k->destroy = destroy;
    return k;
}

static void sink_unref(sc_media_sink *k)
{
    if (!g_atomic_int_dec_and_test(&k->refs)) return;
    if (k->destroy) k->destroy(k->user);
    g_free(k);
}

void sc_media_sink_close(sc_media_sink *k)
{
    g_atomic_int_set(&k->closed, 1);
    sink_unref(k);
}

static gboolean deliver(gpointer data)
{
    queued *q = data;
    if (!g_atomic_int_get(&q->sink->closed) && q->sink->cb) q->sink->cb(&q->r, q->sink->user);
    return G_SOURCE_REMOVE;
}

static void queued_free(gpointer data)
{
    queued *q = data;
    sink_unref(q->sink);
    g_free(q->text);
    g_free(q->pcm);
    g_free(q);
}

void sc_media_post(sc_media_engine *e, const sc_media_report *r)
{
    queued *q = g_new0(queued, 1);
    q->r = *r;
    q->sink = e->sink;
    g_atomic_int_inc(&e->sink->refs);
    if (r->text) q->r.text = q->text = g_strdup(r->text);
    if (r->pcm && r->samples) q->r.pcm = q->pcm = g_memdup2(r->pcm, r->samples * sizeof *r->pcm);
    GSource *src = g_idle_source_new();
    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, deliver, q, queued_free);
    g_source_attach(src, e->report_ctx);
    g_source_unref(src);
}
