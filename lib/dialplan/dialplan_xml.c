/* The FreeSWITCH dialplan XML loader: <context>s, <extension>s,
 * <condition>s (nested, regex="all|any|xor"), <action>s and <anti-action>s,
 * wherever FreeSWITCH users keep them (a bare <include> file as in
 * conf/dialplan/public/, a <context> file, a whole <document>).
 *
 * Every problem becomes a diagnostic with its line and column, and loading
 * goes on to find the others; a file with any error keeps nothing, so a
 * half-read dialplan never routes calls. Things FreeSWITCH would run but
 * libskypeconnect cannot (playback, time-of-day conditions...) are errors,
 * never silent skips: routing the same XML differently would be worse.
 *
 * GMarkup does the XML; positions and the plumbing around it are in
 * xml_common.c, shared with the gateway loader. Values that need text
 * content (<expression>, an <action>'s text) are checked when the element
 * closes. */
#include <string.h>
#include <glib.h>

#include "dialplan_int.h"
#include "error_priv.h"
#include "xml_common.h"
#include "fs_bool.h"

typedef enum frame_kind {
    F_WRAPPER,    /* <document>, <section>, <include>: may hold contexts */
    F_SKIP,       /* a subtree already reported or ignored */
    F_CONTEXT,
    F_EXTENSION,
    F_CONDITION,
    F_REGEX,
    F_ACTION,
    F_EXPRESSION
} frame_kind;

typedef struct frame {
    frame_kind kind;
    int line, column;   /* of the element's '<' */
} frame;

/* An extension read from this file, with the context it goes into. */
typedef struct pending {
    char *context;
    dp_extension *ext;
} pending;

typedef struct loader {
    sc_dialplan *dp;
    const char *source;
    const char *default_context;
    sc_xml_doc doc;
    GArray *frames;            /* frame */
    char *context;             /* name of the open <context>, or NULL */
    dp_extension *ext;         /* the open <extension>, or NULL */
    GPtrArray *conds;          /* open dp_condition*, innermost last (owned by ext) */
    dp_match *regex;           /* the open <regex>, or NULL */
    dp_action *action;         /* the open <action>/<anti-action>, or NULL */
    GString *content;          /* text of the open <action> or <expression> */
    bool content_overflow;     /* ... longer than DP_MAX_EXPANDED: not kept */
    GPtrArray *done;           /* pending*, in order */
    GPtrArray *contexts;       /* char*: <context> names of this file */
    sc_diag_load diags;        /* this load's diagnostics */
} loader;

/* ---------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------- */

static void diag_at(loader *ld, bool error, int line, int column, const char *message)
{
    sc_diag_load_add(&ld->diags, error ? SC_DIAG_ERROR : SC_DIAG_WARNING, line, column, NULL, NULL,
                     false, message);
}

static void diagf(loader *ld, bool error, int line, int column, const char *fmt, ...)
    SC_PRINTF(5, 6);
static void diagf(loader *ld, bool error, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    diag_at(ld, error, line, column, msg);
    g_free(msg);
}

/* ---------------------------------------------------------------------------
 * Frames and attributes
 * ------------------------------------------------------------------------- */

static const frame *top(const loader *ld)
{
    static const frame root = { F_WRAPPER, 0, 0 };
    return ld->frames->len ? &g_array_index(ld->frames, frame, ld->frames->len - 1) : &root;
}

/* Pushes a frame for the element just opened and returns it. */
static frame *push(loader *ld, frame_kind kind)
{
    frame f = { .kind = kind };
    sc_xml_element_position(&ld->doc, &f.line, &f.column);
    g_array_append_val(ld->frames, f);
    return &g_array_index(ld->frames, frame, ld->frames->len - 1);
}

static const char *attr(const char **names, const char **values, const char *wanted)
{
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(names[i], wanted)) return values[i];
    return NULL;
}

/* FreeSWITCH's switch_true(). */
static bool is_true(const char *v)
{
    return sc_fs_true(v);
}

static dp_condition *current_condition(const loader *ld)
{
    return ld->conds->len ? g_ptr_array_index(ld->conds, ld->conds->len - 1) : NULL;
}

/* Reports an element that cannot be where it is and skips its subtree. */
static void unexpected(loader *ld, const char *element, const char *parent)
{
    frame *f = push(ld, F_SKIP);
    diagf(ld, true, f->line, f->column, "unknown element <%s> inside <%s>", element, parent);
}

/* ---------------------------------------------------------------------------
 * <context> and <extension>
 * ------------------------------------------------------------------------- */

static void open_context(loader *ld, const char **names, const char **values)
{
    frame *f = push(ld, F_CONTEXT);
    const char *name = attr(names, values, "name");
    if (!name || !*name) {
        diagf(ld, true, f->line, f->column, "<context> has no name attribute");
        name = "";
    }
    ld->context = g_strdup(name);
    g_ptr_array_add(ld->contexts, g_strdup(name));
}

static size_t extensions_so_far(const loader *ld)
{
    return ld->dp->extensions + ld->done->len;
}

static void open_extension(loader *ld, const char **names, const char **values)
{
    if (extensions_so_far(ld) >= DP_MAX_EXTENSIONS) {
        frame *f = push(ld, F_SKIP);
        diagf(ld, true, f->line, f->column, "more than %d extensions: libskypeconnect's limit "
              "for one dialplan", DP_MAX_EXTENSIONS);
        return;
    }
    frame *f = push(ld, F_EXTENSION);
    const char *name = attr(names, values, "name");
    if (!name || !*name) {
        /* FreeSWITCH calls it "UNKNOWN"; a route that cannot say which
         * extension decided is no use, so a name is required here. */
        diagf(ld, true, f->line, f->column, "<extension> has no name attribute");
        name = "";
    }
    dp_extension *x = g_new0(dp_extension, 1);
    x->name = g_strdup(name);
    x->origin = g_strdup_printf("%s:%d", ld->source, f->line);
    x->cont = is_true(attr(names, values, "continue"));
    x->conditions = g_ptr_array_new_with_free_func(dp_condition_free);
    pending *p = g_new0(pending, 1);
    p->context = g_strdup(ld->context ? ld->context : ld->default_context);
    p->ext = x;
    g_ptr_array_add(ld->done, p);
    ld->ext = x;
}

static void close_extension(loader *ld, const frame *f)
{
    if (ld->ext && ld->ext->conditions->len == 0)
        diagf(ld, false, f->line, f->column, "extension '%s' has no <condition>: FreeSWITCH "
              "never matches it", ld->ext->name);
    ld->ext = NULL;
}

/* ---------------------------------------------------------------------------
 * <condition>
 * ------------------------------------------------------------------------- */

/* Attributes of switch_xml_std_datetime_check(): conditions on the time. */
static const char *const time_attributes[] = {
    "year", "yday", "mon", "mday", "week", "mweek", "wday", "hour", "minute",
    "minute-of-day", "time-of-day", "date-time", "tod_tz_offset", NULL
};

/* Reports a time-of-day attribute; true if there was one. */
static bool has_time_attribute(loader *ld, const frame *f, const char *element,
                               const char **names)
{
    for (size_t i = 0; names[i]; i++) {
        for (size_t t = 0; time_attributes[t]; t++) {
            if (strcmp(names[i], time_attributes[t])) continue;
            diagf(ld, true, f->line, f->column, "<%s %s=...>: time-of-day conditions are not "
                  "supported by libskypeconnect", element, names[i]);
            return true;
        }
    }
    return false;
}

static dp_break parse_break(loader *ld, const frame *f, const char *value)
{
    static const struct { const char *name; dp_break brk; } table[] = {
        { "on-false", DP_BREAK_ON_FALSE }, { "on-true", DP_BREAK_ON_TRUE },
        { "always", DP_BREAK_ALWAYS },     { "never", DP_BREAK_NEVER },
    };
    if (!value) return DP_BREAK_ON_FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
        if (!g_ascii_strcasecmp(value, table[i].name)) return table[i].brk;
    diagf(ld, false, f->line, f->column, "break='%s' is not on-false, on-true, always or never; "
          "FreeSWITCH treats it as on-false, and so does libskypeconnect", value);
    return DP_BREAK_ON_FALSE;
}

