/* libFuzzer target for the dialplan: the input is one XML file, loaded with
 * sc_dialplan_load_string, then every context it made (and a few fixed
 * names) is routed with a few fixed sets of call fields.
 *
 * Besides crashes, sanitizer reports and hangs, it aborts when a promise
 * breaks: a load status other than OK/ECONFIG/EPARSE, a failed load without
 * an error, a diagnostic not naming the file, a route with an unsupported
 * application or too many actions, an explanation with raw control bytes
 * (it is one line per extension), or JSON that is not valid UTF-8 or holds a
 * raw control character. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "skypeconnect/sc_dialplan.h"
#include "dialplan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int cond, const char *what, const char *detail)
{
    if (!cond) {
        fprintf(stderr, "fuzz_dialplan: broken promise: %s (%s; error '%s')\n", what,
                detail ? detail : "", sc_last_error());
        abort();
    }
}

/* Fixed calls: the Skype Connect page's, hostile bytes, variables. */
static const char *const field_sets[][8] = {
    { "destination_number", "0044123456", "caller_id_number", "+4930123", NULL },
    { "destination_number", "skypeuser", "sip_gateway", "skype", "context", "public", NULL },
    { "destination_number", "${secret}$1", "caller_id_name", "A \"B\"\n\xff\x01", "secret", "s", NULL },
    { "destination_number", "", "network_addr", "10.0.0.1", NULL },
};

static const char *const fixed_contexts[] = { "t", "default", "public", "global" };

static int no_control_bytes(const char *s, int allow_newline)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !(allow_newline && *s == '\n')) || *s == 0x7f) return 0;
    return 1;
}

static void check_route(const sc_route *r, const char *context)
{
    size_t n = sc_route_action_count(r);
    expect(n <= DP_MAX_ROUTE_ACTIONS, "too many actions", context);
    for (size_t i = 0; i < n; i++) {
        expect(dp_app_lookup(sc_route_action_app(r, i)) >= 0, "unsupported application routed",
               sc_route_action_app(r, i));
        expect(sc_route_action_data(r, i) != NULL, "action without data", context);
        expect(sc_route_action_origin(r, i) != NULL && !strncmp(sc_route_action_origin(r, i),
               "dp.xml:", 7), "action origin does not name the file", context);
    }
    expect(sc_route_action_app(r, n) == NULL, "action past the end", context);
    const char *explain = sc_route_explain(r);
    expect(explain && no_control_bytes(explain, 1) && g_utf8_validate(explain, -1, NULL),
           "explanation with raw bytes", context);
    char *json = sc_route_to_json(r);
    expect(json && g_utf8_validate(json, -1, NULL) && no_control_bytes(json, 0), "bad JSON",
           context);
    sc_free(json);
}

static void route_all(const sc_dialplan *dp, const char *context)
{
    for (size_t s = 0; s < G_N_ELEMENTS(field_sets); s++) {
        sc_call_fields *f = sc_call_fields_new();
        for (size_t i = 0; field_sets[s][i]; i += 2)
            sc_call_fields_set(f, field_sets[s][i], field_sets[s][i + 1]);
        sc_route *r = NULL;
        int rc = sc_dialplan_route(dp, context, f, &r);
        if (rc == SC_OK) check_route(r, context);
        else expect(rc == SC_ENOTFOUND && !r, "route failed other than not found", context);
        sc_route_free(r);
        sc_call_fields_free(f);
    }
}

static void check_load(const sc_dialplan *dp, int rc)
{
    expect(rc == SC_OK || rc == SC_ECONFIG || rc == SC_EPARSE, "unexpected load status", NULL);
    if (rc != SC_OK) {
        expect(sc_dialplan_error_count(dp) > 0, "failed load without an error diagnostic", NULL);
        expect(sc_last_error()[0] != '\0', "failed load without an error text", NULL);
    }
    for (size_t i = 0; i < sc_dialplan_diag_count(dp); i++)
        expect(!strncmp(sc_dialplan_diag_text(dp, i), "dp.xml", 6), "diagnostic without the file",
               sc_dialplan_diag_text(dp, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size + 1);
    memcpy(xml, data, size);
    xml[size] = '\0'; /* load_string stops at a NUL byte, as a C string does */

    sc_dialplan *dp = sc_dialplan_new();
    int rc = sc_dialplan_load_string(dp, xml, "dp.xml", "t");
    check_load(dp, rc);
    for (guint i = 0; i < dp->contexts->len && i < 8; i++)
        route_all(dp, ((const dp_context *)g_ptr_array_index(dp->contexts, i))->name);
    for (size_t i = 0; i < G_N_ELEMENTS(fixed_contexts); i++)
        route_all(dp, fixed_contexts[i]);

    sc_dialplan_free(dp);
    free(xml);
    return 0;
}
