/* A stream's settings from gateway parameters, by FreeSWITCH's names. The
 * values are read by util/media_param.c, the same reading config/ checks
 * them with when the gateway is loaded; what is left here is whether this
 * GStreamer has a codec the prefs name. Errors name the parameter and value. */
#include <string.h>
#include "media_priv.h"
#include "media_param.h"
#include "error_priv.h"

/* One parameter: SC_OK when unset or good (*num and *text set), else SC_ECONFIG. */
static int param(sc_media_param_fn get, void *ctx, const char *name, int *num, const char **text)
{
    const char *v = get(ctx, name);
    char *why;
    int scratch = 0, rc;
    if (!v || !*v) return SC_OK;
    if ((why = sc_media_param_read(name, v, num ? num : &scratch))) {
        rc = sc_fail(SC_ECONFIG, "param '%s': %s", name, why);
        g_free(why);
        return rc;
    }
    if (text) *text = v;
    return SC_OK;
}

int sc_media_config_from_params(sc_media_param_fn get, void *ctx, sc_media_config *out)
{
    const sc_media_codec *list[8];
    char *why;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = param(get, ctx, "rtp-ip", NULL, &out->local_ip)) || (rc = param(get, ctx, "ext-rtp-ip", NULL, &out->sdp_ip)) || (rc = param(get, ctx, "codec-prefs", NULL, &out->codecs))
        || (rc = param(get, ctx, "rtp-start-port", &out->port_min, NULL))
        || (rc = param(get, ctx, "rtp-end-port", &out->port_max, NULL))
        || (rc = param(get, ctx, "rtp-timeout-sec", &out->timeout_s, NULL))
        || (rc = param(get, ctx, "rtp-hold-timeout-sec", &out->hold_timeout_s, NULL))
        || (rc = param(get, ctx, "auto-jitterbuffer-msec", &out->jitter_ms, NULL))
        || (rc = param(get, ctx, "rtp-secure-media", &out->srtp, NULL))
        || (rc = param(get, ctx, "dtmf-type", &out->te_pt, NULL))
        || (rc = param(get, ctx, "inband-dtmf", &out->inband_dtmf, NULL)))
        return rc;
    if ((why = sc_media_port_range_problem(out->port_min, out->port_max))) {
        rc = sc_fail(SC_ECONFIG, "params 'rtp-start-port' and 'rtp-end-port': %s", why);
        g_free(why);
        return rc;
    }
    /* rfc2833-pt only where telephone-event is offered at all */
    if (out->te_pt == 0 && (rc = param(get, ctx, "rfc2833-pt", &out->te_pt, NULL))) return rc;
    if (out->codecs && sc_media_codec_prefs(out->codecs, list, 8) == 0)
        return sc_fail(SC_ECONFIG, "param 'codec-prefs': '%s' names no codec available here (have %s)", out->codecs,
                       sc_media_codecs_available());
    return SC_OK;
}
