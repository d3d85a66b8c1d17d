/* SDP text <-> sc_media_desc through Sofia-SIP's SDP parser and printer.
 * Only the a=crypto and a=rtcp values, which Sofia leaves as text, are split here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>
#include "media_priv.h"
#include "error_priv.h"

static void read_crypto(const char *value, sc_media_desc *out)
{
    /* "1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^20|1:32" (RFC 4568) */
    if (out->ncrypto >= SC_MEDIA_MAX_CRYPTO || !value) return;
    char **w = g_strsplit_set(value, " \t", -1);
    if (w[0] && w[1] && w[2] && !strncmp(w[2], "inline:", 7)) {
        sc_media_crypto *c = &out->crypto[out->ncrypto];
        char *end;
        long tag = strtol(w[0], &end, 10);
        if (*end == '\0' && tag >= 0 && tag < 1000000000) {
            c->tag = (int)tag;
            g_strlcpy(c->suite, w[1], sizeof c->suite);
            g_strlcpy(c->key_b64, w[2] + 7, sizeof c->key_b64);
            char *bar = strchr(c->key_b64, '|');
            if (bar) *bar = '\0';
            out->ncrypto++;
        }
    }
    g_strfreev(w);
}

static int rtp_proto(const sdp_media_t *m)
{
    return m->m_proto == sdp_proto_rtp || m->m_proto == sdp_proto_srtp;
}

int sc_media_sdp_read(const char *text, sc_media_desc *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text) return sc_fail(SC_EPARSE, "SDP: empty description");
    su_home_t *home = su_home_new(sizeof *home);
    if (!home) return sc_fail(SC_ENOMEM, "SDP: out of memory");
    int rc = SC_OK;
    sdp_parser_t *p = sdp_parse(home, text, (issize_t)strlen(text), 0);
    sdp_session_t *sdp = sdp_session(p);
    if (!sdp) {
        const char *why = sdp_parsing_error(p);
        rc = sc_fail(SC_EPARSE, "SDP: malformed: %s", why && *why ? why : "not a session description");
        goto out;
    }
    if (sdp_sanity_check(p) < 0) {
        rc = sc_fail(SC_EPARSE, "SDP: malformed: %s", sdp_parsing_error(p));
        goto out;
    }
    if (sdp->sdp_origin) {
        out->session_id = sdp->sdp_origin->o_id;
        out->session_version = sdp->sdp_origin->o_version;
    }
    const sdp_media_t *audio = NULL;
    for (const sdp_media_t *m = sdp->sdp_media; m; m = m->m_next) {
        if (!audio && m->m_type == sdp_media_audio && rtp_proto(m)) {
            audio = m;
            continue;
        }
        if (out->other_media < (int)G_N_ELEMENTS(out->other_mlines)) {
            /* Kept so the answer can reject it (port 0) in the same place, as RFC 3264 asks. */
            char fmt[16] = "*";
            if (m->m_rtpmaps) snprintf(fmt, sizeof fmt, "%u", (unsigned)m->m_rtpmaps->rm_pt);
            else if (m->m_format && m->m_format->l_text) g_strlcpy(fmt, m->m_format->l_text, sizeof fmt);
            snprintf(out->other_mlines[out->other_media], sizeof out->other_mlines[0], "%s %s %s",
                     m->m_type_name ? m->m_type_name : "audio", m->m_proto_name ? m->m_proto_name : "RTP/AVP", fmt);
        }
        out->other_media++;
    }
    if (!audio) {
        rc = sc_fail(SC_ENOCODEC, "SDP: no audio m-line over RTP/AVP or RTP/SAVP");
        goto out;
    }
    const sdp_connection_t *c = audio->m_connections ? audio->m_connections : sdp->sdp_connection;
    if (!c || !c->c_address) {
        rc = sc_fail(SC_EPARSE, "SDP: the audio m-line has no connection address (c=)");
        goto out;
    }
    g_strlcpy(out->ip, c->c_address, sizeof out->ip);
    if (audio->m_port > 65535) {
        rc = sc_fail(SC_EPARSE, "SDP: audio port %lu is out of range", audio->m_port);
        goto out;
    }
    out->port = (int)audio->m_port;
    out->rtcp_port = out->port ? out->port + 1 : 0;
    out->savp = audio->m_proto == sdp_proto_srtp;
    out->dir = (sc_media_dir)audio->m_mode;
    /* "c=IN IP4 0.0.0.0" is RFC 2543's hold: nothing may be sent to its author */
    if (!strcmp(out->ip, "0.0.0.0")) out->dir &= SC_MEDIA_SENDONLY;
    for (const sdp_rtpmap_t *rm = audio->m_rtpmaps; rm && out->nfmt < SC_MEDIA_MAX_FMT; rm = rm->rm_next) {
        sc_media_fmt *f = &out->fmt[out->nfmt];
        f->pt = rm->rm_pt;
        g_strlcpy(f->name, rm->rm_encoding ? rm->rm_encoding : "", sizeof f->name);
        f->rate = (int)rm->rm_rate;
        f->channels = rm->rm_params ? atoi(rm->rm_params) : 1;
        out->nfmt++;
    }
    for (const sdp_attribute_t *a = audio->m_attributes; a; a = a->a_next) {
        if (!a->a_name) continue;
        if (!strcasecmp(a->a_name, "crypto")) read_crypto(a->a_value, out);
        else if (!strcasecmp(a->a_name, "rtcp") && a->a_value) {
            int port = atoi(a->a_value);
            if (port > 0 && port <= 65535) out->rtcp_port = port;
        } else if (!strcasecmp(a->a_name, "ptime") && a->a_value)
            out->ptime = atoi(a->a_value);
    }
