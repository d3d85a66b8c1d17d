/* The command line's JSON events for media, with the exact names issue #13
 * fixes for test harnesses: dtmf, media_state, media_stats (plus
 * media_timeout, media_error and play_done). One object per report. */
#include <string.h>
#include "media_priv.h"
#include "json.h"

static GString *start(const char *event, int call_id)
{
    GString *g = g_string_new("{\"event\":");
    sc_json_append_string(g, event);
    g_string_append_printf(g, ",\"call\":%d", call_id);
    return g;
}

static void field(GString *g, const char *name, const char *value)
{
    g_string_append_c(g, ',');
    sc_json_append_string(g, name);
    g_string_append_c(g, ':');
    sc_json_append_string(g, value ? value : "");
}

char *sc_media_report_json(const sc_media_report *r, int call_id)
{
    GString *g = NULL;
    char digit[2] = { r->digit, '\0' };
    switch (r->kind) {
    case SC_MEDIA_R_DTMF:
        g = start("dtmf", call_id);
        field(g, "digit", digit);
        field(g, "method", sc_media_dtmf_method_name(r->method));
        break;
    case SC_MEDIA_R_STATE:
        g = start("media_state", call_id);
        field(g, "state", r->state);
        field(g, "codec", r->stats.codec);
        field(g, "local", r->stats.local);
        field(g, "remote", r->stats.remote);
        break;
    case SC_MEDIA_R_STATS:
        g = start("media_stats", call_id);
        g_string_append_printf(g, ",\"packets_sent\":%llu,\"packets_received\":%llu,\"packets_lost\":%lld,"
                               "\"packets_dropped\":%llu,\"jitter_ms\":%.2f",
                               (unsigned long long)r->stats.packets_sent, (unsigned long long)r->stats.packets_received,
                               (long long)r->stats.packets_lost, (unsigned long long)r->stats.packets_dropped,
                               r->stats.jitter_ms);
        field(g, "codec", r->stats.codec);
        break;
    case SC_MEDIA_R_TIMEOUT:
        g = start("media_timeout", call_id);
        g_string_append_printf(g, ",\"seconds\":%d", r->value);
        break;
    case SC_MEDIA_R_ERROR:
        g = start("media_error", call_id);
        field(g, "status", sc_status_name(r->status));
        field(g, "message", r->text);
        break;
    case SC_MEDIA_R_PLAY_DONE:
        g = start("play_done", call_id);
        break;
    case SC_MEDIA_R_FRAME:
        return NULL;   /* audio is not an event line */
    }
    if (!g) return NULL;
    g_string_append_c(g, '}');
    return g_string_free(g, FALSE);
}
