/*
 * dispatch_push.c - the push side of paserv-dispatch (doc/push.md
 * "Delivery"): claims due push_delivery rows into its own pool of slots
 * (push.concurrency, at most push.per_platform to one platform), sends
 * each to APNs (HTTP/2, ES256 provider token, made from the application's
 * .p8 key and reused for 50 minutes) or FCM (HTTP v1 with an OAuth 2.0
 * access token, fetched with a RS256 JWT assertion in a slot of its own
 * and kept until shortly before it expires), and records the outcome:
 * delivered; the token refused (the device is deactivated); retried with
 * the push backoff; or given up.
 *
 * A push waiting for an FCM access token is put back for a moment
 * without counting an attempt; a failed token request counts against the
 * pushes that needed it.
 */
#include <config.h>

#include "bin/dispatch_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "crypto/jws.h"
#include "service/operations.h"
#include "service/push_payload.h"
#include "service/secrets.h"
#include "store/templates.h"

#define APNS_JWT_REUSE_MS	(50LL * 60 * 1000)
#define TOKEN_EARLY_MS		(60LL * 1000)	/* renew before expiry */
#define POSTPONE_MS		250
#define RESP_MAX		8192
#define ACCESS_MAX		4000
#define AUTH_SLOTS		256
#define PEM_MAX			(SECRET_PEM_MAX + 1)
#define BACKOFF_PCT		200		/* each wait doubles */

/* A provider token (APNs) or access token (FCM) of one credential. */
struct push_auth {
	char	 app_id[APP_ID_MAX + 1];
	char	 platform[PUSH_PLATFORM_MAX + 1];
	int64_t	 updated_ms;	/* of the credential it belongs to */
	char	 token[ACCESS_MAX + 1];		/* "": none */
	int64_t	 expires_ms;
	int	 fetching;	/* an FCM token request is in flight */
	int64_t	 fetch_updated_ms;
	int64_t	 failed_until_ms;
	char	 failure[PUSH_WHY_MAX];
};

static void
auth_reset(struct push_auth *a)
{
	OPENSSL_cleanse(a->token, sizeof(a->token));
	a->expires_ms = 0;
	a->failed_until_ms = 0;
	a->failure[0] = '\0';
}

/* The entry of the job's credential (a stale one is reset). */
static struct push_auth *
auth_get(struct dispatcher *x, const struct push_job *j)
{
	struct push_auth *a, *victim = NULL;
	size_t i;

	for (i = 0; i < x->nauths; i++) {
		a = &x->auths[i];
		if (strcmp(a->app_id, j->cred.app_id) != 0 ||
		    strcmp(a->platform, j->platform) != 0) {
			if (!a->fetching && (victim == NULL ||
			    a->expires_ms < victim->expires_ms))
				victim = a;
			continue;
		}
		if (a->updated_ms != j->cred.updated_ms) {
			auth_reset(a);
			a->updated_ms = j->cred.updated_ms;
		}
		return a;
	}
	if (victim == NULL)
		return NULL;	/* every entry is fetching: wait */
	auth_reset(victim);
	snprintf(victim->app_id, sizeof(victim->app_id), "%s",
	    j->cred.app_id);
	snprintf(victim->platform, sizeof(victim->platform), "%s",
	    j->platform);
	victim->updated_ms = j->cred.updated_ms;
	return victim;
}

/* --- recording ---------------------------------------------------------- */

static void
db_warn(struct dispatcher *x, const struct push_job *j, int rc)
{
	if (rc != DB_OK)
		log_warn("push: cannot record delivery %" PRId64 " (%s); its "
		    "claim will lapse and it is sent again", j->id,
		    db_last_error(x->db));
}

static void
finish(struct dispatcher *x, const struct push_job *j, int status,
    long http, const char *why)
{
	db_warn(x, j, push_finish(x->db, j, x->holder, status, http, why));
}

