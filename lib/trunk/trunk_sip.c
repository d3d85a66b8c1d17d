/* The loopback trunk's SIP side, on the trunk thread: a registrar with digest
 * authentication, a "PSTN" that answers dial-outs by the number's last digit,
 * inbound calls to registered Contacts, faults, and the log of it all.
 *
 * Handles: a REGISTER's handle is answered and destroyed at once; every
 * INVITE dialog (either way) is a trunk_call bound to its handle, destroyed
 * on nua_callstate_terminated (the last event Sofia sends for it). */
#include <stdlib.h>
#include <string.h>

#include "trunk_int.h"   /* first: it sets Sofia's magic types */
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/url.h>

#include "addr.h"
#include "error_priv.h"
#include "free_all.h"
#include "json.h"

/* Contacts remembered for the 423 fault before the set starts over. */
#define SC_TRUNK_INTERVAL_MEMORY 1024

typedef struct settings {
    int fault, param, expires, ring, nonce_ttl;
} settings;

static settings get_settings(sc_trunk *t)
{
    settings s;
    g_mutex_lock(&t->lock);
    s.fault = t->fault;
    s.param = t->fault_param;
    s.expires = t->expires;
    s.ring = t->ring_seconds;
    s.nonce_ttl = t->nonce_ttl_s;
    g_mutex_unlock(&t->lock);
    return s;
}

static void bump(sc_trunk *t, int *counter, int by)
{
    g_mutex_lock(&t->lock);
    *counter += by;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
}

