/* Routing: FreeSWITCH's dialplan_hunt() and parse_exten() (mod_dialplan_xml),
 * deciding without running anything.
 *
 * FreeSWITCH works in two phases, and so does this file:
 *  1. the walk: extensions in order, conditions in order; a condition that
 *     passes adds its actions to the call's list at once (even when a later
 *     condition of the same extension fails), one that fails adds its
 *     anti-actions; $N is substituted from the condition's own expression;
 *     only inline actions (set, log) run now, so only an inline set changes
 *     what later conditions see.
 *  2. the run: the collected actions execute in order and ${var} is
 *     expanded as each one starts, so a plain `set` changes the data of the
 *     actions after it. Here "execute" means: expand, apply `set` to the
 *     variables, check the data's shape.
 * Everything a route changes lives in its router; the dialplan stays
 * read-only, so any number of threads may route on it at once. */
#include <string.h>
#include <glib.h>

#include "dialplan_priv.h"
#include "error_priv.h"

/* Variables as seen at one moment: set ones first, then the call fields. */
typedef struct scope {
    GHashTable *vars;               /* name -> value; a NULL value is an unset variable */
    const char *context;
    const sc_call_fields *fields;
} scope;

/* An action collected by the walk, expanded in the run. */
typedef struct collected {
    const dp_action *action;
    const char *extension;
    char **captures;                /* NULL: $N stays as written */
} collected;

typedef struct router {
    const sc_dialplan *dp;
    scope vars;                     /* routing time: fields + inline sets */
    GPtrArray *collected;           /* collected* */
    GString *line;                  /* explanation of the extension being tried */
    const dp_extension *ext;
    sc_route *route;
    size_t count;                   /* actions collected, loops counted */
    bool overflow;                  /* more than DP_MAX_ROUTE_ACTIONS */
} router;

/* A condition's outcome. */
typedef struct outcome {
    bool passed;                    /* actions (true) or anti-actions (false) */
    bool proceed;                   /* FreeSWITCH's "proceed" */
    char **captures;                /* of the expression whose $N the actions use */
    bool has_group;
} outcome;

/* ---------------------------------------------------------------------------
 * Variables
 * ------------------------------------------------------------------------- */

static const char *scope_lookup(const char *name, void *user)
{
    const scope *s = user;
    gpointer value;
    if (s->vars && g_hash_table_lookup_extended(s->vars, name, NULL, &value)) return value;
    if (!strcmp(name, "context")) return s->context;
    return g_hash_table_lookup(s->fields->values, name);
}

/* A bare field name reads the caller profile (here: the call fields), never
 * a variable set while routing, as switch_caller_get_field_by_name() does. */
static const char *profile_lookup(const scope *s, const char *name)
{
    if (!strcmp(name, "context")) return s->context;
    return g_hash_table_lookup(s->fields->values, name);
}

/* FreeSWITCH's set: "name=value"; an empty value unsets. */
static void apply_set(GHashTable *vars, const char *data)
{
    char *name, *value;
    if (!dp_split_set(data, &name, &value)) return;
    if (!*value) g_clear_pointer(&value, g_free);
    g_hash_table_insert(vars, name, value);
}

/* ---------------------------------------------------------------------------
 * Explanations
 * ------------------------------------------------------------------------- */

/* Text from the call or the XML, made fit for a one-line explanation:
 * valid UTF-8, no control characters, at most @p max characters. */
static void append_shown(GString *b, const char *s, glong max)
{
    char *valid = g_utf8_make_valid(s, -1);
    glong n = 0;
    const char *p = valid;
    for (; *p && n < max; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f) g_string_append_printf(b, "\\x%02x", (unsigned)c);
        else g_string_append_unichar(b, c);
    }
    if (*p) g_string_append(b, "...");
    g_free(valid);
}

/* Starts a new part of the extension's line ("; " between parts). */
static void part(router *r, const char *fmt, ...) SC_PRINTF(2, 3);
static void part(router *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!g_str_has_suffix(r->line->str, ": ") && !g_str_has_suffix(r->line->str, "{ "))
        g_string_append(r->line, "; ");
    g_string_append_vprintf(r->line, fmt, ap);
    va_end(ap);
}

/* A line of its own in the route's explanation. */
static void note(sc_route *route, const char *fmt, ...) SC_PRINTF(2, 3);
static void note(sc_route *route, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    append_shown(route->explain, text, 2000);
    g_string_append_c(route->explain, '\n');
    g_free(text);
}

