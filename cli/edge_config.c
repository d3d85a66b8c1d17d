/* skypeconnect edge-config: the Kamailio configuration of an edge proxy that
 * puts several `skypeconnect run` instances behind one trunk account.
 *
 * The edge holds what the trunk sees as one customer: the registration, the
 * digest credential and the purchased channels. The instances register
 * nothing (register=false, proxy = the edge) and the edge spreads calls over
 * them with Kamailio's dispatcher. Everything the edge enforces about
 * numbers (dial rule, emergency numbers) comes from the library
 * (sc_rule_export_gateway()), never from a list kept here. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>

#include "cli.h"

typedef struct hostport {
    char *host;     /* without brackets */
    int port;
} hostport;

typedef struct edge_opts {
    const char *gateway_file, *gateway_name, *listen_text, *advertise_text, *control;
    hostport listen, advertise;
    GArray *instances;          /* hostport */
    int probe_interval;         /* seconds between OPTIONS probes */
    int flood_limit;            /* requests per 2 s from one address */
} edge_opts;

static int usage_error(const char *fmt, const char *value)
{
    fprintf(stderr, "skypeconnect edge-config: ");
    fprintf(stderr, fmt, value);
    fputc('\n', stderr);
    cli_usage(stderr, "edge-config");
    return CLI_EXIT_CONFIG;
}

/* "1.2.3.4:5060", "[::1]:5060", "host" (port 5060). */
static bool parse_hostport(const char *text, hostport *out)
{
    const char *colon;
    char *end;
    long port = 5060;
    if (!text || !*text) return false;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close == text + 1) return false;
        out->host = g_strndup(text + 1, (gsize)(close - text - 1));
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon) goto bad;
    } else {
        colon = strrchr(text, ':');
        if (colon && strchr(text, ':') != colon) goto bad_noalloc;   /* bare IPv6: needs brackets */
        out->host = colon ? g_strndup(text, (gsize)(colon - text)) : g_strdup(text);
    }
    if (!*out->host) goto bad;
    for (const char *c = out->host; *c; c++)
        if (!(g_ascii_isalnum(*c) || *c == '.' || *c == '-' || *c == ':')) goto bad;
    if (colon) {
        errno = 0;
        port = strtol(colon + 1, &end, 10);
        if (errno || *end || end == colon + 1 || port < 1 || port > 65535) goto bad;
    }
    out->port = (int)port;
    return true;
bad:
    g_free(out->host);
bad_noalloc:
    out->host = NULL;
    return false;
}

/* "host:port" as a SIP URI's hostport (IPv6 in brackets). */
static char *hp_text(const hostport *hp)
{
    return strchr(hp->host, ':') ? g_strdup_printf("[%s]:%d", hp->host, hp->port)
                                 : g_strdup_printf("%s:%d", hp->host, hp->port);
}

static int parse_int_opt(const char *opt, const char *value, int min, int max, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = value ? strtol(value, &end, 10) : 0;
    if (!value || errno || *end || end == value || v < min || v > max) {
        fprintf(stderr, "skypeconnect edge-config: %s '%s': expected a whole number from %d to %d\n", opt,
                value ? value : "", min, max);
        return CLI_EXIT_CONFIG;
    }
    *out = (int)v;
    return CLI_EXIT_OK;
}

/* The Kamailio configuration quotes these values in strings and in a
 * JSON-RPC call inside a string, and the uac credential is
 * "user:realm:password". Refuse what cannot be carried as it is rather than
 * escape it three ways. Never shows the value: it may be the password. */
static int check_carried(const char *gw, const char *param, const char *value, bool allow_colon)
{
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        bool printable = *c > 0x20 && *c < 0x7f;
        if (printable && !strchr("\"'\\$;|", *c) && (*c != ':' || allow_colon)) continue;
        if (printable)
            fprintf(stderr, "skypeconnect edge-config: gateway '%s': %s contains '%c', which", gw, param, *c);
        else
            fprintf(stderr, "skypeconnect edge-config: gateway '%s': %s contains a space or a non-ASCII "
                    "or control byte, which", gw, param);
        fprintf(stderr, " the Kamailio configuration cannot carry safely (no spaces, quotes, backslashes, "
                "'$', ';', '|'%s)\n", allow_colon ? "" : " or ':'");
        return CLI_EXIT_CONFIG;
    }
    return CLI_EXIT_OK;
}

