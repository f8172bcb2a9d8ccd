build/release/src/git/repo.o: src/git/repo.c src/git/repo.h src/lib/buf.h \
 src/lib/run.h src/lib/strvec.h src/lib/err.h src/lib/util.h
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/strvec.h:
src/lib/err.h:
src/lib/util.h:
