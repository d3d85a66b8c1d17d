/* Dialling out through a gateway, and the session's call settings.
 *
 * Nothing leaves the machine before the number has passed the gateway's dial
 * rule, the emergency-number refusal and the channel count.
 *
 * From a thread other than the stack's, a dial that passes these checks
 * there (read under the session lock: the gateway's rule, status and
 * channels) gets its call object at once and the INVITE is posted to the
 * stack thread, which checks again. A dial that would be refused there is
 * decided by the stack thread and waited for, so that a refusal is the same
 * status, text and dial_refused event as ever. On the stack's own thread
 * (an event callback) a dial runs at once. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_extra.h>

#include "calls_priv.h"
#include "registration_priv.h"
#include "error_priv.h"
#include "free_all.h"
#include "skypeconnect/sc_dialrule.h"
#include "sip_text.h"
#include "digest_client.h"
#include "dialrule_int.h"
#include "gateway_rule.h"


static sc_reg *find_reg(sc_session *s, const char *name)
{
    for (guint i = 0; i < s->regs->len; i++)
        if (!strcmp(sc_reg_name(s->regs->pdata[i]), name)) return s->regs->pdata[i];
    return NULL;
}

/* The gateway's own rule, built once (NULL when it has none: dial-out is
 * then refused), by whichever thread dials first: under the session lock,
 * which the caller holds. The session validated the gateway when it was
 * added, so a failure here is a bug; it refuses the call rather than
 * falling back to any rule. */
static int gateway_rule_locked(sc_reg *r, const sc_dialrule **out)
{
    if (!r->dialrule_built) {
        if (sc_gw_rule_build(r->gw, false, &r->dialrule, NULL) != SC_OK) return SC_ECONFIG;
        r->dialrule_built = true;
    }
    *out = r->dialrule;
    return SC_OK;
}

int sc_dial_gateway_rule(sc_reg *r, const sc_dialrule **out)
{
    int rc;
    g_mutex_lock(&r->s->lock);
    rc = gateway_rule_locked(r, out);
    g_mutex_unlock(&r->s->lock);
    return rc;
}

/* Tells the application (dial_refused) and fails the dial with rc. */
static int refuse(dial_op *op, int rc, int refusal, const char *message)
{
    sc_event *ev = sc_event_new(SC_EVENT_DIAL_REFUSED, op->gateway);
    op->refusal = refusal;
    sc_event_set_text(&ev->number, op->number);
    sc_event_set_text(&ev->refusal, sc_dial_refusal_name(refusal));
    sc_event_set_text(&ev->message, message);
    sc_session_emit(op->s, ev);
    sc_log(SC_LOG_INFO, "dial-out refused: %s", message);
    return sc_fail(rc, "%s", message);
}

static bool caller_number_ok(const char *n)
{
    if (!n || !*n) return true;
    if (*n == '+') n++;
    if (!*n || strlen(n) > SC_DIAL_MAX_DIGITS) return false;
    for (; *n; n++)
        if (*n < '0' || *n > '9') return false;
    return true;
}

static bool display_name_ok(const char *n)
{
    if (!n) return true;
    for (const unsigned char *p = (const unsigned char *)n; *p; p++)
        if (*p < 0x20 || *p == '"' || *p == '\\' || *p == 0x7f) return false;
    return strlen(n) <= 64;
}

/* @p wire: the Request-URI's user part, checked (sc_gw_rule_wire()). */
/* The call object, with its SDP: the application's, or the library's offer.
 * A call that cannot have the media asked for is not made (no SIP at all). */
