/* A first-in, first-out list whose items carry their own link.
 *
 * The session's event queue and its queue of posted work each took an item
 * per call step; a GQueue allocates (and later frees) a list node for every
 * push, about a tenth of the library's own allocations per dial-out. Here
 * the item is the node: a push or a pop touches two pointers. Not locked:
 * the owner holds its own lock around every use. */
#ifndef SC_FIFO_H
#define SC_FIFO_H

#include <stddef.h>

typedef struct sc_fifo_link {
    struct sc_fifo_link *next;
} sc_fifo_link;

typedef struct sc_fifo {
    sc_fifo_link *head, *tail;
    unsigned length;
} sc_fifo;

/* The item that holds `link` as its member `member`. */
#define SC_FIFO_ITEM(link, type, member) ((type *)(void *)((char *)(link) - offsetof(type, member)))

static inline void sc_fifo_push(sc_fifo *q, sc_fifo_link *l)
{
    l->next = NULL;
    if (q->tail) q->tail->next = l;
    else q->head = l;
    q->tail = l;
    q->length++;
}

/* NULL when empty. */
static inline sc_fifo_link *sc_fifo_pop(sc_fifo *q)
{
    sc_fifo_link *l = q->head;
    if (!l) return NULL;
    q->head = l->next;
    if (!q->head) q->tail = NULL;
    q->length--;
    l->next = NULL;
    return l;
}

#endif
