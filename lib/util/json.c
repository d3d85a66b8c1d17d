/* The one JSON string writer of the library: events, gateway states, routes
 * and the trunk's log all quote through it. */
#include <string.h>

#include "json.h"

/* JSON strings must be valid UTF-8: whatever a peer put in a header (a
 * caller name in Latin-1, garbage) comes out as U+FFFD, never as raw bytes. */
void sc_json_append_string(GString *buf, const char *s)
{
    const char *p = s ? s : "", *end = p + strlen(p);
    g_string_append_c(buf, '"');
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80) {
            switch (c) {
            case '"': g_string_append(buf, "\\\""); break;
            case '\\': g_string_append(buf, "\\\\"); break;
            case '\n': g_string_append(buf, "\\n"); break;
            case '\r': g_string_append(buf, "\\r"); break;
            case '\t': g_string_append(buf, "\\t"); break;
            default:
                if (c < 0x20 || c == 0x7f) g_string_append_printf(buf, "\\u%04x", c);
                else g_string_append_c(buf, (char)c);
            }
            p++;
        } else {
            gunichar u = g_utf8_get_char_validated(p, end - p);
            if (u == (gunichar)-1 || u == (gunichar)-2) {
                g_string_append(buf, "\\ufffd");
                p++;
            } else {
                const char *next = g_utf8_next_char(p);
                g_string_append_len(buf, p, next - p);
                p = next;
            }
        }
    }
    g_string_append_c(buf, '"');
}

void sc_json_append_member(GString *buf, const char *name, const char *s)
{
    g_string_append_c(buf, ',');
    g_string_append_c(buf, '"');
    g_string_append(buf, name);
    g_string_append(buf, "\":");
    sc_json_append_string(buf, s);
}
