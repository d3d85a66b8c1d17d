/* A set of gateways and the diagnostics of loading them. The XML parsing
 * itself is in config_xml.c. */
#include <string.h>
#include <glib.h>

#include "config_int.h"
#include "error_priv.h"
#include "gateway_priv.h"
#include "read_file.h"

/* Bigger than any gateway file anyone writes; stops a wrong path (a disk
 * image, /dev/zero) from eating the memory. */
#define SC_CONFIG_FILE_MAX (64u * 1024u * 1024u)

/* ---------------------------------------------------------------------------
 * Storage
 * ------------------------------------------------------------------------- */

static void free_entry(gpointer p)
{
    sc_config_entry *e = p;
    sc_gateway_free(e->gw);
    g_free(e->file);
    g_free(e);
}

SC_API sc_config *sc_config_new(void)
{
    sc_config *cfg = g_new0(sc_config, 1);
    cfg->entries = g_ptr_array_new_with_free_func(free_entry);
    sc_diag_list_init(&cfg->diags);
    sc_clear_error();
    return cfg;
}

SC_API void sc_config_free(sc_config *cfg)
{
    if (!cfg) return;
    g_ptr_array_free(cfg->entries, TRUE);
    sc_diag_list_clear(&cfg->diags);
    g_free(cfg);
}

void sc_config_add_diag(sc_config *cfg, int severity, const char *file, int line, int column,
                        const char *gateway, const char *param, bool param_in_message,
                        const char *message)
{
    sc_diag_list_add(&cfg->diags, severity, file, line, column, gateway, param, param_in_message,
                     message);
}

const sc_config_entry *sc_config_find_entry(const sc_config *cfg, const char *name)
{
    for (guint i = 0; i < cfg->entries->len; i++) {
        const sc_config_entry *e = g_ptr_array_index(cfg->entries, i);
        if (!strcmp(e->gw->name, name)) return e;
    }
    return NULL;
}

/* Keeps @p gw (ownership moves to @p cfg). */
static void sc_config_adopt(sc_config *cfg, sc_gateway *gw, const char *file, int line)
{
    sc_config_entry *e = g_new0(sc_config_entry, 1);
    e->gw = gw;
    e->file = g_strdup(file);
    e->line = line;
    g_ptr_array_add(cfg->entries, e);
}

/* ---------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

static const sc_config_entry *kept_by(const void *cfg, const char *name)
{
    return sc_config_find_entry(cfg, name);
}

/* The loader reads; the config keeps what it found, only when the whole
 * file was good. */
static int load_xml(sc_config *cfg, const char *xml, size_t len, const char *source_name)
{
    GArray *found = g_array_new(FALSE, FALSE, sizeof(sc_config_record));
    int status = sc_config_parse_xml(xml, len, source_name, &cfg->diags, kept_by, cfg, found);
    for (guint i = 0; i < found->len; i++) {
        sc_config_record *rec = &g_array_index(found, sc_config_record, i);
        sc_config_adopt(cfg, rec->gw, source_name, rec->line);
    }
    g_array_free(found, TRUE);
    return status;
}

SC_API int sc_config_load_file(sc_config *cfg, const char *path)
{
    if (!cfg || !path)
        return sc_fail(SC_EINVAL, "sc_config_load_file: %s is NULL", !cfg ? "config" : "path");
    GString *text;
    int status = sc_read_file(path, SC_CONFIG_FILE_MAX, &cfg->diags, &text);
    if (status != SC_OK) return status;
    status = load_xml(cfg, text->str, text->len, path);
    g_string_free(text, TRUE);
    return status;
}

SC_API int sc_config_load_string(sc_config *cfg, const char *xml, const char *source_name)
{
    if (!cfg || !xml)
        return sc_fail(SC_EINVAL, "sc_config_load_string: %s is NULL", !cfg ? "config" : "xml");
    return load_xml(cfg, xml, strlen(xml), source_name ? source_name : "<string>");
}

SC_API int sc_config_add_gateway(sc_config *cfg, const sc_gateway *gw)
{
    if (!cfg || !gw)
        return sc_fail(SC_EINVAL, "sc_config_add_gateway: %s is NULL", !cfg ? "config" : "gateway");
    const sc_config_entry *existing = sc_config_find_entry(cfg, gw->name);
    if (existing && existing->file)
        return sc_fail(SC_EEXISTS, "gateway '%s' already exists (loaded from %s:%d)",
                       gw->name, existing->file, existing->line);
    if (existing)
        return sc_fail(SC_EEXISTS, "gateway '%s' already exists", gw->name);
    int status = sc_gateway_validate(gw); /* sets the last error itself */
    if (status != SC_OK) return status;
    sc_config_adopt(cfg, sc_gateway_copy(gw), NULL, 0);
    sc_clear_error();
    return SC_OK;
}

/* ---------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------- */

SC_API size_t sc_config_gateway_count(const sc_config *cfg)
{
    return cfg ? cfg->entries->len : 0;
}

SC_API const sc_gateway *sc_config_gateway_at(const sc_config *cfg, size_t i)
{
    if (!cfg || i >= cfg->entries->len) return NULL;
    return ((const sc_config_entry *)g_ptr_array_index(cfg->entries, i))->gw;
}

SC_API const sc_gateway *sc_config_find_gateway(const sc_config *cfg, const char *name)
{
    if (!cfg || !name)
        return sc_fail_null(SC_EINVAL, "sc_config_find_gateway: %s is NULL", !cfg ? "config" : "name");
    const sc_config_entry *e = sc_config_find_entry(cfg, name);
    if (!e) return sc_fail_null(SC_ENOTFOUND, "no gateway named '%s'", name);
    return e->gw;
}

static const sc_diag *diag_at(const sc_config *cfg, size_t i)
{
    return cfg ? sc_diag_list_at(&cfg->diags, i) : NULL;
}

SC_API size_t sc_config_diag_count(const sc_config *cfg)
{
    return cfg ? sc_diag_list_count(&cfg->diags) : 0;
}

SC_API size_t sc_config_error_count(const sc_config *cfg)
{
    return cfg ? cfg->diags.errors : 0;
}

SC_API int sc_config_diag_severity(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->severity : SC_EINVAL;
}

SC_API const char *sc_config_diag_file(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->file : NULL;
}

SC_API int sc_config_diag_line(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->line : 0;
}

SC_API int sc_config_diag_column(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->column : 0;
}

SC_API const char *sc_config_diag_gateway(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->gateway : "";
}

SC_API const char *sc_config_diag_param(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->param : "";
}

SC_API const char *sc_config_diag_message(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->message : NULL;
}

SC_API const char *sc_config_diag_text(const sc_config *cfg, size_t i)
{
    const sc_diag *d = diag_at(cfg, i);
    return d ? d->text : NULL;
}
