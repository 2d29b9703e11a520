/*
 * housekeeper.h - the housekeeping job as a thread of a worker process.
 *
 * Owns: one thread with its own database connection that runs
 * housekeeping_run() every housekeeping.interval seconds (the first time
 * one interval after the start), logs what a pass changed (or why it failed), and stops
 * promptly when asked (between two batch statements at the latest).
 */
#ifndef PASERV_BIN_HOUSEKEEPER_H
#define PASERV_BIN_HOUSEKEEPER_H

#include "common/config.h"

struct housekeeper;

/* NULL when housekeeping.interval is 0, or on failure (logged). */
struct housekeeper	*housekeeper_start(const struct config *cfg);
/* Stops and joins the thread and frees it; NULL is fine. */
void			 housekeeper_stop(struct housekeeper *h);

#endif
