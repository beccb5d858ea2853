/* events.h - the event log: one JSON object per line (siptty(1) EVENTS). */
#ifndef SIPTTY_EVENTS_H
#define SIPTTY_EVENTS_H

#include <jansson.h>

/* Subscribers see every event (keystroke scripts `wait` on them). */
typedef void (events_h)(const json_t *ev, void *arg);

int events_open(const char *path);
void events_close(void);
int events_subscribe(events_h *h, void *arg);
void events_unsubscribe(events_h *h, void *arg);

/*
 * Emits {"ts":..., "mono_ms":..., "type":TYPE, ...fields}.  fields is
 * consumed (json_decref'd) whatever happens; it may be NULL.  Values are
 * whatever the caller puts in: secrets must never be passed here.
 */
int events_emit(const char *type, json_t *fields);

#endif
