/* See resolve.h. One place turns names into addresses: the inbound check
 * and the bridge-target check used to call getaddrinfo each on their own,
 * on the stack thread, once per call for a bridge target. */
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "resolve.h"
#include "acl.h"   /* sc_ip_equal */

typedef struct cached {
    char **ips;        /* NULL-terminated numeric addresses */
    gint64 expires;    /* monotonic µs */
} cached;

static GMutex cache_lock;
static GHashTable *cache;   /* lower-case name -> cached* */

static void cached_free(gpointer p)
{
    cached *c = p;
    g_strfreev(c->ips);
    g_free(c);
}

static void add_unique(GPtrArray *ips, const char *ip)
{
    for (guint i = 0; i < ips->len; i++)
        if (!strcmp(ips->pdata[i], ip)) return;
    g_ptr_array_add(ips, g_strdup(ip));
}

static bool is_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static char **look_up(const char *host)
{
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
    GPtrArray *found = g_ptr_array_new();
    if (getaddrinfo(host, NULL, &hints, &res) == 0) {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            char buf[INET6_ADDRSTRLEN];
            /* inet_ntop, not getnameinfo: no "%scope" on link-local addresses */
            const void *a = ai->ai_family == AF_INET
                                ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            if (inet_ntop(ai->ai_family, a, buf, sizeof buf)) add_unique(found, buf);
        }
        freeaddrinfo(res);
    }
    g_ptr_array_add(found, NULL);
    return (char **)g_ptr_array_free(found, FALSE);
}

/* The name's addresses, from the cache while fresh. The lookup itself runs
 * outside the lock: a slow resolver must not hold up other threads' hits. */
static char **name_ips(const char *host)
{
    char *key = g_ascii_strdown(host, -1), **ips = NULL;
    gint64 now = g_get_monotonic_time();
    cached *c;
    g_mutex_lock(&cache_lock);
    if (!cache) cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cached_free);
    c = g_hash_table_lookup(cache, key);
    if (c && c->expires > now) ips = g_strdupv(c->ips);
    g_mutex_unlock(&cache_lock);
    if (ips) {
        g_free(key);
        return ips;
    }
    ips = look_up(host);
    c = g_new(cached, 1);
    c->ips = g_strdupv(ips);
    c->expires = now + (gint64)SC_RESOLVE_TTL_S * G_USEC_PER_SEC;
    g_mutex_lock(&cache_lock);
    g_hash_table_replace(cache, key, c);
    g_mutex_unlock(&cache_lock);
    return ips;
}

void sc_resolve_ips(const char *host, GPtrArray *ips)
{
    char **found;
    if (!host || !*host) return;
    if (is_literal(host)) {
        add_unique(ips, host);
        return;
    }
    found = name_ips(host);
    for (char **ip = found; *ip; ip++) add_unique(ips, *ip);
    g_strfreev(found);
}

bool sc_resolve_same_host(const char *a, const char *b)
{
    GPtrArray *ia, *ib;
    bool same = false;
    if (!g_ascii_strcasecmp(a, b)) return true;
    ia = g_ptr_array_new_with_free_func(g_free);
    ib = g_ptr_array_new_with_free_func(g_free);
    sc_resolve_ips(a, ia);
    if (ia->len) sc_resolve_ips(b, ib);
    for (guint i = 0; i < ia->len && !same; i++)
        for (guint j = 0; j < ib->len && !same; j++) same = sc_ip_equal(ia->pdata[i], ib->pdata[j]);
    g_ptr_array_free(ia, TRUE);
    g_ptr_array_free(ib, TRUE);
    return same;
}
