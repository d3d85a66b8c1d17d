/* The routed local address of a named host, off the caller's thread
 * (route_lookup.h says why). The worker thread touches only the lookup's own
 * fields; the answer and the cancel flag are read and written on ctx's thread
 * only, so no lock is needed. */
#include <string.h>

#include "route_lookup.h"

struct sc_route_lookup {
    GMainContext *ctx;
    char *host;
    int port;
    sc_route_found_fn found;
    void *data;
    bool cancelled;               /* ctx's thread only */
    /* the worker's results */
    sc_route_error e;
    char local[64];
    struct sockaddr_storage peer;
    socklen_t peerlen;
};

static void lookup_free(gpointer p)
{
    sc_route_lookup *l = p;
    g_main_context_unref(l->ctx);
    g_free(l->host);
    g_free(l);
}

static gboolean deliver(gpointer p)
{
    sc_route_lookup *l = p;
    if (!l->cancelled) l->found(l->data, l->e, l->local, &l->peer, l->peerlen);
    return G_SOURCE_REMOVE;
}

static gpointer work(gpointer p)
{
    sc_route_lookup *l = p;
    l->peerlen = sizeof l->peer;
    l->e = sc_local_addr_route(l->host, l->port, l->local, sizeof l->local, &l->peer, &l->peerlen);
    if (l->e) l->peerlen = 0;
    /* freed after delivery, or with the context if it is never iterated again */
    g_main_context_invoke_full(l->ctx, G_PRIORITY_DEFAULT, deliver, l, lookup_free);
    return NULL;
}

sc_route_lookup *sc_route_lookup_start(GMainContext *ctx, const char *host, int port,
                                       sc_route_found_fn found, void *data)
{
    sc_route_lookup *l = g_new0(sc_route_lookup, 1);
    l->ctx = g_main_context_ref(ctx);
    l->host = g_strdup(host);
    l->port = port;
    l->found = found;
    l->data = data;
    g_thread_unref(g_thread_new("sc-route-lookup", work, l));
    return l;
}

void sc_route_lookup_cancel(sc_route_lookup *l)
{
    if (l) l->cancelled = true;
}
