/* dispatcher.c - the webhook delivery loop (see dispatcher.h). */
#include <config.h>

#include "bin/dispatcher.h"
#include "bin/dispatch_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "crypto/primitives.h"
#include "service/housekeeping.h"
#include "service/secrets.h"
#include "service/webhook.h"
#include "store/deliveries.h"

#define REPORT_EVERY_MS		5000

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

void
dispatch_slot_clear(struct slot *s)
{
	if (s->easy != NULL)
		curl_easy_cleanup(s->easy);
	curl_slist_free_all(s->headers);
	free(s->d);
	free(s->body);
	webhook_auth_clear(&s->auth);
	if (s->job != NULL)
		OPENSSL_cleanse(s->job, sizeof(*s->job));
	free(s->job);
	buf_free(&s->resp);
	memset(s, 0, sizeof(*s));
}

/* The JSON array of callbacks not to claim for now: those with as many
 * attempts in flight as dispatch.per_callback allows. (Open circuit
 * breakers are left out by the claim itself.) */
static char *
exclusions(struct dispatcher *x)
{
	json_object *a;
	const struct delivery *d;
	char *out = NULL;
	const char *s;
	size_t i, j, n;
	int first;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < x->nslots; i++) {
		if ((d = x->slots[i].d) == NULL)
			continue;
		for (j = n = 0, first = 1; j < x->nslots; j++) {
			if (x->slots[j].d == NULL || strcmp(x->slots[j].d->
			    callback_id, d->callback_id) != 0)
				continue;
			n++;
			first &= j >= i;
		}
		if (first && (long)n >= x->cfg->dispatch_per_callback)
			json_object_array_add(a, json_object_new_string(
			    d->callback_id));
	}
	if ((s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) !=
	    NULL)
		out = strdup(s);
	json_object_put(a);
	return out;
}

/* The callback's secrets: HMAC key into key, receiver auth into s. */
static const char *
open_secrets(struct dispatcher *x, struct slot *s, uint8_t *key,
    size_t *keylen)
{
	const struct delivery *d = s->d;
	uint8_t *auth;
	size_t n = 0;
	int rc;

	if (secret_open(x->cfg, SECRET_CB_HMAC, NULL, d->callback_id,
	    d->secret_enc, key, WEBHOOK_KEY_MAX, keylen) < SECRET_KEY_CURRENT)
		return "configuration: the signing key does not decrypt";
	if (d->auth_enc[0] == '\0')
		return NULL;
	if ((auth = malloc(CB_AUTH_ENC_MAX + 1)) == NULL)
		return "out of memory";
	rc = secret_open(x->cfg, SECRET_CB_AUTH, NULL, d->callback_id,
	    d->auth_enc, auth, CB_AUTH_ENC_MAX, &n) < SECRET_KEY_CURRENT ?
	    -1 : 0;
	if (rc == 0) {
		auth[n] = '\0';
		rc = webhook_auth_parse((const char *)auth, &s->auth);
	}
	OPENSSL_cleanse(auth, CB_AUTH_ENC_MAX + 1);
	free(auth);
	return rc == 0 ? NULL :
	    "configuration: the receiver authentication does not decrypt";
}

/* Adds "name: value" to the attempt's headers ("name:" for "": libcurl
 * then leaves out a header of its own by that name). */
int
dispatch_add_header(struct slot *s, const char *name, const char *value)
{
	struct curl_slist *l;
	char line[DISPATCH_HEADER_MAX];

	if (snprintf(line, sizeof(line), "%s:%s%s", name,
	    value[0] != '\0' ? " " : "", value) >= (int)sizeof(line))
		return -1;
	l = curl_slist_append(s->headers, line);
	OPENSSL_cleanse(line, sizeof(line));
	if (l == NULL)
		return -1;
	s->headers = l;
	return 0;
}

static int
bearer(struct slot *s)
{
	char v[WEBHOOK_TEXT_MAX + 8];
	int rc;

	snprintf(v, sizeof(v), "Bearer %s", s->auth.token);
	rc = dispatch_add_header(s, "Authorization", v);
	OPENSSL_cleanse(v, sizeof(v));
	return rc;
}