/* "destination_number '0044123' =~ /^(00\d+)$/ matched" */
static void describe_match(router *r, const dp_match *m, const char *value, const char *pattern,
                           bool matched)
{
    append_shown(r->line, m->field, 200);
    g_string_append(r->line, " '");
    append_shown(r->line, value, 200);
    /* "/re/i" is shown as written, anything else between slashes. */
    bool slashed = pattern[0] == '/';
    g_string_append(r->line, slashed ? "' =~ " : "' =~ /");
    append_shown(r->line, pattern, 200);
    g_string_append_printf(r->line, "%s %s", slashed ? "" : "/",
                           matched ? "matched" : "did not match");
}

/* ---------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------- */

static char *field_value(const router *r, const dp_match *m)
{
    if (m->field_expands) return dp_expand(m->field, NULL, scope_lookup, (void *)&r->vars, NULL);
    const char *v = profile_lookup(&r->vars, m->field);
    return g_strdup(v ? v : "");
}

/* The compiled expression: the loaded one, or one built for this call when
 * the expression holds ${var} (FreeSWITCH expands expressions too). */
static GRegex *regex_for_call(router *r, const dp_match *m, char **pattern)
{
    if (m->re) {
        *pattern = g_strdup(m->expression);
        return g_regex_ref(m->re);
    }
    *pattern = dp_expand(m->pattern, NULL, scope_lookup, &r->vars, NULL);
    char *error = NULL;
    GRegex *re = dp_regex_compile(*pattern, m->flags, &error);
    if (!re) {
        append_shown(r->line, m->field, 200);
        g_string_append(r->line, ": ");
        append_shown(r->line, error, 300);
        g_string_append(r->line, ": no match");
        g_free(error);
    }
    return re;
}

/* Runs one field =~ expression; fills *captures (all groups) on a match. */
static bool run_match(router *r, const dp_match *m, char ***captures, bool *has_group)
{
    char *pattern = NULL;
    GRegex *re = regex_for_call(r, m, &pattern);
    *captures = NULL;
    *has_group = strchr(pattern, '(') != NULL;
    if (!re) {
        g_free(pattern);
        return false;
    }
    char *value = field_value(r, m);
    GMatchInfo *info = NULL;
    GError *err = NULL;
    bool matched = g_regex_match_full(re, value, -1, 0, 0, &info, &err);
    if (err) { /* PCRE's match limit: a pathological pattern */
        append_shown(r->line, m->field, 200);
        g_string_append(r->line, ": matching stopped (");
        append_shown(r->line, err->message, 300);
        g_string_append(r->line, "): no match");
        g_error_free(err);
        matched = false;
    } else {
        describe_match(r, m, value, pattern, matched);
    }
    if (matched) *captures = g_match_info_fetch_all(info);
    g_match_info_free(info);
    g_regex_unref(re);
    g_free(value);
    g_free(pattern);
    return matched;
}

/* regex="all|any|xor" (FreeSWITCH: any stops at the first pass, all at the
 * first failure, xor tries every one and passes with exactly one). The
 * captures are those of the last tried <regex> that has a group. */
static outcome run_regexes(router *r, const dp_condition *c)
{
    outcome o = { 0 };
    bool all = c->kind == DP_COND_REGEX_ALL, xor = c->kind == DP_COND_REGEX_XOR;
    guint pass = 0, fail = 0;
    part(r, "condition regex=%s [", all ? "all" : xor ? "xor" : "any");
    for (guint i = 0; i < c->regexes->len; i++) {
        if (i) g_string_append(r->line, ", ");
        char **caps;
        bool group;
        bool ok = run_match(r, g_ptr_array_index(c->regexes, i), &caps, &group);
        if (group) {
            g_strfreev(o.captures);
            o.captures = caps ? caps : g_new0(char *, 1);
            o.has_group = true;
        } else {
            g_strfreev(caps);
        }
        if (ok) pass++;
        else fail++;
        if ((ok && !all && !xor) || (!ok && all)) break;
    }
    o.passed = xor ? pass == 1 : all ? fail == 0 : pass > 0;
    o.proceed = o.passed;
    g_string_append_printf(r->line, "] %s", o.passed ? "passed" : "failed");
    return o;
}

static outcome evaluate(router *r, const dp_condition *c)
{
    outcome o = { 0 };
    switch (c->kind) {
    case DP_COND_ABSOLUTE:
        part(r, "condition without field: true");
        o.passed = o.proceed = true;
        return o;
    case DP_COND_FIELD:
        part(r, "condition ");
        o.passed = o.proceed = run_match(r, &c->match, &o.captures, &o.has_group);
        return o;
    default:
        return run_regexes(r, c);
    }
}

