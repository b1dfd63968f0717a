/* libgit2's errors, converted once into struct keep_error. */
#include "recipes/recipes_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "util/xalloc.h"

int
recipes_fail(struct keep_error **err, int code, const char *fmt, ...)
{
	int os_errno = errno;
	const git_error *ge = lg.git_error_last();
	enum keep_error_kind kind = KEEP_ERR_FAILED;
	va_list ap;
	char *ctx, *msg, *clean;
	size_t len;

	switch (code) {
	case GIT_ENOTFOUND:
	case GIT_EUNBORNBRANCH:
		kind = KEEP_ERR_NOT_FOUND;
		break;
	case GIT_ELOCKED:
	case GIT_EMODIFIED:
	case GIT_ECONFLICT:
	case GIT_EUNMERGED:
	case GIT_ENONFASTFORWARD:
		kind = KEEP_ERR_CONFLICT;
		break;
	default:
		break;
	}
	/* Some failures (a write on a full disk) leave no message. */
	if (ge != NULL && ge->message != NULL)
		msg = xstrdup(ge->message);
	else if (os_errno != 0)
		msg = xasprintf("libgit2 gave no reason; the last system error "
		    "was: %s", strerror(os_errno));
	else
		msg = xstrdup("unknown libgit2 error");
	len = strlen(msg);
	while (len > 0 && strchr(" \t\r\n.", msg[len - 1]) != NULL)
		msg[--len] = '\0';
	/* A remote's URL in the message must not show its credentials. */
	clean = secrets_redact(msg);
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	keep_error_set(err, kind, "%s: %s", ctx, clean);
	free(ctx);
	free(clean);
	free(msg);
	lg.git_error_clear();
	return -1;
}
