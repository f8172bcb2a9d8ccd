/* codec.c - a folded review as one line of JSON, for the digest cache. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/err.h"
#include "lib/util.h"
#include "review/review_int.h"

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static char *
dup_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

char *
review_encode(const struct review *rv)
{
	json_t *o, *votes;
	char *text, *line;
	size_t i;

	/* a closed request only needs to be known closed: readers that want
	 * it whole (review list --all) fold its chain again */
	if (rv->state != REVIEW_OPEN)
		return xstrdup("c");
	votes = json_array();
	for (i = 0; i < rv->nvotes; i++) {
		const struct review_vote *v = &rv->votes[i];

		json_array_append_new(votes, json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s?}",
		    "by", v->by, "name", v->name, "head", v->head, "message", v->message,
		    "at", (json_int_t)v->at, "approve", v->approve, "raw", v->raw ? v->raw : "",
		    "sig", v->sig));
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:s?, s:o}", "branch", rv->branch,
	    "base", rv->base, "head", rv->head, "author", rv->author, "author_name",
	    rv->author_name ? rv->author_name : "", "at", (json_int_t)rv->at, "state",
	    (int)rv->state, "merge", rv->merge, "votes", votes);
	if (!o)
		return NULL;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return NULL;
	line = xmalloc(strlen(text) + 3);
	line[0] = 'o';
	line[1] = ' ';
	memcpy(line + 2, text, strlen(text) + 1);
	free(text);
	return line;
}

int
review_decode(const char *line, const char *ref, struct review *out)
{
	json_t *o, *votes;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (line[0] != 'o' || line[1] != ' ' ||
	    !(o = json_loads(line + 2, 0, NULL)))
		return -E_INVALID;
	votes = json_object_get(o, "votes");
	if (!json_is_object(o) || !json_is_array(votes) || !json_is_string(json_object_get(o,
	    "branch"))) {
		json_decref(o);
		return -E_INVALID;
	}
	out->ref = xstrdup(ref);
	out->branch = xstrdup(str(o, "branch"));
	out->base = xstrdup(str(o, "base"));
	out->head = xstrdup(str(o, "head"));
	out->author = xstrdup(str(o, "author"));
	out->author_name = xstrdup(str(o, "author_name"));
	out->at = (time_t)json_integer_value(json_object_get(o, "at"));
	out->state = (enum review_state)json_integer_value(json_object_get(o, "state"));
	out->merge = dup_or_null(o, "merge");
	out->nvotes = json_array_size(votes);
	out->votes = out->nvotes ? xcalloc(out->nvotes, sizeof(*out->votes)) : NULL;
	for (i = 0; i < out->nvotes; i++) {
		json_t *v = json_array_get(votes, i);
		struct review_vote *d = &out->votes[i];

		d->by = xstrdup(str(v, "by"));
		d->name = xstrdup(str(v, "name"));
		d->head = xstrdup(str(v, "head"));
		d->message = xstrdup(str(v, "message"));
		d->at = (time_t)json_integer_value(json_object_get(v, "at"));
		d->approve = json_is_true(json_object_get(v, "approve"));
		d->raw = xstrdup(str(v, "raw"));
		d->sig = dup_or_null(v, "sig");
	}
	json_decref(o);
	return 0;
}
