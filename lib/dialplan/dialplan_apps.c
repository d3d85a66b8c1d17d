/* The applications a libskypeconnect dialplan may name, and the shape of
 * their data. The same checks run at load time on literal data and at
 * route time on expanded data, so a bad endpoint is caught either way. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "dialplan_int.h"

static const char *const app_names[DP_APP_COUNT] = {
    [DP_APP_TRANSFER] = "transfer", [DP_APP_BRIDGE] = "bridge", [DP_APP_ANSWER] = "answer",
    [DP_APP_HANGUP] = "hangup",     [DP_APP_RESPOND] = "respond", [DP_APP_SET] = "set",
    [DP_APP_LOG] = "log",
};

int dp_app_lookup(const char *name)
{
    /* FreeSWITCH finds applications whatever their case. */
    for (int i = 0; i < DP_APP_COUNT; i++)
        if (!g_ascii_strcasecmp(name, app_names[i])) return i;
    return -1;
}

const char *dp_app_name(dp_app app)
{
    return app < DP_APP_COUNT ? app_names[app] : "?";
}

const char *dp_app_list(void)
{
    return "transfer, bridge, answer, hangup, respond, set, log";
}

/* Only these carry SAF_ROUTING_EXEC in FreeSWITCH's mod_dptools. */
bool dp_app_can_inline(dp_app app)
{
    return app == DP_APP_SET || app == DP_APP_LOG;
}

/* ---------------------------------------------------------------------------
 * Pieces of endpoints
 * ------------------------------------------------------------------------- */

static bool all_chars(const char *s, size_t n, const char *extra)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && !strchr(extra, s[i])) return false;
    return true;
}

/* A dialled number or SIP user part. Strict on purpose: it goes into a SIP
 * request line. */
static bool is_user(const char *s, size_t n)
{
    return all_chars(s, n, "+*#._~-");
}

static bool is_gateway_name(const char *s, size_t n)
{
    return all_chars(s, n, "_.-");
}

static bool is_port(const char *s, size_t n)
{
    if (n == 0 || n > 5) return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isdigit(s[i])) return false;
    long v = strtol(s, NULL, 10);
    return v >= 1 && v <= 65535;
}

/* host or [v6], then an optional :port, in s[0..n). */
static bool is_hostport(const char *s, size_t n)
{
    size_t host_end;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close == s + 1 || !all_chars(s + 1, (size_t)(close - s - 1), ":."))
            return false;
        host_end = (size_t)(close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        host_end = colon ? (size_t)(colon - s) : n;
        if (!all_chars(s, host_end, ".-") || s[0] == '.' || s[0] == '-'
            || s[host_end - 1] == '.' || s[host_end - 1] == '-')
            return false;
    }
    if (host_end == n) return true;
    return s[host_end] == ':' && is_port(s + host_end + 1, n - host_end - 1);
}

/* USER@HOST[:PORT] */
static bool is_user_at_host(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    return at && is_user(s, (size_t)(at - s)) && is_hostport(at + 1, n - (size_t)(at - s) - 1);
}

/* sip:[user@]host[:port][;params] */
static bool is_sip_uri(const char *s)
{
    size_t skip = g_ascii_strncasecmp(s, "sip:", 4) == 0    ? 4
                  : g_ascii_strncasecmp(s, "sips:", 5) == 0 ? 5
                                                           : 0;
    if (!skip) return false;
    s += skip;
    size_t n = strcspn(s, ";");
    if (s[n] && !all_chars(s + n, strlen(s + n), ";=._~-")) return false;
    return memchr(s, '@', n) ? is_user_at_host(s, n) : is_hostport(s, n);
}

static char *check_endpoint(const char *ep)
{
    static const char gw[] = "sofia/gateway/";
    size_t n = strlen(ep);
    if (n == 0) return g_strdup("bridge: empty endpoint");
    if (ep[0] == '{' || ep[0] == '[' || ep[0] == '<')
        return g_strdup_printf("bridge endpoint '%s': channel variables ({...} [...] <...>) "
                               "are not supported by libskypeconnect", ep);
    if (g_str_has_prefix(ep, gw)) {
        const char *name = ep + strlen(gw), *slash = strchr(name, '/');
        if (slash && is_gateway_name(name, (size_t)(slash - name))
            && is_user(slash + 1, strlen(slash + 1)))
            return NULL;
        return g_strdup_printf("bridge endpoint '%s' is not sofia/gateway/NAME/NUMBER", ep);
    }
    if (g_str_has_prefix(ep, "sofia/internal/") || g_str_has_prefix(ep, "sofia/external/")) {
        const char *rest = strchr(ep + strlen("sofia/"), '/') + 1;
        if (is_user_at_host(rest, strlen(rest))) return NULL;
        return g_strdup_printf("bridge endpoint '%s' is not sofia/PROFILE/USER@HOST[:PORT]", ep);
    }
    if (is_sip_uri(ep)) return NULL;
    return g_strdup_printf("bridge endpoint '%s' is not sofia/gateway/NAME/NUMBER, "
                           "sofia/internal/USER@HOST[:PORT], sofia/external/USER@HOST[:PORT] "
                           "or a sip:/sips: URI", ep);
}

/* ---------------------------------------------------------------------------
 * Each application's data
 * ------------------------------------------------------------------------- */

static char *check_bridge(const char *data)
{
    /* ',' rings the endpoints at once, '|' one after the other: both are
     * lists of endpoints of the same shape. */
    char *trimmed = g_strstrip(g_strdup(data));
    bool empty = !*trimmed;
    g_free(trimmed);
    if (empty) return g_strdup("bridge needs at least one endpoint");
    char **eps = g_strsplit_set(data, ",|", -1);
    char *error = NULL;
    for (size_t i = 0; eps[i] && !error; i++)
        error = check_endpoint(g_strstrip(eps[i]));
    g_strfreev(eps);
    return error;
}

/* Splits on blanks, dropping empty words. */
static char **words_of(const char *data, size_t *count)
{
    char **raw = g_strsplit_set(data, " \t\r\n", -1);
    GPtrArray *w = g_ptr_array_new();
    for (size_t i = 0; raw[i]; i++)
        if (*raw[i]) g_ptr_array_add(w, g_strdup(raw[i]));
    g_strfreev(raw);
    *count = w->len;
    g_ptr_array_add(w, NULL);
    return (char **)g_ptr_array_free(w, FALSE);
}

static char *check_transfer(const char *data)
{
    size_t n;
    char **w = words_of(data, &n);
    char *error = NULL;
    if (n < 1 || n > 3)
        error = g_strdup_printf("transfer data '%s' is not 'EXTENSION [XML [CONTEXT]]'", data);
    else if (w[0][0] == '-')
        error = g_strdup_printf("transfer option '%s' is not supported by libskypeconnect", w[0]);
    else if (n >= 2 && g_ascii_strcasecmp(w[1], "XML"))
        error = g_strdup_printf("transfer to dialplan '%s': only XML is supported", w[1]);
    g_strfreev(w);
    return error;
}

