/* Challenges inside a call: a 401/407 to our BYE or re-INVITE, answered with
 * the credentials of the call's own gateway.
 *
 * Sofia answers none of them by itself: our requests inside a call go with
 * no restarts (calls_priv.h), because the count that lets Sofia take a
 * challenge in also lets it follow a 302 to a re-INVITE as a new call to the
 * number the 302 names. A BYE gets the count back as it is sent
 * (SC_CALL_BYE_RESTARTS: nothing follows a BYE) and is answered through
 * Sofia's own cache. A re-INVITE (a hold, an offer relayed from the other
 * leg, Sofia's session refresh) is sent again by us with the header built
 * here. That header names the request's Request-URI: the far end's Contact,
 * the dialog's remote target (RFC 3261 12.1), kept as the call goes. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "calls_priv.h"
#include "registration_priv.h"
#include "digest_client.h"

sc_reg *sc_call_gateway_reg(const sc_call *c)
{
    for (guint i = 0; i < c->s->regs->len; i++)
        if (!strcmp(sc_reg_name(c->s->regs->pdata[i]), c->gateway)) return c->s->regs->pdata[i];
    return NULL;
}

void sc_call_note_remote_target(sc_call *c, const sip_t *sip)
{
    const sip_contact_t *m = sip ? sip->sip_contact : NULL;
    issize_t n;
    if (!m) return;
    /* Into the call's own buffer: every call's answer carries a Contact, and
     * an allocation per call for a challenge that rarely comes costs more. */
    n = url_e(c->remote_target, sizeof c->remote_target, m->m_url);
    if (n < 0 || (size_t)n >= sizeof c->remote_target) c->remote_target[0] = '\0';  /* unknown: not answered */
    else c->remote_target[n] = '\0';
}

bool sc_call_answer_bye_challenge(sc_call *c, int status, const sip_t *sip)
{
    sc_reg *r = sc_call_gateway_reg(c);
    const char *why = NULL;
    if (!r || !c->nh) return false;
    if (sc_digest_authenticate(c->nh, sip, status, sc_gw_auth_username(r->gw), r->gw->password,
                               &c->dialog_auth_rounds, &why))
        return true;
    sc_log(SC_LOG_INFO, "call %d: not answering the %d to our BYE: %s", c->id, status, why);
    return false;
}

bool sc_call_answer_reinvite_challenge(sc_call *c, int status, const sip_t *sip, const char *sdp)
{
    sc_reg *r = sc_call_gateway_reg(c);
    const char *why = "the far end's Contact is not known";
    char *line = NULL;
    if (!r || !c->nh) return false;
    if (c->remote_target[0])
        line = sc_digest_header(sip, status, sc_gw_auth_username(r->gw), r->gw->password, "INVITE",
                                c->remote_target, sdp, &c->dialog_auth_rounds, &why);
    if (!line) {
        sc_log(SC_LOG_INFO, "call %d: not answering the %d to a re-INVITE inside the call: %s", c->id, status, why);
        return false;
    }
    /* Still no restarts: the answer to this one may be a 302 too. */
    nua_invite(c->nh, SC_CALL_NO_RESTARTS, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
               TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), SIPTAG_HEADER_STR(line), TAG_END());
    sc_digest_free(line);
    return true;
}
