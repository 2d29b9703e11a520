/*
 * http_client.h - the device simulator's HTTP client (libcurl).
 *
 * Owns: one POST/GET with extra headers and a body, returning the status code
 * and the response body. Talks only to the URL it is given.
 */
#ifndef PASERV_DEVICE_HTTP_CLIENT_H
#define PASERV_DEVICE_HTTP_CLIENT_H

#include <stddef.h>

#include "common/buf.h"

struct http_reply {
	long		status;
	struct buf	body;
};

/* Global libcurl set-up/tear-down; call once from main(). */
int	http_client_init(void);
void	http_client_cleanup(void);

/*
 * Sends `method` to url with the given header lines ("Name: value", NULL
 * terminated list) and body (may be NULL for none). 0 when an HTTP answer
 * arrived (any status), -1 on transport failure (message in err).
 */
int	http_request(const char *method, const char *url,
	    const char *const *headers, const char *body, size_t len,
	    struct http_reply *reply, char *err, size_t errlen);
void	http_reply_free(struct http_reply *reply);

#endif
