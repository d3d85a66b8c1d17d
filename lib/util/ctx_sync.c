/* See ctx_sync.h. */
#include "ctx_sync.h"

typedef struct sync_call {
    GMutex *lock;
    GCond *cond;
    void (*fn)(void *);
    void *data;
    bool done;
} sync_call;

static gboolean sync_call_run(gpointer p)
{
    sync_call *c = p;
    c->fn(c->data);
    g_mutex_lock(c->lock);
    c->done = true;
    g_cond_broadcast(c->cond);
    g_mutex_unlock(c->lock);
    return G_SOURCE_REMOVE;
}

void sc_ctx_run_sync(GMainContext *ctx, GMutex *lock, GCond *cond, void (*fn)(void *), void *data)
{
    sync_call c = { lock, cond, fn, data, false };
    /* Already the owner (or nobody runs ctx any more): run here. */
    if (g_main_context_acquire(ctx)) {
        fn(data);
        g_main_context_release(ctx);
        return;
    }
    g_main_context_invoke(ctx, sync_call_run, &c);
    g_mutex_lock(lock);
    while (!c.done) g_cond_wait(cond, lock);
    g_mutex_unlock(lock);
}

static gboolean wake_timeout(gpointer p)
{
    (void)p;
    return G_SOURCE_REMOVE;
}

/* The owner's way: iterate ctx until pred holds. A timeout source bounds
 * each iteration, so the deadline is kept with nothing else to dispatch. */
static bool iterate_until(GMainContext *ctx, GMutex *lock, bool (*pred)(void *), void *obj,
                          gint64 deadline)
{
    bool ok;
    for (;;) {
        gint64 now = g_get_monotonic_time();
        GSource *t;
        g_mutex_lock(lock);
        ok = pred(obj);
        g_mutex_unlock(lock);
        if (ok || now >= deadline) break;
        t = g_timeout_source_new((guint)MIN((deadline - now) / 1000 + 1, 100));
        g_source_set_callback(t, wake_timeout, NULL, NULL);
        g_source_attach(t, ctx);
        g_main_context_iteration(ctx, TRUE);
        g_source_destroy(t);
        g_source_unref(t);
    }
    return ok;
}

bool sc_ctx_wait_until(GMainContext *ctx, GMutex *lock, GCond *cond, bool (*pred)(void *obj),
                       void *obj, gint64 deadline)
{
    bool ok;
    if (ctx && g_main_context_acquire(ctx)) {
        ok = iterate_until(ctx, lock, pred, obj, deadline);
        g_main_context_release(ctx);
        return ok;
    }
    g_mutex_lock(lock);
    while (!(ok = pred(obj)))
        if (!g_cond_wait_until(cond, lock, deadline)) {
            ok = pred(obj);
            break;
        }
    g_mutex_unlock(lock);
    return ok;
}

void sc_ctx_changed(GMutex *lock, GCond *cond)
{
    g_mutex_lock(lock);
    g_cond_broadcast(cond);
    g_mutex_unlock(lock);
}
