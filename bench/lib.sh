# lib.sh - timing helpers shared by bench/run.sh and bench/records-run.sh.
# Source it after BENCH_DIR exists.

now() { date +%s%N; }

# median of the numbers in file $1
median() {
	sort -n "$1" | awk '{ a[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# The cost of the timer itself: two `date` calls with nothing between. It is
# subtracted from every measurement (a measured command's own process start
# stays in, as it does for a user).
: >"$BENCH_DIR/timer"
i=0
while [ $i -lt 21 ]; do
	t0=$(now); t1=$(now)
	echo $((t1 - t0)) >>"$BENCH_DIR/timer"
	i=$((i + 1))
done
timer_ns=$(median "$BENCH_DIR/timer")
timer_ns=${timer_ns%.*}

# time_ns OUT CMD...: runs CMD, appends its wall time in ns to file OUT;
# returns CMD's status.
time_ns() {
	_out=$1; shift
	_t0=$(now)
	_rc=0
	"$@" || _rc=$?
	_t1=$(now)
	echo $((_t1 - _t0 - timer_ns)) >>"$_out"
	return $_rc
}
