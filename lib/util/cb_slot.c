#include "cb_slot.h"

sc_cb_slot *sc_cb_slot_new(sc_any_fn cb, void *user, sc_destroy_fn destroy)
{
    sc_cb_slot *slot;
    if (!cb) {
        if (destroy) destroy(user);
        return NULL;
    }
    slot = g_new0(sc_cb_slot, 1);
    slot->cb = cb;
    slot->user = user;
    slot->destroy = destroy;
    slot->refs = 1;
    return slot;
}

void sc_cb_slot_replace(sc_cb_slot **place, GMutex *lock, sc_cb_slot *fresh)
{
    sc_cb_slot *old;
    g_mutex_lock(lock);
    old = *place;
    *place = fresh;
    g_mutex_unlock(lock);
    sc_cb_slot_unref(old);
}

sc_cb_slot *sc_cb_slot_get(sc_cb_slot *const *place, GMutex *lock)
{
    sc_cb_slot *slot;
    g_mutex_lock(lock);
    slot = *place;
    if (slot) g_atomic_int_inc(&slot->refs);
    g_mutex_unlock(lock);
    return slot;
}

void sc_cb_slot_unref(sc_cb_slot *slot)
{
    if (slot && g_atomic_int_dec_and_test(&slot->refs)) {
        if (slot->destroy) slot->destroy(slot->user);
        g_free(slot);
    }
}
