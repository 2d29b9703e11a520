/*
 * buf.h - a growable byte buffer.
 *
 * Owns: one heap block and its length. Used to build byte strings of unknown
 * size (LV concatenations, JSON text, HTTP bodies). buf_free() wipes the block
 * before releasing it, so a buffer may hold secrets.
 */
#ifndef PASERV_COMMON_BUF_H
#define PASERV_COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* sticky: an append ran out of memory */
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* Appends; on allocation failure sets b->failed and returns -1. */
int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_append_str(struct buf *b, const char *s);
int	buf_append_byte(struct buf *b, uint8_t c);
int	buf_append_be32(struct buf *b, uint32_t v);
int	buf_append_be64(struct buf *b, uint64_t v);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Hands the block out as a NUL-terminated string the caller frees, leaving
 * b empty; NULL (and b freed) if an append had failed.
 */
char	*buf_take_cstr(struct buf *b);
/* Makes sure data is NUL-terminated (the NUL is not counted in len). */
const char *buf_cstr(struct buf *b);
void	buf_reset(struct buf *b);
/* Wipes and releases the block. */
void	buf_free(struct buf *b);

#endif
