build/release/src/release/read.o: src/release/read.c \
 src/release/release.h src/config/config.h src/lib/strvec.h \
 src/git/remote.h src/git/repo.h src/lib/buf.h src/lib/run.h \
 src/project/project.h src/semver/semver.h src/vfile/vfile.h \
 src/git/merge.h src/lib/err.h src/lib/util.h
src/release/release.h:
src/config/config.h:
src/lib/strvec.h:
src/git/remote.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/project/project.h:
src/semver/semver.h:
src/vfile/vfile.h:
src/git/merge.h:
src/lib/err.h:
src/lib/util.h:
