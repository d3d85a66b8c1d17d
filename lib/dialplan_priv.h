/* Private view of a dialplan, shared by the dialplan files:
 *   dialplan.c        objects, diagnostics, file and folder loading, accessors, JSON
 *   dialplan_xml.c    the FreeSWITCH XML loader (GMarkup)
 *   dialplan_apps.c   the supported applications and the shape of their data
 *   dialplan_expand.c $N / ${var} expansion and the regular expressions
 *   dialplan_route.c  the routing walk (FreeSWITCH's parse_exten)
 * A loaded dialplan is never modified while routing, so routing needs no
 * lock; everything a route changes lives in the route's own state. */
#ifndef SC_DIALPLAN_PRIV_H
#define SC_DIALPLAN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "skypeconnect/sc_dialplan.h"
#include "diag.h"

/* Limits. They bound the work and memory of hostile or runaway input; real
 * dialplans stay far below them. */
#define DP_MAX_EXTENSIONS 1000        /* per dialplan, all contexts together */
#define DP_MAX_PATTERN 1000           /* bytes of a regex (GRegex has no match timeout) */
#define DP_MAX_XML_DEPTH 64           /* element nesting in a file */
#define DP_MAX_COND_NESTING 16        /* <condition> inside <condition> (FreeSWITCH: 100) */
#define DP_MAX_LOOP 100               /* loop="N" on an action */
#define DP_MAX_FILE (4u * 1024u * 1024u)
#define DP_MAX_ROUTE_ACTIONS 10000    /* actions one route may collect */
#define DP_MAX_EXPANDED (64u * 1024u) /* bytes of one expanded string, or of an action's data */
#define DP_MAX_ROUTE_BYTES (1024u * 1024u) /* data of all the actions of one route */
#define DP_MAX_FIELD_VALUE (64u * 1024u)
#define DP_MAX_EXPAND_NESTING 8       /* ${a${b}} */

typedef enum dp_break {
    DP_BREAK_ON_FALSE,  /* FreeSWITCH's default */
    DP_BREAK_ON_TRUE,
    DP_BREAK_ALWAYS,
    DP_BREAK_NEVER
} dp_break;

typedef enum dp_app {
    DP_APP_TRANSFER,
    DP_APP_BRIDGE,
    DP_APP_ANSWER,
    DP_APP_HANGUP,
    DP_APP_RESPOND,
    DP_APP_SET,
    DP_APP_LOG,
    DP_APP_COUNT
} dp_app;

/* One <action> or <anti-action>. */
typedef struct dp_action {
    dp_app app;
    char *data;          /* as written; expanded when routing */
    bool is_inline;      /* inline="true": runs while routing (set, log) */
    int loop;            /* loop="N", 1 when absent */
    char *origin;        /* "FILE:LINE" */
    int line, column;    /* for load-time diagnostics */
} dp_action;

/* A "field =~ expression" test: a condition's own, or one <regex> of a
 * regex="all|any|xor" condition. */
typedef struct dp_match {
    char *field;         /* as written: a caller-profile name, a variable, or "${...}" text */
    bool field_expands;  /* the field contains '$': expanded like FreeSWITCH does */
    char *expression;    /* as written, for explanations */
    char *pattern;       /* the regular expression proper ("/re/i" without slashes and flags) */
    GRegexCompileFlags flags;
    bool has_group;      /* the expression contains '(': FreeSWITCH substitutes $N only then */
    GRegex *re;          /* compiled at load; NULL when the pattern holds ${var} */
} dp_match;

typedef enum dp_cond_kind {
    DP_COND_ABSOLUTE,    /* no field: always true */
    DP_COND_FIELD,
    DP_COND_REGEX_ALL,
    DP_COND_REGEX_ANY,
    DP_COND_REGEX_XOR
} dp_cond_kind;

typedef struct dp_condition {
    dp_cond_kind kind;
    dp_break brk;
    bool require_nested; /* require-nested: nested conditions must pass (default) */
    int line;
    dp_match match;      /* DP_COND_FIELD */
    GPtrArray *regexes;  /* dp_match*, regex="..." kinds */
    GPtrArray *actions;  /* dp_action* */
    GPtrArray *anti_actions;
    GPtrArray *children; /* nested dp_condition* */
} dp_condition;

typedef struct dp_extension {
    char *name;
    char *origin;        /* "FILE:LINE" */
    bool cont;           /* continue="true" */
    GPtrArray *conditions;
} dp_extension;

typedef struct dp_context {
    char *name;
    GPtrArray *extensions; /* dp_extension*, in load order */
} dp_context;

struct sc_dialplan {
    GPtrArray *contexts;   /* dp_context* */
    sc_diag_list diags;    /* no gateway or param in these */
    size_t extensions;     /* kept, all contexts */
};

struct sc_call_fields {
    GHashTable *values;    /* name -> value, both owned */
};

typedef struct dp_route_action {
    char *app, *data, *extension, *origin;
    char *problem;         /* why the runtime must refuse it, or NULL */
} dp_route_action;

struct sc_route {
    char *context;
    GPtrArray *actions;    /* dp_route_action* */
    GString *explain;      /* lines ending in '\n' */
};

/* ---- dialplan.c ---- */
dp_condition *dp_condition_new(void);
sc_route *dp_route_new(const char *context);
void dp_condition_free(gpointer p);
void dp_extension_free(gpointer p);
void dp_match_clear(dp_match *m);
dp_context *dp_find_context(const sc_dialplan *dp, const char *name);
dp_context *dp_get_context(sc_dialplan *dp, const char *name);
/* Appends "FILE:LINE:COL: error|warning: message" (no line: "FILE: ...")
 * outside a file's load (a folder that cannot be read...). */
void dp_add_diag(sc_dialplan *dp, bool error, const char *file, int line, int column,
                 const char *message);

/* ---- dialplan_xml.c ---- */
/* Parses @p len bytes and keeps the file's extensions only if it has no
 * error. Sets the thread's last error on failure. */
int dp_parse_xml(sc_dialplan *dp, const char *xml, size_t len, const char *source,
                 const char *default_context);

/* ---- dialplan_apps.c ---- */
/* The application of that name (case-insensitive), or -1. */
int dp_app_lookup(const char *name);
const char *dp_app_name(dp_app app);
/* "transfer, bridge, ..." */
const char *dp_app_list(void);
/* NULL when @p data fits the application, else why not (g_free it). */
char *dp_app_check_data(dp_app app, const char *data);
/* Whether FreeSWITCH can run the application inline (while routing). */
bool dp_app_can_inline(dp_app app);
/* Splits set's "name=value"; false when there is no '=' or no name. */
bool dp_split_set(const char *data, char **name, char **value);

/* ---- dialplan_expand.c ---- */
/* Looks a name up; NULL when unset. */
typedef const char *(*dp_lookup_fn)(const char *name, void *user);
/* Expands ${var} (through @p lookup) and, when @p captures is not NULL,
 * $N and ${N} (capture N, "" when it did not take part). Captured text is
 * copied as it is, never expanded again. Stops at DP_MAX_EXPANDED bytes and
 * sets *cut. Returns a new string. */
char *dp_expand(const char *text, char *const *captures, dp_lookup_fn lookup, void *user,
                bool *cut);
/* dp_expand(), and when @p data_safe is not NULL: every substituted value
 * (capture or variable) may hold only ASCII letters, digits and the bytes
 * of @p data_safe; the first one that holds anything else is returned in
 * *tainted (g_free it; NULL when all were clean). */
char *dp_expand_data(const char *text, char *const *captures, dp_lookup_fn lookup, void *user,
                     bool *cut, const char *data_safe, char **tainted);
/* The punctuation a value may hold inside bridge and transfer data: what a
 * number, a SIP user or a host:port needs, and none of their separators
 * (',' '|' between targets, '/' before a gateway's number, '@', blanks). */
#define DP_DATA_SAFE "+*#._~-:"
/* Splits FreeSWITCH's "/re/flags" form and checks the expression; fills
 * m->pattern, m->flags, m->has_group; on error returns a message (g_free). */
char *dp_match_prepare(dp_match *m);
/* Compiles a pattern with FreeSWITCH's matching rules (bytes, PCRE);
 * NULL and a message (g_free) on error. */
GRegex *dp_regex_compile(const char *pattern, GRegexCompileFlags flags, char **error);
/* Messages about ${...} forms libskypeconnect does not expand; NULL if none. */
char *dp_expand_check(const char *text);

/* Why the session must not run action @p i of @p r (its data does not fit
 * the application, or a value put syntax into it), or NULL. */
const char *dp_route_action_problem(const sc_route *r, size_t i);

/* ---- dialplan_route.c ---- */
int dp_route(const sc_dialplan *dp, const char *context, const sc_call_fields *fields,
             sc_route **out);

#endif
