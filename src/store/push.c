/* push.c - SQL of push credentials, devices and deliveries (push.h). */
#include <config.h>

#include "store/push.h"

#include <stdlib.h>
#include <string.h>

#define MS(col) "CAST(ROUND(UNIX_TIMESTAMP(" col ") * 1000) AS SIGNED)"

static const char SQL_CRED_PUT[] =
    "INSERT INTO push_credential (app_id, platform, key_id, team_id,"
    " topic, environment, project_id, client_email, token_uri,"
    " private_key_enc, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3),"
    " UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE key_id = VALUES(key_id),"
    " team_id = VALUES(team_id), topic = VALUES(topic),"
    " environment = VALUES(environment), project_id = VALUES(project_id),"
    " client_email = VALUES(client_email),"
    " token_uri = VALUES(token_uri),"
    " private_key_enc = VALUES(private_key_enc),"
    " updated_at = UTC_TIMESTAMP(3)";
#define CRED_COLUMNS \
    "c.app_id, c.platform, c.key_id, c.team_id, c.topic, c.environment," \
    " c.project_id, c.client_email, c.token_uri, c.private_key_enc, " \
    MS("c.created_at") ", " MS("c.updated_at")
#define CRED_NCOLS	12
static const char SQL_CRED_GET[] = "SELECT " CRED_COLUMNS
    " FROM push_credential c WHERE c.app_id = ? AND c.platform = ?";
static const char SQL_CRED_DELETE[] =
    "DELETE FROM push_credential WHERE app_id = ? AND platform = ?";

static const char SQL_DEVICE_MOVE[] =
    "UPDATE push_device SET active = 0, inactive_reason = 'MOVED',"
    " updated_at = UTC_TIMESTAMP(3)"
    " WHERE app_id = ? AND token = ? AND activation_id <> ? AND active = 1";
static const char SQL_DEVICE_PUT[] =
    "INSERT INTO push_device (activation_id, app_id, platform, token,"
    " environment, active, inactive_reason, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, 1, NULL, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))"
    " ON DUPLICATE KEY UPDATE platform = VALUES(platform),"
    " token = VALUES(token), environment = VALUES(environment),"
    " active = 1, inactive_reason = NULL, updated_at = UTC_TIMESTAMP(3)";

static const char SQL_MESSAGE_EVENT[] =
    "INSERT INTO event_outbox (event_id, type, app_id, object_id, payload,"
    " created_at) VALUES (UUID(), 'MESSAGE', ?, ?, ?, UTC_TIMESTAMP(3))";
static const char SQL_MESSAGE_COUNT[] =
    "SELECT COUNT(*) FROM push_delivery WHERE event_id = LAST_INSERT_ID()";

/* Due, unclaimed (or claim lapsed), of the platform, and the first
 * pending one of its (device, object): the pushes about one operation
 * reach a phone in the order they happened. */
static const char SQL_CLAIM_SELECT[] =
    "SELECT p.id FROM push_delivery p"
    " WHERE p.status = 1 AND p.next_attempt_at <= UTC_TIMESTAMP(3)"
    " AND (p.lease_until IS NULL OR p.lease_until < UTC_TIMESTAMP(3))"
    " AND p.platform = ?"
    " AND NOT EXISTS (SELECT 1 FROM push_delivery q"
    " WHERE q.activation_id = p.activation_id"
    " AND q.object_id = p.object_id AND q.status = 1 AND q.id < p.id)"
    " ORDER BY p.next_attempt_at, p.id LIMIT ? FOR UPDATE SKIP LOCKED";
static const char SQL_CLAIM_UPDATE[] =
    "UPDATE push_delivery SET lease_holder = ?,"
    " lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND WHERE id = ?";
