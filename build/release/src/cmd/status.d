build/release/src/cmd/status.o: src/cmd/status.c src/cmd/cmd.h \
 src/cmd/common.h src/lib/strvec.h src/lib/err.h src/release/release.h \
 src/config/config.h src/git/remote.h src/git/repo.h src/lib/buf.h \
 src/lib/run.h src/project/project.h src/semver/semver.h \
 src/vfile/vfile.h
src/cmd/cmd.h:
src/cmd/common.h:
src/lib/strvec.h:
src/lib/err.h:
src/release/release.h:
src/config/config.h:
src/git/remote.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/project/project.h:
src/semver/semver.h:
src/vfile/vfile.h:
