/* A 16-bit PCM mono WAV file whose header gets its real sizes on close, so
 * the recording is valid even though its length was unknown while writing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "media_priv.h"
#include "error_priv.h"

struct sc_media_wav {
    FILE *f;
    char *path;
    uint32_t data_bytes;
    int rate;
};

static void put_le(unsigned char *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void header(unsigned char h[44], int rate, uint32_t data_bytes)
{
    memcpy(h, "RIFF", 4);
    put_le(h + 4, 36 + data_bytes, 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le(h + 16, 16, 4);             /* fmt chunk size */
    put_le(h + 20, 1, 2);              /* PCM */
    put_le(h + 22, 1, 2);              /* mono */
    put_le(h + 24, (uint32_t)rate, 4);
    put_le(h + 28, (uint32_t)rate * 2, 4);
    put_le(h + 32, 2, 2);              /* block align */
    put_le(h + 34, 16, 2);             /* bits */
    memcpy(h + 36, "data", 4);
    put_le(h + 40, data_bytes, 4);
}

int sc_media_wav_open(const char *path, int rate, sc_media_wav **out)
{
    *out = NULL;
    FILE *f = fopen(path, "wb");
    if (!f) return sc_fail(SC_EIO, "record: cannot write '%s': %s", path, g_strerror(errno));
    unsigned char h[44];
    header(h, rate, 0);
    if (fwrite(h, 1, sizeof h, f) != sizeof h) {
        fclose(f);
        return sc_fail(SC_EIO, "record: cannot write '%s'", path);
    }
    sc_media_wav *w = g_new0(sc_media_wav, 1);
    w->f = f;
    w->path = g_strdup(path);
    w->rate = rate;
    *out = w;
    return SC_OK;
}

int sc_media_wav_write(sc_media_wav *w, const int16_t *pcm, size_t samples)
{
    unsigned char buf[2 * 960];
    while (samples) {
        size_t n = samples > 960 ? 960 : samples;
        for (size_t i = 0; i < n; i++) put_le(buf + 2 * i, (uint16_t)pcm[i], 2);
        if (fwrite(buf, 2, n, w->f) != n) return SC_EIO;
        w->data_bytes += (uint32_t)(2 * n);
        pcm += n;
        samples -= n;
    }
    return SC_OK;
}

int sc_media_wav_close(sc_media_wav *w)
{
    if (!w) return SC_OK;
    int rc = SC_OK;
    unsigned char h[44];
    header(h, w->rate, w->data_bytes);
    if ((fseek(w->f, 0, SEEK_SET) || fwrite(h, 1, sizeof h, w->f) != sizeof h)) rc = SC_EIO;
    if (fclose(w->f)) rc = SC_EIO;
    if (rc) rc = sc_fail(SC_EIO, "record: could not finish '%s'", w->path);
    g_free(w->path);
    g_free(w);
    return rc;
}