static const char SQL_LOAD[] =
    "SELECT p.id, p.activation_id, p.object_id, p.message_type,"
    " p.platform, p.attempts, e.event_id, e.type, e.payload, d.token,"
    " d.environment, d.active, o.language, o.status, d.app_id,"
    " c.key_id, c.team_id, c.topic, c.environment, c.project_id,"
    " c.client_email, c.token_uri, c.private_key_enc, " MS("c.updated_at")
    " FROM push_delivery p JOIN event_outbox e ON e.id = p.event_id"
    " JOIN push_device d ON d.activation_id = p.activation_id"
    " LEFT JOIN push_credential c ON c.app_id = d.app_id"
    " AND c.platform = p.platform"
    " LEFT JOIN operation o ON e.type = 'OPERATION' AND o.id = p.object_id"
    " WHERE p.id = ?";
#define LOAD_NCOLS	24
static const char SQL_FINISH[] =
    "UPDATE push_delivery SET status = ?,"
    " attempts = attempts + IF(? = 4, 0, 1), last_status = ?,"
    " last_error = ?, finished_at = UTC_TIMESTAMP(3),"
    " lease_holder = NULL, lease_until = NULL"
    " WHERE id = ? AND status = 1 AND lease_holder = ?";
static const char SQL_RETRY[] =
    "UPDATE push_delivery SET attempts = attempts + ?,"
    " last_status = ?, last_error = ?,"
    " next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? * 1000 MICROSECOND,"
    " lease_holder = NULL, lease_until = NULL"
    " WHERE id = ? AND status = 1 AND lease_holder = ?";
static const char SQL_DEACTIVATE[] =
    "UPDATE push_device SET active = 0, inactive_reason = ?,"
    " updated_at = UTC_TIMESTAMP(3)"
    " WHERE activation_id = ? AND token = ? AND active = 1";
static const char SQL_COUNTS[] =
    "SELECT (SELECT COUNT(*) FROM push_delivery WHERE status = 1),"
    " (SELECT COUNT(*) FROM push_delivery WHERE status = 1"
    " AND next_attempt_at <= UTC_TIMESTAMP(3)"
    " AND (lease_until IS NULL OR lease_until < UTC_TIMESTAMP(3)))";

/* "" as SQL NULL. */
static struct db_arg
opt(const char *s)
{
	return db_str(s != NULL && s[0] != '\0' ? s : NULL);
}

/* --- credentials -------------------------------------------------------- */

int
pushc_put(struct db *db, const struct push_cred_row *r)
{
	struct db_arg a[10];

	a[0] = db_str(r->app_id);
	a[1] = db_str(r->platform);
	a[2] = opt(r->key_id);
	a[3] = opt(r->team_id);
	a[4] = opt(r->topic);
	a[5] = opt(r->environment);
	a[6] = opt(r->project_id);
	a[7] = opt(r->client_email);
	a[8] = opt(r->token_uri);
	a[9] = db_str(r->private_key_enc);
	return db_exec(db, SQL_CRED_PUT, a, 10, NULL);
}

/* The credential columns (CRED_COLUMNS) into c[0..CRED_NCOLS). */
static void
cred_cols(struct db_col *c, struct push_cred_row *r)
{
	c[0] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	c[1] = db_out(DB_T_STR, r->platform, sizeof(r->platform));
	c[2] = db_out(DB_T_STR, r->key_id, sizeof(r->key_id));
	c[3] = db_out(DB_T_STR, r->team_id, sizeof(r->team_id));
	c[4] = db_out(DB_T_STR, r->topic, sizeof(r->topic));
	c[5] = db_out(DB_T_STR, r->environment, sizeof(r->environment));
	c[6] = db_out(DB_T_STR, r->project_id, sizeof(r->project_id));
	c[7] = db_out(DB_T_STR, r->client_email, sizeof(r->client_email));
	c[8] = db_out(DB_T_STR, r->token_uri, sizeof(r->token_uri));
	c[9] = db_out(DB_T_STR, r->private_key_enc,
	    sizeof(r->private_key_enc));
	c[10] = db_out(DB_T_I64, NULL, 0);
	c[11] = db_out(DB_T_I64, NULL, 0);
}

