/* Picking the SIP listening port before nua_create(): the session and the
 * loopback trunk both want one port that serves UDP and TCP alike (Sofia
 * with port "*" may give them different ports), and a failing nua_create()
 * leaks, so the port is checked first. */
#ifndef SC_FREE_PORT_H
#define SC_FREE_PORT_H

#include <stdbool.h>

/* A TCP port free on the numeric address host (with need_udp, free for UDP
 * too); with wanted > 0, checks that port only. -1 when none is found, with
 * errno from the last socket call that failed. */
int sc_find_free_port(const char *host, bool v6, bool need_udp, int wanted);

#endif
