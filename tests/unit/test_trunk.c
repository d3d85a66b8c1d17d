/* The loopback trunk itself: its digest server, start and stop, and its
 * registrar and its calls from the PSTN (relayed to a registered Contact)
 * spoken to over raw sockets. Registration and calls through a
 * session are tested in test_registration.c and test_calls.c. */
#include "trunk_fixture.h"

static void digest_matches_rfc2617(void)
{
    /* RFC 2617 3.5's example. */
    sc_digest_creds c = { 0 };
    char out[SC_DIGEST_HEX_LEN], nonce[SC_NONCE_LEN];
    c.username = "Mufasa";
    c.realm = "testrealm@host.com";
    c.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    c.uri = "/dir/index.html";
    c.qop = "auth";
    c.nc = "00000001";
    c.cnonce = "0a4f113b";
    c.response = "6629fae49393a05397450978507c4ef1";
    sc_digest_expected(&c, "GET", "Circle Of Life", out);
    CHECK_STR(out, "6629fae49393a05397450978507c4ef1");
    CHECK(sc_digest_verify(&c, "GET", "Circle Of Life"));
    CHECK(!sc_digest_verify(&c, "GET", "circle of life"));
    CHECK(!sc_digest_verify(&c, "POST", "Circle Of Life"));
    c.algorithm = "SHA-256";
    CHECK(!sc_digest_verify(&c, "GET", "Circle Of Life"));
    c.algorithm = NULL;
    c.cnonce = NULL;   /* qop=auth without cnonce is malformed */
    CHECK(!sc_digest_verify(&c, "GET", "Circle Of Life"));

    sc_digest_nonce("secret", 1000, 7, nonce);
    CHECK_EQ_INT(strlen(nonce), SC_NONCE_LEN - 1);
    CHECK_EQ_INT(sc_digest_nonce_check("secret", nonce, 1010, 300), SC_NONCE_FRESH);
    CHECK_EQ_INT(sc_digest_nonce_check("secret", nonce, 1400, 300), SC_NONCE_STALE);
    CHECK_EQ_INT(sc_digest_nonce_check("other", nonce, 1010, 300), SC_NONCE_FOREIGN);
    nonce[20] = nonce[20] == 'a' ? 'b' : 'a';
    CHECK_EQ_INT(sc_digest_nonce_check("secret", nonce, 1010, 300), SC_NONCE_FOREIGN);
    CHECK_EQ_INT(sc_digest_nonce_check("secret", "short", 1010, 300), SC_NONCE_FOREIGN);
    {
        char *ch = sc_digest_challenge("r", "n", true);
        CHECK_CONTAINS(ch, "qop=\"auth\"");
        CHECK_CONTAINS(ch, "stale=true");
        g_free(ch);
    }
}

