/* Our INFOs inside a call (DTMF by INFO, or a digit relayed from the other
 * leg), one at a time, in order.
 *
 * With no restarts (calls_priv.h) Sofia answers no challenge to an INFO,
 * and a challenged INFO sent again through Sofia would queue behind the
 * digits sent after it. So the call keeps its own queue: the next INFO goes
 * when the one before has its final answer, a challenged one is sent again
 * with the gateway's credentials before anything behind it (the digits keep
 * their order), a refused one is told as a media_error naming the status,
 * and when the dialog is gone (408, 481, ...) what waits is dropped with one
 * notice rather than failing digit by digit. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_util.h>

#include "calls_priv.h"
#include "registration_priv.h"
#include "digest_client.h"

/* One block: the content type, '\0', the body, '\0'. */
static char *item_new(const char *type, const char *body, size_t len)
{
    size_t tl = strlen(type);
    char *item = g_malloc(tl + len + 2);
    memcpy(item, type, tl + 1);
    memcpy(item + tl + 1, body, len);
    item[tl + 1 + len] = '\0';
    return item;
}

static const char *item_body(const char *item)
{
    return item + strlen(item) + 1;
}

static void send_head(sc_call *c, const char *authorization)
{
    const char *item = g_queue_peek_head(&c->info_out);
    c->info_in_flight = item != NULL;
    if (!item) return;
    nua_info(c->nh, SC_CALL_NO_RESTARTS, SIPTAG_CONTENT_TYPE_STR(item), SIPTAG_PAYLOAD_STR(item_body(item)),
             TAG_IF(authorization, SIPTAG_HEADER_STR(authorization)), TAG_END());
}

void sc_call_info_send(sc_call *c, const char *type, const char *body, size_t len)
{
    g_queue_push_tail(&c->info_out, item_new(type, body, len));
    if (!c->info_in_flight) send_head(c, NULL);
}

/* A challenge to the INFO in flight, answered with the call's gateway's
 * credentials (once, unless the nonce was stale): true when sent again. */
static bool answer_challenge(sc_call *c, int status, const sip_t *sip)
{
    sc_reg *r = sc_call_gateway_reg(c);
    const char *item = g_queue_peek_head(&c->info_out), *why = "the far end's Contact is not known";
    char *line = NULL;
    if (!r) return false;
    if (c->remote_target[0])
        line = sc_digest_header(sip, status, sc_gw_auth_username(r->gw), r->gw->password, "INFO",
                                c->remote_target, item_body(item), &c->info_auth_rounds, &why);
    if (!line) {
        sc_log(SC_LOG_INFO, "call %d: not answering the %d to our INFO: %s", c->id, status, why);
        return false;
    }
    send_head(c, line);
    sc_digest_free(line);
    return true;
}

void sc_call_info_drop(sc_call *c, const char *why)
{
    guint n = g_queue_get_length(&c->info_out);
    char *text;
    c->info_in_flight = false;
    c->info_auth_rounds = 0;
    if (!n) return;
    text = g_strdup_printf("%u INFO(s) not delivered: %s", n, why);
    sc_log(SC_LOG_WARNING, "call %d: %s", c->id, text);
    sc_call_media_notice(c, "media_error", SC_ESIP, text);
    g_free(text);
    g_queue_clear_full(&c->info_out, g_free);
}

void sc_call_info_answered(sc_call *c, int status, const char *phrase, const sip_t *sip)
{
    char *item;
    int graceful = 0;
    if (status < 200 || !c->info_in_flight) return;
    if ((status == 401 || status == 407) && c->nh && answer_challenge(c, status, sip)) return;
    if (status >= 700 || sip_response_terminates_dialog(status, sip_method_info, &graceful)) {
        char *why = g_strdup_printf("the dialog is gone (%d %s)", status, phrase ? phrase : "");
        sc_call_info_drop(c, why);
        g_free(why);
        return;
    }
    item = g_queue_pop_head(&c->info_out);
    c->info_auth_rounds = 0;
    if (status >= 300 && item) {
        char *why = g_strdup_printf("the peer refused our INFO (%s): %d %s", item_body(item), status,
                                    phrase ? phrase : "");
        g_strdelimit(why, "\r\n", ' ');
        sc_log(SC_LOG_WARNING, "call %d: %s", c->id, why);
        sc_call_media_notice(c, "media_error", SC_ESIP, why);
        g_free(why);
    }
    g_free(item);
    if (c->nh && !c->ending) send_head(c, NULL);
    else c->info_in_flight = false;
}
