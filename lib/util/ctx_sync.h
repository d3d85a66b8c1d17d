/* Running work on the thread that owns a GMainContext, and waiting for a
 * condition to come true there: the marshalling the session (session.c) and
 * the loopback trunk (trunk.c) both need, since each keeps Sofia-SIP on the
 * one thread that owns its context.
 *
 * The owner's own mutex and condition carry the "done" signal, so a wait on
 * that condition elsewhere wakes when posted work finishes too. */
#ifndef SC_CTX_SYNC_H
#define SC_CTX_SYNC_H

#include <stdbool.h>
#include <glib.h>

/* Runs fn(data) on the thread that owns ctx and returns once it has run:
 * at once when this thread can acquire ctx (it owns it already, or nobody
 * iterates it), else posted with g_main_context_invoke() and waited for on
 * cond, under lock. */
void sc_ctx_run_sync(GMainContext *ctx, GMutex *lock, GCond *cond, void (*fn)(void *), void *data);

/* Waits until pred(obj) holds, checked under lock, or deadline (monotonic,
 * in microseconds) passes; returns the last answer of pred. When ctx is not
 * NULL and this thread can acquire it, iterates ctx meanwhile, so work that
 * must run there to make pred true does run (an event callback waiting for
 * its own session). Otherwise sleeps on cond, which whoever changes what
 * pred reads must broadcast (sc_ctx_changed). */
bool sc_ctx_wait_until(GMainContext *ctx, GMutex *lock, GCond *cond, bool (*pred)(void *obj),
                       void *obj, gint64 deadline);

/* Wakes the waiters of sc_ctx_run_sync and sc_ctx_wait_until on cond. */
void sc_ctx_changed(GMutex *lock, GCond *cond);

#endif