/* "sip:host:port;transport=udp", "host:port", "host" -> hostport. */
static bool proxy_hostport(const char *proxy, hostport *out)
{
    char *text, *semi;
    bool ok;
    if (!proxy || !*proxy) return false;
    if (!g_ascii_strncasecmp(proxy, "sips:", 5)) proxy += 5;
    else if (!g_ascii_strncasecmp(proxy, "sip:", 4)) proxy += 4;
    text = g_strdup(proxy);
    if ((semi = strchr(text, ';'))) *semi = '\0';
    ok = parse_hostport(text, out);
    g_free(text);
    return ok;
}

/* A socket address's host part as text ("192.0.2.1", "2001:db8::1"),
 * without a link-local scope ("%eth0"): the text goes into Kamailio's
 * address lists and the Contact, where a scope has no meaning. Room for
 * 45 + 1 + 16 bytes, as getnameinfo() writes the scope first. */
#define ADDRESS_TEXT_MAX 64
static bool address_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
    if (getnameinfo(sa, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0) return false;
    buf[strcspn(buf, "%")] = '\0';
    return true;
}

/* Every address of @p host into @p ips (deduplicated): inbound calls are
 * accepted from these only, as the library's own inbound check does. */
static void add_addresses(GPtrArray *ips, const char *host)
{
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) return;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char buf[ADDRESS_TEXT_MAX];
        bool seen = false;
        if (!address_text(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf)) continue;
        for (guint i = 0; i < ips->len; i++) seen |= !strcmp(ips->pdata[i], buf);
        if (!seen) g_ptr_array_add(ips, g_strdup(buf));
    }
    freeaddrinfo(res);
}

static bool is_wildcard(const char *host)
{
    return !strcmp(host, "0.0.0.0") || !strcmp(host, "::");
}

/* The Contact the edge registers when no --advertise is given: the listen
 * address, or for a wildcard listen the local address the kernel routes to
 * the provider from (a UDP connect sends nothing). Behind NAT neither is
 * right, and the docs say to use --advertise. */
static bool advertise_default(edge_opts *o, const char *provider_ip, int provider_port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *res = NULL;
    struct sockaddr_storage local;
    socklen_t len = sizeof local;
    char port[8], buf[ADDRESS_TEXT_MAX];
    int fd = -1;
    bool ok = false;
    if (!is_wildcard(o->listen.host)) {
        o->advertise = (hostport){ g_strdup(o->listen.host), o->listen.port };
        return true;
    }
    snprintf(port, sizeof port, "%d", provider_port);
    if (getaddrinfo(provider_ip, port, &hints, &res) != 0) return false;
    fd = socket(res->ai_family, SOCK_DGRAM, 0);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0 &&
        getsockname(fd, (struct sockaddr *)&local, &len) == 0) {
        if (address_text((struct sockaddr *)&local, len, buf, sizeof buf)) {
            o->advertise = (hostport){ g_strdup(buf), o->listen.port };
            fprintf(stderr, "skypeconnect edge-config: registering %s:%d as the edge's address (the one that "
                    "reaches the provider); behind NAT give --advertise\n", buf, o->listen.port);
            ok = true;
        }
    }
    if (fd >= 0) close(fd);
    freeaddrinfo(res);
    return ok;
}

static const char *param(const sc_gateway *gw, const char *name)
{
    const char *v = sc_gateway_get(gw, name);
    return v ? v : "";
}