/* ---------------------------------------------------------------------------
 * Collecting actions
 * ------------------------------------------------------------------------- */

/* An inline action runs now, during the walk (FreeSWITCH's exec_app). */
static void run_inline(router *r, const dp_action *a, char **captures)
{
    char *data = dp_expand(a->data, captures, scope_lookup, &r->vars, NULL);
    if (a->app == DP_APP_SET) {
        if (!r->vars.vars)
            r->vars.vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        apply_set(r->vars.vars, data);
        part(r, "inline set ");
    } else {
        part(r, "inline log ");
    }
    append_shown(r->line, data, 200);
    g_free(data);
}

static void collect(router *r, const GPtrArray *actions, char **captures)
{
    for (guint i = 0; i < actions->len; i++) {
        const dp_action *a = g_ptr_array_index(actions, i);
        for (int n = 0; n < a->loop; n++) {
            if (a->is_inline) {
                run_inline(r, a, captures);
                continue;
            }
            if (r->count >= DP_MAX_ROUTE_ACTIONS) {
                r->overflow = true;
                return;
            }
            collected *c = g_new0(collected, 1);
            c->action = a;
            c->extension = r->ext->name;
            c->captures = g_strdupv(captures);
            g_ptr_array_add(r->collected, c);
            r->count++;
        }
    }
}

static void free_collected(gpointer p)
{
    collected *c = p;
    g_strfreev(c->captures);
    g_free(c);
}

/* ---------------------------------------------------------------------------
 * The walk
 * ------------------------------------------------------------------------- */

static bool breaks(const dp_condition *c, bool passed)
{
    return c->brk == DP_BREAK_ALWAYS || (passed && c->brk == DP_BREAK_ON_TRUE)
           || (!passed && c->brk == DP_BREAK_ON_FALSE);
}

/* Adds what one condition contributes; returns FreeSWITCH's proceed. */
static bool take(router *r, const dp_condition *c, outcome *o)
{
    if (!o->passed) {
        if (c->anti_actions->len) {
            collect(r, c->anti_actions, NULL);
            part(r, "%u anti-action(s)", c->anti_actions->len);
            return true; /* FreeSWITCH: anti-actions make the extension count as matched */
        }
        return o->proceed;
    }
    collect(r, c->actions, o->has_group ? o->captures : NULL);
    if (c->actions->len) part(r, "%u action(s)", c->actions->len);
    return o->proceed;
}

static bool walk(router *r, const GPtrArray *conds, bool require_nested);

/* Nested conditions of @p c; false when they fail. */
static bool walk_nested(router *r, const dp_condition *c)
{
    part(r, "nested {");
    g_string_append_c(r->line, ' ');
    bool proceed = walk(r, c->children, c->require_nested);
    g_string_append(r->line, " }");
    return proceed;
}

static bool walk(router *r, const GPtrArray *conds, bool require_nested)
{
    bool proceed = false;
    for (guint i = 0; i < conds->len; i++) {
        const dp_condition *c = g_ptr_array_index(conds, i);
        outcome o = evaluate(r, c);
        proceed = take(r, c, &o);
        g_strfreev(o.captures);
        if (breaks(c, o.passed)) {
            if (i + 1 < conds->len) part(r, "break");
            break;
        }
        if (proceed && c->children->len && !(proceed = walk_nested(r, c))) {
            if (c->brk == DP_BREAK_NEVER) continue;
            break;
        }
    }
    /* require-nested="false" on the enclosing condition: its nested
     * conditions do not decide (FreeSWITCH sets proceed = 1). */
    return require_nested ? proceed : true;
}

static bool try_extension(router *r, const dp_extension *x)
{
    r->ext = x;
    g_string_assign(r->line, "extension '");
    append_shown(r->line, x->name, 200);
    g_string_append(r->line, "' (");
    append_shown(r->line, x->origin, 1000);
    g_string_append(r->line, "): ");
    bool matched = walk(r, x->conditions, true);
    if (!x->conditions->len) g_string_append(r->line, "no condition");
    g_string_append(r->line, matched ? (x->cont ? " => matched, continue" : " => matched")
                                     : " => no match");
    g_string_append_len(r->route->explain, r->line->str, (gssize)r->line->len);
    g_string_append_c(r->route->explain, '\n');
    return matched;
}

/* ---------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------- */

