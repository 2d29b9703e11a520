/*
 * paserv-cloud - the /powerauth-cloud FastCGI worker, and the host of the
 * housekeeping job (every housekeeping.interval seconds; 0: off).
 */
#include <config.h>

#include "bin/housekeeper.h"
#include "bin/worker_main.h"
#include "cloud/cloud.h"

static const char *
listen_addr(const struct config *cfg)
{
	return cfg->cloud_listen;
}

static void *
job_start(const struct config *cfg)
{
	return housekeeper_start(cfg);
}

static void
job_stop(void *job)
{
	housekeeper_stop(job);
}

static const struct worker_kind KIND = {
	"paserv-cloud", "cloud.listen", listen_addr, cloud_app_new,
	cloud_app_free, job_start, job_stop
};

int
main(int argc, char **argv)
{
	return worker_main(&KIND, argc, argv);
}