static void emit_header(FILE *out, const edge_opts *o, const sc_gateway *gw, const sc_rule_export *rules)
{
    fprintf(out,
            "#!KAMAILIO\n"
            "#\n"
            "# Edge proxy for gateway '%s' from %s,\n"
            "# generated by skypeconnect %s edge-config. Regenerate rather than edit: the\n"
            "# dial rule and emergency numbers below come from the library's own tables.\n"
            "#\n"
            "# This file contains the trunk password: install it readable by Kamailio\n"
            "# only (chmod 0640, owner root, group kamailio).\n"
            "#\n"
            "# Provider -> edge -> one of %u instance%s (dispatcher set 1, OPTIONS probe every %d s);\n"
            "# instances -> edge -> provider, digest answered here (uac_auth).\n"
            "# Dial rule: %s\n"
            "# Emergency numbers (refused at the edge after any prefixes): %s\n",
            sc_gateway_name(gw), o->gateway_file, sc_version(), o->instances->len,
            o->instances->len == 1 ? "" : "s", o->probe_interval, sc_rule_export_describe(rules),
            sc_rule_export_emergency_list(rules));
}

static void emit_globals(FILE *out, const edge_opts *o)
{
    char *listen = hp_text(&o->listen);
    fprintf(out,
            "\n####### Global parameters #########\n"
            "debug=2\n"
            "log_stderror=no\n"
            "log_facility=LOG_LOCAL0\n"
            "children=4\n"
            "auto_aliases=no\n"
            "server_header=\"Server: skypeconnect-edge\"\n"
            "user_agent_header=\"User-Agent: skypeconnect-edge\"\n"
            "listen=udp:%s\n"
            "# modules from Kamailio's own module path (no mpath: any architecture)\n",
            listen);
    g_free(listen);
}

static void emit_modules(FILE *out, const edge_opts *o, const sc_gateway *gw, const char *cred_realm,
                         const char *password)
{
    static const char *const mods[] = {
        "kex", "corex", "tm", "tmx", "sl", "rr", "pv", "maxfwd", "textops", "siputils", "xlog",
        "sanity", "cfgutils", "db_text", "dialog", "dispatcher", "uac", "jsonrpcs", "pike", "ctl",
    };
    fprintf(out, "\n####### Modules #########\n");
    for (size_t i = 0; i < G_N_ELEMENTS(mods); i++) fprintf(out, "loadmodule \"%s.so\"\n", mods[i]);
    fprintf(out,
            "\n# the control socket (kamcmd -s ...): drain an instance with dispatcher.set_state\n"
            "modparam(\"ctl\", \"binrpc\", \"%s\")\n"
            "# JSON-RPC only from this file (the start-up calls below): no FIFO, no HTTP\n"
            "modparam(\"jsonrpcs\", \"transport\", 2)\n"
            "modparam(\"jsonrpcs\", \"fifo_name\", \"\")\n"
            "\n# a 2xx, 1xx or nothing within 2 s: try the next instance\n"
            "modparam(\"tm\", \"fr_timer\", 2000)\n"
            "modparam(\"tm\", \"fr_inv_timer\", 60000)\n"
            "\n# the purchased channels, counted across every instance (lock: route[CHANNELS])\n"
            "modparam(\"cfgutils\", \"lock_set_size\", 4)\n"
            "modparam(\"dialog\", \"profiles_no_value\", \"channels\")\n"
            "modparam(\"dialog\", \"default_timeout\", 43200)\n"
            "\n# the instances: added at start-up (event_route[core:worker-one-init]);\n"
            "# the empty db_text schema shipped with Kamailio stands for the database\n"
            "modparam(\"dispatcher\", \"db_url\", \"text:///usr/share/kamailio/dbtext/kamailio\")\n"
            "# 2: failover support (ds_next_dst, ds_mark_dst)\n"
            "modparam(\"dispatcher\", \"flags\", 2)\n"
            "# each dispatcher.add counts as a reload: allow them back to back\n"
            "modparam(\"dispatcher\", \"reload_delta\", 0)\n"
            "modparam(\"dispatcher\", \"ds_ping_interval\", %d)\n"
            "modparam(\"dispatcher\", \"ds_probing_mode\", 1)\n"
            "modparam(\"dispatcher\", \"ds_probing_threshold\", 1)\n"
            "modparam(\"dispatcher\", \"ds_inactive_threshold\", 1)\n"
            "modparam(\"dispatcher\", \"ds_ping_reply_codes\", \"class=2\")\n"
            "\n# the trunk account: registration (uac_reg, added at start-up) and the\n"
            "# credential answering the provider's challenges to dial-outs\n"
            "modparam(\"uac\", \"reg_db_url\", \"text:///usr/share/kamailio/dbtext/kamailio\")\n"
            "modparam(\"uac\", \"reg_timer_interval\", 5)\n"
            "modparam(\"uac\", \"reg_retry_interval\", 30)\n"
            "modparam(\"uac\", \"credential\", \"%s:%s:%s\")\n"
            "\n# flood protection for everything but the instances: more than %d requests\n"
            "# in 2 s from one address and it is ignored for a while\n"
            "modparam(\"pike\", \"sampling_time_unit\", 2)\n"
            "modparam(\"pike\", \"reqs_density_per_unit\", %d)\n"
            "modparam(\"pike\", \"remove_latency\", 4)\n",
            o->control, o->probe_interval, param(gw, "auth-username"), cred_realm, password,
            o->flood_limit, o->flood_limit);
    {
        char *adv = hp_text(&o->advertise);
        fprintf(out, "# the Contact registered at the provider: where it sends calls\n"
                     "modparam(\"uac\", \"reg_contact_addr\", \"%s\")\n", adv);
        g_free(adv);
    }
}

