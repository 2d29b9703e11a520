/* inbox.c - the message inbox (see inbox.h). */
#include <config.h>

#include "service/inbox.h"

#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "common/uuid.h"
#include "service/tokens.h"
#include "store/registrations.h"

static const char *const TYPE_NAMES[] = { NULL, "text", "html" };

int
inbox_type_parse(const char *s)
{
	int i;

	for (i = INBOX_TEXT; s != NULL && i <= INBOX_HTML; i++)
		if (strcmp(TYPE_NAMES[i], s) == 0)
			return i;
	return 0;
}

static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int
inbox_markup_free(const char *s)
{
	const char *p;

	for (p = strchr(s, '<'); p != NULL; p = strchr(p + 1, '<'))
		if (is_alpha((unsigned char)p[1]) || p[1] == '/' ||
		    p[1] == '!' || p[1] == '?')
			return 0;
	return 1;
}

/* 1..INBOX_APPS_MAX application ids, none twice. */
static const char *
check_apps(const char *const *apps, size_t n)
{
	size_t i, j;

	if (n < 1 || n > INBOX_APPS_MAX)
		return "applications must name 1 to 64 applications";
	for (i = 0; i < n; i++) {
		if (apps[i] == NULL || !svc_ident_valid(apps[i], APP_ID_MAX))
			return "applications must be application ids";
		for (j = 0; j < i; j++)
			if (strcmp(apps[i], apps[j]) == 0)
				return "applications names an application "
				    "twice";
	}
	return NULL;
}

enum svc_rc
inbox_check(const struct inbox_create_req *r, const char **why)
{
	int type = inbox_type_parse(r->type);

	*why = NULL;
	if (r->user_id == NULL || !svc_text_valid(r->user_id, REG_USER_MAX))
		*why = "userId must be 1 to 255 characters";
	else if (type == 0)
		*why = "type must be text or html";
	else if (r->subject == NULL ||
	    !svc_text_valid(r->subject, INBOX_SUBJECT_MAX))
		*why = "subject must be one line of 1 to 255 bytes";
	else if (r->summary == NULL ||
	    !svc_lines_valid(r->summary, INBOX_SUMMARY_MAX))
		*why = "summary must be 1 to 1024 bytes of text";
	else if (r->body == NULL || !svc_lines_valid(r->body, INBOX_BODY_MAX))
		*why = "body must be 1 to 65535 bytes of text";
	else if (!inbox_markup_free(r->subject) ||
	    !inbox_markup_free(r->summary))
		*why = "subject and summary are plain text (no markup)";
	else if (type == INBOX_TEXT && !inbox_markup_free(r->body))
		*why = "the body of a text message holds no markup (use "
		    "type html)";
	else if (r->apps != NULL)
		*why = check_apps(r->apps, r->napps);
	return *why == NULL ? SVC_OK : SVC_INVALID;
}

int
inbox_page_valid(int64_t page, int64_t size, int64_t max)
{
	return page >= 0 && page <= INBOX_PAGE_MAX && size >= 1 &&
	    size <= max;
}

/* The message's applications: the named ones, or the caller's grants. */
static enum svc_rc
add_apps(struct db *db, const struct reg_scope *scope,
    const struct inbox_create_req *r, const struct inbox_new *m,
    const char **why)
{
	uint64_t n = 0;
	size_t i;
	int rc;

	for (i = 0; r->apps != NULL && i < r->napps; i++)
		if ((rc = inbox_add_app(db, scope, m, r->apps[i])) != DB_OK)
			return svc_from_db(rc, SVC_APP_NOT_FOUND);
	if (r->apps != NULL)
		return SVC_OK;
	if ((rc = inbox_add_granted(db, scope->caller_id, m, &n)) != DB_OK)
		return svc_from_db(rc, SVC_INTERNAL);
	if (n == 0)
		*why = "the caller may use no application";
	else if (n > INBOX_APPS_MAX)
		*why = "the caller may use more than 64 applications: name "
		    "them in applications";
	return *why == NULL ? SVC_OK : SVC_INVALID;
}

