/* The header block of a received message (see header_block.h).
 *
 * msg_as_string() prints every header again from its parsed form and copies
 * the body too: about ten times what copying the received bytes costs, and
 * the INVITE kept for sc_call_header() was the largest single item of an
 * inbound call's cost. Sofia keeps each received header's bytes (h_data,
 * h_len) in the message's buffer, in wire order along the chain; the
 * headers of a comma list after the first have length 0 (the first's text
 * holds the whole line). A header Sofia changed after parsing lost its bytes
 * (msg_fragment_clear()): it is printed, and so are the rest of its line. */
#include <glib.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg_header.h>

#include "header_block.h"

static void append_printed(GString *b, const msg_header_t *h)
{
    char small[512];
    issize_t n = msg_header_e(small, sizeof small, h, 0);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        g_string_append_len(b, small, n);
    } else {
        char *big = g_malloc((size_t)n + 1);
        if (msg_header_e(big, (isize_t)n + 1, h, 0) == n) g_string_append_len(b, big, n);
        g_free(big);
    }
}

char *sc_sip_header_block(msg_t *msg)
{
    msg_header_t **head;
    msg_hclass_t const *printing = NULL;  /* the class of a line whose bytes are gone */
    GString *b;
    if (!msg || !(head = msg_chain_head(msg)) || !*head) return NULL;
    b = g_string_sized_new(1024);
    for (msg_header_t *h = *head; h; h = h->sh_succ) {
        if (h->sh_class == sip_separator_class || h->sh_class == sip_payload_class) break;
        if (h->sh_data && h->sh_len) {
            g_string_append_len(b, h->sh_data, (gssize)h->sh_len);
            printing = NULL;
        } else if (!h->sh_data || h->sh_class == printing) {
            append_printed(b, h);
            printing = h->sh_class;
        }
    }
    return g_string_free(b, FALSE);
}