static void emit_startup(FILE *out, const edge_opts *o, const sc_gateway *gw, const char *password,
                         const hostport *reg_proxy)
{
    const char *user = param(gw, "username"), *realm = param(gw, "realm");
    char *proxy = hp_text(reg_proxy), *contact = hp_text(&o->advertise);
    fprintf(out,
            "\n####### Start-up #########\n"
            "event_route[core:worker-one-init] {\n"
            "\t# the trunk registration: l_uuid, l_username, l_domain, r_username, r_domain,\n"
            "\t# realm, auth_username, auth_password, auth_ha1, auth_proxy, expires, flags,\n"
            "\t# reg_delay, contact_addr, socket\n"
            "\tjsonrpc_exec('{\"jsonrpc\":\"2.0\",\"method\":\"uac.reg_add\",\"params\":[\"%s\",\"%s\",\"%s\","
            "\"%s\",\"%s\",\"\",\"%s\",\"%s\",\".\",\"sip:%s\",%s,0,0,\"%s\",\".\"],\"id\":1}');\n"
            "\tif ($jsonrpl(body) =~ \"error\") {\n"
            "\t\txlog(\"L_ALERT\", \"EDGE registration of %s could not be added\\n\");\n"
            "\t}\n",
            user, user, realm, user, realm, param(gw, "auth-username"), password, proxy,
            param(gw, "expire-seconds"), contact, user);
    for (guint i = 0; i < o->instances->len; i++) {
        char *hp = hp_text(&g_array_index(o->instances, hostport, i));
        fprintf(out,
                "\tjsonrpc_exec('{\"jsonrpc\":\"2.0\",\"method\":\"dispatcher.add\",\"params\":[1,\"sip:%s\",0,0,\"\"],"
                "\"id\":%u}');\n"
                "\tif ($jsonrpl(body) =~ \"error\") {\n"
                "\t\txlog(\"L_ALERT\", \"EDGE instance sip:%s could not be added\\n\");\n\t}\n",
                hp, i + 2, hp);
        g_free(hp);
    }
    fprintf(out, "}\n");
    g_free(proxy);
    g_free(contact);
}

