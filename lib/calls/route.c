/* The dialplan at work: an inbound call (from the trunk or the internal
 * side) is routed through sc_dialplan_route() and its actions run here —
 * transfer, bridge, respond, hangup — with the library as a signalling
 * B2BUA between the two legs of a bridge. SDP passes through untouched;
 * ringing, early media, answer, hangup and CANCEL travel both ways. */
#include <stdlib.h>
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "calls_priv.h"
#include "nat.h"
#include "error_priv.h"
#include "skypeconnect/sc_dialplan.h"
#include "skypeconnect/sc_dialrule.h"
#include "dialplan_int.h"
#include "bridge_target.h"
#include "dialrule_int.h"

/* FreeSWITCH stops transfer loops too; 8 hops is more than any real plan needs. */
#define SC_MAX_TRANSFERS 8

static void bridge_next(sc_session *s, sc_call *a);

/* A SIP answer for a FreeSWITCH hangup cause given to `hangup`. */
static int code_for_cause(const char *cause)
{
    static const struct { const char *cause; int code; } map[] = {
        { "NO_ROUTE_DESTINATION", 404 }, { "UNALLOCATED_NUMBER", 404 }, { "USER_BUSY", 486 },
        { "CALL_REJECTED", 603 }, { "NO_ANSWER", 480 }, { "NO_USER_RESPONSE", 480 },
        { "INVALID_NUMBER_FORMAT", 484 }, { "NORMAL_TEMPORARY_FAILURE", 503 },
        { "DESTINATION_OUT_OF_ORDER", 502 }, { "INCOMPATIBLE_DESTINATION", 488 },
    };
    for (size_t i = 0; cause && i < G_N_ELEMENTS(map); i++)
        if (!g_ascii_strcasecmp(cause, map[i].cause)) return map[i].code;
    return 480;
}

static void end_a(sc_call *a, int code, const char *phrase, const char *cause)
{
    if (a->final_sent || a->ending || !a->nh) {
        if (sc_call_state_of(a) == SC_CALL_ANSWERED || sc_call_state_of(a) == SC_CALL_HELD)
            sc_call_hangup_now(a, cause);
        return;
    }
    sc_call_reject_now(a, code, phrase, cause);
}

static void run_route(sc_session *s, sc_call *a, const char *context, const char *destination);

static void emit_routed(sc_session *s, sc_call *a, const sc_route *route, const char *context)
{
    sc_event *ev = sc_event_new(SC_EVENT_CALL_ROUTED, a->gateway);
    char *json = sc_route_to_json(route);
    ev->call = sc_call_ref(a);
    ev->call_state = sc_call_state_of(a);
    sc_event_set_text(&ev->number, a->destination);
    sc_event_set_text(&ev->route_json, json);
    sc_event_set_text(&ev->context, context);
    sc_session_emit(s, ev);
    sc_log(SC_LOG_INFO, "call %d: routed in context %s: %s", a->id, context, sc_route_explain(route));
    sc_free(json);
}

static sc_call_fields *fields_for(sc_call *a, const char *context, const char *destination)
{
    sc_call_fields *f = sc_call_fields_new();
    char *ip = g_strdup(a->source ? a->source : "");
    char *colon = ip[0] == '[' ? strstr(ip, "]:") : strrchr(ip, ':');
    if (colon) *colon = '\0';
    sc_call_fields_set(f, "destination_number", destination);
    sc_call_fields_set(f, "caller_id_number", a->caller_number);
    sc_call_fields_set(f, "caller_id_name", a->caller_name);
    sc_call_fields_set(f, "ani", a->caller_number);
    sc_call_fields_set(f, "network_addr", ip[0] == '[' ? ip + 1 : ip);
    sc_call_fields_set(f, "sip_gateway", a->gateway);
    sc_call_fields_set(f, "context", context);
    sc_call_fields_set(f, "sip_call_id", a->sip_call_id);
    g_free(ip);
    return f;
}

