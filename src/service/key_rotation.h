/*
 * key_rotation.h - re-encrypting every stored secret under a new
 * security.master_key (paserv-admin rotate-master-key).
 *
 * Owns: walking every encrypted column of secret_spec() in batches by
 * primary key, each batch one short transaction that locks its rows,
 * re-encrypts under the current key the values that open only with
 * security.previous_master_key and leaves the others; counting what it
 * found per column. Restartable: a value already under the current key is
 * only counted, so a run that stopped (crash, --limit) is simply run
 * again. Must not: print, or ever report a secret (a failed row is named
 * by its column and primary key only).
 */
#ifndef PASERV_SERVICE_KEY_ROTATION_H
#define PASERV_SERVICE_KEY_ROTATION_H

#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "service/secrets.h"
#include "store/db.h"

#define KEY_ROTATION_BATCH	500	/* default rows per transaction */
#define KEY_ROTATION_BATCH_MAX	10000

struct key_rotation_opts {
	int	 dry_run;	/* count only, write nothing */
	long	 batch;		/* rows per transaction */
	long	 limit;		/* stop after this many re-encrypted; 0 none */
};

struct key_rotation_count {
	uint64_t	 rotated;	/* re-encrypted (dry run: would be) */
	uint64_t	 current;	/* already under the current key */
	uint64_t	 failed;	/* open with neither key */
};

struct key_rotation_report {
	struct key_rotation_count	 per[SECRET_KINDS];
	struct key_rotation_count	 total;
	int				 incomplete;	/* stopped by limit */
};

/* Called once per failed row, after its batch committed; id: its primary
 * key (with a key_column: "key/user", e.g. "app-1/apns"). */
typedef void	(*key_rotation_failed_fn)(enum secret_kind kind,
		    const char *id, enum secret_key why, void *arg);

/*
 * Runs the rotation (or, dry_run, the count). Needs both keys unless
 * dry_run: SVC_INVALID with a reason in *why when the previous key is not
 * set or equals the current one. SVC_OK also when rows failed (see
 * rep->total.failed); SVC_RETRY when a batch lost its lock conflict every
 * time; SVC_DB_DOWN / SVC_INTERNAL otherwise. Batches committed before a
 * failure stay done.
 */
enum svc_rc	key_rotation_run(struct db *db, const struct config *cfg,
		    const struct key_rotation_opts *o,
		    struct key_rotation_report *rep,
		    key_rotation_failed_fn failed, void *arg,
		    const char **why);

#endif
