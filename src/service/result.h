/*
 * result.h - the result codes of the service layer.
 *
 * Owns: one enum shared by the services, which the handler layer maps to
 * API errors in one function per context, and the two helpers every
 * service needs (store results, stored string lists). No HTTP here.
 */
#ifndef PASERV_SERVICE_RESULT_H
#define PASERV_SERVICE_RESULT_H

#include <stddef.h>

enum svc_rc {
	SVC_OK = 0,
	SVC_INVALID,		/* input breaks a rule (message given) */
	SVC_EXISTS,		/* the thing to create already exists */
	SVC_APP_NOT_FOUND,
	SVC_USER_NOT_FOUND,
	SVC_REG_NOT_FOUND,	/* no such registration within the scope */
	SVC_REG_NOT_ALLOWED,	/* an unfinished registration exists */
	SVC_REG_CHANGE,		/* the state does not allow the action */
	SVC_OP_NOT_FOUND,	/* no such operation within the scope */
	SVC_OP_STATE,		/* the operation's state forbids it */
	SVC_TEMPLATE_NOT_FOUND,	/* no such operation or display template */
	SVC_CALLBACK_NOT_FOUND,	/* no such callback of the application */
	SVC_INBOX_NOT_FOUND,	/* no such inbox message within the scope */
	/* The mobile API's failure categories (api.md §3.2). */
	SVC_AUTH_FAILED,	/* signature/header does not authenticate */
	SVC_ACTIVATION_INVALID,	/* no such activation / state forbids it */
	SVC_ENCRYPTION,		/* envelope malformed, MAC, replay, time */
	SVC_TEMP_KEY,		/* temporary key unknown, expired, mismatch */
	SVC_VAULT_INVALID,	/* the vault unlock request is malformed */
	SVC_UPGRADE,		/* no protocol upgrade applies */
	SVC_LIMIT,		/* a configured limit is reached */
	SVC_THROTTLED,		/* too many failures from the client */
	SVC_RETRY,		/* lost a lock conflict; run it again */
	SVC_DB_DOWN,		/* database unreachable */
	SVC_INTERNAL		/* anything else: a bug or resource failure */
};

/* How often a transaction that lost a lock conflict (SVC_RETRY) is run
 * in all before the conflict is reported. */
#define SVC_TXN_ATTEMPTS	5

/*
 * Sleeps before attempt number `attempt` (2, 3, ...) of a transaction that
 * lost a conflict: about 2^(attempt-2) ms, at most 64 ms, with random
 * jitter of +-50 %, so that two nodes that collided do not collide again
 * in lock step.
 */
void	svc_retry_pause(int attempt);

/* A store result (DB_*) as a service result; DB_NOT_FOUND becomes
 * not_found, a unique-key violation SVC_EXISTS. */
enum svc_rc svc_from_db(int rc, enum svc_rc not_found);

/* A JSON array of strings, as text into out (cap bytes); -1 if it does
 * not fit or memory runs out. Used for the stored roles and flags. */
int	svc_strings_to_json(const char *const *items, size_t n, char *out,
	    size_t cap);

/* 1..max characters, none of them a control character. */
int	svc_text_valid(const char *s, size_t max);
/* 1..max characters, of them no control character but tab, line feed
 * and carriage return: texts of several lines. */
int	svc_lines_valid(const char *s, size_t max);
/* [A-Za-z0-9._-]: names, identifiers, parameter names. */
int	svc_ident_char(int c);
/* 1..max characters of svc_ident_char(). */
int	svc_ident_valid(const char *s, size_t max);

#endif
