/* Server-side digest authentication for the loopback trunk (see digest.h). */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>
#include <sofia-sip/su_md5.h>
#include <sofia-sip/msg_header.h>

#include "digest.h"
#include "free_all.h"

void sc_digest_md5_join(char out[SC_DIGEST_HEX_LEN], const char *const *parts, int nparts)
{
    su_md5_t md5;
    su_md5_init(&md5);
    for (int i = 0; i < nparts; i++) {
        if (i) su_md5_update(&md5, ":", 1);
        su_md5_strupdate(&md5, parts[i] ? parts[i] : "");
    }
    su_md5_hexdigest(&md5, out);
    su_md5_deinit(&md5);
}

static void nonce_mac(const char *secret, const char *stamp, char mac[17])
{
    char full[SC_DIGEST_HEX_LEN];
    const char *parts[] = { stamp, secret };
    sc_digest_md5_join(full, parts, 2);
    memcpy(mac, full, 16);
    mac[16] = '\0';
}

void sc_digest_nonce(const char *secret, int64_t now_s, uint32_t serial, char out[SC_NONCE_LEN])
{
    char stamp[17], mac[17];
    g_snprintf(stamp, sizeof stamp, "%08x%08x", (unsigned)(uint32_t)now_s, (unsigned)serial);
    nonce_mac(secret, stamp, mac);
    g_snprintf(out, SC_NONCE_LEN, "%s%s", stamp, mac);
}

/* Compares without an early exit, so response timing tells nothing. */
static bool same_text(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned)(g_ascii_tolower(a[i]) ^ g_ascii_tolower(b[i]));
    return diff == 0;
}

sc_nonce_state sc_digest_nonce_check(const char *secret, const char *nonce, int64_t now_s, int ttl_s)
{
    char stamp[17], mac[17];
    unsigned long issued;
    uint32_t age;
    if (!nonce || strlen(nonce) != SC_NONCE_LEN - 1) return SC_NONCE_FOREIGN;
    for (const char *p = nonce; *p; p++)
        if (!g_ascii_isxdigit(*p)) return SC_NONCE_FOREIGN;
    memcpy(stamp, nonce, 16);
    stamp[16] = '\0';
    nonce_mac(secret, stamp, mac);
    if (!same_text(mac, nonce + 16)) return SC_NONCE_FOREIGN;
    stamp[8] = '\0';
    issued = strtoul(stamp, NULL, 16);
    /* The time is kept in 32 bits: unsigned subtraction survives wrapping. */
    age = (uint32_t)now_s - (uint32_t)issued;
    return age <= (uint32_t)ttl_s ? SC_NONCE_FRESH : SC_NONCE_STALE;
}

char *sc_digest_challenge(const char *realm, const char *nonce, bool stale)
{
    return g_strdup_printf("Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"%s", realm, nonce,
                           stale ? ", stale=true" : "");
}

/* A parameter's value without its quotes and backslash escapes, or NULL. */
static char *param_dup(msg_param_t const *params, const char *name)
{
    const char *v = msg_params_find(params, name);
    GString *b;
    if (!v) return NULL;
    if (*v != '"') return g_strdup(v);
    b = g_string_new(NULL);
    for (v++; *v && *v != '"'; v++) {
        if (*v == '\\' && v[1]) v++;
        g_string_append_c(b, *v);
    }
    return g_string_free(b, FALSE);
}

void sc_digest_creds_clear(sc_digest_creds *c)
{
    SC_FREE_ALL(c->username, c->realm, c->nonce, c->uri, c->response, c->algorithm, c->qop, c->nc,
                c->cnonce, c->opaque);
    memset(c, 0, sizeof *c);
}

bool sc_digest_parse(const msg_auth_t *au, sc_digest_creds *c)
{
    memset(c, 0, sizeof *c);
    if (!au || !au->au_scheme || g_ascii_strcasecmp(au->au_scheme, "Digest")) return false;
    c->username = param_dup(au->au_params, "username=");
    c->realm = param_dup(au->au_params, "realm=");
    c->nonce = param_dup(au->au_params, "nonce=");
    c->uri = param_dup(au->au_params, "uri=");
    c->response = param_dup(au->au_params, "response=");
    c->algorithm = param_dup(au->au_params, "algorithm=");
    c->qop = param_dup(au->au_params, "qop=");
    c->nc = param_dup(au->au_params, "nc=");
    c->cnonce = param_dup(au->au_params, "cnonce=");
    c->opaque = param_dup(au->au_params, "opaque=");
    if (!c->username || !c->realm || !c->nonce || !c->uri || !c->response) {
        sc_digest_creds_clear(c);
        return false;
    }
    return true;
}

void sc_digest_expected(const sc_digest_creds *c, const char *method, const char *password,
                        char out[SC_DIGEST_HEX_LEN])
{
    char ha1[SC_DIGEST_HEX_LEN], ha2[SC_DIGEST_HEX_LEN];
    const char *a1[] = { c->username, c->realm, password };
    const char *a2[] = { method, c->uri };
    sc_digest_md5_join(ha1, a1, 3);
    sc_digest_md5_join(ha2, a2, 2);
    if (c->qop) {
        const char *r[] = { ha1, c->nonce, c->nc, c->cnonce, c->qop, ha2 };
        sc_digest_md5_join(out, r, 6);
    } else {
        const char *r[] = { ha1, c->nonce, ha2 };
        sc_digest_md5_join(out, r, 3);
    }
    memset(ha1, 0, sizeof ha1);   /* HA1 is as good as the password */
}

bool sc_digest_verify(const sc_digest_creds *c, const char *method, const char *password)
{
    char want[SC_DIGEST_HEX_LEN];
    bool ok;
    if (!c->response || !method || !password) return false;
    if (c->algorithm && g_ascii_strcasecmp(c->algorithm, "MD5")) return false;
    if (c->qop && (g_ascii_strcasecmp(c->qop, "auth") || !c->nc || !c->cnonce)) return false;
    sc_digest_expected(c, method, password, want);
    ok = same_text(want, c->response);
    memset(want, 0, sizeof want);
    return ok;
}
