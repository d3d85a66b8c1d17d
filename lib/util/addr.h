/* Numeric socket addresses as users write them. */
#ifndef SC_ADDR_H
#define SC_ADDR_H

#include <stdbool.h>

struct sockaddr;

/* Parses "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT", HOST numeric (IPv4, or
 * IPv6 in brackets), PORT 0..65535 (0 when absent). @p what names the
 * address in messages ("bind address"). With @p concrete, the wildcard
 * (0.0.0.0, ::) is refused: peers must be able to reach the address.
 * On success *host_out is a new string (g_free), without brackets. */
int sc_addr_parse(const char *addr, const char *what, bool concrete, char **host_out, int *port_out);

/* Room for the texts sc_addr_format() writes, terminator included. */
#define SC_ADDR_IP_MAX 46        /* INET6_ADDRSTRLEN */
#define SC_ADDR_HOSTPORT_MAX 56  /* "[" IPv6 "]:" 65535 */

/* Writes a received packet's source as text: the bare address into @p ip
 * ("192.0.2.1", "2001:db8::1") and, unless @p hostport is NULL, the form
 * logs and events show ("192.0.2.1:5060", "[2001:db8::1]:5060"). A family
 * other than IPv4 or IPv6 (or NULL) gives empty texts and returns false.
 * It runs for every INVITE, strangers' included, so IPv4, the common case,
 * is formatted by hand rather than through inet_ntop() and printf. */
bool sc_addr_format(const struct sockaddr *sa, char ip[SC_ADDR_IP_MAX], char *hostport);

#endif
