/* Thread-safe luaopen_skypeconnect.
 *
 * SWIG's module initialisation (SWIG_InitializeModule, SWIG_PropagateClientData)
 * writes process-global tables and is not thread-safe. FreeSWITCH's mod_lua
 * runs every call's script in a fresh lua_State on the channel's thread, so
 * many states `require "skypeconnect"` at once. The generated entry point is
 * renamed (skypeconnect.i, %begin) and run here under one mutex, inside
 * lua_pcall so that an error cannot skip the unlock. The module is linked
 * with -z nodelete, so each lua_close() does not unmap it. */
#include <pthread.h>
#include <lua.h>
#include <lauxlib.h>

int luaopen_skypeconnect_unlocked(lua_State *L);
__attribute__((visibility("default"))) int luaopen_skypeconnect(lua_State *L);

static pthread_mutex_t sc_luaopen_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((visibility("default"))) int luaopen_skypeconnect(lua_State *L)
{
    int status;
    lua_pushcfunction(L, luaopen_skypeconnect_unlocked);
    lua_insert(L, 1);
    pthread_mutex_lock(&sc_luaopen_lock);
    status = lua_pcall(L, lua_gettop(L) - 1, 1, 0);
    pthread_mutex_unlock(&sc_luaopen_lock);
    if (status != 0) return lua_error(L);
    return 1;
}
