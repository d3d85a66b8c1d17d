/* See xml_common.h. */
#include <stdint.h>
#include <string.h>

#include "xml_common.h"

/* Where the last column was counted: a one-line document of n elements
 * would otherwise cost n counts from the start of that line, each O(n). */
struct sc_xml_column_memo {
    size_t line_start;
    size_t off;
    int column;
};

static void index_lines(sc_xml_doc *doc)
{
    size_t zero = 0;
    doc->line_starts = g_array_new(FALSE, FALSE, sizeof(size_t));
    g_array_append_val(doc->line_starts, zero);
    for (size_t i = 0; i < doc->len; i++) {
        if (doc->text[i] == '\n') {
            size_t next = i + 1;
            g_array_append_val(doc->line_starts, next);
        }
    }
}

void sc_xml_doc_init(sc_xml_doc *doc, const char *text, size_t len, const GMarkupParser *parser,
                     gpointer user)
{
    doc->text = text;
    doc->len = len;
    doc->nul_offset = SIZE_MAX;
    doc->saw_element = false;
    doc->memo = g_new0(struct sc_xml_column_memo, 1);
    doc->memo->line_start = SIZE_MAX;
    index_lines(doc);
    doc->ctx = g_markup_parse_context_new(parser, 0, user, NULL);
}

void sc_xml_doc_clear(sc_xml_doc *doc)
{
    g_markup_parse_context_free(doc->ctx);
    g_array_free(doc->line_starts, TRUE);
    g_free(doc->memo);
    doc->memo = NULL;
    doc->ctx = NULL;
    doc->line_starts = NULL;
}

bool sc_xml_doc_parse(sc_xml_doc *doc, GError **err)
{
    /* Only a file can hold a NUL here; a string stops at it. */
    const char *nul = memchr(doc->text, '\0', doc->len);
    if (nul) {
        g_set_error(err, G_MARKUP_ERROR, G_MARKUP_ERROR_BAD_UTF8,
                    "the text contains a NUL byte, which XML does not allow");
        doc->nul_offset = (size_t)(nul - doc->text);
        return false;
    }
    /* Parse in one go; the text is already in memory. */
    return g_markup_parse_context_parse(doc->ctx, doc->text, (gssize)doc->len, err)
        && g_markup_parse_context_end_parse(doc->ctx, err);
}

/* Byte offset of a GMarkup (line, char) position. GMarkup counts bytes, and
 * a newline is char 1 of the line after it (its advance_char() bumps the line
 * when it steps onto a '\n'); the byte at offset 0 is always line 1, char 1. */
static size_t offset_of(const sc_xml_doc *doc, int line, int chr)
{
    size_t base = 0;
    if (line > 1) {
        /* line_starts[k] - 1 is the k-th newline; one at offset 0 does not count */
        guint skip = doc->len > 0 && doc->text[0] == '\n' ? 1 : 0;
        guint k = (guint)line - 1 + skip;
        if (k >= doc->line_starts->len) return doc->len;
        base = g_array_index(doc->line_starts, size_t, k) - 1;
    }
    size_t off = base + (size_t)(chr > 1 ? chr - 1 : 0);
    return MIN(off, doc->len);
}

/* Where GMarkup stands now, as a byte offset. */
static size_t markup_offset(const sc_xml_doc *doc)
{
    int gl, gc;
    g_markup_parse_context_get_position(doc->ctx, &gl, &gc);
    return offset_of(doc, gl, gc);
}

void sc_xml_line_and_column(const sc_xml_doc *doc, size_t off, int *line, int *column)
{
    guint lo = 0, hi = doc->line_starts->len; /* the last start <= off is in [lo, hi) */
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(doc->line_starts, size_t, mid) <= off) lo = mid;
        else hi = mid;
    }
    size_t start = g_array_index(doc->line_starts, size_t, lo);
    struct sc_xml_column_memo *m = doc->memo;
    *line = (int)lo + 1;
    if (m->line_start == start && m->off <= off)
        *column = m->column + (int)g_utf8_strlen(doc->text + m->off, (gssize)(off - m->off));
    else
        *column = (int)g_utf8_strlen(doc->text + start, (gssize)(off - start)) + 1;
    m->line_start = start;
    m->off = off;
    m->column = *column;
}

/* True when a start tag of element begins at byte off. */
static bool start_tag_at(const sc_xml_doc *doc, size_t off, const char *element)
{
    size_t n = strlen(element);
    if (doc->text[off] != '<' || off + 1 + n >= doc->len) return false;
    if (strncmp(doc->text + off + 1, element, n)) return false;
    return strchr(" \t\r\n/>", doc->text[off + 1 + n]) != NULL;
}

/* GMarkup stands on the tag's last '>' or just past it; looking back for
 * "<NAME" skips a '<' that GMarkup tolerates inside an attribute value. */
void sc_xml_element_position(const sc_xml_doc *doc, int *line, int *column)
{
    const char *element = g_markup_parse_context_get_element(doc->ctx);
    size_t end = markup_offset(doc);
    size_t first_lt = SIZE_MAX;
    for (size_t off = end; off-- > 0;) {
        if (doc->text[off] != '<') continue;
        if (first_lt == SIZE_MAX) first_lt = off;
        if (!element || start_tag_at(doc, off, element)) {
            sc_xml_line_and_column(doc, off, line, column);
            return;
        }
    }
    sc_xml_line_and_column(doc, first_lt == SIZE_MAX ? 0 : first_lt, line, column);
}

size_t sc_xml_error_offset(const sc_xml_doc *doc)
{
    return doc->nul_offset != SIZE_MAX ? doc->nul_offset : markup_offset(doc);
}

static const char *duplicate_attribute(const char **names)
{
    for (size_t i = 0; names[i]; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) return names[i];
    return NULL;
}

bool sc_xml_start_common(sc_xml_doc *doc, guint depth, int max_depth, const char **names,
                         const char **twice, GError **error)
{
    doc->saw_element = true;
    *twice = NULL;
    if (depth >= (guint)max_depth) {
        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                    "elements are nested deeper than %d levels", max_depth);
        return false;
    }
    *twice = duplicate_attribute(names);
    return true;
}

bool sc_xml_pop_frame(GArray *frames, void *top)
{
    if (!frames->len) return false;
    guint size = g_array_get_element_size(frames);
    memcpy(top, frames->data + (size_t)(frames->len - 1) * size, size);
    g_array_set_size(frames, frames->len - 1);
    return true;
}

bool sc_xml_doc_is_empty(const sc_xml_doc *doc, const GError *err)
{
    return !doc->saw_element && g_error_matches(err, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY);
}

const char *sc_xml_bare_markup_message(const char *message)
{
    if (g_str_has_prefix(message, "Error on line ")) {
        const char *colon = strstr(message, ": ");
        if (colon) return colon + 2;
    }
    return message;
}
