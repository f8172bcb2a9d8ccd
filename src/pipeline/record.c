/* record.c - a run's results as records: one per pipeline, and job cache entries. */
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/util.h"
#include "pipeline/pipeline.h"
#include "records/records.h"
#include "records/result.h"

/* A log tail as a JSON string: bytes that are not UTF-8 (a cut character,
 * binary output) become '?', so the record stays valid JSON. */
static json_t *
tail_json(const struct buf *t)
{
	struct buf out = BUF_INIT;
	size_t i = 0, k, n;
	json_t *s;

	while (i < t->len) {
		unsigned char c = (unsigned char)t->ptr[i];

		n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		    c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		for (k = 1; n && k < n; k++)
			if (i + k >= t->len || ((unsigned char)t->ptr[i + k] & 0xc0) != 0x80)
				n = 0;
		if (n) {
			buf_add(&out, t->ptr + i, n);
			i += n;
		} else {
			buf_putc(&out, '?');
			i++;
		}
	}
	if (!(s = json_stringn(out.ptr ? out.ptr : "", out.len))) {	/* overlong, surrogates */
		for (i = 0; i < out.len; i++)
			if ((unsigned char)out.ptr[i] >= 0x80)
				out.ptr[i] = '?';
		s = json_stringn(out.ptr, out.len);
	}
	buf_release(&out);
	return s;
}

/* The jobs of pipeline name as JSON: state, exit, duration, log, tail. */
static json_t *
jobs_json(const struct plan *p, const char *name)
{
	json_t *jobs = json_array();
	size_t i;

	for (i = 0; i < p->njobs; i++) {
		const struct job *j = &p->jobs[i];
		json_t *o;

		if (!job_in_pipeline(j, name))
			continue;
		o = json_pack("{s:s, s:s}", "name", j->name, "state", job_state_name(j->state));
		if (j->state == JOB_PASS || j->state == JOB_FAIL || j->state == JOB_TIMEOUT ||
		    (j->state == JOB_CANCELLED && j->start_ms)) {
			json_object_set_new(o, "exit", json_integer(j->exit));
			json_object_set_new(o, "duration_ms", json_integer(j->end_ms - j->start_ms));
		}
		if (j->why)
			json_object_set_new(o, "why", json_string(j->why));
		if (j->cached_by)
			json_object_set_new(o, "cached_by", json_string(j->cached_by));
		if (j->log)
			json_object_set_new(o, "log", json_string(j->log));
		if (j->tail.len)
			json_object_set_new(o, "tail", tail_json(&j->tail));
		json_array_append_new(jobs, o);
	}
	return jobs;
}

/* One cache entry per passing job with inputs: what a later run skips. */
static int
record_cache(struct repo *r, const struct plan *p, const char *run_id)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), &p->commit);
	for (i = 0; i < p->njobs && rc == 0; i++) {
		const struct job *j = &p->jobs[i];
		json_t *rec;

		if (j->state != JOB_PASS || !j->key[0])
			continue;
		rec = json_pack("{s:s, s:s, s:s, s:s}", "job", j->name, "key", j->key,
		    "commit", hex, "run", run_id);
		rc = records_append(r, "jobcache", j->key, rec, j->name, NULL);
		json_decref(rec);
	}
	return rc;
}

int
plan_record(struct repo *r, const struct plan *p, const char *run_id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid commit;
	size_t i;
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), &p->commit);
	for (i = 0; i < p->npipelines && rc == 0; i++) {
		struct result res = { p->pipelines[i].name, NULL, hex, NULL, "slipway run", NULL };

		if (p->pipelines[i].reused || p->partial)
			continue;
		res.status = pipeline_status(p, res.pipeline);
		res.extra = json_pack("{s:s, s:s, s:o}", "run", run_id, "branch", p->branch,
		    "jobs", jobs_json(p, res.pipeline));
		rc = result_record(r, &res, &commit);
		json_decref(res.extra);
	}
	if (rc == 0)
		rc = record_cache(r, p, run_id);
	return rc;
}
