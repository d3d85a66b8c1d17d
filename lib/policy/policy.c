/* Trunk policies: a gateway's dial rule, emergency refusal and channel count,
 * without a SIP stack, in one process-wide registry keyed by gateway name.
 *
 * The registry lock guards the table and every reference count (so a lookup
 * can never revive a policy whose last reference is being dropped). A policy
 * is immutable after construction except for its channel counter, which is
 * atomic: checking and taking channels never takes the lock. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_policy.h"
#include "skypeconnect/sc_config.h"
#include "skypeconnect/sc_dialrule.h"
#include "dialrule_int.h"
#include "gateway_rule.h"
#include "error_priv.h"
#include "free_all.h"

struct sc_policy {
    char *name;
    char *source;          /* XML path or "<gateway>" */
    sc_dialrule *rule;     /* NULL: no dial rule, every number refused */
    char *destination_prefix; /* put before the rule's result on the wire */
    int max_channels;      /* 0: unlimited */
    int refs;              /* under registry_lock */
    atomic_int in_use;
};

static GMutex registry_lock;
static GPtrArray *registry;   /* sc_policy*, not owning */

static sc_policy *find_locked(const char *name)
{
    if (!registry) return NULL;
    for (guint i = 0; i < registry->len; i++) {
        sc_policy *p = registry->pdata[i];
        if (!strcmp(p->name, name)) return p;
    }
    return NULL;
}

static void policy_free(sc_policy *p)
{
    if (!p) return;
    sc_dialrule_free(p->rule);
    SC_FREE_ALL(p->destination_prefix, p->name, p->source);
    g_free(p);
}

/* Builds (does not register) the policy of a gateway with the builder a
 * session uses (gateway_rule.c), so the two can never disagree. */
static sc_policy *policy_build(const sc_gateway *gw, const char *source)
{
    sc_policy *p;
    if (sc_gateway_validate(gw) != SC_OK) return NULL;  /* SC_ECONFIG, its message set */
    p = g_new0(sc_policy, 1);
    p->name = g_strdup(sc_gateway_name(gw));
    p->source = g_strdup(source);
    p->refs = 1;
    atomic_init(&p->in_use, 0);
    p->max_channels = gw->max_channels;
    p->destination_prefix = g_strdup(gw->destination_prefix);
    if (sc_gw_rule_build(gw, false, &p->rule, NULL) != SC_OK) {
        /* cannot happen after validate (the same builder ran): say so */
        char *why = g_strdup(sc_last_error());
        sc_fail(SC_ECONFIG, "gateway '%s': %s", p->name, why);
        g_free(why);
        policy_free(p);
        return NULL;
    }
    return p;
}

static void register_locked(sc_policy *p)
{
    if (!registry) registry = g_ptr_array_new();
    g_ptr_array_add(registry, p);
}

static const char *first_error(const sc_config *cfg)
{
    for (size_t i = 0; i < sc_config_diag_count(cfg); i++)
        if (sc_config_diag_severity(cfg, i) == SC_DIAG_ERROR) return sc_config_diag_text(cfg, i);
    return NULL;
}

SC_API sc_policy *sc_policy_load(const char *gateway_xml_path, const char *gateway_name)
{
    sc_policy *p;
    sc_config *cfg;
    const sc_gateway *gw;
    int rc;
    if (!gateway_name) return sc_fail_null(SC_EINVAL, "sc_policy_load: gateway name is NULL");
    g_mutex_lock(&registry_lock);
    p = find_locked(gateway_name);
    if (p) {
        if (gateway_xml_path && strcmp(p->source, gateway_xml_path)) {
            sc_fail(SC_EEXISTS, "policy '%s' is registered from %s, not %s", gateway_name, p->source,
                    gateway_xml_path);
            g_mutex_unlock(&registry_lock);
            return NULL;
        }
        p->refs++;
        g_mutex_unlock(&registry_lock);
        sc_clear_error();
        return p;
    }
    if (!gateway_xml_path) {
        g_mutex_unlock(&registry_lock);
        sc_fail(SC_ENOTFOUND, "no policy '%s' is registered", gateway_name);
        return NULL;
    }
    /* Loaded under the lock: concurrent first loads of a name read the file once. */
    cfg = sc_config_new();
    if (!cfg) {
        g_mutex_unlock(&registry_lock);
        sc_fail(SC_ENOMEM, "out of memory");
        return NULL;
    }
    rc = sc_config_load_file(cfg, gateway_xml_path);
    if (rc != SC_OK) {
        const char *err = first_error(cfg);
        char *why = g_strdup(err ? err : sc_last_error());  /* sc_fail() overwrites it */
        sc_fail(rc, "%s", why);
        g_free(why);
        p = NULL;
    } else if (!(gw = sc_config_find_gateway(cfg, gateway_name))) {
        sc_fail(SC_ENOTFOUND, "%s: no gateway '%s'", gateway_xml_path, gateway_name);
        p = NULL;
    } else if ((p = policy_build(gw, gateway_xml_path))) {
        register_locked(p);
    }
    g_mutex_unlock(&registry_lock);
    sc_config_free(cfg);
    if (p) sc_clear_error();
    return p;
}

