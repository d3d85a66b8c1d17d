/* Local address per destination: connect() a UDP socket and read its name.
 * The kernel answers from its routing table (source address selection), so
 * multi-homed hosts, VPNs and IPv6 get the address that really reaches the
 * peer, which is what goes into Contact when we listen on all interfaces. */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>

#include "local_addr.h"

/* "[v6]" -> "v6" into buf; anything else copied. */
static const char *strip_brackets(const char *host, char *buf, size_t len)
{
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < len) {
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        return buf;
    }
    return host;
}

bool sc_addr_is_numeric(const char *host)
{
    char buf[64];
    struct in6_addr a6;
    struct in_addr a4;
    if (!host || !*host) return false;
    host = strip_brackets(host, buf, sizeof buf);
    return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
}

bool sc_addr_is_loopback(const char *host)
{
    char buf[64];
    struct in6_addr a6;
    struct in_addr a4;
    if (!host || !*host) return false;
    if (!g_ascii_strcasecmp(host, "localhost")) return true;
    host = strip_brackets(host, buf, sizeof buf);
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

static sc_route_error from_errno(int e)
{
    return e == ENETUNREACH ? SC_ROUTE_NO_ROUTE : SC_ROUTE_UNREACHABLE;
}

sc_route_error sc_local_addr_route(const char *host, int port, char *out, size_t outlen,
                                   struct sockaddr_storage *peer, socklen_t *peerlen)
{
    char buf[64], service[8];
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
    struct sockaddr_storage local;
    socklen_t llen = sizeof local;
    sc_route_error rc = SC_ROUTE_OK;
    int fd, e;

    if (!host || !*host) return SC_ROUTE_UNRESOLVED;
    host = strip_brackets(host, buf, sizeof buf);
    /* Names too: Sofia resolves them itself when it sends; the port plays no
     * part in the route, only in the peer's address handed back. */
    g_snprintf(service, sizeof service, "%d", port > 0 && port < 65536 ? port : 5060);
    if (getaddrinfo(host, service, &hints, &res) != 0 || !res) return SC_ROUTE_UNRESOLVED;
    fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        e = errno;
        freeaddrinfo(res);
        return from_errno(e);
    }
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) rc = from_errno(errno);
    else if (getsockname(fd, (struct sockaddr *)&local, &llen) != 0) rc = from_errno(errno);
    close(fd);
    if (!rc && peer && peerlen && res->ai_addrlen <= sizeof *peer) {
        memcpy(peer, res->ai_addr, res->ai_addrlen);
        *peerlen = (socklen_t)res->ai_addrlen;
    }
    freeaddrinfo(res);
    if (rc) return rc;
    if (getnameinfo((struct sockaddr *)&local, llen, out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST) != 0)
        return SC_ROUTE_UNREACHABLE;
    /* a link-local IPv6 source comes back as "fe80::1%eth0": the zone is not SIP */
    out[strcspn(out, "%")] = '\0';
    return SC_ROUTE_OK;
}

sc_route_error sc_local_addr_for(const char *host, char *out, size_t outlen)
{
    return sc_local_addr_route(host, 0, out, outlen, NULL, NULL);
}

const char *sc_route_error_text(sc_route_error e)
{
    switch (e) {
    case SC_ROUTE_OK: return "ok";
    case SC_ROUTE_NO_ROUTE: return "no route to the network";
    case SC_ROUTE_UNREACHABLE: return "destination unreachable";
    case SC_ROUTE_UNRESOLVED: return "host name does not resolve";
    }
    return "?";
}
