/* A GMainContext run from inside Sofia-SIP's own event loop.
 *
 * Why: on its own thread the session runs Sofia on Sofia's native (epoll)
 * port, which wakes for a datagram for a few hundred instructions. Sofia's
 * GLib port goes through GLib's prepare, query, poll, check and dispatch on
 * every wake, about 2,300 instructions, some eight times per call. The
 * library still has GLib sources (timers of registrations and keepalives,
 * work posted from other threads, media reports, the metrics server), so the
 * context is not dropped: its descriptors and its next timeout are handed to
 * Sofia's loop, and GLib runs one iteration only when one of them is due.
 *
 * The context must be made with G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING and
 * stay acquired by the thread that runs the root: with that flag GLib signals
 * its wake-up descriptor for every source attached or re-armed, also on the
 * owning thread, so a source added from a Sofia callback is seen at once.
 *
 * Only struct tags here; glib_bridge.c sets its own Sofia magic types. */
#ifndef SC_GLIB_BRIDGE_H
#define SC_GLIB_BRIDGE_H

#include <glib.h>

struct su_root_s;
typedef struct sc_glib_bridge sc_glib_bridge;

/* Folds ctx into root's loop and runs GLib's first iteration when the root
 * next runs. On the root's thread, which has acquired ctx. NULL when Sofia
 * refuses the timer (out of memory). */
sc_glib_bridge *sc_glib_bridge_new(struct su_root_s *root, GMainContext *ctx);

/* Takes ctx's descriptors out of the root's loop. On the root's thread,
 * outside the bridge's own callbacks (after su_root_run() returned). NULL is
 * accepted. */
void sc_glib_bridge_free(sc_glib_bridge *b);

#endif
