/*
 * Installer configuration among the loose files: which of them hold
 * credentials, so that every recipe of the snapshot (the one the recipe
 * repository records included, which has no build context) mounts them as
 * build secrets instead of naming them as plain files.
 */
#include "pkg/pkg_internal.h"

#include "model/installer_config.h"
#include "model/secrets.h"

int
pkg_loose_find_secrets(const struct pkg_fs *fs, struct fs_changes *loose,
    struct keep_error **err)
{
	for (size_t i = 0; i < loose->n; i++) {
		struct fs_change *c = &loose->v[i];
		struct installer_config ic;
		cleanup_buf struct buf text = BUF_INIT;
		cleanup_buf struct buf redacted = BUF_INIT;

		if (c->kind == FS_DELETED ||
		    !installer_config_match(c->path, &ic) || !ic.secrets)
			continue;
		if (pkgi_read(fs, c->path, PKG_MAX_META, &text, err) < 0) {
			/* A directory, or gone since the change list. */
			if (keep_error_not_found(err))
				continue;
			/*
			 * Too big or unreadable: taken for holding some. A
			 * build secret too many costs less than a leak.
			 */
			keep_error_free(*err);
			*err = NULL;
			c->secret = 1;
			continue;
		}
		c->secret = secrets_redact_config(text.ptr, text.len,
		    &redacted) > 0;
	}
	return 0;
}
