/* The FreeSWITCH XML loader: finds <gateway> elements wherever FreeSWITCH
 * users keep them (an <include> file, a profile's <gateways>, a whole
 * sofia.conf <configuration>) and turns every problem into a diagnostic with
 * its line and column, without stopping at the first one.
 *
 * GMarkup does the XML; positions and the plumbing around it are in
 * xml_common.c, shared with the dialplan loader. */
#include <string.h>
#include <glib.h>

#include "config_int.h"
#include "error_priv.h"
#include "gateway_priv.h"
#include "xml_common.h"

/* Deeper than any real configuration; bounds the work on hostile input. */
#define MAX_DEPTH 256

/* What the element being parsed is, which decides what its children may be. */
typedef enum frame_kind {
    FRAME_WRAPPER,    /* <include>, <gateways>, <profile>...: may hold gateways */
    FRAME_SKIP,       /* a subtree that holds no gateway params */
    FRAME_GATEWAY,
    FRAME_PARAMS,
    FRAME_VARIABLES,
    FRAME_LEAF        /* <param>, <variable>: no children expected */
} frame_kind;

/* A <gateway> being read. */
typedef struct pending_gateway {
    sc_gateway *gw;
    int line, column;
    GHashTable *param_lines;  /* param name -> first line, for duplicates */
    int params_wrapper_line;  /* line of a <params>, 0 if none */
    int direct_param_line;    /* line of a <param> directly under <gateway>, 0 if none */
} pending_gateway;

typedef struct loader {
    sc_config_kept_fn kept;   /* what the config keeps already */
    const void *owner;
    GArray *found;            /* sc_config_record: the result */
    const char *source;       /* file name used in diagnostics */
    sc_xml_doc doc;
    GArray *frames;           /* frame_kind stack */
    pending_gateway *current; /* the open <gateway>, or NULL */
    GPtrArray *done;          /* pending_gateway* closed so far, in order */
    GHashTable *done_names;   /* name -> the first of done with it (a file may hold thousands) */
    sc_diag_load diags;       /* this load's diagnostics */
    bool saw_gateway;
} loader;

/* ---------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------- */

static void diag_at(loader *ld, int severity, int line, int column, const char *gateway,
                    const char *param, bool param_in_message, const char *message)
{
    sc_diag_load_add(&ld->diags, severity, line, column, gateway, param, param_in_message,
                     message);
}

/* A diagnostic at the element GMarkup just reported. */
static void diag_here(loader *ld, int severity, const char *param, const char *message)
{
    int line, column;
    sc_xml_element_position(&ld->doc, &line, &column);
    diag_at(ld, severity, line, column, ld->current ? ld->current->gw->name : NULL,
            param, false, message);
}

/* ---------------------------------------------------------------------------
 * Attributes and element names
 * ------------------------------------------------------------------------- */

static const char *attribute(const char **names, const char **values, const char *wanted)
{
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(names[i], wanted)) return values[i];
    return NULL;
}

static bool name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(name, list[i])) return true;
    return false;
}

/* Elements that may hold gateways somewhere below them. */
static const char *const wrapper_elements[] = {
    "document", "section", "configuration", "include", "profiles", "profile", "gateways", NULL
};

/* FreeSWITCH elements met next to gateways in a sofia.conf that hold no
 * gateway: skipped without a word. A profile's <settings> params configure
 * the profile, not a gateway. */
static const char *const quiet_skip_elements[] = {
    "settings", "global_settings", "domains", "domain", "aliases", "alias", NULL
};

static frame_kind top_frame(const loader *ld)
{
    return ld->frames->len ? g_array_index(ld->frames, frame_kind, ld->frames->len - 1)
                           : FRAME_WRAPPER;
}

static void push_frame(loader *ld, frame_kind kind)
{
    g_array_append_val(ld->frames, kind);
}

/* The element enclosing the one just opened. */
static const char *parent_element(const loader *ld)
{
    const GSList *stack = g_markup_parse_context_get_element_stack(ld->doc.ctx);
    return stack && stack->next ? stack->next->data : "";
}

/* ---------------------------------------------------------------------------
 * <gateway>
 * ------------------------------------------------------------------------- */

static void free_pending(gpointer p)
{
    pending_gateway *pg = p;
    if (!pg) return;
    sc_gateway_free(pg->gw);
    g_hash_table_destroy(pg->param_lines);
    g_free(pg);
}