static void parse_regex_kind(loader *ld, const frame *f, const char *rule, dp_condition *c)
{
    if (!g_ascii_strcasecmp(rule, "all")) c->kind = DP_COND_REGEX_ALL;
    else if (!g_ascii_strcasecmp(rule, "any")) c->kind = DP_COND_REGEX_ANY;
    else if (!g_ascii_strcasecmp(rule, "xor")) c->kind = DP_COND_REGEX_XOR;
    else {
        diagf(ld, true, f->line, f->column, "regex='%s' is not all, any or xor", rule);
        c->kind = DP_COND_REGEX_ALL; /* read its <regex> children anyway, for their errors */
    }
}

static void read_condition_attributes(loader *ld, const frame *f, dp_condition *c,
                                      const char **names, const char **values)
{
    const char *field = attr(names, values, "field");
    const char *expression = attr(names, values, "expression");
    const char *rule = attr(names, values, "regex");
    has_time_attribute(ld, f, "condition", names);
    c->brk = parse_break(ld, f, attr(names, values, "break"));
    const char *req = attr(names, values, "require-nested");
    c->require_nested = req ? is_true(req) : true;
    if (rule) {
        parse_regex_kind(ld, f, rule, c);
        if (field || expression)
            diagf(ld, false, f->line, f->column, "field and expression are ignored on a "
                  "condition with regex='%s' (FreeSWITCH reads only its <regex> elements)", rule);
        return;
    }
    c->kind = field ? DP_COND_FIELD : DP_COND_ABSOLUTE;
    c->match.field = g_strdup(field);
    c->match.expression = g_strdup(expression);
}

static void open_condition(loader *ld, const char **names, const char **values)
{
    if (ld->conds->len >= DP_MAX_COND_NESTING) {
        frame *f = push(ld, F_SKIP);
        diagf(ld, true, f->line, f->column, "conditions nested deeper than %d levels",
              DP_MAX_COND_NESTING);
        return;
    }
    dp_condition *parent = current_condition(ld);
    frame *f = push(ld, F_CONDITION);
    dp_condition *c = dp_condition_new();
    c->line = f->line;
    read_condition_attributes(ld, f, c, names, values);
    /* The expression attribute without a field: FreeSWITCH ignores it and
     * takes the condition as always true, surely not what was meant. */
    if (c->kind == DP_COND_ABSOLUTE && attr(names, values, "expression"))
        c->kind = DP_COND_FIELD; /* reported at close as "expression but no field" */
    g_ptr_array_add(parent ? parent->children : ld->ext->conditions, c);
    g_ptr_array_add(ld->conds, c);
}

/* The caller-profile fields switch_caller_get_field_by_name() knows. */
static const char *const profile_fields[] = {
    "dialplan", "username", "caller_id_name", "caller_id_number", "orig_caller_id_name",
    "orig_caller_id_number", "callee_id_name", "callee_id_number", "ani", "aniii",
    "network_addr", "rdnis", "destination_number", "uuid", "source", "transfer_source",
    "context", "chan_name", "profile_index", "caller_ton", "caller_numplan",
    "destination_number_ton", "destination_number_numplan", "ani_ton", "ani_numplan",
    "rdnis_ton", "rdnis_numplan", NULL
};

static void check_field_name(loader *ld, const frame *f, const char *field)
{
    if (strchr(field, '$')) {
        char *msg = dp_expand_check(field);
        if (msg) diagf(ld, false, f->line, f->column, "field: %s", msg);
        g_free(msg);
        return;
    }
    for (size_t i = 0; profile_fields[i]; i++)
        if (!strcmp(field, profile_fields[i])) return;
    diagf(ld, false, f->line, f->column, "field '%s' is not a caller-profile field: FreeSWITCH "
          "reads it as \"\" (write field=\"${%s}\" for the variable); libskypeconnect reads the "
          "call field or variable '%s'", field, field, field);
}

