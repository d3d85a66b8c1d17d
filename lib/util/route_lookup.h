/* The local address towards a host given by name, looked up off the stack
 * thread. sc_local_addr_route() calls getaddrinfo(), which for a name asks
 * DNS and can wait for seconds (resolv.conf's timeout times its attempts);
 * on the stack thread that would stop every call, timer and registration of
 * the session meanwhile. A numeric host needs no DNS and is asked directly. */
#ifndef SC_ROUTE_LOOKUP_H
#define SC_ROUTE_LOOKUP_H

#include <glib.h>

#include "local_addr.h"

typedef struct sc_route_lookup sc_route_lookup;

/* What the lookup found (sc_local_addr_route's results). */
typedef void (*sc_route_found_fn)(void *data, sc_route_error e, const char *local,
                                  const struct sockaddr_storage *peer, socklen_t peerlen);

/* Looks host (and port, for peer) up on a thread of its own; found runs on
 * ctx's thread, unless cancelled before. */
sc_route_lookup *sc_route_lookup_start(GMainContext *ctx, const char *host, int port,
                                       sc_route_found_fn found, void *data);

/* On ctx's thread, before found has run: found will not run. The lookup
 * frees itself when its thread is done; after found, forget the pointer. */
void sc_route_lookup_cancel(sc_route_lookup *l);

#endif
