/* Sofia-SIP pieces that the session (session.c) and the loopback trunk
 * (trunk.c) both need, each for its own stack on its own GMainContext.
 *
 * Only struct tags here: the users include their *_priv.h first, which set
 * Sofia's magic types before <sofia-sip/nua.h>. */
#ifndef SC_SOFIA_STACK_H
#define SC_SOFIA_STACK_H

#include <stdbool.h>
#include <glib.h>

struct nua_s;
struct su_root_s;
struct sc_glib_bridge;

/* Sends Sofia's own log lines (su, tport, nta, nua, soa, sresolv, iptsec)
 * to the library's log at debug level: an application using a session or a
 * trunk must not see Sofia's chatter on stderr. The first call does it;
 * later calls do nothing. Any thread. */
void sc_sofia_log_redirect(void);

/* su_init() and an event root for a stack whose thread iterates ctx: the
 * root's GSource is attached there, so Sofia runs only on that thread.
 * magic is what Sofia hands the root's callbacks. False, with nothing left
 * to tear down, when Sofia cannot create the root. */
bool sc_sofia_root_start(GMainContext *ctx, void *magic, struct su_root_s **root, GSource **source);

/* su_init() and an event root on Sofia's native port, for a stack that owns
 * its thread: the thread runs su_root_run(), and ctx (made with
 * G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING, acquired by this thread) runs
 * inside it through *bridge (glib_bridge.h). False, with nothing left to
 * tear down, when Sofia cannot create either. */
bool sc_sofia_native_root_start(GMainContext *ctx, void *magic, struct su_root_s **root,
                                struct sc_glib_bridge **bridge);

/* Tears down what a stack start made, whatever part of it exists: the nua,
 * the root's GSource, the root (and the su_init() that went with it).
 * Clears each pointer it frees. On the stack's thread, outside Sofia's
 * callbacks. */
void sc_sofia_stack_destroy(struct nua_s **nua, GSource **source, struct su_root_s **root);

/* The same for a native root: the nua, the bridge, then the root. Not from
 * inside the root's loop: after su_root_run() has returned. */
void sc_sofia_native_stack_destroy(struct nua_s **nua, struct sc_glib_bridge **bridge,
                                   struct su_root_s **root);

#endif
