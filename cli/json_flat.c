/* See json_flat.h. */
#include <string.h>
#include <glib.h>

#include "json_flat.h"

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    return p;
}

/* A string literal at p (on its opening quote) into b; returns the byte
 * after the closing quote, or NULL. \uXXXX escapes become UTF-8. */
static const char *read_string(const char *p, GString *b)
{
    for (p++; *p && *p != '"'; p++) {
        if (*p != '\\') {
            g_string_append_c(b, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'n': g_string_append_c(b, '\n'); break;
        case 't': g_string_append_c(b, '\t'); break;
        case 'r': g_string_append_c(b, '\r'); break;
        case 'b': g_string_append_c(b, '\b'); break;
        case 'f': g_string_append_c(b, '\f'); break;
        case 'u': {
            char hex[5] = { 0 };
            if (strlen(p + 1) < 4) return NULL;
            memcpy(hex, p + 1, 4);
            g_string_append_unichar(b, (gunichar)g_ascii_strtoull(hex, NULL, 16));
            p += 4;
            break;
        }
        case '\0': return NULL;
        default: g_string_append_c(b, *p); break;
        }
    }
    return *p == '"' ? p + 1 : NULL;
}

/* A non-string value: up to the comma or brace that ends it at depth 0. */
static const char *read_raw(const char *p, GString *b)
{
    int depth = 0;
    bool in_string = false;
    for (; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1]) g_string_append_c(b, *p++);
            else if (*p == '"') in_string = false;
        } else if (*p == '"') {
            in_string = true;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0) break;
            depth--;
        } else if (*p == ',' && depth == 0) {
            break;
        }
        g_string_append_c(b, *p);
    }
    while (b->len && (b->str[b->len - 1] == ' ' || b->str[b->len - 1] == '\t')) g_string_truncate(b, b->len - 1);
    return b->len ? p : NULL;
}

bool cli_json_each(const char *line, cli_json_member_fn fn, void *user)
{
    const char *p = skip_ws(line ? line : "");
    GString *key = g_string_new(NULL), *value = g_string_new(NULL);
    bool ok = false;
    if (*p++ != '{') goto out;
    p = skip_ws(p);
    if (*p == '}') {
        ok = true;
        goto out;
    }
    for (;;) {
        bool is_string;
        g_string_truncate(key, 0);
        g_string_truncate(value, 0);
        if (*p != '"' || !(p = read_string(p, key))) goto out;
        p = skip_ws(p);
        if (*p++ != ':') goto out;
        p = skip_ws(p);
        is_string = *p == '"';
        p = is_string ? read_string(p, value) : read_raw(p, value);
        if (!p) goto out;
        fn(key->str, value->str, is_string, user);
        p = skip_ws(p);
        if (*p == '}') break;
        if (*p++ != ',') goto out;
        p = skip_ws(p);
    }
    ok = true;
out:
    g_string_free(key, TRUE);
    g_string_free(value, TRUE);
    return ok;
}

typedef struct field_find {
    const char *key;
    char *value;
} field_find;

static void find_member(const char *key, const char *value, bool is_string, void *user)
{
    field_find *f = user;
    (void)is_string;
    if (!f->value && !strcmp(key, f->key)) f->value = g_strdup(value);
}

char *cli_json_field(const char *line, const char *key)
{
    field_find f = { key, NULL };
    cli_json_each(line, find_member, &f);
    return f.value;
}
