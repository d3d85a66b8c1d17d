/* Address lists for who may send calls in: addresses and CIDR blocks. */
#include <string.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <glib.h>

#include "acl.h"

typedef struct acl_entry {
    int family;
    unsigned char addr[16];
    int bits;
} acl_entry;

struct sc_acl {
    GArray *entries;
};

static bool parse_ip(const char *text, int *family, unsigned char *addr)
{
    if (inet_pton(AF_INET, text, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, addr) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

sc_acl *sc_acl_parse(const char *text, char **error)
{
    sc_acl *acl = g_new0(sc_acl, 1);
    char **items = g_strsplit(text ? text : "", ",", -1);
    acl->entries = g_array_new(FALSE, TRUE, sizeof(acl_entry));
    for (char **it = items; *it; it++) {
        char *item = g_strstrip(*it), *slash, *end;
        acl_entry e = { 0 };
        long bits;
        if (!*item) continue;
        slash = strchr(item, '/');
        if (slash) *slash = '\0';
        if (!parse_ip(item, &e.family, e.addr)) {
            *error = g_strdup_printf("ACL entry '%s' is not an IPv4 or IPv6 address", item);
            goto fail;
        }
        e.bits = e.family == AF_INET ? 32 : 128;
        if (slash) {
            bits = strtol(slash + 1, &end, 10);
            if (!slash[1] || *end || bits < 0 || bits > e.bits) {
                *error = g_strdup_printf("ACL entry '%s/%s': prefix length must be 0..%d", item,
                                         slash + 1, e.bits);
                goto fail;
            }
            e.bits = (int)bits;
        }
        g_array_append_val(acl->entries, e);
    }
    g_strfreev(items);
    return acl;
fail:
    g_strfreev(items);
    sc_acl_free(acl);
    return NULL;
}

void sc_acl_free(sc_acl *acl)
{
    if (!acl) return;
    g_array_free(acl->entries, TRUE);
    g_free(acl);
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)bytes)) return false;
    if (!rest) return true;
    return ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest))) == 0;
}

bool sc_acl_allows(const sc_acl *acl, const char *ip)
{
    unsigned char addr[16];
    int family;
    if (!acl || !ip || !parse_ip(ip, &family, addr)) return false;
    for (guint i = 0; i < acl->entries->len; i++) {
        const acl_entry *e = &g_array_index(acl->entries, acl_entry, i);
        if (e->family == family && prefix_equal(e->addr, addr, e->bits)) return true;
    }
    return false;
}

bool sc_ip_equal(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    int fx, fy;
    if (!a || !b || !parse_ip(a, &fx, x) || !parse_ip(b, &fy, y) || fx != fy) return false;
    return memcmp(x, y, fx == AF_INET ? 4 : 16) == 0;
}
