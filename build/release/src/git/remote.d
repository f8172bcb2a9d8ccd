build/release/src/git/remote.o: src/git/remote.c src/git/remote.h \
 src/git/repo.h src/lib/buf.h src/lib/run.h src/lib/strvec.h \
 src/lib/err.h src/lib/util.h
src/git/remote.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/strvec.h:
src/lib/err.h:
src/lib/util.h:
