/* Which gateway an inbound INVITE belongs to, and whether it may call at all.
 *
 * FreeSWITCH ties a call to a gateway by the `gw+NAME` Contact user or the
 * `gw=NAME` Contact parameter it registered; we add the Request-URI user
 * (the DID / SIP username) and, for IP-authenticated trunks that register
 * nothing, the source address. Whatever matched, the INVITE must come from
 * the trunk: an address of the gateway's proxy, register-proxy or
 * outbound-proxy, or one the application's ACL allows. Anything else is
 * refused: toll fraud starts with an INVITE from somewhere else. */
#include <string.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/url.h>

#include "calls_priv.h"
#include "registration_priv.h"
#include "sip_text.h"
#include "resolve.h"

/* "host:port", "[v6]:port", "host" -> host */
static char *host_of(const char *value)
{
    char *hp = sc_sip_hostport(value, NULL), *host;
    if (hp[0] == '[') {
        char *end = strchr(hp, ']');
        host = g_strndup(hp + 1, end ? (gsize)(end - hp - 1) : strlen(hp + 1));
    } else {
        char *colon = strchr(hp, ':');
        host = colon ? g_strndup(hp, (gsize)(colon - hp)) : g_strdup(hp);
    }
    g_free(hp);
    return host;
}

/* Resolved once per gateway: a name is looked up when the first call
 * comes in (IP literals need no lookup). */
static void add_addresses(GPtrArray *ips, const char *value)
{
    char *host;
    if (!value || !*value) return;
    host = host_of(value);
    sc_resolve_ips(host, ips);
    g_free(host);
}

static GPtrArray *trunk_ips(sc_reg *r)
{
    if (!r->trunk_ips) {
        r->trunk_ips = g_ptr_array_new_with_free_func(g_free);
        add_addresses(r->trunk_ips, sc_gw_proxy(r->gw));
        add_addresses(r->trunk_ips, r->gw->register_proxy);
        add_addresses(r->trunk_ips, r->gw->outbound_proxy);
    }
    return r->trunk_ips;
}

static bool from_trunk(sc_reg *r, const char *ip)
{
    GPtrArray *ips = trunk_ips(r);
    for (guint i = 0; i < ips->len; i++)
        if (sc_ip_equal(ips->pdata[i], ip)) return true;
    return false;
}

static sc_reg *reg_named(sc_session *s, const char *name)
{
    for (guint i = 0; i < s->regs->len; i++)
        if (!strcmp(sc_reg_name(s->regs->pdata[i]), name)) return s->regs->pdata[i];
    return NULL;
}

/* FreeSWITCH's destination for a call tied to its gateway: the extension
 * ("auto_to_user"/"auto": the To user). */
static char *gateway_destination(sc_reg *r, const sip_t *sip, const char *ruri_user)
{
    const char *ext = sc_gw_extension(r->gw);
    if (!strcmp(ext, "auto_to_user") || !strcmp(ext, "auto"))
        return g_strdup(sip->sip_to && sip->sip_to->a_url->url_user ? sip->sip_to->a_url->url_user : ruri_user);
    return g_strdup(ext);
}

void sc_inbound_match_request(sc_session *s, const sip_t *sip, const char *source_ip, bool acl_ok,
                              sc_inbound_match *m)
{
    const url_t *ruri = sip->sip_request->rq_url;
    const char *user = ruri->url_user ? ruri->url_user : "";
    char gw_param[256] = "";

    memset(m, 0, sizeof *m);
    if (ruri->url_params) url_param(ruri->url_params, "gw", gw_param, sizeof gw_param);

    if (!strncmp(user, "gw+", 3) && (m->reg = reg_named(s, user + 3))) {
        m->matched_by = "gw_user";
        m->destination = gateway_destination(m->reg, sip, user);
    } else if (gw_param[0] && (m->reg = reg_named(s, gw_param))) {
        m->matched_by = "gw_param";
        m->destination = m->reg->gw->extension_set ? gateway_destination(m->reg, sip, user)
                                                   : g_strdup(user);
    } else {
        for (guint i = 0; i < s->regs->len && !m->reg; i++) {
            sc_reg *r = s->regs->pdata[i];
            if (*user && (!strcmp(user, r->sip.contact_user) || !strcmp(user, sc_gw_username(r->gw)) ||
                          !strcmp(user, sc_gw_extension(r->gw))))
                m->reg = r;
        }
        if (m->reg) {
            m->matched_by = "contact_user";
        } else {
            for (guint i = 0; i < s->regs->len && !m->reg; i++)
                if (from_trunk(s->regs->pdata[i], source_ip)) m->reg = s->regs->pdata[i];
            if (m->reg) m->matched_by = "source_address";
            else if (acl_ok && s->regs->len == 1) {
                m->reg = s->regs->pdata[0];
                m->matched_by = "acl";
            }
        }
        if (m->reg) m->destination = g_strdup(user);
    }

    if (!m->reg) {
        m->refusal = acl_ok ? "no_gateway" : "not_trunk";
        m->message = acl_ok
            ? g_strdup_printf("INVITE for '%s' from %s matches no gateway", user, source_ip)
            : g_strdup_printf("INVITE for '%s' from %s: not a trunk address (no gateway's proxy, "
                              "register-proxy or outbound-proxy, nor the inbound ACL)", user, source_ip);
        return;
    }
    if (!from_trunk(m->reg, source_ip) && !acl_ok) {
        m->refusal = "not_trunk";
        m->message = g_strdup_printf("INVITE for gateway '%s' (by %s) from %s: not the trunk's address",
                                     sc_reg_name(m->reg), m->matched_by, source_ip);
    }
}

void sc_inbound_match_clear(sc_inbound_match *m)
{
    g_free(m->destination);
    g_free(m->message);
    memset(m, 0, sizeof *m);
}
