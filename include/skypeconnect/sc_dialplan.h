/**
 * @file sc_dialplan.h
 * @brief FreeSWITCH dialplan XML: load it, and ask what it would do with a call.
 *
 * Loads the XML FreeSWITCH users keep under conf/dialplan/: files or whole
 * folders, `<context name=...>` elements (public, default, any name) holding
 * `<extension>`s in order, each with one or more `<condition field=...
 * expression=...>` (regular expressions with captures), `<action>` and
 * `<anti-action>`, `break="on-false|on-true|always|never"`, and
 * `continue="true"` on extensions. Files holding only `<extension>`s (as
 * conf/dialplan/public/01_skype.xml does, wrapped in `<include>`) go into the
 * context named when loading.
 *
 * Supported applications: transfer, bridge, answer, hangup, respond, set,
 * log. Any other application is a load error naming the file and line,
 * never a silent skip; so are the FreeSWITCH features not implemented here
 * (time-of-day conditions, Asterisk-style "_X." patterns, inline
 * applications other than set and log, channel variables in bridge data).
 * Literal data is checked at load time (bridge endpoints must be
 * sofia/gateway/NAME/NUMBER, sofia/internal|external/USER@HOST[:PORT] or a
 * sip:/sips: URI; transfer is "EXT [XML [CONTEXT]]"; respond "CODE [reason]";
 * set "name=value"), data with $N or ${var} when routing.
 *
 * Also supported: nested `<condition>`s (with require-nested),
 * `regex="all|any|xor"` with `<regex field= expression=>` children,
 * `<expression>` elements (CDATA too), "/re/i" and "/re/s" expressions,
 * action text content as data, and loop="N".
 *
 * Limits: 1,000 extensions per dialplan, regular expressions of at most
 * 1,000 bytes (GRegex cannot bound a match's time; PCRE's backtracking limit
 * stops a runaway match, which then counts as no match), action data of at
 * most 64 KiB, files of at most 4 MiB.
 *
 * The engine is pure: sc_dialplan_route() only decides. The session runs the
 * decision (transfer, bridge) for calls; C, Python and Lua all decide
 * through this same code, so a FreeSWITCH Lua script and a C application
 * route identically. A loaded dialplan is immutable and may be used from many
 * threads at once.
 */
#ifndef SKYPECONNECT_SC_DIALPLAN_H
#define SKYPECONNECT_SC_DIALPLAN_H

#include "sc_common.h"

SC_BEGIN_DECLS

/** A loaded dialplan. Opaque. */
typedef struct sc_dialplan sc_dialplan;

/** The call fields a dialplan decides on (FreeSWITCH's names). Opaque. */
typedef struct sc_call_fields sc_call_fields;

/** A routing decision: the actions to run, and why. Opaque. */
typedef struct sc_route sc_route;

/** An empty dialplan, or NULL (::SC_ENOMEM). */
SC_API sc_dialplan *sc_dialplan_new(void);
/** Frees a dialplan. NULL is fine. */
SC_API void sc_dialplan_free(sc_dialplan *dp);

/**
 * Loads one XML file. Extensions outside any `<context>` go into
 * @p default_context (NULL: "default"). A file with any error adds nothing
 * (not even its good extensions); its problems are all reported.
 * Extensions of a context already loaded are appended to it.
 * Loading is not thread-safe: load first, then route from any thread.
 * @return ::SC_OK; ::SC_EIO, ::SC_EPARSE (malformed XML, with line and
 *         column), ::SC_ECONFIG (unknown application, bad regex, missing
 *         attribute: file and line in sc_last_error() and the diagnostics).
 */
SC_API int sc_dialplan_load_file(sc_dialplan *dp, const char *path, const char *default_context);

/** Like sc_dialplan_load_file() for XML in memory; @p source_name names it in errors. */
SC_API int sc_dialplan_load_string(sc_dialplan *dp, const char *xml, const char *source_name,
                                   const char *default_context);

/**
 * Loads a folder as FreeSWITCH lays it out: every *.xml file of DIR in name
 * order; a sub-folder's files go into the context named like the folder
 * (conf/dialplan/public/01_skype.xml -> context "public"); the files directly
 * in DIR (e.g. default.xml holding `<context name="default">`) as written.
 * Files and sub-folders are taken together in byte order of their names, so
 * default/ comes before default.xml: its extensions come first, as with
 * the X-PRE-PROCESS include of the default/ files that FreeSWITCH's
 * default.xml has at the top of its context. Hidden entries, other files
 * and deeper folders are skipped. Every file is loaded even when one fails.
 * @return ::SC_OK, or the status of the first file that failed (its first
 *         error in sc_last_error()); ::SC_EIO when DIR cannot be read.
 */
SC_API int sc_dialplan_load_dir(sc_dialplan *dp, const char *dir);