static void emit_routes(FILE *out, const sc_gateway *gw, const sc_rule_export *rules, GPtrArray *provider_ips,
                        const hostport *out_proxy)
{
    int max_channels = atoi(param(gw, "max-channels"));
    char *proxy = hp_text(out_proxy);
    const char *dial_re = sc_rule_export_dial_regex(rules);

    fprintf(out, "\n####### Routing #########\nrequest_route {\n"
                 "\tif (!mf_process_maxfwd_header(\"10\")) {\n"
                 "\t\tsl_send_reply(\"483\", \"Too Many Hops\");\n\t\texit;\n\t}\n"
                 "\t$var(side) = \"stranger\";\n"
                 "\t# instances are machines: any port of their address (mode 3)\n"
                 "\tif (ds_is_from_list(\"1\", \"3\")) {\n\t\t$var(side) = \"instance\";\n\t}");
    for (guint i = 0; i < provider_ips->len; i++)
        fprintf(out, " else if ($si == \"%s\") {\n\t\t$var(side) = \"provider\";\n\t}", (char *)provider_ips->pdata[i]);
    fprintf(out,
            "\n\tif ($var(side) != \"instance\" && !pike_check_req()) {\n"
            "\t\txlog(\"L_WARN\", \"EDGE flood from $si: $rm dropped\\n\");\n\t\texit;\n\t}\n"
            "\tif (is_method(\"OPTIONS\") && uri == myself && $rU == $null) {\n"
            "\t\tsl_send_reply(\"200\", \"Edge alive\");\n\t\texit;\n\t}\n"
            "\tif ($var(side) == \"stranger\") {\n"
            "\t\txlog(\"L_NOTICE\", \"EDGE refused $rm from $si:$sp: neither the provider nor an instance\\n\");\n"
            "\t\tsl_send_reply(\"403\", \"Forbidden\");\n\t\texit;\n\t}\n"
            "\tif (is_method(\"CANCEL\")) {\n\t\tif (t_check_trans()) {\n\t\t\tt_relay();\n\t\t}\n\t\texit;\n\t}\n"
            "\tif (has_totag()) {\n\t\troute(WITHINDLG);\n\t\texit;\n\t}\n"
            "\tif (is_method(\"ACK\")) {\n\t\tif (t_check_trans()) {\n\t\t\tt_relay();\n\t\t}\n\t\texit;\n\t}\n"
            "\tif (!is_method(\"INVITE\")) {\n"
            "\t\tsl_send_reply(\"405\", \"Method Not Allowed\");\n\t\texit;\n\t}\n"
            "\tif ($var(side) == \"provider\") {\n\t\troute(INBOUND);\n\t} else {\n\t\troute(OUTBOUND);\n\t}\n"
            "\texit;\n}\n");

    fprintf(out, "\nroute[WITHINDLG] {\n"
                 "\tif (loose_route()) {\n\t\tif (!t_relay()) {\n\t\t\tsl_reply_error();\n\t\t}\n\t\texit;\n\t}\n"
                 "\tif (is_method(\"ACK\")) {\n\t\tif (t_check_trans()) {\n\t\t\tt_relay();\n\t\t}\n\t\texit;\n\t}\n"
                 "\tsl_send_reply(\"404\", \"Not here\");\n\texit;\n}\n");

    /* get_profile_size then set_dlg_profile is two steps: the lock makes
     * them one, or two workers could both take the last channel */
    fprintf(out, "\n# max-channels of the gateway, across every instance and both directions\n"
                 "route[CHANNELS] {\n");
    if (max_channels > 0)
        fprintf(out,
                "\tlock(\"channels\");\n"
                "\tget_profile_size(\"channels\", \"$var(busy)\");\n"
                "\tif ($var(busy) >= %d) {\n"
                "\t\tunlock(\"channels\");\n"
                "\t\txlog(\"L_NOTICE\", \"EDGE refused $var(side) call $ci to $rU: all %d channels busy\\n\");\n"
                "\t\tsl_send_reply(\"503\", \"All channels of the trunk are busy\");\n\t\texit;\n\t}\n"
                "\tdlg_manage();\n"
                "\tset_dlg_profile(\"channels\");\n"
                "\tunlock(\"channels\");\n",
                max_channels, max_channels);
    else
        fprintf(out, "\t# max-channels is 0: unlimited, but the dialogs are still tracked\n\tdlg_manage();\n");
    fprintf(out, "}\n");

    fprintf(out,
            "\n# provider -> one healthy instance, round robin; the next one on a timeout or 5xx\n"
            "route[INBOUND] {\n"
            "\troute(CHANNELS);\n"
            "\t# instances match the gateway by its username in the Request-URI\n"
            "\t$rU = \"%s\";\n"
            "\trecord_route();\n"
            "\tif (!ds_select_dst(\"1\", \"4\")) {\n"
            "\t\txlog(\"L_ALERT\", \"EDGE no instance available for call $ci\\n\");\n"
            "\t\tsend_reply(\"503\", \"No instance available\");\n\t\texit;\n\t}\n"
            "\txlog(\"L_NOTICE\", \"EDGE inbound call $ci to $du\\n\");\n"
            "\tt_on_failure(\"FAILOVER\");\n"
            "\tif (!t_relay()) {\n\t\tsl_reply_error();\n\t}\n\texit;\n}\n"
            "\nfailure_route[FAILOVER] {\n"
            "\tif (t_is_canceled()) {\n\t\texit;\n\t}\n"
            "\tif (t_branch_timeout() || t_check_status(\"5[0-9][0-9]\")) {\n"
            "\t\tif (t_branch_timeout() && !t_branch_replied()) {\n"
            "\t\t\t# silent: take it out until a probe is answered again\n"
            "\t\t\tds_mark_dst(\"ip\");\n\t\t}\n"
            "\t\tif (ds_next_dst()) {\n"
            "\t\t\txlog(\"L_NOTICE\", \"EDGE inbound call $ci failed over to $du\\n\");\n"
            "\t\t\tt_on_failure(\"FAILOVER\");\n\t\t\tt_relay();\n\t\t\texit;\n\t\t}\n\t}\n}\n",
            param(gw, "username"));

    fprintf(out,
            "\n# instance -> provider: the library's number rules again, then the trunk\n"
            "route[OUTBOUND] {\n"
            "\tif ($rU =~ \"%s\") {\n"
            "\t\txlog(\"L_WARN\", \"EDGE refused call $ci from $si to $rU: an emergency number\\n\");\n"
            "\t\tsl_send_reply(\"403\", \"Emergency numbers are not carried by this trunk\");\n\t\texit;\n\t}\n",
            sc_rule_export_emergency_regex(rules));
    if (dial_re)
        fprintf(out,
                "\tif (!($rU =~ \"%s\") || !($rU =~ \"%s\")) {\n"
                "\t\txlog(\"L_WARN\", \"EDGE refused call $ci from $si to $rU: outside the dial rule\\n\");\n"
                "\t\tsl_send_reply(\"403\", \"Number not allowed by the dial rule\");\n\t\texit;\n\t}\n",
                sc_rule_export_number_regex(rules), dial_re);
    else
        fprintf(out, "\t# the gateway has no dial rule: dial-out is off\n"
                     "\tsl_send_reply(\"403\", \"Dial-out is off for this trunk\");\n\texit;\n");
    fprintf(out,
            "\troute(CHANNELS);\n"
            "\trecord_route();\n"
            "\t$du = \"sip:%s\";\n"
            "\txlog(\"L_NOTICE\", \"EDGE outbound call $ci from $si to $rU\\n\");\n"
            "\tt_on_failure(\"TRUNK_AUTH\");\n"
            "\tif (!t_relay()) {\n\t\tsl_reply_error();\n\t}\n\texit;\n}\n"
            "\n# the provider's digest challenge, answered once with the account's credential\n"
            "failure_route[TRUNK_AUTH] {\n"
            "\tif (t_is_canceled()) {\n\t\texit;\n\t}\n"
            "\tif (t_check_status(\"401|407\") && uac_auth()) {\n"
            "\t\tt_relay();\n\t}\n}\n",
            proxy);
    g_free(proxy);
}

