/* The dialplan's objects: contexts, extensions, conditions, call fields and
 * routes, with their constructors, accessors and JSON. The parser
 * (dialplan_xml.c) and the router (dialplan_route.c) build them; nothing
 * here calls either. */
#include <string.h>
#include <glib.h>

#include "dialplan_int.h"
#include "error_priv.h"
#include "free_all.h"
#include "json.h"

/* ---------------------------------------------------------------------------
 * Storage
 * ------------------------------------------------------------------------- */

void dp_match_clear(dp_match *m)
{
    g_free(m->field);
    g_free(m->expression);
    g_free(m->pattern);
    if (m->re) g_regex_unref(m->re);
    memset(m, 0, sizeof *m);
}

static void free_match(gpointer p)
{
    dp_match_clear(p);
    g_free(p);
}

static void free_action(gpointer p)
{
    dp_action *a = p;
    g_free(a->data);
    g_free(a->origin);
    g_free(a);
}

void dp_condition_free(gpointer p)
{
    dp_condition *c = p;
    if (!c) return;
    dp_match_clear(&c->match);
    if (c->regexes) g_ptr_array_free(c->regexes, TRUE);
    g_ptr_array_free(c->actions, TRUE);
    g_ptr_array_free(c->anti_actions, TRUE);
    g_ptr_array_free(c->children, TRUE);
    g_free(c);
}

dp_condition *dp_condition_new(void)
{
    dp_condition *c = g_new0(dp_condition, 1);
    c->require_nested = true;
    c->regexes = g_ptr_array_new_with_free_func(free_match);
    c->actions = g_ptr_array_new_with_free_func(free_action);
    c->anti_actions = g_ptr_array_new_with_free_func(free_action);
    c->children = g_ptr_array_new_with_free_func(dp_condition_free);
    return c;
}

void dp_extension_free(gpointer p)
{
    dp_extension *x = p;
    if (!x) return;
    g_free(x->name);
    g_free(x->origin);
    g_ptr_array_free(x->conditions, TRUE);
    g_free(x);
}

static void free_context(gpointer p)
{
    dp_context *c = p;
    g_free(c->name);
    g_ptr_array_free(c->extensions, TRUE);
    g_free(c);
}

SC_API sc_dialplan *sc_dialplan_new(void)
{
    sc_dialplan *dp = g_new0(sc_dialplan, 1);
    dp->contexts = g_ptr_array_new_with_free_func(free_context);
    sc_diag_list_init(&dp->diags);
    sc_clear_error();
    return dp;
}

SC_API void sc_dialplan_free(sc_dialplan *dp)
{
    if (!dp) return;
    g_ptr_array_free(dp->contexts, TRUE);
    sc_diag_list_clear(&dp->diags);
    g_free(dp);
}

dp_context *dp_find_context(const sc_dialplan *dp, const char *name)
{
    for (guint i = 0; i < dp->contexts->len; i++) {
        dp_context *c = g_ptr_array_index(dp->contexts, i);
        if (!strcmp(c->name, name)) return c;
    }
    return NULL;
}

dp_context *dp_get_context(sc_dialplan *dp, const char *name)
{
    dp_context *c = dp_find_context(dp, name);
    if (c) return c;
    c = g_new0(dp_context, 1);
    c->name = g_strdup(name);
    c->extensions = g_ptr_array_new_with_free_func(dp_extension_free);
    g_ptr_array_add(dp->contexts, c);
    return c;
}

void dp_add_diag(sc_dialplan *dp, bool error, const char *file, int line, int column,
                 const char *message)
{
    sc_diag_list_add(&dp->diags, error ? SC_DIAG_ERROR : SC_DIAG_WARNING, file, line, column,
                     NULL, NULL, false, message);
}

/* ---------------------------------------------------------------------------
 * Call fields
 * ------------------------------------------------------------------------- */

SC_API sc_call_fields *sc_call_fields_new(void)
{
    sc_call_fields *f = g_new0(sc_call_fields, 1);
    f->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sc_clear_error();
    return f;
}

SC_API void sc_call_fields_free(sc_call_fields *f)
{
    if (!f) return;
    g_hash_table_destroy(f->values);
    g_free(f);
}

