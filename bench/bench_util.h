/* Shared helpers of the benchmark drivers (sc_bench.c, nua_bench.c).
 *
 * Both drivers speak the same line protocol with bench/run:
 *   stdout: "READY port=N" once listening, then one JSON object per "stats" command
 *   stdin:  "go" (start the dial-outs / registrations), "stats", "stats heap"
 *           (the same with heap_kb, which walks every arena under its lock:
 *           costly on a big heap, so only where asked), "zero"/"dump"
 *           (callgrind: zero the counters / dump them), "quit"
 * and report the same counters, so the runner treats them alike. */
#ifndef SC_BENCH_UTIL_H
#define SC_BENCH_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef SC_BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#define BENCH_CG_ZERO() CALLGRIND_ZERO_STATS
#define BENCH_CG_DUMP() CALLGRIND_DUMP_STATS_AT("bench")
#else
#define BENCH_CG_ZERO() ((void)0)
#define BENCH_CG_DUMP() ((void)0)
#endif

/* The SDP both drivers offer or answer with (no media flows). */
#define BENCH_SDP "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" \
                  "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"                       \
                  "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"

/* Dial-outs are paced: each driver sleeps until the next call is due, at least
 * BENCH_TICK_MS, then dials every call that is due. */
#define BENCH_TICK_MS 5

/* Number dialled: passes the gateway's prefix rule "49"; never an emergency number. */
#define BENCH_NUMBER "4930123456"

static inline long long bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* User + system CPU time of the whole process, microseconds. */
static inline long long bench_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

/* User and system CPU time separately, microseconds. */
static inline void bench_cpu_split_us(long long *user, long long *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
    *sys = (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
}

/* Resident set size in KiB (VmRSS), or -1. */
static inline long bench_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Bytes the program holds from malloc, all arenas (glibc's mallinfo2), in
 * KiB, or -1 elsewhere. Beside VmRSS it tells data kept alive (this grows)
 * from memory freed but not given back to the system (only RSS grows).
 * It walks every free chunk with the arena locked: on a 1 GB heap it
 * stalled the session's thread (31 % of a profile when it was in every
 * "stats"), so only "stats heap" asks for it. */
static inline long bench_heap_kb(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return (long)((mi.uordblks + mi.hblkhd) / 1024);
#else
    return -1;
#endif
}

/* Whether a command line is "stats" or "stats heap"; *heap tells which. */
static inline bool bench_stats_cmd(const char *line, bool *heap)
{
    *heap = !strcmp(line, "stats heap");
    return *heap || !strcmp(line, "stats");
}

/* Option parsing: --name value pairs. */
static inline const char *bench_opt(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return def;
}

static inline bool bench_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name)) return true;
    return false;
}

static inline long bench_opt_long(int argc, char **argv, const char *name, long def)
{
    const char *v = bench_opt(argc, argv, name, NULL);
    return v ? strtol(v, NULL, 10) : def;
}

static inline double bench_opt_double(int argc, char **argv, const char *name, double def)
{
    const char *v = bench_opt(argc, argv, name, NULL);
    return v ? strtod(v, NULL) : def;
}

#endif