/* A failed attempt: again after the backoff, or given up. */
static void
failed(struct dispatcher *x, const struct push_job *j, long http,
    const char *why)
{
	const struct config *cfg = x->cfg;
	int64_t delay;

	x->push_failed++;
	if (j->attempts + 1 >= cfg->push_max_attempts) {
		log_warn("push: %s to %s given up after %" PRId64
		    " attempts: %s", j->message_type, j->activation_id,
		    j->attempts + 1, why);
		finish(x, j, PUSH_FAILED, http, why);
		return;
	}
	delay = webhook_backoff_ms(j->attempts + 1,
	    cfg->push_initial_backoff_ms, BACKOFF_PCT,
	    cfg->push_max_backoff_ms, dispatch_jitter());
	log_debug("push: %s to %s failed (%s), again in %" PRId64 " ms",
	    j->message_type, j->activation_id, why, delay);
	db_warn(x, j, push_retry(x->db, j, x->holder, 1, http, why, delay));
}

/* Back in a moment, the attempt not counted. */
static void
postpone(struct dispatcher *x, const struct push_job *j, const char *why)
{
	db_warn(x, j, push_retry(x->db, j, x->holder, 0, 0, why,
	    POSTPONE_MS));
}

/* --- requests ----------------------------------------------------------- */

static size_t
keep_body(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;

	if (s->resp.len < RESP_MAX)
		(void)buf_append(&s->resp, p, s->resp.len + len > RESP_MAX ?
		    RESP_MAX - s->resp.len : len);
	return len;
}