/* Checks a field/expression pair and compiles the expression. */
static void check_match(loader *ld, const frame *f, const char *element, dp_match *m)
{
    if (!m->field) {
        diagf(ld, true, f->line, f->column, "<%s> has an expression but no field", element);
        return;
    }
    if (!m->expression) {
        diagf(ld, true, f->line, f->column, "<%s field='%s'> has no expression", element, m->field);
        return;
    }
    if (strlen(m->field) > DP_MAX_PATTERN) {
        diagf(ld, true, f->line, f->column, "<%s> field longer than %d bytes", element,
              DP_MAX_PATTERN);
        return;
    }
    check_field_name(ld, f, m->field);
    m->field_expands = strchr(m->field, '$') != NULL;
    char *error = dp_match_prepare(m);
    if (error) {
        diag_at(ld, true, f->line, f->column, error);
        g_free(error);
        return;
    }
    char *warning = strstr(m->pattern, "${") ? dp_expand_check(m->pattern) : NULL;
    if (warning) diagf(ld, false, f->line, f->column, "expression: %s", warning);
    g_free(warning);
}

static bool has_capture_reference(const char *data)
{
    for (const char *p = strchr(data, '$'); p; p = strchr(p + 1, '$'))
        if (g_ascii_isdigit(p[1]) || (p[1] == '{' && g_ascii_isdigit(p[2]))) return true;
    return false;
}

/* "$1" where FreeSWITCH has no captures to put stays "$1" at run time: the
 * XML almost surely expected a number there. */
static void check_capture_uses(loader *ld, const dp_condition *c)
{
    bool groups = c->kind == DP_COND_FIELD ? c->match.has_group : c->kind != DP_COND_ABSOLUTE;
    for (guint i = 0; i < c->actions->len && !groups; i++) {
        const dp_action *a = g_ptr_array_index(c->actions, i);
        if (has_capture_reference(a->data))
            diagf(ld, false, a->line, a->column, "'$N' stays as written: FreeSWITCH substitutes "
                  "captures only from the expression of the action's own condition, which "
                  "has no group");
    }
    for (guint i = 0; i < c->anti_actions->len; i++) {
        const dp_action *a = g_ptr_array_index(c->anti_actions, i);
        if (has_capture_reference(a->data))
            diagf(ld, false, a->line, a->column, "'$N' stays as written: anti-actions run when "
                  "the expression did not match, so there are no captures");
    }
}

static void close_condition(loader *ld, const frame *f)
{
    dp_condition *c = current_condition(ld);
    g_ptr_array_set_size(ld->conds, ld->conds->len - 1);
    if (c->kind == DP_COND_FIELD) check_match(ld, f, "condition", &c->match);
    check_capture_uses(ld, c);
}

/* ---------------------------------------------------------------------------
 * <regex>, <expression>
 * ------------------------------------------------------------------------- */

static void open_regex(loader *ld, const char **names, const char **values)
{
    dp_condition *c = current_condition(ld);
    if (c->kind != DP_COND_REGEX_ALL && c->kind != DP_COND_REGEX_ANY
        && c->kind != DP_COND_REGEX_XOR) {
        frame *f = push(ld, F_SKIP);
        diagf(ld, true, f->line, f->column, "<regex> inside a condition without "
              "regex=\"all|any|xor\"");
        return;
    }
    frame *f = push(ld, F_REGEX);
    has_time_attribute(ld, f, "regex", names);
    dp_match *m = g_new0(dp_match, 1);
    m->field = g_strdup(attr(names, values, "field"));
    m->expression = g_strdup(attr(names, values, "expression"));
    g_ptr_array_add(c->regexes, m);
    ld->regex = m;
}

static void close_regex(loader *ld, const frame *f)
{
    if (!ld->regex->field && !ld->regex->expression)
        diagf(ld, true, f->line, f->column, "<regex> has no field and no expression");
    else
        check_match(ld, f, "regex", ld->regex);
    ld->regex = NULL;
}

static void open_expression(loader *ld)
{
    push(ld, F_EXPRESSION);
    g_string_truncate(ld->content, 0);
    ld->content_overflow = false;
}

/* <expression> text wins over an expression attribute, as in FreeSWITCH. */
static void close_expression(loader *ld, const frame *f)
{
    dp_match *m = ld->regex ? ld->regex : &current_condition(ld)->match;
    g_free(m->expression);
    m->expression = g_strdup(ld->content->str);
    if (ld->content_overflow)
        diagf(ld, true, f->line, f->column, "<expression> longer than %u bytes", DP_MAX_EXPANDED);
    dp_condition *c = current_condition(ld);
    if (!ld->regex && c->kind == DP_COND_ABSOLUTE) c->kind = DP_COND_FIELD;
}

