/* JSON output helpers. */
#ifndef SC_JSON_H
#define SC_JSON_H

#include <glib.h>

/* Appends a JSON string literal (with quotes) for s (NULL as "") to buf.
 * Invalid UTF-8 comes out as \ufffd, one per bad byte. */
void sc_json_append_string(GString *buf, const char *s);

/* Appends ,"name": and the string s as above: one more member of an object
 * that already has one. name is written as given (a plain key). */
void sc_json_append_member(GString *buf, const char *name, const char *s);

#endif
