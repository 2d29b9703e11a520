/*
 * key_rotation.c - re-encrypting the stored secrets under the current
 * master key (see key_rotation.h).
 *
 * Every column of secret_spec() is walked by primary key: a batch reads
 * (and, unless dry run, locks) up to o->batch rows after the last id of
 * the previous batch, re-encrypts the values that open only with the
 * previous key and commits; counts and failed rows are taken over only
 * once the batch committed, so a batch run again after a lock conflict
 * counts nothing twice. The workers keep running meanwhile: they open
 * either key, and what they write is under the current key already.
 */
#include <config.h>

#include "service/key_rotation.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rekey.h"

struct run {
	struct db			*db;
	const struct config		*cfg;
	const struct key_rotation_opts	*o;
	struct key_rotation_report	*rep;
	key_rotation_failed_fn		 failed;
	void				*arg;
};

/* One batch: its rows, what each turned out to be, its counts. */
struct batch {
	struct rekey_row		*rows;
	enum secret_key			*what;
	size_t				 n;	/* rows read */
	size_t				 done;	/* rows handled */
	struct key_rotation_count	 c;
};

static void
batch_clear(struct batch *b)
{
	rekey_rows_free(b->rows, b->n);
	free(b->what);
	memset(b, 0, sizeof(*b));
}

/* The limit of re-encrypted rows is reached. */
static int
at_limit(const struct run *x, const struct batch *b)
{
	return x->o->limit > 0 && x->rep->total.rotated + b->c.rotated >=
	    (uint64_t)x->o->limit;
}

/* Re-encrypts (dry run: classifies) the rows of b. */
static enum svc_rc
handle(struct run *x, enum secret_kind kind, const struct rekey_column *col,
    struct batch *b)
{
	struct rekey_row *r;
	char *fresh;
	int rc;

	for (b->done = 0; b->done < b->n; b->done++) {
		if (at_limit(x, b)) {
			x->rep->incomplete = 1;
			break;
		}
		r = &b->rows[b->done];
		b->what[b->done] = secret_reseal(x->cfg, kind, r->user_id,
		    r->id, r->enc, REKEY_ENC_MAX, &fresh);
		switch (b->what[b->done]) {
		case SECRET_KEY_CURRENT:
			b->c.current++;
			break;
		case SECRET_KEY_PREVIOUS:
			b->c.rotated++;
			rc = x->o->dry_run ? DB_OK : rekey_write(x->db, col,
			    r->id, r->user_id, fresh);
			free(fresh);
			if (rc != DB_OK)
				return svc_from_db(rc, SVC_INTERNAL);
			break;
		default:
			b->c.failed++;
			break;
		}
	}
	return SVC_OK;
}

/* Reads, re-encrypts and commits the batch after id `after`. */
static enum svc_rc
batch_once(struct run *x, enum secret_kind kind,
    const struct rekey_column *col, const char *after,
    const char *after_user, struct batch *b)
{
	enum svc_rc rc;
	int n;

	if (!x->o->dry_run && (n = rekey_begin(x->db)) != DB_OK)
		return svc_from_db(n, SVC_INTERNAL);
	n = rekey_read(x->db, col, after, after_user, x->o->batch,
	    !x->o->dry_run, &b->rows);
	if (n < 0) {
		rc = svc_from_db(n, SVC_INTERNAL);
		goto fail;
	}
	b->n = (size_t)n;
	rc = SVC_INTERNAL;
	if ((b->what = calloc(b->n + 1, sizeof(*b->what))) == NULL)
		goto fail;
	if ((rc = handle(x, kind, col, b)) != SVC_OK)
		goto fail;
	if (x->o->dry_run)
		return SVC_OK;
	/* A failed commit has rolled back. */
	return svc_from_db(db_commit(x->db), SVC_INTERNAL);
fail:
	if (!x->o->dry_run)
		db_rollback(x->db);
	return rc;
}

/* Takes over a committed batch: counts, failed rows. */
static void
account(struct run *x, enum secret_kind kind, const struct batch *b)
{
	struct key_rotation_count *p = &x->rep->per[kind], *t = &x->rep->total;
	const struct secret_spec *s = secret_spec(kind);
	char id[2 * REKEY_ID_MAX + 2];
	size_t i;

	p->rotated += b->c.rotated;
	p->current += b->c.current;
	p->failed += b->c.failed;
	t->rotated += b->c.rotated;
	t->current += b->c.current;
	t->failed += b->c.failed;
	for (i = 0; i < b->done && x->failed != NULL; i++) {
		if (b->what[i] >= SECRET_KEY_CURRENT)
			continue;
		snprintf(id, sizeof(id), "%s%s%s", b->rows[i].id,
		    s->key_column != NULL ? "/" : "",
		    s->key_column != NULL ? b->rows[i].user_id : "");
		x->failed(kind, id, b->what[i], x->arg);
	}
}

static enum svc_rc
column_run(struct run *x, enum secret_kind kind)
{
	const struct secret_spec *s = secret_spec(kind);
	char after[REKEY_ID_MAX + 1] = "", after_user[REKEY_ID_MAX + 1] = "";
	struct rekey_column *col;
	struct batch b;
	enum svc_rc rc = SVC_OK;
	int attempt, more = 1;

	if ((col = rekey_column_new(s->table, s->column, s->user_column,
	    s->key_column)) == NULL)
		return SVC_INTERNAL;
	memset(&b, 0, sizeof(b));
	while (more && !x->rep->incomplete) {
		for (attempt = 0; attempt < SVC_TXN_ATTEMPTS; attempt++) {
			batch_clear(&b);
			if ((rc = batch_once(x, kind, col, after, after_user,
			    &b)) != SVC_RETRY)
				break;
		}
		if (rc != SVC_OK)
			break;
		account(x, kind, &b);
		if (b.done > 0) {
			memcpy(after, b.rows[b.done - 1].id, sizeof(after));
			memcpy(after_user, b.rows[b.done - 1].user_id,
			    sizeof(after_user));
		}
		more = b.done == b.n && b.n == (size_t)x->o->batch;
	}
	batch_clear(&b);
	rekey_column_free(x->db, col);
	return rc;
}

enum svc_rc
key_rotation_run(struct db *db, const struct config *cfg,
    const struct key_rotation_opts *o, struct key_rotation_report *rep,
    key_rotation_failed_fn failed, void *arg, const char **why)
{
	struct run x = { db, cfg, o, rep, failed, arg };
	enum svc_rc rc = SVC_OK;
	int k;

	*why = NULL;
	memset(rep, 0, sizeof(*rep));
	if (o->batch < 1 || o->batch > KEY_ROTATION_BATCH_MAX ||
	    o->limit < 0) {
		*why = "batch must be 1..10000 and limit not negative";
		return SVC_INVALID;
	}
	if (!cfg->master_key_set) {
		*why = "security.master_key is not set";
		return SVC_INVALID;
	}
	if (!o->dry_run && !cfg->previous_master_key_set) {
		*why = "security.previous_master_key is not set: configure the "
		    "old key there and the new one as security.master_key";
		return SVC_INVALID;
	}
	if (cfg->previous_master_key_set && CRYPTO_memcmp(cfg->master_key,
	    cfg->previous_master_key, CONFIG_MASTER_KEY_LEN) == 0) {
		*why = "security.previous_master_key equals "
		    "security.master_key";
		return SVC_INVALID;
	}
	for (k = 0; k < SECRET_KINDS && rc == SVC_OK; k++)
		rc = column_run(&x, (enum secret_kind)k);
	return rc;
}