static gint64 now_s(void)
{
    return g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* ------------------------------------------------------------------ */
/* Log entries: JSON members, wrapped and numbered by sc_trunk_log_push().
 * Nothing from Authorization headers goes in: no password can leak, and
 * digest responses stay out as well. */

static GString *entry_new(const char *event, const char *direction)
{
    GString *b = g_string_new("\"event\":");
    sc_json_append_string(b, event);
    sc_json_append_member(b, "direction", direction);
    return b;
}

static void entry_str(GString *b, const char *key, const char *value)
{
    if (!value) return;
    g_string_append_printf(b, ",\"%s\":", key);
    sc_json_append_string(b, value);
}

static void entry_int(GString *b, const char *key, long long value)
{
    g_string_append_printf(b, ",\"%s\":%lld", key, value);
}

static void entry_answer(GString *b, int status, const char *phrase, const char *note)
{
    entry_int(b, "status", status);
    entry_str(b, "phrase", phrase);
    entry_str(b, "note", note);
}

/* A GLib copy of a string Sofia printed into its own heap (freed here). */
static char *glib_copy(char *sofia_text)
{
    char *copy = g_strdup(sofia_text);
    su_free(NULL, sofia_text);
    return copy;
}

static char *header_text(const sip_header_t *h)
{
    return h ? glib_copy(sip_header_as_string(NULL, h)) : NULL;
}

static char *url_text(const url_t *u)
{
    return u ? glib_copy(url_as_string(NULL, u)) : NULL;
}

/* P-Asserted-Identity is an "extra" header: parsed only when the default
 * message class was extended (the session does that); else it is among the
 * unknown headers. The trunk changes no process-wide parser state. */
static char *pai_text(const sip_t *sip)
{
    const sip_p_asserted_identity_t *pai = sip_p_asserted_identity(sip);
    if (pai) return header_text((const sip_header_t *)pai);
    for (const sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next)
        if (u->un_name && !g_ascii_strcasecmp(u->un_name, "P-Asserted-Identity")) return g_strdup(u->un_value);
    return NULL;
}

static char *source_text(sc_trunk *t)
{
    msg_t *msg = nua_current_request(t->nua);
    su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
    char ip[SC_ADDR_IP_MAX], hostport[SC_ADDR_HOSTPORT_MAX];
    return sc_addr_format(ai ? ai->ai_addr : NULL, ip, hostport) ? g_strdup(hostport) : NULL;
}

/* method, Request-URI, From, To, P-Asserted-Identity, Call-ID, source. */
static void entry_request(GString *b, sc_trunk *t, const sip_t *sip)
{
    char *s;
    if (!sip) return;
    if (sip->sip_request) {
        entry_str(b, "method", sip->sip_request->rq_method_name);
        entry_str(b, "ruri", s = url_text(sip->sip_request->rq_url));
        g_free(s);
    }
    entry_str(b, "from", s = header_text((const sip_header_t *)sip->sip_from));
    g_free(s);
    entry_str(b, "to", s = header_text((const sip_header_t *)sip->sip_to));
    g_free(s);
    entry_str(b, "pai", s = pai_text(sip));
    g_free(s);
    if (sip->sip_call_id) entry_str(b, "call_id", sip->sip_call_id->i_id);
    entry_str(b, "source", s = source_text(t));
    g_free(s);
}

/* ------------------------------------------------------------------ */
/* Authentication
 *
 * Answers given inside the nua callback carry NUTAG_WITH_THIS(): without
 * it nua_respond() to a REGISTER sends nothing at all, and the handle's
 * destroy then answers 500 (nua_registrar.c wants NUTAG_WITH). INVITE
 * answers sent later (the ring timer) find their request without it. */

typedef enum auth_result {
    AUTH_NONE,    /* no credentials for our realm: challenge */
    AUTH_OK,
    AUTH_STALE,   /* right password, old or foreign nonce: challenge with stale=true */
    AUTH_USER,    /* not our account */
    AUTH_WRONG    /* wrong digest: the password is wrong */
} auth_result;

static auth_result check_auth(sc_trunk *t, const msg_auth_t *list, const char *method, int nonce_ttl)
{
    for (const msg_auth_t *au = list; au; au = au->au_next) {
        sc_digest_creds c;
        auth_result r;
        if (!sc_digest_parse(au, &c)) continue;
        if (strcmp(c.realm, t->realm)) {   /* credentials for someone else */
            sc_digest_creds_clear(&c);
            continue;
        }
        if (strcmp(c.username, t->user)) r = AUTH_USER;
        else if (!sc_digest_verify(&c, method, t->password)) r = AUTH_WRONG;
        else if (sc_digest_nonce_check(t->secret, c.nonce, now_s(), nonce_ttl) != SC_NONCE_FRESH) r = AUTH_STALE;
        else r = AUTH_OK;
        sc_digest_creds_clear(&c);
        return r;
    }
    return AUTH_NONE;
}

static void challenge(sc_trunk *t, nua_handle_t *nh, bool proxy, bool stale, GString *e)
{
    char nonce[SC_NONCE_LEN], *value;
    sc_digest_nonce(t->secret, now_s(), ++t->nonce_serial, nonce);
    value = sc_digest_challenge(t->realm, nonce, stale);
    if (proxy) {
        nua_respond(nh, SIP_407_PROXY_AUTH_REQUIRED, NUTAG_WITH_THIS(t->nua), SIPTAG_PROXY_AUTHENTICATE_STR(value),
                    TAG_END());
        entry_answer(e, 407, sip_407_Proxy_auth_required, stale ? "stale nonce: challenged again" : "challenged");
    } else {
        nua_respond(nh, SIP_401_UNAUTHORIZED, NUTAG_WITH_THIS(t->nua), SIPTAG_WWW_AUTHENTICATE_STR(value), TAG_END());
        entry_answer(e, 401, sip_401_Unauthorized, stale ? "stale nonce: challenged again" : "challenged");
    }
    g_free(value);
}

static void respond_unavailable(sc_trunk *t, nua_handle_t *nh, int retry_after, GString *e)
{
    char ra[16];
    g_snprintf(ra, sizeof ra, "%d", retry_after);
    nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(t->nua),
                TAG_IF(retry_after > 0, SIPTAG_RETRY_AFTER_STR(ra)), TAG_END());
    entry_answer(e, 503, sip_503_Service_unavailable, "fault unavailable");
    if (retry_after > 0) entry_int(e, "retry_after", retry_after);
}

/* Keeps a request unanswered (the silent fault) until the trunk stops. */
static void park(sc_trunk *t, nua_handle_t *nh)
{
    g_queue_push_tail(&t->parked, nh);
    while (t->parked.length > SC_TRUNK_PARKED_MAX) nua_handle_destroy(g_queue_pop_head(&t->parked));
}

/* ------------------------------------------------------------------ */
/* Registrar */

/* The binding of aor, forgetting it when it has lapsed. Under lock. */
static trunk_binding *binding_get(sc_trunk *t, const char *aor)
{
    trunk_binding *b = g_hash_table_lookup(t->bindings, aor);
    if (b && b->expires_at <= g_get_monotonic_time()) {
        g_hash_table_remove(t->bindings, aor);
        b = NULL;
    }
    return b;
}

static long contact_expiry(const sip_t *sip, const sip_contact_t *m)
{
    if (m && m->m_expires) return strtol(m->m_expires, NULL, 10);
    if (sip->sip_expires) return (long)sip->sip_expires->ex_delta;
    return 3600;
}

/* The 423 fault: the first REGISTER of each Contact since the fault was set
 * is refused, and so is any asking less than Min-Expires; the client's retry
 * with Min-Expires is accepted. Keyed by Contact, not Call-ID: Sofia's
 * nua_method() client sends its 423 retry with a new Call-ID. Never for an
 * un-REGISTER. */