/* The easy handle of an attempt; NULL and why when it cannot be made. */
static const char *
prepare(struct dispatcher *x, struct slot *s)
{
	const struct config *cfg = x->cfg;
	uint8_t key[WEBHOOK_KEY_MAX];
	char sig[WEBHOOK_SIG_MAX + 1], ts[24];
	const char *why;
	size_t keylen = 0;
	int64_t now = time_now_ms() / 1000;
	CURL *e;

	if ((s->body = webhook_body(s->d->payload, s->d->attributes)) == NULL)
		return "configuration: the event or attribute list is not JSON";
	why = open_secrets(x, s, key, &keylen);
	if (why == NULL && webhook_signature(key, keylen, s->d->event_uuid,
	    now, s->body, sig) != 0)
		why = "cannot sign";
	OPENSSL_cleanse(key, sizeof(key));
	if (why != NULL)
		return why;
	snprintf(ts, sizeof(ts), "%" PRId64, now);
	if (dispatch_add_header(s, "Content-Type", "application/json") != 0 ||
	    dispatch_add_header(s, "webhook-id", s->d->event_uuid) != 0 ||
	    dispatch_add_header(s, "webhook-timestamp", ts) != 0 ||
	    dispatch_add_header(s, "webhook-signature", sig) != 0 ||
	    dispatch_add_header(s, "Expect", "") != 0 ||
	    (s->auth.bearer && bearer(s) != 0))
		return "out of memory";
	if ((e = dispatch_easy_post(cfg, s, s->d->url,
	    cfg->dispatch_timeout_ms)) == NULL)
		return "out of memory";
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	if (s->auth.basic) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, s->auth.username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, s->auth.password);
	}
	if (s->auth.certificate) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, s->auth.cert_file);
		if (s->auth.key_file[0] != '\0')
			curl_easy_setopt(e, CURLOPT_SSLKEY, s->auth.key_file);
		if (s->auth.key_password[0] != '\0')
			curl_easy_setopt(e, CURLOPT_KEYPASSWD,
			    s->auth.key_password);
		if (s->auth.ca_file[0] != '\0')
			curl_easy_setopt(e, CURLOPT_CAINFO, s->auth.ca_file);
	}
	return NULL;
}

CURL *
dispatch_easy_post(const struct config *cfg, struct slot *s, const char *url,
    long timeout_ms)
{
	CURL *e;

	if ((s->easy = e = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_PRIVATE, s);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "paserv-dispatch/"
	    PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    cfg->dispatch_connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->error);
	return e;
}

double
dispatch_jitter(void)
{
	uint32_t r = 0;

	if (pa_random((uint8_t *)&r, sizeof(r)) != 0)
		return 0;
	return (double)r / 4294967296.0;
}

/* Records an attempt's outcome: http 2xx delivered, else failed. */
static void
record(struct dispatcher *x, const struct delivery *d, long http,
    const char *error)
{
	const struct config *cfg = x->cfg;
	int64_t delay;
	int give_up, rc;

	if (http >= 200 && http < 300) {
		x->delivered++;
		rc = dlv_succeeded(x->db, d, x->holder, http);
	} else {
		x->failed_attempts++;
		give_up = d->attempts + 1 >= d->max_attempts;
		delay = webhook_backoff_ms(d->attempts + 1,
		    d->initial_backoff_ms, d->backoff_multiplier_pct,
		    d->max_backoff_ms, dispatch_jitter());
		if (give_up) {
			x->gave_up++;
			log_warn("dispatch: event %s to callback %s given up "
			    "after %" PRId64 " attempts: %s", d->event_uuid,
			    d->callback_id, d->attempts + 1, error);
		} else
			log_debug("dispatch: event %s to callback %s failed "
			    "(%s), again in %" PRId64 " ms", d->event_uuid,
			    d->callback_id, error, delay);
		rc = dlv_failed(x->db, d, x->holder, http, error, give_up,
		    delay, cfg->dispatch_breaker_failures,
		    cfg->dispatch_breaker_open);
	}
	if (rc != DB_OK)
		log_warn("dispatch: cannot record delivery %" PRId64
		    " (%s); its claim will lapse and it is sent again",
		    d->id, db_last_error(x->db));
}

