/*
 * ejson_array_each: a JSON array of objects read one element at a time;
 * ejson_reader: JSON lines of a stream, read as the chunks arrive.
 */
#include <string.h>

#include "engine/json.h"
#include "tap.h"
#include "util/buf.h"

struct seen {
	struct buf paths;	/* "Path" members, one per line */
	size_t n;
	size_t stop_at;		/* fail at this index + 1; 0 never */
};

static int
collect(void *ctx, size_t index, json_t *elem, struct keep_error **err)
{
	struct seen *s = ctx;
	const char *p = ejson_str(elem, "Path");

	if (s->stop_at && index + 1 == s->stop_at)
		return keep_error_set(err, KEEP_ERR_FAILED, "stop");
	s->n++;
	buf_addstr(&s->paths, p ? p : "?");
	buf_addch(&s->paths, '\n');
	return 0;
}

/* Run ejson_array_each on text; 0 or -1, with the error freed. */
static int
each(const char *text, struct seen *s)
{
	struct keep_error *err = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = ejson_array_each(text, strlen(text), "GET /x", collect, s, &err);
	if (rc < 0 && err == NULL)
		return -2;	/* a failure must say why */
	keep_error_free(err);
	return rc;
}

/* The "id" of each line the reader gave, one per line. */
static void
on_line(void *ctx, json_t *obj)
{
	const char *id = ejson_str(obj, "id");

	buf_addstr(ctx, id ? id : "?");
	buf_addch(ctx, '\n');
}

static void
test_reader(void)
{
	static const char stream[] = "{\"id\":\"a\"}\r\n\nnot json\n"
	    "{\"id\":\"b\",\"progressDetail\":{\"current\":1}}\n{\"id\":\"c\"}";
	struct buf got = BUF_INIT, big = BUF_INIT;
	struct ejson_reader r = { on_line, &got, BUF_INIT, 0 };

	/* One byte at a time: every line spans chunks. */
	for (size_t i = 0; i < sizeof(stream) - 1; i++)
		ejson_reader_feed(&r, stream + i, 1);
	ejson_reader_finish(&r);
	is_str(buf_cstr(&got), "a\nb\nc\n",
	    "lines split across chunks, the last without its newline; "
	    "blank and non-JSON lines skipped");

	buf_truncate(&got, 0);
	r = (struct ejson_reader){ on_line, &got, BUF_INIT, 0 };
	buf_addstr(&big, "{\"id\":\"");
	for (size_t i = 0; i < EJSON_MAX_LINE; i++)
		buf_addch(&big, 'x');
	buf_addstr(&big, "\"}\n{\"id\":\"after\"}\n");
	ejson_reader_feed(&r, big.ptr, big.len);
	ejson_reader_finish(&r);
	is_str(buf_cstr(&got), "after\n",
	    "an overlong line is dropped, the next one read");
	buf_release(&got);
	buf_release(&big);
}

int
main(void)
{
	struct seen s;

	is_int(each("[{\"Path\":\"/a\",\"Kind\":1},{\"Path\":\"/b\",\"Kind\":0}]", &s),
	    0, "two elements");
	is_int(s.n, 2, "both seen");
	is_str(s.paths.ptr, "/a\n/b\n", "in order");
	buf_release(&s.paths);

	is_int(each(" [ {\"Path\":\"/a\"} ,\n\t{\"Path\":\"/b\"} ] \n", &s), 0,
	    "whitespace between elements");
	is_int(s.n, 2, "both seen with whitespace");
	buf_release(&s.paths);

	is_int(each("[]", &s), 0, "an empty array");
	is_int(s.n, 0, "nothing seen");
	is_int(each("null", &s), 0, "null is an empty list");
	is_int(each(" null\n", &s), 0, "null with whitespace");

	is_int(each("", &s), -1, "an empty answer fails");
	is_int(each("{}", &s), -1, "an object is not an array");
	is_int(each("[{\"Path\":\"/a\"}", &s), -1, "a cut-off array fails");
	buf_release(&s.paths);
	is_int(each("[{\"Path\":\"/a\"},]", &s), -1, "a trailing comma fails");
	buf_release(&s.paths);
	is_int(each("[{\"Path\":\"/a\"} {\"Path\":\"/b\"}]", &s), -1,
	    "a missing comma fails");
	buf_release(&s.paths);
	is_int(each("[{\"Path\":\"/a\"}] x", &s), -1, "text after the array fails");
	buf_release(&s.paths);
	is_int(each("[1, 2]", &s), -1, "elements that are not objects fail");
	is_int(each("[{\"Path\":\"/a\"}, {\"Path\": }]", &s), -1,
	    "a broken element fails");
	buf_release(&s.paths);
	is_int(each("nullx", &s), -1, "null followed by junk fails");

	/* A label or env value can hold \u0000, a label key too. */
	is_int(each("[{\"Path\":\"/a\\u0000b\"},{\"Path\":\"\\\\u0000\"}]", &s),
	    0, "an escaped NUL does not fail the list");
	is_str(s.paths.ptr, "/a\xef\xbf\xbd" "b\n\\u0000\n",
	    "it reads as U+FFFD; an escaped backslash before u0000 stays");
	buf_release(&s.paths);
	{
		static const char t[] = "{\"Labels\":{\"k\\u0000\":\"v\\u0000w\","
		    "\"x\":\"\\\\\\u0000\"}}";
		struct keep_error *err = NULL;
		json_t *j = NULL;
		const char *v;

		ok(ejson_parse(t, strlen(t), "GET /x", &j, &err) == 0,
		    "a NUL in a key and a value parses");
		v = ejson_str(ejson_get(j, "Labels"), "k\xef\xbf\xbd");
		is_str(v ? v : "", "v\xef\xbf\xbdw", "both read as U+FFFD");
		v = ejson_str(ejson_get(j, "Labels"), "x");
		is_str(v ? v : "", "\\\xef\xbf\xbd",
		    "after an escaped backslash too");
		keep_error_free(err);
		if (j)
			json_decref(j);
	}

	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	{
		struct keep_error *err = NULL;
		const char *t = "[{\"Path\":\"/a\"},{\"Path\":\"/b\"},{\"Path\":\"/c\"}]";

		ok(ejson_array_each(t, strlen(t), "GET /x", collect, &s, &err) < 0 &&
		    err && strcmp(err->message, "stop") == 0,
		    "the callback's error stops the walk");
		is_int(s.n, 1, "no element after the failing one");
		keep_error_free(err);
		buf_release(&s.paths);
	}
	test_reader();
	return done_testing();
}