static int generate(edge_opts *o, const sc_gateway *gw)
{
    hostport proxy = { 0 }, reg_proxy = { 0 }, out_proxy = { 0 };
    GPtrArray *provider_ips = g_ptr_array_new_with_free_func(g_free);
    sc_rule_export *rules = NULL;
    char *password = NULL, *cred_realm = NULL;
    const char *name = sc_gateway_name(gw);
    int rc = CLI_EXIT_CONFIG;

    if (!proxy_hostport(param(gw, "proxy"), &proxy)) {
        fprintf(stderr, "skypeconnect edge-config: gateway '%s': proxy '%s' is not host[:port]\n", name,
                param(gw, "proxy"));
        goto out;
    }
    if (!*param(gw, "register-proxy") || !proxy_hostport(param(gw, "register-proxy"), &reg_proxy))
        reg_proxy = (hostport){ g_strdup(proxy.host), proxy.port };
    if (!*param(gw, "outbound-proxy") || !proxy_hostport(param(gw, "outbound-proxy"), &out_proxy))
        out_proxy = (hostport){ g_strdup(proxy.host), proxy.port };
    add_addresses(provider_ips, proxy.host);
    add_addresses(provider_ips, reg_proxy.host);
    add_addresses(provider_ips, out_proxy.host);
    if (!provider_ips->len) {
        fprintf(stderr, "skypeconnect edge-config: gateway '%s': proxy host '%s' does not resolve: the edge "
                "could not tell the provider's calls from anyone else's\n", name, proxy.host);
        goto out;
    }
    if (!o->advertise.host && !advertise_default(o, provider_ips->pdata[0], reg_proxy.port)) {
        fprintf(stderr, "skypeconnect edge-config: --listen %s is every address and none of them reaches "
                "the provider at %s: give the address to register with --advertise HOST:PORT\n",
                o->listen_text, (char *)provider_ips->pdata[0]);
        goto out;
    }
    if (!(password = sc_gateway_password(gw))) {
        fprintf(stderr, "skypeconnect edge-config: gateway '%s': no password: the edge registers and "
                "answers the provider's challenges with it\n", name);
        goto out;
    }
    /* a digest realm is a name; the gateway's realm may carry a port */
    {
        hostport r = { 0 };
        cred_realm = parse_hostport(param(gw, "realm"), &r) ? r.host : g_strdup(param(gw, "realm"));
    }
    if (check_carried(name, "password", password, false) || check_carried(name, "username", param(gw, "username"), false) ||
        check_carried(name, "auth-username", param(gw, "auth-username"), false) ||
        check_carried(name, "realm", param(gw, "realm"), true) || check_carried(name, "realm", cred_realm, false))
        goto out;
    if (!(rules = sc_rule_export_gateway(gw))) {
        fprintf(stderr, "skypeconnect edge-config: %s\n", sc_last_error());
        goto out;
    }

    emit_header(stdout, o, gw, rules);
    emit_globals(stdout, o);
    emit_modules(stdout, o, gw, cred_realm, password);
    emit_startup(stdout, o, gw, password, &reg_proxy);
    emit_routes(stdout, gw, rules, provider_ips, &out_proxy);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "skypeconnect edge-config: writing the configuration failed: %s\n", g_strerror(errno));
        rc = CLI_EXIT_FAILED;
    } else {
        rc = CLI_EXIT_OK;
    }
