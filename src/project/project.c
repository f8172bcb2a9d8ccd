/* project.c - finding and loading slipway.conf. */
#include "project/project.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"

static void
project_defaults(struct project *p)
{
	p->remote = config_get(&p->cfg, "project.remote", "origin");
	p->staging = config_get(&p->cfg, "branches.staging", "staging");
	p->production = config_get(&p->cfg, "branches.production", "master");
}

int
project_load_commit(struct repo *r, const git_oid *commit, const char *label,
    struct config *cfg, int *found)
{
	struct buf data = BUF_INIT, name = BUF_INIT;
	int rc;

	*found = 0;
	rc = repo_read_at(r, commit, PROJECT_CONF, &data);
	if (rc == -E_NOTFOUND) {
		err_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	buf_printf(&name, "%s:%s", label, PROJECT_CONF);
	if ((rc = config_parse(cfg, name.ptr, data.ptr, data.len)) == 0)
		*found = 1;
out:
	buf_release(&data);
	buf_release(&name);
	return rc;
}

int
project_load(struct repo *r, struct project *p)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	git_oid head;
	int rc = 0;

	if (r->workdir) {
		buf_printf(&path, "%s%s", r->workdir, PROJECT_CONF);
		rc = buf_read_file(&data, path.ptr);
		if (rc == 0) {
			rc = config_parse(&p->cfg, PROJECT_CONF, data.ptr, data.len);
			p->found = rc == 0;
		} else if (rc == -E_NOTFOUND) {
			err_clear();
			rc = 0;
		}
	} else if (git_reference_name_to_id(&head, r->git, "HEAD") == 0) {
		rc = project_load_commit(r, &head, "HEAD", &p->cfg, &p->found);
	}
	if (rc == 0)
		project_defaults(p);
	buf_release(&path);
	buf_release(&data);
	return rc;
}

void
project_release(struct project *p)
{
	config_release(&p->cfg);
	p->remote = p->staging = p->production = NULL;
}