/* ---------------------------------------------------------------------------
 * <action>, <anti-action>
 * ------------------------------------------------------------------------- */

/* loop="N"; 0 when invalid. */
static int parse_loop(const char *v)
{
    if (!v) return 1;
    char *end;
    gint64 n = g_ascii_strtoll(v, &end, 10);
    return *v && !*end && n >= 1 && n <= DP_MAX_LOOP ? (int)n : 0;
}

static void read_action(loader *ld, const frame *f, dp_action *a, const char **names,
                        const char **values, const char *element)
{
    const char *app = attr(names, values, "application");
    const char *loop = attr(names, values, "loop");
    int id = app ? dp_app_lookup(app) : -1;
    a->app = id < 0 ? DP_APP_LOG : (dp_app)id;
    a->is_inline = is_true(attr(names, values, "inline"));
    a->loop = parse_loop(loop);
    if (!app || !*app)
        diagf(ld, true, f->line, f->column, "<%s> has no application attribute", element);
    else if (id < 0)
        diagf(ld, true, f->line, f->column, "application '%s' is not supported by "
              "libskypeconnect (supported: %s)", app, dp_app_list());
    else if (a->is_inline && !dp_app_can_inline(a->app))
        diagf(ld, true, f->line, f->column, "application '%s' cannot run inline (FreeSWITCH "
              "refuses it too); only set and log can", app);
    if (!a->loop)
        diagf(ld, true, f->line, f->column, "loop='%s' is not a whole number from 1 to %d",
              loop, DP_MAX_LOOP);
}

static void open_action(loader *ld, const char *element, const char **names,
                        const char **values)
{
    frame *f = push(ld, F_ACTION);
    dp_condition *c = current_condition(ld);
    dp_action *a = g_new0(dp_action, 1);
    read_action(ld, f, a, names, values, element);
    const char *data = attr(names, values, "data");
    a->data = g_strdup(data ? data : "");
    a->origin = g_strdup_printf("%s:%d", ld->source, f->line);
    a->line = f->line;
    a->column = f->column;
    g_ptr_array_add(strcmp(element, "action") ? c->anti_actions : c->actions, a);
    ld->action = a;
    g_string_truncate(ld->content, 0);
    ld->content_overflow = false;
}

static bool is_blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

static void close_action(loader *ld, const frame *f)
{
    dp_action *a = ld->action;
    ld->action = NULL;
    if (!is_blank(ld->content->str)) { /* FreeSWITCH: text content wins over data= */
        g_free(a->data);
        a->data = g_strdup(ld->content->str);
    }
    if (strlen(a->data) > DP_MAX_EXPANDED || ld->content_overflow) {
        diagf(ld, true, f->line, f->column, "data longer than %u bytes", DP_MAX_EXPANDED);
        return;
    }
    /* Literal data is checked now; data with $N or ${var} when routing. */
    if (!strchr(a->data, '$')) {
        char *problem = dp_app_check_data(a->app, a->data);
        if (problem) diag_at(ld, true, f->line, f->column, problem);
        g_free(problem);
        return;
    }
    char *warning = dp_expand_check(a->data);
    if (warning) diagf(ld, false, f->line, f->column, "%s data: %s", dp_app_name(a->app), warning);
    g_free(warning);
}

/* ---------------------------------------------------------------------------
 * Element dispatch
 * ------------------------------------------------------------------------- */

static void open_in_wrapper(loader *ld, const char *element, const char **names,
                            const char **values)
{
    const char *section = NULL;
    if (!strcmp(element, "context")) {
        open_context(ld, names, values);
    } else if (!strcmp(element, "extension")) {
        open_extension(ld, names, values);
    } else if (!strcmp(element, "document") || !strcmp(element, "include")
               || (!strcmp(element, "section")
                   && (!(section = attr(names, values, "name")) || !strcmp(section, "dialplan")))) {
        push(ld, F_WRAPPER);
    } else {
        frame *f = push(ld, F_SKIP);
        diagf(ld, false, f->line, f->column, "element <%s> ignored: it holds no dialplan",
              element);
    }
}