static bool interval_due(sc_trunk *t, const sip_t *sip, int min_expires)
{
    const sip_contact_t *m = sip->sip_contact;
    char *contact;
    long asked;
    bool due;
    if (!m || m->m_url->url_type == url_any) return false;
    asked = contact_expiry(sip, m);
    if (asked <= 0) return false;
    contact = url_text(m->m_url);
    g_mutex_lock(&t->lock);
    due = !g_hash_table_contains(t->interval_done, contact) || asked < min_expires;
    if (due) {
        if (g_hash_table_size(t->interval_done) >= SC_TRUNK_INTERVAL_MEMORY) g_hash_table_remove_all(t->interval_done);
        g_hash_table_add(t->interval_done, contact);
        contact = NULL;
    }
    g_mutex_unlock(&t->lock);
    g_free(contact);
    return due;
}

/* Applies an authenticated REGISTER and answers it 200 (or 400). Returns
 * true when the AOR is left without a binding (an un-REGISTER). */
static bool registrar_apply(sc_trunk *t, nua_handle_t *nh, const sip_t *sip, int max_expires, GString *e)
{
    const char *aor = sip->sip_to && sip->sip_to->a_url->url_user ? sip->sip_to->a_url->url_user : t->user;
    const sip_contact_t *m = sip->sip_contact;
    const char *note = "query";
    char *reply_contact = NULL, expires_text[16];
    trunk_binding *b;
    int expires = 0;

    entry_str(e, "aor", aor);
    if (m && m->m_url->url_type == url_any &&
        (m->m_next || !sip->sip_expires || sip->sip_expires->ex_delta != 0)) {
        /* RFC 3261 10.3 step 6 */
        nua_respond(nh, SIP_400_BAD_REQUEST, NUTAG_WITH_THIS(t->nua), TAG_END());
        entry_answer(e, 400, sip_400_Bad_request, "Contact: * needs Expires: 0 and no other Contact");
        return false;
    }
    g_mutex_lock(&t->lock);
    if (m && m->m_url->url_type == url_any) {
        g_hash_table_remove(t->bindings, aor);
        note = "unregistered (all)";
    } else {
        for (; m; m = m->m_next) {
            long asked = contact_expiry(sip, m);
            char *uri = url_text(m->m_url);
            b = binding_get(t, aor);
            if (asked <= 0) {
                if (b && !strcmp(b->contact, uri)) g_hash_table_remove(t->bindings, aor);
                note = "unregistered";
                g_free(uri);
            } else {
                trunk_binding *fresh = g_new0(trunk_binding, 1);
                /* A registrar may shorten the lifetime, never lengthen it. */
                fresh->granted = asked < max_expires ? (int)asked : max_expires;
                fresh->expires_at = g_get_monotonic_time() + (gint64)fresh->granted * G_USEC_PER_SEC;
                fresh->contact = uri;
                g_hash_table_replace(t->bindings, g_strdup(aor), fresh);
                note = "registered";
            }
        }
    }
    b = binding_get(t, aor);
    if (b) {
        gint64 left = (b->expires_at - g_get_monotonic_time() + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;
        expires = (int)MAX(left, 1);
        reply_contact = g_strdup_printf("<%s>;expires=%d", b->contact, expires);
        entry_str(e, "contact", b->contact);
    }
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);

    g_snprintf(expires_text, sizeof expires_text, "%d", expires);
    nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(t->nua),
                TAG_IF(reply_contact, SIPTAG_CONTACT_STR(reply_contact)),
                SIPTAG_EXPIRES_STR(expires_text),
                TAG_END());
    entry_int(e, "expires", expires);
    entry_answer(e, 200, sip_200_OK, note);
    g_free(reply_contact);
    return expires == 0 && strcmp(note, "query");
}

typedef enum reg_outcome {
    REG_KEEP,     /* keep the handle for the client's next REGISTER */
    REG_DONE,     /* the registration is over (or the trunk stops): drop it */
    REG_SILENT    /* left unanswered */
} reg_outcome;

