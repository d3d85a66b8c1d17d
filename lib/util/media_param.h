/* A gateway's media parameters, by FreeSWITCH's names (codec-prefs, rtp-ip,
 * rtp-start-port, rtp-end-port, rtp-timeout-sec, rtp-hold-timeout-sec,
 * auto-jitterbuffer-msec, rtp-secure-media, dtmf-type, rfc2833-pt,
 * inband-dtmf): one reading of their values for the two layers that need
 * it. config/ checks every value when a gateway is loaded (so `skypeconnect
 * check` and `run` name FILE:LINE), media/ turns them into a stream's
 * settings when a call asks for media. What this GStreamer can carry is
 * media/'s question; here a codec name only has to be one the library knows. */
#ifndef SC_MEDIA_PARAM_H
#define SC_MEDIA_PARAM_H

#include <stdbool.h>

/* The codecs the library can carry, for messages. */
#define SC_MEDIA_CODEC_NAMES "PCMU, PCMA, G722, opus"

/* Whether @p name is one of the media parameters above. */
bool sc_media_param_is(const char *name);

/* Reads one media parameter's (non-empty) value. NULL when it is
 * acceptable, with *num its number: ports, seconds, milliseconds, payload
 * type; 1 or 0 for rtp-secure-media and inband-dtmf; -1 for dtmf-type
 * info/none and 0 for rfc2833/rfc4733; untouched for rtp-ip and
 * codec-prefs. Else the problem, naming the value ("value '70000' is not a
 * whole number in 1024..65534"); g_free() it. */
char *sc_media_param_read(const char *name, const char *value, int *num);

/* The RTP port range: NULL when start is below end (0 = unset), else the
 * problem; g_free() it. */
char *sc_media_port_range_problem(int start, int end);

#endif