/* transfer "EXT [XML] [CONTEXT]" */
static void do_transfer(sc_session *s, sc_call *a, const char *data, const char *context)
{
    char **words = g_strsplit_set(data ? data : "", " \t", -1);
    const char *ext = NULL, *ctx = context;
    int n = 0;
    for (char **w = words; *w; w++) {
        if (!**w) continue;
        if (n == 0) ext = *w;
        else if (n == 2) ctx = *w;
        n++;
    }
    if (!ext) {
        end_a(a, 500, "Bad transfer", "NORMAL_UNSPECIFIED");
    } else if (++a->transfers > SC_MAX_TRANSFERS) {
        sc_log(SC_LOG_WARNING, "call %d: more than %d transfers: stopping a loop", a->id, SC_MAX_TRANSFERS);
        end_a(a, 482, "Loop Detected", "EXCHANGE_ROUTING_ERROR");
    } else {
        g_free(a->destination);
        a->destination = g_strdup(ext);
        run_route(s, a, ctx, ext);
    }
    g_strfreev(words);
}

static void do_bridge(sc_session *s, sc_call *a, const char *data)
{
    /* ',' (ring all) and '|' (one after the other) both become failover:
     * one leg at a time keeps the signalling simple and the channels count. */
    g_strfreev(a->bridge_targets);
    a->bridge_targets = g_strsplit_set(data ? data : "", ",|", -1);
    a->bridge_next = 0;
    bridge_next(s, a);
}

static void run_route(sc_session *s, sc_call *a, const char *context, const char *destination)
{
    sc_call_fields *f = fields_for(a, context, destination);
    sc_route *route = NULL;
    int rc = sc_dialplan_route(s->dialplan, context, f, &route);
    size_t n;
    sc_call_fields_free(f);
    if (rc != SC_OK) {
        sc_log(SC_LOG_WARNING, "call %d: %s", a->id, sc_last_error());
        end_a(a, 404, "Not Found", "NO_ROUTE_DESTINATION");
        return;
    }
    emit_routed(s, a, route, context);
    n = sc_route_action_count(route);
    if (n == 0) {
        end_a(a, 404, "Not Found", "NO_ROUTE_DESTINATION");
        sc_route_free(route);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *app = sc_route_action_app(route, i), *data = sc_route_action_data(route, i);
        const char *problem = dp_route_action_problem(route, i);
        if (problem && (!strcmp(app, "transfer") || !strcmp(app, "bridge"))) {
            /* The route's explanation says so too: what a caller's number
             * (or a bad endpoint) would make of the action never runs. */
            sc_log(SC_LOG_WARNING, "call %d: not running %s: %s", a->id, app, problem);
            end_a(a, 403, "Forbidden", "CALL_REJECTED");
            break;
        }
        if (!strcmp(app, "transfer")) {
            do_transfer(s, a, data, context);
            break;
        } else if (!strcmp(app, "bridge")) {
            do_bridge(s, a, data);
            break;
        } else if (!strcmp(app, "respond")) {
            int code = atoi(data ? data : "");
            const char *phrase = data ? strchr(data, ' ') : NULL;
            end_a(a, code >= 300 && code <= 699 ? code : 480, phrase ? phrase + 1 : NULL, NULL);
            break;
        } else if (!strcmp(app, "hangup")) {
            end_a(a, code_for_cause(data && *data ? data : NULL), NULL,
                  data && *data ? data : "NORMAL_CLEARING");
            break;
        } else if (!strcmp(app, "log")) {
            sc_log(SC_LOG_INFO, "call %d: dialplan log: %s", a->id, data ? data : "");
        } else if (i + 1 == n) {
            /* answer/set/log with nothing after: the application takes it. */
            sc_call_set_routed(a, false);
            sc_call_emit(a, SC_EVENT_INCOMING_CALL);
        }
    }
    sc_route_free(route);
}

void sc_route_incoming(sc_session *s, sc_call *c, const char *context)
{
    sc_call_set_routed(c, true);
    run_route(s, c, context, c->destination);
}


/* ------------------------------------------------------------------ */
/* The B leg */

static void link_legs(sc_call *a, sc_call *b)
{
    a->peer = sc_call_ref(b);
    b->peer = sc_call_ref(a);
    sc_call_set_routed(b, true);
}

static void unlink_legs(sc_call *c)
{
    sc_call *peer = c->peer;
    if (!peer) return;
    c->peer = NULL;
    if (peer->peer == c) {
        peer->peer = NULL;
        sc_call_unref(c);
    }
    sc_call_unref(peer);
}

static sc_call *dial_gateway(sc_session *s, sc_call *a, const char *target, int *code);

/* sofia/internal/USER@HOST[:PORT], sofia/external/USER@HOST[:PORT] or a sip:
 * URI: a direct call from the listener. A target that is a gateway's trunk
 * is dialled as that gateway, with all its checks; any other still never
 * gets an emergency number (bridge_target.c says why). */