/** Number of diagnostics (errors and warnings) from loading. */
SC_API size_t sc_dialplan_diag_count(const sc_dialplan *dp);
/** Diagnostic i as "FILE:LINE:COL: error|warning: message" (borrowed), or NULL.
 *  FILE is the path as loaded; "FILE: ..." when there is no line. */
SC_API const char *sc_dialplan_diag_text(const sc_dialplan *dp, size_t i);
/** Number of diagnostics that are errors. */
SC_API size_t sc_dialplan_error_count(const sc_dialplan *dp);

/** Whether a context of that name exists (1/0). */
SC_API int sc_dialplan_has_context(const sc_dialplan *dp, const char *context);

/** A new, empty set of call fields, or NULL. */
SC_API sc_call_fields *sc_call_fields_new(void);
/** Frees call fields. NULL is fine. */
SC_API void sc_call_fields_free(sc_call_fields *f);
/**
 * Sets a field: destination_number, caller_id_number, caller_id_name,
 * network_addr, sip_gateway, context, or any variable name (conditions on
 * `${name}` read variables). The value is copied; NULL unsets the field.
 * Fields and variables share one table: `field="ani"` and `${ani}` read the
 * same value. "context" always reads as the context being routed.
 * @return ::SC_OK, ::SC_EINVAL (NULL or empty name, value over 64 KiB).
 */
SC_API int sc_call_fields_set(sc_call_fields *f, const char *name, const char *value);
/** A field's value (borrowed), or NULL when unset. */
SC_API const char *sc_call_fields_get(const sc_call_fields *f, const char *name);

/**
 * Decides what the dialplan does with a call in @p context: walks the
 * extensions in order as FreeSWITCH does, collecting actions (and
 * anti-actions) with `$N` and `${var}` expanded, following `continue`
 * and `break`. As in FreeSWITCH:
 *  - a condition that passes adds its actions at once, even if a later
 *    condition of the extension fails (the hunt then goes on);
 *  - a failing condition adds its anti-actions, and if it has any, the
 *    extension counts as matched;
 *  - `$N` comes from the action's own condition, and only when its
 *    expression has a group; otherwise "$1" stays as written;
 *  - only `set` with inline="true" changes what later conditions see; a
 *    plain `set` is an action, and changes the `${var}` data of the actions
 *    after it (FreeSWITCH expands data when each action starts);
 *  - an unknown context falls back to one named "global" if it exists.
 * Captured text is copied as it is, never expanded again. Unknown `${var}`
 * gives "". Data that is malformed after expansion (a bridge endpoint with a
 * space) stays in the route with a line in the explanation: the session
 * refuses to run it.
 * @param[out] out the decision (free with sc_route_free()); a call that
 *        matches nothing gives a route with 0 actions (FreeSWITCH answers such
 *        a call with 404 / NO_ROUTE_DESTINATION).
 * @return ::SC_OK, ::SC_ENOTFOUND for an unknown context, ::SC_EINVAL.
 */
SC_API int sc_dialplan_route(const sc_dialplan *dp, const char *context, const sc_call_fields *fields,
                             sc_route **out);

/** Frees a route. NULL is fine. */
SC_API void sc_route_free(sc_route *r);
/** Number of actions to run, in order. */
SC_API size_t sc_route_action_count(const sc_route *r);
/** Application of action i ("bridge", "transfer", ...), or NULL past the end. */
SC_API const char *sc_route_action_app(const sc_route *r, size_t i);
/** Expanded data of action i ("sofia/gateway/skype/0044123"), or NULL past the end. */
SC_API const char *sc_route_action_data(const sc_route *r, size_t i);
/** Name of the extension that produced action i. */
SC_API const char *sc_route_action_extension(const sc_route *r, size_t i);
/** "FILE:LINE" of action i in the dialplan XML (FILE as loaded). */
SC_API const char *sc_route_action_origin(const sc_route *r, size_t i);
/**
 * How the decision was reached, one line per extension tried:
 * "extension 'skype_outbound' (01_skype.xml:2): condition destination_number
 * '0044123' =~ /^(00\d+)$/ matched; 1 action(s) => matched", the conditions
 * of an extension separated by "; ", ending in "=> matched", "=> matched,
 * continue" or "=> no match". Further lines note what the session will
 * refuse ("action bridge (FILE:LINE): ...: the runtime refuses it"), a
 * "global" fallback, or a route without actions. Every line ends in '\n';
 * text from the call is shown without control characters.
 * Borrowed, valid while the route lives.
 */
SC_API const char *sc_route_explain(const sc_route *r);
/** The decision as JSON:
 *  {"context":…,"actions":[{"app":…,"data":…,"extension":…,"origin":…}],"explain":[…]}
 *  ("explain": the lines of sc_route_explain()). Invalid UTF-8 from the call
 *  becomes U+FFFD. sc_free(). */
SC_API char *sc_route_to_json(const sc_route *r);

SC_END_DECLS

#endif
