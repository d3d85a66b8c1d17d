/* microbench: dial-rule checks and dialplan routing decisions per second, in C.
 *
 *   microbench [--seconds S] [--reps N] [--dialplan FILE]
 *
 * Prints one JSON object: per repetition, sc_dialrule_check() calls per
 * second on the Skype Connect prefix rule "00" with an allowed number (no
 * dial string asked for), and sc_dialplan_route() decisions per second on
 * bench/dialplan.xml's "public" context (the match is the last extension). */
#define _GNU_SOURCE
#include <skypeconnect/skypeconnect.h>

#include "bench_util.h"

#define NUMBER "0044201234567"

static double time_dialrule(const sc_dialrule *rule, double seconds)
{
    long long t0 = bench_now_us(), t;
    long n = 0;
    do {
        for (int i = 0; i < 100000; i++)
            if (sc_dialrule_check(rule, NUMBER, NULL) != SC_OK) {
                fprintf(stderr, "microbench: check refused: %s\n", sc_last_error());
                exit(1);
            }
        n += 100000;
        t = bench_now_us();
    } while (t - t0 < (long long)(seconds * 1e6));
    return (double)n * 1e6 / (double)(t - t0);
}

static double time_dialplan(const sc_dialplan *dp, double seconds)
{
    sc_call_fields *f = sc_call_fields_new();
    long long t0 = bench_now_us(), t;
    long n = 0;
    sc_call_fields_set(f, "destination_number", NUMBER);
    sc_call_fields_set(f, "caller_id_number", "4930111222");
    do {
        for (int i = 0; i < 1000; i++) {
            sc_route *r = NULL;
            if (sc_dialplan_route(dp, "public", f, &r) != SC_OK || sc_route_action_count(r) != 1) {
                fprintf(stderr, "microbench: route failed: %s\n", sc_last_error());
                exit(1);
            }
            sc_route_free(r);
        }
        n += 1000;
        t = bench_now_us();
    } while (t - t0 < (long long)(seconds * 1e6));
    sc_call_fields_free(f);
    return (double)n * 1e6 / (double)(t - t0);
}

int main(int argc, char **argv)
{
    double seconds = bench_opt_double(argc, argv, "--seconds", 0.5);
    int reps = (int)bench_opt_long(argc, argv, "--reps", 3);
    const char *dp_path = bench_opt(argc, argv, "--dialplan", NULL);
    sc_dialrule *rule = sc_dialrule_new_prefix("00");
    sc_dialplan *dp = NULL;
    if (!rule) return 1;
    if (dp_path) {
        dp = sc_dialplan_new();
        if (sc_dialplan_load_file(dp, dp_path, "public") != SC_OK) {
            fprintf(stderr, "microbench: %s\n", sc_last_error());
            return 1;
        }
    }
    printf("{\"dialrule_checks_per_s\":[");
    for (int i = 0; i < reps; i++) printf("%s%.0f", i ? "," : "", time_dialrule(rule, seconds));
    printf("],\"dialplan_routes_per_s\":[");
    for (int i = 0; dp && i < reps; i++) printf("%s%.0f", i ? "," : "", time_dialplan(dp, seconds));
    printf("]}\n");
    sc_dialrule_free(rule);
    sc_dialplan_free(dp);
    return 0;
}
