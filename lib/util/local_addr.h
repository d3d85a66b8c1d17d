/* Which local address the kernel would use towards a destination: what a
 * request's Contact must carry when the session listens on every interface
 * (FreeSWITCH's sip-ip default is the default-route interface; we ask the
 * routing table per destination instead, so any interface works). */
#ifndef SC_LOCAL_ADDR_H
#define SC_LOCAL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Why no local address could be found (sc_local_addr_for's result). */
typedef enum sc_route_error {
    SC_ROUTE_OK = 0,
    SC_ROUTE_NO_ROUTE,     /* ENETUNREACH: no route to that network */
    SC_ROUTE_UNREACHABLE,  /* EHOSTUNREACH, EADDRNOTAVAIL...: the kernel refuses */
    SC_ROUTE_UNRESOLVED    /* the host name does not resolve */
} sc_route_error;

/* The numeric local address (IPv6 without brackets) the kernel routes from
 * towards host (a numeric address or a name), into out. No packet is sent:
 * a UDP socket is connect()ed and asked its name. */
sc_route_error sc_local_addr_for(const char *host, char *out, size_t outlen);

/* The same, and the peer's address with port (5060 when port is 0) into
 * peer/peerlen when both are given: where a keepalive datagram goes. */
sc_route_error sc_local_addr_route(const char *host, int port, char *out, size_t outlen,
                                   struct sockaddr_storage *peer, socklen_t *peerlen);

/* Words for a route error, for phrases and logs ("no route to host"...). */
const char *sc_route_error_text(sc_route_error e);

/* host is a numeric loopback address (127.0.0.0/8, ::1) or "localhost". */
bool sc_addr_is_loopback(const char *host);

/* host is a numeric IPv4 or IPv6 address (IPv6 with or without brackets). */
bool sc_addr_is_numeric(const char *host);

#endif