static void start_stop_and_arguments(void)
{
    sc_trunk *t = trunk_up(), *u;
    char addr[64];
    if (!t) return;
    CHECK(sc_trunk_port(t) > 0);
    g_snprintf(addr, sizeof addr, "127.0.0.1:%d", sc_trunk_port(t));
    CHECK_STR(sc_trunk_address(t), addr);
    CHECK_EQ_INT(sc_trunk_count(t, "register"), 0);
    CHECK_EQ_INT(sc_trunk_count(t, "active"), 0);
    CHECK_EQ_INT(sc_trunk_count(t, "calls"), SC_EINVAL);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 0);
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "123"), SC_ENOTFOUND);
    CHECK_EQ_INT(sc_trunk_place_call(t, USER, "12a"), SC_EINVAL);
    CHECK_EQ_INT(sc_trunk_set_expires(t, 9), SC_EINVAL);
    CHECK_STR(sc_last_error(), "sc_trunk_set_expires: 9 s is not 10..86400");
    CHECK_EQ_INT(sc_trunk_set_expires(t, 60), SC_OK);
    CHECK_EQ_INT(sc_trunk_set_expires(NULL, 60), SC_EINVAL);
    CHECK_STR(sc_last_error(), "sc_trunk_set_expires: trunk is NULL");
    CHECK_EQ_INT(sc_trunk_set_ring_seconds(t, 61), SC_EINVAL);
    CHECK_STR(sc_last_error(), "sc_trunk_set_ring_seconds: 61 s is not 0..60");
    CHECK_EQ_INT(sc_trunk_set_ring_seconds(t, 0), SC_OK);
    CHECK_EQ_INT(sc_trunk_set_fault(t, 9, 0), SC_EINVAL);
    CHECK_EQ_INT(sc_trunk_set_fault(t, SC_TRUNK_FAULT_INTERVAL, 0), SC_EINVAL);
    CHECK_EQ_INT(sc_trunk_set_fault(t, SC_TRUNK_FAULT_NONE, 0), SC_OK);
    CHECK_EQ_INT(sc_trunk_hangup_all(t), SC_OK);
    {
        char *log = sc_trunk_log(t);
        CHECK_STR(log, "");
        sc_free(log);
    }

    /* the same port twice */
    u = sc_trunk_new(addr, USER, PASSWORD);
    CHECK(u == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EIO);
    /* the trunk thread's failure text, carried to this thread */
    CHECK_CONTAINS(sc_last_error(), "trunk: cannot bind");
    sc_trunk_free(u);
    sc_trunk_free(t);

    CHECK(sc_trunk_new("localhost:0", USER, PASSWORD) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EPARSE);
    CHECK(sc_trunk_new("127.0.0.1:70000", USER, PASSWORD) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EPARSE);
    CHECK(sc_trunk_new("0.0.0.0:0", USER, PASSWORD) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EPARSE);
    CHECK(sc_trunk_new("127.0.0.1:0", "", PASSWORD) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    CHECK(sc_trunk_new("127.0.0.1:0", USER, "") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    CHECK(sc_trunk_new("127.0.0.1:0", "a b", PASSWORD) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    sc_trunk_free(NULL);
    CHECK(sc_trunk_log(NULL) == NULL);
    CHECK_EQ_INT(sc_trunk_count(NULL, "register"), SC_EINVAL);

    /* IPv6 where the host has it */
    t = sc_trunk_new("[::1]:0", USER, PASSWORD);
    if (t) {
        CHECK(g_str_has_prefix(sc_trunk_address(t), "[::1]:"));
        sc_trunk_free(t);
    } else {
        CHECK_EQ_INT(sc_last_status(), SC_EIO);
    }
}

/* A minimal SIP client over UDP for the registrar's own rules. */
typedef struct raw_client {
    int fd;
    int port, trunk_port;
    int cseq;
} raw_client;

static bool raw_open(raw_client *r, sc_trunk *t)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    struct timeval tv = { 2, 0 };
    memset(r, 0, sizeof *r);
    r->fd = socket(AF_INET, SOCK_DGRAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&a, sizeof a) < 0) return false;
    getsockname(r->fd, (struct sockaddr *)&a, &len);
    r->port = ntohs(a.sin_port);
    r->trunk_port = sc_trunk_port(t);
    r->cseq = 1;
    setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return true;
}

/* Sends a REGISTER (same Call-ID and From tag every time, no To tag) and
 * returns the response text (g_free) or NULL. */
static char *raw_register(raw_client *r, const char *contact, const char *expires, const char *auth)
{
    struct sockaddr_in to = { .sin_family = AF_INET };
    char buf[4096];
    char *req = g_strdup_printf(
        "REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-raw-%d;rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:" USER "@127.0.0.1:%d>;tag=rawtag\r\n"
        "To: <sip:" USER "@127.0.0.1:%d>\r\n"
        "Call-ID: raw-call-1@127.0.0.1\r\n"
        "CSeq: %d REGISTER\r\n"
        "Contact: %s\r\n"
        "Expires: %s\r\n"
        "%s%s%s"
        "Content-Length: 0\r\n\r\n",
        r->trunk_port, r->port, r->cseq, r->trunk_port, r->trunk_port, r->cseq, contact, expires,
        auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "");
    ssize_t n;
    r->cseq++;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons((uint16_t)r->trunk_port);
    sendto(r->fd, req, strlen(req), 0, (struct sockaddr *)&to, sizeof to);
    g_free(req);
    for (;;) {
        n = recv(r->fd, buf, sizeof buf - 1, 0);
        if (n <= 0) return NULL;
        buf[n] = '\0';
        if (!strncmp(buf, "SIP/2.0 1", 9)) continue;   /* provisional */
        return g_strdup(buf);
    }
}

