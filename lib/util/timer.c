/* One-shot timers on a main context (timer.h). */
#include "timer.h"

GSource *sc_ctx_timer(GMainContext *ctx, int ms, GSourceFunc fn, gpointer data)
{
    GSource *t = g_timeout_source_new((guint)(ms < 0 ? 0 : ms));
    g_source_set_callback(t, fn, data, NULL);
    g_source_attach(t, ctx);
    return t;
}

void sc_timer_cancel(GSource **t)
{
    if (*t) {
        g_source_destroy(*t);
        g_source_unref(*t);
        *t = NULL;
    }
}
