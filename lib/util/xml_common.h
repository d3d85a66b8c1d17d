/* What the two FreeSWITCH XML loaders (config_xml.c for gateways,
 * dialplan_xml.c for dialplans) share around GMarkup: the text with its
 * line index, real line:column positions, the element's own position, the
 * NUL check and the cleaning of GMarkup's error messages.
 *
 * GMarkup reports positions as (line, byte-in-line) at the end of the tag
 * it has just read; diagnostics want the line and UTF-8 column of the tag's
 * '<', which is found by looking back from there. */
#ifndef SC_XML_COMMON_H
#define SC_XML_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

typedef struct sc_xml_doc {
    const char *text;         /* not owned; need not end in NUL */
    size_t len;
    GArray *line_starts;      /* size_t: byte offset of each line's start */
    GMarkupParseContext *ctx;
    size_t nul_offset;        /* where a NUL byte stopped the parse, SIZE_MAX if none */
    struct sc_xml_column_memo *memo; /* the last column counted (see sc_xml_line_and_column) */
    bool saw_element;         /* sc_xml_start_common() has seen an element */
} sc_xml_doc;

/* Indexes the text's lines and makes a parse context that calls parser's
 * callbacks with user. */
void sc_xml_doc_init(sc_xml_doc *doc, const char *text, size_t len, const GMarkupParser *parser,
                     gpointer user);
void sc_xml_doc_clear(sc_xml_doc *doc);

/* Parses the whole text; false with *err set on malformed XML, including a
 * NUL byte (XML has none, GMarkup would take it as text). */
bool sc_xml_doc_parse(sc_xml_doc *doc, GError **err);

/* The real 1-based line and column (in UTF-8 characters) of byte off.
 * Counting resumes from the previous answer when off is further on the
 * same line, so walking a document with everything on one line stays
 * linear (elements are reported in order). */
void sc_xml_line_and_column(const sc_xml_doc *doc, size_t off, int *line, int *column);

/* Line and column of the '<' of the element GMarkup just reported. */
void sc_xml_element_position(const sc_xml_doc *doc, int *line, int *column);

/* Byte offset where a failed sc_xml_doc_parse() stopped. */
size_t sc_xml_error_offset(const sc_xml_doc *doc);

/* The checks every start-element callback makes first, before it looks
 * at the element: notes that the document has an element (see
 * sc_xml_doc_is_empty), and returns false with *error set, which stops the
 * parse, when the element at depth would be nested deeper than max_depth
 * levels (this bounds the work on hostile input). Otherwise sets *twice to
 * the first attribute name that appears twice (GMarkup accepts
 * <x a="1" a="2"/>; XML does not), or NULL, and returns true. */
bool sc_xml_start_common(sc_xml_doc *doc, guint depth, int max_depth, const char **names,
                         const char **twice, GError **error);

/* Takes the innermost open element off a loader's stack (a GArray of
 * frames of any type) and copies it to *top; false when the stack is
 * empty. */
bool sc_xml_pop_frame(GArray *frames, void *top);

/* True when a failed sc_xml_doc_parse() failed because the document holds
 * no element at all (an empty file, or only white space and comments). */
bool sc_xml_doc_is_empty(const sc_xml_doc *doc, const GError *err);

/* GMarkup's message without its "Error on line N char M: " prefix, which
 * the diagnostic's own line and column already give. */
const char *sc_xml_bare_markup_message(const char *message);

#endif