static int raw_status(const char *resp)
{
    return resp && strlen(resp) > 12 ? atoi(resp + 8) : 0;
}

/* The nonce of a challenge in resp (g_free) or NULL. */
static char *raw_nonce(const char *resp)
{
    const char *p = resp ? strstr(resp, "nonce=\"") : NULL;
    const char *end = p ? strchr(p + 7, '"') : NULL;
    return end ? g_strndup(p + 7, (gsize)(end - p - 7)) : NULL;
}

/* An Authorization value for nonce with user and password (g_free). */
static char *raw_auth(sc_trunk *t, const char *nonce, const char *user, const char *password, int nc)
{
    sc_digest_creds c = { 0 };
    char resp[SC_DIGEST_HEX_LEN], ncs[16], uri[64];
    g_snprintf(ncs, sizeof ncs, "%08x", nc);
    g_snprintf(uri, sizeof uri, "sip:127.0.0.1:%d", sc_trunk_port(t));
    c.username = (char *)user;
    c.realm = "127.0.0.1";
    c.nonce = (char *)nonce;
    c.uri = uri;
    c.qop = "auth";
    c.nc = ncs;
    c.cnonce = "0a4f113b";
    sc_digest_expected(&c, "REGISTER", password, resp);
    return g_strdup_printf("Digest username=\"%s\", realm=\"127.0.0.1\", nonce=\"%s\", uri=\"%s\", "
                           "response=\"%s\", algorithm=MD5, qop=auth, nc=%s, cnonce=\"0a4f113b\"",
                           user, nonce, uri, resp, ncs);
}

static void raw_registrar(void)
{
    sc_trunk *t = trunk_up();
    raw_client r;
    char *resp, *nonce = NULL, *auth, contact[64], *log;
    if (!t) return;
    CHECK(raw_open(&r, t));
    sc_trunk_set_expires(t, 60);
    g_snprintf(contact, sizeof contact, "<sip:raw@127.0.0.1:%d>", r.port);

    resp = raw_register(&r, contact, "3600", NULL);
    CHECK_EQ_INT(raw_status(resp), 401);
    CHECK_CONTAINS(resp, "qop=\"auth\"");
    CHECK_CONTAINS(resp, "realm=\"127.0.0.1\"");
    nonce = raw_nonce(resp);
    CHECK(nonce != NULL);
    g_free(resp);
    if (!nonce) goto out;

    /* right password: 200 with the granted lifetime in Contact and Expires */
    auth = raw_auth(t, nonce, USER, PASSWORD, 1);
    resp = raw_register(&r, contact, "3600", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 200);
    CHECK_CONTAINS(resp, ";expires=60");
    CHECK_CONTAINS(resp, "Expires: 60");
    g_free(resp);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 1);

    /* wrong password, unknown user: 403 */
    auth = raw_auth(t, nonce, USER, "wrong", 2);
    resp = raw_register(&r, contact, "3600", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 403);
    g_free(resp);
    auth = raw_auth(t, nonce, "mallory", PASSWORD, 3);
    resp = raw_register(&r, contact, "3600", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 403);
    g_free(resp);

    /* un-REGISTER by Expires: 0 */
    auth = raw_auth(t, nonce, USER, PASSWORD, 4);
    resp = raw_register(&r, contact, "0", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 200);
    CHECK_CONTAINS(resp, "Expires: 0");
    g_free(resp);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 0);

    /* ;expires=N in the Contact wins over Expires, and Contact: * clears */
    g_snprintf(contact, sizeof contact, "<sip:raw@127.0.0.1:%d>;expires=30", r.port);
    auth = raw_auth(t, nonce, USER, PASSWORD, 5);
    resp = raw_register(&r, contact, "3600", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 200);
    CHECK_CONTAINS(resp, ";expires=30");
    g_free(resp);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 1);
    auth = raw_auth(t, nonce, USER, PASSWORD, 6);
    resp = raw_register(&r, "*", "3600", auth);   /* * needs Expires: 0 */
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 400);
    g_free(resp);
    auth = raw_auth(t, nonce, USER, PASSWORD, 7);
    resp = raw_register(&r, "*", "0", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 200);
    g_free(resp);
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 0);

    /* an old nonce with the right password: challenged again, stale=true */
    sc_trunk_set_nonce_ttl(t, 1);
    g_usleep(2100000);
    auth = raw_auth(t, nonce, USER, PASSWORD, 8);
    resp = raw_register(&r, contact, "3600", auth);
    g_free(auth);
    CHECK_EQ_INT(raw_status(resp), 401);
    CHECK_CONTAINS(resp, "stale=true");
    g_free(resp);

    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "\"note\":\"unregistered\"");
    CHECK_CONTAINS(log, "\"note\":\"unregistered (all)\"");
    CHECK_CONTAINS(log, "\"note\":\"unknown user\"");
    CHECK_CONTAINS(log, "stale nonce");
    CHECK(log && !strstr(log, "response="));
    sc_free(log);
    check_log_clean(t);
