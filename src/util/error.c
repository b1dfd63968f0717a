#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/xalloc.h"

int
keep_error_set(struct keep_error **err, enum keep_error_kind kind,
    const char *fmt, ...)
{
	va_list ap;
	struct keep_error *e;

	if (err == NULL)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	va_start(ap, fmt);
	e->message = xvasprintf(fmt, ap);
	va_end(ap);
	keep_error_free(*err);
	*err = e;
	return -1;
}

int
keep_error_wrap(struct keep_error **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *msg;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	if (*err == NULL) {
		keep_error_set(err, KEEP_ERR_FAILED, "%s: unknown error", ctx);
		free(ctx);
		return -1;
	}
	msg = xasprintf("%s: %s", ctx, (*err)->message);
	free(ctx);
	free((*err)->message);
	(*err)->message = msg;
	return -1;
}

int
keep_error_not_found(struct keep_error **err)
{
	if (err == NULL || *err == NULL || (*err)->kind != KEEP_ERR_NOT_FOUND)
		return 0;
	keep_error_free(*err);
	*err = NULL;
	return 1;
}

void
keep_error_free(struct keep_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err);
}

int
keep_error_exit_code(const struct keep_error *err)
{
	if (err == NULL)
		return 0;
	return err->kind == KEEP_ERR_USAGE ? 2 : 1;
}