static reg_outcome on_register(sc_trunk *t, nua_handle_t *nh, const sip_t *sip)
{
    settings s = get_settings(t);
    reg_outcome out = REG_KEEP;
    GString *e = entry_new("register", "in");
    entry_request(e, t, sip);
    bump(t, &t->n_register, 1);
    if (t->stopping) {
        nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, NUTAG_WITH_THIS(t->nua), TAG_END());
        entry_answer(e, 503, sip_503_Service_unavailable, "stopping");
        out = REG_DONE;
    } else if (s.fault == SC_TRUNK_FAULT_SILENT) {
        entry_answer(e, 0, NULL, "fault silent: no answer");
        out = REG_SILENT;
    } else if (s.fault == SC_TRUNK_FAULT_UNAVAILABLE) {
        respond_unavailable(t, nh, s.param, e);
    } else {
        switch (check_auth(t, sip->sip_authorization, "REGISTER", s.nonce_ttl)) {
        case AUTH_NONE:
            challenge(t, nh, false, false, e);
            break;
        case AUTH_STALE:
            challenge(t, nh, false, true, e);
            break;
        case AUTH_USER:
            nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(t->nua), TAG_END());
            entry_answer(e, 403, sip_403_Forbidden, "unknown user");
            break;
        case AUTH_WRONG:
            nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(t->nua), TAG_END());
            entry_answer(e, 403, sip_403_Forbidden, "wrong password");
            break;
        case AUTH_OK:
            if (s.fault == SC_TRUNK_FAULT_WRONG_PASSWORD) {
                nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(t->nua), TAG_END());
                entry_answer(e, 403, sip_403_Forbidden, "fault wrong-password");
            } else if (s.fault == SC_TRUNK_FAULT_INTERVAL && interval_due(t, sip, s.param)) {
                char min[16];
                g_snprintf(min, sizeof min, "%d", s.param);
                nua_respond(nh, SIP_423_INTERVAL_TOO_BRIEF, NUTAG_WITH_THIS(t->nua), SIPTAG_MIN_EXPIRES_STR(min),
                            TAG_END());
                entry_answer(e, 423, sip_423_Interval_too_brief, "fault interval");
                entry_int(e, "min_expires", s.param);
            } else if (registrar_apply(t, nh, sip, s.expires, e)) {
                out = REG_DONE;
            }
            break;
        }
    }
    sc_trunk_log_push(t, e);
    return out;
}

/* ------------------------------------------------------------------ */
/* REGISTER handles (see trunk_reg in trunk_int.h) */

static void reg_forget(sc_trunk *t, trunk_reg *r)
{
    g_hash_table_remove(t->reg_handles, r->call_id);
    /* nua_respond() was queued before this destroy: the answer goes out. */
    nua_handle_bind(r->nh, NULL);
    nua_handle_destroy(r->nh);
    g_free(r->call_id);
    g_free(r);
}

static void reg_keep(sc_trunk *t, nua_handle_t *nh, const char *call_id)
{
    trunk_reg *old = g_hash_table_lookup(t->reg_handles, call_id), *r;
    if (old && old->nh == nh) return;
    if (old) reg_forget(t, old);
    if (g_hash_table_size(t->reg_handles) >= SC_TRUNK_REG_HANDLES_MAX) {
        GHashTableIter it;
        gpointer victim;
        g_hash_table_iter_init(&it, t->reg_handles);
        if (g_hash_table_iter_next(&it, NULL, &victim)) reg_forget(t, victim);
    }
    r = g_new0(trunk_reg, 1);
    r->kind = TH_REGISTER;
    r->nh = nh;
    r->call_id = g_strdup(call_id);
    g_hash_table_insert(t->reg_handles, r->call_id, r);
    nua_handle_bind(nh, (trunk_call *)(void *)r);
}

/* A REGISTER on a new handle (bound == NULL), on a kept one, or (oddly) in
 * a call's dialog. */
static void on_register_event(sc_trunk *t, nua_handle_t *nh, trunk_call *bound, const sip_t *sip)
{
    trunk_reg *kept = bound && bound->kind == TH_REGISTER ? (trunk_reg *)(void *)bound : NULL;
    const char *call_id = sip->sip_call_id ? sip->sip_call_id->i_id : "";
    reg_outcome out = on_register(t, nh, sip);
    if (bound && !kept) return;          /* a call's handle stays the call's */
    if (out == REG_DONE) {
        if (kept) reg_forget(t, kept);
        else nua_handle_destroy(nh);
    } else if (out == REG_SILENT && !kept) {
        park(t, nh);
    } else if (out == REG_KEEP) {
        reg_keep(t, nh, call_id);
    }
}

/* ------------------------------------------------------------------ */
/* Calls */

static trunk_call *call_new(sc_trunk *t, bool placed)
{
    trunk_call *c = g_new0(trunk_call, 1);
    c->kind = TH_CALL;
    c->t = t;
    c->placed = placed;
    t->calls = g_list_prepend(t->calls, c);
    bump(t, &t->n_calls, 1);
    return c;
}

static void set_live(trunk_call *c)
{
    if (c->live) return;
    c->live = true;
    bump(c->t, &c->t->n_active, 1);
}

