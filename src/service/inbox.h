/*
 * inbox.h - the message inbox (api.md §2.5, §3.8): a bank's back end
 * leaves a message for a user, addressed to one or more applications; the
 * phone of each of those applications counts, lists, shows and marks read
 * its user's messages, authenticated with a MAC token.
 *
 * Owns: what a valid message is (userId, type text or html, subject one
 * line, summary and body of lines, no control characters, markup only in
 * the body of an html message, 1..INBOX_APPS_MAX distinct applications),
 * which applications a message goes to when none are named (every one
 * granted to an integration user; an administrator must name them), that
 * a message and its INBOX events (one per application, none when silent)
 * are written in one transaction, what a caller sees (messages with an
 * application in its scope; a phone: its user's in its application, a
 * foreign id reading as unknown), and that a message read in one
 * application is read in all of them.
 * Must not: speak HTTP or hold SQL.
 */
#ifndef PASERV_SERVICE_INBOX_H
#define PASERV_SERVICE_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "service/result.h"
#include "store/db.h"
#include "store/inbox.h"

#define INBOX_PAGE_MAX		100000	/* highest page number */
#define INBOX_DEVICE_SIZE_MAX	100	/* messages per phone page */
#define INBOX_DEVICE_SIZE	10	/* ... when the phone names none */
#define INBOX_LIST_SIZE_MAX	500	/* messages per back-end page */
#define INBOX_LIST_SIZE		100

enum inbox_type {
	INBOX_TEXT = 1,
	INBOX_HTML = 2
};

struct inbox_create_req {
	const char		*user_id;
	const char		*type;		/* "text" or "html" */
	const char		*subject;
	const char		*summary;
	const char		*body;
	int			 silent;
	const char *const	*apps;		/* NULL: the default */
	size_t			 napps;
};

/* enum inbox_type of "text" / "html", 0 for anything else. */
int		inbox_type_parse(const char *s);
/* 1 when s holds nothing an HTML renderer takes for markup: no '<'
 * followed by a letter, '/', '!' or '?'. */
int		inbox_markup_free(const char *s);
/* The rules of a new message (pure): SVC_OK or SVC_INVALID with why. */
enum svc_rc	inbox_check(const struct inbox_create_req *r,
		    const char **why);
/* A page request: page 0..INBOX_PAGE_MAX, size 1..max. */
int		inbox_page_valid(int64_t page, int64_t size, int64_t max);

/*
 * Creates a message (see inbox_check()) for the caller's scope and reads
 * it back into out. SVC_OK, SVC_INVALID (why), SVC_APP_NOT_FOUND (a named
 * application is unknown or not granted), SVC_RETRY, SVC_DB_DOWN,
 * SVC_INTERNAL.
 */
enum svc_rc	inbox_create(struct db *db, const struct reg_scope *scope,
		    const struct inbox_create_req *req, struct inbox_row *out,
		    const char **why);
/* SVC_OK, SVC_INBOX_NOT_FOUND, SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	inbox_get_message(struct db *db,
		    const struct reg_scope *scope, const char *id,
		    struct inbox_row *out);
/* A page of a user's messages (p->app_id NULL), newest first. SVC_OK,
 * SVC_INVALID (userId or page), SVC_DB_DOWN, SVC_INTERNAL. */
enum svc_rc	inbox_list_messages(struct db *db,
		    const struct reg_scope *scope, const struct inbox_page *p,
		    int (*fn)(const struct inbox_row *, void *), void *arg);
/* Takes the message out of the caller's applications; it is deleted with
 * its last one. SVC_OK, SVC_INBOX_NOT_FOUND, SVC_RETRY, SVC_DB_DOWN,
 * SVC_INTERNAL. */
enum svc_rc	inbox_delete_message(struct db *db,
		    const struct reg_scope *scope, const char *id);

/*
 * The phone's calls; token_header is its X-PowerAuth-Token. Each answers
 * SVC_AUTH_FAILED when the token does not authenticate, SVC_DB_DOWN,
 * SVC_INTERNAL; those with an id SVC_INBOX_NOT_FOUND for a message that
 * is not the phone's user's in its application.
 */
enum svc_rc	inbox_device_count(struct db *db, const struct config *cfg,
		    const char *token_header, int64_t *count);
/* p->user_id and p->app_id are set from the token. */
enum svc_rc	inbox_device_page(struct db *db, const struct config *cfg,
		    const char *token_header, struct inbox_page *p,
		    int (*fn)(const struct inbox_row *, void *), void *arg);
enum svc_rc	inbox_device_detail(struct db *db, const struct config *cfg,
		    const char *token_header, const char *id,
		    struct inbox_row *out);
enum svc_rc	inbox_device_read(struct db *db, const struct config *cfg,
		    const char *token_header, const char *id);
enum svc_rc	inbox_device_read_all(struct db *db, const struct config *cfg,
		    const char *token_header);

#endif