static const pending_gateway *find_done(const loader *ld, const char *name)
{
    return g_hash_table_lookup(ld->done_names, name);
}

/* Name problems: missing, refused by FreeSWITCH, or already used. */
static void check_gateway_name(loader *ld, pending_gateway *pg, const char *name)
{
    char *msg = NULL;
    const pending_gateway *twin;
    const sc_config_entry *kept;
    if (!name) {
        msg = g_strdup("<gateway> has no name attribute");
    } else if (!sc_gw_name_is_valid(name)) {
        msg = g_strdup_printf("gateway name '%s' is invalid: FreeSWITCH accepts only letters, "
                              "digits, '_', '.' and '-'", name);
    } else if ((twin = find_done(ld, name))) {
        msg = g_strdup_printf("duplicate gateway name '%s': first defined at line %d, "
                              "again at line %d", name, twin->line, pg->line);
    } else if ((kept = ld->kept(ld->owner, name))) {
        msg = kept->file
            ? g_strdup_printf("duplicate gateway name '%s': already loaded from %s:%d",
                              name, kept->file, kept->line)
            : g_strdup_printf("duplicate gateway name '%s': already added in code", name);
    }
    if (!msg) return;
    diag_at(ld, SC_DIAG_ERROR, pg->line, pg->column, name, NULL, false, msg);
    g_free(msg);
}

static void open_gateway(loader *ld, const char **names, const char **values)
{
    pending_gateway *pg = g_new0(pending_gateway, 1);
    const char *name = attribute(names, values, "name");
    sc_xml_element_position(&ld->doc, &pg->line, &pg->column);
    pg->gw = sc_gw_new_unchecked(name);
    pg->param_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    ld->current = pg;
    ld->saw_gateway = true;
    check_gateway_name(ld, pg, name);
    push_frame(ld, FRAME_GATEWAY);
}

static void report_problem(const char *param, const char *message, void *user)
{
    loader *ld = user;
    const pending_gateway *pg = ld->current;
    /* At the param's own line when it has one (a dial-format the rule
     * builder refuses is that line's fault), else at the <gateway>. */
    int line = param ? GPOINTER_TO_INT(g_hash_table_lookup(pg->param_lines, param)) : 0;
    diag_at(ld, SC_DIAG_ERROR, line ? line : pg->line, line ? 0 : pg->column, pg->gw->name, param, false,
            message);
}

static void close_gateway(loader *ld)
{
    pending_gateway *pg = ld->current;
    sc_gw_check(pg->gw, report_problem, ld);
    if (pg->params_wrapper_line && pg->direct_param_line) {
        char *msg = g_strdup_printf("has both <params> (line %d) and <param> directly inside "
                                    "(line %d); FreeSWITCH would read only those in <params>, "
                                    "libskypeconnect reads both",
                                    pg->params_wrapper_line, pg->direct_param_line);
        diag_at(ld, SC_DIAG_WARNING, pg->line, pg->column, pg->gw->name, NULL, false, msg);
        g_free(msg);
    }
    g_ptr_array_add(ld->done, pg);
    if (pg->gw->name && !g_hash_table_contains(ld->done_names, pg->gw->name))
        g_hash_table_insert(ld->done_names, pg->gw->name, pg);
    ld->current = NULL;
}

/* ---------------------------------------------------------------------------
 * <param> and <variable>
 * ------------------------------------------------------------------------- */

static void note_duplicate_param(loader *ld, const char *name, int line, int column)
{
    pending_gateway *pg = ld->current;
    gpointer first = g_hash_table_lookup(pg->param_lines, name);
    if (!first) {
        g_hash_table_insert(pg->param_lines, g_strdup(name), GINT_TO_POINTER(line));
        return;
    }
    char *msg = g_strdup_printf("set again (first at line %d); the last value wins, as in "
                                "FreeSWITCH", GPOINTER_TO_INT(first));
    diag_at(ld, SC_DIAG_WARNING, line, column, pg->gw->name, name, false, msg);
    g_free(msg);
}