/* Forgets a call: its timer, its handle, its counts. No SIP. */
static void call_free(trunk_call *c)
{
    sc_trunk *t = c->t;
    if (c->ring_timer) {
        g_source_destroy(c->ring_timer);
        g_source_unref(c->ring_timer);
    }
    if (c->peer) c->peer->peer = NULL;
    t->calls = g_list_remove(t->calls, c);
    g_mutex_lock(&t->lock);
    t->n_calls--;
    if (c->live) t->n_active--;
    g_cond_broadcast(&t->cond);
    g_mutex_unlock(&t->lock);
    if (c->nh) {
        nua_handle_bind(c->nh, NULL);
        nua_handle_destroy(c->nh);
    }
    SC_FREE_ALL(c->number, c->ruri, c->from, c->to);
    g_free(c);
}

static GString *call_entry(trunk_call *c, const char *event, const char *direction)
{
    GString *e = entry_new(event, direction);
    entry_str(e, "number", c->number);
    entry_str(e, "ruri", c->ruri);
    entry_str(e, "from", c->from);
    entry_str(e, "to", c->to);
    return e;
}

static gboolean ring_done(gpointer p)
{
    trunk_call *c = p;
    GString *e;
    g_source_unref(c->ring_timer);
    c->ring_timer = NULL;
    if (c->state != TC_RINGING || c->hanging_up) return G_SOURCE_REMOVE;
    nua_respond(c->nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(c->t->sdp),
                TAG_END());
    c->state = TC_UP;
    bump(c->t, &c->t->n_answered, 1);
    e = call_entry(c, "answer", "out");
    entry_answer(e, 200, sip_200_OK, "the PSTN answered");
    sc_trunk_log_push(c->t, e);
    return G_SOURCE_REMOVE;
}

/* A final failure for an INVITE we serve. */
static void call_reject(trunk_call *c, int status, const char *phrase, const char *note, GString *e)
{
    nua_respond(c->nh, status, phrase, TAG_END());
    c->state = TC_ENDED;
    entry_answer(e, status, phrase, note);
}

/* The PSTN's behaviour by the last digit of the number dialled. */
static void pstn_answer(trunk_call *c, int ring_seconds, GString *e)
{
    size_t n = strlen(c->number);
    char last = n ? c->number[n - 1] : '\0';
    char note[64];
    if (last >= '0' && last <= '5') {
        nua_respond(c->nh, SIP_180_RINGING, TAG_END());
        c->state = TC_RINGING;
        set_live(c);
        c->ring_timer = g_timeout_source_new((guint)ring_seconds * 1000);
        g_source_set_callback(c->ring_timer, ring_done, c, NULL);
        g_source_attach(c->ring_timer, c->t->ctx);
        g_snprintf(note, sizeof note, "rings %d s, then answers", ring_seconds);
        entry_answer(e, 180, sip_180_Ringing, note);
    } else if (last == '7') {
        nua_respond(c->nh, SIP_180_RINGING, TAG_END());
        c->state = TC_RINGING;
        set_live(c);
        entry_answer(e, 180, sip_180_Ringing, "rings until cancelled");
    } else if (last == '6') {
        call_reject(c, SIP_486_BUSY_HERE, "busy", e);
    } else if (last == '9') {
        call_reject(c, SIP_484_ADDRESS_INCOMPLETE, "address incomplete", e);
    } else {
        call_reject(c, SIP_404_NOT_FOUND, last == '8' ? "not found" : "no number", e);
    }
}


/* ------------------------------------------------------------------ */
/* Calls from the PSTN: an INVITE to a registered AOR's user (not a
 * dial-out) is relayed, back to back, to the Contact that AOR registered,
 * as sc_trunk_place_call() does: "in" is the caller's leg (we are its UAS),
 * "out" the callee's (we are its UAC). The caller's SDP goes out as it came;
 * 18x and 200 come back with the callee's SDP; BYE, CANCEL and failures are
 * passed on. Only "in" counts in "active"; "answered" counts once. */

static void call_hangup(trunk_call *c, int code, const char *phrase);

/* The Contact of the AOR an INVITE's Request-URI names (its user, or the
 * account's online number), when one is registered (g_free); else NULL,
 * and *account says whether it named the account all the same. */
static char *relay_contact(sc_trunk *t, const char *user, bool *account, const char **aor)
{
    trunk_binding *b;
    char *contact = NULL;
    if (user && (!strcmp(user, SC_TRUNK_ONLINE_NUMBER) || !strcmp(user, "+" SC_TRUNK_ONLINE_NUMBER)))
        user = t->user;   /* the account's online number */
    *account = user && !strcmp(user, t->user);
    if (!user || !*user) return NULL;
    g_mutex_lock(&t->lock);
    b = binding_get(t, user);
    if (b) contact = g_strdup(b->contact);
    g_mutex_unlock(&t->lock);
    if (contact) *account = true;
    *aor = user;
    return contact;
}