static int new_call(dial_op *op, sc_reg *r, sc_call **out)
{
    /* the reference the session's table will take */
    sc_call *c = op->made ? sc_call_ref(op->made) : sc_call_new(op->s, SC_CALL_OUTBOUND, sc_reg_name(r));
    int rc = SC_OK;
    /* a posted dial's own copy goes to the call as it is (op->sdp is not read again) */
    c->local_sdp = !(op->sdp && *op->sdp) ? NULL : op->sdp_copy ? g_steal_pointer(&op->sdp_copy) : g_strdup(op->sdp);
    if (op->media && (rc = sc_call_media_offer(c, &c->local_sdp))) {
        if (!op->made) sc_call_detach_session(c);   /* a made call is ended by its poster */
        sc_call_unref(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

/* The texts a dial-out's call shows, set before it is published: on the
 * stack thread, or on the dialling thread for a posted dial. */
static void set_call_texts(sc_call *c, const dial_op *op, sc_reg *r, const char *wire)
{
    const char *caller = op->caller_number && *op->caller_number ? op->caller_number : sc_gw_from_user(r->gw);
    if (c->destination) return;
    sc_call_take_session_timers(c, r->gw);
    c->destination = g_strdup(op->number);
    c->caller_number = g_strdup(caller);
    c->caller_name = g_strdup(op->caller_name ? op->caller_name : "");
    c->to = g_strconcat("<sip:", wire, "@", r->sip.proxy_host, ">", NULL);
}

/* From, and with caller-id-in-from false (Skype Connect: the SIP username
 * in From, the caller in PAI and RPID) P-Asserted-Identity and
 * Remote-Party-ID. A dial with the gateway's own caller and no name uses the
 * texts the gateway built once (sip_text.c); own[] holds what was built
 * here. */
typedef struct caller_texts {
    const char *from, *pai, *rpid;
    char *own_from, *own_pai, *own_rpid;
} caller_texts;

static void caller_texts_make(const dial_op *op, const sc_reg *r, caller_texts *t)
{
    const sc_gateway *gw = r->gw;
    bool own_caller = !(op->caller_number && *op->caller_number);
    const char *caller = own_caller ? sc_gw_from_user(gw) : op->caller_number;
    char *from_domain, *name_part;
    memset(t, 0, sizeof *t);
    if (own_caller && !(op->caller_name && *op->caller_name)) {
        t->from = r->sip.from;
        if (!gw->caller_id_in_from) {
            t->pai = r->sip.from;
            t->rpid = r->sip.from_rpid;
        }
        return;
    }
    /* g_strconcat, not g_strdup_printf: printf's machinery for plain
     * concatenation was a tenth of the library's own cost per dial-out. */
    from_domain = sc_sip_hostport(sc_gw_from_domain(gw), NULL);
    name_part = op->caller_name && *op->caller_name ? g_strconcat("\"", op->caller_name, "\" ", NULL)
                                                    : g_strdup("");
    if (gw->caller_id_in_from) {
        t->own_from = g_strconcat(name_part, "<sip:", caller, "@", from_domain, ">", NULL);
    } else {
        t->own_from = g_strconcat(name_part, "<sip:", sc_gw_from_user(gw), "@", from_domain, ">", NULL);
        t->own_pai = g_strconcat(name_part, "<sip:", caller, "@", from_domain, ">", NULL);
        t->own_rpid = g_strconcat(t->own_pai, SC_RPID_PARAMS, NULL);
    }
    t->from = t->own_from;
    t->pai = t->own_pai;
    t->rpid = t->own_rpid;
    g_free(name_part);
    g_free(from_domain);
}

/* The dial-out's INVITE, on a new handle, from the parts the call keeps: the
 * first one, or the same again with `authorization` (a header line answering
 * the trunk's challenge) and the first one's Call-ID. No restarts by Sofia
 * (SC_CALL_NO_RESTARTS, in the INVITE's own tags: they set its handle's
 * parameters as it is sent): a redirect is the call's final answer. */
static void invite_on_new_handle(sc_call *c, const char *call_id, const char *authorization)
{
    /* Only the tags that say something: Sofia filters every tag it is given,
     * a skipped TAG_IF() included, several times over (nua_handle() alone
     * about 1,000 instructions per tag and dial-out). */
    tagi_t handle_tags[4], invite_tags[11 + SC_CALL_SESSION_TIMER_TAGS];
    int h = 0, i = 0;
    handle_tags[h++] = (tagi_t){ SIPTAG_TO_STR(c->to) };
    handle_tags[h++] = (tagi_t){ SIPTAG_FROM_STR(c->inv_from) };
    if (call_id) handle_tags[h++] = (tagi_t){ SIPTAG_CALL_ID_STR(call_id) };
    handle_tags[h] = (tagi_t){ TAG_END() };
    invite_tags[i++] = (tagi_t){ SC_CALL_NO_RESTARTS };
    invite_tags[i++] = (tagi_t){ NUTAG_URL(c->inv_ruri) };
    /* The outbound proxy in the request's own tags: they reach Sofia's
     * transaction (nta_outgoing_mcreate) as they are. Given to nua_handle(),
     * Debian's Sofia 1.12.11 kept it and sent the INVITE to the Request-URI's
     * host all the same (seen: the outbound-proxy was never used). */
    if (c->inv_proxy) invite_tags[i++] = (tagi_t){ NUTAG_PROXY(c->inv_proxy) };
    invite_tags[i++] = (tagi_t){ SIPTAG_CONTACT_STR(c->inv_contact) };
    if (c->inv_pai) invite_tags[i++] = (tagi_t){ SIPTAG_P_ASSERTED_IDENTITY_STR(c->inv_pai) };
    if (c->inv_rpid) invite_tags[i++] = (tagi_t){ SIPTAG_REMOTE_PARTY_ID_STR(c->inv_rpid) };
    if (c->local_sdp) {
        invite_tags[i++] = (tagi_t){ SIPTAG_CONTENT_TYPE_STR("application/sdp") };
        invite_tags[i++] = (tagi_t){ SIPTAG_PAYLOAD_STR(c->local_sdp) };
    }
    i += sc_call_session_timer_tags(c, invite_tags + i);
    if (authorization) invite_tags[i++] = (tagi_t){ SIPTAG_HEADER_STR(authorization) };
    invite_tags[i] = (tagi_t){ TAG_END() };
    c->nh = nua_handle(c->nua, c, TAG_NEXT(handle_tags));
    nua_invite(c->nh, TAG_NEXT(invite_tags));
}

/* Keeps the INVITE's parts for a send anew (a challenge answered), in one
 * block: one allocation per dial-out where one per part was a tenth of the
 * library's own. Each part is the concatenation of its pieces (a
 * NULL-terminated list); a NULL part stays NULL. In the order of the call's
 * fields: Request-URI, proxy, From, PAI, RPID, Contact. */
static void keep_invite_parts(sc_call *c, const char *const *parts[6])
{
    const char **dst[] = { &c->inv_ruri, &c->inv_proxy, &c->inv_from, &c->inv_pai, &c->inv_rpid, &c->inv_contact };
    size_t total = 0;
    char *p;
    for (size_t i = 0; i < G_N_ELEMENTS(dst); i++)
        for (const char *const *piece = parts[i]; piece && *piece; piece++) total += strlen(*piece);
    p = c->inv_parts = g_malloc(total + G_N_ELEMENTS(dst));
    for (size_t i = 0; i < G_N_ELEMENTS(dst); i++) {
        *dst[i] = parts[i] ? p : NULL;
        if (!parts[i]) continue;
        for (const char *const *piece = parts[i]; *piece; piece++) {
            size_t n = strlen(*piece);
            memcpy(p, *piece, n);
            p += n;
        }
        *p++ = '\0';
    }
}

/* One piece, or NULL for no part. */
#define ONE_PIECE(s) ((s) ? (const char *const[]){ (s), NULL } : NULL)

static void send_invite(dial_op *op, sc_reg *r, const char *wire, sc_call *c)
{
    const sc_gateway *gw = r->gw;
    char *outbound = NULL;
    const char *tp = gw->register_transport == SC_TRANSPORT_UDP ? "" : sc_transport_name(gw->register_transport);
    const char *ruri[] = { "sip:", wire, "@", r->sip.proxy_host, *tp ? ";transport=" : "", tp, NULL };
    caller_texts ct;

    set_call_texts(c, op, r, wire);
    caller_texts_make(op, r, &ct);
    if (gw->outbound_proxy && *gw->outbound_proxy) {
        char *params = NULL, *hp = sc_sip_hostport(gw->outbound_proxy, &params);
        bool add_tp = *tp && !(params && strstr(params, "transport="));
        outbound = g_strdup_printf("sip:%s%s%s%s%s", hp, params ? ";" : "", params ? params : "",
                                   add_tp ? ";transport=" : "", add_tp ? tp : "");
        g_free(hp);
        g_free(params);
    }
    c->nua = op->s->nua;
    /* kept, for the INVITE sent anew with our answer to a challenge */
    keep_invite_parts(c, (const char *const *[]){ ruri, ONE_PIECE(outbound), ONE_PIECE(ct.from), ONE_PIECE(ct.pai),
                                                  ONE_PIECE(ct.rpid), ONE_PIECE(r->sip.contact) });
    SC_FREE_ALL(outbound, ct.own_from, ct.own_pai, ct.own_rpid);
    sc_calls_add(op->s, c);  /* the session's reference */
    invite_on_new_handle(c, NULL, NULL);
    sc_call_emit(c, SC_EVENT_CALL_STATE);  /* calling */
    op->call = sc_call_ref(c);
}

bool sc_dial_invite_with_credentials(sc_call *c, int status, const sip_t *sip, const char *user,
                                     const char *password)
{
    const char *why = NULL;
    char *line;
    if (!c->inv_ruri) return false;
    line = sc_digest_header(sip, status, user, password, "INVITE", c->inv_ruri, c->local_sdp, &c->auth_rounds,
                            &why);
    if (!line) {
        sc_log(SC_LOG_INFO, "call %d: not answering the %d: %s", c->id, status, why);
        return false;
    }
    /* The challenged INVITE is over (its 401/407 was final, and Sofia keeps
     * nothing to restart): its handle goes, the same Call-ID goes on. */
    nua_handle_bind(c->nh, NULL);
    nua_handle_destroy(c->nh);
    sc_call_info_drop(c, "the INVITE was sent anew (an INFO in early media was on the handle it left)");
    invite_on_new_handle(c, sip && sip->sip_call_id ? sip->sip_call_id->i_id : NULL, line);
    sc_digest_free(line);
    return true;
}

int sc_dial_on_stack(sc_session *s, void *p)
{
    dial_op *op = p;
    sc_reg *r;
    char *wire = NULL, msg[512];
    const sc_dialrule *rule = NULL;
    sc_dialrule *any = NULL;
    int rc;

    op->s = s;
    if (s->phase != SC_PHASE_RUNNING) return sc_fail(SC_ECLOSED, "the session is not running");
    r = find_reg(s, op->gateway);
    if (!r) return sc_fail(SC_ENOTFOUND, "no gateway '%s' in this session", op->gateway);
    if (op->checked_wire && op->checked_serial == r->serial) {
        /* Posted from another thread and checked there, under the session
         * lock, by this same gateway's rule (a gateway's rule and prefix are
         * fixed for its life; one changed is a new gateway with a new
         * serial): the same number goes on the wire. */
        rc = SC_OK;
        wire = g_steal_pointer(&op->checked_wire);
    } else {
        rc = sc_dial_gateway_rule(r, &rule);
    }
    /* A dialplan condition chose the number: through a gateway without a
     * rule of its own, any number (never an emergency one) may leave. */
    if (rc == SC_OK && !wire && op->checked && !rule && (rc = sc_gw_rule_build(r->gw, true, &any, NULL)) == SC_OK)
        rule = any;
    if (rc == SC_OK && !wire)
        rc = sc_gw_rule_wire(rule, r->gw->destination_prefix, op->number, NULL, &wire);
    sc_dialrule_free(any);
    if (rc != SC_OK) {
        int refusal = rc == SC_EREFUSED ? sc_dialrule_last_refusal() : SC_DIAL_NO_RULE;
        g_snprintf(msg, sizeof msg, "gateway '%s': %s", op->gateway, sc_last_error());
        return refuse(op, SC_EREFUSED, refusal, msg);
    }
    if (r->status != SC_GW_UP) {
        g_snprintf(msg, sizeof msg, "gateway '%s' is DOWN (%s): not dialling %s", op->gateway,
                   sc_reg_state_name(r->state), op->number);
        rc = refuse(op, SC_EREFUSED, SC_DIAL_GATEWAY_DOWN, msg);
    } else if (!op->made && !sc_calls_take_channel(s, op->gateway, r->gw->max_channels)) {
        /* (a dial posted from another thread took its channel when posted) */
        g_snprintf(msg, sizeof msg, "gateway '%s': all %d channels are busy", op->gateway, r->gw->max_channels);
        rc = refuse(op, SC_ECHANNELS, SC_DIAL_CHANNELS, msg);
    } else {
        sc_call *c = NULL;
        if ((rc = new_call(op, r, &c)) == SC_OK) {
            c->channel_counted = true;
            send_invite(op, r, wire, c);
        } else if (!op->made) {
            sc_calls_give_channel(s, op->gateway);
        }
    }
    g_free(wire);
    return rc;
}

/* ------------------------------------------------------------------ */
/* A dial from another thread */

/* The dial's own copies, for the stack thread. */
typedef struct posted_dial {
    sc_posted w;           /* first; w.c is the call made */
    dial_op op;
    char *caller_number, *caller_name;   /* op's gateway and number are the call's, its SDP op's own */
} posted_dial;

static void free_posted_dial(sc_posted *w)
{
    posted_dial *pd = (posted_dial *)w;
    SC_FREE_ALL(pd->caller_number, pd->caller_name, pd->op.sdp_copy, pd->op.checked_wire);
    g_free(pd);
}

/* Ends a call for which no SIP was sent: a dial posted from another thread
 * that the stack thread refused (stack thread). */
static void end_unsent(sc_call *c, const char *cause)
{
    sc_session *s = c->s;
    g_mutex_lock(&c->lock);
    c->state = SC_CALL_ENDED;
    c->hangup_side = SC_HANGUP_LOCAL;
    /* Set once, as for every call: readers hold the pointer unlocked. */
    if (!c->cause) c->cause = g_strdup(cause);
    g_mutex_unlock(&c->lock);
    sc_call_emit(c, SC_EVENT_CALL_STATE);
    sc_calls_forget(s, c);   /* never in the table: releases its channel */
    sc_call_detach_session(c);
}

/* Stack thread: the dial as on the caller's thread, checked again. A dial
 * refused or failed now ends its call (after dial_refused when refused). */
static int run_posted_dial(sc_session *s, sc_posted *w)
{
    posted_dial *pd = (posted_dial *)w;
    int rc = sc_dial_on_stack(s, &pd->op);
    sc_call_unref(pd->op.call);   /* send_invite's reference for a caller: ours is w.c */
    if (rc) end_unsent(w->c, rc == SC_EREFUSED || rc == SC_ECHANNELS ? "CALL_REJECTED" : "NORMAL_TEMPORARY_FAILURE");
    return rc;
}

/* On the dialling thread, under the session lock: SC_OK when the dial
 * passes what can be checked here (the gateway exists with its rule built,
 * the number passes it, the gateway is UP, a channel is free) and *to_out
 * is the call's To; else 1: the stack thread decides. */
static int check_here(sc_session *s, const dial_op *op, sc_reg **reg_out, char **wire_out)
{
    sc_reg *r = sc_gw_board_find(s, op->gateway);
    const sc_dialrule *rule = NULL;
    char *wire = NULL;
    *wire_out = NULL;
    if (!r || r->status != SC_GW_UP || gateway_rule_locked(r, &rule) || !rule) return 1;
    if (sc_gw_rule_wire(rule, r->gw->destination_prefix, op->number, NULL, &wire) != SC_OK) return 1;
    if (r->gw->max_channels > 0 && s->channels) {
        int *n = g_hash_table_lookup(s->channels, op->gateway);
        if (n && *n >= r->gw->max_channels) {
            g_free(wire);
            return 1;
        }
    }
    *reg_out = r;
    *wire_out = wire;
    return SC_OK;
}

/* SC_OK with the call made and its INVITE posted; 1 when the stack thread
 * must decide (the dial would be refused here, or a race took the last
 * channel). */
static int dial_here(sc_session *s, const dial_op *op, sc_call **out)
{
    sc_reg *r;
    char *wire;
    sc_call *c;
    posted_dial *pd;
    int max;
    guint serial;
    g_mutex_lock(&s->lock);
    if (check_here(s, op, &r, &wire)) {
        g_mutex_unlock(&s->lock);
        return 1;
    }
    max = r->gw->max_channels;
    serial = r->serial;
    g_mutex_unlock(&s->lock);
    c = sc_call_new(s, SC_CALL_OUTBOUND, op->gateway);
    if (!sc_calls_reserve_channel(s, c, max)) {
        /* a race took the last channel */
        sc_call_detach_session(c);
        sc_call_unref(c);
        g_free(wire);
        return 1;
    }
    g_mutex_lock(&s->lock);
    r = sc_gw_board_find(s, op->gateway);
    if (r) set_call_texts(c, op, r, wire);
    g_mutex_unlock(&s->lock);
    if (!r) {
        /* The gateway went meanwhile: the stack thread says how. */
        g_free(wire);
        sc_calls_forget(s, c);
        sc_call_detach_session(c);
        sc_call_unref(c);
        return 1;
    }
    pd = g_new0(posted_dial, 1);
    pd->w = (sc_posted){ .c = sc_call_ref(c), .control = "sc_session_dial", .run = run_posted_dial,
                         .free = free_posted_dial };
    pd->op = *op;
    /* The call's own copies (made above, fixed for its life; w.c holds it). */
    pd->op.gateway = c->gateway;
    pd->op.number = c->destination;
    pd->op.caller_number = pd->caller_number = g_strdup(op->caller_number);
    pd->op.caller_name = pd->caller_name = g_strdup(op->caller_name);
    pd->op.sdp = pd->op.sdp_copy = g_strdup(op->sdp);
    pd->op.made = c;   /* w.c's reference */
    pd->op.checked_wire = wire;
    pd->op.checked_serial = serial;
    sc_call_post(s, &pd->w);
    *out = c;
    return SC_OK;
}

/* This thread may run the stack's context now: the stack's own thread, or
 * nobody runs it any more (wider than sc_session_on_stack_thread()). */
static bool stack_runs_here(sc_session *s)
{
    if (!sc_session_acquire_stack(s)) return false;
    g_main_context_release(s->ctx);
    return true;
}

int sc_dial(sc_session *s, const char *gateway, const char *number, const char *caller_number,
            const char *caller_name, const char *sdp, sc_call **out, bool checked, bool media)
{
    dial_op op = { .gateway = gateway, .number = number, .caller_number = caller_number,
                   .caller_name = caller_name, .sdp = sdp, .checked = checked, .media = media };
    bool running;
    int rc;
    sc_call *c = NULL;
    if (out) *out = NULL;
    if (!s || !gateway || !number)
        return sc_fail(SC_EINVAL, "sc_session_dial: %s is NULL", !s ? "session" : !gateway ? "gateway" : "number");
    if (!caller_number_ok(caller_number))
        return sc_fail(SC_EINVAL, "sc_session_dial: caller number '%.40s' must be digits with an optional leading '+'",
                       caller_number);
    if (!display_name_ok(caller_name))
        return sc_fail(SC_EINVAL, "sc_session_dial: the caller name must be at most 64 printable characters without '\"' or '\\'");
    if (sdp && *sdp && strncmp(sdp, "v=", 2))
        return sc_fail(SC_EINVAL, "sc_session_dial: the SDP must start with \"v=\"");
    g_mutex_lock(&s->lock);
    running = s->phase == SC_PHASE_RUNNING;
    g_mutex_unlock(&s->lock);
    if (!running) return sc_fail(SC_ECLOSED, "sc_session_dial: the session is not running");
    if (!stack_runs_here(s) && dial_here(s, &op, &c) == SC_OK) {
        if (out) *out = c;
        else sc_call_unref(c);
        sc_clear_error();
        return SC_OK;
    }
    rc = sc_session_call_on_stack(s, sc_dial_on_stack, &op);
    if (rc) {
        /* The refusal was decided on the stack thread; this thread asks. */
        sc_dial_set_last_refusal(op.refusal);
        return rc;
    }
    if (out) *out = op.call;
    else sc_call_unref(op.call);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_session_dial(sc_session *s, const char *gateway, const char *number,
                           const char *caller_number, const char *caller_name, const char *sdp, sc_call **out)
{
    return sc_dial(s, gateway, number, caller_number, caller_name, sdp, out, false, false);
}

SC_API int sc_session_dial_checked(sc_session *s, const char *gateway, const char *number,
                                   const char *caller_number, const char *caller_name, const char *sdp,
                                   sc_call **out)
{
    return sc_dial(s, gateway, number, caller_number, caller_name, sdp, out, true, false);
}

SC_API int sc_session_set_answer_timeout(sc_session *s, int seconds)
{
    if (!s) return sc_fail(SC_EINVAL, "sc_session_set_answer_timeout: session is NULL");
    if (seconds < 1 || seconds > 3600)
        return sc_fail(SC_EINVAL, "answer timeout %d s: use 1 to 3600 seconds", seconds);
    g_mutex_lock(&s->lock);
    s->answer_timeout_s = seconds;
    g_mutex_unlock(&s->lock);
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_session_set_inbound_acl(sc_session *s, const char *acl_text)
{
    sc_acl *acl = NULL, *old;
    char *error = NULL;
    if (!s) return sc_fail(SC_EINVAL, "sc_session_set_inbound_acl: session is NULL");
    if (acl_text && *acl_text) {
        acl = sc_acl_parse(acl_text, &error);
        if (!acl) {
            int rc = sc_fail(SC_EINVAL, "inbound ACL: %s", error);
            g_free(error);
            return rc;
        }
    }
    g_mutex_lock(&s->lock);
    old = s->inbound_acl;
    s->inbound_acl = acl;
    g_mutex_unlock(&s->lock);
    sc_acl_free(old);
    sc_clear_error();
    return SC_OK;
}
