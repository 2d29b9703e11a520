/*
 * admin_audit.c - GET /admin/audit: the audit log for administrators,
 * newest first, filtered and paged by id (see doc/security.md).
 */
#include <config.h>

#include <string.h>

#include "cloud/cloud.h"
#include "service/audit.h"

#define AUDIT_PAGE_DEFAULT	100
#define AUDIT_PAGE_MAX		1000

/* An optional text filter of at most max characters; -1 if malformed. */
static int
text_filter(const struct request *req, const char *key, size_t max,
    const char **out)
{
	*out = request_query(req, key);
	return *out == NULL || svc_text_valid(*out, max) ? 0 : -1;
}

void
cloud_audit_list(struct worker *w, struct request *req,
    struct response *res)
{
	struct audit_filter f;
	json_object *arr = NULL, *root;
	int64_t limit, next;
	enum svc_rc rc;

	memset(&f, 0, sizeof(f));
	if (cloud_query_num(req, "before", 0, &f.before_id) != 0 ||
	    cloud_query_num(req, "since", 0, &f.since_ms) != 0 ||
	    cloud_query_num(req, "until", 0, &f.until_ms) != 0 ||
	    cloud_query_num(req, "limit", AUDIT_PAGE_DEFAULT, &limit) != 0 ||
	    limit < 1 || limit > AUDIT_PAGE_MAX) {
		response_error(res, API_ERROR_REQUEST, "before, since and "
		    "until must be numbers, limit 1..1000");
		return;
	}
	if (text_filter(req, "category", AUDIT_CATEGORY_MAX, &f.category) ||
	    text_filter(req, "outcome", AUDIT_OUTCOME_MAX, &f.outcome) ||
	    text_filter(req, "objectId", AUDIT_OBJECT_MAX, &f.object_id) ||
	    text_filter(req, "userId", AUDIT_ID_MAX, &f.user_id) ||
	    text_filter(req, "actor", AUDIT_ACTOR_MAX, &f.actor)) {
		response_error(res, API_ERROR_REQUEST, "a filter is empty, "
		    "too long or holds control characters");
		return;
	}
	f.limit = (int)limit;
	rc = audit_query(cloud_db(w), &f, &arr, &next);
	if (rc != SVC_OK || (root = json_object_new_object()) == NULL) {
		json_object_put(arr);
		cloud_fail(w, req, res, rc == SVC_OK ? SVC_INTERNAL : rc, NULL);
		return;
	}
	json_object_object_add(root, "events", arr);
	if (next > 0)
		json_object_object_add(root, "nextBefore",
		    json_object_new_int64(next));
	response_json(res, 200, root);
}
