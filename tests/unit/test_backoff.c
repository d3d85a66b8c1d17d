/* Retry back-off and refresh timing. */
#include "sc_test.h"
#include "backoff.h"
#include "skypeconnect/sc_event.h"

static void first_failure_waits_retry_seconds(void)
{
    CHECK_EQ_INT(sc_backoff_seconds(30, 1, SC_REASON_SERVER, 0, 0), 30);
    /* jitter adds at most a tenth */
    for (unsigned r = 0; r < 1000; r += 7) {
        int w = sc_backoff_seconds(30, 1, SC_REASON_TIMEOUT, 0, r);
        CHECK(w >= 30 && w <= 33);
    }
}

static void repeated_failures_double_up_to_a_cap(void)
{
    CHECK_EQ_INT(sc_backoff_seconds(30, 2, SC_REASON_NETWORK, 0, 0), 60);
    CHECK_EQ_INT(sc_backoff_seconds(30, 3, SC_REASON_NETWORK, 0, 0), 120);
    CHECK_EQ_INT(sc_backoff_seconds(30, 50, SC_REASON_NETWORK, 0, 0), SC_BACKOFF_CAP_S);
    CHECK_EQ_INT(sc_backoff_seconds(30, 1000000, SC_REASON_NETWORK, 0, 0), SC_BACKOFF_CAP_S);
    /* a base above the cap is honoured, not shortened */
    CHECK_EQ_INT(sc_backoff_seconds(900, 3, SC_REASON_SERVER, 0, 0), 900);
}

static void retry_after_is_honoured(void)
{
    CHECK_EQ_INT(sc_backoff_seconds(30, 1, SC_REASON_SERVER, 7, 0), 7);
    CHECK_EQ_INT(sc_backoff_seconds(30, 5, SC_REASON_SERVER, 120, 0), 120);
    CHECK_EQ_INT(sc_backoff_seconds(30, 1, SC_REASON_SERVER, 99999999, 0), SC_BACKOFF_AUTH_CAP_S);
}

static void rejected_credentials_back_off_long(void)
{
    int w1 = sc_backoff_seconds(5, 1, SC_REASON_AUTH, 0, 0);
    int w2 = sc_backoff_seconds(5, 2, SC_REASON_AUTH, 0, 0);
    CHECK(w1 >= SC_BACKOFF_AUTH_MIN_S);
    CHECK(w2 >= 2 * w1 - 1);
    CHECK_EQ_INT(sc_backoff_seconds(30, 1, SC_REASON_AUTH, 0, 0), 120);
    CHECK_EQ_INT(sc_backoff_seconds(30, 40, SC_REASON_AUTH, 0, 0), SC_BACKOFF_AUTH_CAP_S);
    /* at most a few REGISTERs a minute, whatever retry-seconds says */
    CHECK(sc_backoff_seconds(1, 1, SC_REASON_AUTH, 0, 0) >= 60);
}

static void nonsense_inputs_stay_sane(void)
{
    CHECK(sc_backoff_seconds(0, 0, SC_REASON_NONE, 0, 0) >= 1);
    CHECK(sc_backoff_seconds(-5, -3, SC_REASON_NONE, -1, 0) >= 1);
}

static void refresh_comes_before_expiry(void)
{
    for (unsigned r = 0; r < 5000; r += 13) {
        for (int g = 1; g <= 100000; g = g * 3 + 1) {
            int t = sc_refresh_seconds(g, r);
            CHECK(t >= 1 || g <= 1);
            CHECK(t < g || g <= 1);
        }
    }
    /* an hour: a tenth would be 6 minutes, capped at 5, then up to 15 min spread */
    CHECK_EQ_INT(sc_refresh_seconds(3600, 0), 3300);
    CHECK_EQ_INT(sc_refresh_seconds(3600, 60), 3240);
    CHECK_EQ_INT(sc_refresh_seconds(3600, 900), 2400);
    CHECK_EQ_INT(sc_refresh_seconds(600, 0), 540);
    CHECK_EQ_INT(sc_refresh_seconds(20, 0), 10);
    CHECK_EQ_INT(sc_refresh_seconds(20, 3), 7);
    CHECK_EQ_INT(sc_refresh_seconds(60, 0), 45);
}

static void refresh_is_spread(void)
{
    int lo = 1 << 30, hi = 0;
    for (unsigned r = 0; r < 1000; r++) {
        int t = sc_refresh_seconds(3600, r * 2654435761u);
        if (t < lo) lo = t;
        if (t > hi) hi = t;
    }
    CHECK(hi - lo >= 1500);  /* the window is 1650 s wide; give or take the random draw */
    /* never before half the latest safe moment (3300 s) */
    for (unsigned r = 0; r < 1000; r++) CHECK(sc_refresh_seconds(3600, r * 2654435761u) >= 1650);
}

SC_TEST_MAIN(TEST(first_failure_waits_retry_seconds), TEST(repeated_failures_double_up_to_a_cap),
             TEST(retry_after_is_honoured), TEST(rejected_credentials_back_off_long),
             TEST(nonsense_inputs_stay_sane), TEST(refresh_comes_before_expiry),
             TEST(refresh_is_spread))
