/* The rules of operation and display templates (service/templates.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "service/templates.h"
#include "tap.h"

static struct op_template tpl;
static struct op_display disp;

static struct template_req
tpl_req(const char *data_template)
{
	struct template_req r;

	memset(&r, 0, sizeof(r));
	r.name = "bank.payment";
	r.operation_type = "payment";
	r.data_template = data_template;
	return r;
}

static void
tpl_bad(struct template_req r, const char *want, const char *what)
{
	const char *why = template_check(&r, &tpl);

	tap_ok(why != NULL && strstr(why, want) != NULL, "template refused: %s "
	    "(%s)", what, why != NULL ? why : "accepted");
}

static void
data_ok(const char *data_template)
{
	struct template_req r = tpl_req(data_template);
	const char *why = template_check(&r, &tpl);

	tap_ok(why == NULL, "dataTemplate accepted: %s (%s)", data_template,
	    why != NULL ? why : "ok");
}

/* A display request whose attributes (and so on) are the JSON text. */
static const char *
disp_check_json(const char *attributes, const char *result_texts,
    const char *ui)
{
	struct display_req r = { "payment", "de", "Zahlung", "Bitte ${x}",
	    NULL, NULL, NULL };
	const char *why;

	r.attributes = attributes != NULL ? json_tokener_parse(attributes) :
	    NULL;
	r.result_texts = result_texts != NULL ?
	    json_tokener_parse(result_texts) : NULL;
	r.ui = ui != NULL ? json_tokener_parse(ui) : NULL;
	why = display_check(&r, &disp);
	json_object_put(r.attributes);
	json_object_put(r.result_texts);
	json_object_put(r.ui);
	return why;
}

static void
attr_bad(const char *attributes, const char *want)
{
	const char *why = disp_check_json(attributes, NULL, NULL);

	tap_ok(why != NULL && strstr(why, want) != NULL, "attributes refused: "
	    "%s (%s)", attributes, why != NULL ? why : "accepted");
}

