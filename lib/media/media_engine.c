/* The engine's life cycle: one media thread running the clock
 * (media_clock.c), and the report sink (media_reports.c). */
#include <string.h>
#include "media_priv.h"
#include "error_priv.h"

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
    e->sink = sc_media_sink_new(cb, user, destroy);
    g_mutex_init(&e->lock);
    e->ctx = g_main_context_new();
    e->loop = g_main_loop_new(e->ctx, FALSE);
    GSource *t = g_timeout_source_new(10);
    g_source_set_callback(t, sc_media_clock_tick, e, NULL);
    g_source_attach(t, e->ctx);
    g_source_unref(t);
    e->thread = g_thread_new("sc-media", run, e);
    *out = e;
    return SC_OK;
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
    sc_media_sink_close(e->sink);
    g_main_context_unref(e->report_ctx);
    g_mutex_clear(&e->lock);
    g_free(e);
}
