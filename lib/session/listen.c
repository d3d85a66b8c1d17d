/* Where the session listens when the application did not say: on every
 * interface (Sofia's "sip:*" binds each local IPv4 and IPv6 address on the
 * same port), so a trunk on another host is reachable at all. It stays on
 * 127.0.0.1, which nothing outside the host can reach, when every gateway
 * points at loopback (the demo, the loopback trunk, tests) or when there is
 * no gateway yet: Sofia sends everything from its first address's socket,
 * so a session on every interface talks to a loopback peer from its LAN
 * address, which a loopback-only ACL (the internal side's default) refuses.
 * An application that adds its gateways after start binds "0.0.0.0".
 * An explicit bind always wins; an explicit wildcard ("0.0.0.0", "::")
 * counts as "every interface" too, so the Contact still gets a real address. */
#include <string.h>

#include "listen.h"
#include "stack.h"
#include "gateway_priv.h"
#include "local_addr.h"
#include "sip_text.h"

static bool is_wildcard(const char *host)
{
    return !strcmp(host, "0.0.0.0") || !strcmp(host, "::") || !strcmp(host, "*");
}

/* Every pending gateway's proxy is a loopback address (true when there is none). */
static bool all_gateways_on_loopback(sc_session *s)
{
    bool all = true;
    g_mutex_lock(&s->lock);
    for (guint i = 0; i < s->pending->len && all; i++) {
        char *hp = sc_sip_hostport(sc_gw_proxy(s->pending->pdata[i]), NULL), *end;
        if (hp[0] == '[') {
            if ((end = strchr(hp, ']'))) end[1] = '\0';
        } else if ((end = strchr(hp, ':')) && !strchr(end + 1, ':')) {
            *end = '\0';
        }
        all = sc_addr_is_loopback(hp);
        g_free(hp);
    }
    g_mutex_unlock(&s->lock);
    return all;
}

void sc_listen_choose(sc_session *s)
{
    if (s->bind_explicit) {
        s->listen_any = is_wildcard(s->bind_host);
        return;
    }
    s->listen_any = !all_gateways_on_loopback(s);
    if (s->listen_any) {
        g_free(s->bind_host);
        s->bind_host = g_strdup("0.0.0.0");
    }
}
