/*
 * The housekeeping thread starts and stops cleanly (no leak under
 * LeakSanitizer) even when the database cannot be reached, and
 * housekeeping.interval 0 starts nothing.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bin/housekeeper.h"
#include "common/log.h"
#include "service/housekeeping.h"
#include "store/db.h"
#include "tap.h"

static int
load(struct config *c, const char *text)
{
	char err[256];

	return config_load_text(c, text, strlen(text), "test.conf", err,
	    sizeof(err));
}

int
main(void)
{
	struct timespec pause = { 0, 50 * 1000000L };
	char holder[HK_HOLDER_MAX + 1], other[HK_HOLDER_MAX + 1];
	struct housekeeper *h;
	struct config c;

	log_open("bin_housekeeper", CONFIG_LOG_ERROR, CONFIG_LOG_STDERR);
	tap_ok(db_library_init() == 0, "client library");
	tap_ok(housekeeping_holder_id(holder, sizeof(holder)) == 0 &&
	    strchr(holder, ':') != NULL, "holder id %s", holder);
	tap_ok(housekeeping_holder_id(other, sizeof(other)) == 0 &&
	    strcmp(holder, other) != 0, "holder ids differ within a process");

	tap_ok(load(&c, "housekeeping.interval = 0\n") == 0, "config, off");
	tap_ok(housekeeper_start(&c) == NULL, "interval 0: no job");
	config_free(&c);

	/* Nothing listens there: every pass fails, the thread goes on. */
	tap_ok(load(&c, "housekeeping.interval = 1\n"
	    "db.socket = /nonexistent/paserv-test.sock\n") == 0, "config, on");
	h = housekeeper_start(&c);
	tap_ok(h != NULL, "job started");
	nanosleep(&pause, NULL);
	housekeeper_stop(h);
	tap_ok(1, "job stopped while waiting for its next pass");
	housekeeper_stop(NULL);
	tap_ok(1, "stopping no job is fine");
	config_free(&c);
	db_library_end();
	log_close();
	return tap_done();
}