out:
    su_home_unref(home);
    return rc;
}

int sc_media_sdp_write(const sc_media_desc *d, char **out)
{
    *out = NULL;
    su_home_t *home = su_home_new(sizeof *home);
    if (!home) return sc_fail(SC_ENOMEM, "SDP: out of memory");
    sdp_connection_t conn = { .c_size = sizeof conn, .c_nettype = sdp_net_in,
                              .c_addrtype = strchr(d->ip, ':') ? sdp_addr_ip6 : sdp_addr_ip4,
                              .c_address = d->ip };
    sdp_origin_t origin = { .o_size = sizeof origin, .o_username = "skypeconnect",
                            .o_id = d->session_id, .o_version = d->session_version, .o_address = &conn };
    sdp_time_t time = { .t_size = sizeof time };
    sdp_session_t sess = { .sdp_size = sizeof sess, .sdp_origin = &origin, .sdp_subject = "skypeconnect",
                           .sdp_connection = &conn, .sdp_time = &time };
    sdp_media_t audio = { .m_size = sizeof audio, .m_session = &sess, .m_type = sdp_media_audio,
                          .m_type_name = "audio", .m_port = (unsigned long)d->port,
                          .m_proto = d->savp ? sdp_proto_srtp : sdp_proto_rtp,
                          .m_proto_name = d->savp ? "RTP/SAVP" : "RTP/AVP", .m_mode = d->dir };
    sess.sdp_media = &audio;

    sdp_rtpmap_t maps[SC_MEDIA_MAX_FMT];
    char chans[SC_MEDIA_MAX_FMT][12];
    sdp_rtpmap_t **tail = &audio.m_rtpmaps;
    for (int i = 0; i < d->nfmt; i++) {
        memset(&maps[i], 0, sizeof maps[i]);
        maps[i].rm_size = sizeof maps[i];
        maps[i].rm_encoding = d->fmt[i].name;
        maps[i].rm_rate = (unsigned long)d->fmt[i].rate;
        maps[i].rm_pt = (unsigned)d->fmt[i].pt & 127;
        if (d->fmt[i].channels > 1) {
            snprintf(chans[i], sizeof chans[i], "%d", d->fmt[i].channels);
            maps[i].rm_params = chans[i];
        }
        if (!g_ascii_strcasecmp(d->fmt[i].name, "telephone-event")) maps[i].rm_fmtp = "0-16";
        *tail = &maps[i];
        tail = &maps[i].rm_next;
    }
    sdp_attribute_t attrs[2 + SC_MEDIA_MAX_CRYPTO];
    char ptime[16], crypto[SC_MEDIA_MAX_CRYPTO][128];
    int na = 0;
    sdp_attribute_t **atail = &audio.m_attributes;
    if (d->ptime > 0 && d->port) {
        snprintf(ptime, sizeof ptime, "%d", d->ptime);
        attrs[na] = (sdp_attribute_t){ .a_size = sizeof attrs[0], .a_name = "ptime", .a_value = ptime };
        *atail = &attrs[na]; atail = &attrs[na].a_next; na++;
    }
    for (int i = 0; i < d->ncrypto; i++) {
        snprintf(crypto[i], sizeof crypto[i], "%d %s inline:%s", d->crypto[i].tag, d->crypto[i].suite,
                 d->crypto[i].key_b64);
        attrs[na] = (sdp_attribute_t){ .a_size = sizeof attrs[0], .a_name = "crypto", .a_value = crypto[i] };
        *atail = &attrs[na]; atail = &attrs[na].a_next; na++;
    }

    /* m-lines we do not take, rejected with port 0 in their place. */
    sdp_media_t others[G_N_ELEMENTS(d->other_mlines)];
    sdp_list_t fmts[G_N_ELEMENTS(d->other_mlines)];
    char words[G_N_ELEMENTS(d->other_mlines)][3][48];
    sdp_media_t **mtail = &audio.m_next;
    for (int i = 0; i < d->other_media && i < (int)G_N_ELEMENTS(others); i++) {
        if (sscanf(d->other_mlines[i], "%47s %47s %47s", words[i][0], words[i][1], words[i][2]) != 3) continue;
        fmts[i] = (sdp_list_t){ .l_size = sizeof fmts[i], .l_text = words[i][2] };
        others[i] = (sdp_media_t){ .m_size = sizeof others[i], .m_session = &sess, .m_type = sdp_media_x,
                                   .m_type_name = words[i][0], .m_proto = sdp_proto_x,
                                   .m_proto_name = words[i][1], .m_format = &fmts[i],
                                   .m_rejected = 1, .m_mode = sdp_inactive };
        *mtail = &others[i];
        mtail = &others[i].m_next;
    }

    int rc = SC_OK;
    sdp_printer_t *pr = sdp_print(home, &sess, NULL, 0, sdp_f_all_rtpmaps | sdp_f_mode_always);
    const char *text = pr ? sdp_message(pr) : NULL;
    if (!text) rc = sc_fail(SC_EINTERNAL, "SDP: printing failed: %s", pr ? sdp_printing_error(pr) : "no memory");
    else *out = g_strdup(text);
    su_home_unref(home);
    return rc;
}