static void relay_start(sc_trunk *t, trunk_call *in, const sip_t *sip, char *contact, const char *aor, GString *e)
{
    const char *caller = sip->sip_from && sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user : "anonymous";
    trunk_call *out;
    char *body;

    if (!sip->sip_payload || !sip->sip_payload->pl_len ||
        (sip->sip_content_type && sip->sip_content_type->c_type &&
         g_ascii_strcasecmp(sip->sip_content_type->c_type, "application/sdp"))) {
        call_reject(in, SIP_488_NOT_ACCEPTABLE, "a call from the PSTN needs an SDP offer in its INVITE", e);
        g_free(contact);
        return;
    }
    in->relay = true;
    set_live(in);
    out = call_new(t, true);
    out->relay = true;
    out->peer = in;
    in->peer = out;
    out->number = g_strdup(aor);
    out->ruri = contact;
    out->from = g_strdup_printf("<sip:%s@%s>", caller, t->address);
    out->to = g_strdup_printf("<sip:%s@%s>", aor, t->address);
    body = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    out->nh = nua_handle(t->nua, out, SIPTAG_FROM_STR(out->from), SIPTAG_TO_STR(out->to), TAG_END());
    nua_invite(out->nh, NUTAG_URL(out->ruri), SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(body),
               TAG_END());
    g_free(body);
    entry_str(e, "aor", aor);
    entry_str(e, "contact", out->ruri);
    entry_answer(e, 100, sip_100_Trying, "a call from the PSTN: relayed to the registered Contact");
}

/* An answer on the callee's leg, passed to the caller's. */
static void relay_answer(sc_trunk *t, trunk_call *out, int status, const char *phrase, const sip_t *sip)
{
    trunk_call *in = out->peer;
    char *body = sip && sip->sip_payload && sip->sip_payload->pl_len
                     ? g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len) : NULL;
    GString *e;
    /* nua_respond() keeps the phrase pointer until the answer is sent,
     * after this callback: the callee's own phrase is freed by then. */
    const char *own = sip_status_phrase(status);
    if (status <= 100) {
        g_free(body);
        return;
    }
    if (!own) own = status < 200 ? "Session Progress" : status < 300 ? "OK" : "Call Failed";
    phrase = own;
    if (!in || in->hanging_up || in->state >= TC_UP) {
        /* The caller left (its CANCEL or BYE raced the answer): the callee
         * answered all the same, so it gets a BYE (nua ACKed the 200). */
        if (status < 300 && status >= 200) {
            out->hanging_up = true;
            nua_bye(out->nh, TAG_END());
            e = call_entry(out, "bye", "out");
            entry_str(e, "method", "BYE");
            entry_str(e, "note", "the caller left before the answer");
            sc_trunk_log_push(t, e);
        }
        g_free(body);
        return;
    }
    if (status >= 300) {
        e = call_entry(in, "hangup", "out");
        call_reject(in, status, phrase, "the callee refused", e);
        sc_trunk_log_push(t, e);
    } else if (body) {
        nua_respond(in->nh, status, phrase, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(body),
                    TAG_END());
        in->state = status >= 200 ? TC_UP : TC_RINGING;
    } else if (status < 200) {
        nua_respond(in->nh, status, phrase, TAG_END());
        in->state = TC_RINGING;
    } else {
        /* A 2xx without SDP cannot answer the caller's offer. */
        e = call_entry(in, "hangup", "out");
        call_reject(in, SIP_502_BAD_GATEWAY, "the callee answered without SDP", e);
        sc_trunk_log_push(t, e);
        call_hangup(out, 0, NULL);
    }
    g_free(body);
}

