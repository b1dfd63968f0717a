/*
 * The properties the fuzz targets check, each stated apart from the code
 * under test (no target re-runs the function it checks to decide what is
 * right):
 *
 *  - fuzz_check_inert: a package field that reaches a Dockerfile holds
 *    only bytes that are inert in /bin/sh and in a Dockerfile (the promise
 *    of model/validate.h, as a fixed allow-list);
 *  - fuzz_check_dockerfile: every line of a rendered Dockerfile is blank, a
 *    comment, a known instruction, or the continuation of a RUN; it holds
 *    no control byte but newline and tab;
 *  - fuzz_check_printable: a warning is one line of printable text;
 *  - fuzz_check_absent: a secret planted in the input appears in no output.
 *
 * Each prints why before abort(), so a crash file explains itself;
 * FUZZ_DUMP=1 also prints the whole text.
 */
#ifndef KEEP_FUZZ_CHECK_H
#define KEEP_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/strv.h"

/*
 * A marker the targets put in every secret they plant; fuzz_unmark removes
 * it from the rest of the input, so that finding it in an output means a
 * planted secret leaked.
 */
#define FUZZ_SECRET "kSECRETk"

static inline void
fuzz_fail(const char *why, const char *what, const char *text)
{
	fprintf(stderr, "fuzz property broken: %s: '%s'\n", why, what);
	if (text && getenv("FUZZ_DUMP"))
		fprintf(stderr, "---\n%s\n---\n", text);
	abort();
}

/* Break every FUZZ_SECRET in buf[0..len) (NULs included). */
static inline void
fuzz_unmark(char *buf, size_t len)
{
	size_t m = strlen(FUZZ_SECRET);

	for (size_t i = 0; i + m <= len; i++)
		if (memcmp(buf + i, FUZZ_SECRET, m) == 0)
			buf[i] = 'K';
}

/* s is non-empty and every byte is one of [A-Za-z0-9._+~:@/!-]. */
static inline void
fuzz_check_inert(const char *field, const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~:@/!-";

	if (s == NULL || s[0] == '\0' || s[strspn(s, ok)] != '\0')
		fuzz_fail("a package field outside the inert bytes", s ? s : "(null)",
		    field);
}

static inline void
fuzz_check_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			fuzz_fail("a warning holds a control byte", s, NULL);
}

static inline void
fuzz_check_absent(const char *text, const char *where)
{
	if (strstr(text, FUZZ_SECRET) != NULL)
		fuzz_fail("a planted secret is in the output", where, text);
}

static inline void
fuzz_check_warnings(const struct strv *w)
{
	for (size_t i = 0; i < w->n; i++) {
		fuzz_check_printable(w->v[i]);
		fuzz_check_absent(w->v[i], "a warning");
	}
}

static inline int
fuzz_starts_instruction(const char *t, size_t len, const char **word)
{
	static const char *const keywords[] = {
		"FROM", "ARG", "ENV", "RUN", "COPY", "USER", "WORKDIR", "CMD",
		"ENTRYPOINT", "EXPOSE", "LABEL", "VOLUME", "STOPSIGNAL",
		"HEALTHCHECK", "SHELL",
	};

	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		size_t k = strlen(keywords[i]);

		if (len > k && strncmp(t, keywords[i], k) == 0 &&
		    (t[k] == ' ' || t[k] == '\t')) {
			*word = keywords[i];
			return 1;
		}
	}
	return 0;
}

/*
 * The line structure of a Dockerfile keep wrote. "kpwn" is the marker the
 * seeds put after newlines in every field ("\nRUN kpwn"): no instruction
 * may start with it, nor take it as its first word.
 */
static inline void
fuzz_check_dockerfile(const char *text)
{
	const char *in = NULL;	/* the instruction a "\" continues */

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			fuzz_fail("a control byte in the Dockerfile", "", text);
	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n'), *t = l, *word;
		size_t len = nl ? (size_t)(nl - l) : strlen(l), tl = len;
		char *line = strndup(l, len);

		while (tl && (*t == ' ' || *t == '\t')) {
			t++;
			tl--;
		}
		if (tl == 0 || *t == '#') {
			/* blank or a comment: continues nothing, ends nothing */
		} else if (in != NULL) {
			if (strcmp(in, "RUN") != 0)
				fuzz_fail("a continued instruction other than RUN", line, text);
		} else if (!fuzz_starts_instruction(t, tl, &word)) {
			fuzz_fail("a line that is no instruction", line, text);
		} else {
			const char *arg = t + strlen(word);

			while (*arg == ' ' || *arg == '\t')
				arg++;
			/*
			 * ENV, ARG, LABEL, USER ... may start with a name from
			 * the input; these start with keep's own words.
			 */
			if (strstr(" RUN FROM COPY CMD ENTRYPOINT SHELL VOLUME ", word) &&
			    strncasecmp(arg, "kpwn", 4) == 0)
				fuzz_fail("an injected instruction", line, text);
			in = word;
		}
		if (tl && *t != '#' && !(len > 0 && l[len - 1] == '\\'))
			in = NULL;
		free(line);
		if (!nl)
			break;
		l = nl + 1;
	}
}

#endif
