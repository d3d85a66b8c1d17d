/* See media_param.h. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "media_param.h"
#include "fs_bool.h"

typedef enum { M_INT, M_IP, M_EXT_IP, M_CODECS, M_SRTP, M_DTMF_TYPE, M_BOOL } media_kind;

static const struct {
    const char *name;
    media_kind kind;
    int min, max;
} params[] = {
    { "codec-prefs", M_CODECS, 0, 0 },
    { "rtp-ip", M_IP, 0, 0 },
    { "ext-rtp-ip", M_EXT_IP, 0, 0 },
    { "rtp-start-port", M_INT, 1024, 65534 },
    { "rtp-end-port", M_INT, 1025, 65535 },
    { "rtp-timeout-sec", M_INT, 0, 86400 },
    { "rtp-hold-timeout-sec", M_INT, 0, 86400 },
    { "auto-jitterbuffer-msec", M_INT, 1, 2000 },
    { "rtp-secure-media", M_SRTP, 0, 0 },
    { "dtmf-type", M_DTMF_TYPE, 0, 0 },
    { "rfc2833-pt", M_INT, 96, 127 },
    { "inband-dtmf", M_BOOL, 0, 0 },
};

static const char *const codec_names[] = { "PCMU", "PCMA", "G722", "opus" };
/* Codecs FreeSWITCH names in codec-prefs that we do not carry. A gateway
 * file from a FreeSWITCH box often lists them ("G729,PCMU,PCMA"); they are
 * skipped as FreeSWITCH skips a codec whose module is not loaded, while a
 * name in neither list is a typo and an error. */
static const char *const freeswitch_only_codecs[] = {
    "G729", "G723", "GSM", "iLBC", "SPEEX", "AMR", "AMR-WB", "G726-16", "G726-24", "G726-32", "G726-40",
    "AAL2-G726-16", "AAL2-G726-24", "AAL2-G726-32", "AAL2-G726-40", "G7221", "L16", "LPC", "SILK", "CELT",
    "BV16", "BV32", "H261", "H263", "H263-1998", "H263-2000", "H264", "VP8", "VP9", "mp4v", "isac",
};

static bool in_list(const char *const *list, size_t n, const char *name)
{
    for (size_t j = 0; j < n; j++)
        if (!g_ascii_strcasecmp(list[j], name)) return true;
    return false;
}

static int find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(params); i++)
        if (!strcmp(params[i].name, name)) return (int)i;
    return -1;
}

bool sc_media_param_is(const char *name)
{
    return name && find(name) >= 0;
}

/* FreeSWITCH writes "PCMU@20i" or "opus@48000h@20i": the name is before '@'. */
static char *check_codecs(const char *value)
{
    char **names = g_strsplit(value, ",", -1), *problem = NULL;
    int known = 0;
    for (int i = 0; names[i] && !problem; i++) {
        char *at = strchr(names[i], '@');
        bool ok;
        if (at) *at = '\0';
        g_strstrip(names[i]);
        if (!*names[i]) continue;
        ok = in_list(codec_names, G_N_ELEMENTS(codec_names), names[i]);
        if (!ok && !in_list(freeswitch_only_codecs, G_N_ELEMENTS(freeswitch_only_codecs), names[i]))
            problem = g_strdup_printf("value '%s' names codec '%s', which is no codec FreeSWITCH or "
                                      "libskypeconnect knows (libskypeconnect carries %s)",
                                      value, names[i], SC_MEDIA_CODEC_NAMES);
        known += ok;
    }
    g_strfreev(names);
    if (!problem && !known)
        problem = g_strdup_printf("value '%s' names no codec libskypeconnect carries (%s)", value,
                                  SC_MEDIA_CODEC_NAMES);
    return problem;
}

char *sc_media_param_read(const char *name, const char *value, int *num)
{
    int i = find(name);
    bool b;
    if (i < 0) return g_strdup_printf("'%s' is not a media parameter", name);
    switch (params[i].kind) {
    case M_INT: {
        char *end;
        long n = strtol(value, &end, 10);
        if (!*value || *end || n < params[i].min || n > params[i].max)
            return g_strdup_printf("value '%s' is not a whole number in %d..%d", value, params[i].min, params[i].max);
        *num = (int)n;
        return NULL;
    }
    case M_IP:
        return g_hostname_is_ip_address(value) ? NULL : g_strdup_printf("value '%s' is not an IP address", value);
    case M_EXT_IP:
        /* FreeSWITCH's forms we can honour: an address, or "auto-nat" /
         * "auto" (the public address SIP learned, when NAT was detected) */
        if (g_hostname_is_ip_address(value) || !strcmp(value, "auto-nat") || !strcmp(value, "auto")) return NULL;
        return g_strdup_printf("value '%s' is not an IP address, auto-nat or auto", value);
    case M_CODECS:
        return check_codecs(value);
    case M_SRTP:
        /* FreeSWITCH's rtp_secure_media: true / mandatory, or the suite itself */
        if (!g_ascii_strcasecmp(value, "mandatory") || !g_ascii_strcasecmp(value, "AES_CM_128_HMAC_SHA1_80")
            || !g_ascii_strcasecmp(value, "mandatory:AES_CM_128_HMAC_SHA1_80"))
            b = true;
        else if (!sc_fs_bool(value, &b))
            return g_strdup_printf("value '%s' is not true, false, mandatory or AES_CM_128_HMAC_SHA1_80", value);
        *num = b;
        return NULL;
    case M_DTMF_TYPE:
        if (!g_ascii_strcasecmp(value, "info") || !g_ascii_strcasecmp(value, "none")) *num = -1;
        else if (!g_ascii_strcasecmp(value, "rfc2833") || !g_ascii_strcasecmp(value, "rfc4733")) *num = 0;
        else return g_strdup_printf("value '%s' is not rfc2833, info or none", value);
        return NULL;
    case M_BOOL:
        if (!sc_fs_bool(value, &b)) return g_strdup_printf("value '%s' is not true or false", value);
        *num = b;
        return NULL;
    }
    return NULL;
}

char *sc_media_port_range_problem(int start, int end)
{
    if (start && end && start >= end)
        return g_strdup_printf("rtp-start-port %d is not below rtp-end-port %d", start, end);
    return NULL;
}
