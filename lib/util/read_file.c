/* See read_file.h. */
#include <errno.h>
#include <stdio.h>

#include "read_file.h"
#include "error_priv.h"

/* The whole file, or NULL with *err an errno. */
static GString *read_bounded(const char *path, size_t max, int *err)
{
    errno = 0;   /* a read error without errno then reads as EIO */
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    GString *text = g_string_new(NULL);
    char chunk[8192];
    size_t n;
    *err = 0;
    while (!*err && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (text->len + n > max) *err = EFBIG;
        else g_string_append_len(text, chunk, (gssize)n);
    }
    if (!*err && ferror(f)) *err = errno ? errno : EIO; /* EISDIR for a folder */
    fclose(f);
    if (*err) {
        g_string_free(text, TRUE);
        return NULL;
    }
    return text;
}

int sc_read_file(const char *path, size_t max, sc_diag_list *diags, GString **text)
{
    int err = 0;
    *text = read_bounded(path, max, &err);
    if (*text) return SC_OK;
    char *msg = g_strdup_printf("cannot read '%s': %s", path, g_strerror(err));
    sc_diag_list_add(diags, SC_DIAG_ERROR, path, 0, 0, NULL, NULL, false, msg);
    int status = sc_fail(SC_EIO, "%s", msg);
    g_free(msg);
    return status;
}