out:
    g_free(nonce);
    close(r.fd);
    sc_trunk_free(t);
}


/* ------------------------------------------------------------------ */
/* Calls from the PSTN: a raw caller INVITEs the account; a raw callee
 * (registered with its own socket as Contact) answers the relayed INVITE. */

static void raw_send(raw_client *r, const char *text)
{
    struct sockaddr_in to = { .sin_family = AF_INET };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons((uint16_t)r->trunk_port);
    sendto(r->fd, text, strlen(text), 0, (struct sockaddr *)&to, sizeof to);
}

/* The next message starting with prefix (g_free), skipping others; NULL
 * after the socket's 2 s timeout. */
static char *raw_wait(raw_client *r, const char *prefix)
{
    char buf[8192];
    for (int i = 0; i < 20; i++) {
        ssize_t n = recv(r->fd, buf, sizeof buf - 1, 0);
        if (n <= 0) return NULL;
        buf[n] = '\0';
        if (!strncmp(buf, prefix, strlen(prefix))) return g_strdup(buf);
    }
    return NULL;
}

/* A header line of msg ("Call-ID: ..."), every one of that name joined by
 * CRLF (g_free). */
static char *raw_headers(const char *msg, const char *name)
{
    GString *out = g_string_new(NULL);
    char **lines = g_strsplit(msg, "\r\n", -1);
    for (char **l = lines; *l && **l; l++)
        if (!g_ascii_strncasecmp(*l, name, strlen(name)) && (*l)[strlen(name)] == ':')
            g_string_append_printf(out, "%s\r\n", *l);
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

/* The callee's answer to a request received from the trunk. */
static void raw_answer(raw_client *r, const char *req, const char *status, const char *body)
{
    char *via = raw_headers(req, "Via"), *from = raw_headers(req, "From"), *to = raw_headers(req, "To"),
         *cid = raw_headers(req, "Call-ID"), *cseq = raw_headers(req, "CSeq"), *msg;
    bool tagged = strstr(to, "tag=") != NULL;
    if (!tagged && strlen(to) > 2) to[strlen(to) - 2] = '\0';
    msg = g_strdup_printf("SIP/2.0 %s\r\n%s%s%s%s\r\n%s%sContact: <sip:raw@127.0.0.1:%d>\r\n%s"
                          "Content-Length: %zu\r\n\r\n%s",
                          status, via, from, to, tagged ? "" : ";tag=callee", cid, cseq, r->port,
                          body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0,
                          body ? body : "");
    raw_send(r, msg);
    g_free(msg);
    g_free(via);
    g_free(from);
    g_free(to);
    g_free(cid);
    g_free(cseq);
}

#define PSTN_SDP "v=0\r\no=pstn 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
                 "m=audio 40100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
#define CALLEE_SDP "v=0\r\no=callee 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
                   "m=audio 40200 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

/* The caller's request: INVITE (with or without SDP), CANCEL or ACK of call n. */
static void raw_pstn(raw_client *p, const char *method, const char *user, int n, const char *body, const char *to_tag)
{
    char *msg = g_strdup_printf(
        "%s sip:%s@127.0.0.1:%d SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-pstn-%d;rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:4930111@127.0.0.1:%d>;tag=pstn%d\r\n"
        "To: <sip:%s@127.0.0.1:%d>%s%s\r\n"
        "Call-ID: pstn-%d@127.0.0.1\r\n"
        "CSeq: 1 %s\r\n"
        "Contact: <sip:4930111@127.0.0.1:%d>\r\n"
        "%sContent-Length: %zu\r\n\r\n%s",
        method, user, p->trunk_port, p->port, n, p->port, n, user, p->trunk_port, to_tag ? ";tag=" : "",
        to_tag ? to_tag : "", n, method, p->port, body ? "Content-Type: application/sdp\r\n" : "",
        body ? strlen(body) : 0, body ? body : "");
    raw_send(p, msg);
    g_free(msg);
}

/* The caller's final answer to INVITE n is status; the caller ACKs it. */
static void raw_pstn_final(raw_client *p, const char *user, int n, int status)
{
    char prefix[16], *resp;
    g_snprintf(prefix, sizeof prefix, "SIP/2.0 %d", status);
    resp = raw_wait(p, prefix);
    CHECK_EQ_INT(raw_status(resp), status);
    g_free(resp);
    raw_pstn(p, "ACK", user, n, NULL, NULL);
}

/* The callee receives a BYE and answers it 200. */
static void raw_callee_bye(raw_client *r)
{
    char *req = raw_wait(r, "BYE ");
    CHECK(req != NULL);
    if (req) raw_answer(r, req, "200 OK", NULL);
    g_free(req);
}

/* Registers r's socket as the account's Contact. */
static bool raw_bind_account(sc_trunk *t, raw_client *r)
{
    char contact[64], *resp, *nonce, *auth;
    int status;
    g_snprintf(contact, sizeof contact, "<sip:raw@127.0.0.1:%d>", r->port);
    resp = raw_register(r, contact, "3600", NULL);
    nonce = raw_nonce(resp);
    g_free(resp);
    if (!nonce) return false;
    auth = raw_auth(t, nonce, USER, PASSWORD, 1);
    resp = raw_register(r, contact, "3600", auth);
    status = raw_status(resp);
    g_free(resp);
    g_free(auth);
    g_free(nonce);
    return status == 200;
}

static void pstn_calls(void)
{
    sc_trunk *t = trunk_up();
    raw_client callee, caller;
    char *req, *resp, *log;
    if (!t) return;
    CHECK(raw_open(&callee, t));
    CHECK(raw_open(&caller, t));

    /* the account not registered: 480, by name or by online number, unchallenged */
    raw_pstn(&caller, "INVITE", USER, 1, PSTN_SDP, NULL);
    raw_pstn_final(&caller, USER, 1, 480);
    raw_pstn(&caller, "INVITE", SC_TRUNK_ONLINE_NUMBER, 2, PSTN_SDP, NULL);
    raw_pstn_final(&caller, SC_TRUNK_ONLINE_NUMBER, 2, 480);

    CHECK(raw_bind_account(t, &callee));
    CHECK_EQ_INT(sc_trunk_is_registered(t, USER), 1);

    /* no SDP offer: 488, nothing relayed */
    raw_pstn(&caller, "INVITE", USER, 3, NULL, NULL);
    raw_pstn_final(&caller, USER, 3, 488);

    /* the callee refuses: its 486 reaches the caller */
    raw_pstn(&caller, "INVITE", SC_TRUNK_ONLINE_NUMBER, 4, PSTN_SDP, NULL);
    req = raw_wait(&callee, "INVITE ");
    CHECK(req != NULL);
    if (req) {
        CHECK_CONTAINS(req, "INVITE sip:raw@127.0.0.1:");
        CHECK_CONTAINS(req, "m=audio 40100");     /* the caller's SDP, untouched */
        CHECK_CONTAINS(req, "From: <sip:4930111@");
        raw_answer(&callee, req, "486 Busy Here", NULL);
        g_free(req);
    }
    raw_pstn_final(&caller, SC_TRUNK_ONLINE_NUMBER, 4, 486);

    /* the caller cancels while it rings: CANCEL passed on, 487 */
    raw_pstn(&caller, "INVITE", USER, 5, PSTN_SDP, NULL);
    req = raw_wait(&callee, "INVITE ");
    CHECK(req != NULL);
    if (req) raw_answer(&callee, req, "180 Ringing", NULL);
    resp = raw_wait(&caller, "SIP/2.0 180");
    CHECK(resp != NULL);
    g_free(resp);
    raw_pstn(&caller, "CANCEL", USER, 5, NULL, NULL);
    {
        char *cancel = raw_wait(&callee, "CANCEL ");
        CHECK(cancel != NULL);
        if (cancel) raw_answer(&callee, cancel, "200 OK", NULL);
        if (req) raw_answer(&callee, req, "487 Request Terminated", NULL);
        g_free(cancel);
    }
    g_free(req);
    raw_pstn_final(&caller, USER, 5, 487);

    /* the callee answers without SDP: 502 to the caller, BYE to the callee */
    raw_pstn(&caller, "INVITE", USER, 7, PSTN_SDP, NULL);
    req = raw_wait(&callee, "INVITE ");
    CHECK(req != NULL);
    if (req) raw_answer(&callee, req, "200 OK", NULL);
    g_free(req);
    raw_pstn_final(&caller, USER, 7, 502);
    raw_callee_bye(&callee);

    /* CANCEL races the answer: the caller gets 487, the callee a BYE */
    raw_pstn(&caller, "INVITE", USER, 8, PSTN_SDP, NULL);
    req = raw_wait(&callee, "INVITE ");
    CHECK(req != NULL);
    if (req) raw_answer(&callee, req, "100 Trying", NULL);   /* a CANCEL waits for a provisional */
    g_usleep(100000);
    raw_pstn(&caller, "CANCEL", USER, 8, NULL, NULL);
    {
        char *cancel = raw_wait(&callee, "CANCEL ");
        CHECK(cancel != NULL);
        if (req) raw_answer(&callee, req, "200 OK", CALLEE_SDP);   /* sent before it saw the CANCEL */
        if (cancel) raw_answer(&callee, cancel, "200 OK", NULL);
        g_free(cancel);
    }
    g_free(req);
    raw_pstn_final(&caller, USER, 8, 487);
    raw_callee_bye(&callee);
    g_usleep(200000);
    CHECK_EQ_INT(sc_trunk_count(t, "active"), 0);

    /* answered: the callee's SDP comes back; the caller's BYE reaches it */
    raw_pstn(&caller, "INVITE", USER, 6, PSTN_SDP, NULL);
    req = raw_wait(&callee, "INVITE ");
    CHECK(req != NULL);
    if (req) {
        raw_answer(&callee, req, "200 OK", CALLEE_SDP);
        g_free(req);
    }
    resp = raw_wait(&caller, "SIP/2.0 200");
    CHECK(resp != NULL);
    CHECK_CONTAINS(resp, "m=audio 40200");
    if (resp) {
        char *to = raw_headers(resp, "To"), *tag = strstr(to, "tag="), *end;
        if (tag) {
            tag += 4;
            end = tag + strcspn(tag, ";\r\n");
            *end = '\0';
            raw_pstn(&caller, "ACK", USER, 6, NULL, tag);
            g_usleep(100000);
            CHECK_EQ_INT(sc_trunk_count(t, "answered"), 3);
            CHECK_EQ_INT(sc_trunk_count(t, "active"), 1);
        }
        g_free(to);
    }
    g_free(resp);
    sc_trunk_hangup_all(t);     /* from the PSTN side: both legs get a BYE */
    raw_callee_bye(&callee);

    log = sc_trunk_log(t);
    CHECK_CONTAINS(log, "a call from the PSTN to an account not registered");
    CHECK_CONTAINS(log, "a call from the PSTN needs an SDP offer");
    CHECK_CONTAINS(log, "relayed to the registered Contact");
    CHECK_CONTAINS(log, "the callee refused");
    sc_free(log);
    check_log_clean(t);
    close(callee.fd);
    close(caller.fd);
    sc_trunk_free(t);   /* must not crash with the caller's leg unanswered */
}

SC_TEST_MAIN(TEST(digest_matches_rfc2617), TEST(start_stop_and_arguments), TEST(raw_registrar),
             TEST(pstn_calls))
