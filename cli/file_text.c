/* See file_text.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "file_text.h"

char *cli_read_file(const char *path, size_t max, char **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    GByteArray *text;
    if (fd < 0) {
        *error = g_strdup_printf("cannot read '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    text = g_byte_array_new();
    for (;;) {
        guint8 chunk[16384];
        /* One byte past the limit tells "exactly max" from "more". */
        size_t want = MIN(sizeof chunk, max + 1 - text->len);
        ssize_t n = read(fd, chunk, want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            *error = g_strdup_printf("cannot read '%s': %s", path, g_strerror(errno));
            break;
        }
        if (n == 0) {
            close(fd);
            g_byte_array_append(text, (const guint8 *)"", 1);
            return (char *)g_byte_array_free(text, FALSE);
        }
        g_byte_array_append(text, chunk, (guint)n);
        if (text->len > max) {
            *error = g_strdup_printf("cannot read '%s': larger than %zu bytes", path, max);
            break;
        }
    }
    close(fd);
    g_byte_array_free(text, TRUE);
    return NULL;
}
