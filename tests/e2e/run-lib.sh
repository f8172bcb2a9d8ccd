# run-lib.sh - sourced by the runner's tests: reading `slipway run`'s records.

# field WHAT [NAME] <RECORD: part of a record (python3 reads the JSON): KEY, a
# top-level field; job.FIELD NAME, a field of job NAME; jobs, "NAME STATE" a line;
# pipeline-is P, the record itself when it is P's, else exit 1. Strings are
# printed as they are, without a newline; anything else as JSON (null).
field() {
	python3 -c '
import json, sys
r = json.load(sys.stdin)
what, arg = sys.argv[1], (sys.argv[2:] or [None])[0]
def out(v):
    sys.stdout.write(v if isinstance(v, str) else json.dumps(v))
if what == "jobs":
    for j in r["jobs"]:
        print(j["name"], j["state"])
elif what == "pipeline-is":
    if r.get("pipeline") != arg:
        sys.exit(1)
    json.dump(r, sys.stdout, indent=2)
elif what.startswith("job."):
    out([j for j in r["jobs"] if j["name"] == arg][0].get(what[4:]))
else:
    out(r.get(what))
' "$@"
}

# chain SUBJECT: the ref of a subject's pipeline chain (the SHA-1 of "commit:ID")
chain() {
	echo "refs/slipway/pipeline/$(printf '%s' "$1" | git hash-object --stdin)"
}

# record PIPELINE [REV]: the newest PIPELINE record of REV's commit:ID chain (JSON)
record() {
	_ref=$(chain "commit:$(git rev-parse "${2:-HEAD}")")
	for _h in $(git rev-list "$_ref" 2>/dev/null); do
		git show "$_h:record.json" | field pipeline-is "$1" && return 0
	done
	echo "record: no $1 record for ${2:-HEAD}" >&2
	return 1
}

# job FIELD NAME <RECORD: one field of one job of a record
job() {
	field "job.$1" "$2"
}