out:
    if (password) {
        memset(password, 0, strlen(password));
        sc_free(password);
    }
    g_free(cred_realm);
    g_free(proxy.host);
    g_free(reg_proxy.host);
    g_free(out_proxy.host);
    sc_rule_export_free(rules);
    g_ptr_array_free(provider_ips, TRUE);
    return rc;
}

/* CLI_EXIT_OK, CLI_EXIT_CONFIG (said why), or -1 after printing --help. */
static int parse_args(int argc, char **argv, edge_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli_usage(stdout, "edge-config");
            return -1;
        }
        bool takes = !strcmp(a, "--gateway") || !strcmp(a, "--name") || !strcmp(a, "--instance") ||
                     !strcmp(a, "--listen") || !strcmp(a, "--advertise") || !strcmp(a, "--probe-interval") ||
                     !strcmp(a, "--flood-limit") || !strcmp(a, "--control");
        if (!takes) return usage_error("unknown option '%s'", a);
        if (!v) return usage_error("%s needs a value", a);
        i++;
        if (!strcmp(a, "--gateway")) o->gateway_file = v;
        else if (!strcmp(a, "--name")) o->gateway_name = v;
        else if (!strcmp(a, "--listen")) o->listen_text = v;
        else if (!strcmp(a, "--advertise")) o->advertise_text = v;
        else if (!strcmp(a, "--control")) o->control = v;
        else if (!strcmp(a, "--probe-interval")) {
            if (parse_int_opt(a, v, 1, 3600, &o->probe_interval)) return CLI_EXIT_CONFIG;
        } else if (!strcmp(a, "--flood-limit")) {
            if (parse_int_opt(a, v, 1, 1000000, &o->flood_limit)) return CLI_EXIT_CONFIG;
        } else {
            hostport hp = { 0 };
            if (!parse_hostport(v, &hp)) return usage_error("--instance '%s': expected HOST:PORT", v);
            g_array_append_val(o->instances, hp);
        }
    }
    if (!o->gateway_file) return usage_error("%s", "--gateway FILE is required");
    if (!o->instances->len) return usage_error("%s", "at least one --instance HOST:PORT is required");
    if (!parse_hostport(o->listen_text, &o->listen)) return usage_error("--listen '%s': expected HOST:PORT", o->listen_text);
    if (o->advertise_text && !parse_hostport(o->advertise_text, &o->advertise))
        return usage_error("--advertise '%s': expected HOST:PORT", o->advertise_text);
    if (strncmp(o->control, "unix:", 5) && strncmp(o->control, "udp:", 4) && strncmp(o->control, "tcp:", 4))
        return usage_error("--control '%s': expected unix:PATH, udp:HOST:PORT or tcp:HOST:PORT", o->control);
    if (check_carried("-", "--control", o->control, true)) return CLI_EXIT_CONFIG;
    return CLI_EXIT_OK;
}

