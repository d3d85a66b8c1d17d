/* Direct bridge targets and the trunk.
 *
 * A dialplan may bridge to any SIP address, and nothing stops that address
 * from being the trunk's own: `sofia/external/$1@<trunk>` used to send
 * "INVITE sip:112@<trunk>" past every dial rule. So a target that resolves
 * to a gateway's trunk is dialled as that gateway (route.c turns it into
 * sofia/gateway/NAME/USER: dial rule, destination-prefix, emergency list,
 * channels), and every other target still gets the emergency refusal: a
 * local PBX may forward to the PSTN too.
 *
 * The trunk's address is its host and port, and for a gateway without
 * registration (the provider knows us by our address, IP auth) its host on
 * any port: such a provider takes our calls on every port it listens on,
 * so `sip:$1@<trunk>:5080` would be a dial-out past the rules. A provider
 * that challenges gets no answer from a call that is not a gateway's (only
 * a gateway's own calls carry its credentials). */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "bridge_target.h"
#include "calls_priv.h"
#include "dialrule_int.h"
#include "gateway_priv.h"
#include "sip_text.h"
#include "resolve.h"
#include "skypeconnect/sc_dialrule.h"

typedef struct addr {
    char *host;     /* without brackets */
    int port;
} addr;

/* host and port of "sip:user@host:port;params", "host:port", "[v6]:port". */
static bool parse_addr(const char *value, bool tls, addr *out)
{
    char *params = NULL, *hp = sc_sip_hostport(value, &params), *colon;
    bool secure = tls || !g_ascii_strncasecmp(value, "sips:", 5) || (params && strstr(params, "transport=tls"));
    out->port = secure ? 5061 : 5060;
    if (hp[0] == '[') {
        char *end = strchr(hp, ']');
        out->host = g_strndup(hp + 1, end ? (gsize)(end - hp - 1) : strlen(hp + 1));
        colon = end && end[1] == ':' ? end + 1 : NULL;
    } else {
        colon = strchr(hp, ':');
        out->host = colon ? g_strndup(hp, (gsize)(colon - hp)) : g_strdup(hp);
    }
    if (colon) out->port = atoi(colon + 1);
    g_free(hp);
    g_free(params);
    return *out->host != '\0';
}

static bool points_at(const addr *target, const char *value, bool tls, bool any_port)
{
    addr gw;
    bool same;
    if (!value || !*value || !parse_addr(value, tls, &gw)) return false;
    same = (any_port || gw.port == target->port) && sc_resolve_same_host(target->host, gw.host);
    g_free(gw.host);
    return same;
}

sc_reg *sc_bridge_target_trunk(sc_session *s, const char *uri)
{
    addr target;
    sc_reg *found = NULL;
    if (!parse_addr(uri, false, &target)) {
        g_free(target.host);
        return NULL;
    }
    for (guint i = 0; i < s->regs->len && !found; i++) {
        sc_reg *r = s->regs->pdata[i];
        bool tls = r->gw->register_transport == SC_TRANSPORT_TLS, ip_auth = !r->gw->do_register;
        if (points_at(&target, sc_gw_proxy(r->gw), tls, ip_auth) ||
            points_at(&target, r->gw->register_proxy, tls, ip_auth) ||
            points_at(&target, r->gw->outbound_proxy, tls, ip_auth))
            found = r;
    }
    g_free(target.host);
    return found;
}

/* Whether @p number ('+'? digits) is an emergency number for some list. */
static bool emergency_anywhere(sc_session *s, const char *number)
{
    if (sc_dialrule_is_emergency(NULL, number)) return true;
    for (guint i = 0; i < s->regs->len; i++) {
        const sc_dialrule *rule = NULL;
        if (sc_dial_gateway_rule(s->regs->pdata[i], &rule) == SC_OK && rule && sc_dialrule_is_emergency(rule, number))
            return true;
    }
    return false;
}

bool sc_bridge_target_emergency(sc_session *s, const char *user, char *why, size_t cap)
{
    GString *digits = g_string_new(NULL);
    const char *tail;
    bool hit;
    for (const char *p = user; *p; p++)
        if (!strchr("-._~", *p)) g_string_append_c(digits, *p);
    tail = NULL;
    for (const char *p = digits->str; *p; p++)
        if (*p == '*' || *p == '#') tail = p + 1;
    hit = emergency_anywhere(s, digits->str) || (tail && emergency_anywhere(s, tail));
    if (hit) {
        char show[SC_DIAL_SHOW_SIZE];
        g_snprintf(why, cap, "bridge target user '%s' is an emergency number: the trunk provider forbids emergency calls",
                   sc_dial_escape(show, sizeof show, user, strlen(user)));
    }
    g_string_free(digits, TRUE);
    return hit;
}