int
pushc_get(struct db *db, const char *app_id, const char *platform,
    struct push_cred_row *out)
{
	struct db_col c[CRED_NCOLS];
	struct db_arg a[2];
	int rc;

	memset(out, 0, sizeof(*out));
	cred_cols(c, out);
	a[0] = db_str(app_id);
	a[1] = db_str(platform);
	rc = db_query(db, SQL_CRED_GET, a, 2, c, CRED_NCOLS, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->created_ms = c[10].i;
	out->updated_ms = c[11].i;
	return DB_OK;
}

int
pushc_delete(struct db *db, const char *app_id, const char *platform)
{
	struct db_arg a[2];

	a[0] = db_str(app_id);
	a[1] = db_str(platform);
	return db_exec_one(db, SQL_CRED_DELETE, a, 2);
}

/* --- devices and messages ----------------------------------------------- */

int
pushd_register(struct db *db, const char *activation_id, const char *app_id,
    const char *platform, const char *token, const char *environment)
{
	struct db_arg a[5];
	int rc;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	a[0] = db_str(app_id);
	a[1] = db_str(token);
	a[2] = db_str(activation_id);
	if ((rc = db_exec(db, SQL_DEVICE_MOVE, a, 3, NULL)) != DB_OK)
		goto fail;
	a[0] = db_str(activation_id);
	a[1] = db_str(app_id);
	a[2] = db_str(platform);
	a[3] = db_str(token);
	a[4] = opt(environment);
	if ((rc = db_exec(db, SQL_DEVICE_PUT, a, 5, NULL)) != DB_OK ||
	    (rc = db_commit(db)) != DB_OK)
		goto fail;
	return DB_OK;
fail:
	db_rollback(db);
	return rc;
}

int
push_message_queue(struct db *db, const char *app_id, const char *id,
    const char *payload, int64_t *devices)
{
	struct db_col c = db_out(DB_T_I64, NULL, 0);
	struct db_arg a[3];
	int rc;

	*devices = 0;
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	a[0] = db_str(app_id);
	a[1] = db_str(id);
	a[2] = db_str(payload);
	if ((rc = db_exec(db, SQL_MESSAGE_EVENT, a, 3, NULL)) != DB_OK)
		goto fail;
	if ((rc = db_query(db, SQL_MESSAGE_COUNT, NULL, 0, &c, 1, NULL,
	    NULL)) < 0)
		goto fail;
	if ((rc = db_commit(db)) != DB_OK)
		goto fail;
	*devices = c.i;
	return DB_OK;
fail:
	db_rollback(db);
	return rc < 0 ? rc : DB_ERROR;
}

/* --- the dispatcher ----------------------------------------------------- */

int
push_claim(struct db *db, const char *holder, int64_t lease_s,
    const char *platform, int64_t limit, int64_t *ids, size_t *n)
{
	return db_claim(db, SQL_CLAIM_SELECT, platform, SQL_CLAIM_UPDATE,
	    holder, lease_s, limit, ids, n);
}

int
push_load(struct db *db, int64_t id, struct push_job *out)
{
	struct db_arg a = db_i64(id);
	struct db_col c[LOAD_NCOLS];
	struct push_cred_row *r = &out->cred;
	int rc;

	memset(out, 0, sizeof(*out));
	c[0] = db_out(DB_T_I64, NULL, 0);
	c[1] = db_out(DB_T_STR, out->activation_id,
	    sizeof(out->activation_id));
	c[2] = db_out(DB_T_STR, out->object_id, sizeof(out->object_id));
	c[3] = db_out(DB_T_STR, out->message_type, sizeof(out->message_type));
	c[4] = db_out(DB_T_STR, out->platform, sizeof(out->platform));
	c[5] = db_out(DB_T_I64, NULL, 0);
	c[6] = db_out(DB_T_STR, out->event_uuid, sizeof(out->event_uuid));
	c[7] = db_out(DB_T_STR, out->event_type, sizeof(out->event_type));
	c[8] = db_out(DB_T_STR, out->payload, sizeof(out->payload));
	c[9] = db_out(DB_T_STR, out->token, sizeof(out->token));
	c[10] = db_out(DB_T_STR, out->device_env, sizeof(out->device_env));
	c[11] = db_out(DB_T_I64, NULL, 0);
	c[12] = db_out(DB_T_STR, out->op_language, sizeof(out->op_language));
	c[13] = db_out(DB_T_I64, NULL, 0);
	c[14] = db_out(DB_T_STR, r->app_id, sizeof(r->app_id));
	c[15] = db_out(DB_T_STR, r->key_id, sizeof(r->key_id));
	c[16] = db_out(DB_T_STR, r->team_id, sizeof(r->team_id));
	c[17] = db_out(DB_T_STR, r->topic, sizeof(r->topic));
	c[18] = db_out(DB_T_STR, r->environment, sizeof(r->environment));
	c[19] = db_out(DB_T_STR, r->project_id, sizeof(r->project_id));
	c[20] = db_out(DB_T_STR, r->client_email, sizeof(r->client_email));
	c[21] = db_out(DB_T_STR, r->token_uri, sizeof(r->token_uri));
	c[22] = db_out(DB_T_STR, r->private_key_enc,
	    sizeof(r->private_key_enc));
	c[23] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_LOAD, &a, 1, c, LOAD_NCOLS, NULL, NULL);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return DB_NOT_FOUND;
	out->id = c[0].i;
	out->attempts = c[5].i;
	out->device_active = c[11].i != 0;
	out->op_status = c[13].is_null ? 0 : c[13].i;
	out->has_cred = !c[22].is_null;
	out->cred.updated_ms = c[23].i;
	memcpy(out->cred.platform, out->platform, sizeof(out->platform));
	return DB_OK;
}