static void run_one(sc_route *route, const collected *c, scope *exec)
{
    const dp_action *a = c->action;
    bool cut = false, syntax = a->app == DP_APP_BRIDGE || a->app == DP_APP_TRANSFER;
    char *tainted = NULL, *problem = NULL;
    char *data = dp_expand_data(a->data, c->captures, scope_lookup, exec, &cut,
                                syntax ? DP_DATA_SAFE : NULL, &tainted);
    if (cut) note(route, "action %s (%s): data cut at %u bytes", dp_app_name(a->app), a->origin,
                  DP_MAX_EXPANDED);
    if (a->app == DP_APP_SET) apply_set(exec->vars, data);
    if (tainted) {
        GString *shown = g_string_new(NULL);
        append_shown(shown, tainted, 100);
        problem = g_strdup_printf("a value put '%s' into the %s data, but what a variable or $N "
                                  "expands to must be data (letters, digits, %s), never %s syntax",
                                  shown->str, dp_app_name(a->app), DP_DATA_SAFE, dp_app_name(a->app));
        g_string_free(shown, TRUE);
        g_free(tainted);
    } else {
        problem = dp_app_check_data(a->app, data);
    }
    if (problem) {
        /* Kept, so that the route shows what FreeSWITCH would try; the
         * session refuses to run it. */
        note(route, "action %s (%s): %s: the runtime refuses it", dp_app_name(a->app), a->origin,
             problem);
    }
    dp_route_action *ra = g_new0(dp_route_action, 1);
    ra->app = g_strdup(dp_app_name(a->app));
    ra->data = data;
    ra->extension = g_strdup(c->extension);
    ra->origin = g_strdup(a->origin);
    ra->problem = problem;
    g_ptr_array_add(route->actions, ra);
}

static void run_collected(router *r)
{
    /* Inline sets ran while routing, before any collected action starts. */
    scope exec = r->vars;
    exec.vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (r->vars.vars) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, r->vars.vars);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_hash_table_insert(exec.vars, g_strdup(k), g_strdup(v));
    }
    size_t bytes = 0;
    for (guint i = 0; i < r->collected->len; i++) {
        if (bytes > DP_MAX_ROUTE_BYTES) {
            note(r->route, "the actions' data exceed %u bytes: the last %u actions were dropped",
                 DP_MAX_ROUTE_BYTES, r->collected->len - i);
            break;
        }
        run_one(r->route, g_ptr_array_index(r->collected, i), &exec);
        const dp_route_action *last =
            g_ptr_array_index(r->route->actions, r->route->actions->len - 1);
        bytes += strlen(last->data);
    }
    g_hash_table_destroy(exec.vars);
}

/* ---------------------------------------------------------------------------
 * Entry
 * ------------------------------------------------------------------------- */

/* FreeSWITCH falls back to a context named "global" when the call's one is
 * missing. */
static const dp_context *find_context(const sc_dialplan *dp, const char *name, sc_route **route)
{
    const dp_context *ctx = dp_find_context(dp, name);
    if (ctx) {
        *route = dp_route_new(name);
        return ctx;
    }
    ctx = dp_find_context(dp, "global");
    if (!ctx) return NULL;
    *route = dp_route_new("global");
    note(*route, "context '%s' not found: using 'global', as FreeSWITCH does", name);
    return ctx;
}

int dp_route(const sc_dialplan *dp, const char *context, const sc_call_fields *fields,
             sc_route **out)
{
    sc_route *route = NULL;
    const dp_context *ctx = find_context(dp, context, &route);
    if (!ctx) return sc_fail(SC_ENOTFOUND, "no context named '%s' in the dialplan", context);
    router r = {
        .dp = dp, .vars = { .context = route->context, .fields = fields },
        .collected = g_ptr_array_new_with_free_func(free_collected),
        .line = g_string_new(NULL), .route = route,
    };
    for (guint i = 0; i < ctx->extensions->len; i++) {
        const dp_extension *x = g_ptr_array_index(ctx->extensions, i);
        if (try_extension(&r, x) && !x->cont) break;
    }
    if (r.overflow)
        note(route, "more than %d actions: the rest were dropped", DP_MAX_ROUTE_ACTIONS);
    run_collected(&r);
    if (!route->actions->len)
        note(route, "no action: FreeSWITCH would answer 404 (NO_ROUTE_DESTINATION)");
    g_ptr_array_free(r.collected, TRUE);
    g_string_free(r.line, TRUE);
    if (r.vars.vars) g_hash_table_destroy(r.vars.vars);
    *out = route;
    sc_clear_error();
    return SC_OK;
}
