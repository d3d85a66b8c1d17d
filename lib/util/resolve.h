/* Host names to addresses, for the checks that compare a peer's source
 * address with a configured host (the trunk's proxy, a bridge target). */
#ifndef SC_RESOLVE_H
#define SC_RESOLVE_H

#include <stdbool.h>
#include <glib.h>

/* Seconds a looked-up name's addresses are reused. A provider moving its
 * proxy to a new address is seen within this time, and a burst of calls
 * costs one lookup, not one per call. */
#define SC_RESOLVE_TTL_S 60

/* Appends every address of @p host (an IPv4/IPv6 literal, without brackets,
 * or a name) to @p ips as numeric text (g_free'd by the array), skipping
 * ones already there. A name that does not resolve adds nothing. Names are
 * looked up with getaddrinfo, which blocks; thread-safe. */
void sc_resolve_ips(const char *host, GPtrArray *ips);

/* Whether two hosts name the same machine: the same text (any case), or an
 * address in common. */
bool sc_resolve_same_host(const char *a, const char *b);

#endif