SC_API sc_policy *sc_policy_from_gateway(const sc_gateway *gw)
{
    sc_policy *p;
    if (!gw) return sc_fail_null(SC_EINVAL, "sc_policy_from_gateway: gateway is NULL");
    g_mutex_lock(&registry_lock);
    if (find_locked(sc_gateway_name(gw))) {
        g_mutex_unlock(&registry_lock);
        sc_fail(SC_EEXISTS, "a policy '%s' is registered already", sc_gateway_name(gw));
        return NULL;
    }
    p = policy_build(gw, "<gateway>");
    if (p) register_locked(p);
    g_mutex_unlock(&registry_lock);
    if (p) sc_clear_error();
    return p;
}

SC_API sc_policy *sc_policy_get(const char *gateway_name)
{
    return sc_policy_load(NULL, gateway_name);
}

SC_API sc_policy *sc_policy_ref(sc_policy *p)
{
    if (!p) return NULL;
    g_mutex_lock(&registry_lock);
    p->refs++;
    g_mutex_unlock(&registry_lock);
    return p;
}

SC_API void sc_policy_unref(sc_policy *p)
{
    bool last;
    if (!p) return;
    g_mutex_lock(&registry_lock);
    last = --p->refs == 0;
    if (last) {
        g_ptr_array_remove_fast(registry, p);
        if (registry->len == 0) {
            g_ptr_array_free(registry, TRUE);
            registry = NULL;
        }
    }
    g_mutex_unlock(&registry_lock);
    if (last) policy_free(p);
}

SC_API const char *sc_policy_name(const sc_policy *p)
{
    return p ? p->name : "";
}

SC_API const char *sc_policy_source(const sc_policy *p)
{
    return p ? p->source : "";
}

SC_API int sc_policy_refcount(const sc_policy *p)
{
    int n;
    if (!p) return SC_EINVAL;
    g_mutex_lock(&registry_lock);
    n = p->refs;
    g_mutex_unlock(&registry_lock);
    return n;
}

SC_API const char *sc_policy_describe(const sc_policy *p)
{
    return p && p->rule ? sc_dialrule_describe(p->rule) : "";
}

SC_API int sc_policy_check(const sc_policy *p, const char *number, char **dial_out)
{
    char *wire = NULL;
    int rc;
    if (dial_out) *dial_out = NULL;
    if (!p || !number) return sc_fail(SC_EINVAL, "sc_policy_check: %s is NULL", !p ? "policy" : "number");
    rc = sc_gw_rule_wire(p->rule, p->destination_prefix, number, dial_out, &wire);
    g_free(wire);
    if (rc != SC_OK) return sc_fail(rc, "gateway '%s': %s", p->name, sc_last_error());
    return SC_OK;
}

/* Takes (delta +1) or gives back (delta -1) one channel, keeping the count
 * within 0..max_channels (0: no limit). A compare-and-swap loop, so calls
 * from many threads at once never take more channels than there are.
 * False, the count unchanged, when the move would leave that range. */
static bool move_in_use(sc_policy *p, int delta)
{
    int cur = atomic_load(&p->in_use);
    do {
        int next = cur + delta;
        if (next < 0 || (p->max_channels > 0 && next > p->max_channels)) return false;
    } while (!atomic_compare_exchange_weak(&p->in_use, &cur, cur + delta));
    return true;
}

SC_API int sc_policy_acquire_channel(sc_policy *p)
{
    if (!p) return sc_fail(SC_EINVAL, "sc_policy_acquire_channel: policy is NULL");
    if (!move_in_use(p, +1)) {
        sc_dial_set_last_refusal(SC_DIAL_CHANNELS);
        return sc_fail(SC_ECHANNELS, "gateway '%s': all %d channels are busy", p->name, p->max_channels);
    }
    sc_clear_error();
    return SC_OK;
}

SC_API int sc_policy_release_channel(sc_policy *p)
{
    if (!p) return sc_fail(SC_EINVAL, "sc_policy_release_channel: policy is NULL");
    if (!move_in_use(p, -1)) return sc_fail(SC_ESTATE, "gateway '%s': no channel is taken", p->name);
    return SC_OK;
}

SC_API int sc_policy_channels_in_use(const sc_policy *p)
{
    if (!p) return SC_EINVAL;
    return atomic_load(&((sc_policy *)p)->in_use);
}

SC_API int sc_policy_max_channels(const sc_policy *p)
{
    if (!p) return SC_EINVAL;
    return p->max_channels;
}

SC_API int sc_policy_registered_count(void)
{
    int n;
    g_mutex_lock(&registry_lock);
    n = registry ? (int)registry->len : 0;
    g_mutex_unlock(&registry_lock);
    return n;
}
