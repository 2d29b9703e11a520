/* paserv-enroll - the /enrollment-server FastCGI worker. */
#include <config.h>

#include "bin/worker_main.h"
#include "enroll/enroll.h"

static const char *
listen_addr(const struct config *cfg)
{
	return cfg->enroll_listen;
}

static const struct worker_kind KIND = {
	"paserv-enroll", "enroll.listen", listen_addr, enroll_app_new,
	enroll_app_free, NULL, NULL
};

int
main(int argc, char **argv)
{
	return worker_main(&KIND, argc, argv);
}