SC_API int sc_call_fields_set(sc_call_fields *f, const char *name, const char *value)
{
    if (!f || !name || !*name)
        return sc_fail(SC_EINVAL, "sc_call_fields_set: %s", !f ? "fields is NULL"
                                                             : "the name is NULL or empty");
    if (!value) {
        g_hash_table_remove(f->values, name);
    } else {
        if (strlen(value) > DP_MAX_FIELD_VALUE)
            return sc_fail(SC_EINVAL, "sc_call_fields_set: value of '%s' is longer than %u bytes",
                           name, DP_MAX_FIELD_VALUE);
        g_hash_table_insert(f->values, g_strdup(name), g_strdup(value));
    }
    sc_clear_error();
    return SC_OK;
}

SC_API const char *sc_call_fields_get(const sc_call_fields *f, const char *name)
{
    return f && name ? g_hash_table_lookup(f->values, name) : NULL;
}

/* ---------------------------------------------------------------------------
 * Routes
 * ------------------------------------------------------------------------- */

static void free_route_action(gpointer p)
{
    dp_route_action *a = p;
    SC_FREE_ALL(a->app, a->data, a->extension, a->origin, a->problem);
    g_free(a);
}

sc_route *dp_route_new(const char *context)
{
    sc_route *r = g_new0(sc_route, 1);
    r->context = g_strdup(context);
    r->actions = g_ptr_array_new_with_free_func(free_route_action);
    r->explain = g_string_new(NULL);
    return r;
}

SC_API void sc_route_free(sc_route *r)
{
    if (!r) return;
    g_free(r->context);
    g_ptr_array_free(r->actions, TRUE);
    g_string_free(r->explain, TRUE);
    g_free(r);
}

static const dp_route_action *route_action(const sc_route *r, size_t i);

const char *dp_route_action_problem(const sc_route *r, size_t i)
{
    const dp_route_action *a = route_action(r, i);
    return a ? a->problem : NULL;
}

static const dp_route_action *route_action(const sc_route *r, size_t i)
{
    return r && i < r->actions->len ? g_ptr_array_index(r->actions, i) : NULL;
}

SC_API size_t sc_route_action_count(const sc_route *r)
{
    return r ? r->actions->len : 0;
}

/* The public getters of an action's texts: NULL when there is no action i. */
#define ROUTE_ACTION_GETTER(fn, field) \
    SC_API const char *fn(const sc_route *r, size_t i) \
    { \
        const dp_route_action *a = route_action(r, i); \
        return a ? a->field : NULL; \
    }

ROUTE_ACTION_GETTER(sc_route_action_app, app)
ROUTE_ACTION_GETTER(sc_route_action_data, data)
ROUTE_ACTION_GETTER(sc_route_action_extension, extension)
ROUTE_ACTION_GETTER(sc_route_action_origin, origin)

SC_API const char *sc_route_explain(const sc_route *r)
{
    return r ? r->explain->str : NULL;
}

/* A JSON string. Field values come from the network and may be any bytes:
 * invalid UTF-8 becomes U+FFFD so that the document stays valid JSON. */
static void json_actions(GString *b, const sc_route *r)
{
    g_string_append(b, ",\"actions\":[");
    for (guint i = 0; i < r->actions->len; i++) {
        const dp_route_action *a = g_ptr_array_index(r->actions, i);
        g_string_append(b, i ? ",{\"app\":" : "{\"app\":");
        sc_json_append_string(b, a->app);
        sc_json_append_member(b, "data", a->data);
        sc_json_append_member(b, "extension", a->extension);
        sc_json_append_member(b, "origin", a->origin);
        g_string_append_c(b, '}');
    }
    g_string_append_c(b, ']');
}

static void json_explain(GString *b, const sc_route *r)
{
    g_string_append(b, ",\"explain\":[");
    char **lines = g_strsplit(r->explain->str, "\n", -1);
    bool first = true;
    for (size_t i = 0; lines[i]; i++) {
        if (!*lines[i]) continue;
        if (!first) g_string_append_c(b, ',');
        sc_json_append_string(b, lines[i]);
        first = false;
    }
    g_strfreev(lines);
    g_string_append_c(b, ']');
}

SC_API char *sc_route_to_json(const sc_route *r)
{
    if (!r) return sc_fail_null(SC_EINVAL, "sc_route_to_json: route is NULL");
    GString *b = g_string_new("{\"context\":");
    sc_json_append_string(b, r->context);
    json_actions(b, r);
    json_explain(b, r);
    g_string_append_c(b, '}');
    sc_clear_error();
    /* sc_free() is g_free(): this library allocates with GLib. */
    return g_string_free(b, FALSE);
}
