/* Where the session listens when the application did not say (listen.c). */
#ifndef SC_LISTEN_H
#define SC_LISTEN_H

#include "stack.h"

/* With no explicit bind: every interface, unless every gateway is on
 * loopback (the demo and the loopback trunk). Stack thread, before the port
 * is picked; sets s->listen_any and s->bind_host. */
void sc_listen_choose(sc_session *s);

#endif