static sc_call *dial_internal(sc_session *s, sc_call *a, const char *target, int *code)
{
    nua_t *nua = s->nua_internal ? s->nua_internal : s->nua;
    const char *host = s->nua_internal ? s->internal_host : s->bind_host;
    char *uri, *from, *to;
    sc_call *b;
    if (!strncmp(target, "sofia/internal/", 15) || !strncmp(target, "sofia/external/", 15))
        uri = g_strdup_printf("sip:%s", target + 15);
    else
        uri = g_strdup(target);
    if (strpbrk(uri, " <>\"\r\n") || (!g_str_has_prefix(uri, "sip:") && !g_str_has_prefix(uri, "sips:")) ||
        !strchr(uri, '@')) {
        sc_log(SC_LOG_WARNING, "call %d: bridge target '%s' is not USER@HOST[:PORT] or a sip: URI", a->id, target);
        g_free(uri);
        return NULL;
    }
    {
        char *user = g_strndup(uri + 4 + (uri[3] == 's'), (gsize)(strchr(uri, '@') - uri - 4 - (uri[3] == 's')));
        sc_reg *trunk = sc_bridge_target_trunk(s, uri);
        char why[SC_DIAL_SHOW_SIZE + 120];
        if (trunk) {
            char *as_gateway = g_strdup_printf("sofia/gateway/%s/%s", sc_reg_name(trunk), user);
            sc_log(SC_LOG_INFO, "call %d: bridge target '%s' is gateway '%s''s trunk: dialled through it",
                   a->id, target, sc_reg_name(trunk));
            b = dial_gateway(s, a, as_gateway, code);
            g_free(as_gateway);
            g_free(user);
            g_free(uri);
            return b;
        }
        if (sc_bridge_target_emergency(s, user, why, sizeof why)) {
            sc_log(SC_LOG_INFO, "dial-out refused: call %d: %s", a->id, why);
            *code = 403;
            g_free(user);
            g_free(uri);
            return NULL;
        }
        g_free(user);
    }
    b = sc_call_new(s, SC_CALL_OUTBOUND, "");
    b->nua = nua;
    b->destination = g_strndup(uri + 4, (gsize)(strchr(uri, '@') - uri - 4));
    b->caller_number = g_strdup(a->caller_number);
    b->caller_name = g_strdup(a->caller_name);
    from = a->caller_name && *a->caller_name
               ? g_strdup_printf("\"%s\" <sip:%s@%s>", a->caller_name, *a->caller_number ? a->caller_number : "anonymous", host)
               : g_strdup_printf("<sip:%s@%s>", *a->caller_number ? a->caller_number : "anonymous", host);
    to = g_strdup_printf("<%s>", uri);
    b->to = g_strdup(to);
    g_mutex_lock(&a->lock);
    b->local_sdp = g_strdup(a->remote_sdp);
    g_mutex_unlock(&a->lock);
    b->nh = nua_handle(nua, b, SIPTAG_TO_STR(to), SIPTAG_FROM_STR(from), SC_CALL_NO_RESTARTS, TAG_END());
    sc_calls_add(s, b);
    nua_invite(b->nh, NUTAG_URL(uri),
               TAG_IF(b->local_sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
               TAG_IF(b->local_sdp, SIPTAG_PAYLOAD_STR(b->local_sdp)), TAG_END());
    sc_call_emit(b, SC_EVENT_CALL_STATE);  /* calling */
    g_free(uri);
    g_free(from);
    g_free(to);
    return sc_call_ref(b);
}

/* sofia/gateway/NAME/NUMBER: out through the trunk, with every dial-out check. */
static sc_call *dial_gateway(sc_session *s, sc_call *a, const char *target, int *code)
{
    const char *rest = target + strlen("sofia/gateway/"), *slash = strchr(rest, '/');
    char *gateway, *number, *sdp;
    dial_op op = { 0 };
    int rc;
    if (!slash || slash == rest || !slash[1]) {
        *code = 500;
        return NULL;
    }
    gateway = g_strndup(rest, (gsize)(slash - rest));
    number = g_strdup(slash + 1);
    g_mutex_lock(&a->lock);
    sdp = g_strdup(a->remote_sdp);
    g_mutex_unlock(&a->lock);
    op.gateway = gateway;
    op.number = number;
    op.caller_number = a->caller_number;
    op.caller_name = a->caller_name;
    op.sdp = sdp;
    op.checked = true;
    rc = sc_dial_on_stack(s, &op);
    if (rc) {
        /* A number the trunk must never see is forbidden; a busy or down
         * trunk is a temporary failure. */
        *code = op.refusal == SC_DIAL_CHANNELS || op.refusal == SC_DIAL_GATEWAY_DOWN ? 503
              : rc == SC_ENOTFOUND ? 404 : 403;
    }
    g_free(gateway);
    g_free(number);
    g_free(sdp);
    return op.call;
}

static void bridge_next(sc_session *s, sc_call *a)
{
    int code = 480;
    while (a->bridge_targets && a->bridge_targets[a->bridge_next]) {
        char *target = g_strstrip(g_strdup(a->bridge_targets[a->bridge_next++]));
        sc_call *b = NULL;
        if (!*target) {
            g_free(target);
            continue;
        }
        if (g_str_has_prefix(target, "sofia/gateway/")) b = dial_gateway(s, a, target, &code);
        else b = dial_internal(s, a, target, &code);
        if (!b && code == 480) code = 502;
        g_free(target);
        if (b) {
            link_legs(a, b);
            sc_call_unref(b);
            return;
        }
    }
    end_a(a, code, NULL, code == 403 ? "CALL_REJECTED" : NULL);
}

void sc_bridge_b_response(sc_call *b, int status, const char *phrase, const sip_t *sip)
{
    sc_call *a = b->peer;
    bool has_sdp = sip && sip->sip_payload && sip->sip_payload->pl_len;
    (void)phrase;
    if (!a || b->direction != SC_CALL_OUTBOUND) return;
    if (sc_call_state_of(a) == SC_CALL_ENDED || a->ending) {
        sc_call_hangup_now(b, "ORIGINATOR_CANCEL");
        return;
    }
    if (status > 100 && status < 200 && !a->final_sent) {
        if (has_sdp) {
            char *sdp = g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
            nua_respond(a->nh, SIP_183_SESSION_PROGRESS, SC_NAT_CONTACT_TAG(a), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                        SIPTAG_PAYLOAD_STR(sdp), TAG_END());
            g_free(sdp);
            sc_call_set_state(a, SC_CALL_EARLY);
        } else if (status != 183) {
            nua_respond(a->nh, SIP_180_RINGING, TAG_END());
            sc_call_set_state(a, SC_CALL_RINGING);
        }
    } else if (status >= 200 && status < 300 && !a->final_sent) {
        char *sdp = has_sdp ? g_strndup(sip->sip_payload->pl_data, sip->sip_payload->pl_len) : NULL;
        tagi_t timers[SC_CALL_SESSION_TIMER_TAGS];
        sc_call_take_final(a);
        g_mutex_lock(&a->lock);
        a->sip_code = status;
        g_mutex_unlock(&a->lock);
        g_free(a->local_sdp);
        a->local_sdp = g_strdup(sdp);
        sc_call_answer_timer_stop(a);
        sc_call_session_timer_tags(a, timers);
        nua_respond(a->nh, SIP_200_OK, SC_NAT_CONTACT_TAG(a), TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
                    TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_NEXT(timers));
        g_free(sdp);
    } else if (status >= 300) {
        /* This leg failed: the next target, or the caller hears why. */
        unlink_legs(b);
        if (a->bridge_targets && a->bridge_targets[a->bridge_next]) bridge_next(b->s ? b->s : a->s, a);
        else end_a(a, status == 487 ? 480 : status, NULL, NULL);
    }
}

void sc_bridge_leg_ended(sc_call *c)
{
    sc_call *peer = c->peer;
    if (!peer) return;
    sc_call_ref(peer);
    unlink_legs(c);
    if (sc_call_state_of(peer) != SC_CALL_ENDED && !peer->ending) {
        if (peer->direction == SC_CALL_INBOUND && !peer->final_sent)
            end_a(peer, c->end_code >= 300 ? c->end_code : 480, NULL, NULL);
        else if (sc_call_state_of(peer) == SC_CALL_ANSWERED || sc_call_state_of(peer) == SC_CALL_HELD)
            sc_call_hangup_now(peer, c->end_side == SC_HANGUP_REMOTE ? "NORMAL_CLEARING" : c->end_cause);
        else
            sc_call_hangup_now(peer, NULL);  /* a CANCEL: ORIGINATOR_CANCEL */
    }
    sc_call_unref(peer);
}
