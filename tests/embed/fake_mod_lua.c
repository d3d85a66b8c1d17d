#define _DEFAULT_SOURCE /* usleep, setenv, mkstemp */
/* A stand-in for FreeSWITCH's mod_lua: linked to one liblua, dlopen()ed by
 * the host with RTLD_GLOBAL (as SMODF_GLOBAL_SYMBOLS does), it runs a script
 * per call in a fresh lua_State on the calling thread, with mod_lua's
 * globals: argv, freeswitch.consoleLog, and a `session` object whose
 * execute() is recorded. lua_gc + lua_close at the end, like lua_uninit(). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

typedef struct call_rec {
    const char *destination;
    char executed[1024];      /* "app data\n" per execute() */
    char vars[1024];          /* "name=value\n" per setVariable() */
} call_rec;

static atomic_int bridges_now, bridges_max;

#if LUA_VERSION_NUM < 502
#  define luaL_setfuncs(L, f, n) luaL_register(L, NULL, f)
#endif

static call_rec *rec_of(lua_State *L)
{
    call_rec *r;
    lua_getfield(L, LUA_REGISTRYINDEX, "fake_mod_lua.rec");
    r = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return r;
}

static void append(char *buf, size_t cap, const char *a, const char *sep, const char *b)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s%s\n", a, sep, b ? b : "");
}

static int s_getVariable(lua_State *L)
{
    const char *name = luaL_checkstring(L, 2);
    if (!strcmp(name, "destination_number")) lua_pushstring(L, rec_of(L)->destination);
    else lua_pushnil(L);
    return 1;
}

static int s_setVariable(lua_State *L)
{
    call_rec *r = rec_of(L);
    append(r->vars, sizeof r->vars, luaL_checkstring(L, 2), "=", luaL_optstring(L, 3, ""));
    return 0;
}

static int s_execute(lua_State *L)
{
    call_rec *r = rec_of(L);
    const char *app = luaL_checkstring(L, 2), *data = luaL_optstring(L, 3, "");
    append(r->executed, sizeof r->executed, app, " ", data);
    if (!strcmp(app, "bridge") && !strncmp(data, "sofia/gateway/skype/", 20)) {
        /* the bridged call lasts a moment; gateway "skype" has max-channels 2 */
        int now = atomic_fetch_add(&bridges_now, 1) + 1, max = atomic_load(&bridges_max);
        while (now > max && !atomic_compare_exchange_weak(&bridges_max, &max, now)) {}
        usleep(20000);
        atomic_fetch_sub(&bridges_now, 1);
    }
    return 0;
}

static int s_ready(lua_State *L) { lua_pushboolean(L, 1); return 1; }
static int fs_consoleLog(lua_State *L) { (void)L; return 0; }

/* Runs one "call": script with argv, destination; fills executed/vars.
 * Returns 0, or -1 with the Lua error in err. */
__attribute__((visibility("default")))
int fake_mod_lua_run(const char *script, const char *arg1, const char *arg2, const char *destination,
                     char *executed, size_t executed_cap, char *vars, size_t vars_cap, char *err, size_t err_cap)
{
    static const luaL_Reg session_fns[] = {
        { "getVariable", s_getVariable }, { "setVariable", s_setVariable },
        { "execute", s_execute }, { "ready", s_ready }, { NULL, NULL } };
    call_rec rec = { destination, "", "" };
    lua_State *L = luaL_newstate();
    int rc = 0;
    luaL_openlibs(L);
    lua_pushlightuserdata(L, &rec);
    lua_setfield(L, LUA_REGISTRYINDEX, "fake_mod_lua.rec");
    lua_newtable(L);
    lua_pushcfunction(L, fs_consoleLog);
    lua_setfield(L, -2, "consoleLog");
    lua_setglobal(L, "freeswitch");
    lua_newtable(L);                       /* session */
    lua_newtable(L);                       /* its metatable */
    lua_newtable(L);
    luaL_setfuncs(L, session_fns, 0);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "session");
    lua_newtable(L);                       /* argv */
    lua_pushstring(L, script); lua_rawseti(L, -2, 0);
    if (arg1) { lua_pushstring(L, arg1); lua_rawseti(L, -2, 1); }
    if (arg2) { lua_pushstring(L, arg2); lua_rawseti(L, -2, 2); }
    lua_setglobal(L, "argv");
    if (luaL_dofile(L, script) != 0) {
        snprintf(err, err_cap, "%s", lua_tostring(L, -1));
        rc = -1;
    }
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_close(L);
    snprintf(executed, executed_cap, "%s", rec.executed);
    snprintf(vars, vars_cap, "%s", rec.vars);
    return rc;
}

/* Runs a chunk in a fresh state and returns its integer result (or -1000). */
__attribute__((visibility("default")))
long fake_mod_lua_eval(const char *chunk)
{
    lua_State *L = luaL_newstate();
    long v = -1000;
    luaL_openlibs(L);
    if (luaL_dostring(L, chunk) == 0 && lua_isnumber(L, -1)) v = (long)lua_tonumber(L, -1);
    else fprintf(stderr, "eval: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return v;
}

__attribute__((visibility("default")))
int fake_mod_lua_max_bridges(void)
{
    return atomic_load(&bridges_max);
}
