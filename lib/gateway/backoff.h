/* Retry policy after a failed registration: pure functions, unit-tested. */
#ifndef SC_BACKOFF_H
#define SC_BACKOFF_H

/* Longest wait between two attempts, whatever the failure. */
#define SC_BACKOFF_CAP_S 600
/* Longest wait after the registrar refused the credentials. */
#define SC_BACKOFF_AUTH_CAP_S 3600
/* Shortest wait after the registrar refused the credentials: never trip a
 * provider's brute-force protection, whatever retry-seconds says. */
#define SC_BACKOFF_AUTH_MIN_S 60

/* Seconds to wait before the next attempt.
 * base: retry-seconds (or 908-retry-seconds after a timeout);
 * failures: consecutive failures including this one (>= 1);
 * reason: sc_reason of this failure; retry_after: Retry-After seconds, 0 if none;
 * random: any 32-bit random number (jitter of up to +10%). */
int sc_backoff_seconds(int base, int failures, int reason, int retry_after, unsigned random);

/* Seconds after a successful registration granting `granted` seconds at which
 * to refresh it: L = the lifetime less a margin (a tenth, 15 s to 5 min, but
 * L at least half the lifetime), then `random` picks uniformly in [L/2, L],
 * so that many gateways registered together do not refresh in step
 * (docs/recovery.md, "The rules behind the numbers"). */
int sc_refresh_seconds(int granted, unsigned random);

#endif
