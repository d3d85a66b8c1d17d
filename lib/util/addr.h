/* Numeric socket addresses as users write them. */
#ifndef SC_ADDR_H
#define SC_ADDR_H

#include <stdbool.h>

/* Parses "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT", HOST numeric (IPv4, or
 * IPv6 in brackets), PORT 0..65535 (0 when absent). @p what names the
 * address in messages ("bind address"). With @p concrete, the wildcard
 * (0.0.0.0, ::) is refused: peers must be able to reach the address.
 * On success *host_out is a new string (g_free), without brackets. */
int sc_addr_parse(const char *addr, const char *what, bool concrete, char **host_out, int *port_out);

#endif
