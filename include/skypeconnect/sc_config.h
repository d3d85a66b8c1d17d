/**
 * @file sc_config.h
 * @brief Loading gateways from FreeSWITCH XML, with line-accurate diagnostics.
 *
 * Accepts the XML a FreeSWITCH user already keeps: one or more
 * `<gateway name="...">` elements, params directly under the gateway or under
 * `<params>`, optional `<variables>`, wrapped in `<include>`, a profile's
 * `<gateways>`, or a whole `<configuration>`.
 *
 * Loading never stops at the first problem: every error and warning is kept as
 * a diagnostic with file, line and column. A load that found any error returns
 * ::SC_ECONFIG (or ::SC_EPARSE for malformed XML) and the gateways of the
 * failed file are not kept.
 */
#ifndef SKYPECONNECT_SC_CONFIG_H
#define SKYPECONNECT_SC_CONFIG_H

#include "sc_common.h"
#include "sc_gateway.h"

SC_BEGIN_DECLS

/** A set of loaded gateways and the diagnostics of loading them. Opaque. */
typedef struct sc_config sc_config;

/** Severity of a diagnostic. */
typedef enum sc_diag_severity {
    SC_DIAG_WARNING = 1,
    SC_DIAG_ERROR = 2
} sc_diag_severity;

/** An empty configuration, or NULL (::SC_ENOMEM). */
SC_API sc_config *sc_config_new(void);

/** Frees a configuration and every gateway in it. NULL is fine. */
SC_API void sc_config_free(sc_config *cfg);

/**
 * Loads the gateways of one XML file and appends them.
 * @return ::SC_OK (warnings may have been added; a file without any
 *         `<gateway>`, even an empty one, gives the warning "no <gateway>
 *         found"); ::SC_EIO if the file cannot be read; ::SC_EPARSE for
 *         malformed XML (one diagnostic, where the XML parser stopped);
 *         ::SC_ECONFIG for invalid gateways (duplicate names across files
 *         included).
 */
SC_API int sc_config_load_file(sc_config *cfg, const char *path);

/**
 * Like sc_config_load_file() for XML in memory.
 * @param source_name the name diagnostics use for this text (e.g. "<string>").
 */
SC_API int sc_config_load_string(sc_config *cfg, const char *xml, const char *source_name);

/** Adds a gateway built in code (copied). ::SC_EEXISTS for a duplicate name, ::SC_ECONFIG if invalid. */
SC_API int sc_config_add_gateway(sc_config *cfg, const sc_gateway *gw);

/** Number of gateways loaded. */
SC_API size_t sc_config_gateway_count(const sc_config *cfg);

/** The i-th gateway (borrowed), or NULL past the end. */
SC_API const sc_gateway *sc_config_gateway_at(const sc_config *cfg, size_t i);

/** The gateway of that name (borrowed), or NULL with ::SC_ENOTFOUND. */
SC_API const sc_gateway *sc_config_find_gateway(const sc_config *cfg, const char *name);

/** Number of diagnostics (errors and warnings) collected so far. */
SC_API size_t sc_config_diag_count(const sc_config *cfg);

/** Number of diagnostics of severity ::SC_DIAG_ERROR. */
SC_API size_t sc_config_error_count(const sc_config *cfg);

/** Severity of diagnostic i (::sc_diag_severity), or ::SC_EINVAL past the end. */
SC_API int sc_config_diag_severity(const sc_config *cfg, size_t i);

/** Source file (or source_name) of diagnostic i; borrowed; NULL past the end. */
SC_API const char *sc_config_diag_file(const sc_config *cfg, size_t i);

/** 1-based line of diagnostic i; 0 when not tied to a line. */
SC_API int sc_config_diag_line(const sc_config *cfg, size_t i);

/** 1-based column of diagnostic i; 0 when not tied to a column. */
SC_API int sc_config_diag_column(const sc_config *cfg, size_t i);

/** Gateway named by diagnostic i, or "" when none; borrowed. */
SC_API const char *sc_config_diag_gateway(const sc_config *cfg, size_t i);

/** Parameter named by diagnostic i, or "" when none; borrowed. */
SC_API const char *sc_config_diag_param(const sc_config *cfg, size_t i);

/** The message of diagnostic i without location, e.g. "value 'abc' is not a whole number". */
SC_API const char *sc_config_diag_message(const sc_config *cfg, size_t i);

/**
 * Diagnostic i as one line, compiler style:
 * "gw.xml:12:5: error: gateway 'skype': param 'retry-seconds': value 'abc' is not a whole number".
 * Borrowed; NULL past the end.
 */
SC_API const char *sc_config_diag_text(const sc_config *cfg, size_t i);

SC_END_DECLS

#endif