/* Starts the attempt of claimed delivery id in a free slot. */
static void
start(struct dispatcher *x, int64_t id)
{
	struct slot *s = NULL;
	const char *why;
	size_t i;
	int rc;

	for (i = 0; i < x->nslots && s == NULL; i++)
		if (x->slots[i].d == NULL)
			s = &x->slots[i];
	if (s == NULL || (s->d = malloc(sizeof(*s->d))) == NULL)
		return;		/* the claim lapses; sent later */
	if ((rc = dlv_load(x->db, id, s->d)) != DB_OK) {
		if (rc != DB_NOT_FOUND)
			log_warn("dispatch: cannot read delivery %" PRId64
			    " (%s)", id, db_last_error(x->db));
		dispatch_slot_clear(s);
		return;
	}
	if ((why = prepare(x, s)) != NULL) {
		record(x, s->d, 0, why);
		dispatch_slot_clear(s);
		return;
	}
	s->started_ms = time_now_ms();
	if (curl_multi_add_handle(x->multi, s->easy) != CURLM_OK) {
		record(x, s->d, 0, "cannot start the request");
		dispatch_slot_clear(s);
		return;
	}
	x->in_flight++;
}

/* Claims as much as may be started now; the number claimed. */
static size_t
claim(struct dispatcher *x)
{
	char *exclude;
	size_t n = 0, i;
	int64_t room = (int64_t)(x->nslots - x->in_flight);
	int rc;

	if (room <= 0)
		return 0;
	if ((exclude = exclusions(x)) == NULL) {
		log_warn("dispatch: out of memory");
		return 0;
	}
	rc = dlv_claim(x->db, x->holder, x->cfg->dispatch_lease, exclude,
	    room, x->claimed, &n);
	free(exclude);
	if (rc != DB_OK) {
		log_warn("dispatch: cannot claim deliveries (%s)",
		    db_last_error(x->db));
		return 0;
	}
	for (i = 0; i < n; i++)
		start(x, x->claimed[i]);
	return n;
}

