/* Our answer to a trunk's digest challenge, built for an INVITE we send anew
 * ourselves (sc_digest_header): checked against RFC 2617's formula computed
 * here, and refused for challenges that must count as a rejection. */
#include <string.h>
#include <glib.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg.h>
#include "sc_test.h"
#include "digest_client.h"

#define RURI "sip:004930123456@127.0.0.1:5060"

static msg_t *response(const char *challenge_line)
{
    char *text = g_strdup_printf("SIP/2.0 407 Proxy Authentication Required\r\n"
                                 "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK1\r\n"
                                 "From: <sip:skype@127.0.0.1>;tag=a\r\n"
                                 "To: <" RURI ">;tag=b\r\n"
                                 "Call-ID: digest-test@127.0.0.1\r\n"
                                 "CSeq: 1 INVITE\r\n"
                                 "%s\r\n"
                                 "Content-Length: 0\r\n\r\n",
                                 challenge_line);
    msg_t *msg = msg_make(sip_default_mclass(), 0, text, (isize_t)strlen(text));
    g_free(text);
    return msg;
}

static char *md5_hex(const char *s)
{
    return g_compute_checksum_for_string(G_CHECKSUM_MD5, s, -1);
}

/* The value of `name` in a header line: quoted or bare. */
static char *param(const char *line, const char *name)
{
    char *key = g_strdup_printf("%s=", name);
    const char *p = line, *v = NULL;
    while ((p = strstr(p, key))) {
        if (p == line || p[-1] == ' ' || p[-1] == ',') {
            v = p + strlen(key);
            break;
        }
        p++;
    }
    g_free(key);
    if (!v) return NULL;
    if (*v == '"') return g_strndup(v + 1, strcspn(v + 1, "\""));
    return g_strndup(v, strcspn(v, ", \r\n"));
}

static void answers_a_qop_auth_challenge_as_rfc_2617_says(void)
{
    msg_t *msg = response("Proxy-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"n0nce\", qop=\"auth\"");
    int rounds = 0;
    const char *why = NULL;
    char *line = sc_digest_header(sip_object(msg), 407, "skype", "secret", "INVITE", RURI, NULL, &rounds, &why);
    CHECK(line != NULL);
    if (line) {
        char *cnonce = param(line, "cnonce"), *nc = param(line, "nc"), *resp = param(line, "response");
        char *ha1 = md5_hex("skype:127.0.0.1:secret"), *ha2 = md5_hex("INVITE:" RURI);
        char *all = g_strdup_printf("%s:n0nce:%s:%s:auth:%s", ha1, nc ? nc : "", cnonce ? cnonce : "", ha2);
        char *want = md5_hex(all), *uri = param(line, "uri"), *user = param(line, "username");
        CHECK(g_str_has_prefix(line, "Proxy-Authorization: Digest "));
        CHECK_STR(nc, "00000001");
        CHECK(cnonce && *cnonce);
        CHECK_STR(uri, RURI);
        CHECK_STR(user, "skype");
        CHECK_STR(resp, want);
        CHECK(!strstr(line, "secret"));
        CHECK(rounds == 1);
        g_free(cnonce), g_free(nc), g_free(resp), g_free(ha1), g_free(ha2), g_free(all), g_free(want);
        g_free(uri), g_free(user);
    }
    sc_digest_free(line);
    msg_destroy(msg);
}

static void answers_a_401_with_authorization(void)
{
    msg_t *msg = response("WWW-Authenticate: Digest realm=\"trunk\", nonce=\"abc\"");
    int rounds = 0;
    const char *why = NULL;
    char *line = sc_digest_header(sip_object(msg), 401, "skype", "secret", "INVITE", RURI, "v=0\r\n", &rounds, &why);
    CHECK(line && g_str_has_prefix(line, "Authorization: Digest "));
    if (line) {
        /* no qop: response = MD5(HA1:nonce:HA2) */
        char *ha1 = md5_hex("skype:trunk:secret"), *ha2 = md5_hex("INVITE:" RURI);
        char *all = g_strdup_printf("%s:abc:%s", ha1, ha2), *want = md5_hex(all), *resp = param(line, "response");
        CHECK_STR(resp, want);
        g_free(ha1), g_free(ha2), g_free(all), g_free(want), g_free(resp);
    }
    sc_digest_free(line);
    msg_destroy(msg);
}

static void refuses_what_counts_as_a_rejection(void)
{
    struct {
        const char *challenge;
        int rounds_before;
        const char *why_part;
    } bad[] = {
        { "Proxy-Authenticate: Basic realm=\"trunk\"", 0, "other than Digest" },
        { "Proxy-Authenticate: Digest realm=\"trunk\"", 0, "no realm or nonce" },
        { "Proxy-Authenticate: Digest nonce=\"abc\"", 0, "no realm or nonce" },
        { "Proxy-Authenticate: Digest realm=\"trunk\", nonce=\"abc\"", 1, "challenged the credentials again" },
        { "Proxy-Authenticate: Digest realm=\"trunk\", nonce=\"abc\", algorithm=SHA-512-256", 0, "not usable" },
        { "X-Nothing: here", 0, "no challenge" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        msg_t *msg = response(bad[i].challenge);
        int rounds = bad[i].rounds_before;
        const char *why = NULL;
        char *line = sc_digest_header(sip_object(msg), 407, "skype", "secret", "INVITE", RURI, NULL, &rounds, &why);
        CHECK(line == NULL);
        CHECK(why && strstr(why, bad[i].why_part));
        if (!why || !strstr(why, bad[i].why_part)) fprintf(stderr, "  case %zu: why=%s\n", i, why ? why : "(null)");
        sc_digest_free(line);
        msg_destroy(msg);
    }
}

SC_TEST_MAIN(TEST(answers_a_qop_auth_challenge_as_rfc_2617_says), TEST(answers_a_401_with_authorization),
             TEST(refuses_what_counts_as_a_rejection))