static void open_in_condition(loader *ld, const char *element, const char **names,
                              const char **values)
{
    if (!strcmp(element, "action") || !strcmp(element, "anti-action"))
        open_action(ld, element, names, values);
    else if (!strcmp(element, "condition"))
        open_condition(ld, names, values);
    else if (!strcmp(element, "regex"))
        open_regex(ld, names, values);
    else if (!strcmp(element, "expression"))
        open_expression(ld);
    else
        unexpected(ld, element, "condition");
}

/* <x a="1" a="2"/>: which was meant is anyone's guess, so the element is
 * reported and skipped. */
static void skip_duplicate_attribute(loader *ld, const char *element, const char *twice)
{
    frame *f = push(ld, F_SKIP);
    diagf(ld, true, f->line, f->column, "<%s> has the attribute '%s' twice", element, twice);
}

static void dispatch(loader *ld, frame_kind in, const char *element, const char **names,
                     const char **values)
{
    switch (in) {
    case F_WRAPPER: open_in_wrapper(ld, element, names, values); break;
    case F_CONTEXT:
        if (!strcmp(element, "extension")) open_extension(ld, names, values);
        else unexpected(ld, element, "context");
        break;
    case F_EXTENSION:
        if (!strcmp(element, "condition")) open_condition(ld, names, values);
        else unexpected(ld, element, "extension");
        break;
    case F_CONDITION: open_in_condition(ld, element, names, values); break;
    case F_REGEX:
        if (!strcmp(element, "expression")) open_expression(ld);
        else unexpected(ld, element, "regex");
        break;
    case F_ACTION: unexpected(ld, element, "action"); break;
    case F_EXPRESSION: unexpected(ld, element, "expression"); break;
    case F_SKIP: push(ld, F_SKIP); break;
    }
}

static void on_start(GMarkupParseContext *ctx, const char *element, const char **names,
                     const char **values, gpointer user, GError **error)
{
    (void)ctx;
    loader *ld = user;
    const char *twice;
    if (!sc_xml_start_common(&ld->doc, ld->frames->len, DP_MAX_XML_DEPTH, names, &twice, error))
        return;
    frame_kind in = top(ld)->kind;
    if (in == F_SKIP) {
        push(ld, F_SKIP);
    } else if (twice) {
        skip_duplicate_attribute(ld, element, twice);
    } else if (!strcmp(element, "X-PRE-PROCESS")) {
        frame *f = push(ld, F_SKIP);
        diagf(ld, false, f->line, f->column, "<X-PRE-PROCESS> not expanded: libskypeconnect "
              "does not run FreeSWITCH's preprocessor (load the folder with "
              "sc_dialplan_load_dir instead of includes)");
    } else {
        dispatch(ld, in, element, names, values);
    }
}

static void on_end(GMarkupParseContext *ctx, const char *element, gpointer user, GError **error)
{
    (void)ctx;
    (void)element;
    (void)error;
    loader *ld = user;
    frame f;
    if (!sc_xml_pop_frame(ld->frames, &f)) return;
    switch (f.kind) {
    case F_CONTEXT: g_clear_pointer(&ld->context, g_free); break;
    case F_EXTENSION: close_extension(ld, &f); break;
    case F_CONDITION: close_condition(ld, &f); break;
    case F_REGEX: close_regex(ld, &f); break;
    case F_ACTION: close_action(ld, &f); break;
    case F_EXPRESSION: close_expression(ld, &f); break;
    default: break;
    }
}

static void on_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer user,
                    GError **error)
{
    (void)ctx;
    (void)error;
    loader *ld = user;
    frame_kind k = top(ld)->kind;
    if (k != F_ACTION && k != F_EXPRESSION) return;
    if (ld->content->len + len > DP_MAX_EXPANDED) ld->content_overflow = true;
    else g_string_append_len(ld->content, text, (gssize)len);
}

/* GMarkup hands CDATA sections (<expression><![CDATA[...]]></expression>,
 * common for patterns with '<' or '&') to the passthrough callback. */
