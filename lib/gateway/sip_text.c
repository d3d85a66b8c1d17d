/* FreeSWITCH's rules for a gateway's Request-URI, From, To and Contact
 * (mod_sofia sofia.c parse_gateways). */
#include <string.h>
#include <glib.h>

#include "sip_text.h"
#include "free_all.h"

char *sc_sip_hostport(const char *uri_or_host, char **params)
{
    const char *p = uri_or_host ? uri_or_host : "";
    const char *semi;
    if (!g_ascii_strncasecmp(p, "sips:", 5)) p += 5;
    else if (!g_ascii_strncasecmp(p, "sip:", 4)) p += 4;
    /* a user part ("user@host") is not part of the next hop */
    if (strchr(p, '@') && (!strchr(p, ';') || strchr(p, '@') < strchr(p, ';')))
        p = strchr(p, '@') + 1;
    semi = strchr(p, ';');
    if (params) *params = semi ? g_strdup(semi + 1) : NULL;
    return semi ? g_strndup(p, (gsize)(semi - p)) : g_strdup(p);
}

static bool has_transport_param(const char *params)
{
    return params && strstr(params, "transport=") != NULL;
}

/* sip:HOSTPORT[;params][;transport=X] */
static char *uri_with_transport(const char *value, sc_transport t)
{
    char *params = NULL, *host = sc_sip_hostport(value, &params), *uri;
    GString *b = g_string_new("sip:");
    g_string_append(b, host);
    if (params && *params) g_string_append_printf(b, ";%s", params);
    if (t != SC_TRANSPORT_UDP && !has_transport_param(params))
        g_string_append_printf(b, ";transport=%s", sc_transport_name(t));
    uri = g_string_free(b, FALSE);
    g_free(host);
    g_free(params);
    return uri;
}

void sc_sip_texts_build(const sc_gateway *gw, const char *local_host, int local_port, sc_sip_texts *out)
{
    sc_transport t = gw->register_transport;
    char *from_domain = sc_sip_hostport(sc_gw_from_domain(gw), NULL);
    const char *chost = gw->contact_host && *gw->contact_host ? gw->contact_host : local_host;
    bool v6 = strchr(chost, ':') != NULL && chost[0] != '[';
    GString *c = g_string_new(NULL);

    memset(out, 0, sizeof *out);
    out->proxy_host = sc_sip_hostport(sc_gw_proxy(gw), NULL);
    out->registrar_uri = uri_with_transport(sc_gw_proxy(gw), t);
    out->from = g_strdup_printf("<sip:%s@%s>", sc_gw_from_user(gw), from_domain);
    out->from_rpid = g_strconcat(out->from, SC_RPID_PARAMS, NULL);
    out->to = gw->distinct_to ? g_strdup_printf("<sip:%s@%s>", sc_gw_username(gw), out->proxy_host)
                              : g_strdup(out->from);
    out->contact_user = gw->extension_in_contact ? g_strdup(sc_gw_extension(gw))
                                                 : g_strdup_printf("gw+%s", gw->name);
    /* FreeSWITCH: contact-params first, then ;transport=X;gw=NAME always.
     * Over TLS the scheme stays sip: with transport=tls, since some providers
     * refuse a sips: Contact (sofia-sip#302). */
    g_string_append_printf(c, "<sip:%s@%s%s%s:%d", out->contact_user, v6 ? "[" : "", chost,
                           v6 ? "]" : "", local_port);
    if (gw->contact_params && *gw->contact_params)
        g_string_append_printf(c, "%s%s", gw->contact_params[0] == ';' ? "" : ";", gw->contact_params);
    g_string_append_printf(c, ";transport=%s;gw=%s>", sc_transport_name(t), gw->name);
    out->contact = g_string_free(c, FALSE);
    out->next_hop = gw->register_proxy && *gw->register_proxy
                        ? uri_with_transport(gw->register_proxy, t) : NULL;
    g_free(from_domain);
}

void sc_sip_texts_clear(sc_sip_texts *t)
{
    SC_FREE_ALL(t->registrar_uri, t->from, t->from_rpid, t->to, t->contact, t->contact_user, t->next_hop,
                t->proxy_host);
    memset(t, 0, sizeof *t);
}