int cli_edge_config(int argc, char **argv)
{
    edge_opts o = { .listen_text = "0.0.0.0:5060", .control = "unix:/run/kamailio/kamailio_ctl",
                    .probe_interval = 5, .flood_limit = 200 };
    sc_config *cfg = NULL;
    const sc_gateway *gw = NULL;
    int rc;

    o.instances = g_array_new(FALSE, TRUE, sizeof(hostport));
    rc = parse_args(argc, argv, &o);
    if (rc < 0) {                       /* --help: printed */
        rc = CLI_EXIT_OK;
        goto out;
    }
    if (rc != CLI_EXIT_OK) goto out;

    cfg = sc_config_new();
    if (cli_load_gateways(cfg, (char **)&o.gateway_file, 1, stderr) > 0) {
        rc = CLI_EXIT_CONFIG;
        goto out;
    }
    if (o.gateway_name) {
        gw = sc_config_find_gateway(cfg, o.gateway_name);
        if (!gw) {
            fprintf(stderr, "skypeconnect edge-config: --name '%s': no such gateway in %s\n", o.gateway_name,
                    o.gateway_file);
            rc = CLI_EXIT_CONFIG;
            goto out;
        }
    } else if (sc_config_gateway_count(cfg) != 1) {
        fprintf(stderr, "skypeconnect edge-config: %s has %zu gateways: choose one with --name\n", o.gateway_file,
                sc_config_gateway_count(cfg));
        rc = CLI_EXIT_CONFIG;
        goto out;
    } else {
        gw = sc_config_gateway_at(cfg, 0);
    }
    rc = generate(&o, gw);
out:
    for (guint i = 0; i < o.instances->len; i++) g_free(g_array_index(o.instances, hostport, i).host);
    g_array_free(o.instances, TRUE);
    g_free(o.listen.host);
    g_free(o.advertise.host);
    sc_config_free(cfg);
    return rc;
}
