/* Trunk policies: the registry (shared by name, refcounted, thread-safe),
 * dial checks identical to a session's, and the atomic channel count. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sc_test.h"
#include "skypeconnect/skypeconnect.h"

static const char *gateway_xml =
    "<include>\n"
    "  <gateway name=\"pol_skype\">\n"
    "    <param name=\"register\" value=\"false\"/>\n"
    "    <param name=\"proxy\" value=\"127.0.0.1:5999\"/>\n"
    "    <param name=\"dial-prefix\" value=\"00\"/>\n"
    "    <param name=\"emergency-country\" value=\"FR\"/>\n"
    "    <param name=\"emergency-numbers\" value=\"1616\"/>\n"
    "    <param name=\"max-channels\" value=\"3\"/>\n"
    "  </gateway>\n"
    "  <gateway name=\"pol_pattern\">\n"
    "    <param name=\"register\" value=\"false\"/>\n"
    "    <param name=\"proxy\" value=\"127.0.0.1:5999\"/>\n"
    "    <param name=\"dial-pattern\" value=\"^9(\\d+)$\"/>\n"
    "    <param name=\"dial-format\" value=\"+$1\"/>\n"
    "  </gateway>\n"
    "  <gateway name=\"pol_norule\">\n"
    "    <param name=\"register\" value=\"false\"/>\n"
    "    <param name=\"proxy\" value=\"127.0.0.1:5999\"/>\n"
    "  </gateway>\n"
    "</include>\n";

static char *write_tmp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("sc_policy_XXXXXX.xml", &path, NULL);
    if (fd < 0) return NULL;
    close(fd);
    g_file_set_contents(path, text, -1, NULL);
    return path;
}

static void load_is_shared_and_refcounted(void)
{
    char *path = write_tmp(gateway_xml);
    sc_policy *a, *b, *c;
    CHECK_EQ_INT(sc_policy_registered_count(), 0);
    a = sc_policy_load(path, "pol_skype");
    CHECK(a != NULL);
    b = sc_policy_load(path, "pol_skype");
    CHECK(a == b);
    CHECK_EQ_INT(sc_policy_refcount(a), 2);
    c = sc_policy_get("pol_skype");
    CHECK(c == a);
    CHECK_EQ_INT(sc_policy_refcount(a), 3);
    CHECK_STR(sc_policy_name(a), "pol_skype");
    CHECK_STR(sc_policy_source(a), path);
    CHECK_EQ_INT(sc_policy_max_channels(a), 3);
    CHECK_EQ_INT(sc_policy_registered_count(), 1);
    sc_policy_unref(c);
    sc_policy_unref(b);
    CHECK_EQ_INT(sc_policy_refcount(a), 1);
    sc_policy_unref(a);
    CHECK_EQ_INT(sc_policy_registered_count(), 0);
    CHECK(sc_policy_get("pol_skype") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    g_unlink(path);
    g_free(path);
}

static void load_errors(void)
{
    char *path = write_tmp(gateway_xml);
    char *bad = write_tmp("<gateway name=\"x\"><param name=\"retry-seconds\" value=\"abc\"/></gateway>");
    sc_policy *p;
    CHECK(sc_policy_load(path, "nope") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_CONTAINS(sc_last_error(), "nope");
    CHECK(sc_policy_load("/nonexistent/gw.xml", "x") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EIO);
    CHECK(sc_policy_load(bad, "x") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ECONFIG);
    CHECK_CONTAINS(sc_last_error(), "retry-seconds");
    CHECK_CONTAINS(sc_last_error(), ":1:");
    CHECK(sc_policy_load(path, NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
    /* the same name from another source is a conflict, not a silent alias */
    p = sc_policy_load(path, "pol_pattern");
    CHECK(p != NULL);
    CHECK(sc_policy_load(bad, "pol_pattern") == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EEXISTS);
    sc_policy_unref(p);
    CHECK_EQ_INT(sc_policy_registered_count(), 0);
    g_unlink(path);
    g_unlink(bad);
    g_free(path);
    g_free(bad);
}

static void checks_match_the_dial_rules(void)
{
    char *path = write_tmp(gateway_xml);
    sc_policy *p = sc_policy_load(path, "pol_skype");
    sc_policy *q = sc_policy_load(path, "pol_pattern");
    sc_policy *n = sc_policy_load(path, "pol_norule");
    char *dial = NULL;
    CHECK_EQ_INT(sc_policy_check(p, "0044201234567", &dial), SC_OK);
    CHECK_STR(dial, "0044201234567");
    sc_free(dial);
    CHECK_EQ_INT(sc_policy_check(p, "4420123", &dial), SC_EREFUSED);
    CHECK(dial == NULL);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_NO_MATCH);
    CHECK_CONTAINS(sc_last_error(), "gateway 'pol_skype'");
    CHECK_EQ_INT(sc_policy_check(p, "00112", NULL), SC_EREFUSED);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_EMERGENCY);
    CHECK_EQ_INT(sc_policy_check(p, "0017", NULL), SC_EREFUSED);   /* FR: 17 */
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_EMERGENCY);
    CHECK_EQ_INT(sc_policy_check(p, "001616", NULL), SC_EREFUSED); /* emergency-numbers */
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_EMERGENCY);
    CHECK_EQ_INT(sc_policy_check(p, "00a1", NULL), SC_EREFUSED);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_BAD_NUMBER);
    CHECK_CONTAINS(sc_policy_describe(p), "00");
    CHECK_EQ_INT(sc_policy_check(q, "9441234567", &dial), SC_OK);
    CHECK_STR(dial, "+441234567");
    sc_free(dial);
    CHECK_EQ_INT(sc_policy_check(q, "9112", NULL), SC_EREFUSED);
    CHECK_EQ_INT(sc_policy_check(n, "0044201234567", NULL), SC_EREFUSED);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_NO_RULE);
    CHECK_STR(sc_policy_describe(n), "");
    CHECK_EQ_INT(sc_policy_check(NULL, "1", NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_policy_check(p, NULL, NULL), SC_EINVAL);
    sc_policy_unref(p);
    sc_policy_unref(q);
    sc_policy_unref(n);
    g_unlink(path);
    g_free(path);
}

static void from_gateway(void)
{
    sc_gateway *gw = sc_gateway_new("pol_code");
    sc_policy *p, *again;
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "proxy", "127.0.0.1:5999");
    sc_gateway_set(gw, "register", "true");
    p = sc_policy_from_gateway(gw);   /* invalid: register=true needs credentials */
    CHECK(p == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ECONFIG);
    CHECK_EQ_INT(sc_policy_registered_count(), 0);
    sc_gateway_set(gw, "register", "false");
    sc_gateway_set(gw, "dial-prefix", "+44");
    p = sc_policy_from_gateway(gw);
    CHECK(p != NULL);
    CHECK_STR(sc_policy_source(p), "<gateway>");
    CHECK(sc_policy_from_gateway(gw) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EEXISTS);
    again = sc_policy_load(NULL, "pol_code");
    CHECK(again == p);
    CHECK_EQ_INT(sc_policy_check(p, "+442012345", NULL), SC_OK);
    CHECK_EQ_INT(sc_policy_check(p, "+332012345", NULL), SC_EREFUSED);
    sc_policy_unref(again);
    sc_policy_unref(p);
    CHECK(sc_policy_from_gateway(NULL) == NULL);
    sc_gateway_free(gw);
}

static void channels(void)
{
    char *path = write_tmp(gateway_xml);
    sc_policy *p = sc_policy_load(path, "pol_skype");
    sc_policy *u = sc_policy_load(path, "pol_pattern");
    CHECK_EQ_INT(sc_policy_channels_in_use(p), 0);
    CHECK_EQ_INT(sc_policy_release_channel(p), SC_ESTATE);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(sc_policy_acquire_channel(p), SC_OK);
    CHECK_EQ_INT(sc_policy_acquire_channel(p), SC_ECHANNELS);
    CHECK_EQ_INT(sc_dialrule_last_refusal(), SC_DIAL_CHANNELS);
    CHECK_CONTAINS(sc_last_error(), "3 channels");
    CHECK_EQ_INT(sc_policy_channels_in_use(p), 3);
    CHECK_EQ_INT(sc_policy_release_channel(p), SC_OK);
    CHECK_EQ_INT(sc_policy_acquire_channel(p), SC_OK);
    for (int i = 0; i < 3; i++) sc_policy_release_channel(p);
    CHECK_EQ_INT(sc_policy_channels_in_use(p), 0);
    for (int i = 0; i < 100; i++) CHECK_EQ_INT(sc_policy_acquire_channel(u), SC_OK);  /* unlimited */
    CHECK_EQ_INT(sc_policy_max_channels(u), 0);
    CHECK_EQ_INT(sc_policy_acquire_channel(NULL), SC_EINVAL);
    CHECK_EQ_INT(sc_policy_channels_in_use(NULL), SC_EINVAL);
    sc_policy_unref(p);
    sc_policy_unref(u);
    g_unlink(path);
    g_free(path);
}

/* Many threads: load, check, take and give back channels, unref. The channel
 * count never exceeds max-channels, and the registry ends empty. */
typedef struct {
    const char *path;
    int taken_max, over;
    gint *live;
} worker_ctx;

static gpointer worker(gpointer data)
{
    worker_ctx *w = data;
    for (int i = 0; i < 500; i++) {
        sc_policy *p = sc_policy_load(w->path, "pol_skype");
        if (!p) {
            w->over++;
            continue;
        }
        if (sc_policy_check(p, "0044201234567", NULL) != SC_OK) w->over++;
        if (sc_policy_check(p, "00112", NULL) != SC_EREFUSED) w->over++;
        if (sc_policy_acquire_channel(p) == SC_OK) {
            int now = g_atomic_int_add(w->live, 1) + 1;
            if (now > 3) w->over++;
            if (now > w->taken_max) w->taken_max = now;
            g_atomic_int_add(w->live, -1);
            sc_policy_release_channel(p);
        }
        sc_policy_unref(p);
    }
    return NULL;
}

static void many_threads(void)
{
    char *path = write_tmp(gateway_xml);
    GThread *t[8];
    worker_ctx w[8];
    gint live = 0;
    for (int i = 0; i < 8; i++) {
        w[i] = (worker_ctx){ path, 0, 0, &live };
        t[i] = g_thread_new("pol", worker, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        g_thread_join(t[i]);
        CHECK_EQ_INT(w[i].over, 0);
    }
    CHECK_EQ_INT(sc_policy_registered_count(), 0);
    g_unlink(path);
    g_free(path);
}

SC_TEST_MAIN(TEST(load_is_shared_and_refcounted), TEST(load_errors), TEST(checks_match_the_dial_rules),
             TEST(from_gateway), TEST(channels), TEST(many_threads))
