/* The rules of an inbox message (service/inbox.c, the pure checks) and
 * the multi-line text validator (service/result.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "service/inbox.h"
#include "tap.h"

static struct inbox_create_req
req(void)
{
	struct inbox_create_req r;

	memset(&r, 0, sizeof(r));
	r.user_id = "user-1";
	r.type = "text";
	r.subject = "Your statement is ready";
	r.summary = "The statement for May can be downloaded.";
	r.body = "Dear customer,\n\tyour statement is ready.\r\nBye";
	return r;
}

static void
refused(struct inbox_create_req r, const char *want, const char *what)
{
	const char *why = NULL;
	enum svc_rc rc = inbox_check(&r, &why);

	tap_ok(rc == SVC_INVALID && why != NULL && strstr(why, want) != NULL,
	    "refused: %s (%s)", what, why != NULL ? why : "accepted");
}

static void
accepted(struct inbox_create_req r, const char *what)
{
	const char *why = NULL;
	enum svc_rc rc = inbox_check(&r, &why);

	tap_ok(rc == SVC_OK && why == NULL, "accepted: %s (%s)", what,
	    why != NULL ? why : "ok");
}

/* A string of n copies of c (caller frees). */
static char *
filled(size_t n, char c)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
types(void)
{
	tap_ok(inbox_type_parse("text") == INBOX_TEXT, "type text");
	tap_ok(inbox_type_parse("html") == INBOX_HTML, "type html");
	tap_ok(inbox_type_parse("TEXT") == 0 && inbox_type_parse("") == 0 &&
	    inbox_type_parse("markdown") == 0 && inbox_type_parse(NULL) == 0,
	    "other types are unknown (case matters)");
}

static void
markup(void)
{
	tap_ok(inbox_markup_free("a < b, 3<4, <3, x <= y, <> and < <"),
	    "a '<' that opens no tag is text");
	tap_ok(!inbox_markup_free("<b>bold</b>"), "a tag is markup");
	tap_ok(!inbox_markup_free("x </p>"), "a closing tag is markup");
	tap_ok(!inbox_markup_free("<!-- c -->"), "a comment is markup");
	tap_ok(!inbox_markup_free("<?xml ?>"), "a processing instruction");
	tap_ok(!inbox_markup_free("ok < fine <script>"), "a later tag counts");
	tap_ok(inbox_markup_free(""), "empty text has no markup");
}

static void
lines(void)
{
	tap_ok(svc_lines_valid("a\tb\nc\r\nd", 16), "tab, LF, CR allowed");
	tap_ok(!svc_lines_valid("a\x01" "b", 16), "other C0 control refused");
	tap_ok(!svc_lines_valid("a\x7f", 16), "DEL refused");
	tap_ok(!svc_lines_valid("", 16), "empty refused");
	tap_ok(svc_lines_valid("abcd", 4) && !svc_lines_valid("abcde", 4),
	    "at most max bytes");
	tap_ok(svc_lines_valid("p\xc5\x99\xc3\xadli\xc5\xa1", 16),
	    "UTF-8 letters are text");
	tap_ok(!svc_text_valid("one\ntwo", 16), "svc_text_valid: one line");
}

static void
fields(void)
{
	struct inbox_create_req r;
	char *s;

	accepted(req(), "a text message with lines in its body");
	r = req();
	r.type = "html";
	r.body = "<p>Hello <b>there</b></p>";
	accepted(r, "markup in the body of an html message");
	r = req();
	r.body = "<p>Hello</p>";
	refused(r, "no markup", "markup in the body of a text message");
	r = req();
	r.type = "html";
	r.subject = "<b>News</b>";
	refused(r, "plain text", "markup in the subject (html message)");
	r = req();
	r.summary = "see <a href=x>";
	refused(r, "plain text", "markup in the summary");
	r = req();
	r.type = "Text";
	refused(r, "text or html", "type Text");
	r = req();
	r.type = NULL;
	refused(r, "text or html", "no type");
	r = req();
	r.user_id = NULL;
	refused(r, "userId", "no userId");
	r = req();
	r.user_id = "a\tb";
	refused(r, "userId", "control character in userId");
	s = filled(256, 'u');
	r = req();
	r.user_id = s;
	refused(r, "userId", "userId of 256 bytes");
	s[255] = '\0';
	r.user_id = s;
	accepted(r, "userId of 255 bytes");
	free(s);
	r = req();
	r.subject = "two\nlines";
	refused(r, "subject", "subject of two lines");
	r = req();
	r.subject = "";
	refused(r, "subject", "empty subject");
	s = filled(INBOX_SUBJECT_MAX + 1, 's');
	r = req();
	r.subject = s;
	refused(r, "subject", "subject of 256 bytes");
	free(s);
	r = req();
	r.summary = "a\x1b[31m";
	refused(r, "summary", "escape sequence in the summary");
	s = filled(INBOX_SUMMARY_MAX + 1, 'm');
	r = req();
	r.summary = s;
	refused(r, "summary", "summary of 1025 bytes");
	s[INBOX_SUMMARY_MAX] = '\0';
	accepted(r, "summary of 1024 bytes");
	free(s);
	r = req();
	r.body = NULL;
	refused(r, "body", "no body");
	r = req();
	r.body = "bell\a";
	refused(r, "body", "BEL in the body");
	s = filled(INBOX_BODY_MAX + 1, 'b');
	r = req();
	r.body = s;
	refused(r, "body", "body of 65536 bytes");
	s[INBOX_BODY_MAX] = '\0';
	accepted(r, "body of 65535 bytes");
	free(s);
}

static void
applications(void)
{
	static const char *const two[] = { "APP_1", "app.two" };
	static const char *const dup[] = { "APP_1", "app.two", "APP_1" };
	static const char *const bad[] = { "APP 1" };
	const char *many[INBOX_APPS_MAX + 1];
	struct inbox_create_req r;
	size_t i;

	r = req();
	r.apps = two;
	r.napps = 2;
	accepted(r, "two applications");
	r.napps = 0;
	refused(r, "1 to 64", "an empty list of applications");
	r.apps = dup;
	r.napps = 3;
	refused(r, "twice", "an application twice");
	r.apps = bad;
	r.napps = 1;
	refused(r, "application ids", "a space in an application id");
	for (i = 0; i <= INBOX_APPS_MAX; i++)
		many[i] = "x";
	r.apps = many;
	r.napps = INBOX_APPS_MAX + 1;
	refused(r, "1 to 64", "65 applications");
}

static void
pages(void)
{
	tap_ok(inbox_page_valid(0, 1, 100) && inbox_page_valid(INBOX_PAGE_MAX,
	    100, 100), "page 0..max, size 1..max");
	tap_ok(!inbox_page_valid(-1, 10, 100), "negative page refused");
	tap_ok(!inbox_page_valid(INBOX_PAGE_MAX + 1, 10, 100),
	    "page beyond the highest refused");
	tap_ok(!inbox_page_valid(0, 0, 100) && !inbox_page_valid(0, 101, 100),
	    "size 0 and above max refused");
}

int
main(void)
{
	types();
	markup();
	lines();
	fields();
	applications();
	pages();
	return tap_done();
}