static void on_new_invite(sc_trunk *t, nua_handle_t *nh, const sip_t *sip)
{
    settings s = get_settings(t);
    trunk_call *c = call_new(t, false);
    const url_t *ruri = sip->sip_request->rq_url;
    GString *e = entry_new("invite", "in");
    bool account = false;
    const char *aor = NULL;
    char *contact;

    c->nh = nh;
    nua_handle_bind(nh, c);
    c->number = g_strdup(ruri->url_user ? ruri->url_user : "");
    c->ruri = url_text(ruri);
    c->from = header_text((const sip_header_t *)sip->sip_from);
    c->to = header_text((const sip_header_t *)sip->sip_to);
    entry_request(e, t, sip);
    entry_str(e, "number", c->number);
    bump(t, &t->n_invite, 1);

    if (t->stopping) {
        call_reject(c, SIP_503_SERVICE_UNAVAILABLE, "stopping", e);
    } else if (s.fault == SC_TRUNK_FAULT_SILENT) {
        /* Unanswered (nua has sent 100 Trying): the caller must CANCEL. */
        entry_answer(e, 0, NULL, "fault silent: no answer");
    } else if (s.fault == SC_TRUNK_FAULT_UNAVAILABLE) {
        respond_unavailable(t, nh, s.param, e);
        c->state = TC_ENDED;
    } else if ((contact = relay_contact(t, c->number, &account, &aor))) {
        relay_start(t, c, sip, contact, aor, e);   /* takes contact */
    } else if (account) {
        call_reject(c, SIP_480_TEMPORARILY_UNAVAILABLE, "a call from the PSTN to an account not registered", e);
    } else {
        switch (check_auth(t, sip->sip_proxy_authorization, "INVITE", s.nonce_ttl)) {
        case AUTH_NONE:
            challenge(t, nh, true, false, e);
            c->state = TC_ENDED;
            break;
        case AUTH_STALE:
            challenge(t, nh, true, true, e);
            c->state = TC_ENDED;
            break;
        case AUTH_USER:
            call_reject(c, SIP_403_FORBIDDEN, "unknown user", e);
            break;
        case AUTH_WRONG:
            call_reject(c, SIP_403_FORBIDDEN, "wrong password", e);
            break;
        case AUTH_OK:
            pstn_answer(c, s.ring, e);
            break;
        }
    }
    sc_trunk_log_push(t, e);
}

/* A re-INVITE in an established call: accept it with our SDP again. */
static void on_reinvite(sc_trunk *t, trunk_call *c, nua_handle_t *nh, const sip_t *sip)
{
    GString *e = call_entry(c, "reinvite", "in");
    entry_request(e, t, sip);
    if (c->relay) {
        /* The two legs' SDP is not ours to renegotiate: the call goes on
         * with the media it has. */
        nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
        entry_answer(e, 488, sip_488_Not_acceptable, "re-INVITEs are not relayed");
    } else if (c->state == TC_UP) {
        nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(t->sdp),
                    TAG_END());
        entry_answer(e, 200, sip_200_OK, NULL);
    } else {
        nua_respond(nh, SIP_491_REQUEST_PENDING, TAG_END());
        entry_answer(e, 491, sip_491_Request_pending, NULL);
    }
    sc_trunk_log_push(t, e);
}

int sc_trunk_place_now(sc_trunk *t, const char *user, const char *caller)
{
    trunk_binding *b;
    trunk_call *c;
    char *contact = NULL;
    GString *e;

    if (t->stopping) return sc_fail(SC_ECLOSED, "the trunk is stopping");
    g_mutex_lock(&t->lock);
    b = binding_get(t, user);
    if (b) contact = g_strdup(b->contact);
    g_mutex_unlock(&t->lock);
    if (!contact) return sc_fail(SC_ENOTFOUND, "'%s' is not registered at the trunk %s", user, t->address);

    c = call_new(t, true);
    c->number = g_strdup(user);
    c->ruri = contact;
    c->from = g_strdup_printf("<sip:%s@%s>", caller, t->address);
    c->to = g_strdup_printf("<sip:%s@%s>", user, t->address);
    c->nh = nua_handle(t->nua, c, SIPTAG_FROM_STR(c->from), SIPTAG_TO_STR(c->to), TAG_END());
    /* The Request-URI is the Contact as registered, gw= and transport=
     * included: that is how the callee ties the call to its gateway. */
    nua_invite(c->nh, NUTAG_URL(c->ruri), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(t->sdp), TAG_END());
    set_live(c);
    e = call_entry(c, "place", "out");
    entry_str(e, "method", "INVITE");
    sc_trunk_log_push(t, e);
    return SC_OK;
}

static void call_hangup(trunk_call *c, int code, const char *phrase)
{
    GString *e;
    if (c->hanging_up || c->state == TC_ENDED) return;
    c->hanging_up = true;
    if (c->state == TC_UP) {
        nua_bye(c->nh, TAG_END());
        e = call_entry(c, "bye", "out");
        entry_str(e, "method", "BYE");
    } else if (c->placed) {
        nua_cancel(c->nh, TAG_END());
        e = call_entry(c, "cancel", "out");
        entry_str(e, "method", "CANCEL");
    } else {
        e = call_entry(c, "hangup", "out");
        call_reject(c, code, phrase, "the PSTN hung up", e);
    }
    sc_trunk_log_push(c->t, e);
}

void sc_trunk_hangup_now(sc_trunk *t, int code, const char *phrase)
{
    /* A copy: nothing ends synchronously today, but the list is not ours
     * to walk while calls may leave it. */
    GList *calls = g_list_copy(t->calls);
    for (GList *l = calls; l; l = l->next) call_hangup(l->data, code, phrase);
    g_list_free(calls);
}

void sc_trunk_drop_all(sc_trunk *t)
{
    nua_handle_t *nh;
    while (t->calls) call_free(t->calls->data);
    while ((nh = g_queue_pop_head(&t->parked))) nua_handle_destroy(nh);
    {
        GList *regs = g_hash_table_get_values(t->reg_handles);
        for (GList *l = regs; l; l = l->next) reg_forget(t, l->data);
        g_list_free(regs);
    }
}

static void on_call_event(sc_trunk *t, trunk_call *c, nua_event_t event, int status, const char *phrase,
                          const sip_t *sip, tagi_t tags[])
{
    GString *e;
    int callstate = -1;
    switch (event) {
    case nua_r_invite:
        if (!c->placed) break;
        e = call_entry(c, "progress", "in");
        entry_answer(e, status, phrase, NULL);
        sc_trunk_log_push(t, e);
        if (status >= 180 && status < 200 && c->state == TC_PENDING) c->state = TC_RINGING;
        else if (status >= 200 && status < 300 && c->state != TC_UP) {
            c->state = TC_UP;
            bump(t, &t->n_answered, 1);
        } else if (status >= 300) {
            c->state = TC_ENDED;
        }
        if (c->relay) relay_answer(t, c, status, phrase, sip);
        break;
    case nua_i_bye:
    case nua_i_cancel:
        /* nua answers both itself (200, and 487 to the INVITE). */
        e = call_entry(c, event == nua_i_bye ? "bye" : "cancel", "in");
        entry_request(e, t, sip);
        entry_answer(e, 200, sip_200_OK, NULL);
        sc_trunk_log_push(t, e);
        c->hanging_up = true;
        if (c->peer) call_hangup(c->peer, SIP_487_REQUEST_TERMINATED);
        break;
    case nua_r_bye:
    case nua_r_cancel:
        if (status < 200) break;
        e = call_entry(c, event == nua_r_bye ? "bye" : "cancel", "out");
        entry_str(e, "method", event == nua_r_bye ? "BYE" : "CANCEL");
        entry_answer(e, status, phrase, "answer received");
        sc_trunk_log_push(t, e);
        break;
    case nua_i_state:
        tl_gets(tags, NUTAG_CALLSTATE_REF(callstate), TAG_END());
        if (callstate == nua_callstate_ready && c->state != TC_UP) {
            c->state = TC_UP;
            if (c->placed) bump(t, &t->n_answered, 1);
        } else if (callstate == nua_callstate_terminated) {
            if (c->peer && !c->peer->hanging_up && c->peer->state != TC_ENDED)
                call_hangup(c->peer, SIP_480_TEMPORARILY_UNAVAILABLE);
            if (c->live) {   /* challenged and refused INVITEs are no calls */
                e = call_entry(c, "end", c->placed ? "out" : "in");
                entry_int(e, "status", status);
                entry_str(e, "phrase", phrase);
                sc_trunk_log_push(t, e);
            }
            call_free(c);    /* last: c is gone */
        }
        break;
    default:
        break;
    }
}

void sc_trunk_nua_cb(nua_event_t event, int status, char const *phrase, nua_t *nua, sc_trunk *t,
                     nua_handle_t *nh, trunk_call *c, sip_t const *sip, tagi_t tags[])
{
    (void)nua;
    switch (event) {
    case nua_r_shutdown:
        if (status >= 200) {
            g_mutex_lock(&t->lock);
            t->shutdown_done = true;
            g_cond_broadcast(&t->cond);
            g_mutex_unlock(&t->lock);
        }
        return;
    case nua_i_register:
        if (sip && sip->sip_request) on_register_event(t, nh, c, sip);
        else if (!c) nua_handle_destroy(nh);
        return;
    case nua_i_invite:
        if (c && c->kind == TH_CALL) on_reinvite(t, c, nh, sip);
        else if (c) nua_respond(nh, SIP_403_FORBIDDEN, NUTAG_WITH_THIS(t->nua), TAG_END());
        else if (sip && sip->sip_request) on_new_invite(t, nh, sip);
        else nua_handle_destroy(nh);
        return;
    default:
        break;
    }
    if (c && c->kind == TH_CALL) on_call_event(t, c, event, status, phrase, sip, tags);
}
