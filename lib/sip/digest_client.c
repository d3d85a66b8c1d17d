/* Answering digest challenges for our own requests. */
#include <string.h>
#include <glib.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg_header.h>

#include <sofia-sip/nua_tag.h>

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
