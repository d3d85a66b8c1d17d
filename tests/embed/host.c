#define _DEFAULT_SOURCE /* usleep, setenv, mkstemp */
/* mod_lua emulation: a host process dlopen()s fake_mod_lua.so with
 * RTLD_GLOBAL (FreeSWITCH loads mod_lua with SMODF_GLOBAL_SYMBOLS), then
 * runs examples/lua/skype_outbound.lua for many calls at once: 8 threads,
 * each call in a fresh lua_State that require()s the module (concurrent
 * requires are safe: see docs/freeswitch-mod-lua.md) and asks the shared
 * trunk policy. Checks the
 * applications each call executed, that max-channels was never exceeded,
 * and that no policy is left registered once every lua_State is closed.
 *
 * With MODULE skypeconnect_policy (the module the script requires; default
 * skypeconnect), also checks that no Sofia-SIP, OpenSSL or GStreamer library
 * was ever mapped into the process: FreeSWITCH has its own Sofia-SIP.
 *
 * usage: embed_host FAKE_MOD_LUA.so MODULE_DIR SCRIPT [MODULE] */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*run_fn)(const char *, const char *, const char *, const char *, char *, size_t, char *, size_t,
                      char *, size_t);
typedef long (*eval_fn)(const char *);
typedef int (*max_fn)(void);

static run_fn run;
static const char *script;
static char xml_path[256];
static atomic_int failures, bridged, busy;

/* The first library of the process whose path holds one of the words, or NULL. */
static const char *sip_stack_mapped(char *line, size_t n)
{
    static const char *const words[] = { "sofia", "libssl", "libcrypto", "libgst" };
    FILE *maps = fopen("/proc/self/maps", "r");
    const char *hit = NULL;
    if (!maps) return NULL;
    while (!hit && fgets(line, (int)n, maps)) {
        const char *path = strchr(line, '/');
        for (size_t i = 0; path && !hit && i < sizeof words / sizeof *words; i++)
            if (strstr(path, words[i])) hit = path;
    }
    fclose(maps);
    return hit;
}

#define THREADS 8
#define CALLS 40

typedef struct { const char *gateway, *dest, *expect, *expect_var; } call_case;

static const call_case cases[] = {
    { "skype", "0044201234561", "bridge sofia/gateway/skype/0044201234561\n", "skype_dial=0044201234561" },
    { "skype", "00999", "respond 403 Emergency calls are not possible through this trunk\n", "skype_refusal=emergency" },
    { "skype", "0044112", NULL, "skype_refusal=emergency" },   /* 112 after 0044 */
    { "skype", "4412345", "respond 403 Number not allowed on this trunk\n", "skype_refusal=no_match" },
    { "skype", "00a1", "respond 484 Address Incomplete\n", "skype_refusal=bad_number" },
    { "skype_pat", "9441234567", "bridge sofia/gateway/skype_pat/00441234567\n", "skype_dial=00441234567" },
    { "skype_pat", "9112", NULL, "skype_refusal=emergency" },
    { "nosuch", "0044201234561", "respond 503 Service Unavailable\n", "skype_refusal=config" },
};
#define NCASES (sizeof cases / sizeof *cases)

static void *channel_thread(void *arg)
{
    long t = (long)arg;
    for (int i = 0; i < CALLS; i++) {
        const call_case *c = &cases[(t + i) % NCASES];
        char executed[1024], vars[1024], err[512] = "";
        if (run(script, c->gateway, xml_path, c->dest, executed, sizeof executed, vars, sizeof vars, err,
                sizeof err) != 0) {
            fprintf(stderr, "call %s via %s: script error: %s\n", c->dest, c->gateway, err);
            atomic_fetch_add(&failures, 1);
            continue;
        }
        if (!strcmp(executed, "respond 503 All trunk channels are busy\n") && strstr(vars, "skype_refusal=channels")) {
            atomic_fetch_add(&busy, 1);   /* max-channels reached: a correct answer too */
            continue;
        }
        if ((c->expect && strcmp(executed, c->expect)) || !strstr(vars, c->expect_var)) {
            fprintf(stderr, "call %s via %s: executed [%s] vars [%s], expected [%s] and %s\n", c->dest, c->gateway,
                    executed, vars, c->expect ? c->expect : "(any)", c->expect_var);
            atomic_fetch_add(&failures, 1);
        }
        if (!strncmp(executed, "bridge", 6)) atomic_fetch_add(&bridged, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    void *mod;
    char cpath[1024];
    pthread_t th[THREADS];
    eval_fn eval;
    max_fn max_bridges;
    FILE *f;
    int fd;
    long left;
    const char *module = argc > 4 ? argv[4] : "skypeconnect", *sip_lib;
    char chunk[256], maps_line[1024];

    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s FAKE_MOD_LUA.so MODULE_DIR SCRIPT [MODULE]\n", argv[0]);
        return 2;
    }
    script = argv[3];
    /* lua.conf.xml module-directory: mod_lua prepends it to LUA_CPATH */
    snprintf(cpath, sizeof cpath, "%s/?.so;;", argv[2]);
    setenv("LUA_CPATH", cpath, 1);
    unsetenv("LUA_CPATH_5_2"); unsetenv("LUA_CPATH_5_3"); unsetenv("LUA_CPATH_5_4");

    snprintf(xml_path, sizeof xml_path, "/tmp/sc_embed_XXXXXX");
    fd = mkstemp(xml_path);
    if (fd < 0 || !(f = fdopen(fd, "w"))) { perror("mkstemp"); return 2; }
    fputs("<include>\n"
          " <gateway name=\"skype\">\n"
          "  <param name=\"realm\" value=\"sip.example.net\"/><param name=\"username\" value=\"u\"/>\n"
          "  <param name=\"password\" value=\"p\"/><param name=\"dial-prefix\" value=\"00\"/>\n"
          "  <param name=\"emergency-country\" value=\"GB\"/><param name=\"max-channels\" value=\"2\"/>\n"
          " </gateway>\n"
          " <gateway name=\"skype_pat\">\n"
          "  <param name=\"register\" value=\"false\"/><param name=\"proxy\" value=\"sip.example.net\"/>\n"
          "  <param name=\"dial-pattern\" value=\"^9(\\d+)$\"/><param name=\"dial-format\" value=\"00$1\"/>\n"
          " </gateway>\n"
          "</include>\n", f);
    fclose(f);

    mod = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!mod) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    run = (run_fn)dlsym(mod, "fake_mod_lua_run");
    eval = (eval_fn)dlsym(mod, "fake_mod_lua_eval");
    max_bridges = (max_fn)dlsym(mod, "fake_mod_lua_max_bridges");
    if (!run || !eval || !max_bridges) { fprintf(stderr, "dlsym failed\n"); return 1; }

    for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, channel_thread, (void *)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);

    snprintf(chunk, sizeof chunk, "return require('%s').policy_registered_count()", module);
    left = eval(chunk);
    unlink(xml_path);
    printf("%d calls on %d threads: %d bridged, %d refused as busy, max %d bridges at once, "
           "%ld policies left, %d failures\n", THREADS * CALLS, THREADS, atomic_load(&bridged), atomic_load(&busy),
           max_bridges(), left, atomic_load(&failures));
    if (max_bridges() > 2) { fprintf(stderr, "max-channels (2) exceeded\n"); return 1; }
    if (atomic_load(&bridged) == 0) { fprintf(stderr, "nothing bridged\n"); return 1; }
    if (left != 0) { fprintf(stderr, "policies still registered after every lua_close\n"); return 1; }
    if (!strcmp(module, "skypeconnect_policy") && (sip_lib = sip_stack_mapped(maps_line, sizeof maps_line))) {
        fprintf(stderr, "%s loaded a SIP stack library: %s", module, sip_lib);
        return 1;
    }
    return atomic_load(&failures) ? 1 : 0;
}
