/* See dtmf_info.h. */
#include <glib.h>
#include <string.h>

#include "dtmf_info.h"

/* One DTMF digit, upper case; '\0' when @p v is not one. "10" and "11" are
 * '*' and '#' (RFC 4733's event numbers, sent by some gateways). */
static char digit_of(const char *v)
{
    if (!strcmp(v, "10")) return '*';
    if (!strcmp(v, "11")) return '#';
    if (strlen(v) != 1 || !strchr("0123456789*#ABCDabcd", v[0])) return '\0';
    return g_ascii_toupper(v[0]);
}

static int bad(char *why, size_t size, int code, const char *fmt, const char *value)
{
    g_snprintf(why, size, fmt, value);
    return code;
}

/* Signal=D and Duration=MS lines; other NAME=VALUE lines are ignored. */
static int dtmf_relay(const char *text, char *digit, char *why, size_t why_size)
{
    char **lines = g_strsplit_set(text, "\r\n", -1);
    int code = 200;
    for (char **l = lines; *l && code == 200; l++) {
        char *eq, *name = g_strstrip(*l), *value;
        if (!*name) continue;
        if (!(eq = strchr(name, '='))) {
            code = bad(why, why_size, 400, "application/dtmf-relay: line '%s' is not NAME=VALUE", name);
            break;
        }
        *eq = '\0';
        value = g_strstrip(eq + 1);
        g_strstrip(name);
        if (!g_ascii_strcasecmp(name, "Signal")) {
            if (!(*digit = digit_of(value)))
                code = bad(why, why_size, 400,
                           "application/dtmf-relay: Signal '%s' is not a DTMF digit (0-9, *, #, A-D)", value);
        } else if (!g_ascii_strcasecmp(name, "Duration")) {
            char *end = NULL;
            long ms = strtol(value, &end, 10);
            if (!*value || *end || ms < 0 || ms > 60000)
                code = bad(why, why_size, 400, "application/dtmf-relay: Duration '%s' is not 0 to 60000 ms",
                           value);
        }
    }
    g_strfreev(lines);
    if (code == 200 && !*digit)
        code = bad(why, why_size, 400, "application/dtmf-relay: no Signal line%s", "");
    return code;
}

int sc_dtmf_info_parse(const char *content_type, const char *body, size_t len, char *digit,
                       char *why, size_t why_size)
{
    char *text;
    int code;
    *digit = '\0';
    if (why_size) why[0] = '\0';
    if ((!body || !len) && !content_type) return 200;   /* a keep-alive INFO */
    if (!content_type)
        return bad(why, why_size, 415, "an INFO body without a Content-Type (accepted: %s)", SC_DTMF_INFO_TYPES);
    if (g_ascii_strcasecmp(content_type, "application/dtmf-relay") &&
        g_ascii_strcasecmp(content_type, "application/dtmf"))
        return bad(why, why_size, 415, "Content-Type '%s' is not application/dtmf-relay or application/dtmf",
                   content_type);
    if (!body || !len || memchr(body, '\0', len))
        return bad(why, why_size, 400, "%s: no body, or a NUL in it", content_type);
    text = g_strndup(body, len);
    if (!g_ascii_strcasecmp(content_type, "application/dtmf")) {
        code = (*digit = digit_of(g_strstrip(text))) ? 200
             : bad(why, why_size, 400, "application/dtmf: body '%s' is not one DTMF digit (0-9, *, #, A-D)", text);
    } else {
        code = dtmf_relay(text, digit, why, why_size);
    }
    g_free(text);
    if (code != 200) *digit = '\0';
    return code;
}
