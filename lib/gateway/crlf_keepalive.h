/* tcp-keepalive: a CRLF keepalive on the registration's flow, the
 * alternative to the keepalive OPTIONS (nat.c). Stack thread only; the
 * state lives in sc_nat. */
#ifndef SC_CRLF_KEEPALIVE_H
#define SC_CRLF_KEEPALIVE_H

#include <stdbool.h>

struct sc_reg;

/* At gateway start, before the first REGISTER: over TCP, asks Sofia to ping
 * its connections (TPTAG_KEEPALIVE) so that the registration's connection
 * pings from its first idle interval on. Nothing for UDP and TLS. */
void sc_crlf_keepalive_prepare(struct sc_reg *r);

/* Registered: over UDP, a CRLFCRLF datagram every tcp-keepalive ms from the
 * socket the REGISTER left from. True when a CRLF keepalive runs (UDP or
 * TCP), false when this gateway has none (not set, or TLS). */
bool sc_crlf_keepalive_start(struct sc_reg *r);
void sc_crlf_keepalive_stop(struct sc_reg *r);

#endif
