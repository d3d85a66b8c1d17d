/* Retry and refresh timing.
 *
 * FreeSWITCH waits retry-seconds x failures, without a cap; we double from
 * retry-seconds up to a cap instead, add up to 10% jitter so that many
 * gateways do not retry in step, honour Retry-After, and back off much
 * longer when the password was refused (a wrong password retried every few
 * seconds gets the account locked by many providers). */
#include "backoff.h"
#include "skypeconnect/sc_event.h"

static int doubled(int base, int failures, int cap)
{
    long long wait = base;
    for (int i = 1; i < failures && wait < cap; i++) wait *= 2;
    return wait > cap ? cap : (int)wait;
}

static int with_jitter(int wait, unsigned random)
{
    int spread = wait / 10;
    return spread > 0 ? wait + (int)(random % (unsigned)(spread + 1)) : wait;
}

int sc_backoff_seconds(int base, int failures, int reason, int retry_after, unsigned random)
{
    if (base < 1) base = 1;
    if (failures < 1) failures = 1;
    if (retry_after > 0)
        return with_jitter(retry_after > SC_BACKOFF_AUTH_CAP_S ? SC_BACKOFF_AUTH_CAP_S : retry_after, random);
    if (reason == SC_REASON_AUTH) {
        int start = base * 4 > SC_BACKOFF_AUTH_MIN_S ? base * 4 : SC_BACKOFF_AUTH_MIN_S;
        return with_jitter(doubled(start, failures, SC_BACKOFF_AUTH_CAP_S), random);
    }
    return with_jitter(doubled(base, failures, base > SC_BACKOFF_CAP_S ? base : SC_BACKOFF_CAP_S), random);
}

int sc_refresh_seconds(int granted, unsigned random)
{
    int margin, latest, earliest;
    if (granted <= 1) return 1;
    /* The latest safe moment: a tenth of the lifetime before it lapses, at
     * least 15 s (FreeSWITCH's margin) and at most 5 minutes, but never
     * before half the lifetime (short lifetimes). */
    margin = granted / 10;
    if (margin < 15) margin = 15;
    if (margin > 300) margin = 300;
    latest = granted - margin;
    if (latest < granted / 2) latest = granted / 2;
    /* Then uniformly anywhere in the second half of the time up to it.
     * Gateways registered together (a restart, a config load) would
     * otherwise refresh in one burst, and with a narrow window for ever:
     * a window [L/2, L] keeps the first round's peak at 1.5x the long-run
     * mean rate ((L/2 + L) / 2 over L/2) and each later round spreads
     * them further. */
    earliest = latest / 2;
    latest -= (int)(random % (unsigned)(latest - earliest + 1));
    return latest > 0 ? latest : 1;
}