static void read_param(loader *ld, const char **names, const char **values)
{
    pending_gateway *pg = ld->current;
    const char *name = attribute(names, values, "name");
    const char *value = attribute(names, values, "value");
    int line, column;
    sc_xml_element_position(&ld->doc, &line, &column);
    if (!name) {
        diag_at(ld, SC_DIAG_ERROR, line, column, pg->gw->name, NULL, false,
                "<param> has no name attribute");
        return;
    }
    if (!value) value = ""; /* FreeSWITCH reads a missing value as "" too */
    note_duplicate_param(ld, name, line, column);
    if (strstr(value, "$${"))
        diag_at(ld, SC_DIAG_WARNING, line, column, pg->gw->name, name, false,
                "value uses a FreeSWITCH preprocessor variable ($${...}), which is not expanded");

    char *error, *warning;
    bool names_param;
    sc_gw_set_detail(pg->gw, name, value, &error, &names_param, &warning);
    if (error) diag_at(ld, SC_DIAG_ERROR, line, column, pg->gw->name, name, names_param, error);
    if (warning) diag_at(ld, SC_DIAG_WARNING, line, column, pg->gw->name, name, false, warning);
    g_free(error);
    g_free(warning);
}

/* direction: inbound, outbound or both (FreeSWITCH: both when absent). */
static bool parse_direction(const char *direction, bool *in, bool *out)
{
    *in = *out = true;
    if (!direction || !g_ascii_strcasecmp(direction, "both")) return true;
    if (!g_ascii_strcasecmp(direction, "inbound")) { *out = false; return true; }
    if (!g_ascii_strcasecmp(direction, "outbound")) { *in = false; return true; }
    return false;
}

static void read_variable(loader *ld, const char **names, const char **values)
{
    const char *name = attribute(names, values, "name");
    const char *value = attribute(names, values, "value");
    const char *direction = attribute(names, values, "direction");
    bool in, out;
    char *msg = NULL;
    if (!name || !*name)
        msg = g_strdup("<variable> has no name attribute");
    else if (!value)
        msg = g_strdup_printf("<variable name='%s'> has no value attribute", name);
    else if (!parse_direction(direction, &in, &out))
        msg = g_strdup_printf("<variable name='%s'>: direction '%s' is not inbound, outbound "
                              "or both", name, direction);
    if (msg) {
        diag_here(ld, SC_DIAG_ERROR, NULL, msg);
        g_free(msg);
        return;
    }
    sc_gw_add_variable(ld->current->gw, name, value, in, out);
}

/* ---------------------------------------------------------------------------
 * Element dispatch
 * ------------------------------------------------------------------------- */

static void unexpected_element(loader *ld, const char *element)
{
    char *msg = g_strdup_printf("unknown element <%s> inside <%s>", element, parent_element(ld));
    diag_here(ld, SC_DIAG_ERROR, NULL, msg);
    g_free(msg);
    push_frame(ld, FRAME_SKIP);
}

static void open_outside_gateway(loader *ld, const char *element, const char **names,
                                 const char **values)
{
    if (!strcmp(element, "gateway")) {
        open_gateway(ld, names, values);
    } else if (name_in(element, wrapper_elements)) {
        push_frame(ld, FRAME_WRAPPER);
    } else if (name_in(element, quiet_skip_elements)) {
        push_frame(ld, FRAME_SKIP);
    } else {
        char *msg = g_strdup_printf("element <%s> ignored: it is neither a <gateway> nor an "
                                    "element that holds gateways", element);
        diag_here(ld, SC_DIAG_WARNING, NULL, msg);
        g_free(msg);
        push_frame(ld, FRAME_SKIP);
    }
}

static void open_in_gateway(loader *ld, const char *element, const char **names,
                            const char **values)
{
    int line, column;
    if (!strcmp(element, "param")) {
        sc_xml_element_position(&ld->doc, &line, &column);
        if (!ld->current->direct_param_line) ld->current->direct_param_line = line;
        read_param(ld, names, values);
        push_frame(ld, FRAME_LEAF);
    } else if (!strcmp(element, "params")) {
        sc_xml_element_position(&ld->doc, &line, &column);
        if (!ld->current->params_wrapper_line) ld->current->params_wrapper_line = line;
        push_frame(ld, FRAME_PARAMS);
    } else if (!strcmp(element, "variables")) {
        push_frame(ld, FRAME_VARIABLES);
    } else if (!strcmp(element, "variable")) {
        read_variable(ld, names, values);
        push_frame(ld, FRAME_LEAF);
    } else if (!strcmp(element, "subscriptions")) {
        diag_here(ld, SC_DIAG_WARNING, NULL, "<subscriptions> ignored: FreeSWITCH knows it but "
                  "libskypeconnect does not implement it");
        push_frame(ld, FRAME_SKIP);
    } else {
        unexpected_element(ld, element);
    }
}

