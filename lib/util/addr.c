/* The one parser of HOST[:PORT] / [V6]:PORT for the session's and the
 * trunk's listening addresses, and the one formatter of a packet's source. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <glib.h>

#include "addr.h"
#include "error_priv.h"

int sc_addr_parse(const char *addr, const char *what, bool concrete, char **host_out, int *port_out)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port_str = NULL;
    unsigned char probe[sizeof(struct in6_addr)];
    bool v6 = false;
    size_t len;

    if (!addr || !*addr) return sc_fail(SC_EPARSE, "%s is empty", what);
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        if (!end) return sc_fail(SC_EPARSE, "%s '%s': missing ']'", what, addr);
        len = (size_t)(end - addr - 1);
        if (end[1] == ':') port_str = end + 2;
        else if (end[1]) return sc_fail(SC_EPARSE, "%s '%s': junk after ']'", what, addr);
        v6 = true;
    } else {
        const char *colon = strchr(addr, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* "::1" is an address written without brackets; "::zz" is no address at all */
            if (inet_pton(AF_INET6, addr, probe) == 1)
                return sc_fail(SC_EPARSE, "%s '%s': write IPv6 addresses as [ADDR]:PORT ([%s])", what, addr,
                               addr);
            return sc_fail(SC_EPARSE, "%s '%s' is not a numeric address (IPv4, or IPv6 as [ADDR]:PORT)",
                           what, addr);
        }
        len = colon ? (size_t)(colon - addr) : strlen(addr);
        if (colon) port_str = colon + 1;
    }
    if (len >= sizeof host) return sc_fail(SC_EPARSE, "%s '%s' is too long", what, addr);
    memcpy(host, addr + (v6 ? 1 : 0), len);
    host[len] = '\0';
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, probe) != 1)
        return sc_fail(SC_EPARSE, "%s '%s': '%s' is not a numeric IPv%d address", what, addr, host,
                       v6 ? 6 : 4);
    if (concrete && (!strcmp(host, "0.0.0.0") || (v6 && !memcmp(probe, &in6addr_any, sizeof in6addr_any))))
        return sc_fail(SC_EPARSE, "%s '%s': give a concrete address, not the wildcard", what, addr);
    *port_out = 0;
    if (port_str) {
        char *end;
        long port;
        errno = 0;
        port = strtol(port_str, &end, 10);
        if (!*port_str || *end || errno || port < 0 || port > 65535)
            return sc_fail(SC_EPARSE, "%s '%s': port '%s' is not a number from 0 to 65535", what, addr,
                           port_str);
        *port_out = (int)port;
    }
    *host_out = g_strdup(host);
    return SC_OK;
}

/* Decimal digits of v (at most 65535) at out; returns the end. */
static char *put_uint(char *out, unsigned v)
{
    char tmp[5];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < (int)sizeof tmp);
    while (n) *out++ = tmp[--n];
    return out;
}

bool sc_addr_format(const struct sockaddr *sa, char ip[SC_ADDR_IP_MAX], char *hostport)
{
    unsigned port;
    char *p;
    ip[0] = '\0';
    if (hostport) hostport[0] = '\0';
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        const unsigned char *b = (const unsigned char *)&in->sin_addr;
        p = ip;
        for (int i = 0; i < 4; i++) {
            if (i) *p++ = '.';
            p = put_uint(p, b[i]);
        }
        *p = '\0';
        port = ntohs(in->sin_port);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (!inet_ntop(AF_INET6, &in6->sin6_addr, ip, SC_ADDR_IP_MAX)) {
            ip[0] = '\0';
            return false;
        }
        port = ntohs(in6->sin6_port);
    } else {
        return false;
    }
    if (hostport) {
        size_t n = strlen(ip);
        p = hostport;
        if (sa->sa_family == AF_INET6) *p++ = '[';
        memcpy(p, ip, n);
        p += n;
        if (sa->sa_family == AF_INET6) *p++ = ']';
        *p++ = ':';
        p = put_uint(p, port);
        *p = '\0';
    }
    return true;
}
