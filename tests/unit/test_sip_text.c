/* Request-URI, From, To and Contact as FreeSWITCH builds them. */
#include "sc_test.h"
#include "sip_text.h"
#include "skypeconnect/skypeconnect.h"

static sc_gateway *skype_page_gateway(void)
{
    sc_gateway *gw = sc_gateway_new("skype");
    sc_gateway_set(gw, "realm", "127.0.0.1:5070");
    sc_gateway_set(gw, "proxy", "127.0.0.1:5070");
    sc_gateway_set(gw, "from-domain", "sip.example.net");
    sc_gateway_set(gw, "username", "99051000");
    sc_gateway_set(gw, "from-user", "99051000");
    sc_gateway_set(gw, "password", "secret");
    sc_gateway_set(gw, "contact-params", "");
    sc_gateway_set(gw, "extension", "99051000");
    sc_gateway_set(gw, "extension-in-contact", "true");
    sc_gateway_set(gw, "retry-seconds", "30");
    sc_gateway_set(gw, "caller-id-in-from", "false");
    return gw;
}

static void skype_page_gateway_texts(void)
{
    sc_gateway *gw = skype_page_gateway();
    sc_sip_texts t;
    sc_sip_texts_build(gw, "127.0.0.1", 40000, &t);
    CHECK_STR(t.registrar_uri, "sip:127.0.0.1:5070");
    CHECK_STR(t.from, "<sip:99051000@sip.example.net>");
    CHECK_STR(t.to, t.from);
    CHECK_STR(t.contact, "<sip:99051000@127.0.0.1:40000;transport=udp;gw=skype>");
    CHECK_STR(t.contact_user, "99051000");
    CHECK(t.next_hop == NULL);
    sc_sip_texts_clear(&t);
    sc_gateway_free(gw);
}

static void contact_without_extension_is_gw_plus_name(void)
{
    sc_gateway *gw = skype_page_gateway();
    sc_sip_texts t;
    sc_gateway_set(gw, "extension-in-contact", "false");
    sc_gateway_set(gw, "contact-params", "tgrp=1;trunk-context=x");
    sc_sip_texts_build(gw, "::1", 5080, &t);
    CHECK_STR(t.contact, "<sip:gw+skype@[::1]:5080;tgrp=1;trunk-context=x;transport=udp;gw=skype>");
    sc_sip_texts_clear(&t);
    sc_gateway_free(gw);
}

static void transport_and_register_proxy(void)
{
    sc_gateway *gw = skype_page_gateway();
    sc_sip_texts t;
    sc_gateway_set(gw, "register-transport", "tcp");
    sc_gateway_set(gw, "register-proxy", "10.0.0.1:5061");
    sc_gateway_set(gw, "distinct-to", "true");
    sc_gateway_set(gw, "contact-host", "203.0.113.5");
    sc_sip_texts_build(gw, "127.0.0.1", 40000, &t);
    CHECK_STR(t.registrar_uri, "sip:127.0.0.1:5070;transport=tcp");
    CHECK_STR(t.next_hop, "sip:10.0.0.1:5061;transport=tcp");
    CHECK_STR(t.to, "<sip:99051000@127.0.0.1:5070>");
    CHECK_STR(t.contact, "<sip:99051000@203.0.113.5:40000;transport=tcp;gw=skype>");
    sc_sip_texts_clear(&t);
    sc_gateway_free(gw);
}

static void proxy_written_as_uri(void)
{
    sc_gateway *gw = skype_page_gateway();
    sc_sip_texts t;
    sc_gateway_set(gw, "proxy", "sip:127.0.0.1:5070;transport=tcp");
    sc_gateway_set(gw, "register-transport", "tcp");
    sc_gateway_set(gw, "from-domain", "");
    sc_sip_texts_build(gw, "127.0.0.1", 40000, &t);
    CHECK_STR(t.registrar_uri, "sip:127.0.0.1:5070;transport=tcp");
    CHECK_STR(t.proxy_host, "127.0.0.1:5070");
    sc_sip_texts_clear(&t);
    sc_gateway_free(gw);
}

static void tls_contact_keeps_sip_scheme(void)
{
    sc_gateway *gw = skype_page_gateway();
    sc_sip_texts t;
    sc_gateway_set(gw, "register-transport", "tls");
    sc_sip_texts_build(gw, "127.0.0.1", 40001, &t);
    CHECK_STR(t.contact, "<sip:99051000@127.0.0.1:40001;transport=tls;gw=skype>");
    CHECK_STR(t.registrar_uri, "sip:127.0.0.1:5070;transport=tls");
    sc_sip_texts_clear(&t);
    sc_gateway_free(gw);
}

static void hostport_parsing(void)
{
    char *params = NULL, *h = sc_sip_hostport("sip:user@host.example:5060;transport=tcp;lr", &params);
    CHECK_STR(h, "host.example:5060");
    CHECK_STR(params, "transport=tcp;lr");
    sc_free(h);
    sc_free(params);
    h = sc_sip_hostport("", NULL);
    CHECK_STR(h, "");
    sc_free(h);
}

SC_TEST_MAIN(TEST(skype_page_gateway_texts), TEST(contact_without_extension_is_gw_plus_name),
             TEST(transport_and_register_proxy), TEST(proxy_written_as_uri),
             TEST(tls_contact_keeps_sip_scheme), TEST(hostport_parsing))
