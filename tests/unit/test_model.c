/* The snapshot model: what it decides beyond holding the records. */
#include <string.h>

#include "model/model.h"
#include "tap.h"

#define BASE_DIGEST "debian@sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a"

static void
test_repo_digest(void)
{
	struct image img;

	memset(&img, 0, sizeof(img));
	strv_push(&img.repo_digests, "nvcr.io/nvidia/isaac-sim@sha256:" "aa");
	strv_push(&img.repo_digests, BASE_DIGEST);
	is_str(image_repo_digest(&img, "debian:bookworm"), BASE_DIGEST, "tag ref matches");
	is_str(image_repo_digest(&img, "docker.io/library/debian"), BASE_DIGEST,
	    "docker.io/library prefix");
	ok(image_repo_digest(&img, "ubuntu:22.04") == NULL, "other repository");
	ok(image_repo_digest(&img, "debian@sha256:0000") == NULL, "other digest");
	ok(image_repo_digest(&img, "nvcr.io/nvidia/isaac-sim:5.1.0") != NULL,
	    "registry with path");
	image_release(&img);
}

int
main(void)
{
	test_repo_digest();
	return done_testing();
}