/* <param name="a" name="b"/>: which name was meant is anyone's guess, so
 * the element is reported and skipped. */
static void skip_duplicate_attribute(loader *ld, const char *element, const char *twice)
{
    char *msg = g_strdup_printf("<%s> has the attribute '%s' twice", element, twice);
    diag_here(ld, SC_DIAG_ERROR, NULL, msg);
    g_free(msg);
    push_frame(ld, FRAME_SKIP);
}

static void on_start(GMarkupParseContext *ctx, const char *element, const char **names,
                     const char **values, gpointer user, GError **error)
{
    (void)ctx;
    loader *ld = user;
    const char *twice;
    if (!sc_xml_start_common(&ld->doc, ld->frames->len, MAX_DEPTH, names, &twice, error)) return;
    frame_kind top = top_frame(ld);
    if (top == FRAME_SKIP) {
        push_frame(ld, FRAME_SKIP);
    } else if (twice) {
        skip_duplicate_attribute(ld, element, twice);
    } else if (!strcmp(element, "X-PRE-PROCESS")) {
        diag_here(ld, SC_DIAG_WARNING, NULL, "<X-PRE-PROCESS> not expanded: libskypeconnect "
                  "does not run FreeSWITCH's preprocessor");
        push_frame(ld, FRAME_SKIP);
    } else if (top == FRAME_WRAPPER) {
        open_outside_gateway(ld, element, names, values);
    } else if (top == FRAME_GATEWAY) {
        open_in_gateway(ld, element, names, values);
    } else if (top == FRAME_PARAMS && !strcmp(element, "param")) {
        read_param(ld, names, values);
        push_frame(ld, FRAME_LEAF);
    } else if (top == FRAME_VARIABLES && !strcmp(element, "variable")) {
        read_variable(ld, names, values);
        push_frame(ld, FRAME_LEAF);
    } else {
        unexpected_element(ld, element);
    }
}

static void on_end(GMarkupParseContext *ctx, const char *element, gpointer user, GError **error)
{
    (void)ctx;
    (void)element;
    (void)error;
    loader *ld = user;
    frame_kind top;
    if (sc_xml_pop_frame(ld->frames, &top) && top == FRAME_GATEWAY) close_gateway(ld);
}

static const GMarkupParser parser = { on_start, on_end, NULL, NULL, NULL };

/* ---------------------------------------------------------------------------
 * One load
 * ------------------------------------------------------------------------- */

static bool is_xml_name(const char *s, size_t n)
{
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && !strchr("_.:-", s[i])) return false;
    return true;
}

/* True when "<NAME" or "</NAME" occurs in the text. */
static bool is_element_of_text(const loader *ld, const char *name, size_t n)
{
    for (const char *p = ld->doc.text; (p = memchr(p, '<', ld->doc.len - (size_t)(p - ld->doc.text))); p++) {
        const char *q = p + 1 < ld->doc.text + ld->doc.len && p[1] == '/' ? p + 2 : p + 1;
        if ((size_t)(ld->doc.text + ld->doc.len - q) >= n && !strncmp(q, name, n)) return true;
    }
    return false;
}

/* GMarkup quotes pieces of the input in its messages, sometimes a whole
 * line of it, and that line may hold a password. Only quoted element names
 * that appear as tags in the text are kept; any other quoted piece becomes
 * "...". */
static char *sanitize_markup_message(const loader *ld, const char *message)
{
    static const struct { const char *open, *close; } quotes[] = {
        { "\u201c", "\u201d" }, { "'", "'" }, { "\"", "\"" },
    };
    GString *out = g_string_new(NULL);
    const char *p = message;
    while (*p) {
        size_t q = 0;
        while (q < G_N_ELEMENTS(quotes) && !g_str_has_prefix(p, quotes[q].open)) q++;
        if (q == G_N_ELEMENTS(quotes)) {
            g_string_append_c(out, *p++);
            continue;
        }
        const char *inner = p + strlen(quotes[q].open);
        const char *end = strstr(inner, quotes[q].close);
        if (!end) end = inner + strlen(inner);
        size_t n = (size_t)(end - inner);
        g_string_append(out, quotes[q].open);
        if (is_xml_name(inner, n) && is_element_of_text(ld, inner, n))
            g_string_append_len(out, inner, (gssize)n);
        else
            g_string_append(out, "...");
        g_string_append(out, quotes[q].close);
        p = *end ? end + strlen(quotes[q].close) : end;
    }
    char *valid = g_utf8_make_valid(out->str, -1);
    g_string_free(out, TRUE);
    return valid;
}

