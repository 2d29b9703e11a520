/*
 * http_client.c - libcurl wrapper for the device simulator (see
 * http_client.h).
 */
#include <config.h>

#include "device/http_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

int
http_client_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_client_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_append(b, p, size * n) != 0)
		return 0;
	return size * n;
}

int
http_request(const char *method, const char *url, const char *const *headers,
    const char *body, size_t len, struct http_reply *reply, char *err,
    size_t errlen)
{
	struct curl_slist *list = NULL, *tmp;
	CURL *c = NULL;
	CURLcode rc;
	int ret = -1;

	reply->status = 0;
	reply->body = (struct buf)BUF_INIT;
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		goto fail;
	}
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((tmp = curl_slist_append(list, *headers)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		list = tmp;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_USERAGENT,
	    "PowerAuthNetworking/1.0 (en; wifi) pa-device/1.0 (paserv; Linux; simulator)");
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		goto fail;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
	if (buf_cstr(&reply->body) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ret = 0;
fail:
	curl_slist_free_all(list);
	if (c != NULL)
		curl_easy_cleanup(c);
	if (ret != 0)
		buf_free(&reply->body);
	return ret;
}

void
http_reply_free(struct http_reply *reply)
{
	buf_free(&reply->body);
}
