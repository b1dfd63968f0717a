/* Refusing packages that fail the rules of model/validate.h. */
#include "tap.h"
#include "test_pkg_helpers.h"

int
main(void)
{
	{
		struct pkg p;
		char *w;

		pkg_init_fields(&p);
		free(p.manager);
		p.manager = xstrdup("dpkg");
		free(p.name);
		p.name = xstrdup("bad\nRUN evil");
		w = pkg_refusal(&p, "invalid name");
		is_str(w, "refused dpkg package 'bad\\x0aRUN evil' version '': invalid name",
		    "refusal escapes a newline: no second line to inject");
		free(w);
		pkg_release(&p);
	}
	return done_testing();
}
