/*
 * pa-device - a PowerAuth 3.0-3.3 device simulator: the mobile side in C,
 * for end-to-end tests and for smoke-testing a deployment.
 *
 * Thin main: parses the command line and calls device.h; state lives in the
 * file named by -s (default ./pa-device.json).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "device/device.h"
#include "device/http_client.h"

static const char USAGE[] =
"usage: pa-device [-s STATE] COMMAND [ARGS]\n"
"commands:\n"
"  setup SDK_CONFIG URL [VERSION]   app credentials (mobileSdkConfig), server\n"
"                                   URL of /enrollment-server, 3.0..3.3 (3.3)\n"
"  activate CODE[#SIG] [--otp OTP] [--name NAME]\n"
"  activate-batch FILE              activation/create requests for FILE's\n"
"                                   codes, not sent: HEADER<TAB>BODY lines\n"
"  fingerprint                      activation fingerprint (8 digits)\n"
"  status                           fetch and decrypt the activation status\n"
"  sign METHOD URI_ID [--body TEXT] [--type TYPE] [--wrong-knowledge]\n"
"                                   print an X-PowerAuth-Authorization value\n"
"  sign-batch METHOD URI_ID N [--body TEXT | --bodies FILE] [--type TYPE]\n"
"             [--skip K]            print N consecutive values, one a line;\n"
"                                   --bodies: sign FILE's lines, one each;\n"
"                                   --skip: K unsent counter steps before\n"
"                                   each\n"
"  sign-offline URI_ID NONCE_B64 --body TEXT [--type TYPE] [--digits N]\n"
"  call PATH URI_ID [--body TEXT] [--type TYPE] [--wrong-knowledge]\n"
"                                   send a signed POST, print status and body\n"
"  token-create [--type TYPE]       create a token, print its id\n"
"  token-header TOKEN_ID            print an X-PowerAuth-Token value\n"
"  token-header-batch TOKEN_ID N    print N values (fresh nonce each)\n"
"  vault-unlock                     print the vault key (Base64)\n"
"  op-list TOKEN_ID                 pending operations (Mobile Token API)\n"
"  op-detail TOKEN_ID OP_ID         one operation\n"
"  op-approve OP_ID DATA [--type TYPE] [--otp PROXIMITY_OTP]\n"
"  op-reject OP_ID [REASON] [--type TYPE]\n"
"  op-offline QR_TEXT [--type TYPE]  the code to type for an offline QR\n"
"                                   op-* print the HTTP status and body\n"
"  remove                           remove the activation on the server\n"
"  show                             print the state file\n";

struct opts {
	const char	*body;
	const char	*bodies;	/* file: one body a line */
	const char	*type;
	const char	*otp;
	const char	*name;
	int		 wrong_knowledge;
	int		 digits;
	long		 skip;
};

/* Parses --options after the positional arguments. */
static int
parse_opts(int argc, char **argv, int first, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->type = "possession_knowledge";
	o->body = "{}";
	o->digits = 8;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--wrong-knowledge") == 0) {
			o->wrong_knowledge = 1;
			continue;
		}
		if (v == NULL)
			return -1;
		if (strcmp(a, "--body") == 0)
			o->body = v;
		else if (strcmp(a, "--bodies") == 0)
			o->bodies = v;
		else if (strcmp(a, "--skip") == 0) {
			o->skip = strtol(v, NULL, 10);
			if (o->skip < 0 || o->skip > 1000)
				return -1;
		}
		else if (strcmp(a, "--type") == 0)
			o->type = v;
		else if (strcmp(a, "--otp") == 0)
			o->otp = v;
		else if (strcmp(a, "--name") == 0)
			o->name = v;
		else if (strcmp(a, "--digits") == 0)
			o->digits = atoi(v);
		else
			return -1;
		i++;
	}
	return 0;
}

static int
print_owned(char *s)
{
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

#define BATCH_MAX	10000000L

/* A batch size: 1..BATCH_MAX, else -1. */
static long
parse_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > BATCH_MAX)
		return -1;
	return n;
}

/*
 * N consecutive signatures, one header a line: of the same body, or of the
 * first N lines of a file (one body each, in order). With skip K the counter
 * first advances K steps unsent before each signature, so each is K + 1
 * steps ahead of the previous one (K = lookahead - 1: every verification
 * tries the whole look-ahead window before it matches). The state is saved
 * once, also after a failure midway (the counter values already printed
 * are spent).
 */