int
main(void)
{
	static const char *sig_mixed[] = { "POSSESSION_Biometry",
	    "possession_knowledge_biometry" };
	static const char *sig_twice[] = { "possession", "POSSESSION" };
	static const char *sig_unknown[] = { "face" };
	struct template_req r;
	struct display_req d;
	const char *why;
	char big[1100];

	/* Defaults and normalisation. */
	r = tpl_req("A2");
	tap_ok(template_check(&r, &tpl) == NULL, "minimal template accepted");
	tap_str(tpl.signature_types,
	    "[\"possession_knowledge\",\"possession_biometry\"]",
	    "default signature types");
	tap_ok(tpl.expiration_s == 300 && tpl.max_failures == 5 &&
	    tpl.risk_flags[0] == '\0' && tpl.proximity_check == 0,
	    "defaults: 300 s, 5 failures, no flags, no proximity check");
	r = tpl_req("A1*A${amount}${currency}*I${iban}");
	r.signature_types = sig_mixed;
	r.nsignature_types = 2;
	r.expiration_s = 60;
	r.max_failures = 3;
	r.risk_flags = "CXF";
	r.proximity_check = 1;
	tap_ok(template_check(&r, &tpl) == NULL, "full template accepted");
	tap_str(tpl.signature_types,
	    "[\"possession_biometry\",\"possession_knowledge_biometry\"]",
	    "signature types lower-case, in the given order");
	tap_ok(tpl.expiration_s == 60 && tpl.max_failures == 3 &&
	    strcmp(tpl.risk_flags, "CXF") == 0 && tpl.proximity_check == 1,
	    "given values kept");

	/* The data template grammar. */
	data_ok("A0");
	data_ok("A99*Nplain text");
	data_ok("A1*A${a.b-c_d}CZK*$5*{}");
	tpl_bad(tpl_req("A"), "header", "header without a number");
	tpl_bad(tpl_req("A100"), "header", "header A100");
	tpl_bad(tpl_req("a1"), "header", "lower-case header");
	tpl_bad(tpl_req("A1X"), "header", "header not followed by *");
	tpl_bad(tpl_req(""), "1 to 1024", "empty");
	memset(big, 'x', sizeof(big) - 1);
	big[0] = 'A';
	big[1] = '1';
	big[2] = '*';
	big[sizeof(big) - 1] = '\0';
	tpl_bad(tpl_req(big), "1 to 1024", "1099 characters");
	tpl_bad(tpl_req("A1*N\t"), "control", "a tab");
	tpl_bad(tpl_req("A1*A${amount"), "without its }", "open ${");
	tpl_bad(tpl_req("A1*A${}"), "placeholders", "empty placeholder");
	tpl_bad(tpl_req("A1*A${a b}"), "placeholders", "space in a name");

	/* Names, types, numbers, flags. */
	r = tpl_req("A2");
	r.name = "a/b";
	tpl_bad(r, "name must be", "name with a slash");
	r = tpl_req("A2");
	r.operation_type = "";
	tpl_bad(r, "operationType", "empty operation type");
	r = tpl_req(NULL);
	tpl_bad(r, "dataTemplate is required", "no data template");
	r = tpl_req("A2");
	r.signature_types = sig_twice;
	r.nsignature_types = 2;
	tpl_bad(r, "repeat", "a signature type twice (case aside)");
	r.signature_types = sig_unknown;
	r.nsignature_types = 1;
	tpl_bad(r, "signatureTypes items", "unknown signature type");
	r.nsignature_types = 0;
	tpl_bad(r, "1 to 6", "empty signature types");
	r = tpl_req("A2");
	r.expiration_s = 2592001;
	tpl_bad(r, "expiration", "expiration over 30 days");
	r = tpl_req("A2");
	r.max_failures = 101;
	tpl_bad(r, "maxFailureCount", "101 failures");
	r = tpl_req("A2");
	r.risk_flags = "XQ";
	tpl_bad(r, "riskFlags", "unknown flag");
	r.risk_flags = "FF";
	tpl_bad(r, "riskFlags", "flag twice");

	/* Display templates. */
	why = disp_check_json(NULL, NULL, NULL);
	tap_ok(why == NULL && strcmp(disp.attributes, "[]") == 0 &&
	    strcmp(disp.result_texts, "{}") == 0 && disp.ui[0] == '\0',
	    "minimal display: [] attributes, {} texts, no ui");
	why = disp_check_json("[ {\"id\": \"a.b\", \"type\": \"AMOUNT\","
	    " \"text\": \"Betrag\", \"params\": {\"amount\": \"amt\","
	    " \"currency\": \"cur\"}}, {\"id\": \"h\", \"type\": \"HEADING\"},"
	    " {\"id\": \"p\", \"type\": \"PARTY_INFO\", \"params\":"
	    " {\"logoUrl\": \"logo\", \"websiteUrl\": \"web\"}} ]",
	    "{\"success\": \"OK / done\"}",
	    "{\"flipButtons\": true, \"postApprovalScreen\": {\"type\":"
	    " \"MERCHANT_REDIRECT\", \"payload\": {\"countdown\": 5}},"
	    " \"templates\": {}}");
	tap_ok(why == NULL, "full display accepted (%s)", why ? why : "ok");
	tap_str(disp.attributes, "[{\"id\":\"a.b\",\"type\":\"AMOUNT\","
	    "\"text\":\"Betrag\",\"params\":{\"amount\":\"amt\",\"currency\":"
	    "\"cur\"}},{\"id\":\"h\",\"type\":\"HEADING\"},{\"id\":\"p\","
	    "\"type\":\"PARTY_INFO\",\"params\":{\"logoUrl\":\"logo\","
	    "\"websiteUrl\":\"web\"}}]", "attributes stored compact");
	tap_str(disp.result_texts, "{\"success\":\"OK / done\"}",
	    "result texts compact, slashes as they are");
	tap_ok(strstr(disp.ui, "\"MERCHANT_REDIRECT\"") != NULL, "ui stored");
	attr_bad("{}", "must be an array");
	attr_bad("[1]", "must be objects");
	attr_bad("[{\"type\": \"NOTE\"}]", "attribute id");
	attr_bad("[{\"id\": \"a b\", \"type\": \"NOTE\"}]", "attribute id");
	attr_bad("[{\"id\": \"a\"}]", "type is required");
	attr_bad("[{\"id\": \"a\", \"type\": \"note\"}]", "type must be");
	attr_bad("[{\"id\": \"a\", \"type\": \"NOTE\", \"text\": 5}]",
	    "text must be");
	attr_bad("[{\"id\": \"a\", \"type\": \"NOTE\", \"params\": []}]",
	    "params must be an object");
	attr_bad("[{\"id\": \"a\", \"type\": \"AMOUNT\", \"params\":"
	    " {\"value\": \"v\"}}]", "does not read");
	attr_bad("[{\"id\": \"a\", \"type\": \"NOTE\", \"params\":"
	    " {\"note\": \"has space\"}}]", "parameter names");
	attr_bad("[{\"id\": \"a\", \"type\": \"NOTE\"}, {\"id\": \"a\","
	    " \"type\": \"IMAGE\"}]", "distinct");
	attr_bad("[{\"id\": \"a\", \"type\": \"NOTE\", \"extra\": 1}]",
	    "only id, type, text, params");
	why = disp_check_json(NULL, "{\"success\": \"\"}", NULL);
	tap_ok(why != NULL && strstr(why, "1 to 255") != NULL,
	    "empty result text refused (%s)", why ? why : "accepted");
	why = disp_check_json(NULL, "[]", NULL);
	tap_ok(why != NULL && strstr(why, "object") != NULL,
	    "result texts as an array refused");
	why = disp_check_json(NULL, NULL, "{\"preApprovalScreen\": {}}");
	tap_ok(why != NULL && strstr(why, "preApprovalScreen") != NULL,
	    "pre-approval screen without a type refused");
	why = disp_check_json(NULL, NULL, "{\"postApprovalScreen\":"
	    " {\"type\": \"WARNING\"}}");
	tap_ok(why != NULL && strstr(why, "postApprovalScreen") != NULL,
	    "post-approval screen of a pre-approval type refused");
	why = disp_check_json(NULL, NULL, "{\"templates\": 1}");
	tap_ok(why != NULL && strstr(why, "templates") != NULL,
	    "ui templates not an object refused");
	memset(&d, 0, sizeof(d));
	d.operation_type = "payment";
	d.title = "T";
	d.message = "M";
	d.language = "cz-";
	why = display_check(&d, &disp);
	tap_ok(why != NULL && strstr(why, "ISO 639-1") != NULL,
	    "language of three characters refused");
	d.language = "Cs";
	tap_ok(display_check(&d, &disp) != NULL, "language upper-case refused");
	d.language = "cs";
	d.message = "two\nlines";
	tap_ok(display_check(&d, &disp) != NULL,
	    "control character in a message refused");
	d.message = "M";
	tap_ok(display_check(&d, &disp) == NULL, "plain display accepted");
	tap_ok(display_language_valid("en") && !display_language_valid("e") &&
	    !display_language_valid(NULL), "display_language_valid");
	return tap_done();
}
