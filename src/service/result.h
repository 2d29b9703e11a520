/*
 * result.h - the result codes of the service layer.
 *
 * Owns: one enum shared by the services, which the handler layer maps to
 * API errors in one function per context. No HTTP statuses here.
 */
#ifndef PASERV_SERVICE_RESULT_H
#define PASERV_SERVICE_RESULT_H

enum svc_rc {
	SVC_OK = 0,
	SVC_INVALID,		/* input breaks a rule (message given) */
	SVC_EXISTS,		/* the thing to create already exists */
	SVC_APP_NOT_FOUND,
	SVC_USER_NOT_FOUND,
	SVC_REG_NOT_FOUND,	/* no such registration within the scope */
	SVC_REG_NOT_ALLOWED,	/* an unfinished registration exists */
	SVC_REG_CHANGE,		/* the state does not allow the action */
	SVC_DB_DOWN,		/* database unreachable */
	SVC_INTERNAL		/* anything else: a bug or resource failure */
};

#endif