static int
sign_batch(struct device *d, const char *method, const char *uri_id,
    const char *count, const struct opts *o)
{
	long i, n = parse_count(count);
	FILE *fp = NULL;
	char *line = NULL;
	const char *body = o->body;
	size_t cap = 0;
	int rc = 0;

	if (n < 0)
		return 2;
	if (o->bodies != NULL && (fp = fopen(o->bodies, "r")) == NULL) {
		snprintf(d->err, sizeof(d->err), "%s: %s", o->bodies,
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (fp != NULL) {
			if (getline(&line, &cap, fp) < 0) {
				snprintf(d->err, sizeof(d->err),
				    "%s: only %ld lines", o->bodies, i);
				rc = -1;
				break;
			}
			line[strcspn(line, "\r\n")] = '\0';
			body = line;
		}
		if (o->skip > 0 && device_skip(d, o->skip) != 0) {
			rc = -1;
			break;
		}
		rc = print_owned(device_sign(d, method, uri_id,
		    (const uint8_t *)body, strlen(body), o->type,
		    o->wrong_knowledge));
	}
	if (fflush(stdout) != 0 && rc == 0) {
		snprintf(d->err, sizeof(d->err), "stdout: %s", strerror(errno));
		rc = -1;
	}
	if (i > 0 && device_save(d) != 0)
		rc = -1;
	free(line);
	if (fp != NULL)
		fclose(fp);
	return rc != 0 ? 1 : 0;
}

/* activation/create requests for the codes in a file, not sent. */
static int
activate_batch(struct device *d, const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	long n = 0;
	int rc;

	if (fp == NULL) {
		snprintf(d->err, sizeof(d->err), "%s: %s", path,
		    strerror(errno));
		return 1;
	}
	rc = device_activation_batch(d, fp, stdout, &n);
	if (fp != stdin)
		fclose(fp);
	/* a fetched temporary key is worth keeping */
	if (device_save(d) != 0)
		rc = -1;
	return rc != 0 ? 1 : 0;
}

/* N token headers for one token, each with a fresh nonce and timestamp. */
static int
token_batch(struct device *d, const char *token_id, const char *count)
{
	long i, n = parse_count(count);

	if (n < 0)
		return 2;
	for (i = 0; i < n; i++)
		if (print_owned(device_token_header(d, token_id)) != 0)
			return 1;
	if (fflush(stdout) != 0) {
		snprintf(d->err, sizeof(d->err), "stdout: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* "STATUS BODY" of an exchange that happened (rc 0), or failure. */
static int
print_reply(struct device *d, int rc, long status, char *resp)
{
	if (rc == 0 && device_save(d) == 0)
		printf("%ld %s\n", status, resp != NULL ? resp : "");
	free(resp);
	return rc == 0 ? 0 : 1;
}

static int
run_operation(struct device *d, const char *cmd, int npos, char **argv,
    const struct opts *o)
{
	char *resp = NULL;
	long status = 0;
	int rc;

	if (strcmp(cmd, "op-list") == 0 && npos == 1)
		rc = device_op_list(d, argv[1], &status, &resp);
	else if (strcmp(cmd, "op-detail") == 0 && npos == 2)
		rc = device_op_detail(d, argv[1], argv[2], &status, &resp);
	else if (strcmp(cmd, "op-approve") == 0 && npos == 2)
		rc = device_op_decide(d, argv[1], argv[2], o->otp, NULL,
		    o->type, &status, &resp);
	else if (strcmp(cmd, "op-reject") == 0 && (npos == 1 || npos == 2))
		rc = device_op_decide(d, argv[1], NULL, NULL, npos == 2 ?
		    argv[2] : "UNKNOWN", o->type, &status, &resp);
	else
		return 2;
	return print_reply(d, rc, status, resp);
}

static int
run(struct device *d, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct opts o;
	char buf[1024];
	int npos;

	npos = 1;
	while (npos < argc && strncmp(argv[npos], "--", 2) != 0)
		npos++;
	if (parse_opts(argc, argv, npos, &o) != 0)
		return 2;
	npos--;		/* positional arguments after the command */
	if (strcmp(cmd, "setup") == 0 && (npos == 2 || npos == 3))
		return device_setup(d, argv[1], argv[2], npos == 3 ? argv[3] :
		    "3.3") || device_save(d) ? 1 : 0;
	if (strcmp(cmd, "activate") == 0 && npos == 1) {
		if (device_activate(d, argv[1], o.otp, o.name) != 0 ||
		    device_save(d) != 0 || device_fingerprint(d, buf) != 0)
			return 1;
		printf("%s %s\n", device_state_str(&d->st, "activationId"), buf);
		return 0;
	}
	if (strcmp(cmd, "activate-batch") == 0 && npos == 1)
		return activate_batch(d, argv[1]);
	if (strcmp(cmd, "fingerprint") == 0 && npos == 0) {
		if (device_fingerprint(d, buf) != 0)
			return 1;
		printf("%s\n", buf);
		return 0;
	}
	if (strcmp(cmd, "status") == 0 && npos == 0) {
		if (device_status(d, buf, sizeof(buf)) != 0 ||
		    device_save(d) != 0)
			return 1;
		printf("%s\n", buf);
		return 0;
	}
	if (strcmp(cmd, "sign") == 0 && npos == 2)
		return print_owned(device_sign(d, argv[1], argv[2],
		    (const uint8_t *)o.body, strlen(o.body), o.type,
		    o.wrong_knowledge)) || device_save(d) ? 1 : 0;
	if (strcmp(cmd, "sign-batch") == 0 && npos == 3)
		return sign_batch(d, argv[1], argv[2], argv[3], &o);
	if (strcmp(cmd, "sign-offline") == 0 && npos == 2)
		return print_owned(device_sign_offline(d, argv[1], argv[2],
		    (const uint8_t *)o.body, strlen(o.body), o.type,
		    o.digits)) || device_save(d) ? 1 : 0;
	if (strcmp(cmd, "call") == 0 && npos == 2) {
		char *resp = NULL;
		long status = 0;

		if (device_signed_call(d, argv[1], argv[2], o.body, o.type,
		    o.wrong_knowledge, &status, &resp) != 0 ||
		    device_save(d) != 0)
			return 1;
		printf("%ld %s\n", status, resp);
		free(resp);
		return 0;
	}
	if (strcmp(cmd, "token-create") == 0 && npos == 0)
		return print_owned(device_token_create(d, o.type)) ||
		    device_save(d) ? 1 : 0;
	if (strcmp(cmd, "token-header") == 0 && npos == 1)
		return print_owned(device_token_header(d, argv[1])) ? 1 : 0;
	if (strcmp(cmd, "token-header-batch") == 0 && npos == 2)
		return token_batch(d, argv[1], argv[2]);
	if (strcmp(cmd, "vault-unlock") == 0 && npos == 0) {
		uint8_t key[16];

		if (device_vault_unlock(d, key) != 0 || device_save(d) != 0)
			return 1;
		b64_encode(key, sizeof(key), buf);
		printf("%s\n", buf);
		return 0;
	}
	if (strcmp(cmd, "remove") == 0 && npos == 0)
		return device_remove(d) || device_save(d) ? 1 : 0;
	if (strcmp(cmd, "op-offline") == 0 && npos == 1)
		return print_owned(device_op_offline(d, argv[1], o.type)) ||
		    device_save(d) ? 1 : 0;
	if (strncmp(cmd, "op-", 3) == 0)
		return run_operation(d, cmd, npos, argv, &o);
	if (strcmp(cmd, "show") == 0 && npos == 0) {
		printf("%s\n", json_object_to_json_string_ext(d->st.root,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		return 0;
	}
	return 2;
}

int
main(int argc, char **argv)
{
	const char *state = getenv("PA_DEVICE_STATE");
	struct device d;
	int i = 1, rc;

	if (state == NULL)
		state = "pa-device.json";
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		state = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "-h") == 0 ||
	    strcmp(argv[i], "--help") == 0) {
		fputs(USAGE, i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	if (http_client_init() != 0)
		return 1;
	if (device_open(&d, state) != 0) {
		fprintf(stderr, "pa-device: %s\n", d.err);
		device_close(&d);
		http_client_cleanup();
		return 1;
	}
	rc = run(&d, argc - i, argv + i);
	if (rc == 2)
		fputs(USAGE, stderr);
	else if (rc != 0)
		fprintf(stderr, "pa-device: %s\n", d.err[0] ? d.err : "failed");
	device_close(&d);
	http_client_cleanup();
	return rc;
}
