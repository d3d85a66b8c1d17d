/* The SIP texts of a gateway, built as FreeSWITCH builds them. Pure
 * functions of the configuration and the local address: unit-tested. */
#ifndef SC_SIP_TEXT_H
#define SC_SIP_TEXT_H

#include "gateway_priv.h"

/* What a Remote-Party-ID says after the caller's name-addr. */
#define SC_RPID_PARAMS ";party=calling;screen=yes;privacy=off"

typedef struct sc_sip_texts {
    char *registrar_uri;  /* sip:PROXY[;transport=X]  (REGISTER and OPTIONS Request-URI) */
    char *from;           /* <sip:FROM-USER@FROM-DOMAIN> */
    char *from_rpid;      /* from;party=calling;screen=yes;privacy=off (Remote-Party-ID of a dial
                           * with the gateway's own caller: built once, not per call) */
    char *to;             /* = from, or <sip:USERNAME@PROXY> with distinct-to */
    char *contact;        /* <sip:EXT|gw+NAME@HOST:PORT;PARAMS;transport=X;gw=NAME> */
    char *contact_user;   /* EXT or gw+NAME */
    char *next_hop;       /* sip:REGISTER-PROXY;transport=X, or NULL */
    char *proxy_host;     /* PROXY host[:port] without scheme or params */
} sc_sip_texts;

/* local_host: numeric address (IPv6 without brackets); local_port: the port
 * of the gateway's transport. */
void sc_sip_texts_build(const sc_gateway *gw, const char *local_host, int local_port, sc_sip_texts *out);
void sc_sip_texts_clear(sc_sip_texts *t);

/* "sip:host:port;transport=tcp" or "host:port" -> "host:port" (new string);
 * params (without the leading ';') into *params when not NULL. */
char *sc_sip_hostport(const char *uri_or_host, char **params);

#endif
