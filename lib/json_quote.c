/* sc_json_quote: the library's JSON string escaping, for applications that
 * print JSON lines next to the library's own (the command line's --json). */
#include <glib.h>

#include "error_priv.h"
#include "event_priv.h"
#include "skypeconnect/sc_event.h"

SC_API char *sc_json_quote(const char *s)
{
    GString *b = g_string_new(NULL);
    sc_json_append_string(b, s);
    return g_string_free(b, FALSE);
}