/* The message, its applications and its events in one transaction. */
static enum svc_rc
create_once(struct db *db, const struct reg_scope *scope,
    const struct inbox_create_req *r, const struct inbox_new *m,
    struct inbox_row *out, const char **why)
{
	enum svc_rc rc;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = svc_from_db(inbox_insert(db, m), SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = add_apps(db, scope, r, m, why);
	if (rc == SVC_OK && !m->silent)
		rc = svc_from_db(inbox_add_events(db, m->id), SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(inbox_get(db, scope, m->id, out),
		    SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	return rc;
}

enum svc_rc
inbox_create(struct db *db, const struct reg_scope *scope,
    const struct inbox_create_req *r, struct inbox_row *out,
    const char **why)
{
	char id[UUID_STR_LEN + 1];
	struct inbox_new m;
	enum svc_rc rc;
	int attempt;

	if ((rc = inbox_check(r, why)) != SVC_OK)
		return rc;
	if (r->apps == NULL && scope->admin) {
		*why = "applications is required for an administrator";
		return SVC_INVALID;
	}
	if (uuid_v4_generate(id) != 0)
		return SVC_INTERNAL;
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.user_id = r->user_id;
	m.type = r->type;
	m.subject = r->subject;
	m.summary = r->summary;
	m.body = r->body;
	m.silent = r->silent;
	m.created_ms = time_now_ms();
	for (attempt = 1;; attempt++) {
		rc = create_once(db, scope, r, &m, out, why);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
	}
}

enum svc_rc
inbox_get_message(struct db *db, const struct reg_scope *scope,
    const char *id, struct inbox_row *out)
{
	if (id == NULL || !uuid_is_valid(id))
		return SVC_INBOX_NOT_FOUND;
	return svc_from_db(inbox_get(db, scope, id, out), SVC_INBOX_NOT_FOUND);
}

enum svc_rc
inbox_list_messages(struct db *db, const struct reg_scope *scope,
    const struct inbox_page *p,
    int (*fn)(const struct inbox_row *, void *), void *arg)
{
	if (p->user_id == NULL || !svc_text_valid(p->user_id, REG_USER_MAX) ||
	    !inbox_page_valid(p->page, p->size, INBOX_LIST_SIZE_MAX))
		return SVC_INVALID;
	return svc_from_db(inbox_list(db, scope, p, fn, arg), SVC_INTERNAL);
}

static enum svc_rc
delete_once(struct db *db, const struct reg_scope *scope, const char *id)
{
	enum svc_rc rc;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	rc = svc_from_db(inbox_remove_apps(db, scope, id),
	    SVC_INBOX_NOT_FOUND);
	if (rc == SVC_OK)
		rc = svc_from_db(inbox_delete_orphan(db, id), SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	return rc;
}

enum svc_rc
inbox_delete_message(struct db *db, const struct reg_scope *scope,
    const char *id)
{
	enum svc_rc rc;
	int attempt;

	if (id == NULL || !uuid_is_valid(id))
		return SVC_INBOX_NOT_FOUND;
	for (attempt = 1;; attempt++) {
		rc = delete_once(db, scope, id);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			return rc;
		svc_retry_pause(attempt + 1);
	}
}

/* The phone behind the token: its user and application. */
static enum svc_rc
device(struct db *db, const struct config *cfg, const char *header,
    struct token_result **t)
{
	const char *why;
	enum svc_rc rc;

	if ((*t = malloc(sizeof(**t))) == NULL)
		return SVC_INTERNAL;
	rc = token_check(db, cfg, header, NULL, *t, &why);
	if (rc == SVC_INVALID || (rc == SVC_OK && !(*t)->valid))
		rc = SVC_AUTH_FAILED;
	return rc;
}

enum svc_rc
inbox_device_count(struct db *db, const struct config *cfg,
    const char *header, int64_t *count)
{
	struct token_result *t = NULL;
	enum svc_rc rc;

	*count = 0;
	if ((rc = device(db, cfg, header, &t)) == SVC_OK)
		rc = svc_from_db(inbox_count_unread(db, t->subject.user_id,
		    t->subject.app_id, count), SVC_INTERNAL);
	free(t);
	return rc;
}

enum svc_rc
inbox_device_page(struct db *db, const struct config *cfg,
    const char *header, struct inbox_page *p,
    int (*fn)(const struct inbox_row *, void *), void *arg)
{
	struct token_result *t = NULL;
	enum svc_rc rc;

	if (!inbox_page_valid(p->page, p->size, INBOX_DEVICE_SIZE_MAX))
		return SVC_INVALID;
	if ((rc = device(db, cfg, header, &t)) == SVC_OK) {
		p->user_id = t->subject.user_id;
		p->app_id = t->subject.app_id;
		rc = svc_from_db(inbox_device_list(db, p, fn, arg),
		    SVC_INTERNAL);
		p->user_id = p->app_id = NULL;
	}
	free(t);
	return rc;
}

enum svc_rc
inbox_device_detail(struct db *db, const struct config *cfg,
    const char *header, const char *id, struct inbox_row *out)
{
	struct token_result *t = NULL;
	enum svc_rc rc;

	if ((rc = device(db, cfg, header, &t)) == SVC_OK)
		rc = id == NULL ? SVC_INVALID : svc_from_db(inbox_device_get(
		    db, t->subject.user_id, t->subject.app_id, id, out),
		    SVC_INBOX_NOT_FOUND);
	free(t);
	return rc;
}

/* Marks one message (id) or all (id NULL) read, and copies the flag to
 * every application's row, in one transaction. */
static enum svc_rc
read_once(struct db *db, const struct auth_subject *s, const char *id)
{
	enum svc_rc rc;
	int dbrc;

	if ((dbrc = db_begin(db)) != DB_OK)
		return svc_from_db(dbrc, SVC_INTERNAL);
	if (id != NULL)
		rc = svc_from_db(inbox_mark_read(db, s->user_id, s->app_id, id),
		    SVC_INBOX_NOT_FOUND);
	else
		rc = svc_from_db(inbox_mark_all_read(db, s->user_id,
		    s->app_id), SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(inbox_sync_read(db, s->user_id),
		    SVC_INTERNAL);
	if (rc == SVC_OK)
		rc = svc_from_db(db_commit(db), SVC_INTERNAL);
	else
		db_rollback(db);
	return rc;
}

static enum svc_rc
mark_read(struct db *db, const struct config *cfg, const char *header,
    const char *id)
{
	struct token_result *t = NULL;
	enum svc_rc rc;
	int attempt;

	if ((rc = device(db, cfg, header, &t)) != SVC_OK)
		goto done;
	for (attempt = 1;; attempt++) {
		rc = read_once(db, &t->subject, id);
		if (rc != SVC_RETRY || attempt == SVC_TXN_ATTEMPTS)
			break;
		svc_retry_pause(attempt + 1);
	}
done:
	free(t);
	return rc;
}

enum svc_rc
inbox_device_read(struct db *db, const struct config *cfg,
    const char *header, const char *id)
{
	/* (An id that is no UUID matches no message: not found.) */
	return id != NULL ? mark_read(db, cfg, header, id) : SVC_INVALID;
}

enum svc_rc
inbox_device_read_all(struct db *db, const struct config *cfg,
    const char *header)
{
	return mark_read(db, cfg, header, NULL);
}
