build/release/src/config/schema.o: src/config/schema.c \
 src/config/schema.h src/config/config.h src/lib/strvec.h src/lib/buf.h \
 src/lib/err.h src/lib/util.h src/semver/semver.h src/vfile/vfile.h
src/config/schema.h:
src/config/config.h:
src/lib/strvec.h:
src/lib/buf.h:
src/lib/err.h:
src/lib/util.h:
src/semver/semver.h:
src/vfile/vfile.h:
