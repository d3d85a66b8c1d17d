/* A callback slot: the application's function, its user data and destroy
 * function, refcounted so that a callback replaced while it runs is
 * destroyed only after that run returns. The log sink and the session's
 * event callback are both one. */
#ifndef SC_CB_SLOT_H
#define SC_CB_SLOT_H

#include <glib.h>
#include "skypeconnect/sc_common.h"

/* Any function pointer; the owner casts it back to its own type. */
typedef void (*sc_any_fn)(void);

typedef struct sc_cb_slot {
    sc_any_fn cb;
    void *user;
    sc_destroy_fn destroy;
    gint refs;
} sc_cb_slot;

/* A slot holding cb, or NULL when cb is NULL (destroy(user) then runs at
 * once: the caller gave the user data away either way). */
sc_cb_slot *sc_cb_slot_new(sc_any_fn cb, void *user, sc_destroy_fn destroy);

/* Puts @p fresh in @p *place under @p lock and drops the old slot after
 * unlocking (its destroy may call back into the library). */
void sc_cb_slot_replace(sc_cb_slot **place, GMutex *lock, sc_cb_slot *fresh);

/* A reference to the slot in @p *place (NULL if empty), taken under
 * @p lock; drop it with sc_cb_slot_unref() after the call. */
sc_cb_slot *sc_cb_slot_get(sc_cb_slot *const *place, GMutex *lock);

void sc_cb_slot_unref(sc_cb_slot *slot);

#endif
