/* See diag.h. */
#include "diag.h"
#include "error_priv.h"
#include "free_all.h"

static void free_diag(gpointer p)
{
    sc_diag *d = p;
    SC_FREE_ALL(d->file, d->gateway, d->param, d->message, d->text);
    g_free(d);
}

void sc_diag_list_init(sc_diag_list *l)
{
    l->items = g_ptr_array_new_with_free_func(free_diag);
    l->errors = 0;
}

void sc_diag_list_clear(sc_diag_list *l)
{
    g_ptr_array_free(l->items, TRUE);
    l->items = NULL;
    l->errors = 0;
}

static char *format_diag(const sc_diag *d, bool param_in_message)
{
    GString *s = g_string_new(d->file);
    if (d->line > 0) g_string_append_printf(s, ":%d", d->line);
    if (d->line > 0 && d->column > 0) g_string_append_printf(s, ":%d", d->column);
    g_string_append(s, d->severity == SC_DIAG_ERROR ? ": error: " : ": warning: ");
    if (*d->gateway) g_string_append_printf(s, "gateway '%s': ", d->gateway);
    if (*d->param && !param_in_message) g_string_append_printf(s, "param '%s': ", d->param);
    g_string_append(s, d->message);
    return g_string_free(s, FALSE);
}

void sc_diag_list_add(sc_diag_list *l, int severity, const char *file, int line, int column,
                      const char *gateway, const char *param, bool param_in_message,
                      const char *message)
{
    sc_diag *d = g_new0(sc_diag, 1);
    d->severity = severity;
    d->file = g_strdup(file ? file : "");
    d->line = line;
    d->column = column;
    d->gateway = g_strdup(gateway ? gateway : "");
    d->param = g_strdup(param ? param : "");
    d->message = g_strdup(message);
    d->text = format_diag(d, param_in_message);
    g_ptr_array_add(l->items, d);
    if (severity == SC_DIAG_ERROR) l->errors++;
}

size_t sc_diag_list_count(const sc_diag_list *l)
{
    return l->items->len;
}

const sc_diag *sc_diag_list_at(const sc_diag_list *l, size_t i)
{
    return i < l->items->len ? g_ptr_array_index(l->items, i) : NULL;
}

void sc_diag_load_begin(sc_diag_load *ld, sc_diag_list *list, const char *source)
{
    *ld = (sc_diag_load){ .list = list, .source = source, .first = list->items->len };
}

void sc_diag_load_add(sc_diag_load *ld, int severity, int line, int column, const char *gateway,
                      const char *param, bool param_in_message, const char *message)
{
    if (severity == SC_DIAG_ERROR) ld->errors++;
    if (ld->list->items->len - ld->first >= SC_DIAG_MAX_PER_LOAD) {
        ld->dropped++;
        return;
    }
    sc_diag_list_add(ld->list, severity, ld->source, line, column, gateway, param,
                     param_in_message, message);
}

void sc_diag_load_discard(sc_diag_load *ld)
{
    sc_diag_list *l = ld->list;
    for (guint i = ld->first; i < l->items->len; i++)
        if (((const sc_diag *)g_ptr_array_index(l->items, i))->severity == SC_DIAG_ERROR) l->errors--;
    g_ptr_array_remove_range(l->items, ld->first, l->items->len - ld->first);
    ld->errors = 0;
    ld->dropped = 0;
}

void sc_diag_load_note_dropped(sc_diag_load *ld)
{
    if (!ld->dropped) return;
    char *msg = g_strdup_printf("%zu more diagnostics not shown", ld->dropped);
    sc_diag_list_add(ld->list, ld->errors ? SC_DIAG_ERROR : SC_DIAG_WARNING, ld->source, 0, 0,
                     NULL, NULL, false, msg);
    g_free(msg);
}

const char *sc_diag_load_first_error(const sc_diag_load *ld)
{
    for (guint i = ld->first; i < ld->list->items->len; i++) {
        const sc_diag *d = g_ptr_array_index(ld->list->items, i);
        if (d->severity == SC_DIAG_ERROR) return d->text;
    }
    return "";
}

int sc_diag_load_finish(const sc_diag_load *ld, int status, const char *not_kept)
{
    const char *first;
    if (status == SC_OK && ld->errors) status = SC_ECONFIG;
    if (status == SC_OK) {
        sc_clear_error();
        return SC_OK;
    }
    /* The first error of this load is the detail; the rest are diagnostics. */
    first = sc_diag_load_first_error(ld);
    if (ld->errors > 1)
        return sc_fail(status, "%s (and %zu more errors%s%s)", first, ld->errors - 1,
                       not_kept ? "; " : "", not_kept ? not_kept : "");
    if (not_kept) return sc_fail(status, "%s (%s)", first, not_kept);
    return sc_fail(status, "%s", first);
}
