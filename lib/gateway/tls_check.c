/* The shadow TLS handshake of tls_check.h. The worker thread owns a copy of
 * everything it needs; its verdict comes back to the stack's context. The
 * job is shared (reference counted) by the worker and the gateway: a new
 * attempt, or the gateway's end (and so the session's), cancels it there, on
 * the stack thread, where the verdict is read too: no lock needed. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "registration_priv.h"
#include "tls_check.h"
#include "error_priv.h"
#include "free_all.h"

#define SC_TLS_CHECK_TIMEOUT_MS 5000

struct sc_tls_job {
    sc_reg *r;                  /* NULL once cancelled (stack thread only) */
    GMainContext *ctx;          /* the stack's, referenced */
    char *gateway;
    char *host, *port, *cafile;
    char *failure;              /* verification error, NULL when verified or undecided */
    sc_tls_verdict_fn verdict;  /* registration decides what a failure means */
};
typedef struct sc_tls_job tls_job;

static void job_clear(tls_job *j)
{
    g_main_context_unref(j->ctx);
    SC_FREE_ALL(j->gateway, j->host, j->port, j->cafile, j->failure);
}

static void job_unref(gpointer j)
{
    g_atomic_rc_box_release_full(j, (GDestroyNotify)job_clear);
}

/* A TCP connection within the timeout, or -1. */
static int connect_bounded(const char *host, const char *port)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
    int fd = -1;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        struct pollfd p;
        int err = 0;
        socklen_t len = sizeof err;
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) goto next;
        p = (struct pollfd){ .fd = fd, .events = POLLOUT };
        if (poll(&p, 1, SC_TLS_CHECK_TIMEOUT_MS) != 1) goto next;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) goto next;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        {
            struct timeval tv = { SC_TLS_CHECK_TIMEOUT_MS / 1000, 0 };
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        }
        break;
next:
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Handshake with verification; sets j->failure only for a certificate that
 * does not verify (anything else is Sofia's to report). */
static void check(tls_job *j)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    int fd = -1;
    if (!ctx) return;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (j->cafile) {
        if (SSL_CTX_load_verify_locations(ctx, j->cafile, NULL) != 1) goto out;
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        goto out;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if ((fd = connect_bounded(j->host, j->port)) < 0) goto out;
    if (!(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1) goto out;
    if (SSL_connect(ssl) != 1) {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK)
            j->failure = g_strdup_printf("TLS: the certificate of %s:%s does not verify: %s (%ld)", j->host,
                                         j->port, X509_verify_cert_error_string(v), v);
    }
out:
    if (ssl) SSL_free(ssl);
    if (fd >= 0) close(fd);
    SSL_CTX_free(ctx);
}

static gboolean deliver(gpointer p)
{
    tls_job *j = p;
    sc_reg *r = j->r;
    if (!j->failure) return G_SOURCE_REMOVE;
    sc_log(SC_LOG_INFO, "gateway %s: %s", j->gateway, j->failure);
    if (r) j->verdict(r, j->failure);
    return G_SOURCE_REMOVE;
}

static gpointer worker(gpointer p)
{
    tls_job *j = p;
    check(j);
    g_main_context_invoke_full(j->ctx, G_PRIORITY_DEFAULT, deliver, j, job_unref);
    return NULL;
}

void sc_tls_check_cancel(sc_reg *r)
{
    if (!r->tls_job) return;
    r->tls_job->r = NULL;
    job_unref(g_steal_pointer(&r->tls_job));
}

void sc_tls_check_start(sc_reg *r, sc_tls_verdict_fn verdict)
{
    const char *hop = r->gw->register_proxy && *r->gw->register_proxy ? r->gw->register_proxy
                                                                       : sc_gw_proxy(r->gw);
    char *hp, *colon;
    tls_job *j;
    GThread *t;
    sc_tls_check_cancel(r);  /* a new attempt: the old verdict no longer applies */
    if (r->gw->register_transport != SC_TRANSPORT_TLS || !r->s->tls_verify || !r->s->tls_dir) return;
    j = g_atomic_rc_box_new0(tls_job);
    j->r = r;
    j->ctx = g_main_context_ref(r->s->ctx);
    j->verdict = verdict;
    j->gateway = g_strdup(r->gw->name);
    hp = sc_sip_hostport(hop, NULL);
    colon = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
    if (colon && hp[0] == '[') colon++;
    if (colon && (hp[0] == '[' || !strchr(hp, ':') || colon == strchr(hp, ':'))) {
        j->port = g_strdup(colon + 1);
        *colon = '\0';
    } else {
        j->port = g_strdup("5061");
    }
    if (hp[0] == '[') {
        size_t n = strlen(hp);
        if (n >= 2 && hp[n - 1] == ']') hp[n - 1] = '\0';
        j->host = g_strdup(hp + 1);
    } else {
        j->host = g_strdup(hp);
    }
    g_free(hp);
    j->cafile = g_build_filename(r->s->tls_dir, "cafile.pem", NULL);
    if (!g_file_test(j->cafile, G_FILE_TEST_EXISTS)) g_clear_pointer(&j->cafile, g_free);
    r->tls_job = g_atomic_rc_box_acquire(j);  /* the gateway's reference; the worker has the first */
    t = g_thread_try_new("sc-tls-check", worker, j, NULL);
    if (t) g_thread_unref(t);
    else job_unref(j);
}
