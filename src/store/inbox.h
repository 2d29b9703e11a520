/*
 * inbox.h - tables inbox_message and inbox_message_app (the message inbox,
 * schema/010_inbox.sql), and the INBOX rows of event_outbox.
 *
 * Owns: the SQL that stores a message and the applications it goes to
 * (each checked against a caller's grants in the statement itself), writes
 * one INBOX event per application, reads a message or a page of a user's
 * messages within a caller's applications, removes a message from a
 * caller's applications (and the message once it has none left), and the
 * phone's side: unread count, a page of its user's messages in its
 * application, one message, marking one or all of them read.
 * Must not: validate texts, decide defaults, or open transactions (the
 * service runs the statements of one change inside its own).
 */
#ifndef PASERV_STORE_INBOX_H
#define PASERV_STORE_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "store/apps.h"
#include "store/db.h"
#include "store/registrations.h"

#define INBOX_ID_LEN		36
#define INBOX_TYPE_MAX		8
#define INBOX_SUBJECT_MAX	255	/* bytes */
#define INBOX_SUMMARY_MAX	1024	/* bytes */
#define INBOX_BODY_MAX		65535	/* bytes: a TEXT column */
#define INBOX_APPS_MAX		64	/* applications of one message */
/* The applications of a message as "a,b,c" (application ids never hold a
 * comma). */
#define INBOX_APPS_TEXT_MAX	(INBOX_APPS_MAX * (APP_ID_MAX + 1))

/* What a new message stores. */
struct inbox_new {
	const char	*id;
	const char	*user_id;
	const char	*type;		/* "text" or "html" */
	const char	*subject;
	const char	*summary;
	const char	*body;
	int		 silent;
	int64_t		 created_ms;
};

/* A message as read. body is "" when the query does not read it (lists);
 * apps is "" on the phone's side. */
struct inbox_row {
	char	 id[INBOX_ID_LEN + 1];
	char	 user_id[REG_USER_MAX + 1];
	char	 type[INBOX_TYPE_MAX + 1];
	char	 subject[INBOX_SUBJECT_MAX + 1];
	char	 summary[INBOX_SUMMARY_MAX + 1];
	char	 body[INBOX_BODY_MAX + 1];
	int	 silent;
	int	 read;
	int64_t	 created_ms;
	int64_t	 read_ms;			/* 0 while unread */
	char	 apps[INBOX_APPS_TEXT_MAX + 1];	/* within the scope */
};

/* A page of a user's messages. */
struct inbox_page {
	const char	*user_id;
	const char	*app_id;	/* the phone's; NULL: the cloud list */
	int		 only_unread;
	int64_t		 page;		/* 0-based */
	int64_t		 size;
};

/* DB_OK, DB_DUPLICATE, DB_ERROR, DB_DOWN. */
int	inbox_insert(struct db *db, const struct inbox_new *m);
/*
 * Addresses message m to application app_id when the application exists
 * and is within scope: DB_OK, or DB_NOT_FOUND (unknown or not granted).
 */
int	inbox_add_app(struct db *db, const struct reg_scope *scope,
	    const struct inbox_new *m, const char *app_id);
/* Addresses message m to every application granted to integration user
 * caller_id, at most INBOX_APPS_MAX + 1 of them; *n: how many. */
int	inbox_add_granted(struct db *db, int64_t caller_id,
	    const struct inbox_new *m, uint64_t *n);
/* One INBOX event_outbox row per application of message id (payload
 * {"type","inboxId","userId","applicationId","subject","timestamp"}). */
int	inbox_add_events(struct db *db, const char *id);

/* A message with at least one application within scope (apps: those).
 * DB_OK, DB_NOT_FOUND, DB_ERROR, DB_DOWN. */
int	inbox_get(struct db *db, const struct reg_scope *scope, const char *id,
	    struct inbox_row *out);
/* A page of p->user_id's messages within scope, newest first, without
 * bodies; fn returns 0 to go on. */
int	inbox_list(struct db *db, const struct reg_scope *scope,
	    const struct inbox_page *p,
	    int (*fn)(const struct inbox_row *, void *), void *arg);
/* Takes the message out of the caller's applications: DB_OK, or
 * DB_NOT_FOUND when none of them had it. */
int	inbox_remove_apps(struct db *db, const struct reg_scope *scope,
	    const char *id);
/* Deletes message id if no application has it any more. */
int	inbox_delete_orphan(struct db *db, const char *id);

/* The phone's side: always one user in one application. */
int	inbox_count_unread(struct db *db, const char *user_id,
	    const char *app_id, int64_t *count);
/* A page of the phone's messages (p->app_id set), newest first, without
 * bodies. */
int	inbox_device_list(struct db *db, const struct inbox_page *p,
	    int (*fn)(const struct inbox_row *, void *), void *arg);
/* One message of user_id in app_id, with its body. DB_OK, DB_NOT_FOUND. */
int	inbox_device_get(struct db *db, const char *user_id,
	    const char *app_id, const char *id, struct inbox_row *out);
/*
 * Marks message id of user_id in app_id read (its first read time is
 * kept): DB_OK, or DB_NOT_FOUND when the phone has no such message. Then
 * inbox_sync_read() must copy the flag to every application's row.
 */
int	inbox_mark_read(struct db *db, const char *user_id,
	    const char *app_id, const char *id);
/* The same for every unread message of user_id in app_id. */
int	inbox_mark_all_read(struct db *db, const char *user_id,
	    const char *app_id);
/* Copies the read flag of the user's messages to their application rows
 * (all of them: a message read in one application is read in all). */
int	inbox_sync_read(struct db *db, const char *user_id);

#endif
