/* Reading the library's one-line JSON objects (gateway_status, the trunk's
 * log entries) without a JSON library: they are flat objects of strings,
 * numbers, booleans and null. A nested value is passed on as its raw text,
 * so that fields added later still show. */
#ifndef SC_CLI_JSON_FLAT_H
#define SC_CLI_JSON_FLAT_H

#include <stdbool.h>

/* Called for each member in order: key and value unescaped (strings) or as
 * written (anything else). */
typedef void (*cli_json_member_fn)(const char *key, const char *value, bool is_string, void *user);

/* Walks the members of the object in @p line; false when it is not an
 * object this reader understands (then some members may have been seen). */
bool cli_json_each(const char *line, cli_json_member_fn fn, void *user);

/* The value of @p key (g_free), or NULL when absent. */
char *cli_json_field(const char *line, const char *key);

#endif
