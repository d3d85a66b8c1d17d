/* The media clock's list of streams: the media thread's 10 ms tick sends
 * every listed stream's due 20 ms frames. Streams add and remove themselves
 * here, apart from the engine's life cycle (which frees streams), so the
 * engine and the stream do not call each other. */
#include "media_priv.h"

gboolean sc_media_clock_tick(gpointer data)
{
    sc_media_engine *e = data;
    gint64 now = g_get_monotonic_time();
    g_mutex_lock(&e->lock);
    for (GList *l = e->streams; l; l = l->next) sc_media_tx_tick(l->data, now);
    g_mutex_unlock(&e->lock);
    return G_SOURCE_CONTINUE;
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
