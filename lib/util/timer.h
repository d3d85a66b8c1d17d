/* One-shot timers on a GLib main context (the stack's): the one way the
 * library arms and disarms them. */
#ifndef SC_TIMER_H
#define SC_TIMER_H

#include <glib.h>

/* A timer calling fn(data) on ctx after ms (negative counts as 0). The
 * caller owns the returned source and ends it with sc_timer_cancel(). */
GSource *sc_ctx_timer(GMainContext *ctx, int ms, GSourceFunc fn, gpointer data);
/* Destroys and releases *t if set, and clears it. */
void sc_timer_cancel(GSource **t);

#endif