/* The easy handle of a POST of s->body to url. */
static int
easy_post(struct dispatcher *x, struct slot *s, const char *url, int h2c)
{
	const struct config *cfg = x->cfg;
	CURL *e;

	if ((e = dispatch_easy_post(cfg, s, url, cfg->push_timeout_ms)) ==
	    NULL)
		return -1;
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, h2c ?
	    (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE :
	    (long)CURL_HTTP_VERSION_2TLS);
	/* Several pushes at once share one HTTP/2 connection. */
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	if (cfg->push_ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->push_ca_file);
	s->started_ms = time_now_ms();
	if (curl_multi_add_handle(x->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		s->easy = NULL;
		return -1;
	}
	x->push_in_flight++;
	return 0;
}

/* The credential's private key; NULL and why when it does not open. */
static EVP_PKEY *
open_key(struct dispatcher *x, const struct push_job *j, enum jws_alg alg)
{
	EVP_PKEY *k = NULL;
	size_t n = 0;
	char *pem;

	if ((pem = malloc(PEM_MAX)) == NULL)
		return NULL;
	if (secret_open(x->cfg, SECRET_PUSH_KEY, j->platform, j->cred.app_id,
	    j->cred.private_key_enc, (uint8_t *)pem, PEM_MAX - 1, &n) >=
	    SECRET_KEY_CURRENT) {
		pem[n] = '\0';
		(void)jws_key_from_pem(pem, n, alg, &k);
	}
	OPENSSL_cleanse(pem, PEM_MAX);
	free(pem);
	return k;
}

/* A fresh APNs provider token in a, unless it has a valid one. */
static const char *
apns_token(struct dispatcher *x, const struct push_job *j,
    struct push_auth *a)
{
	int64_t now = time_now_ms();
	EVP_PKEY *k;
	char *jwt;

	if (a->token[0] != '\0' && now < a->expires_ms)
		return NULL;
	if ((k = open_key(x, j, JWS_ES256)) == NULL)
		return "configuration: the APNs key does not decrypt";
	jwt = push_apns_jwt(k, j->cred.key_id, j->cred.team_id, now / 1000);
	EVP_PKEY_free(k);
	if (jwt == NULL || strlen(jwt) > ACCESS_MAX) {
		free(jwt);
		return "cannot sign the APNs provider token";
	}
	snprintf(a->token, sizeof(a->token), "%s", jwt);
	a->expires_ms = now + APNS_JWT_REUSE_MS;
	free(jwt);
	return NULL;
}

/* The operationInit texts: the display template of the operation's type
 * in its language (with the fallback of op_display_get()), parameters
 * filled in; else the configured defaults. */
static void
operation_texts(struct dispatcher *x, const struct push_job *j,
    struct buf *title, struct buf *body)
{
	json_object *p = json_tokener_parse(j->payload), *type, *params;
	struct op_display *d = malloc(sizeof(*d));
	const char *lang = j->op_language[0] != '\0' ? j->op_language : "en";
	int ok = 0;

	if (p != NULL && d != NULL &&
	    json_object_object_get_ex(p, "operationType", &type) &&
	    json_object_object_get_ex(p, "parameters", &params) &&
	    op_display_get(x->db, json_object_get_string(type), lang, d) ==
	    DB_OK)
		ok = operation_fill(d->title, operation_param_text, params,
		    title) == 0 && operation_fill(d->message,
		    operation_param_text, params, body) == 0;
	if (!ok) {
		buf_reset(title);
		buf_reset(body);
		(void)buf_append_str(title, x->cfg->push_default_title);
		(void)buf_append_str(body, x->cfg->push_default_body);
	}
	free(d);
	json_object_put(p);
}

/* The content of the job's push. -1 when the event is no JSON. */
static int
content(struct dispatcher *x, const struct push_job *j,
    struct push_content *c)
{
	struct buf title = BUF_INIT, body = BUF_INIT;
	struct push_texts t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.inbox_title = x->cfg->push_inbox_title;
	if (strcmp(j->message_type, PUSH_MSG_OPERATION_INIT) == 0) {
		operation_texts(x, j, &title, &body);
		t.operation_title = buf_cstr(&title);
		t.operation_body = buf_cstr(&body);
	}
	rc = push_content_build(j->message_type, j->payload,
	    j->activation_id, &t, c);
	buf_free(&title);
	buf_free(&body);
	return rc;
}

/* Builds and starts the APNs request of the slot's job. */
static const char *
apns_start(struct dispatcher *x, struct slot *s, const struct push_auth *a,
    const struct push_content *c)
{
	const struct push_job *j = s->job;
	const char *env = j->device_env[0] != '\0' ? j->device_env :
	    j->cred.environment;
	const char *base = strcmp(env, "development") == 0 ?
	    x->cfg->push_apns_sandbox_url : x->cfg->push_apns_url;
	char url[PUSH_URI_MAX + PUSH_TOKEN_MAX + 32];
	char bearer[ACCESS_MAX + 16];
	int rc;

	if ((s->body = push_apns_body(c)) == NULL)
		return "cannot build the APNs payload";
	snprintf(bearer, sizeof(bearer), "bearer %s", a->token);
	rc = dispatch_add_header(s, "authorization", bearer) |
	    dispatch_add_header(s, "apns-topic", j->cred.topic) |
	    dispatch_add_header(s, "apns-push-type", push_apns_type(c)) |
	    dispatch_add_header(s, "apns-priority", push_apns_priority(c)) |
	    dispatch_add_header(s, "content-type", "application/json") |
	    dispatch_add_header(s, "Expect", "");
	OPENSSL_cleanse(bearer, sizeof(bearer));
	if (rc != 0 || snprintf(url, sizeof(url), "%s/3/device/%s", base,
	    j->token) >= (int)sizeof(url))
		return "cannot build the APNs request";
	if (easy_post(x, s, url, strncmp(base, "http://", 7) == 0) != 0)
		return "cannot start the request";
	return NULL;
}

static const char *
fcm_start(struct dispatcher *x, struct slot *s, const struct push_auth *a,
    const struct push_content *c)
{
	const struct push_job *j = s->job;
	char url[PUSH_URI_MAX + PUSH_PROJECT_MAX + 64];
	char bearer[ACCESS_MAX + 16];
	int rc;

	if ((s->body = push_fcm_body(c, j->token)) == NULL)
		return "cannot build the FCM message";
	snprintf(bearer, sizeof(bearer), "Bearer %s", a->token);
	rc = dispatch_add_header(s, "Authorization", bearer) |
	    dispatch_add_header(s, "Content-Type", "application/json") |
	    dispatch_add_header(s, "Expect", "");
	OPENSSL_cleanse(bearer, sizeof(bearer));
	if (rc != 0 || snprintf(url, sizeof(url),
	    "%s/v1/projects/%s/messages:send", x->cfg->push_fcm_url,
	    j->cred.project_id) >= (int)sizeof(url))
		return "cannot build the FCM request";
	if (easy_post(x, s, url, 0) != 0)
		return "cannot start the request";
	return NULL;
}

/* Turns slot s into the FCM access token request of a. */
static const char *
token_start(struct dispatcher *x, struct slot *s, struct push_auth *a)
{
	const struct push_job *j = s->job;
	const char *url = x->cfg->push_fcm_token_url != NULL ?
	    x->cfg->push_fcm_token_url : j->cred.token_uri;
	EVP_PKEY *k;
	char *assertion;

	if ((k = open_key(x, j, JWS_RS256)) == NULL)
		return "configuration: the FCM key does not decrypt";
	assertion = push_fcm_assertion(k, j->cred.key_id,
	    j->cred.client_email, j->cred.token_uri, time_now_ms() / 1000);
	EVP_PKEY_free(k);
	if (assertion == NULL ||
	    (s->body = push_fcm_token_request(assertion)) == NULL) {
		free(assertion);
		return "cannot sign the FCM assertion";
	}
	free(assertion);
	s->kind = SLOT_TOKEN;
	s->pa = a;
	if (dispatch_add_header(s, "Content-Type",
	    "application/x-www-form-urlencoded") != 0 ||
	    dispatch_add_header(s, "Expect", "") != 0 ||
	    easy_post(x, s, url, 0) != 0)
		return "cannot start the token request";
	a->fetching = 1;
	a->fetch_updated_ms = a->updated_ms;
	return NULL;
}

/*
 * What is to be done with a loaded job before anything is sent: NULL to
 * send it, else it was recorded here (skipped, failed, postponed).
 */
static const char *
triage(struct dispatcher *x, const struct push_job *j)
{
	int lifecycle = strcmp(j->message_type, PUSH_MSG_BLOCKED) == 0 ||
	    strcmp(j->message_type, PUSH_MSG_REMOVED) == 0;

	if (!j->device_active && !lifecycle) {
		finish(x, j, PUSH_SKIPPED, 0, "the device was deactivated");
		return "skipped";
	}
	if (strcmp(j->message_type, PUSH_MSG_OPERATION_INIT) == 0 &&
	    j->op_status != 1) {
		finish(x, j, PUSH_SKIPPED, 0, "the operation is no longer "
		    "pending");
		return "skipped";
	}
	if (!j->has_cred || strcmp(j->platform, "hms") == 0) {
		finish(x, j, PUSH_FAILED, 0, "configuration: the application "
		    "has no credentials for the platform");
		return "failed";
	}
	return NULL;
}

/* Sends the job of slot s, or records why not. 0: s is in flight. */
static int
send_job(struct dispatcher *x, struct slot *s)
{
	const struct push_job *j = s->job;
	struct push_content c;
	struct push_auth *a;
	const char *why = NULL;
	int apns = strcmp(j->platform, "apns") == 0;

	if (triage(x, j) != NULL)
		return -1;
	if ((a = auth_get(x, j)) == NULL) {
		postpone(x, j, "waiting for a token slot");
		return -1;
	}
	if (apns)
		why = apns_token(x, j, a);
	else if (a->token[0] == '\0' || time_now_ms() >= a->expires_ms) {
		if (a->fetching)
			postpone(x, j, "waiting for an FCM access token");
		else if (time_now_ms() < a->failed_until_ms)
			failed(x, j, 0, a->failure);
		else if ((why = token_start(x, s, a)) == NULL) {
			postpone(x, j, "waiting for an FCM access token");
			return 0;	/* the slot fetches the token */
		}
		if (why == NULL)
			return -1;
	}
	if (why == NULL && content(x, j, &c) != 0)
		why = "the event is not JSON";
	else if (why == NULL) {
		why = apns ? apns_start(x, s, a, &c) : fcm_start(x, s, a, &c);
		push_content_clear(&c);
	}
	if (why == NULL)
		return 0;
	failed(x, j, 0, why);
	return -1;
}

/* Starts claimed delivery id in a free slot. */
static void
start(struct dispatcher *x, int64_t id)
{
	struct slot *s = NULL;
	size_t i;
	int rc;

	for (i = 0; i < x->npslots && s == NULL; i++)
		if (x->pslots[i].job == NULL && x->pslots[i].easy == NULL)
			s = &x->pslots[i];
	if (s == NULL || (s->job = malloc(sizeof(*s->job))) == NULL)
		return;		/* the claim lapses; sent later */
	s->kind = SLOT_PUSH;
	if ((rc = push_load(x->db, id, s->job)) != DB_OK) {
		if (rc != DB_NOT_FOUND)
			log_warn("push: cannot read delivery %" PRId64 " (%s)",
			    id, db_last_error(x->db));
		dispatch_slot_clear(s);
		return;
	}
	if (send_job(x, s) != 0)
		dispatch_slot_clear(s);
}

/* Pushes (and token requests) in flight to platform. */
static int64_t
in_flight(struct dispatcher *x, const char *platform)
{
	const struct slot *s;
	int64_t n = 0;
	size_t i;

	for (i = 0; i < x->npslots; i++) {
		s = &x->pslots[i];
		if (s->easy != NULL && strcmp(s->kind == SLOT_TOKEN ? "fcm" :
		    s->job->platform, platform) == 0)
			n++;
	}
	return n;
}

size_t
push_claim_start(struct dispatcher *x)
{
	/* (No hms rows: such devices are refused at registration.) */
	static const char *const PLATFORMS[] = { "apns", "fcm" };
	int64_t room, limit;
	size_t got = 0, n, i, k;

	for (k = 0; k < sizeof(PLATFORMS) / sizeof(PLATFORMS[0]); k++) {
		room = (int64_t)(x->npslots - x->push_in_flight);
		limit = x->cfg->push_per_platform - in_flight(x,
		    PLATFORMS[k]);
		if (limit > room)
			limit = room;
		if (limit <= 0)
			continue;
		n = 0;
		if (push_claim(x->db, x->holder, x->cfg->dispatch_lease,
		    PLATFORMS[k], limit, x->pclaimed, &n) != DB_OK) {
			log_warn("push: cannot claim deliveries (%s)",
			    db_last_error(x->db));
			return got;
		}
		for (i = 0; i < n; i++)
			start(x, x->pclaimed[i]);
		got += n;
	}
	return got;
}

/* --- answers ------------------------------------------------------------ */

static void
token_done(struct dispatcher *x, struct slot *s, long http, const char *why)
{
	struct push_auth *a = s->pa;
	int64_t expires_in = 0, now = time_now_ms();

	a->fetching = 0;
	if (a->fetch_updated_ms != a->updated_ms)
		return;		/* the credential changed meanwhile */
	if (http == 200 && push_fcm_token_parse(buf_cstr(&s->resp),
	    a->token, sizeof(a->token), &expires_in) == 0) {
		a->expires_ms = now + expires_in * 1000 - (expires_in * 1000 >
		    2 * TOKEN_EARLY_MS ? TOKEN_EARLY_MS : 0);
		a->failed_until_ms = 0;
		return;
	}
	snprintf(a->failure, sizeof(a->failure), "FCM access token: %.100s",
	    why);
	a->failed_until_ms = now + x->cfg->push_initial_backoff_ms;
	log_warn("push: application %s: %s", a->app_id, a->failure);
}

static void
job_done(struct dispatcher *x, struct slot *s, long http, const char *err)
{
	const struct push_job *j = s->job;
	struct push_auth *a;
	char why[PUSH_WHY_MAX];
	enum push_outcome o;

	o = strcmp(j->platform, "apns") == 0 ? push_apns_outcome(http,
	    buf_cstr(&s->resp), why, sizeof(why)) : push_fcm_outcome(http,
	    buf_cstr(&s->resp), why, sizeof(why));
	if (http == 0)
		snprintf(why, sizeof(why), "%.*s", (int)sizeof(why) - 1, err);
	switch (o) {
	case PUSH_OUT_DELIVERED:
		x->pushed++;
		finish(x, j, PUSH_DELIVERED, http, NULL);
		break;
	case PUSH_OUT_BAD_TOKEN:
		x->push_deactivated++;
		log_info("push: the %s token of %s was refused (%s): device "
		    "deactivated", j->platform, j->activation_id, why);
		db_warn(x, j, push_deactivate(x->db, j->activation_id,
		    j->token, http == 410 || http == 404 ? "UNREGISTERED" :
		    "BAD_TOKEN"));
		finish(x, j, PUSH_FAILED, http, why);
		break;
	case PUSH_OUT_REAUTH:
		if ((a = auth_get(x, j)) != NULL && !a->fetching)
			auth_reset(a);
		failed(x, j, http, why);
		break;
	case PUSH_OUT_RETRY:
		failed(x, j, http, why);
		break;
	default:
		x->push_failed++;
		log_warn("push: %s to %s refused: %s", j->message_type,
		    j->activation_id, why);
		finish(x, j, PUSH_FAILED, http, why);
		break;
	}
}

void
push_collect(struct dispatcher *x, struct slot *s, CURLcode result)
{
	char why[CURL_ERROR_SIZE + 32];
	long http = 0;

	if (result == CURLE_OK)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
	else
		snprintf(why, sizeof(why), "%s", s->error[0] != '\0' ?
		    s->error : curl_easy_strerror(result));
	if (result == CURLE_OK)
		snprintf(why, sizeof(why), "HTTP %ld", http);
	if (s->kind == SLOT_TOKEN)
		token_done(x, s, http, why);
	else
		job_done(x, s, http, why);
	dispatch_slot_clear(s);
	x->push_in_flight--;
}

/* --- set-up ------------------------------------------------------------- */

int
push_setup(struct dispatcher *x)
{
	x->npslots = (size_t)x->cfg->push_concurrency;
	x->nauths = AUTH_SLOTS;
	if ((x->pslots = calloc(x->npslots, sizeof(*x->pslots))) == NULL ||
	    (x->pclaimed = calloc(x->npslots, sizeof(*x->pclaimed))) ==
	    NULL || (x->auths = calloc(x->nauths, sizeof(*x->auths))) ==
	    NULL)
		return -1;
	return 0;
}

int
push_drained(struct dispatcher *x)
{
	struct push_counts c;

	return x->push_in_flight == 0 && push_counts(x->db, &c) == DB_OK &&
	    c.due == 0;
}

void
push_teardown(struct dispatcher *x)
{
	size_t i;

	for (i = 0; x->pslots != NULL && i < x->npslots; i++) {
		if (x->pslots[i].easy != NULL)
			curl_multi_remove_handle(x->multi, x->pslots[i].easy);
		dispatch_slot_clear(&x->pslots[i]);
	}
	free(x->pslots);
	free(x->pclaimed);
	if (x->auths != NULL)
		OPENSSL_cleanse(x->auths, x->nauths * sizeof(*x->auths));
	free(x->auths);
	x->pslots = NULL;
	x->auths = NULL;
}
