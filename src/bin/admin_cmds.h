/*
 * admin_cmds.h - paserv-admin's application and schema commands.
 *
 * Owns: app-create, app-list, app-show (with the mobile SDK configuration
 * as a QR code on the terminal), schema-version, registration-show,
 * operation-show (no secrets: no keys, codes or OTPs) and
 * rotate-master-key (counts per encrypted column), each printing
 * "key: value" lines (app-list: one line per application) and returning
 * the process exit status (0 done, 1 failed, 2 usage).
 * Must not: hold SQL or rules; the service layer has them.
 */
#ifndef PASERV_BIN_ADMIN_CMDS_H
#define PASERV_BIN_ADMIN_CMDS_H

#include "common/config.h"
#include "store/db.h"

int	admin_app_create(const struct config *cfg, struct db *db, int argc,
	    char **argv);
int	admin_app_list(struct db *db);
int	admin_app_show(struct db *db, int argc, char **argv);
int	admin_schema_version(struct db *db, int argc, char **argv);
int	admin_registration_show(struct db *db, int argc, char **argv);
int	admin_operation_show(const struct config *cfg, struct db *db,
	    int argc, char **argv);
/* Exit 0 complete, 1 failed rows or error, 2 usage, 3 stopped by --limit. */
int	admin_rotate_master_key(const struct config *cfg, struct db *db,
	    int argc, char **argv);

#endif
