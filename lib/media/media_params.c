/* A stream's settings from gateway parameters, by FreeSWITCH's names, each
 * checked with an error that names the parameter and the value. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "media_priv.h"
#include "error_priv.h"

static int whole(const char *name, const char *v, int min, int max, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max)
        return sc_fail(SC_ECONFIG, "param '%s': value '%s' is not a whole number in %d..%d", name, v, min, max);
    *out = (int)n;
    return SC_OK;
}

static int truth(const char *v)
{
    return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1");
}

static int falsity(const char *v)
{
    return !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcmp(v, "0");
}

int sc_media_config_from_params(sc_media_param_fn get, void *ctx, sc_media_config *out)
{
    memset(out, 0, sizeof *out);
    const char *v;
    int rc;
    if ((v = get(ctx, "rtp-ip")) && *v) {
        GInetAddress *ia = g_inet_address_new_from_string(v);
        if (!ia) return sc_fail(SC_ECONFIG, "param 'rtp-ip': value '%s' is not an IP address", v);
        g_object_unref(ia);
        out->local_ip = v;
    }
    if ((v = get(ctx, "codec-prefs")) && *v) {
        const sc_media_codec *list[8];
        if (sc_media_codec_prefs(v, list, 8) == 0)
            return sc_fail(SC_ECONFIG, "param 'codec-prefs': '%s' names no codec available here (have %s)", v,
                           sc_media_codecs_available());
        out->codecs = v;
    }
    if ((v = get(ctx, "rtp-start-port")) && *v && (rc = whole("rtp-start-port", v, 1024, 65534, &out->port_min)))
        return rc;
    if ((v = get(ctx, "rtp-end-port")) && *v && (rc = whole("rtp-end-port", v, 1025, 65535, &out->port_max)))
        return rc;
    if (out->port_min && out->port_max && out->port_min >= out->port_max)
        return sc_fail(SC_ECONFIG, "params 'rtp-start-port' %d and 'rtp-end-port' %d: the start must be below the end",
                       out->port_min, out->port_max);
    if ((v = get(ctx, "rtp-timeout-sec")) && *v && (rc = whole("rtp-timeout-sec", v, 0, 86400, &out->timeout_s)))
        return rc;
    if ((v = get(ctx, "rtp-hold-timeout-sec")) && *v
        && (rc = whole("rtp-hold-timeout-sec", v, 0, 86400, &out->hold_timeout_s)))
        return rc;
    if ((v = get(ctx, "auto-jitterbuffer-msec")) && *v
        && (rc = whole("auto-jitterbuffer-msec", v, 1, 2000, &out->jitter_ms)))
        return rc;
    if ((v = get(ctx, "rtp-secure-media")) && *v) {
        /* FreeSWITCH's rtp_secure_media: true / mandatory, or the suite itself */
        if (truth(v) || !strcasecmp(v, "mandatory") || !strcasecmp(v, "AES_CM_128_HMAC_SHA1_80")
            || !strcasecmp(v, "mandatory:AES_CM_128_HMAC_SHA1_80"))
            out->srtp = 1;
        else if (!falsity(v))
            return sc_fail(SC_ECONFIG, "param 'rtp-secure-media': value '%s' is not true, false, mandatory or "
                           "AES_CM_128_HMAC_SHA1_80", v);
    }
    if ((v = get(ctx, "dtmf-type")) && *v) {
        if (!strcasecmp(v, "info") || !strcasecmp(v, "none")) out->te_pt = -1;
        else if (strcasecmp(v, "rfc2833") && strcasecmp(v, "rfc4733"))
            return sc_fail(SC_ECONFIG, "param 'dtmf-type': value '%s' is not rfc2833, info or none", v);
    }
    if ((v = get(ctx, "rfc2833-pt")) && *v && out->te_pt == 0 && (rc = whole("rfc2833-pt", v, 96, 127, &out->te_pt)))
        return rc;
    if ((v = get(ctx, "inband-dtmf")) && *v) {
        if (truth(v)) out->inband_dtmf = 1;
        else if (!falsity(v)) return sc_fail(SC_ECONFIG, "param 'inband-dtmf': value '%s' is not true or false", v);
    }
    return SC_OK;
}
