/* The dialplan's public face: loading files and folders, diagnostics, and
 * routing a call. The objects themselves are in dp_model.c (below the
 * parser and the router), the XML is read in dialplan_xml.c, the routing
 * walk is in dialplan_route.c. */
#include <string.h>
#include <glib.h>

#include "dialplan_int.h"
#include "error_priv.h"
#include "read_file.h"

/* ---------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

SC_API int sc_dialplan_load_file(sc_dialplan *dp, const char *path, const char *default_context)
{
    if (!dp || !path)
        return sc_fail(SC_EINVAL, "sc_dialplan_load_file: %s is NULL", !dp ? "dialplan" : "path");
    GString *text;
    int status = sc_read_file(path, DP_MAX_FILE, &dp->diags, &text);
    if (status != SC_OK) return status;
    status = dp_parse_xml(dp, text->str, text->len, path,
                              default_context ? default_context : "default");
    g_string_free(text, TRUE);
    return status;
}

SC_API int sc_dialplan_load_string(sc_dialplan *dp, const char *xml, const char *source_name,
                                   const char *default_context)
{
    if (!dp || !xml)
        return sc_fail(SC_EINVAL, "sc_dialplan_load_string: %s is NULL", !dp ? "dialplan" : "xml");
    return dp_parse_xml(dp, xml, strlen(xml), source_name ? source_name : "<string>",
                        default_context ? default_context : "default");
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder in name order (strcmp: the order of FreeSWITCH's
 * glob), hidden ones left out; NULL with *err on failure. */
static GPtrArray *sorted_entries(const char *dir, GError **err)
{
    GDir *d = g_dir_open(dir, 0, err);
    if (!d) return NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)))
        if (name[0] != '.') g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    return names;
}

/* Remembers the first failure of a folder load: later files that load fine
 * clear the thread's last error. */
typedef struct dir_load {
    sc_dialplan *dp;
    int status;
    char *first_error;
} dir_load;

static void note_status(dir_load *dl, int status)
{
    if (status == SC_OK || dl->status != SC_OK) return;
    dl->status = status;
    dl->first_error = g_strdup(sc_last_error());
}

static bool is_xml_name(const char *name)
{
    return g_str_has_suffix(name, ".xml");
}

/* A sub-folder: its *.xml files go into the context named like it. */
static void load_subdir(dir_load *dl, const char *path, const char *context)
{
    GError *gerr = NULL;
    GPtrArray *names = sorted_entries(path, &gerr);
    if (!names) {
        dp_add_diag(dl->dp, true, path, 0, 0, gerr->message);
        note_status(dl, sc_fail(SC_EIO, "%s", gerr->message));
        g_error_free(gerr);
        return;
    }
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        char *file = g_build_filename(path, name, NULL);
        if (g_file_test(file, G_FILE_TEST_IS_DIR))
            dp_add_diag(dl->dp, false, file, 0, 0,
                        "folder not loaded: only one level of sub-folders is read "
                        "(FreeSWITCH reads what an X-PRE-PROCESS include names)");
        else if (is_xml_name(name))
            note_status(dl, sc_dialplan_load_file(dl->dp, file, context));
        g_free(file);
    }
    g_ptr_array_free(names, TRUE);
}

SC_API int sc_dialplan_load_dir(sc_dialplan *dp, const char *dir)
{
    if (!dp || !dir)
        return sc_fail(SC_EINVAL, "sc_dialplan_load_dir: %s is NULL", !dp ? "dialplan" : "dir");
    GError *gerr = NULL;
    GPtrArray *names = sorted_entries(dir, &gerr);
    if (!names) {
        char *msg = g_strdup_printf("cannot read folder '%s': %s", dir, gerr->message);
        g_error_free(gerr);
        dp_add_diag(dp, true, dir, 0, 0, msg);
        int status = sc_fail(SC_EIO, "%s", msg);
        g_free(msg);
        return status;
    }
    dir_load dl = { .dp = dp, .status = SC_OK };
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR)) load_subdir(&dl, path, name);
        else if (is_xml_name(name)) note_status(&dl, sc_dialplan_load_file(dp, path, "default"));
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
    if (dl.status == SC_OK) {
        sc_clear_error();
        return SC_OK;
    }
    int status = sc_fail(dl.status, "%s", dl.first_error);
    g_free(dl.first_error);
    return status;
}

/* ---------------------------------------------------------------------------
 * Diagnostics and contexts
 * ------------------------------------------------------------------------- */

SC_API size_t sc_dialplan_diag_count(const sc_dialplan *dp)
{
    return dp ? sc_diag_list_count(&dp->diags) : 0;
}

SC_API const char *sc_dialplan_diag_text(const sc_dialplan *dp, size_t i)
{
    const sc_diag *d = dp ? sc_diag_list_at(&dp->diags, i) : NULL;
    return d ? d->text : NULL;
}

SC_API size_t sc_dialplan_error_count(const sc_dialplan *dp)
{
    return dp ? dp->diags.errors : 0;
}

SC_API int sc_dialplan_has_context(const sc_dialplan *dp, const char *context)
{
    return dp && context && dp_find_context(dp, context) ? 1 : 0;
}

/* ---------------------------------------------------------------------------
 * Routes
 * ------------------------------------------------------------------------- */

SC_API int sc_dialplan_route(const sc_dialplan *dp, const char *context,
                             const sc_call_fields *fields, sc_route **out)
{
    if (out) *out = NULL;
    if (!dp || !context || !fields || !out)
        return sc_fail(SC_EINVAL, "sc_dialplan_route: %s is NULL",
                       !dp ? "dialplan" : !context ? "context" : !fields ? "fields" : "out");
    return dp_route(dp, context, fields, out);
}
