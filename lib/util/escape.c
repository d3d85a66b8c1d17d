/* Untrusted text shown in a message or a log line: no input can put raw
 * bytes there. */
#include <string.h>

#include "escape.h"

static char *escape(char *buf, size_t cap, const char *s, size_t len, int keep_backslash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (!cap) return buf;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = c >= 0x20 && c < 0x7f && (c != '\\' || keep_backslash);
        size_t need = plain ? 1 : 4;
        /* keep room for this byte, and for "..." + NUL should more follow */
        size_t reserve = (i + 1 < len) ? 4 : 1;
        if (o + need + reserve > cap) {
            if (o + 4 <= cap) memcpy(buf + o, "...", 3), o += 3;
            break;
        }
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return buf;
}

char *sc_dial_escape(char *buf, size_t cap, const char *s, size_t len)
{
    return escape(buf, cap, s, len, 0);
}

char *sc_dial_escape_pattern(char *buf, size_t cap, const char *s, size_t len)
{
    return escape(buf, cap, s, len, 1);
}
