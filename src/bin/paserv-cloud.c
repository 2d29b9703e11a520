/* paserv-cloud - the /powerauth-cloud FastCGI worker. */
#include <config.h>

#include "bin/worker_main.h"
#include "cloud/cloud.h"

static const char *
listen_addr(const struct config *cfg)
{
	return cfg->cloud_listen;
}

static const struct worker_kind KIND = {
	"paserv-cloud", "cloud.listen", listen_addr, cloud_app_new,
	cloud_app_free
};

int
main(int argc, char **argv)
{
	return worker_main(&KIND, argc, argv);
}
