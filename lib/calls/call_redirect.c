/* The redirect control (sc_call_redirect): an inbound call answered 302 with
 * the application's target. Its own file because the target's number is
 * checked against the gateways' emergency lists (bridge_target.c), which
 * call control itself must not depend on. */
#include <string.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "calls_priv.h"
#include "bridge_target.h"
#include "error_priv.h"

static int redirect_target_ok(const sc_call_op *op)
{
    if (!op->text || (g_ascii_strncasecmp(op->text, "sip:", 4) && g_ascii_strncasecmp(op->text, "sips:", 5)) ||
        strpbrk(op->text, "<>\"\r\n \t"))
        return sc_call_op_fail(op, SC_EINVAL, "the redirect target must be a sip: or sips: URI without spaces or <>");
    return SC_OK;
}

/* A redirect asks the far end to call the target instead; for a call from the
 * trunk, the trunk would place that call on our account. So the target's user
 * part passes what a dialplan's direct bridge target passes: no emergency
 * number (its digits up to ';', ':' or '@', visual separators dropped), and
 * no %-escape that could hide one (stack thread: the gateways' lists). */
static int redirect_target_allowed(sc_session *s, const sc_call_op *op)
{
    const char *user = op->text + (g_ascii_strncasecmp(op->text, "sips:", 5) ? 4 : 5);
    char why[256], *digits;
    int rc = SC_OK;
    if (!strchr(user, '@')) return SC_OK;  /* no user part: a host, not a number */
    digits = g_strndup(user, strcspn(user, ";:@"));
    /* only what a number is made of: "(112)" or "112!" must not pass as "not a number" */
    {
        char *w = digits;
        for (const char *r = digits; *r; r++)
            if (g_ascii_isdigit(*r) || strchr("+*#%", *r)) *w++ = *r;
        *w = '\0';
    }
    if (strchr(digits, '%'))
        rc = sc_call_op_fail(op, SC_EINVAL, "the redirect target's user part must not be %-escaped");
    else if (sc_bridge_target_emergency(s, digits, why, sizeof why))
        rc = sc_call_op_fail(op, SC_EREFUSED, "the redirect target's user part is an emergency number: the far "
                                              "end would call it, and the trunk provider forbids emergency calls");
    g_free(digits);
    return rc;
}

static int redirect_op(sc_session *s, void *p)
{
    sc_call_op *op = p;
    char *contact;
    int rc;
    if ((rc = redirect_target_ok(op)) || (rc = redirect_target_allowed(s, op)) || (rc = sc_call_inbound_open(op)))
        return rc;
    contact = g_strdup_printf("<%s>", op->text);
    sc_call_take_final(op->c);
    op->c->ending = true;
    op->c->end_code = 302;
    op->c->end_cause = "REDIRECTION_TO_NEW_DESTINATION";
    op->c->end_side = SC_HANGUP_LOCAL;
    nua_respond(op->c->nh, SIP_302_MOVED_TEMPORARILY, SIPTAG_CONTACT_STR(contact), TAG_END());
    g_free(contact);
    return SC_OK;
}

SC_API int sc_call_redirect(sc_call *c, const char *target)
{
    sc_call_op op = { .c = c, .what = "sc_call_redirect", .text = target };
    int rc = c ? redirect_target_ok(&op) : SC_OK;
    return rc ? rc : sc_call_post_op(c, op.what, redirect_op, &op, SC_CLAIM_FINAL);
}