/* Finishes the attempts libcurl reports done. */
static void
collect(struct dispatcher *x)
{
	struct slot *s;
	CURLMsg *m;
	long http;
	int left;
	char why[CURL_ERROR_SIZE + 32];

	while ((m = curl_multi_info_read(x->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		s = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)&s);
		http = 0;
		if (m->data.result == CURLE_OK) {
			curl_easy_getinfo(m->easy_handle,
			    CURLINFO_RESPONSE_CODE, &http);
			snprintf(why, sizeof(why), "HTTP %ld", http);
		} else
			snprintf(why, sizeof(why), "%s", s->error[0] != '\0' ?
			    s->error : curl_easy_strerror(m->data.result));
		curl_multi_remove_handle(x->multi, m->easy_handle);
		if (s->kind != SLOT_WEBHOOK) {
			push_collect(x, s, m->data.result);
			continue;
		}
		if (x->nlatency < LATENCY_SAMPLES)
			x->latency[x->nlatency++] = time_now_ms() -
			    s->started_ms;
		record(x, s->d, http, why);
		dispatch_slot_clear(s);
		x->in_flight--;
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
report(struct dispatcher *x, int force)
{
	struct dispatcher_report r;
	int64_t now = time_now_ms();

	if (!force && now < x->next_report_ms)
		return;
	x->next_report_ms = now + REPORT_EVERY_MS;
	memset(&r, 0, sizeof(r));
	r.holder = x->holder;
	r.in_flight = (int64_t)x->in_flight;
	r.delivered = x->delivered;
	r.failed_attempts = x->failed_attempts;
	r.gave_up = x->gave_up;
	if (x->nlatency > 0) {
		qsort(x->latency, x->nlatency, sizeof(x->latency[0]), cmp_i64);
		r.latency_p50_ms = x->latency[x->nlatency / 2];
		r.latency_p99_ms = x->latency[x->nlatency * 99 / 100];
	}
	x->nlatency = 0;
	if (dlv_report(x->db, &r) != DB_OK)
		log_warn("dispatch: cannot write the status row (%s)",
		    db_last_error(x->db));
}

/* Nothing due and nothing in flight: what --drain waits for. */
static int
drained(struct dispatcher *x)
{
	struct delivery_counts c;

	return x->in_flight == 0 && dlv_counts(x->db, &c) == DB_OK &&
	    c.due == 0 && push_drained(x);
}

static int
setup(struct dispatcher *x, const struct config *cfg)
{
	memset(x, 0, sizeof(*x));
	x->cfg = cfg;
	x->nslots = (size_t)cfg->dispatch_concurrency;
	if (cfg->dispatch_lease * 1000 < 2 * ((cfg->dispatch_timeout_ms >
	    cfg->push_timeout_ms ? cfg->dispatch_timeout_ms :
	    cfg->push_timeout_ms) + cfg->dispatch_connect_timeout_ms)) {
		log_error("dispatch.lease must be at least twice "
		    "dispatch.connect_timeout_ms + the longer of "
		    "dispatch.timeout_ms and push.timeout_ms");
		return -1;
	}
	if (housekeeping_holder_id(x->holder, sizeof(x->holder)) != 0 ||
	    (x->db = db_new(cfg)) == NULL ||
	    (x->multi = curl_multi_init()) == NULL ||
	    (x->slots = calloc(x->nslots, sizeof(*x->slots))) == NULL ||
	    (x->claimed = calloc(x->nslots, sizeof(*x->claimed))) == NULL ||
	    push_setup(x) != 0) {
		log_error("dispatch: out of memory");
		return -1;
	}
	return 0;
}

static void
teardown(struct dispatcher *x)
{
	size_t i;

	for (i = 0; x->slots != NULL && i < x->nslots; i++) {
		if (x->slots[i].easy != NULL)
			curl_multi_remove_handle(x->multi, x->slots[i].easy);
		dispatch_slot_clear(&x->slots[i]);
	}
	free(x->slots);
	free(x->claimed);
	push_teardown(x);
	if (x->multi != NULL)
		curl_multi_cleanup(x->multi);
	db_free(x->db);
}

int
dispatcher_run(const struct config *cfg, volatile sig_atomic_t *stop,
    int drain)
{
	struct dispatcher x;
	size_t got = 0, pgot = 0, room, proom;
	int running, wait_ms, rc = -1;

	if (setup(&x, cfg) != 0)
		goto done;
	log_info("dispatch: %s started (%ld at once, %ld per callback; "
	    "%ld pushes at once, %ld per platform)", x.holder,
	    cfg->dispatch_concurrency, cfg->dispatch_per_callback,
	    cfg->push_concurrency, cfg->push_per_platform);
	for (;;) {
		room = x.nslots - x.in_flight;
		proom = x.npslots - x.push_in_flight;
		got = *stop ? 0 : claim(&x);
		pgot = *stop ? 0 : push_claim_start(&x);
		if (*stop && x.in_flight == 0 && x.push_in_flight == 0)
			break;
		if (drain && got == 0 && pgot == 0 && drained(&x))
			break;
		curl_multi_perform(x.multi, &running);
		collect(&x);
		/* A claim that filled every free slot: more may be due. */
		wait_ms = (got > 0 && got == room) || (pgot > 0 &&
		    pgot == proom) ? 0 : (int)cfg->dispatch_poll_ms;
		curl_multi_poll(x.multi, NULL, 0, wait_ms, NULL);
		curl_multi_perform(x.multi, &running);
		collect(&x);
		report(&x, 0);
	}
	report(&x, 1);
	log_info("dispatch: %s stopped: %" PRId64 " delivered, %" PRId64
	    " failed attempts, %" PRId64 " given up; %" PRId64 " pushes, %"
	    PRId64 " failed push attempts, %" PRId64 " devices deactivated",
	    x.holder, x.delivered, x.failed_attempts, x.gave_up, x.pushed,
	    x.push_failed, x.push_deactivated);
	rc = 0;
done:
	teardown(&x);
	return rc;
}
