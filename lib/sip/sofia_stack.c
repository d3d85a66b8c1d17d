/* See sofia_stack.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/su_glib.h>

#include "sofia_stack.h"
#include "glib_bridge.h"
#include "error_priv.h"

extern su_log_t tport_log[], nta_log[], nua_log[], soa_log[], sresolv_log[], iptsec_log[];

/* One of our log lines per Sofia line, without its trailing newline. */
static void sofia_logger(void *stream, char const *fmt, va_list ap)
{
    char line[1024];
    size_t n;
    (void)stream;
    if (!sc_log_enabled(SC_LOG_DEBUG)) return;
    vsnprintf(line, sizeof line, fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n) sc_log(SC_LOG_DEBUG, "sofia: %s", line);
}

void sc_sofia_log_redirect(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        su_log_t *logs[] = { su_log_default, tport_log, nta_log, nua_log, soa_log,
                             sresolv_log, iptsec_log };
        for (size_t i = 0; i < G_N_ELEMENTS(logs); i++)
            su_log_redirect(logs[i], sofia_logger, NULL);
        g_once_init_leave(&once, 1);
    }
}

bool sc_sofia_root_start(GMainContext *ctx, void *magic, struct su_root_s **root, GSource **source)
{
    su_init();
    *root = su_glib_root_create(magic);
    if (!*root) {
        su_deinit();
        return false;
    }
    /* Only the stack's thread runs the root: no locking inside Sofia. */
    su_root_threading(*root, 0);
    *source = su_glib_root_gsource(*root);
    g_source_attach(*source, ctx);
    return true;
}

bool sc_sofia_native_root_start(GMainContext *ctx, void *magic, struct su_root_s **root,
                                struct sc_glib_bridge **bridge)
{
    su_init();
    *root = su_root_create(magic);
    *bridge = *root ? sc_glib_bridge_new(*root, ctx) : NULL;
    if (!*bridge) {
        if (*root) su_root_destroy(*root);
        *root = NULL;
        su_deinit();
        return false;
    }
    su_root_threading(*root, 0);
    return true;
}

void sc_sofia_native_stack_destroy(struct nua_s **nua, struct sc_glib_bridge **bridge,
                                   struct su_root_s **root)
{
    GSource *none = NULL;
    if (*nua) {
        nua_destroy(*nua);
        *nua = NULL;
    }
    sc_glib_bridge_free(*bridge);
    *bridge = NULL;
    sc_sofia_stack_destroy(nua, &none, root);
}

void sc_sofia_stack_destroy(struct nua_s **nua, GSource **source, struct su_root_s **root)
{
    if (*nua) {
        nua_destroy(*nua);
        *nua = NULL;
    }
    if (*source) {
        g_source_destroy(*source);
        *source = NULL;
    }
    if (*root) {
        su_root_destroy(*root);
        *root = NULL;
        su_deinit();
    }
}
