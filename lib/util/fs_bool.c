/* The one list of FreeSWITCH's boolean spellings, for gateways and dialplans. */
#include <string.h>
#include <glib.h>

#include "fs_bool.h"

bool sc_fs_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", "t", "enabled", "enable", "active", "allow" };
    static const char *const no[] = { "false", "no", "off", "f", "disabled", "disable", "inactive", "disallow" };
    if (!v) return false;
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
        if (!g_ascii_strcasecmp(v, yes[i])) { *out = true; return true; }
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
        if (!g_ascii_strcasecmp(v, no[i])) { *out = false; return true; }
    if (*v && strspn(v, "0123456789") == strlen(v)) { /* switch_true: a nonzero number */
        *out = strspn(v, "0") != strlen(v);
        return true;
    }
    return false;
}

bool sc_fs_true(const char *v)
{
    bool b;
    return sc_fs_bool(v, &b) && b;
}
