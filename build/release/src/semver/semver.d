build/release/src/semver/semver.o: src/semver/semver.c \
 src/semver/semver.h src/lib/buf.h src/lib/err.h src/lib/util.h
src/semver/semver.h:
src/lib/buf.h:
src/lib/err.h:
src/lib/util.h:
