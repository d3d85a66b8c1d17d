/* Thread-safe luaopen_skypeconnect (and luaopen_skypeconnect_policy: this
 * file is compiled with SC_LUAOPEN naming the entry point of the module).
 *
 * SWIG's module initialisation (SWIG_InitializeModule, SWIG_PropagateClientData)
 * writes process-global tables and is not thread-safe. FreeSWITCH's mod_lua
 * runs every call's script in a fresh lua_State on the channel's thread, so
 * many states `require "skypeconnect"` at once. The generated entry point is
 * renamed (skypeconnect.i, %begin) and run here under one mutex, inside
 * lua_pcall so that an error cannot skip the unlock. The module is linked
 * with -z nodelete, so each lua_close() does not unmap it.
 *
 * One lua_State takes one of the two modules: SWIG keeps class metatables
 * in the state's registry by class name ("Policy"), so the second module's
 * classes would take the first one's objects. Loading the other one into a
 * state that has one is an error; separate states may each have either. */
#include <pthread.h>
#include <string.h>
#include <lua.h>
#include <lauxlib.h>

#ifndef SC_LUAOPEN
#  define SC_LUAOPEN luaopen_skypeconnect
#endif
#define SC_UNLOCKED_(name) name##_unlocked
#define SC_UNLOCKED(name) SC_UNLOCKED_(name)

int SC_UNLOCKED(SC_LUAOPEN)(lua_State *L);
__attribute__((visibility("default"))) int SC_LUAOPEN(lua_State *L);

static pthread_mutex_t sc_luaopen_lock = PTHREAD_MUTEX_INITIALIZER;

#define SC_STR_(x) #x
#define SC_STR(x) SC_STR_(x)
#define SC_MODULE_NAME (SC_STR(SC_LUAOPEN) + sizeof "luaopen_" - 1)
static const char sc_loaded_key[] = "libskypeconnect: module in this lua_State";

__attribute__((visibility("default"))) int SC_LUAOPEN(lua_State *L)
{
    int status;
    const char *other;
    lua_getfield(L, LUA_REGISTRYINDEX, sc_loaded_key);
    other = lua_tostring(L, -1);
    if (other && strcmp(other, SC_MODULE_NAME) != 0)
        return luaL_error(L, "module '%s' cannot be loaded: this lua_State has '%s' already (use one of the two)",
                          SC_MODULE_NAME, other);
    lua_pop(L, 1);
    lua_pushstring(L, SC_MODULE_NAME);
    lua_setfield(L, LUA_REGISTRYINDEX, sc_loaded_key);
    lua_pushcfunction(L, SC_UNLOCKED(SC_LUAOPEN));
    lua_insert(L, 1);
    pthread_mutex_lock(&sc_luaopen_lock);
    status = lua_pcall(L, lua_gettop(L) - 1, 1, 0);
    pthread_mutex_unlock(&sc_luaopen_lock);
    if (status != 0) return lua_error(L);
    return 1;
}