static void on_passthrough(GMarkupParseContext *ctx, const char *text, gsize len, gpointer user,
                           GError **error)
{
    static const char open[] = "<![CDATA[", close[] = "]]>";
    const size_t no = sizeof open - 1, nc = sizeof close - 1;
    if (len >= no + nc && !strncmp(text, open, no) && !strncmp(text + len - nc, close, nc))
        on_text(ctx, text + no, len - no - nc, user, error);
}

static const GMarkupParser parser = { on_start, on_end, on_text, on_passthrough, NULL };

/* ---------------------------------------------------------------------------
 * One load
 * ------------------------------------------------------------------------- */

/* Malformed XML: one diagnostic where GMarkup stopped; what was found
 * before it is dropped (fix the XML first). */
static void report_malformed(loader *ld, const GError *err)
{
    int line, column;
    sc_xml_line_and_column(&ld->doc, sc_xml_error_offset(&ld->doc), &line, &column);
    sc_diag_load_discard(&ld->diags);
    char *message = g_utf8_make_valid(sc_xml_bare_markup_message(err->message), -1);
    diagf(ld, true, line, column, "malformed XML: %s", message);
    g_free(message);
}

static void free_pending(gpointer p)
{
    pending *pe = p;
    g_free(pe->context);
    dp_extension_free(pe->ext);
    g_free(pe);
}

/* Moves this file's contexts and extensions into the dialplan. */
static void keep(loader *ld)
{
    for (guint i = 0; i < ld->contexts->len; i++)
        dp_get_context(ld->dp, g_ptr_array_index(ld->contexts, i));
    for (guint i = 0; i < ld->done->len; i++) {
        pending *p = g_ptr_array_index(ld->done, i);
        g_ptr_array_add(dp_get_context(ld->dp, p->context)->extensions, p->ext);
        ld->dp->extensions++;
        p->ext = NULL;
    }
}

static int finish_load(loader *ld, int status)
{
    /* Unlike sc_diag_load_note_dropped(), this note goes through the cap like
     * any diagnostic: once the cap is hit it is dropped too (and counted as
     * one more error in the message below). */
    if (ld->diags.dropped)
        diagf(ld, ld->diags.errors > 0, 0, 0, "%zu more diagnostics not shown", ld->diags.dropped);
    status = sc_diag_load_finish(&ld->diags, status, "the file's extensions are not loaded");
    if (status == SC_OK) keep(ld);
    return status;
}

static void free_loader(loader *ld)
{
    sc_xml_doc_clear(&ld->doc);
    g_ptr_array_free(ld->done, TRUE);
    g_ptr_array_free(ld->contexts, TRUE);
    g_ptr_array_free(ld->conds, TRUE);
    g_array_free(ld->frames, TRUE);
    g_string_free(ld->content, TRUE);
    g_free(ld->context);
}

int dp_parse_xml(sc_dialplan *dp, const char *xml, size_t len, const char *source,
                 const char *default_context)
{
    loader ld = {
        .dp = dp, .source = source, .default_context = default_context,
        .frames = g_array_new(FALSE, FALSE, sizeof(frame)),
        .conds = g_ptr_array_new(),
        .content = g_string_new(NULL),
        .done = g_ptr_array_new_with_free_func(free_pending),
        .contexts = g_ptr_array_new_with_free_func(g_free),
    };
    sc_diag_load_begin(&ld.diags, &dp->diags, source);
    sc_xml_doc_init(&ld.doc, xml, len, &parser, &ld);

    GError *err = NULL;
    int status = SC_OK;
    if (!sc_xml_doc_parse(&ld.doc, &err)) {
        if (sc_xml_doc_is_empty(&ld.doc, err)) {
            diagf(&ld, false, 0, 0, "empty file: no <extension>");
        } else {
            report_malformed(&ld, err);
            status = SC_EPARSE;
        }
        g_error_free(err);
    } else if (ld.done->len == 0 && ld.contexts->len == 0) {
        diagf(&ld, false, 0, 0, "no <context> or <extension> found");
    }
    status = finish_load(&ld, status);
    free_loader(&ld);
    return status;
}
