/* Answering digest challenges for our own requests. */
#include <string.h>
#include <glib.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg_header.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/auth_client.h>
#include <sofia-sip/url.h>

#include "digest_client.h"

static bool param_is(msg_param_t const *params, const char *name, const char *want)
{
    const char *v = msg_params_find(params, name);
    size_t n;
    if (!v) return false;
    n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    return n == strlen(want) && !g_ascii_strncasecmp(v, want, n);
}

char *sc_digest_answer(const sip_t *sip, int status, const char *user, const char *password, int *rounds,
                       const char **why)
{
    const msg_auth_t *au = NULL;
    const char *realm, *nonce;
    bool stale;
    if (sip) au = status == 407 ? sip->sip_proxy_authenticate : sip->sip_www_authenticate;
    if (!au || !au->au_scheme) {
        *why = "the server sent no challenge";
        return NULL;
    }
    if (g_ascii_strcasecmp(au->au_scheme, "Digest")) {
        *why = "the server asks for a scheme other than Digest: the password is never sent in clear";
        return NULL;
    }
    if (!password) {
        *why = "the gateway has no password";
        return NULL;
    }
    realm = msg_params_find(au->au_params, "realm=");
    nonce = msg_params_find(au->au_params, "nonce=");
    if (!realm || !nonce || !*nonce || !strcmp(nonce, "\"\"")) {
        *why = "the challenge has no realm or nonce";
        return NULL;
    }
    stale = param_is(au->au_params, "stale=", "true");
    if (*rounds >= (stale ? SC_AUTH_MAX_STALE_ROUNDS : SC_AUTH_MAX_ROUNDS) || (*rounds >= 1 && !stale)) {
        *why = "the server challenged the credentials again: they are refused";
        return NULL;
    }
    (*rounds)++;
    /* The realm goes quoted, exactly as in the challenge: Sofia's
     * auth_mod_* reads "scheme:\"realm\":user:password". */
    return g_strdup_printf("%s:%s%s%s:%s:%s", au->au_scheme, realm[0] == '"' ? "" : "\"", realm,
                           realm[0] == '"' ? "" : "\"", user, password);
}

/* Room for one Authorization header line: a long Request-URI and nonce fit. */
#define SC_DIGEST_HEADER_MAX 2048

char *sc_digest_header(const sip_t *sip, int status, const char *user, const char *password, const char *method,
                       const char *ruri, const char *body, int *rounds, const char **why)
{
    char *cred = sc_digest_answer(sip, status, user, password, rounds, why);
    const msg_auth_t *au;
    su_home_t *home;
    auth_client_t *auc = NULL;
    msg_header_t *h = NULL;
    msg_payload_t pl[1];
    url_t *url;
    char *line = NULL;
    if (!cred) return NULL;
    au = status == 407 ? sip->sip_proxy_authenticate : sip->sip_www_authenticate;
    home = su_home_new(sizeof *home);
    url = home ? url_hdup(home, URL_STRING_MAKE(ruri)->us_url) : NULL;
    msg_payload_init(pl);
    pl->pl_data = (char *)body;
    pl->pl_len = body ? (isize_t)strlen(body) : 0;
    /* Sofia's own digest client: the same answer (qop, nc, cnonce) it gives
     * a request it restarts itself. */
    if (url && auc_challenge(&auc, home, au, status == 407 ? sip_proxy_authorization_class
                                                              : sip_authorization_class) > 0 &&
        auc_credentials(&auc, home, cred) > 0 &&
        auc_authorization_headers(&auc, home, method, url, pl, &h) > 0 && h) {
        /* msg_header_e(), not sip_header_as_string(): the latter dropped the
         * last parameter (nc=, or response= with a body) on Sofia 1.12.11. */
        char buf[SC_DIGEST_HEADER_MAX];
        issize_t n = msg_header_e(buf, sizeof buf, h, 0);
        if (n > 0 && (size_t)n < sizeof buf) {
            while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) n--;
            line = g_strndup(buf, (gsize)n);
        }
        memset(buf, 0, sizeof buf);
    }
    if (!line) *why = "the challenge could not be answered (its digest parameters are not usable)";
    sc_digest_free(cred);
    if (home) su_home_unref(home);
    return line;
}

void sc_digest_free(char *cred)
{
    if (!cred) return;
    memset(cred, 0, strlen(cred));
    g_free(cred);
}

bool sc_digest_authenticate(nua_handle_t *nh, const sip_t *sip, int status, const char *user,
                            const char *password, int *rounds, const char **why)
{
    char *cred = sc_digest_answer(sip, status, user, password, rounds, why);
    if (!cred) return false;
    nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
    sc_digest_free(cred);
    return true;
}