/* True when the tag around byte @p off mentions a password: GMarkup's
 * message may quote part of a malformed value ("Entity name 'x' is not
 * known"), and that value may be the password. */
static bool error_is_in_password_tag(const loader *ld, size_t off)
{
    if (ld->doc.len == 0) return false;
    size_t start = MIN(off, ld->doc.len - 1);
    while (start > 0 && ld->doc.text[start] != '<') start--;
    size_t end = start;
    while (end < ld->doc.len && ld->doc.text[end] != '>' && end - start < 4096) end++;
    char *tag = g_ascii_strdown(ld->doc.text + start, (gssize)(end - start));
    bool found = strstr(tag, "password") != NULL;
    g_free(tag);
    return found;
}

/* Malformed XML: one diagnostic at the place GMarkup stopped. The diagnostics
 * of the part read before it are dropped: fix the XML first. */
static void report_malformed(loader *ld, const GError *err)
{
    size_t off = sc_xml_error_offset(&ld->doc);
    int line, column;
    sc_xml_line_and_column(&ld->doc, off, &line, &column);
    sc_diag_load_discard(&ld->diags);
    char *message = error_is_in_password_tag(ld, off)
        ? g_strdup("malformed XML in a tag that holds a password (details withheld so that "
                   "the password does not show)")
        : sanitize_markup_message(ld, sc_xml_bare_markup_message(err->message));
    diag_at(ld, SC_DIAG_ERROR, line, column, NULL, NULL, false, message);
    g_free(message);
}

static void keep_gateways(loader *ld)
{
    for (guint i = 0; i < ld->done->len; i++) {
        pending_gateway *pg = g_ptr_array_index(ld->done, i);
        sc_config_record rec = { .gw = pg->gw, .line = pg->line };
        g_array_append_val(ld->found, rec);
        pg->gw = NULL; /* now the caller's */
    }
}

static int finish_load(loader *ld, int status)
{
    sc_diag_load_note_dropped(&ld->diags);
    status = sc_diag_load_finish(&ld->diags, status, NULL);
    if (status == SC_OK) keep_gateways(ld);
    return status;
}

int sc_config_parse_xml(const char *xml, size_t len, const char *source_name,
                        sc_diag_list *diags, sc_config_kept_fn kept, const void *owner,
                        GArray *found)
{
    loader ld = {
        .kept = kept, .owner = owner, .found = found, .source = source_name,
        .frames = g_array_new(FALSE, FALSE, sizeof(frame_kind)),
        .done = g_ptr_array_new_with_free_func(free_pending),
        .done_names = g_hash_table_new(g_str_hash, g_str_equal),
    };
    sc_diag_load_begin(&ld.diags, diags, source_name);
    sc_xml_doc_init(&ld.doc, xml, len, &parser, &ld);

    GError *err = NULL;
    int status = SC_OK;
    if (!sc_xml_doc_parse(&ld.doc, &err)) {
        if (sc_xml_doc_is_empty(&ld.doc, err)) {
            ld.saw_gateway = false; /* an empty file: a warning below, not an error */
        } else {
            report_malformed(&ld, err);
            status = SC_EPARSE;
        }
        g_error_free(err);
    }
    if (status == SC_OK && !ld.saw_gateway)
        diag_at(&ld, SC_DIAG_WARNING, 0, 0, NULL, NULL, false, "no <gateway> found");
    if (ld.current) { /* unclosed <gateway> of a malformed file */
        free_pending(ld.current);
        ld.current = NULL;
    }
    status = finish_load(&ld, status);

    sc_xml_doc_clear(&ld.doc);
    g_hash_table_destroy(ld.done_names);
    g_ptr_array_free(ld.done, TRUE);
    g_array_free(ld.frames, TRUE);
    return status;
}