/* FreeSWITCH's cause names (switch_channel.c CAUSE_CHART). */
static const char *const cause_names[] = {
    "UNSPECIFIED", "UNALLOCATED_NUMBER", "NO_ROUTE_TRANSIT_NET", "NO_ROUTE_DESTINATION",
    "CHANNEL_UNACCEPTABLE", "CALL_AWARDED_DELIVERED", "NORMAL_CLEARING", "USER_BUSY",
    "NO_USER_RESPONSE", "NO_ANSWER", "SUBSCRIBER_ABSENT", "CALL_REJECTED", "NUMBER_CHANGED",
    "REDIRECTION_TO_NEW_DESTINATION", "EXCHANGE_ROUTING_ERROR", "DESTINATION_OUT_OF_ORDER",
    "INVALID_NUMBER_FORMAT", "FACILITY_REJECTED", "RESPONSE_TO_STATUS_ENQUIRY",
    "NORMAL_UNSPECIFIED", "NORMAL_CIRCUIT_CONGESTION", "NETWORK_OUT_OF_ORDER",
    "NORMAL_TEMPORARY_FAILURE", "SWITCH_CONGESTION", "ACCESS_INFO_DISCARDED",
    "REQUESTED_CHAN_UNAVAIL", "PRE_EMPTED", "FACILITY_NOT_SUBSCRIBED", "OUTGOING_CALL_BARRED",
    "INCOMING_CALL_BARRED", "BEARERCAPABILITY_NOTAUTH", "BEARERCAPABILITY_NOTAVAIL",
    "SERVICE_UNAVAILABLE", "BEARERCAPABILITY_NOTIMPL", "CHAN_NOT_IMPLEMENTED",
    "FACILITY_NOT_IMPLEMENTED", "SERVICE_NOT_IMPLEMENTED", "INVALID_CALL_REFERENCE",
    "INCOMPATIBLE_DESTINATION", "INVALID_MSG_UNSPECIFIED", "MANDATORY_IE_MISSING",
    "MESSAGE_TYPE_NONEXIST", "WRONG_MESSAGE", "IE_NONEXIST", "INVALID_IE_CONTENTS",
    "WRONG_CALL_STATE", "RECOVERY_ON_TIMER_EXPIRE", "MANDATORY_IE_LENGTH_ERROR",
    "PROTOCOL_ERROR", "INTERWORKING", "SUCCESS", "ORIGINATOR_CANCEL", "CRASH",
    "SYSTEM_SHUTDOWN", "LOSE_RACE", "MANAGER_REQUEST", "BLIND_TRANSFER", "ATTENDED_TRANSFER",
    "ALLOTTED_TIMEOUT", "USER_CHALLENGE", "MEDIA_TIMEOUT", "PICKED_OFF", "USER_NOT_REGISTERED",
    "PROGRESS_TIMEOUT", "INVALID_GATEWAY", "GATEWAY_DOWN", "INVALID_URL", "INVALID_PROFILE",
    "NO_PICKUP", "SRTP_READ_ERROR", "BOWOUT", "BUSY_EVERYWHERE", "DECLINE",
    "DOES_NOT_EXIST_ANYWHERE", "NOT_ACCEPTABLE", "UNWANTED", "NO_IDENTITY",
    "BAD_IDENTITY_INFO", "UNSUPPORTED_CERTIFICATE", "INVALID_IDENTITY", "STALE_DATE",
    "REJECT_ALL", NULL
};

static char *check_hangup(const char *data)
{
    char *cause = g_strstrip(g_strdup(data));
    bool ok = !*cause || (strspn(cause, "0123456789") == strlen(cause) && strlen(cause) <= 3);
    for (size_t i = 0; !ok && cause_names[i]; i++)
        ok = !g_ascii_strcasecmp(cause, cause_names[i]);
    char *error = ok ? NULL
                     : g_strdup_printf("hangup cause '%s' is not a FreeSWITCH cause name "
                                       "(NORMAL_CLEARING, USER_BUSY, ...) or number", cause);
    g_free(cause);
    return error;
}

static char *check_respond(const char *data)
{
    const char *p = data;
    while (*p == ' ' || *p == '\t') p++;
    bool ok = g_ascii_isdigit(p[0]) && g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2])
              && (!p[3] || p[3] == ' ' || p[3] == '\t') && p[0] >= '1' && p[0] <= '6';
    return ok ? NULL : g_strdup_printf("respond data '%s' is not 'CODE [reason]' with CODE "
                                       "100 to 699", data);
}

bool dp_split_set(const char *data, char **name, char **value)
{
    const char *eq = strchr(data, '=');
    if (!eq || eq == data) return false;
    *name = g_strndup(data, (gsize)(eq - data));
    *value = g_strdup(eq + 1);
    return true;
}

static char *check_set(const char *data)
{
    char *name, *value;
    if (!dp_split_set(data, &name, &value))
        return g_strdup_printf("set data '%s' is not 'name=value'", data);
    char *error = all_chars(name, strlen(name), "_.:-")
                      ? NULL
                      : g_strdup_printf("set: variable name '%s' has characters other than "
                                        "letters, digits, '_', '.', ':' and '-'", name);
    g_free(name);
    g_free(value);
    return error;
}

char *dp_app_check_data(dp_app app, const char *data)
{
    switch (app) {
    case DP_APP_TRANSFER: return check_transfer(data);
    case DP_APP_BRIDGE: return check_bridge(data);
    case DP_APP_HANGUP: return check_hangup(data);
    case DP_APP_RESPOND: return check_respond(data);
    case DP_APP_SET: return check_set(data);
    default: return NULL; /* answer ignores its data; log takes any text */
    }
}