int
push_finish(struct db *db, const struct push_job *j, const char *holder,
    int status, long http, const char *error)
{
	struct db_arg a[6];

	a[0] = db_i64(status);
	a[1] = a[0];
	a[2] = http > 0 ? db_i64(http) : db_str(NULL);
	a[3] = db_str(error);
	a[4] = db_i64(j->id);
	a[5] = db_str(holder);
	return db_exec(db, SQL_FINISH, a, 6, NULL);
}

int
push_retry(struct db *db, const struct push_job *j, const char *holder,
    int counted, long http, const char *error, int64_t delay_ms)
{
	struct db_arg a[6];

	a[0] = db_i64(counted ? 1 : 0);
	a[1] = http > 0 ? db_i64(http) : db_str(NULL);
	a[2] = db_str(error);
	a[3] = db_i64(delay_ms);
	a[4] = db_i64(j->id);
	a[5] = db_str(holder);
	return db_exec(db, SQL_RETRY, a, 6, NULL);
}

int
push_deactivate(struct db *db, const char *activation_id, const char *token,
    const char *reason)
{
	struct db_arg a[3];

	a[0] = db_str(reason);
	a[1] = db_str(activation_id);
	a[2] = db_str(token);
	return db_exec(db, SQL_DEACTIVATE, a, 3, NULL);
}

int
push_counts(struct db *db, struct push_counts *out)
{
	struct db_col c[2];
	int rc;

	memset(out, 0, sizeof(*out));
	c[0] = db_out(DB_T_I64, NULL, 0);
	c[1] = db_out(DB_T_I64, NULL, 0);
	rc = db_query(db, SQL_COUNTS, NULL, 0, c, 2, NULL, NULL);
	if (rc < 0)
		return rc;
	out->pending = c[0].i;
	out->due = c[1].i;
	return DB_OK;
}
