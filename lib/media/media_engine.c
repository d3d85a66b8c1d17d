/* The engine: one media thread whose 10 ms clock sends every stream's due
 * 20 ms frames, and the report queue. Reports are posted as idle sources on
 * the report context so application code only ever runs on that context's
 * thread, never on the media thread or a GStreamer streaming thread. */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

/* Outlives the engine while reports are queued; "closed" makes late ones no-ops. */
typedef struct report_sink {
    gint refs;
    gint closed;
    sc_media_report_fn cb;
    void *user;
    sc_destroy_fn destroy;
} report_sink;

struct sc_media_engine {
    GMainContext *report_ctx;
    report_sink *sink;
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    GMutex lock;
    GList *streams;
};

typedef struct queued {
    report_sink *sink;
    sc_media_report r;
    char *text;
    int16_t *pcm;
} queued;

static void sink_unref(report_sink *k)
{
    if (!g_atomic_int_dec_and_test(&k->refs)) return;
    if (k->destroy) k->destroy(k->user);
    g_free(k);
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

static gboolean tick(gpointer data)
{
    sc_media_engine *e = data;
    gint64 now = g_get_monotonic_time();
    g_mutex_lock(&e->lock);
    for (GList *l = e->streams; l; l = l->next) sc_media_tx_tick(l->data, now);
    g_mutex_unlock(&e->lock);
    return G_SOURCE_CONTINUE;
}

static gboolean quit_loop(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gpointer run(gpointer data)
{
    sc_media_engine *e = data;
    g_main_context_push_thread_default(e->ctx);
    g_main_loop_run(e->loop);
    g_main_context_pop_thread_default(e->ctx);
    return NULL;
}

int sc_media_engine_new(sc_media_context *ctx, sc_media_report_fn cb, void *user, sc_destroy_fn destroy,
                        sc_media_engine **out)
{
    *out = NULL;
    int rc = sc_media_available();
    if (rc) {
        if (destroy) destroy(user);
        return rc;
    }
    sc_media_engine *e = g_new0(sc_media_engine, 1);
    e->report_ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
    e->sink = g_new0(report_sink, 1);
    e->sink->refs = 1;
    e->sink->cb = cb;
    e->sink->user = user;
    e->sink->destroy = destroy;
    g_mutex_init(&e->lock);
    e->ctx = g_main_context_new();
    e->loop = g_main_loop_new(e->ctx, FALSE);
    GSource *t = g_timeout_source_new(10);
    g_source_set_callback(t, tick, e, NULL);
    g_source_attach(t, e->ctx);
    g_source_unref(t);
    e->thread = g_thread_new("sc-media", run, e);
    *out = e;
    return SC_OK;
}

void sc_media_engine_add(sc_media_engine *e, sc_media_stream *s)
{
    g_mutex_lock(&e->lock);
    e->streams = g_list_prepend(e->streams, s);
    g_mutex_unlock(&e->lock);
}

void sc_media_engine_remove(sc_media_engine *e, sc_media_stream *s)
{
    /* Taking the lock also waits out a tick that is using the stream. */
    g_mutex_lock(&e->lock);
    e->streams = g_list_remove(e->streams, s);
    g_mutex_unlock(&e->lock);
}

void sc_media_engine_free(sc_media_engine *e)
{
    if (!e) return;
    for (;;) {
        g_mutex_lock(&e->lock);
        sc_media_stream *s = e->streams ? e->streams->data : NULL;
        g_mutex_unlock(&e->lock);
        if (!s) break;
        sc_media_stream_free(s);
    }
    /* quit from inside the loop: a quit before the thread entered
     * g_main_loop_run() would be lost */
    GSource *q = g_idle_source_new();
    g_source_set_callback(q, quit_loop, e->loop, NULL);
    g_source_attach(q, e->ctx);
    g_source_unref(q);
    g_thread_join(e->thread);
    g_main_loop_unref(e->loop);
    g_main_context_unref(e->ctx);
    g_atomic_int_set(&e->sink->closed, 1);
    sink_unref(e->sink);
    g_main_context_unref(e->report_ctx);
    g_mutex_clear(&e->lock);
    g_free(e);
}
